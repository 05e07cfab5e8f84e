#!/bin/sh
# The one test runner: cmocka unit tests, then scenario scripts.
# Prints a closing line "N passed, N failed" (and skipped, outside CI).
# ONLY=unit|scenario narrows; T=pattern runs only scripts/tests whose name
# matches (T="a b" : any of several patterns).
BUILD=${BUILD:-build/out}
# The binary of THIS build (build/out or build/san), not whatever ./mortem is.
export MORTEM="$(pwd)/$BUILD/mortem" BUILD_DIR="$(pwd)/$BUILD" TOP="$(pwd)"
export SHARED="${SHARED:-$(cd .. && pwd)/shared}"
pass=0; fail=0; skip=0; failed=""
log_dir="$BUILD/test-logs"; mkdir -p "$log_dir"
[ -x "$MORTEM" ] || { echo "no $MORTEM: build first" >&2; exit 1; }
# The symbolization cache of this run (parsers/native/symcache.h), never the user's.
export XDG_CACHE_HOME="$(pwd)/$BUILD/test-cache"
rm -rf "$XDG_CACHE_HOME"

# Sanitized run (SANITIZE=address,undefined): the binary must really be
# instrumented, and any report fails the test that caused it, even when the
# test tolerates a non-zero exit: reports go to files under $san_dir, which
# are checked after every test, and the exit codes are unusual ones.
san_dir="$(pwd)/$BUILD/sanitizer-reports"
if [ -n "${SANITIZE:-}" ]; then
	case $SANITIZE in *address*)
		nm "$MORTEM" 2>/dev/null | grep -q __asan_init ||
			{ echo "$MORTEM is not built with AddressSanitizer" >&2; exit 1; } ;;
	*thread*)
		nm "$MORTEM" 2>/dev/null | grep -q __tsan_init ||
			{ echo "$MORTEM is not built with ThreadSanitizer" >&2; exit 1; } ;;
	esac
	rm -rf "$san_dir"; mkdir -p "$san_dir"
	export ASAN_OPTIONS="halt_on_error=1:abort_on_error=0:exitcode=86:detect_leaks=1:detect_stack_use_after_return=1:check_initialization_order=1:strict_string_checks=1:log_path=$san_dir/asan"
	export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:exitcode=87:log_path=$san_dir/ubsan"
	export LSAN_OPTIONS="exitcode=88:log_path=$san_dir/lsan"
	export TSAN_OPTIONS="halt_on_error=1:exitcode=89:log_path=$san_dir/tsan" # SANITIZE=thread (.ci/run)
fi
san_reports() { # prints and removes the sanitizer reports written so far
	[ -d "$san_dir" ] || return 1
	found=1
	for f in "$san_dir"/*; do
		[ -f "$f" ] || continue
		found=0; echo "--- sanitizer report $(basename "$f")"; cat "$f"; rm -f "$f"
	done
	return $found
}

wanted() { # name: whether T (space-separated patterns) lets it run
	[ -z "${T:-}" ] && return 0
	for pat in $T; do case $1 in *$pat*) return 0 ;; esac; done
	return 1
}

run_one() { # name, command...
	name=$1; shift
	out="$log_dir/$(echo "$name" | tr '/ ' '__').log"
	start=$(date +%s)
	"$@" >"$out" 2>&1
	rc=$?
	if san_reports >>"$out" 2>&1; then
		echo "a sanitizer reported an error (exit $rc)" >>"$out"
		rc=1
	fi
	secs=$(( $(date +%s) - start ))
	case $rc in
	0) pass=$((pass + 1)); printf '  ok    %-44s %3ss\n' "$name" "$secs" ;;
	77) if [ "$CI" = true ]; then
		fail=$((fail + 1)); failed="$failed $name"
		printf '  FAIL  %-44s (skipped, but CI=true: a missing tool or ../shared folder is a failure)\n' "$name"
		sed 's/^/        /' "$out" | tail -20
	    else
		skip=$((skip + 1)); printf '  skip  %-44s %s\n' "$name" "$(tail -1 "$out")"
	    fi ;;
	*) fail=$((fail + 1)); failed="$failed $name"
	   printf '  FAIL  %-44s (exit %s, %ss)\n' "$name" "$rc" "$secs"
	   sed 's/^/        /' "$out" | tail -40 ;;
	esac
}

if [ "${ONLY:-unit}" = unit ] || [ -z "$ONLY" ]; then
	echo "unit tests"
	for t in "$BUILD"/tests/test_*; do
		[ -x "$t" ] || continue
		case $t in *.d) continue ;; esac
		n=$(basename "$t")
		wanted "$n" || continue
		run_one "unit/$n" "$t"
	done
fi
if [ "${ONLY:-scenario}" = scenario ] || [ -z "$ONLY" ]; then
	echo "scenario tests"
	for t in tests/scenario/*.sh; do
		[ -f "$t" ] || continue
		n=$(basename "$t" .sh)
		wanted "$n" || continue
		run_one "scenario/$n" sh "$t"
	done
fi
echo
[ -n "$failed" ] && echo "failed:$failed"
if [ "$skip" -gt 0 ]; then
	echo "$pass passed, $fail failed, $skip skipped"
else
	echo "$pass passed, $fail failed"
fi
[ "$fail" -eq 0 ]
