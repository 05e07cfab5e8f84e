# Screen test: moving around the browser the way a new user does, at 80x24.
# Left and Esc go back and never quit (only q at the top, and Q); c opens
# the crashed thread from anywhere; o goes from a waiting thread (its row,
# or its stack) to the thread holding the lock, and the stack's heading
# says who that is; w saves the stack (or the whole report), y copies it
# through the terminal's clipboard (OSC 52, here tmux's); the filter prompt
# starts empty; nothing essential is cut (the input's name, line numbers
# whole, an ellipsis where a name is cut). A C++ deadlock core, a C
# crash core, and a Java deadlock in a package (JDK 17 and 25) whose
# stack keeps jstack's lock lines and whose source is found under a plain
# --source-path DIR by its package path.
. "$TOP/tests/lib/common.sh"
. "$TOP/tests/lib/core.sh"
. "$TOP/tests/lib/tmux.sh"
need g++ cc jq gcore

# built in a deep folder: its path is wider than the screen
deep=src/a/folder/deep/enough/that/the/path/of/the/file/is/wider/than/half/the/screen
mkdir -p "$deep" && cp "$TOP/tests/scenario/programs/pool_deadlock.cpp" "$deep/" || fail "cannot copy pool_deadlock.cpp"
(cd "$deep" && ${CXX:-g++} -g -O0 -o "$WORK/pool_deadlock" pool_deadlock.cpp -lpthread) ||
	fail "cannot build pool_deadlock.cpp"
./pool_deadlock roles.txt & pid=$!; PIDS=$pid
i=0; while ! grep -q ready roles.txt 2>/dev/null; do
	i=$((i + 1)); [ $i -gt 200 ] && fail "pool_deadlock did not deadlock"; sleep 0.05
done
gcore_of pool.core $pid
kill -9 $pid
transfer=$(awk '$1 == "transfer" {print $2}' roles.txt)
audit=$(awk '$1 == "audit" {print $2}' roles.txt)
"$MORTEM" report --json pool.core > pool.json || fail "report"

tui_start
tmux -L "$TMUX_SOCK" set-option -g set-clipboard on >/dev/null
tui_run "$MORTEM browse pool.core"
tui_wait "Summary: what happened"
tui_line 1 | grep -q 'pool\.core *$' || fail "the input's name is not on the title row"
# a line too wide ends in an ellipsis, and a frame's file:line stays whole
# (the pool's frame: the wait inside libstdc++ on main, the worker's own frame with issue 16's in-app frames)
stacks=$(tui_screen | grep -E '^ +stacks +[0-9]+ distinct; 8 threads share: ')
echo "$stacks" | grep -qE ' at [A-Za-z_.]+:[0-9]+ *$' || fail "80 columns: the summary's widest stack lost its line number"
[ "$(printf '%s' "$stacks" | wc -m)" -lt 80 ] || echo "$stacks" | grep -q '…' ||
	fail "80 columns: the summary's widest stack cut without an ellipsis"
tui_screen | grep -E '^ +cycle ' | grep -qvE ' at pool_deadlock\.cpp:[0-9]+ *$' &&
	fail "80 columns: a thread to read first lost its line number"

# Left and Esc never quit: at the first view of a pane they say so
tui_keys Left
tui_wait "this is the first view of the pane; q quits"
tui_keys Escape
sleep 0.3
tui_screen | grep -q "Summary: what happened" || fail "Esc quit the browser"
tui_keys 2
tui_wait "TOP FRAME"
tui_keys Left Escape Left
sleep 0.3
tui_screen | grep -q "TOP FRAME" || fail "Left/Esc left the threads pane or quit"
echo "ok: Left and Esc never quit"

# o on a row: the cursor moves to the holder's row (the search puts the cursor on transfer's row)
tui_keys /
tui_keys -l "transfer"
tui_keys Enter
tui_wait "1 match in 1 thread; Enter shows where"
tui_wait "o: holder"
tui_keys o
tui_wait "thread $audit holds"
tui_screen | grep -q "that thread $transfer waits for" || fail "o: the message names both threads"
echo "ok: o on a row goes to the holder"

# o in a stack: the heading says who holds the lock, o opens the holder's stack, Left comes back
tui_keys n
tui_wait "1 match in 1 thread"
tui_keys Enter
tui_wait "Thread $transfer "
tui_line 3 | grep -q "^ waits for \(pthread_mutex\|.*accounts\|.*ledger\) 0x[0-9a-f]* held by $audit" || fail "the stack's heading names the holder"
tui_screen | grep -qE "transfer +pool_deadlock\.cpp:[0-9]+" || fail "the stack's own frame with its line"
tui_screen | grep -q '…' || fail "80 columns: a cut name ends in an ellipsis"
tui_screen | grep -qE ':[0-9]*…' && fail "80 columns: a line number lost digits"
tui_line 23 | grep -qE "^ #[0-9]+/[0-9]+ transfer\+0x[0-9a-f]+ \(pool_deadlock\+0x[0-9a-f]+\) at …[^ ]*/the/screen/pool_deadlock\.cpp:[0-9]+ *$" ||
	{ tui_line 23 >&2; fail "80 columns: the status row keeps the frame's file name and line, the path cut at its start"; }
tui_keys o
tui_wait "Thread $audit "
tui_line 3 | grep -q "held by $transfer" || fail "the holder's own wait, named"
tui_keys Left
tui_wait "Thread $transfer "
echo "ok: o in a stack, the holder named in the heading, Left back"

# the source of a file whose path is wider than the screen: its name and line stay in the heading
tui_keys Enter
tui_wait "pool_deadlock.cpp:"
tui_line 2 | grep -qE '^ …[^ ]*/the/screen/pool_deadlock\.cpp:[0-9]+  in [^ ]*transfer *$' ||
	fail "80 columns: the source heading keeps the file's name and line"
tui_keys Left
tui_wait "Thread $transfer "

# w saves the stack shown (never over a file); y copies it to the clipboard
tui_keys w
tui_wait "save this stack to: mortem-thread-$transfer.txt"
tui_keys Enter
tui_wait "saved the stack to mortem-thread-$transfer.txt"
check "the saved stack has its frames" grep -q "transfer+0x[0-9a-f]* (pool_deadlock+0x[0-9a-f]*) at .*pool_deadlock.cpp:[0-9]*" "mortem-thread-$transfer.txt"
check "the saved stack says what it waits for" grep -q "waiting on pthread_mutex 0x[0-9a-f]*.* held by $audit" "mortem-thread-$transfer.txt"
tui_keys w
tui_wait "save this stack to:"
tui_keys Enter
tui_wait "cannot write mortem-thread-$transfer.txt"
tmux -L "$TMUX_SOCK" delete-buffer 2>/dev/null
tui_keys y
tui_wait "copied thread $transfer's stack"
n=0; while ! tmux -L "$TMUX_SOCK" show-buffer 2>/dev/null | grep -q "transfer+0x"; do
	n=$((n + 1)); [ $n -gt 40 ] && fail "y: the clipboard (tmux's buffer) did not get the stack"; sleep 0.05
done
echo "ok: w saves, y copies (OSC 52)"

# the whole report from elsewhere
tui_keys q 1
tui_wait "Summary: what happened"
tui_keys w
tui_wait "save the report to: mortem-report.txt"
tui_keys C-u
tui_keys -l "report.txt"
tui_keys Enter
tui_wait "saved the report to report.txt"
check "the saved report is the text report" grep -q "^Threads to read first" report.txt

# c: no crash here, says so
tui_keys c
tui_wait "no thread crashed in this input"

# the filter prompt starts empty, and names the filter in force
tui_keys 2 f
tui_wait "filter threads (state or text regex, empty: all):"
tui_line 24 | grep -q 'empty: all): *$' || fail "the filter prompt is not empty"
tui_keys -l "audit"
tui_keys Enter
tui_wait "1 of 12 threads match /audit/"
tui_keys f
tui_wait "filter threads (regex; now /audit/; empty: all):"
tui_line 24 | grep -q 'empty: all): *$' || fail "the second filter prompt is not empty"
tui_keys Enter
tui_wait "12 threads, 1 group"
echo "ok: the filter prompt starts empty"

# only q at the top (or Q) quits
tui_keys q
check "q at the top quits, exit 0" test "$(tui_rc)" = 0
check "terminal clean" tui_clean

# long Java names at 80 columns (a jstack dump from the corpus): every line cut ends in
# an ellipsis, a frame keeps its method and its file:line
netty="$SHARED/corpus/jstack/tetha-jdk8u20-netty-18blocked.txt"
if [ -f "$netty" ]; then
	tui_run "$MORTEM browse $netty"
	tui_wait "Summary: what happened"
	tui_screen | grep -qE '^ +medium +many threads blocked on one lock .*…$' || fail "80 columns: the finding's title cut with an ellipsis"
	tui_screen | grep -qE '^ +finding [0-9]+ "pool-11-thread-[0-9]+" +…[A-Za-z.]*\.(write|flush) at [A-Za-z]+\.java:[0-9]+$' ||
		fail "80 columns: a thread to read first keeps its method and file:line"
	tui_keys 3
	tui_wait "Findings (1)"
	tui_screen | grep -qE '^ +[0-9]+ "pool-11-thread-[0-9]+" +…[A-Za-z.]*\.(write|flush) at [A-Za-z]+\.java:[0-9]+$' ||
		fail "80 columns: the finding's threads keep their method and file:line"
	tui_keys Q
	check "the netty dump browsed at 80 columns, exit 0" test "$(tui_rc)" = 0
	# a ReentrantLock's long class gives way in the stack's heading: the address and the holder stay
	tui_run "$MORTEM browse $SHARED/corpus/jstack/juc-lockinterruptibly-deadlock-jdk8-win.txt"
	tui_wait "Summary: what happened"
	tui_keys 2 /
	tui_keys -l "Interruptable.java:44"
	tui_keys Enter
	tui_wait "1 match in 1 thread"
	tui_keys Enter
	tui_wait "IN A CYCLE Thread 22564"
	tui_line 3 | grep -qF 'waits for j.u.c.l.ReentrantLock$… <0x00000007405ecc30> held by 23012 "Thread-0"' ||
		fail "80 columns: the wait heading keeps the lock's address and its holder"
	tui_keys Q
	check "the ReentrantLock deadlock browsed, exit 0" test "$(tui_rc)" = 0
elif [ "${CI:-}" = true ]; then
	fail "no corpus at $SHARED/corpus"
else
	echo "no corpus at $SHARED/corpus: long Java names at 80 columns not checked"
fi

# c from anywhere on a crash core: the crashed thread's stack at its own frame
build assert_abort assert_abort.c -O0
take_core crash.core ./assert_abort
crashed=$("$MORTEM" report --json crash.core | jq -r '.crash.thread')
tui_run "$MORTEM browse crash.core"
tui_wait "Summary: what happened"
tui_keys 4 c
tui_wait "CRASHED Thread $crashed"
tui_screen | grep -q '^>#[0-9]* *check_balance ' || fail "c: the cursor on the crashing function"
tui_keys Left
tui_wait "TOP FRAME"
tui_screen | grep -q "^ ! *$crashed " || fail "c: the crashed thread's row under the stack"
tui_keys Q
check "c on a crash core: exit 0" test "$(tui_rc)" = 0

# Java: jstack's lock lines kept under their frame; o on a monitor; the source under a plain DIR
for jdk in /usr/lib/jvm/java-17-openjdk-amd64 /usr/lib/jvm/temurin-25-jdk-amd64; do
	v=$(basename "$jdk")
	if [ ! -x "$jdk/bin/jstack" ]; then
		echo "no $v here: its part is not checked"
		continue
	fi
	mkdir -p "$v/classes"
	"$jdk/bin/javac" -d "$v/classes" "$TOP/tests/scenario/programs/java/com/acme/Bank.java" || fail "$v: javac"
	"$jdk/bin/java" -Xshare:auto -XX:TieredStopAtLevel=1 -cp "$v/classes" com.acme.Bank > "$v/out.txt" 2>&1 & jpid=$!
	PIDS="$PIDS $jpid"
	i=0; while ! grep -q deadlocked "$v/out.txt" 2>/dev/null; do
		i=$((i + 1)); [ $i -gt 300 ] && fail "$v: the JVM did not deadlock"; sleep 0.05
	done
	"$jdk/bin/jstack" -l $jpid > "$v/bank.txt" || fail "$v: jstack"
	kill -9 $jpid
	line=$("$MORTEM" report --json "$v/bank.txt" | jq '[.threads[].frames[] | select(.function == "com.acme.Bank.transfer")][0].line')
	tui_run "$MORTEM browse --source-path $TOP/tests/scenario/programs/java $v/bank.txt"
	tui_wait "Summary: what happened"
	tui_line 1 | grep -q 'bank\.txt *$' || fail "$v: the input's name on the title row"
	tui_keys 2
	tui_wait "TOP FRAME"
	tui_keys Enter
	tui_wait "IN A CYCLE Thread"
	tui_screen | grep -q "^>#0 *java *com\.acme\.Bank\.transfer *Bank\.java:$line" || { tui_screen >&2; fail "$v: the stack at Bank.transfer"; }
	tui_screen | grep -q '^ *- waiting to lock <0x[0-9a-f]*> (a com\.acme\.Bank\$Account)' || fail "$v: the waiting-to-lock line"
	tui_screen | grep -q '^ *- locked <0x[0-9a-f]*> (a com\.acme\.Bank\$Account)' || fail "$v: the locked line"
	tui_line 3 | grep -q 'waits for c\.a\.Bank\$Account <0x[0-9a-f]*> held by [0-9]* "teller-[12]"' || fail "$v: the heading names the holder"
	tui_keys o
	tui_wait "that thread"
	tui_keys Left
	tui_wait "IN A CYCLE Thread"
	tui_keys g Enter
	tui_wait "com/acme/Bank.java:$line"
	tui_screen | grep -q "^ > *$line  " || fail "$v: the source line, found under the root by its package"
	tui_keys Q
	check "$v: the Java deadlock browsed, exit 0" test "$(tui_rc)" = 0
done
done_ok
