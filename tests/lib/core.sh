# Sourced by the core_*.sh scenarios after common.sh: taking real cores.

# take_core OUT PROG [ARGS...]: runs PROG until a signal kills it and leaves
# its core in OUT. With the kernel's core_pattern a plain file name (core,
# core.%p, ...) the kernel writes it in the cwd; when core_pattern is a pipe
# (systemd-coredump, apport) or another directory, gdb runs the program and
# writes the core at the signal with generate-core-file.
take_core() {
	out=$1; shift
	pattern=$(cat /proc/sys/kernel/core_pattern 2>/dev/null)
	case $pattern in
	'|'*|*/*)
		need gdb
		gdb -q -batch -ex run -ex "generate-core-file $out" -ex kill --args "$@" >/dev/null 2>&1 ;;
	*)
		rm -f core core.[0-9]*
		{ ( ulimit -c unlimited; exec "$@" ) >/dev/null 2>&1; } 2>/dev/null
		for c in core core.[0-9]*; do
			[ -f "$c" ] || continue
			[ "$c" = "$out" ] || mv "$c" "$out"
			break
		done ;;
	esac
	[ -s "$out" ] || fail "no core from $*"
}

# gcore_of OUT PID: a core of the running process PID (gdb's gcore), left running.
gcore_of() {
	need gcore
	gcore -o "$1.tmp" "$2" >/dev/null 2>&1 || fail "gcore $2 failed"
	mv "$1.tmp.$2" "$1" || fail "gcore wrote no core"
}

# eustack_match CORE EXE [mortem options]: frames equal to eu-stack -s -i, thread by thread.
eustack_match() {
	sh "$TOP/tests/lib/eustack_compare.sh" "$@"
}
