# Sourced by bench scripts (run from the repository root after `make`):
#   bench_setup NAME   TOP = the repository, MORTEM = its mortem (or $MORTEM),
#                      a scratch WORK directory (removed at exit) made the
#                      current one; exits 1 when mortem is not built.
#   copies FILE DIR N  N copies of FILE in DIR (DIR/NAME.0 is FILE itself).
bench_setup() {
	TOP=$(pwd)
	MORTEM="${MORTEM:-$TOP/mortem}"
	[ -x "$MORTEM" ] || { echo "bench/$1: build mortem first (make)" >&2; exit 1; }
	WORK=$(mktemp -d "${TMPDIR:-/tmp}/mortem-bench.XXXXXX")
	trap 'rm -rf "$WORK"' EXIT INT TERM
	cd "$WORK" || exit 1
}

copies() {
	_i=1
	while [ $_i -lt "$3" ]; do cp "$1" "$2/$(basename "$1" .0).$_i"; _i=$((_i + 1)); done
}
