# Every core of elfutils' own test suite (../shared/peer-cores/elfutils:
# x86-64, x32, i386, aarch64, arm, ppc, ppc64 both byte orders, s390,
# s390x, sparc64, m68k, riscv64) against `eu-stack -s -i` on this machine:
# the same threads in the same order, the same function names frame by
# frame for the frames eu-stack shows, the pid and signal of the core's own
# notes; frames past eu-stack's say how they were found and none repeats
# an earlier pc while claiming CFI; with --exe, no warning that the
# executable's original path is missing. The kernel vmcore and the core of 66,000
# program headers fail with one line that says what they are. Every core
# also goes through --unwinder libunwind: a report or one error line, never
# a crash. The per-core table is printed (same / different, why).
. "$TOP/tests/lib/common.sh"
need jq eu-stack eu-readelf bunzip2
PEER="$SHARED/peer-cores/elfutils"
[ -f "$PEER/MANIFEST.tsv" ] || skip "no elfutils test cores at $PEER"
cp "$PEER"/*.bz2 . && bunzip2 -f ./*.bz2 || fail "cannot decompress $PEER"

# names CORE EXE: eu-stack's "tid|function" lines, then mortem's, for one core
eu_names() {
	awk '/^TID [0-9]+:/ { tid = substr($2, 1, length($2) - 1); next }
	     /^#[0-9]+ / { f = $0; sub(/^#[0-9]+ +0x[0-9a-f]+ ?/, "", f); print tid "|" f }' "$1"
}

# expected_signal CORE: the first signal the notes give (NT_SIGINFO, else a pr_cursig)
expected_signal() {
	eu-readelf -n "$1" | awk '
		/^ +si_signo: [0-9]+,/ { s = $2; sub(/,/, "", s); if (s + 0) { print s; exit } }
		/cursig: [0-9]+/ { c = $NF; if (c + 0 && !first) first = c }
		END { if (first) print first }' | head -1
}

table=""
differ=0
while IFS='	' read -r core exe note; do
	[ "$core" = core ] && continue
	e=""; x=""
	[ "$exe" != - ] && { e="--executable=$exe"; x="--exe $exe"; }
	# shellcheck disable=SC2086
	"$MORTEM" report --json $x "$core" >"$core.json" 2>"$core.err"
	rc=$?
	# shellcheck disable=SC2086
	"$MORTEM" report --json --unwinder libunwind $x "$core" >/dev/null 2>"$core.lu"
	lrc=$?
	case $lrc in
	0) ;;
	1) [ "$(wc -l <"$core.lu")" -eq 1 ] && grep -q "^mortem: $core: " "$core.lu" ||
		fail "$core --unwinder libunwind: exit 1 without one error line: $(cat "$core.lu")" ;;
	*) fail "$core --unwinder libunwind: exit $lrc (crashed?) $(head -c 300 "$core.lu")" ;;
	esac
	case $core in
	testfile62)
		[ $rc -eq 1 ] && [ "$(wc -l <"$core.err")" -eq 1 ] &&
			grep -q "^mortem: $core: .*kernel crash dump (vmcore" "$core.err" ||
			fail "$core: the vmcore is refused in one line ($(cat "$core.err"))"
		table="$table$core: refused, '$(cut -c9- "$core.err")'
"
		continue ;;
	testfile-phdrs.elf)
		[ $rc -eq 1 ] && [ "$(wc -l <"$core.err")" -eq 1 ] &&
			grep -q "^mortem: $core: .*66000 program headers" "$core.err" ||
			fail "$core: one clear line for 66,000 program headers ($(cat "$core.err"))"
		table="$table$core: refused, '$(cut -c9- "$core.err")'
"
		continue ;;
	esac
	[ $rc -eq 0 ] || fail "$core: exit $rc: $(cat "$core.err")"
	# shellcheck disable=SC2086
	eu-stack -n 0 -s -i --core="$core" $e >"$core.eu" 2>/dev/null
	eu_names "$core.eu" >"$core.eun"
	[ -s "$core.eun" ] || fail "$core: eu-stack shows no frame (the table expects one)"
	jq -r '.threads[] | .tid as $t | .frames[] | "\($t)|\(.function // "")"' "$core.json" >"$core.mn"
	why=""
	eu_tids=$(cut -d'|' -f1 "$core.eun" | uniq | tr '\n' ' ')
	m_tids=$(jq -r '[.threads[].tid] | map(tostring) | join(" ")' "$core.json")
	[ "$eu_tids" = "$m_tids " ] || why="threads [$m_tids] not [$eu_tids]"
	for tid in $eu_tids; do
		grep "^$tid|" "$core.eun" >eu.t
		grep "^$tid|" "$core.mn" | head -n "$(wc -l <eu.t)" >m.t
		cmp -s eu.t m.t || why="$why thread $tid: $(diff eu.t m.t | grep '^[<>]' | head -4 | tr '\n' ' ')"
		# past eu-stack's frames: a trust, and no earlier pc again with "cfi"
		n=$(wc -l <eu.t)
		bad=$(jq -r --argjson t "$tid" --argjson n "$n" '
			.threads[] | select(.tid == $t) | .frames as $f |
			[range($n; $f | length) | . as $i | $f[$i] |
			 select(.trust == null or (.trust == "cfi" and
				 ([$f[0:$i][].pc] | index($f[$i].pc)) != null))] | length' "$core.json")
		[ "$bad" = 0 ] || why="$why thread $tid: $bad frame(s) past eu-stack's without an honest trust"
	done
	pid=$(sed -n 's/^PID \([0-9]*\) .*/\1/p' "$core.eu" | head -1)
	[ "$(jq -r '.process.pid' "$core.json")" = "$pid" ] || why="$why pid $(jq -r '.process.pid' "$core.json") not $pid"
	# --exe stands for the executable: no warning that its original path is missing
	if [ "$exe" != - ] && jq -e --arg e "$exe" '.input.warnings | any(test("not found.*/" + $e))' "$core.json" >/dev/null; then
		why="$why a 'not found' warning for the executable --exe gave"
	fi
	sig=$(expected_signal "$core")
	[ -z "$sig" ] || [ "$(jq -r '.crash.signo // 0' "$core.json")" = "$sig" ] ||
		why="$why signal $(jq -r '.crash.signo' "$core.json") not $sig"
	if [ -z "$why" ]; then
		extra=$(( $(wc -l <"$core.mn") - $(wc -l <"$core.eun") ))
		table="$table$core: same ($(echo $eu_tids | wc -w) threads, $(wc -l <"$core.eun") frames; $extra more past eu-stack's)
"
	else
		differ=$((differ + 1))
		table="$table$core: DIFFERENT:$why
"
	fi
done <"$PEER/MANIFEST.tsv"
printf '%s' "$table"
CHECKS=$((CHECKS + 1))
[ $differ -eq 0 ] || fail "$differ core(s) differ from eu-stack"
echo "ok: every elfutils test core that eu-stack reads: same threads and functions"
done_ok
