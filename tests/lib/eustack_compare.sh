#!/bin/sh
# eustack_compare.sh CORE EXE [MORTEM OPTIONS...]
# Compares mortem's frames with `eu-stack -s -i --core=CORE -e EXE`, thread
# by thread: pc, function, source file, line and inline flag of every frame
# eu-stack shows (mortem may show more where eu-stack stopped early: frames
# found by frame pointers or a stack scan). Prints the differences and exits
# 1 when there are any, 0 when every thread matches.
set -u
core=$1 exe=$2; shift 2
: "${MORTEM:?set MORTEM to the mortem binary}"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/eucmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
eu-stack -n 0 -s -i --core="$core" -e "$exe" > "$tmp/eu.txt" 2> "$tmp/eu.err"
"$MORTEM" report --json "$@" "$core" > "$tmp/m.json" || { echo "mortem failed"; exit 1; }

# eu-stack: "TID n:", "#k  0xPC function", "    file:line[:col]"
awk '
function flush() {
	if (n == 0) return
	for (i = 1; i <= n; i++)
		printf "%s|%s|%s|%s|%s|%s\n", tid, pc[i], fn[i], file[i], line[i], (i < n && pc[i] == pc[i+1]) ? "inline" : "-"
	n = 0
}
/^TID [0-9]+:/ { flush(); tid = substr($2, 1, length($2) - 1); next }
/^#[0-9]+ / {
	n++; p = $2; sub(/^0x0*/, "0x", p); pc[n] = p
	f = $0; sub(/^#[0-9]+ +0x[0-9a-f]+ ?/, "", f); fn[n] = f
	file[n] = ""; line[n] = 0; next
}
/^    / {
	s = $0; sub(/^ +/, "", s)
	k = split(s, parts, ":")
	if (k >= 3 && parts[k] ~ /^[0-9]+$/ && parts[k-1] ~ /^[0-9]+$/) { line[n] = parts[k-1]; sub(/:[0-9]+:[0-9]+$/, "", s) }
	else if (k >= 2 && parts[k] ~ /^[0-9]+$/) { line[n] = parts[k]; sub(/:[0-9]+$/, "", s) }
	file[n] = s
}
END { flush() }' "$tmp/eu.txt" > "$tmp/eu.lines"

jq -r '.threads[] | .tid as $t | .frames[] |
	"\($t)|\(.pc)|\(.function // "")|\(.file // "")|\(.line // 0)|\(if .kind == "inline" then "inline" else "-" end)"' \
	"$tmp/m.json" > "$tmp/m.lines"

status=0
for tid in $(cut -d'|' -f1 "$tmp/eu.lines" | uniq); do
	grep "^$tid|" "$tmp/eu.lines" > "$tmp/eu.t"
	grep "^$tid|" "$tmp/m.lines" | head -n "$(wc -l < "$tmp/eu.t")" > "$tmp/m.t"
	if ! cmp -s "$tmp/eu.t" "$tmp/m.t"; then
		echo "thread $tid differs (< eu-stack, > mortem):"
		diff "$tmp/eu.t" "$tmp/m.t" | sed 's/^/  /'
		status=1
	fi
done
[ -s "$tmp/eu.lines" ] || { echo "eu-stack showed no frames"; cat "$tmp/eu.err"; status=1; }
exit $status
