# mortem report -p PID on a live, deadlocked process: every thread's stack
# through ptrace, and the process left exactly as it was (still sleeping).
. "$TOP/tests/lib/common.sh"
. "$TOP/tests/lib/core.sh"
need cc jq eu-stack
build abba abba.c -O0
./abba & pid=$!; PIDS=$pid
wait_threads $pid 3
"$MORTEM" report --json -p $pid > out.json
check "exit 0" test $? -eq 0
jqcheck out.json '.input.format == "live" and .crash == null' "format live, no crash"
jqcheck out.json "(.threads | length) == 3 and .process.pid == $pid and (.process.executable | endswith(\"/abba\"))" "three threads, pid, executable"
jqcheck out.json 'all(.threads[]; .state == "S (sleeping)" and .name == "abba")' "thread states and names as they were"
jqcheck out.json '[.threads[].frames[].function] | (index("take_a_then_b") != null and index("take_b_then_a") != null and index("main") != null)' "every stack"
jqcheck out.json 'all(.threads[].frames[]; .trust == "cfi")' "all frames by CFI"
for t in /proc/$pid/task/*; do
	check "thread $(basename $t) sleeping again" grep -q '^State:.*S (sleeping)' $t/status
done
check "no tracer left" test "$(awk '/^TracerPid/ {print $2}' /proc/$pid/status)" = 0
# the same functions as eu-stack -p sees, thread by thread
eu-stack -i -p $pid | awk '/^TID/ {t=$2} /^#/ {print t, $3}' | tr -d ':' > eu.txt
jq -r '.threads[] | .tid as $t | .frames[] | "\($t) \(.function)"' out.json > m.txt
check "functions match eu-stack -i -p" cmp -s eu.txt m.txt
"$MORTEM" report --json --unwinder libunwind -p $pid > lu.json
check "libunwind-ptrace: the same frames" \
	sh -c 'jq -c "[.threads[].frames[] | [.pc, .function]]" out.json > a; jq -c "[.threads[].frames[] | [.pc, .function]]" lu.json > b; cmp -s a b'
kill -9 $pid; wait $pid 2>/dev/null

# a process that already has a tracer cannot be snapshotted: one clear line
build traced_sleeper traced_sleeper.c
./traced_sleeper & tpid=$!; PIDS="$PIDS $tpid"
sleep 0.3
"$MORTEM" report -p $tpid > /dev/null 2> err.txt
check "traced process: exit 1" test $? -eq 1
check "traced process: one line saying why" \
	sh -c "test \$(wc -l < err.txt) -eq 1 && grep -q 'cannot attach to process $tpid: Operation not permitted (already traced by process [0-9]*' err.txt"
# a process of another user, as a user without CAP_SYS_PTRACE: refused, and why
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null && id nobody >/dev/null 2>&1; then
	sleep 30 & rpid=$!; PIDS="$PIDS $rpid"
	setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups "$MORTEM" report -p $rpid \
		> /dev/null 2> err3.txt
	check "another user's process: exit 1" test $? -eq 1
	check "another user's process: one line naming the owner" \
		sh -c "test \$(wc -l < err3.txt) -eq 1 && grep -q 'cannot attach to process $rpid: .*belongs to uid 0' err3.txt"
	check "another user's process: left running, untraced" \
		sh -c "kill -0 $rpid && test \$(awk '/^TracerPid/ {print \$2}' /proc/$rpid/status) = 0"
elif [ "${CI:-}" = true ]; then
	fail "CI: the other-user test needs root, setpriv and a nobody user"
fi
"$MORTEM" report -p 999999999 > /dev/null 2> err2.txt
check "no such process: exit 1" test $? -eq 1
check "no such process: one line" grep -q "no such process" err2.txt
done_ok
