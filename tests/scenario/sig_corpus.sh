# The catalogue on the real corpus (../shared/corpus): every file is analyzed, the
# signature findings are exactly those listed in sig_corpus.expected (file, ids),
# and every other file gets none: rules stay silent where they do not apply.
# The lock graph's own findings (lock-cycle, lock-contention) are its tests' business.
. "$TOP/tests/lib/common.sh"
need jq
need_shared corpus
find "$SHARED/corpus" -type f ! -name '*.md' ! -name '*.tsv' | sort > files.txt
# shellcheck disable=SC2046
"$MORTEM" report --json $(cat files.txt) > all.json 2> err.txt
check "every corpus file is analyzed" test "$(wc -l < all.json)" -eq "$(wc -l < files.txt)"
jq -r '[(.input.path | sub(".*/corpus/"; "")),
	([.findings[].id | select(. != "lock-cycle" and . != "lock-contention")] | unique | join(","))]
	| select(.[1] != "") | @tsv' all.json > got.tsv
if ! diff -u "$TOP/tests/scenario/sig_corpus.expected" got.tsv; then
	fail "corpus findings differ from sig_corpus.expected (diff above)"
fi
check "findings as expected on $(wc -l < files.txt) corpus files" true
jq -c 'select(.input.path | test("asyncprof-1291"))' all.json > rocks.json
jqcheck rocks.json '.findings[] | select(.id == "eintr-crash") |
	(.summary | contains("AsyncFileReader::Wait")) and (.advice | contains("-e alloc"))' \
	"the founding EINTR case (RocksDB + folly + async-profiler) is eintr-crash"
jq -c 'select(.input.path | test("asyncprof-335"))' all.json > prof.json
jqcheck prof.json '.findings[0].summary | contains("malloc")' "malloc inside async-profiler's handler is a signal-unsafe call"
check "every line is one JSON object" test "$(jq -c "select(type == \"object\")" all.json | wc -l)" -eq "$(wc -l < files.txt)"
done_ok
