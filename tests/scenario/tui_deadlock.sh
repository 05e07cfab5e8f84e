# Screen test: a real deadlock (abba) in the browser: its threads, a
# thread's stack and source line, search across threads, resize, quit clean.
. "$TOP/tests/lib/common.sh"
. "$TOP/tests/lib/tmux.sh"
take_abba_stacks
need gcore
gcore -o core "$ABBA" >/dev/null 2>&1 || fail "gcore failed"
"$MORTEM" report --json stacks.txt > report.json || fail "report failed"
tid_a=$(jq -r '.threads[] | select(any(.frames[]; .function == "take_a_then_b")) | .id' report.json)
tid_b=$(jq -r '.threads[] | select(any(.frames[]; .function == "take_b_then_a")) | .id' report.json)
line_a=$(jq '[.threads[].frames[] | select(.function == "take_a_then_b")][0].line' report.json)
line_b=$(jq '[.threads[].frames[] | select(.function == "take_b_then_a")][0].line' report.json)
cycle=$(jq '[.findings[] | select(.id == "lock-cycle")] | length' report.json)

tui_start
tui_run "$MORTEM browse stacks.txt"
tui_wait "Summary: what happened"
check "help line on the last row" test "$(tui_line 24)" = "Enter: open  Tab: pane  /: search  h: help  q: quit"
check "panes on the first row" sh -c "printf '%s' '$(tui_line 1)' | grep -q '2 Threads 3'"

# Tab to the threads: each thread with the function that took its lock
tui_keys Tab
tui_wait "TOP FRAME"
tui_screen | grep -q "$tid_a .*take_a_then_b at abba.c:$line_a" || fail "thread A row"
tui_screen | grep -q "$tid_b .*take_b_then_a at abba.c:$line_b" || fail "thread B row"
tui_screen | grep -q "in ___pthread_mutex_lock" || fail "waits in mutex lock"
if [ "$cycle" -gt 0 ]; then
	tui_screen | grep -q "^ @ *$tid_a " || fail "thread A marked as in a cycle"
fi

# f filters by text or state, s cycles the sort
tui_keys f
tui_wait "filter threads"
tui_keys -l "take_b"
tui_keys Enter
tui_wait "1 of 3 threads match /take_b/"
tui_screen | grep -q "$tid_a " && fail "filter left thread A"
tui_keys f C-u Enter
tui_wait "3 threads  sort: dump order"
tui_keys s
tui_wait "sorted by biggest group first"
tui_keys s s s s
tui_wait "sorted by dump order"
echo "ok: filter and sort"

# move to thread A (second row), open its stack: the cursor is on take_a_then_b
tui_keys g j Enter
tui_wait "Thread $tid_a"
tui_screen | grep -q "^>#[0-9]* *take_a_then_b *abba.c:$line_a" || fail "stack opens at the top meaningful frame"
tui_screen | grep -q 'inline' || fail "inline frames marked"
echo "ok: stack of thread A at take_a_then_b"

# Enter: the source, cursor on line 13
tui_keys Enter
tui_wait "abba.c:$line_a  in take_a_then_b"
tui_screen | grep -q "^ > *$line_a .*pthread_mutex_lock(&lock_b);" || fail "source line $line_a marked"
echo "ok: source view on the line"

# back to the stack; search across threads: /take_b lands in thread B's stack
tui_keys q
tui_wait "Thread $tid_a"
tui_keys /
tui_wait "/"
tui_keys -l "take_b"
tui_keys Enter
tui_wait "Thread $tid_b"
tui_wait "match in thread $tid_b"
echo "ok: search moved on to thread B"
# n wraps around to the only hit again; N goes back
tui_keys n
tui_wait "search wrapped"
tui_keys /
tui_keys -l "pthread_mutex_lock"
tui_keys Enter
tui_keys n
tui_wait "Thread $tid_a"
echo "ok: n moved across threads"

# resize live: the layout follows
TM resize-window -x 100 -y 30
tui_wait "n/N: next/prev hit"
tui_line 30 | grep -q '^Enter: open' || fail "help line not on row 30 after resize"
tui_line 1 | grep -q '1 Summary' || fail "panes not on row 1 after resize"
TM resize-window -x 80 -y 24
tui_gone "n/N: next/prev hit"
tui_line 24 | grep -q '^Enter: open' || fail "help line not on row 24 after shrinking"
echo "ok: resized both ways"

# the lock graph pane
tui_keys 4
tui_wait "Lock graph"
if [ "$cycle" -gt 0 ]; then
	tui_wait "CYCLE"
	echo "ok: the cycle is shown"
fi

# the mouse: a click on a pane's name, a click on a row selects, a second
# opens, the wheel scrolls
tui_click 14 1
tui_wait "Thread $tid_a"
tui_keys q
tui_wait "TOP FRAME"
tui_click 10 3
tui_wait "row 1/3"
tui_click 10 3
tui_wait "Thread $ABBA "
tui_wheel down 10 5
tui_wait "#6/7 _start"
echo "ok: mouse clicks and wheel"

# q backs out of the stack, then quits; exit 0; the shell is back, clean
tui_keys q
tui_wait "TOP FRAME"
tui_keys q
rc=$(tui_rc)
check "exit status 0" test "$rc" = 0
tui_wait '$ '
check "terminal clean after quit" tui_clean

# The same deadlock from its core, when this build reads cores: a new
# user's path from the summary to the lock cycle and the source line.
if "$MORTEM" report --json "core.$ABBA" > core.json 2>/dev/null &&
   jq -e '.input.format == "core"' core.json >/dev/null; then
	core_cycle=$(jq '[.findings[] | select(.id == "lock-cycle")] | length' core.json)
	first=$(jq -r '[.findings[] | select(.id == "lock-cycle")][0].threads[0] // empty' core.json)
	tui_run "$MORTEM browse core.$ABBA"
	tui_wait "Summary: what happened"
	tui_keys 2
	tui_wait "take_b_then_a at abba.c:$line_b"
	echo "ok: core: the threads by their own frames"
	if [ "$core_cycle" -gt 0 ]; then
		tui_keys 1
		tui_wait "(lock-cycle)"
		# Summary: Enter on the finding -> the findings pane; Enter -> its first thread
		tui_keys Enter
		tui_wait "Findings (1)"
		tui_keys Enter
		tui_wait "IN A CYCLE Thread $first"
		tui_screen | grep -q '^>#[0-9]* *take_._then_. ' || fail "core: stack opens at the thread's own frame"
		tui_keys Enter
		tui_wait "programs/abba.c:"
		tui_screen | grep -Eq "abba\\.c:($line_a|$line_b) +in take_._then_." ||
			fail "core: the source view opens at the frame's line"
		tui_screen | grep -q '^ > *[0-9]* .*pthread_mutex_lock(&lock_' || fail "core: source line marked"
		echo "ok: core: summary -> finding -> thread -> source line"
		tui_keys 4
		tui_wait "CYCLE"
		tui_screen | grep -q "waits for lock_[ab] 0x[0-9a-f]*, held by" || fail "core: who holds the lock, named from the symbols (lock_a, lock_b)"
		echo "ok: core: the lock cycle in the lock graph"
	fi
	tui_keys Q
	check "core: exit 0" test "$(tui_rc)" = 0
	check "core: terminal clean" tui_clean
fi
done_ok
