# doc/json.md keeps up with the JSON writers: mortem --json on real inputs
# (cores of scenario programs, a live process, a pasted eu-stack dump,
# jstack dumps of a real JVM, the shared corpus when it is there), then
# triage --json --db over some of them, and the records in the database.
# Every key that appears must be documented, with its type, and null only
# where the doc says it can be; every documented key of the report and
# the triage run must appear.
. "$TOP/tests/lib/common.sh"
. "$TOP/tests/lib/core.sh"
need cc jq awk sqlite3
DOC=$TOP/doc/json.md

# SCHEMA PATH TYPE NULLABLE from the doc's tables: a "### `.path`" heading,
# then rows "| `key` | type... | null when | example |"
awk -F'|' '
/^## / { schema = ""; prefix = ""
	if ($0 ~ /mortem\.report\/1/) schema = "report"
	else if ($0 ~ /mortem\.triage\/1/) schema = "triage"
	else if ($0 ~ /triage record/) schema = "record"
	next }
/^### / { prefix = ""; if (match($0, /`\.[^`]*`/)) prefix = substr($0, RSTART + 1, RLENGTH - 2); next }
schema != "" && prefix != "" && /^\| `[a-z_]+` \|/ {
	if (NF != 6) { print "BADROW\t" $0; next }
	key = $2; gsub(/[ `]/, "", key)
	type = $3; sub(/^ +/, "", type); t = type; sub(/[ :,(].*/, "", t)
	nul = $4; sub(/^ +/, "", nul)
	print schema "\t" (prefix == "." ? "" : prefix) "." key "\t" t "\t" (nul ~ /^never/ ? "no" : "yes")
}' "$DOC" > doc.tsv
check "doc/json.md: every table row has 4 cells" sh -c '! grep -q "^BADROW" doc.tsv'
check "doc/json.md: types are string, integer, boolean, object or array" \
	sh -c '! cut -f3 doc.tsv | grep -qvx "string\|integer\|boolean\|object\|array"'
for s in report triage record; do
	check "doc/json.md documents the $s" test "$(grep -c "^$s	" doc.tsv)" -ge 8
done

# PATH TYPE, once each, of every object key in the JSON documents of FILE
# (a report's first 64 threads and 64 frames of each: the corpus is big)
keys_of() {
	jq -r 'def shape: if type == "object" then map_values(shape)
			elif type == "array" then map(shape) | unique else type end;
		def keypaths($p): if type == "object" then to_entries[] as $e
				| ("\($p).\($e.key)\t\($e.value | if type == "string" then . else type end)",
				   ($e.value | keypaths("\($p).\($e.key)")))
			elif type == "array" then .[] | keypaths("\($p)[]") else empty end;
		if has("threads") then .threads |= .[:64] | .threads[].frames |= .[:64] else . end
		| shape | keypaths("")' "$1" | sort -u
}

# jsonl FILE: one JSON object per line (valid_jsonl reads long lines slowly)
jsonl() {
	[ -s "$1" ] && test "$(jq -c 'type' "$1" | grep -cx '"object"')" -eq "$(wc -l < "$1")"
}

# judge SCHEMA FILE: every key of FILE documented, with its type and nullability
judge() {
	keys_of "$2" > got.$1.tsv || fail "jq on $2"
	grep "^$1	" doc.tsv | cut -f2- > want.$1.tsv
	awk -F'\t' -v what="$1" '
	FNR == NR { type[$1] = $2; nullable[$1] = $3; next }
	!($1 in type) { print what ": " $1 " (" $2 ") is not in doc/json.md"; bad = 1; next }
	$2 == "null" { if (nullable[$1] != "yes") { print what ": " $1 " is null, doc/json.md says never"; bad = 1 }; next }
	{ t = $2 == "number" ? "integer" : $2
	  if (t != type[$1]) { print what ": " $1 " is " $2 ", doc/json.md says " type[$1]; bad = 1 } }
	END { exit bad }' want.$1.tsv got.$1.tsv >&2
}

# 1. cores: a deadlock that then aborts (crash, locks, a finding), a failed
# assert (abort message), a hung process (gcore: no crash); a live process
build abba abba.c -O0
build assert_abort assert_abort.c -O2
take_core abba.core ./abba abort
take_core assert.core ./assert_abort
"$MORTEM" report --json abba.core assert.core > reports.jsonl || fail "report on cores"
./abba > /dev/null & hung=$!; PIDS="$PIDS $hung"
wait_threads $hung 3
"$MORTEM" report --json -p $hung >> reports.jsonl || fail "report -p"
if command -v eu-stack >/dev/null; then
	eu-stack -s -i -p $hung > hung.eustack 2>/dev/null
	"$MORTEM" report --json - < hung.eustack >> reports.jsonl || fail "report on pasted eu-stack"
fi
command -v gcore >/dev/null && gcore_of hung.core $hung && "$MORTEM" report --json hung.core >> reports.jsonl
kill -9 $hung

# 2. jstack -l of a real JVM deadlock (JDK 17, and JDK 25 when installed)
find_jdks jstack
if [ -z "$JDKS" ]; then
	[ "${CI:-}" = true ] && fail "no JDK (CI=true)"
	echo "note: no JDK: no jstack dump of a real JVM"
fi
cp "$TOP/tests/scenario/programs/java/Deadlock.java" .
for jdk in $JDKS; do
	v=$(basename "$jdk"); mkdir "$v"
	"$jdk/bin/javac" -d "$v" Deadlock.java || fail "$v: javac"
	"$jdk/bin/java" -Xshare:auto -XX:TieredStopAtLevel=1 -cp "$v" Deadlock > "$v/out.txt" 2>&1 & pid=$!
	PIDS="$PIDS $pid"
	i=0
	while ! grep -q deadlocked "$v/out.txt" 2>/dev/null; do
		i=$((i + 1)); [ $i -gt 300 ] && fail "$v: the JVM did not deadlock"; sleep 0.05
	done
	"$jdk/bin/jstack" -l $pid > "$v.jstack.txt" || fail "$v: jstack"
	kill -9 $pid; wait $pid 2>/dev/null
	"$MORTEM" report --json "$v.jstack.txt" >> reports.jsonl || fail "$v: report"
done

# 3. the shared corpus, every format, when it is beside this clone
if [ -d "$SHARED/corpus" ]; then
	find "$SHARED/corpus" -type f ! -name '*.md' ! -name '*.tsv' | sort > corpus.txt
	# shellcheck disable=SC2046
	"$MORTEM" report --json $(cat corpus.txt) >> reports.jsonl 2>/dev/null
	echo "$(wc -l < corpus.txt) corpus files"
else
	[ "${CI:-}" = true ] && fail "no corpus at $SHARED/corpus (CI=true)"
	echo "note: no $SHARED/corpus: cores, a live process and JVM dumps only"
fi
check "reports: valid JSON lines" jsonl reports.jsonl
check "every report key is documented, with its type" judge report reports.jsonl
check "every documented report key appears" sh -c 'cut -f1 got.report.tsv | sort -u > seen; ! cut -f1 want.report.tsv | sort -u | comm -23 - seen | grep .'

# 4. triage with --db: buckets with history, a failed artifact, a skipped one
mkdir in
cp abba.core assert.core in/
for f in *.jstack.txt; do [ -f "$f" ] && cp "$f" in/; done
head -c 600 assert.core > in/cut.core
echo "not a dump" > in/notes.txt
mkfifo in/pipe  # listed under not_read, never opened
"$MORTEM" triage --json --db t.db in > triage.json; rc=$?
check "triage: exit 1 (the cut core fails)" test $rc -eq 1
check "every triage key is documented, with its type" judge triage triage.json
check "every documented triage key appears" sh -c 'cut -f1 got.triage.tsv | sort -u > seen; ! cut -f1 want.triage.tsv | sort -u | comm -23 - seen | grep .'
sqlite3 t.db 'SELECT record FROM results' > records.jsonl || fail "sqlite3"
check "records: valid JSON lines" jsonl records.jsonl
check "every record key is documented, with its type" judge record records.jsonl
check "every documented record key appears" sh -c 'cut -f1 got.record.tsv | sort -u > seen; ! cut -f1 want.record.tsv | sort -u | comm -23 - seen | grep .'
check "the database's tables are the documented ones" \
	test "$(sqlite3 t.db "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name" | tr '\n' ' ')" = "artifacts bucket_counts buckets meta results runs "
for t in meta artifacts results buckets runs bucket_counts; do
	for c in $(sqlite3 t.db "SELECT name FROM pragma_table_info('$t')"); do
		check "doc/json.md names $t.$c" grep -q "\`$c\`" "$DOC"
	done
done
done_ok
