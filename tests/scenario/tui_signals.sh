# Screen test: the terminal is restored on Ctrl-C and when the browser crashes.
. "$TOP/tests/lib/common.sh"
. "$TOP/tests/lib/tmux.sh"
take_abba_stacks
kill -9 $ABBA

tui_start
# Ctrl-C: SIGINT restores the terminal, then the shell sees the signal (130)
tui_run "$MORTEM browse stacks.txt"
tui_wait "Summary: what happened"
tui_keys 2
tui_wait "TOP FRAME"
TM send-keys C-c
check "Ctrl-C: killed by SIGINT" test "$(tui_rc)" = 130
tui_wait '$ '
check "Ctrl-C: terminal clean" tui_clean
TM send-keys -l 'echo "modes=$(stty -a | tr " ;" "\n\n" | grep -c -x -e icanon -e echo)"'
TM send-keys Enter
tui_wait 'modes=2'
echo "ok: Ctrl-C: the tty is back in canonical mode with echo"

# a crash (a real SIGSEGV delivered to the browser): restored, then the signal
tui_run "$MORTEM browse stacks.txt"
tui_wait "Summary: what happened"
pid=$(pgrep -n -f "$MORTEM browse stacks.txt") || fail "browser not found"
kill -SEGV "$pid"
check "crash: died of SIGSEGV" test "$(tui_rc)" = 139
tui_wait '$ '
check "crash: terminal clean" tui_clean

# and a SIGABRT (assert, abort)
tui_run "$MORTEM browse stacks.txt"
tui_wait "Summary: what happened"
pid=$(pgrep -n -f "$MORTEM browse stacks.txt") || fail "browser not found"
kill -ABRT "$pid"
check "abort: died of SIGABRT" test "$(tui_rc)" = 134
check "abort: terminal clean" tui_clean
done_ok
