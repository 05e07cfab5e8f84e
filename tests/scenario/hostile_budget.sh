#!/bin/sh
# One budget for decompressed bytes in memory (issue 21, item 4): archive
# members and compressed files live in memfds, and the walker used to read
# the next member while the -j workers held theirs, each member checked
# alone against --max-decompressed: 4 members of 2.5 GB with 3G and -j 2
# peaked at 7.7 GB. Now --max-decompressed is the total across the walker
# and every worker; a member that would pass it waits for the workers to
# give theirs back, and one that can never fit fails naming the limit.
# Measured from outside: tests/lib/memfd_peak.py sums the sizes of the
# memfds mortem's processes hold, every 2 ms.
. "$TOP/tests/lib/common.sh"
. "$TOP/tests/lib/hostile.sh"
need jq zstd tar python3
PEAK="python3 $TOP/tests/lib/memfd_peak.py"
BUDGET=120     # MiB: two ~46 MiB members fit at once, not three
mkdir m z
for t in a b c d; do jstack_pool 90000 $t >m/pool-$t.txt; done
size=$(wc -c <m/pool-a.txt)
tar -C m -cf - . | zstd -q -o pool.tar.zst
for t in a b c; do zstd -q m/pool-$t.txt -o z/pool-$t.txt.zst; done
echo "members of $size bytes; budget ${BUDGET}M"

# peak_of NAME ARGS...: runs mortem triage ARGS, its memfd peak in NAME.peak, its JSON in NAME.json
peak_of() {
	n=$1; shift
	"$MORTEM" triage --json "$@" >$n.json 2>$n.err &
	tp=$!
	$PEAK "$MORTEM" $n.peak $tp &
	sp=$!
	wait $tp; echo $? >$n.rc
	wait $sp
	echo "$n: peak $(cat $n.peak) bytes in memfds, exit $(cat $n.rc)"
}
limit=$((BUDGET * 1048576))
# Each worker holds its member a fifth of a second longer (the test hook of
# triage_record.c), so that the walker reads the next member while a
# worker still holds one, however fast the analysis: two at once, not three.
export MORTEM_TEST_WORKER_FAULT=pool-:slow
peak_of tar --max-decompressed ${BUDGET}M -j 3 pool.tar.zst
unset MORTEM_TEST_WORKER_FAULT
check "archive, -j 3: every member analyzed" eval "jq -e '.analyzed == 4 and (.failed | length) == 0' tar.json >/dev/null"
check "archive, -j 3: never more than the budget in memfds ($(cat tar.peak) <= $limit)" [ "$(cat tar.peak)" -le $limit ]
check "archive, -j 3: the budget was used (two members at once)" [ "$(cat tar.peak)" -gt $((size * 3 / 2)) ]
peak_of files --max-decompressed ${BUDGET}M -j 3 z
check "compressed files, -j 3: every file analyzed" eval "jq -e '.analyzed == 3 and (.failed | length) == 0' files.json >/dev/null"
check "compressed files, -j 3: never more than the budget in memfds ($(cat files.peak) <= $limit)" [ "$(cat files.peak)" -le $limit ]

# a member larger than the whole budget fails, naming the limit
"$MORTEM" triage --json --max-decompressed 30M -j 2 pool.tar.zst >small.json 2>small.err; rc=$?
check "a member over the whole budget: exit 1" [ $rc = 1 ]
jqcheck small.json '[.failed[].error | test("limit of 31457280 bytes decompressed in memory at once \\(--max-decompressed\\)")] | length == 4 and all' \
	"each member over the budget fails naming --max-decompressed"
"$MORTEM" triage --json --max-decompressed 30M z >small2.json 2>/dev/null
jqcheck small2.json '[.failed[].error | test("--max-decompressed")] | length == 3 and all' \
	"each compressed file over the budget fails naming --max-decompressed"
done_ok
