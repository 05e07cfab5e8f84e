# unwinder-loader-deadlock, the second founding case, on a real hang: one thread
# holds the loader lock inside a dl_iterate_phdr callback and waits for a mutex;
# the mutex's holder unwinds with libunwind, which waits for the loader lock
# (programs/lockhang.c, mode loader). Taken with gcore; the lock graph finds the
# cycle, the rule refines it.
. "$TOP/tests/lib/common.sh"
need gcore gdb jq cc
${CC:-cc} -g -O0 -o lockhang "$TOP/tests/scenario/programs/lockhang.c" -lpthread -lunwind ||
	fail "cannot build lockhang.c"
./lockhang loader loader.txt & pid=$!; PIDS=$pid
i=0; while [ ! -s loader.txt ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
wait_threads $pid 3
sleep 0.2
gcore -o core $pid > /dev/null 2>&1 || fail "gcore failed"
kill -9 $pid
"$MORTEM" report --json "core.$pid" > out.json || fail "report failed"
jqcheck out.json '[.findings[].id] | index("lock-cycle") != null' "the lock graph finds the cycle"
jqcheck out.json '.findings[] | select(.id == "unwinder-loader-deadlock") | .confidence == "certain" and .severity == "critical"' \
	"unwinder-loader-deadlock refines it"
jqcheck out.json '.findings[] | select(.id == "unwinder-loader-deadlock") | (.locks | length) == 2 and (.threads | length) == 2' \
	"with the cycle's two threads and two locks"
jqcheck out.json '.findings[] | select(.id == "unwinder-loader-deadlock") | (.summary | contains("_dl_load_write_lock")) and (.advice | contains("libunwind"))' \
	"names the loader lock; advice: jemalloc profiling off or upgrade libunwind"
jqcheck out.json '.signature == "deadlock: in_loader_callback \u21c4 loader_unwinder"' \
	"hang signature from the cycle: each thread's first in-app frame (libunwind, dl_iterate_phdr and lock plumbing skipped)"
jqcheck out.json '[.findings[].id] | index("eintr-crash") == null and index("signal-unsafe-call") == null and index("stack-overflow") == null' \
	"no crash findings on a hang"
done_ok
