# Cores whose notes lie where libunwind-coredump would read them (issue 21,
# item 1): a real core of segv2.c with its NT_FILE count set to
# 0x7fffffffffffffff (the one-byte damage that made _UCD_create read past
# the note: SIGSEGV, and `report A BAD A` lost the third report), with its
# count one too many, and with its first thread note shrunk below
# elf_prstatus. Each is reported (libdwfl's stacks, a warning) or refused
# in one line, also with --unwinder libunwind; next to good cores, every
# input keeps its report.
. "$TOP/tests/lib/common.sh"
. "$TOP/tests/lib/corefile.sh"
need jq
MUTATE=$BUILD_DIR/tests/lib/mutate
[ -x "$MUTATE" ] || fail "no $MUTATE (make check builds it)"
small_core segv2.c good.core || fail "could not take a core of segv2"
"$MUTATE" --file-count 0x7fffffffffffffff good.core count.core || fail "mutate --file-count"
"$MUTATE" --file-count 1000 good.core plus.core || fail "mutate --file-count 1000"
"$MUTATE" --prstatus-size 200 good.core small.core || fail "mutate --prstatus-size"

# one_error FILE CORE: FILE is exactly one line "mortem: CORE: ..."
one_error() { [ "$(wc -l <"$1")" -eq 1 ] && grep -q "^mortem: $2: " "$1"; }

"$MORTEM" report --json good.core count.core good.core >three.jsonl 2>three.err
rc=$?
check "report A BAD A: exit 0, no crash (exit $rc: $(head -c 200 three.err))" test $rc -eq 0
check "report A BAD A: three reports" test "$(wc -l <three.jsonl)" -eq 3
sed -n 2p three.jsonl >count.json
jqcheck count.json '.input.warnings | any(test("NT_FILE"))' "the damaged count is named in a warning"
jqcheck count.json '.crash.signal == "SIGSEGV" and (.threads[0].frames | length) >= 1' \
	"the damaged core keeps its crash and its stack"
sed -n 1p three.jsonl >first.json
sed -n 3p three.jsonl >last.json
jq -c '[.threads[] | [.tid, (.frames | map(.pc))]]' first.json >first.stacks
jq -c '[.threads[] | [.tid, (.frames | map(.pc))]]' last.json >last.stacks
check "the core after the damaged one is reported whole (as the first)" cmp -s first.stacks last.stacks
jqcheck first.json '(.threads | length) == 2 and (.threads[0].frames | length) >= 3' \
	"the good core's two threads and the crashed one's stack"

for c in count.core plus.core small.core; do
	for u in "" "--unwinder libunwind"; do
		# shellcheck disable=SC2086
		"$MORTEM" report --json $u "$c" >out.json 2>err.txt
		rc=$?
		case $rc in
		0) jqcheck out.json '.schema == "mortem.report/1"' "$c ${u:-(default)}: a report" ;;
		1) check "$c ${u:-(default)}: one error line" one_error err.txt "$c" ;;
		*) fail "$c ${u:-(default)}: exit $rc: $(head -c 300 err.txt)" ;;
		esac
	done
done
# not a process's core: a note owned by QEMU (a guest memory dump)
"$MUTATE" --owner 0 QEMU good.core qemu.core || fail "mutate --owner"
"$MORTEM" report --json qemu.core >out.json 2>err.txt
check "a core with a QEMU note is refused in one line ($(cat err.txt))" one_error err.txt qemu.core
check "... saying what it is" grep -q 'QEMU guest memory dump' err.txt
done_ok
