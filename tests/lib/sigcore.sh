# Sourced by signature scenarios: real cores of real crashes, and gdb's text of them.
# core_of PROG ARGS...: runs ./PROG ARGS until it dies, leaves its core in ./core
# and `thread apply all bt` (gdb) of it in ./core.txt. Uses the kernel's core
# dump when /proc/sys/kernel/core_pattern writes a plain file in the cwd, and
# gdb's generate-core-file otherwise (a piped core_pattern such as systemd-coredump).
core_of() {
	prog=$1; shift
	rm -f core core.[0-9]*
	pattern=$(cat /proc/sys/kernel/core_pattern 2>/dev/null)
	case $pattern in
	core|core.%p|core.*)
		( ulimit -c unlimited; exec "./$prog" "$@" ) >/dev/null 2>&1
		for c in core.[0-9]*; do [ -f "$c" ] && mv "$c" core; done ;;
	esac
	if [ ! -s core ]; then
		gdb -batch -nx -ex run -ex 'generate-core-file core' -ex kill --args "./$prog" "$@" \
			>/dev/null 2>&1
	fi
	[ -s core ] || fail "no core from $prog $*"
	gdb -batch -nx -ex 'thread apply all bt 300' "./$prog" core > core.txt 2>&1 || fail "gdb could not read the core of $prog"
}
