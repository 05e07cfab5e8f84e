# A big jstack dump is parsed on several threads (parsers/text/split.h):
# the report must be the one a parse on one thread gives, byte for byte,
# whatever the input holds where it is cut. Inputs: every jstack file of
# the corpus repeated past a few MB (several snapshots, a deadlock report
# in each, the same lock ids and thread ids again and again), read as
# files (mapped, pages given back behind the readers), from a pipe, with
# CRLF ends and behind a log prefix; with the snapshot and thread-limit
# options that make a part's threads count or not; -j 1 against -j 2, 3, 8.
. "$TOP/tests/lib/common.sh"
need jq
need_shared corpus
C="$SHARED/corpus/jstack"
# big FILE MB OUT: FILE again and again until OUT holds MB megabytes
big() {
	: > "$3"
	while [ "$(wc -c < "$3")" -lt $(($2 * 1000000)) ]; do
		cat "$1" "$1" "$1" "$1" "$1" "$1" "$1" "$1" >> "$3"
	done
}
# same NAME FILE OPTIONS...: report --json and text at -j 1, 2, 3 and 8 agree
same() {
	_name=$1 _f=$2
	shift 2
	"$MORTEM" report --json -j 1 "$@" "$_f" > one.json 2> one.err || fail "$_name: -j 1 exit $?: $(cat one.err)"
	for j in 2 3 8; do
		"$MORTEM" report --json -j $j "$@" "$_f" > many.json 2> many.err || fail "$_name: -j $j exit $?"
		cmp -s one.json many.json || { diff one.json many.json | head -c 2000 >&2; fail "$_name $*: -j $j differs from -j 1"; }
		cmp -s one.err many.err || fail "$_name $*: -j $j says otherwise on stderr"
	done
	"$MORTEM" report -j 1 --color never "$@" "$_f" > one.txt 2>/dev/null
	"$MORTEM" report -j 3 --color never "$@" "$_f" > many.txt 2>/dev/null
	cmp -s one.txt many.txt || fail "$_name $*: the text report at -j 3 differs"
	CHECKS=$((CHECKS + 1))
}
n=0
for f in "$C"/*.txt; do
	fmt=$("$MORTEM" report --json "$f" 2>/dev/null | jq -r .input.format)
	[ "$fmt" = jstack ] || continue
	name=$(basename "$f" .txt)
	big "$f" 3 in.txt
	snaps=$("$MORTEM" report --json -j 1 in.txt | jq '.input.snapshots')
	same "$name" in.txt
	same "$name" in.txt --snapshot 2
	[ "$snaps" -gt 2 ] && same "$name" in.txt --snapshot $((snaps / 2))
	# the copies in one snapshot: parts that run to their end, adopted
	grep -v -e '^Full thread dump' -e '^JNI global ref' "$f" > flat.txt
	big flat.txt 3 in.txt
	same "$name (one snapshot)" in.txt
	same "$name (one snapshot)" in.txt --max-threads 1000 --max-frames 9
	n=$((n + 1))
done
check "the corpus has jstack files" test "$n" -gt 20
# lines cut at --max-line are counted once, the snapshot lines where parts stop among them
big "$C/jifa-jdk18-internal-adhoc.txt" 3 cut.txt
same cut cut.txt --max-line 80
"$MORTEM" report --json -j 3 --max-line 80 cut.txt | jq -e '.input.warnings | any(test("longer than 80 bytes were cut"))' > /dev/null
check "the lines cut are reported" test $? -eq 0
# one snapshot: every copy's threads in it, ids made unique across the cut
# ("1234#2"), the same lock ids in every part, and a limit met inside a part
f="$C/tetha-jdk8u20-netty-18blocked.txt"
grep -v '^Full thread dump' "$f" > one-snapshot.txt
big one-snapshot.txt 3 single.txt
same one-snapshot single.txt
same one-snapshot single.txt --max-threads 5000
# the deadlock report HotSpot prints after the threads, in every copy
f="$C/jthreaddump-jdk25-deadlock.txt"
big "$f" 3 dl.txt
same deadlock dl.txt
"$MORTEM" report --json -j 3 dl.txt | jq -e '[.findings[] | select(.id == "lock-cycle")] | length > 0' > /dev/null
check "the deadlock is found in a split parse" test $? -eq 0
# pasted: CRLF ends, a log prefix on every line, from a pipe
sed 's/$/\r/' dl.txt > crlf.txt
same crlf crlf.txt
sed 's/^/2024-01-02 10:00:00,123 INFO [main] /' "$C/tda-jdk11-openjdk.txt" > p.txt
big p.txt 3 prefixed.txt
same prefixed prefixed.txt
"$MORTEM" report --json -j 1 - < dl.txt > pipe1.json
cat dl.txt | "$MORTEM" report --json -j 3 - > pipe3.json
check "from a pipe" cmp -s pipe1.json pipe3.json
# big enough for parts that give their pages back and copy the file ahead (2 MB steps)
big "$C/tda-jdk16-server-rmi.txt" 40 huge.txt
same huge huge.txt
done_ok
