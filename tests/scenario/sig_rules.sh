# User rules: `mortem rules` lists the catalogue, `--check` validates a rule file
# with line-numbered errors, and a rule written here (no C) matching frames by
# regex fires on a real process's stacks with --rules.
. "$TOP/tests/lib/common.sh"
need eu-stack jq cc
"$MORTEM" rules > cat.txt; check "rules exits 0" test $? -eq 0
for id in lock-cycle unwinder-loader-deadlock eintr-crash signal-unsafe-call lock-contention \
	stack-overflow assertion-failure heap-corruption null-dereference native-library-crash \
	jvm-internal-crash unsafe-memory-access out-of-memory jni-misuse gc-crash compiler-crash thread-leak \
	stuck-thread-pool cpp-uncaught-exception pure-virtual-call sigbus-mapped-file \
	illegal-instruction profiler-induced-crash infinite-recursion; do
	check "catalogue lists $id" grep -q "^$id  *\(critical\|high\|medium\|low\|info\)  *[a-zA-Z]" cat.txt
done
check "catalogue ids are unique" test "$(cut -d' ' -f1 cat.txt | sort | uniq -d | wc -l)" -eq 0

cat > mine.rules <<'R'
# a team's own pattern: both halves of our lock-order bug
[rule our-abba]
title      = the A/B lock-order bug in our worker pair
severity   = high
confidence = likely
stack      = ^(__GI_)?_*pthread_mutex_lock(@.*)?$ <- ^take_a_then_b$
function   = ^take_b_then_a$
summary    = {threads} are in {frames}
advice     = take lock A before lock B
	everywhere (see docs/locking.md)
R
"$MORTEM" rules --check mine.rules > ok.txt 2>&1; check "--check: a good file exits 0" test $? -eq 0
check "--check: says how many rules" grep -q "mine.rules: 1 rule, no errors" ok.txt
"$MORTEM" rules --rules mine.rules > cat2.txt
check "--rules adds the rule to the catalogue" grep -q "^our-abba  *high  *the A/B lock-order bug" cat2.txt

printf '[rule bad]\ntitle = x\nsevrity = high\nfunction = (oops\n' > bad.rules
"$MORTEM" rules --check bad.rules > out.txt 2> err.txt; rc=$?
check "--check: errors exit 1" test $rc -eq 1
check "--check: unknown key, with its line" grep -qx "mortem: bad.rules:3: unknown key 'sevrity'" err.txt
check "--check: bad regex, with its line" grep -q "^mortem: bad.rules:4: bad regex '(oops'" err.txt
printf 'PID 1 - process\nTID 1:\n#0  0x0000000000401000 main\n' > one.txt
"$MORTEM" report --rules bad.rules --json one.txt one.txt > r.json 2> r.err
check "report with a bad rule file is a usage error (exit 2)" test $? -eq 2
check "report with a bad rule file: one line naming file and line, said once" grep -qx "mortem: bad.rules:3: unknown key .sevrity." r.err
check "report with a bad rule file: only that line" test "$(wc -l < r.err)" -eq 1
check "report with a bad rule file: no output" test ! -s r.json

build abba abba.c -O0
./abba & pid=$!; PIDS=$pid
wait_threads $pid 3
eu-stack -p $pid > stacks.txt || fail "eu-stack failed"
kill -9 $pid
"$MORTEM" report --json stacks.txt > plain.json
jqcheck plain.json '[.findings[].id] | index("our-abba") == null' "without --rules the rule is not there"
"$MORTEM" report --json --rules mine.rules stacks.txt > mine.json
jqcheck mine.json '.findings[] | select(.id == "our-abba") | .severity == "high" and .confidence == "likely"' \
	"the user's rule fires"
jqcheck mine.json '.findings[] | select(.id == "our-abba") | (.summary | contains("take_a_then_b")) and (.threads | length) == 2' \
	"its summary names the matched frames and threads"
jqcheck mine.json '.findings[] | select(.id == "our-abba") | .advice == "take lock A before lock B everywhere (see docs/locking.md)"' \
	"continuation lines join the advice"
done_ok
