#!/bin/sh
# The one test runner: cmocka unit tests, then scenario scripts.
# Prints a closing line "N passed, N failed" (and skipped, outside CI).
# ONLY=unit|scenario narrows; T=pattern runs only scripts/tests whose name matches.
BUILD=${BUILD:-build/out}
export MORTEM="$(pwd)/mortem" BUILD_DIR="$(pwd)/$BUILD" TOP="$(pwd)"
export SHARED="${SHARED:-$(cd .. && pwd)/shared}"
pass=0; fail=0; skip=0; failed=""
log_dir="$BUILD/test-logs"; mkdir -p "$log_dir"

run_one() { # name, command...
	name=$1; shift
	out="$log_dir/$(echo "$name" | tr '/ ' '__').log"
	start=$(date +%s)
	"$@" >"$out" 2>&1
	rc=$?
	secs=$(( $(date +%s) - start ))
	case $rc in
	0) pass=$((pass + 1)); printf '  ok    %-44s %3ss\n' "$name" "$secs" ;;
	77) if [ "$CI" = true ]; then
		fail=$((fail + 1)); failed="$failed $name"
		printf '  FAIL  %-44s (skipped, but CI=true: a missing tool is a failure)\n' "$name"
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
		[ -n "$T" ] && case $n in *$T*) ;; *) continue ;; esac
		run_one "unit/$n" "$t"
	done
fi
if [ "${ONLY:-scenario}" = scenario ] || [ -z "$ONLY" ]; then
	echo "scenario tests"
	for t in tests/scenario/*.sh; do
		[ -f "$t" ] || continue
		n=$(basename "$t" .sh)
		[ -n "$T" ] && case $n in *$T*) ;; *) continue ;; esac
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
