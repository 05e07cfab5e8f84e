# mortem triage over real cores and dumps in directories and nested archives
# (tar.gz > zip, tar.zst, a zstd core, a truncated archive, junk): buckets,
# counts, failed and skipped, JSON, HTML, -j 1 = -j 2, text width.
. "$TOP/tests/lib/common.sh"
. "$TOP/tests/lib/triage_fixtures.sh"
need cc gdb eu-stack jq zip zstd tar
make_fleet

"$MORTEM" triage --json -j 2 --html page.html $FLEET > t.json 2> err.txt; rc=$?
check "exit 1: something failed" test $rc -eq 1
check "no progress when stderr is not a terminal" sh -c "! grep -q 'artifacts, ' err.txt && ! grep -q \"\$(printf '\\r')\" err.txt"
check "stderr: one line, for the PATH that failed" sh -c 'test "$(wc -l < err.txt)" -eq 1 && grep -q "^mortem: cut.tar.gz: archive cut short: " err.txt'
jqcheck t.json '.schema == "mortem.triage/1"' "schema"
jqcheck t.json 'keys - ["schema","inputs","analyzed","failed","buckets"] | length >= 0' "keys"
jqcheck t.json 'all(.buckets[]; has("bucket") and has("signature") and has("count") and has("severity") and has("findings") and has("example") and has("members"))' "every bucket key"
jqcheck t.json 'all(.failed[]; (.path | type) == "string" and (.error | type) == "string")' "failed entries"
jqcheck t.json '.inputs == .analyzed + (.failed | length)' "inputs = analyzed + failed"
jqcheck t.json '([.buckets[].count] | add) == .analyzed' "every analyzed artifact in one bucket"
jqcheck t.json 'all(.buckets[]; .count == (.members | length) and (.example as $e | .members | index($e)) != null)' "counts, members, examples"
jqcheck t.json '[.buckets[].count] == ([.buckets[].count] | sort | reverse)' "biggest first"
if have_parser gdb; then
	jqcheck t.json '.skipped == 3' "junk skipped: notes.txt, random.bin, junk.bin"
	jqcheck t.json '[.buckets[].members[] | select(test("gdb.txt"))] | length == 2' "gdb dumps analyzed"
else
	jqcheck t.json '.skipped == 5' "skipped: notes.txt, random.bin, junk.bin and 2 gdb texts (no gdb parser)"
fi
jqcheck t.json '[.buckets[].members[]] | (unique | length) == length' "no artifact twice (symlink loop)"

# the text dumps: every one analyzed; the same crash site, the same bucket
jqcheck t.json '[.buckets[].members[] | select(test("eustack"))] | length == 6' "six eu-stack dumps analyzed"
jqcheck t.json '[.buckets[] | select(.members | any(test("segv\\.[0-9]\\.eustack")))] | length == 1' "segv dumps share a bucket"
jqcheck t.json '[.buckets[] | select(.members | any(test("abba-")))] | .[0].members | map(select(test("abba-"))) | length == 2' "hang dumps share a bucket"
jqcheck t.json '.buckets | map(.members[]) | index("batch.tar.gz!/abba-2.eustack.txt") != null' "archive member path"
jqcheck t.json '.buckets | map(.members[]) | index("more.tar.zst!/segv.2.eustack.txt") != null' "tar.zst member path"

# what failed, and why
jqcheck t.json '.failed | map(select(.path == "fleet/host1/core.cut")) | length == 1' "truncated core failed"
jqcheck t.json '.failed | map(select(.path | startswith("cut.tar.gz"))) | length >= 1' "truncated archive reported"
jqcheck t.json '"cut.tar.gz!/core.segv.1" as $m | ([.failed[] | select(.path == $m and (.error | test("archive")))] | length == 0) and ((.buckets | map(.members[]) | index($m)) != null or (.failed | map(.path) | index($m)) != null)' "member before the cut was read"

if have_parser core; then
	jqcheck t.json '[.buckets[].members[] | select((startswith("cut.tar.gz") or test("gdb.txt")) | not)] | length == 16' "16 analyzed (10 cores, 6 eu-stack texts)"
	jqcheck t.json '[.buckets[] | select(any(.members[]; test("hang.core")))] | length == 1 and (.[0].members | map(select(test("hang.core"))) | length) == 2 and all(.[0].members[]; test("core\\.(segv|fpe|assert)") | not)' "the two hang cores: one bucket of their own"
	if jq -e '.buckets[] | select(any(.members[]; test("hang.core"))) | .findings | index("lock-cycle")' t.json >/dev/null; then
		check "html: the cycle drawn" grep -q '<svg' page.html
		check "html: who waits for whom" grep -q 'waits for' page.html
	fi
	for site in "segv:parse_record:4" "assert:check_invariant:2" "fpe:compute_ratio:2"; do
		kind=${site%%:*}; rest=${site#*:}; fn=${rest%:*}; n=${rest#*:}
		jqcheck t.json "[.buckets[] | select(any(.members[]; test(\"core\\\\.$kind\\\\.\") and (startswith(\"cut.tar.gz\") | not)))] | length == 1 and (.[0].signature | test(\"$fn\")) and ([.[0].members[] | select(test(\"core\\\\.$kind\\\\.\") and (startswith(\"cut.tar.gz\") | not))] | length) == $n" "cores of $fn: one bucket of $n"
	done
	jqcheck t.json '.buckets | map(.members[]) | index("batch.tar.gz!/host3/inner.zip!/core.segv.2") != null' "nested zip member path"
	jqcheck t.json '.buckets | map(.members[]) | index("core.segv.4.zst") != null' "zstd core analyzed"
else
	jqcheck t.json '[.buckets[].members[] | select(test("gdb.txt") | not)] | length == 6' "6 eu-stack texts analyzed"
	jqcheck t.json '[.failed[] | select(.error | test("no parser")) | .path | select((startswith("cut.tar.gz") or endswith("core.cut")) | not)] | length == 10' "10 cores need the core parser"
	jqcheck t.json '.failed | map(.path) | index("batch.tar.gz!/host3/inner.zip!/core.segv.2") != null' "nested zip member path"
fi

# -j 1 and -j 2 agree exactly
"$MORTEM" triage --json -j 1 $FLEET > j1.json
check "-j 1 = -j 2" sh -c 'jq -S . j1.json > a && jq -S . t.json > b && cmp -s a b'

# HTML: self-contained, escaped, holding the table, stacks and members
check "html written" test -s page.html
check "html: no fetches" sh -c '! grep -Eiq "https?://|<script|<link|src=|@import" page.html'
check "html: one section per bucket" test "$(grep -c '<section id=' page.html)" -eq "$(jq '.buckets | length' t.json)"
check "html: example stacks" grep -q '<h3>example stack' page.html
check "html: member paths" grep -q 'batch.tar.gz!/abba-2.eustack.txt' page.html
check "html: escaped" sh -c '! grep -q "< [a-z_]* <" page.html'

# every skipped input named with its reason, the count kept
jqcheck t.json '(.skipped_inputs | length) == .skipped and all(.skipped_inputs[]; (.path | type) == "string" and (.reason | type) == "string")' "skipped_inputs: one {path, reason} per skipped input"
jqcheck t.json '[.skipped_inputs[] | select(.path == "fleet/host1/notes.txt" and .reason == "not a recognised dump format")] | length == 1' "skipped_inputs: notes.txt, not a dump"
jqcheck t.json '[.skipped_inputs[] | select(.path == "batch.tar.gz!/junk.bin")] | length == 1' "skipped_inputs: an archive member by its path"

if have_parser core; then
	# a core cut in its memory (notes whole, segments missing): failed with the reason, not a bucket
	mkdir cutmem
	size=$(wc -c < parts/core.segv.1)
	head -c $((size * 3 / 4)) parts/core.segv.1 > cutmem/core.segv.cut
	cp parts/core.segv.2 parts/notes.txt cutmem/
	"$MORTEM" triage --json cutmem > cut.json 2> cut.err
	check "an incomplete core: exit 1" test $? -eq 1
	jqcheck cut.json '[.failed[] | select(.path == "cutmem/core.segv.cut" and (.error | test("^truncated core: [0-9]+ memory segments? (is|are) cut short or missing$")))] | length == 1' "an incomplete core: failed, saying why"
	jqcheck cut.json '[.buckets[].members[]] == ["cutmem/core.segv.2"]' "an incomplete core: in no bucket"
	"$MORTEM" report --json cutmem/core.segv.cut > cutr.json
	jqcheck cutr.json '.input.warnings | any(test("truncated core"))' "report still shows an incomplete core, with its warning"
	"$MORTEM" triage cutmem > cut.txt 2>/dev/null
	check "text: 1 artifact... 1 bucket (grammar)" grep -q '^2 artifacts: 1 analyzed, 1 failed, 1 skipped (not dumps), 1 bucket$' cut.txt
	check "text: the skipped file named with its reason" grep -q '^  cutmem/notes.txt: not a recognised dump format$' cut.txt
	# with --db, new and known count the artifacts, the failed core too (it is stored)
	"$MORTEM" triage --db cut.db cutmem > db1.txt 2>/dev/null
	check "--db: new and known are of the artifacts" grep -q '^2 artifacts (2 new, 0 already known): 1 analyzed, 1 failed, ' db1.txt
	"$MORTEM" triage --db cut.db cutmem > db2.txt 2>/dev/null
	check "--db rerun: 0 new, 2 already known" grep -q '^2 artifacts (0 new, 2 already known): 1 analyzed, 1 failed, ' db2.txt
fi

# text: a table that fits the width, biggest first, then the failed list
COLUMNS=80 "$MORTEM" triage $FLEET > t80.txt
check "text fits 80 columns" sh -c '! awk "length > 80" t80.txt | grep -q .'
check "text has the table" grep -q '^COUNT  SEVERITY  BUCKET' t80.txt
check "text lists failed" grep -q '^failed:' t80.txt
check "text counts skipped" grep -q "$(jq .skipped t.json) skipped" t80.txt
check "text names the first skipped files" sh -c "sed -n '/^skipped, not dumps:/,\$p' t80.txt | grep -q '^  fleet/host1/notes.txt: not a recognised dump format$'"
# the archive limits, from the command line: each cut is named with its option
"$MORTEM" triage --json --max-depth 1 $FLEET > d1.json 2>/dev/null
jqcheck d1.json '[.failed[] | select(.path == "batch.tar.gz!/host3/inner.zip" and (.error | test("nested deeper than 1 level \\(--max-depth\\)")))] | length == 1' "--max-depth 1: the inner zip is not opened"
"$MORTEM" triage --json --max-members 2 $FLEET > m2.json 2>/dev/null
jqcheck m2.json '[.failed[] | select(.error | test("limit of 2 archive members reached \\(--max-members\\)"))] | length >= 1' "--max-members 2: the rest is not read"
"$MORTEM" triage --json --max-decompressed 4K $FLEET > md.json 2>/dev/null
jqcheck md.json '[.failed[] | select(.path | contains("!/")) | select(.error | test("member larger than the limit of 4096 bytes"))] | length >= 1' "--max-decompressed: a big member fails alone"
jqcheck md.json '[.buckets[].members[] | select(test("batch.tar.gz!/abba-2.eustack.txt"))] | length == 1' "--max-decompressed: small members are still read"
"$MORTEM" triage --json --max-archive-bytes 1K $FLEET > mb.json 2>/dev/null
jqcheck mb.json '[.failed[] | select(.error | test("limit of 1024 bytes decompressed from archives reached"))] | length >= 1' "--max-archive-bytes: the rest is not read"
"$MORTEM" triage --max-depth 0 $FLEET > /dev/null 2>&1; check "--max-depth 0 is a usage error" test $? -eq 2
done_ok
