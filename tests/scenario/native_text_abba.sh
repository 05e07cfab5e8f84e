# A real ABBA deadlock dumped by gdb (bt, bt full), gstack (gdb filtered to its
# "Thread"/"#" lines, as the gstack script does) and lldb: threads, frames,
# source lines, and the waited-on mutexes equal to &lock_a / &lock_b.
. "$TOP/tests/lib/common.sh"
need gdb lldb jq cc
build abba abba.c -O0
./abba > addrs.txt & pid=$!; PIDS=$pid
wait_threads $pid 3
lock_a=$(sed -n 's/^lock_a=\(0x[0-9a-f]*\).*/\1/p' addrs.txt)
lock_b=$(sed -n 's/.*lock_b=\(0x[0-9a-f]*\)$/\1/p' addrs.txt)
check "the program printed its lock addresses" test -n "$lock_a" -a -n "$lock_b"

gdb -nx -batch -p $pid -ex 'thread apply all bt' > bt.txt 2> gdb.err || fail "gdb failed"
gdb -nx -batch -p $pid -ex 'thread apply all bt full' > btfull.txt 2>> gdb.err || fail "gdb bt full failed"
sed -n -e 's/^\((gdb) \)*//' -e '/^#/p' -e '/^Thread/p' bt.txt > gstack.txt
timeout 120 lldb -p $pid --batch -o 'thread list' -o 'bt all' > lldb.txt 2> lldb.err || fail "lldb failed"

# common checks on one dump: FILE FORMAT
check_dump() {
	f=$1; fmt=$2
	"$MORTEM" report --json "$f" > "$f.json" || fail "$f: exit $?"
	jqcheck "$f.json" ".input.format == \"$fmt\"" "$f: detected as $fmt"
	jqcheck "$f.json" '(.threads | length) == 3' "$f: three threads"
	jqcheck "$f.json" '[.threads[].frames[] | select(.function == "take_a_then_b" or .function == "take_b_then_a")] | length == 2' "$f: both thread functions"
	jqcheck "$f.json" '[.threads[].frames[] | select((.function == "take_a_then_b" or .function == "take_b_then_a") and (.file | endswith("abba.c")) and .line > 0)] | length == 2' "$f: their source files and lines"
	jqcheck "$f.json" '[.threads[].frames[] | select(.function == "main")] | length == 1' "$f: main"
	jqcheck "$f.json" "[.locks[] | select(.kind == \"pthread_mutex\") | .id] | sort == ([\"$lock_a\", \"$lock_b\"] | sort)" "$f: the two mutexes are &lock_a and &lock_b"
	jqcheck "$f.json" "[.threads[] | select(any(.frames[]; .function == \"take_a_then_b\")) | .waiting_on] == [\"$lock_b\"]" "$f: A-then-B waits on lock_b"
	jqcheck "$f.json" "[.threads[] | select(any(.frames[]; .function == \"take_b_then_a\")) | .waiting_on] == [\"$lock_a\"]" "$f: B-then-A waits on lock_a"
}
check_dump bt.txt gdb
check_dump btfull.txt gdb
check_dump gstack.txt pstack
check_dump lldb.txt lldb

# gdb: LWP ids, names, inline frames, the join resolved to the joined thread
jqcheck bt.txt.json "([.threads[].tid] | sort) == ([.threads[].id | tonumber] | sort)" "gdb thread ids are LWPs"
jqcheck bt.txt.json "[.threads[].tid] | index($pid) != null" "the main thread's LWP is the pid"
jqcheck bt.txt.json '[.threads[].name] | all(. == "abba")' "thread names"
jqcheck bt.txt.json '[.threads[].frames[] | select(.kind == "inline")] | length >= 2' "inline frames marked"
jqcheck bt.txt.json "[.locks[] | select(.kind == \"thread_join\") | .owner] | length == 1 and .[0] != null" "main joins a listed thread"
jqcheck btfull.txt.json '[.threads[].frames[] | select(.function == null and .kind != "signal")] | length == 0' "bt full: locals kept out of frames"
frames_bt=$(grep -c '^#' bt.txt)
jqcheck btfull.txt.json "([.threads[].frames[]] | length) == $frames_bt" "bt full: as many frames as bt ($frames_bt)"

# lldb: the attach stop, `thread list` and `bt all` are three listings; tids from `thread list`
jqcheck lldb.txt.json '.input.snapshots == 3' "lldb: attach stop + thread list + bt all = 3 snapshots"
jqcheck lldb.txt.json "([.threads[].tid] | sort) == ([.threads[].id | tonumber] | sort) and ([.threads[].tid] | index($pid) != null)" "lldb thread ids are the TIDs thread list showed"
jqcheck lldb.txt.json '[.threads[].name] | all(. == "abba")' "lldb: thread names"

# pasted on stdin with CRLF and a log prefix on every line: the same threads, frames and locks
model='[[.threads[] | [.id, .tid, .name, .crashed, .waiting_on, .holds, (.frames | map([.pc, .function, .module, .file, .line, .kind]))]], .locks, .crash]'
for f in bt.txt btfull.txt gstack.txt lldb.txt; do
	jq -c "$model" $f.json > clean.model
	sed 's/^/2026-11-23 10:00:01,123 INFO  [main] /; s/$/\r/' $f | "$MORTEM" report --json - > pasted.json
	jq -c "$model" pasted.json > pasted.model
	check "$f pasted with CRLF and a log prefix: the same model" cmp -s clean.model pasted.model
done
jqcheck pasted.json '.input.warnings | any(test("log prefix"))' "the prefix removal is noted"
# truncated at every 997th byte: exit 0, JSON, never more threads; or, cut before the
# first thread, nothing read: exit 1 and one line saying so (a forced format that reads
# nothing is an error, not an empty report)
size=$(wc -c < btfull.txt)
cut=1
while [ $cut -lt "$size" ]; do
	head -c $cut btfull.txt | "$MORTEM" report --input-format gdb --json - > cut.json 2> cut.err
	rc=$?
	if [ $rc -eq 1 ] && grep -qx 'mortem: -: --input-format gdb read nothing from it.*' cut.err &&
	   [ ! -s cut.json ] && [ $cut -lt 1000 ]; then
		cut=$((cut + 997))
		continue
	fi
	[ $rc -eq 0 ] || fail "cut at $cut: exit $rc"
	jq -e '(.threads | length) <= 3' cut.json > /dev/null || fail "cut at $cut: bad JSON or too many threads"
	cut=$((cut + 997))
done
check "truncated bt full never fails" true
done_ok
