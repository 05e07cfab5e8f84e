#!/bin/sh
# Hostile input from the shared corpus (../shared/corpus): every file as it
# is and 2 damaged copies of each (tests/lib/mutate.c) through `mortem report
# --json`, judged as robustness.sh judges its inputs.
. "$TOP/tests/lib/common.sh"
need jq timeout
need_shared corpus
. "$TOP/tests/lib/robust.sh"

# every corpus file as it is, and 2 damaged copies of each
for f in "$SHARED"/corpus/*/*; do
	[ -f "$f" ] || continue
	case $f in *MANIFEST*|*README*) continue ;; esac
	try "$f"
	mutants "$f" "$(basename "$(dirname "$f")")-$(basename "$f")" 2
done

robust_verdict
done_ok
