# Sourced after common.sh by the screen tests (tests/scenario/tui_*.sh):
# drive the real browser in a private tmux server and read its screen.
# tui_start opens an 80x24 window running a plain sh; tui_run types a
# command line there; tui_wait polls the screen (no fixed sleeps).
need tmux
TMUX_SOCK="mortem-test-$$"
TM() { tmux -L "$TMUX_SOCK" -f /dev/null "$@"; }
tui_cleanup() { TM kill-server 2>/dev/null; cleanup; }
trap tui_cleanup EXIT INT TERM

# tui_start [COLS ROWS]: a window with a shell whose prompt is "$ ".
tui_start() {
	TM new-session -d -x "${1:-80}" -y "${2:-24}" \
		"env -i PATH=\"$PATH\" HOME=\"$WORK\" TERM=tmux-256color LANG=C.UTF-8 PS1='$ ' sh" ||
		fail "cannot start tmux"
	TM set-option -g status off >/dev/null
	tui_wait '$'
}

# tui_run COMMAND: types COMMAND at the shell prompt, then Enter; its exit
# status lands in $WORK/rc when it ends (in a subshell that outlives a
# Ctrl-C, so a status of 130 can be seen).
tui_run() {
	rm -f "$WORK/rc"
	TM send-keys -l "(trap : INT; $1; echo \$? > $WORK/rc)" || fail "send-keys failed"
	TM send-keys Enter
}

tui_keys() { TM send-keys "$@"; }
tui_screen() { TM capture-pane -p; }

# tui_wait TEXT [SECONDS]: until the screen shows TEXT (fixed string; default 10 s).
tui_wait() {
	n=0; limit=$(( ${2:-10} * 20 ))
	while [ $n -lt $limit ]; do
		tui_screen | grep -qF -- "$1" && return 0
		sleep 0.05; n=$((n + 1))
	done
	echo "--- screen:" >&2; tui_screen >&2
	fail "the screen never showed '$1'"
}

# tui_gone TEXT [SECONDS]: until the screen no longer shows TEXT.
tui_gone() {
	n=0; limit=$(( ${2:-10} * 20 ))
	while [ $n -lt $limit ]; do
		tui_screen | grep -qF -- "$1" || return 0
		sleep 0.05; n=$((n + 1))
	done
	echo "--- screen:" >&2; tui_screen >&2
	fail "the screen still shows '$1'"
}

# tui_rc: waits for the command started by tui_run to end; prints its status.
tui_rc() {
	n=0
	while [ ! -s "$WORK/rc" ] && [ $n -lt 200 ]; do sleep 0.05; n=$((n + 1)); done
	[ -s "$WORK/rc" ] || fail "the browser did not exit"
	cat "$WORK/rc"
}

# tui_click COL ROW: a left click (press, release) at 1-based COL, ROW, as
# an xterm reports it (X10 encoding, what TERM=tmux-256color announces).
tui_click() {
	c=$(printf '%03o' $((32 + $1))); r=$(printf '%03o' $((32 + $2)))
	TM send-keys -l "$(printf "\033[M %b%b\033[M#%b%b" "\\$c" "\\$r" "\\$c" "\\$r")"
}
# tui_wheel down|up COL ROW: one turn of the mouse wheel.
tui_wheel() {
	b=$([ "$1" = up ] && echo '`' || echo a)
	c=$(printf '%03o' $((32 + $2))); r=$(printf '%03o' $((32 + $3)))
	TM send-keys -l "$(printf "\033[M%s%b%b" "$b" "\\$c" "\\$r")"
}

# tui_line N: row N (1-based) of the screen.
tui_line() { tui_screen | sed -n "${1}p"; }

# tui_clean: the window shows the shell again and nothing of the browser.
tui_clean() {
	s=$(tui_screen)
	case $s in *"Tab: pane"*|*"Summary"*) return 1 ;; esac
	printf '%s\n' "$s" | tail -n 1 | grep -q '^\$' || return 1
}

# take_abba_stacks: builds abba, lets it deadlock, takes eu-stack -s -i into stacks.txt.
take_abba_stacks() {
	need eu-stack cc
	build abba abba.c -O0
	./abba & ABBA=$!; PIDS="$PIDS $ABBA"
	wait_threads $ABBA 3
	eu-stack -s -i -p $ABBA > stacks.txt || fail "eu-stack failed"
}
