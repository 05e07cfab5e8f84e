# A hang: a deadlocked program's core taken with gcore; no crash, every
# thread's stack, and the process goes on (gcore detaches).
. "$TOP/tests/lib/common.sh"
. "$TOP/tests/lib/core.sh"
need cc jq eu-stack gcore
build abba abba.c -O0
./abba & pid=$!; PIDS=$pid
wait_threads $pid 3
gcore_of core $pid
"$MORTEM" report --json core > out.json
check "exit 0" test $? -eq 0
jqcheck out.json '.crash == null' "a snapshot is not a crash"
jqcheck out.json "(.threads | length) == 3 and .process.pid == $pid" "three threads of the process"
jqcheck out.json '[.threads[].frames[].function] | (index("take_a_then_b") != null and index("take_b_then_a") != null)' "both lockers"
jqcheck out.json '[.threads[] | select(.frames | map(.function) | index("___pthread_mutex_lock") != null)] | length == 2' "two threads in pthread_mutex_lock"
jqcheck out.json 'all(.threads[].frames[]; .trust == "cfi")' "all frames by CFI"
check "frames match eu-stack -s -i" eustack_match core ./abba
jqcheck out.json '[.threads[] | select(.regs == null)] | length >= 0' "threads present"
done_ok
