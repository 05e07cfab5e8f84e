# mortem triage --db: results kept in SQLite; a rerun analyzes only new
# artifacts; --since; a run killed with SIGKILL halfway is finished by the
# next without redoing what was done; a worker that crashes or hangs costs
# only its artifact.
. "$TOP/tests/lib/common.sh"
. "$TOP/tests/lib/triage_fixtures.sh"
need cc eu-stack gdb jq
build abba abba.c -O0
build segv triage_segv.c -O0
build abrt triage_abort.c -O0
mkdir -p in
# text dumps of three crash sites (eu-stack and gdb text of real cores), then a hang
make_core core.segv ./segv && eustack_of core.segv ./segv > in/segv.eustack.txt
gdb_of core.segv ./segv > in/segv.gdb.txt
make_core core.fpe ./abrt fpe && eustack_of core.fpe ./abrt > in/fpe.eustack.txt
make_core core.assert ./abrt assert && gdb_of core.assert ./abrt > in/assert.gdb.txt
rm -f core.*
hang_eustack in/abba-1.txt
printf 'not a dump\n' > in/notes.txt
n0=$(ls in/*.txt | wc -l)   # dumps and the junk note

"$MORTEM" triage --db t.db --json in > r1.json; rc=$?
check "first run exits 0" test $rc -eq 0
jqcheck r1.json ".new == $((n0 - 1)) and .inputs == $((n0 - 1)) and .skipped == 1" "first run analyzes everything"
jqcheck r1.json 'all(.buckets[]; (.history | length) == 1)' "one run of history"
jqcheck r1.json '(.buckets | length) >= 3' "several buckets (a segv, an assert, the rest without a signature)"

"$MORTEM" triage --db t.db --json in > r2.json
jqcheck r2.json '.new == 0' "rerun analyzes 0 new"
check "rerun: same buckets" sh -c 'jq -S "[.buckets[] | del(.new, .history)]" r1.json > a; jq -S "[.buckets[] | del(.new, .history)]" r2.json > b; cmp -s a b'
jqcheck r2.json 'all(.buckets[]; (.history | length) == 2)' "history accumulates"

sleep 1
since=$(date -u +%Y-%m-%dT%H:%M:%SZ)
sleep 1
hang_eustack in/abba-2.txt
"$MORTEM" triage --db t.db --json in > r3.json
jqcheck r3.json '.new == 1' "a growing archive: only the new artifact is analyzed"
"$MORTEM" triage --db t.db --since "$since" --json > s.json
jqcheck s.json '.inputs == 1 and .buckets[0].members == ["in/abba-2.txt"]' "--since TIME: only what is new"
"$MORTEM" triage --db t.db --since 2000-01-01 --json > all.json
jqcheck all.json ".inputs == $n0" "--since DATE, no PATH: the whole database"
"$MORTEM" triage --db t.db --since 2999-01-01 > none.txt
check "--since the future: nothing" grep -q '^0 artifacts' none.txt
"$MORTEM" triage --db t.db --since yesterday 2> e.txt; rc=$?
check "bad --since exits 2" test $rc -eq 2
check "bad --since message" grep -q "^mortem: triage: --since 'yesterday'" e.txt
"$MORTEM" triage --json in /no/such > m.json 2> e.txt; rc=$?
check "a missing PATH: exit 1" test $rc -eq 1
check "a missing PATH: one line on stderr" test "$(cat e.txt)" = "mortem: /no/such: cannot open: No such file or directory"
jqcheck m.json '.failed == [{"path": "/no/such", "error": "cannot open: No such file or directory"}] and .analyzed > 0' "a missing PATH: failed, the rest analyzed"
"$MORTEM" triage 2> e.txt; rc=$?
check "no PATH and no --db: exit 2" test $rc -eq 2
"$MORTEM" triage --since 2020-01-01 in 2> e.txt; rc=$?
check "--since without --db exits 2" test $rc -eq 2

# a worker that crashes or hangs: its artifact fails, the rest is analyzed
MORTEM_TEST_WORKER_FAULT=abba-1:crash "$MORTEM" triage --json in > c.json; rc=$?
check "crashed worker: exit 1" test $rc -eq 1
jqcheck c.json '.failed == [{"path": "in/abba-1.txt", "error": "analysis killed by SIGSEGV"}]' "crashed worker reported"
jqcheck c.json ".analyzed == $((n0 - 1))" "the others analyzed"
# one worker: the artifact waiting behind the one that kills it goes to the next worker
MORTEM_TEST_WORKER_FAULT=abba-1:crash "$MORTEM" triage -j 1 --json in > c1.json
jqcheck c1.json '.failed == [{"path": "in/abba-1.txt", "error": "analysis killed by SIGSEGV"}]' "-j 1: crashed worker reported"
jqcheck c1.json ".analyzed == $((n0 - 1))" "-j 1: the one waiting behind it analyzed, and the rest"
MORTEM_TEST_WORKER_FAULT=abba-:crash "$MORTEM" triage -j 1 --json in > c2.json
jqcheck c2.json '[.failed[].path] == ["in/abba-1.txt", "in/abba-2.txt"] and all(.failed[]; .error == "analysis killed by SIGSEGV")' "-j 1: two crashes in a row, each reported"
jqcheck c2.json ".analyzed == $((n0 - 2))" "-j 1: the rest analyzed after two crashes in a row"
start=$(date +%s)
MORTEM_TEST_WORKER_FAULT=abba-1:hang "$MORTEM" triage --timeout 1 -j 1 --json in > h1.json
check "-j 1, hung worker: stopped by the timeout" test $(( $(date +%s) - start )) -le 5
jqcheck h1.json '.failed == [{"path": "in/abba-1.txt", "error": "analysis timed out after 1 s (--timeout)"}] and .analyzed == '$((n0 - 1)) "-j 1: hung worker reported, the rest analyzed"
start=$(date +%s)
MORTEM_TEST_WORKER_FAULT=abba-2:hang "$MORTEM" triage --timeout 1 -j 2 --json in > h.json
check "hung worker: stopped by the timeout" test $(( $(date +%s) - start )) -le 5
jqcheck h.json '.failed == [{"path": "in/abba-2.txt", "error": "analysis timed out after 1 s (--timeout)"}]' "hung worker reported"
mkdir in3 && cp in/abba-2.txt in3/x-new.txt && printf '\n' >> in3/x-new.txt
MORTEM_TEST_WORKER_FAULT=x-new:hang "$MORTEM" triage --timeout 1 --db t.db --json in3 > h2.json
jqcheck h2.json '.failed | length == 1' "timed out under --db"
"$MORTEM" triage --db t.db --json in3 > h3.json
jqcheck h3.json '.failed == [] and .new == 1' "a timed-out artifact is tried again by the next run"

# kill -9 halfway (the last artifact hangs), then a rerun finishes the rest only
mkdir -p in2 && cp in/*.txt in2/ && cp in/abba-2.txt in2/zz-last.txt && printf '\n' >> in2/zz-last.txt
MORTEM_TEST_WORKER_FAULT=zz-last:hang "$MORTEM" triage --db k.db -j 1 --json in2 > /dev/null &
tp=$!; PIDS="$PIDS $tp"
n2=$(ls in2 | wc -l)
i=0
while [ $i -lt 100 ]; do
	got=$("$MORTEM" triage --db k.db --json 2>/dev/null | jq '.inputs + .skipped')
	[ "$got" = "$((n2 - 1))" ] && break
	sleep 0.1; i=$((i + 1))
done
check "all but the last stored before the kill" test "$got" = "$((n2 - 1))"
workers=$(pgrep -P $tp)
check "a worker runs" test -n "$workers"
kill -9 $tp; wait $tp 2>/dev/null
sleep 0.2
left=""
for w in $workers; do # dead: gone, or a zombie nobody reaped yet
	st=$(awk '{print $3}' /proc/$w/stat 2>/dev/null)
	[ -n "$st" ] && [ "$st" != Z ] && left="$left $w"
done
check "no worker left behind" test -z "$left"
"$MORTEM" triage --db k.db --json in2 > k.json
jqcheck k.json ".new == 1 and .inputs + .skipped == $n2" "rerun after kill -9 analyzes only the rest"
done_ok
