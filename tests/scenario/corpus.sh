# Every file of the shared corpus: exit 0, one valid JSON line each, and the
# format and thread/snapshot counts of tests/corpus-expect.tsv. A file without
# a row fails in the folders the table's "strict:" line names ("*": all).
. "$TOP/tests/lib/common.sh"
need jq
CORPUS="$SHARED/corpus"
TABLE="$TOP/tests/corpus-expect.tsv"
need_shared corpus
strict=$(sed -n 's/^# strict: //p' "$TABLE")
is_strict() {
	case " $strict " in
	*" * "* | *" ${1%%/*} "*) return 0 ;;
	esac
	return 1
}
grep -v '^#' "$TABLE" | sort > table.tsv
(cd "$CORPUS" && find . -type f ! -name MANIFEST.tsv ! -name README.md | sed 's|^\./||' | sort) > files.txt
# every file has a row (or sits in a folder that is not strict yet); every row a file
cut -f1 table.tsv > listed.txt
comm -23 files.txt listed.txt > unlisted.txt
while IFS= read -r rel; do
	is_strict "$rel" && fail "$rel: not in tests/corpus-expect.tsv (add a row)"
	echo "note: $rel has no row yet (folder not strict)"
done < unlisted.txt
missing=$(comm -13 files.txt listed.txt)
check "every row names a corpus file" test -z "$missing"
# one run over every listed file: exit 0, one JSON object per file, in order
sed "s|^|$CORPUS/|" listed.txt | xargs "$MORTEM" report --json > out.jsonl 2> err.txt
rc=$?
[ $rc -eq 0 ] || { cat err.txt >&2; fail "exit $rc"; }
check "one JSON line per file ($(wc -l < listed.txt))" test "$(wc -l < out.jsonl)" -eq "$(wc -l < listed.txt)"
jq -r --arg c "$CORPUS/" '[(.input.path | ltrimstr($c)), .input.format, (.threads | length), .input.snapshots] | @tsv' \
	out.jsonl > got.tsv || fail "invalid JSON"
cut -f1-4 table.tsv > want.tsv
diff want.tsv got.tsv >&2
check "every file: its format, threads and snapshots" cmp -s want.tsv got.tsv
done_ok
