# triage analyzes every core as `mortem report` does: each core gets in
# triage the bucket report gives it, and fails with report's message where
# report fails: a core with a 16 MB heap the crash has nothing to do with,
# a C++ crash, that core cut in half, and elfutils' test cores of other
# machines. A worker maps a large core rather than reading it into memory:
# its peak RSS stays a fraction of the core's size.
. "$TOP/tests/lib/common.sh"
. "$TOP/tests/lib/core.sh"
need cc g++ jq bunzip2 /usr/bin/time
mkdir -p in big
build ledger_heap ledger_heap.c -O1
take_core in/heap.core ./ledger_heap 16
g++ -g -O1 -o cxx_crash "$TOP/tests/scenario/programs/cxx_crash.cpp" || fail "cannot build cxx_crash.cpp"
take_core in/cxx.core ./cxx_crash
size=$(stat -c %s in/heap.core)
check "the heap is in the core ($size bytes)" test "$size" -gt $((16 << 20))
head -c $((size / 2)) in/heap.core > in/cut.core

# peak RSS beside that of a small core's triage, both without the cache (the same symbol work)
mkdir -p small && ln in/heap.core big/heap.core && ln in/cxx.core small/cxx.core
/usr/bin/time -f %M -o rss.txt "$MORTEM" triage --json --no-cache -j 1 big > heap.json 2> heap.err ||
	fail "triage of the heap core: $(cat heap.err)"
/usr/bin/time -f %M -o rss0.txt "$MORTEM" triage --json --no-cache -j 1 small > /dev/null 2>&1
more=$((($(tail -1 rss.txt) - $(tail -1 rss0.txt)) * 1024))
check "peak RSS $more bytes above a small core's for a $size-byte core: under a quarter" \
	test "$more" -lt $((size / 4))
jqcheck heap.json '.buckets[0].signature | test("^SIGSEGV in settle_ledger")' "the crash is the ledger's"

# a worker (and report, given many inputs) gives back what libdwfl opened
# for each core (the files of its modules): 40 cores of a C++ program under
# a limit of 32 open files, each in the bucket report gives it alone
"$MORTEM" report --json in/cxx.core > cxx.json || fail "report of cxx.core"
mkdir -p many
for i in $(seq 40); do ln in/cxx.core "many/cxx.$i.core"; done
(ulimit -n 32 && exec "$MORTEM" triage --json -j 1 many) > many.json 2> many.err ||
	fail "triage of 40 cores under 32 open files: $(cat many.err)"
check "40 cores under a limit of 32 open files: all in report's bucket" \
	jq -e --arg b "$(jq -r .bucket cxx.json)" \
	'.analyzed == 40 and (.buckets | length) == 1 and .buckets[0].bucket == $b' many.json
# and report, one process for the 40
(ulimit -n 32 && exec "$MORTEM" report --json many/*) > many-report.json 2> many.err ||
	fail "report of 40 cores under 32 open files: $(cat many.err)"
check "report of 40 cores under a limit of 32 open files: each in the bucket of one alone" \
	test "$(jq -r .bucket many-report.json | sort | uniq -c | awk '{ print $1, $2 }')" = \
	"40 $(jq -r .bucket cxx.json)"

# elfutils' test cores
PEER="$SHARED/peer-cores/elfutils"
if [ -f "$PEER/MANIFEST.tsv" ]; then
	while IFS='	' read -r core exe note; do
		[ "$core" = core ] && continue
		bunzip2 -c "$PEER/$core.bz2" > "in/$core" || fail "cannot decompress $core"
	done < "$PEER/MANIFEST.tsv"
elif [ "${CI:-}" = true ]; then
	fail "no elfutils test cores at $PEER"
else
	echo "note: no elfutils test cores at $PEER; the scenario's own cores only"
fi

"$MORTEM" triage --json -j 2 in > t.json 2> t.err
jqcheck t.json '.failed | map(.path) | index("in/cut.core") != null' "the cut core fails"
for c in in/*; do
	"$MORTEM" report --json "$c" > r.json 2> r.err
	rc=$?
	failed=$(jq -r --arg c "$c" '.failed[] | select(.path == $c) | .error' t.json)
	if [ $rc -ne 0 ]; then
		why=$(sed "s|^mortem: $c: ||" r.err)
		check "$c: fails in triage as in report ($why)" test "$failed" = "$why"
	elif [ -n "$failed" ]; then # cut short: report shows what is left, triage buckets none of it
		check "$c: failed in triage ($failed), a warning of report's" \
			jq -e --arg w "$failed" '.input.warnings | index($w) != null' r.json
	else
		want=$(jq -r .bucket r.json)
		got=$(jq -r --arg c "$c" '.buckets[] | select(.members | index($c)) | .bucket' t.json)
		check "$c: triage's bucket is report's ($want)" test "$got" = "$want"
	fi
done
done_ok
