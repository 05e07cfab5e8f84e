# Sourced: small_core SRC OUT [cc flags...] builds tests/scenario/programs/SRC
# (a program that crashes), runs it with a small stack limit and leaves its
# core at OUT: the kernel's own core when core_pattern writes a plain file,
# else one written by gdb at the fault. Returns non-zero when no core came.
small_core() {
	_src=$1; _out=$2; shift 2
	_d=$(mktemp -d "${TMPDIR:-/tmp}/mortem-core.XXXXXX")
	${CC:-cc} -g "$@" -o "$_d/prog" "$TOP/tests/scenario/programs/$_src" -lpthread || { rm -rf "$_d"; return 1; }
	case $(cat /proc/sys/kernel/core_pattern 2>/dev/null) in
	core|core.*|"")
		(cd "$_d" && ulimit -c unlimited && ulimit -s 256 && exec ./prog) >/dev/null 2>&1
		for _c in "$_d"/core*; do [ -f "$_c" ] && mv "$_c" "$_out" && break; done ;;
	esac
	if [ ! -s "$_out" ] && command -v gdb >/dev/null; then
		(ulimit -s 256; gdb -batch -nx -ex run -ex "gcore $_out" "$_d/prog") >/dev/null 2>&1
	fi
	rm -rf "$_d"
	[ -s "$_out" ]
}
