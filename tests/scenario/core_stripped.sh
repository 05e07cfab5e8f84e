# A stripped build (no symbols at all in the executable): its frames enter
# the signature as module@build-id+offset, so two different crashes of one
# stripped build get two buckets (by name they would both be '?? (kvtool)'),
# the same crash twice gets one, and gdb's text (no offsets) keeps '??'.
. "$TOP/tests/lib/common.sh"
. "$TOP/tests/lib/core.sh"
need cc strip gdb jq
build kvtool kvtool.c -O2
cp kvtool kvtool.debug
strip kvtool
check "the executable has no symbol table left" sh -c "nm kvtool 2>&1 | grep -q \"no symbols\""
take_core get1.core ./kvtool get alpha
take_core get2.core ./kvtool get beta
take_core set.core ./kvtool set colour 0123456789abcdefghijklmnopqrstuvwxyz
for c in get1 get2 set; do
	"$MORTEM" report --json --exe kvtool $c.core > $c.json || fail "$c: report failed"
done
id=$(jq -r '.modules[] | select(.name == "kvtool") | .build_id[0:12]' get1.json)
check "the module's build id is known" test -n "$id" -a "$id" != null
jqcheck get1.json ".signature | test(\"^SIGSEGV in kvtool@$id\\\\+0x[0-9a-f]+ < kvtool@$id\\\\+0x[0-9a-f]+\")" "get: the signature is module@build-id+offset for the unnamed frames"
check "the same crash twice (ASLR): one bucket" test "$(jq -r .bucket get1.json)" = "$(jq -r .bucket get2.json)"
check "another crash of the same stripped build: another bucket" test "$(jq -r .bucket get1.json)" != "$(jq -r .bucket set.json)"
jqcheck set.json ".signature | test(\"kvtool@$id\\\\+0x\")" "set: also by build id and offset"
jqcheck get1.json '[.threads[] | select(.crashed) | .frames[] | select(.module != null and (.module | endswith("kvtool"))) | .in_app] | all' "the stripped executable's frames are in-app"
# gdb's text of the stripped core prints no module offsets: '??' as before
gdb -nx -batch -ex 'thread apply all bt' ./kvtool get1.core > get1.txt 2> /dev/null
"$MORTEM" report --json get1.txt > get1.gdb.json || fail "gdb text: report failed"
jqcheck get1.gdb.json '.signature | test("@") | not' "gdb text (no offsets): no build-id form"
# with its symbols the same crashes are named
take_core full.core ./kvtool.debug get alpha
"$MORTEM" report --json --exe kvtool.debug full.core > full.json
jqcheck full.json '.signature | test("^SIGSEGV in find_slot < cmd_get")' "unstripped: find_slot < cmd_get"
done_ok
