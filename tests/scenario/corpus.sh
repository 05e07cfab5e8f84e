# Every file of the shared corpus: exit 0, one valid JSON line, the format and
# thread/snapshot counts of tests/corpus-expect.tsv. A file without a row fails
# in the folders the table's "strict:" line names (all with "strict: *").
. "$TOP/tests/lib/common.sh"
need jq
CORPUS="$SHARED/corpus"
TABLE="$TOP/tests/corpus-expect.tsv"
[ -d "$CORPUS" ] || fail "no corpus at $CORPUS"
strict=$(sed -n 's/^# strict: //p' "$TABLE")
is_strict() {
	for s in $strict; do
		case $s in '*'|"${1%%/*}") return 0 ;; esac
	done
	return 1
}
unlisted=0
find "$CORPUS" -type f ! -name MANIFEST.tsv ! -name README.md | sort > files.txt
while IFS= read -r f; do
	rel=${f#"$CORPUS"/}
	row=$(awk -F'\t' -v p="$rel" '$1 == p { print; exit }' "$TABLE")
	if [ -z "$row" ]; then
		is_strict "$rel" && fail "$rel: not in tests/corpus-expect.tsv (add a row)"
		unlisted=$((unlisted + 1))
		echo "note: $rel has no row yet (folder not strict)"
		continue
	fi
	fmt=$(printf '%s' "$row" | cut -f2)
	threads=$(printf '%s' "$row" | cut -f3)
	snaps=$(printf '%s' "$row" | cut -f4)
	"$MORTEM" report --json "$f" > out.json 2> err.txt
	rc=$?
	[ $rc -eq 0 ] || { cat err.txt >&2; fail "$rel: exit $rc"; }
	[ "$(wc -l < out.json)" -eq 1 ] || fail "$rel: not one JSON line"
	got=$(jq -r '[.input.format, (.threads | length), .input.snapshots] | @tsv' out.json) ||
		fail "$rel: invalid JSON"
	want=$(printf '%s\t%s\t%s' "$fmt" "$threads" "$snaps")
	check "$rel: $want" test "$got" = "$want"
done < files.txt
# every row names a file that exists
grep -v '^#' "$TABLE" | cut -f1 | while IFS= read -r p; do
	[ -f "$CORPUS/$p" ] || fail "tests/corpus-expect.tsv names a missing file: $p"
done || exit 1
[ $unlisted -eq 0 ] || echo "$unlisted file(s) in non-strict folders have no row yet"
done_ok
