# Screen test: `browse -` reads the dump from a pipe or a paste (ended by
# Ctrl-D) and the keys from the terminal; without a terminal, one line and exit 2.
. "$TOP/tests/lib/common.sh"
. "$TOP/tests/lib/tmux.sh"
need setsid
take_abba_stacks
kill -9 $ABBA

tui_start
# a pipe: the dump on stdin, keys from /dev/tty
tui_run "cat stacks.txt | $MORTEM browse -"
tui_wait "Summary: what happened"
tui_keys 2
tui_wait "take_a_then_b at abba.c:"
tui_keys Q
check "piped dump: exit 0" test "$(tui_rc)" = 0
check "piped dump: terminal clean" tui_clean

# plain `mortem INPUT` on a terminal browses
tui_run "$MORTEM stacks.txt"
tui_wait "Summary: what happened"
tui_keys q
check "mortem INPUT on a terminal: the browser, exit 0" test "$(tui_rc)" = 0

# a paste into the terminal, ended by Ctrl-D
tui_run "$MORTEM browse -"
tui_wait "paste a dump and press Ctrl-D, or give a file"
TM load-buffer stacks.txt
TM paste-buffer -d
tui_wait "#6  0x"
TM send-keys C-d
tui_wait "Summary: what happened"
tui_keys 2
tui_wait "take_b_then_a at abba.c:"
tui_keys q
check "pasted dump: exit 0" test "$(tui_rc)" = 0
check "pasted dump: terminal clean" tui_clean

# no INPUT and a terminal on stdin: the hint, then the paste; stdout a terminal: the browser
tui_run "$MORTEM"
tui_wait "paste a dump and press Ctrl-D, or give a file"
TM load-buffer stacks.txt
TM paste-buffer -d
tui_wait "#6  0x"
TM send-keys C-d
tui_wait "Summary: what happened"
tui_keys 2
tui_wait "take_a_then_b at abba.c:"
tui_keys Q
check "mortem without INPUT on a terminal waits for a paste, then browses it" test "$(tui_rc)" = 0
# no INPUT, a pipe on stdin, stdout a terminal: the browser
tui_run "cat stacks.txt | $MORTEM"
tui_wait "Summary: what happened"
tui_keys Q
check "piped into mortem on a terminal: the browser" test "$(tui_rc)" = 0
# no INPUT, stdout not a terminal: the report, and no hint
tui_run "cat stacks.txt | $MORTEM > piped.txt 2> piped.err"
check "piped into mortem, stdout a file: exit 0" test "$(tui_rc)" = 0
check "piped into mortem, stdout a file: the report" grep -q '^-: eu-stack, ' piped.txt
check "piped into mortem: no paste hint" test ! -s piped.err

# --source-path OLD=NEW: the source view reads the mapped copy
mkdir src
line_a=$("$MORTEM" report --json stacks.txt | jq '[.threads[].frames[] | select(.function == "take_a_then_b")][0].line')
sed "${line_a}s|\$| /* LOCAL COPY */|" "$TOP/tests/scenario/programs/abba.c" > src/abba.c
tui_run "$MORTEM browse --source-path $TOP/tests/scenario/programs=$WORK/src stacks.txt"
tui_wait "Summary: what happened"
tui_keys 2
tui_wait "take_a_then_b at abba.c:$line_a"
tui_keys g j Enter
tui_wait "frames"
tui_keys Enter
tui_wait "$WORK/src/abba.c:$line_a"
tui_screen | grep -q "^ > *$line_a .*LOCAL COPY" || fail "mapped source line"
tui_keys Q
check "--source-path maps the build path to the copy" test "$(tui_rc)" = 0

# a source file the dump names that is a FIFO is never opened (it would hang the browser)
mkdir fifo && mkfifo fifo/pipe.c
printf 'PID 1 - process\nTID 2:\n#0  0x0000000000401000 reader\n    %s:7:3\n#1  0x0000000000401100 main\n' "$WORK/fifo/pipe.c" > fifo.txt
tui_run "$MORTEM browse fifo.txt"
tui_wait "Summary: what happened"
tui_keys 2
tui_wait "reader at pipe.c:7"
tui_keys Enter
tui_wait "#0/2 reader"
tui_keys Enter
tui_wait "pipe.c: not found on this machine"
tui_keys Q
check "a FIFO named as a source file is not opened" test "$(tui_rc)" = 0

# UTF-8 names, wide characters included, drawn whole
printf 'PID 1 - process\nTID 2:\n#0  0x0000000000401000 naïve_解析\n    /src/données.c:7:3\n#1  0x0000000000401100 main\n' > utf8.txt
tui_run "$MORTEM browse - < utf8.txt"
tui_wait "Summary: what happened"
tui_keys 2
tui_wait "naïve_解析 at données.c:7"
tui_keys Enter
tui_wait "#0/2 naïve_解析"
tui_keys Q
check "UTF-8 dump: exit 0" test "$(tui_rc)" = 0

# no terminal at all: a clear one-line error and exit 2
setsid -w "$MORTEM" browse stacks.txt < /dev/null > out.txt 2> err.txt
rc=$?
check "no terminal: exit 2" test $rc = 2
check "no terminal: one line on stderr" test "$(wc -l < err.txt)" = 1
check "no terminal: says what to do" grep -q "^mortem: browse: no terminal to draw on; use 'mortem report stacks.txt'" err.txt
check "no terminal: nothing on stdout" test ! -s out.txt
done_ok
