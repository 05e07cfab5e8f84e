# Console pastes hard-wrapped at the terminal's width: a real JVM deadlock's
# jstack -l, and gdb's listing of a real hung process, printed in a tmux
# pane of 80 and 100 columns and captured as it shows (capture-pane without
# -J, what one copies from tmux or screen). A thread header's "nid=0x271"
# cut at the wrap is read whole, not as another thread id, and the wrapped
# paste gives the same threads, frames, locks and findings as the dump.
. "$TOP/tests/lib/common.sh"
need jq tmux gdb cc
J=/usr/lib/jvm/java-17-openjdk-amd64
[ -x "$J/bin/jstack" ] || skip "needs a JDK (openjdk-17-jdk-headless)"
TM() { tmux -L "mortem-wrap-$$" -f /dev/null "$@"; }
trap 'TM kill-server 2>/dev/null; cleanup' EXIT INT TERM

# wrapped FILE COLS OUT: FILE as a COLS-wide tmux pane shows it
wrapped() {
	TM kill-server 2>/dev/null
	TM new-session -d -x "$2" -y 40 "cat '$PWD/$1'; echo '--end--'; sleep 600" || fail "tmux"
	TM set-option -g history-limit 100000 >/dev/null
	n=0
	until TM capture-pane -p -S - | grep -q -- '^--end--'; do
		n=$((n + 1)); [ $n -gt 200 ] && fail "the pane never showed $1"; sleep 0.05
	done
	TM capture-pane -p -S - | sed '/^--end--/,$d' >"$3"
	TM kill-server
}

shape() { jq -c '{t: [.threads[] | {id, name, state, w: .waiting_on, h: .holds, f: [.frames[] | [.function, .file, .line]]}], l: [.locks[] | {id, owner}], f: [.findings[].id]}' "$1"; }

cp "$TOP/tests/scenario/programs/java/Deadlock.java" .
"$J/bin/javac" -d . Deadlock.java || fail "javac"
"$J/bin/java" -Xshare:auto -XX:TieredStopAtLevel=1 -cp . Deadlock >out.txt 2>&1 & pid=$!
PIDS="$PIDS $pid"
i=0
while ! grep -q deadlocked out.txt 2>/dev/null; do
	i=$((i + 1)); [ $i -gt 300 ] && fail "the JVM did not deadlock"; sleep 0.05
done
"$J/bin/jstack" -l $pid >dump.txt || fail "jstack"
kill -9 $pid
"$MORTEM" report --json dump.txt >dump.json || fail "report of the dump"
for cols in 80 100; do
	wrapped dump.txt $cols pane$cols.txt
	check "$cols columns: a nid is cut at the wrap" grep -q 'nid=0x[0-9a-f]*$' pane$cols.txt
	"$MORTEM" report --json pane$cols.txt >pane$cols.json || fail "report of the $cols-column paste"
	jqcheck pane$cols.json ".input.warnings | any(test(\"wrapped at $cols columns\"))" "$cols columns: the wrap is named"
	check "$cols columns: same threads, frames, locks and findings as the dump" \
		test "$(shape dump.json)" = "$(shape pane$cols.json)"
done
jqcheck pane80.json '[.findings[] | select(.id == "lock-cycle")] | length == 1' "the deadlock of the wrapped paste"

# another shape: gdb's listing of a hung native program, wrapped at 80 columns
build abba abba.c -O0
./abba >/dev/null & pid=$!; PIDS="$PIDS $pid"
wait_threads $pid 3
gdb -nx -batch -p $pid -ex 'thread apply all bt' >gdb.txt 2>/dev/null
kill -9 $pid
wrapped gdb.txt 80 gdb80.txt
"$MORTEM" report --json gdb.txt >gdb.json || fail "report of the gdb listing"
"$MORTEM" report --json gdb80.txt >gdb80.json || fail "report of the wrapped gdb listing"
check "gdb at 80 columns: same threads, frames, locks and findings" test "$(shape gdb.json)" = "$(shape gdb80.json)"
done_ok
