# Every finding's summary names only what its evidence holds: each lock it
# names ("KIND ID", a Java "<0x...>") is one of the finding's locks and of
# that kind, no lock address stands without its kind, and each thread it
# names is one of the finding's threads (tests/lib/finding_texts.jq). Over
# the whole corpus and over real native hangs of every lockhang mode,
# taken as cores and as gdb text (the unwinder-loader finding once named
# the profiler's mutex as the loader's lock).
. "$TOP/tests/lib/common.sh"
need jq gcore gdb cc
need_shared corpus
JQ="$TOP/tests/lib/finding_texts.jq"
bad=0
# agree FILE.json: the report's findings name only their evidence
agree() {
	out=$(jq -r -f "$JQ" "$1") || { echo "jq failed on $1" >&2; bad=$((bad + 1)); return; }
	[ -z "$out" ] && return
	echo "$1: $out" >&2
	bad=$((bad + 1))
}
n=0
find "$SHARED/corpus" -type f ! -name '*.md' ! -name '*.tsv' | sort > files.txt
while read -r f; do
	"$MORTEM" report --json "$f" > one.json 2> /dev/null
	agree one.json
	n=$((n + $(jq '.findings | length' one.json)))
done < files.txt
check "corpus: $n findings name only their evidence" test $bad -eq 0

${CC:-cc} -g -O0 -o lockhang "$TOP/tests/scenario/programs/lockhang.c" -lpthread -lunwind ||
	fail "cannot build lockhang.c"
for mode in ring rwlock self join loader; do
	./lockhang $mode $mode.txt & pid=$!; PIDS="$PIDS $pid"
	i=0; while [ ! -s $mode.txt ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	wait_threads $pid 2
	sleep 0.3
	gcore -o core $pid > /dev/null 2>&1 || fail "$mode: gcore failed"
	gdb -nx -batch -ex 'thread apply all bt' -p $pid > $mode.gdb.txt 2> /dev/null
	kill -9 $pid
	"$MORTEM" report --json core.$pid > $mode.json || fail "$mode: report failed"
	"$MORTEM" report --json $mode.gdb.txt > $mode.gdb.json || fail "$mode (gdb): report failed"
	rm -f core.$pid
	check "$mode: there are findings to check" test "$(jq '.findings | length' $mode.json)" -gt 0
	for j in $mode.json $mode.gdb.json; do
		bad=0; agree $j
		check "$j: every finding names only its evidence" test $bad -eq 0
	done
done
jqcheck loader.json '.findings[] | select(.id == "unwinder-loader-deadlock") | .summary | test("dynamic loader.s lock, loader_lock 0x[0-9a-f]+ \\(_rtld_global._dl_load_write_lock\\)") and test("pthread_mutex 0x[0-9a-f]+ \\(m\\)")' \
	"loader: the loader lock and the other side's mutex, each with its own address and name"
done_ok
