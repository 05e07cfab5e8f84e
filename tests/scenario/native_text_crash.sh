# A thread that crashes (SIGSEGV on a null write) run under gdb and lldb:
# the crash, its signal and the crashing thread come from the debugger's text.
. "$TOP/tests/lib/common.sh"
need gdb lldb jq cc
build segv thread_segv.c -O0
gdb -nx -batch -ex run -ex 'thread apply all bt' ./segv > gdb.txt 2> gdb.err || fail "gdb failed"
timeout 120 lldb --batch -o run -o 'thread list' -o 'bt all' ./segv > lldb.txt 2> lldb.err || fail "lldb failed"
for f in gdb lldb; do
	"$MORTEM" report --json $f.txt > $f.json || fail "$f: exit $?"
	jqcheck $f.json ".input.format == \"$f\"" "$f: detected"
	jqcheck $f.json '(.threads | length) == 2' "$f: two threads"
	jqcheck $f.json '.crash.signal == "SIGSEGV" and .crash.signo == 11' "$f: SIGSEGV"
	jqcheck $f.json '.crash.thread == (.threads[] | select(any(.frames[]; .function == "write_null")) | .id)' "$f: the crashing thread is the one in write_null"
	jqcheck $f.json '[.threads[] | select(.crashed)] | length == 1 and .[0].frames[0].function == "write_null" and (.[0].frames[0].file | endswith("thread_segv.c")) and .[0].frames[0].line == 28' "$f: its top frame, file and line"
	jqcheck $f.json '.crash.thread != (.threads[] | select(any(.frames[]; .function == "main")) | .id)' "$f: not the main thread"
	jqcheck $f.json '(.signature | startswith("SIGSEGV in write_null"))' "$f: signature"
done
jqcheck lldb.json '.crash.address == "0x0"' "lldb: the fault address"
jqcheck gdb.json '(.threads[] | select(.crashed) | .id) as $c | [.locks[] | select(.kind == "thread_join")] | length == 1 and .[0].owner == $c' "gdb: main joins the crashed thread"
done_ok
