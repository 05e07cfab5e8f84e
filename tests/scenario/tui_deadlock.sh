# Screen test: a real deadlock (abba) in the browser: its threads, a
# thread's stack and source line, search across threads, resize, quit clean.
. "$TOP/tests/lib/common.sh"
. "$TOP/tests/lib/tmux.sh"
take_abba_stacks
"$MORTEM" report --json stacks.txt > report.json || fail "report failed"
tid_a=$(jq -r '.threads[] | select(any(.frames[]; .function == "take_a_then_b")) | .id' report.json)
tid_b=$(jq -r '.threads[] | select(any(.frames[]; .function == "take_b_then_a")) | .id' report.json)
cycle=$(jq '[.findings[] | select(.id == "lock-cycle")] | length' report.json)

tui_start
tui_run "$MORTEM browse stacks.txt"
tui_wait "Summary: what happened"
check "help line on the last row" test "$(tui_line 24)" = "Enter: open  Tab: pane  /: search  h: help  q: quit"
check "panes on the first row" sh -c "printf '%s' '$(tui_line 1)' | grep -q '2 Threads 3'"

# Tab to the threads: each thread with the function that took its lock
tui_keys Tab
tui_wait "TOP FRAME"
tui_screen | grep -q "$tid_a .*take_a_then_b at abba.c:13" || fail "thread A row"
tui_screen | grep -q "$tid_b .*take_b_then_a at abba.c:21" || fail "thread B row"
tui_screen | grep -q "in ___pthread_mutex_lock" || fail "waits in mutex lock"
if [ "$cycle" -gt 0 ]; then
	tui_screen | grep -q "^ @ *$tid_a " || fail "thread A marked as in a cycle"
fi

# move to thread A (second row), open its stack: the cursor is on take_a_then_b
tui_keys j Enter
tui_wait "Thread $tid_a"
tui_screen | grep -q '^>#[0-9]* *take_a_then_b *abba.c:13' || fail "stack opens at the top meaningful frame"
tui_screen | grep -q 'inline' || fail "inline frames marked"
echo "ok: stack of thread A at take_a_then_b"

# Enter: the source, cursor on line 13
tui_keys Enter
tui_wait "abba.c:13  in take_a_then_b"
tui_screen | grep -q '^ >   13 .*pthread_mutex_lock(&lock_b);' || fail "source line 13 marked"
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

# q backs out of everything and quits; exit 0; the shell is back, clean
tui_keys q q q q q
rc=$(tui_rc)
check "exit status 0" test "$rc" = 0
tui_wait '$ '
check "terminal clean after quit" tui_clean
done_ok
