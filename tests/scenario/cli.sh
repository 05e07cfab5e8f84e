# The command-line contract (doc/mortem.1): help, version, usage errors, exit codes, stderr lines.
. "$TOP/tests/lib/common.sh"
need jq
"$MORTEM" --help > help.txt; check "--help exits 0" test $? -eq 0
for w in report browse triage rules --json --exe --sysroot --debug-dir --rules --color --snapshot \
	--unwinder --dot --html --db --input-format -j -p --version; do
	check "--help mentions $w" grep -q -- "$w" help.txt
done
"$MORTEM" --version > v.txt; check "--version exits 0" test $? -eq 0
check "--version prints the name" grep -q '^mortem [0-9]' v.txt
"$MORTEM" --no-such-flag 2> e.txt; check "unknown flag exits 2" test $? -eq 2
check "unknown flag message" grep -q "^mortem: unknown option '--no-such-flag'" e.txt
"$MORTEM" report 2> e.txt; check "report without input exits 2" test $? -eq 2
"$MORTEM" report --color=sometimes x 2> e.txt; check "bad --color exits 2" test $? -eq 2
"$MORTEM" report --input-format nope x 2> e.txt; check "unknown --input-format exits 2" test $? -eq 2
"$MORTEM" report /no/such/file > out.txt 2> e.txt; rc=$?
check "missing file exits 1" test $rc -eq 1
check "missing file: one line" test "$(wc -l < e.txt)" -eq 1
check "missing file: mortem: PATH: message" grep -q '^mortem: /no/such/file: ' e.txt
check "missing file: nothing on stdout" test ! -s out.txt
"$MORTEM" report --json /no/such/file > out.json 2>/dev/null
check "--json error prints no partial JSON" test ! -s out.json
head -c 4096 /dev/urandom > junk.bin
"$MORTEM" report --json junk.bin > out.json 2> e.txt; rc=$?
check "binary junk exits 1" test $rc -eq 1
check "binary junk: one line" test "$(wc -l < e.txt)" -eq 1
: > empty.txt
"$MORTEM" report empty.txt 2> e.txt; check "empty input exits 1" test $? -eq 1
check "empty input message" grep -q '^mortem: empty.txt: empty input' e.txt
"$MORTEM" report -p 0 2> e.txt; check "-p 0 is a usage error" test $? -eq 2
printf 'PID 1 - process\nTID 1:\n#0  0x0000000000401000 main\n' > ok.txt
"$MORTEM" report --json ok.txt /no/such/file > out.json 2> e.txt; rc=$?
check "one good, one missing: exit 1" test $rc -eq 1
check "the good input is still reported" valid_jsonl out.json
"$MORTEM" report --json ok.txt ok.txt > two.json
check "two inputs: two JSON lines" test "$(wc -l < two.json)" -eq 2
"$MORTEM" report --color=always ok.txt > c.txt
check "--color=always colours" grep -q "$(printf '\033')" c.txt
NO_COLOR=1 "$MORTEM" report ok.txt > nc.txt
check "NO_COLOR honoured" sh -c "! grep -q \"$(printf '\033')\" nc.txt"
# a forced --input-format that reads nothing is an error, not an empty report
"$MORTEM" report --input-format jstack ok.txt > f.txt 2> e.txt; rc=$?
check "--input-format reading nothing: exit 1" test $rc -eq 1
check "--input-format reading nothing: nothing on stdout" test ! -s f.txt
check "--input-format reading nothing: says so, and what it looks like" \
	grep -qx "mortem: ok.txt: --input-format jstack read nothing from it (it looks like eu-stack)" e.txt
"$MORTEM" report --input-format eu-stack ok.txt > f.txt; check "--input-format that reads it: exit 0" test $? -eq 0
# standard output full: the error said in one line, exit 1
if [ -w /dev/full ]; then
	"$MORTEM" report ok.txt > /dev/full 2> e.txt; check "a full stdout: exit 1" test $? -eq 1
	check "a full stdout: one line says so" \
		grep -qx 'mortem: ok.txt: cannot write the report: No space left on device' e.txt
fi
# no INPUT and no terminal: standard input
"$MORTEM" < ok.txt > stdin.txt; check "no INPUT: standard input is read" test $? -eq 0
check "no INPUT: its report" grep -q '^-: eu-stack, pid 1, 1 thread$' stdin.txt
"$MORTEM" < /dev/null 2> e.txt; check "no INPUT, empty standard input: exit 1" test $? -eq 1
check "no INPUT, empty standard input: one line" grep -qx 'mortem: -: empty input' e.txt
"$MORTEM" rules > rules.txt; check "rules exits 0" test $? -eq 0
for id in lock-cycle unwinder-loader-deadlock eintr-crash signal-unsafe-call lock-contention \
	stack-overflow assertion-failure heap-corruption null-dereference native-library-crash \
	jvm-internal-crash out-of-memory; do
	check "rules lists $id" grep -q "^$id " rules.txt
done
done_ok
