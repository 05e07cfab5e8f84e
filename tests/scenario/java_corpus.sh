# Every Java-family corpus file (../shared/corpus/jstack, hserr) is detected
# as its format and parsed with the thread count of tests/corpus-expect.tsv
# (counted by hand from the files), exit 0, one valid JSON line.
. "$TOP/tests/lib/common.sh"
need jq
C="$SHARED/corpus"
need_shared corpus
grep -E '^(jstack|hserr)/' "$TOP/tests/corpus-expect.tsv" | cut -f1-3 > expect.tsv
n=$(wc -l < expect.tsv)
# one report run over all files: one JSON line each, in order
cut -f1 expect.tsv | sed "s|^|$C/|" | xargs "$MORTEM" report --json > out.jsonl 2> err.txt || fail "exit $?: $(cat err.txt)"
check "one JSON line per file" test "$(wc -l < out.jsonl)" -eq "$n"
jq -r --arg c "$C/" '[(.input.path | ltrimstr($c)), .input.format, (.threads | length)] | @tsv' out.jsonl > got.tsv || fail "bad JSON"
diff expect.tsv got.tsv >&2
check "every file detected with its format and thread count" cmp -s expect.tsv got.tsv
check "every jstack/ and hserr/ file of the corpus is listed" test "$n" -eq "$(ls "$C/jstack" "$C/hserr" | grep -c '\.txt$')"
# the same files pasted: CRLF line ends give the same threads
for path in jstack/tda-jdk11-openjdk.txt jstack/samurai-jdk17-blocker-3dumps.txt hserr/krashpad-ds94-jdk21.0.9-redhat-unsafe-getbyte.txt; do
	"$MORTEM" report --json "$C/$path" | jq -c '[.threads[] | [.id, .name, (.frames | length), .waiting_on, .holds]]' > a.json
	sed 's/$/\r/' "$C/$path" | "$MORTEM" report --json - | jq -c '[.threads[] | [.id, .name, (.frames | length), .waiting_on, .holds]]' > b.json
	check "$path with CRLF" cmp -s a.json b.json
done
# UTF-16 (a Windows paste): the same threads
iconv -f UTF-8 -t UTF-16 "$C/jstack/tda-jdk8-openjdk.txt" > u16.txt 2>/dev/null || fail "iconv"
"$MORTEM" report --json u16.txt | jq -e '.input.format == "jstack" and (.threads | length) == 21' >/dev/null
check "UTF-16 dump" test $? -eq 0
# kill -3 output deep inside an application log (far past the first 64 KiB)
awk 'BEGIN { srand(7); for (i = 0; i < 4000; i++) {
	printf "2024-01-02 10:%02d:%02d,%03d %s [pool-%d] c.e.S%d - request %d took %d ms\n", i / 60 % 60, i % 60, i % 1000,
		(rand() < 0.5 ? "INFO" : "WARN"), i % 5, i % 7, i, int(rand() * 900)
	if (i % 3 == 0) printf "    at com.example.Retry.attempt(Retry.java:%d)\n", i % 90 } }' > app.log
cat "$C/jstack/tda-jdk11-openjdk.txt" >> app.log
echo "2024-01-02 11:00:00,000 INFO [main] c.e.S1 - shutting down" >> app.log
"$MORTEM" report --json app.log > log.json || fail "report on a log"
jqcheck log.json '.input.format == "jstack" and (.threads | length) == 14' "a dump inside a long log is found and read"
echo "$n corpus files"
done_ok
