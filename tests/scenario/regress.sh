#!/bin/sh
# Every input that once crashed, hung or broke mortem (tests/regress/: found
# by fuzzing or the robustness test; named FORMAT-WHAT.EXT) goes through the
# CLI: exit 0 with one valid JSON report, or exit 1 with one "mortem: " line,
# within 10 seconds. Under SANITIZE, any sanitizer report fails it too.
. "$TOP/tests/lib/common.sh"
need jq timeout
for f in "$TOP"/tests/regress/*; do
	[ -f "$f" ] || continue
	case $f in *.md) continue ;; esac
	name=$(basename "$f")
	timeout -k 2 10 "$MORTEM" report --json "$f" >out.json 2>err.txt
	rc=$?
	case $rc in
	0) check "$name: one valid report" jq -e -s 'length == 1 and .[0].schema == "mortem.report/1"' out.json ;;
	1) check "$name: one error line" sh -c '[ "$(wc -l <err.txt)" -eq 1 ] && grep -q "^mortem: " err.txt' ;;
	*) cat err.txt >&2; fail "$name: exit $rc (124: took more than 10 s)" ;;
	esac
done
done_ok
