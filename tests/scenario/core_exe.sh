# A core whose executable was moved away: symbols of the executable come
# back with --exe; mapped files that are missing are reported.
. "$TOP/tests/lib/common.sh"
. "$TOP/tests/lib/core.sh"
need cc jq eu-stack
build crash_worker crash_worker.c -O0
take_core core ./crash_worker
mkdir moved && mv crash_worker moved/renamed
"$MORTEM" report --json core > lost.json
check "exit 0 without the executable" test $? -eq 0
jqcheck lost.json '.input.warnings | any(test("not found.*crash_worker"))' "the missing executable is reported"
jqcheck lost.json '[.threads[] | select(.crashed)][0].frames[0].function != "store_value"' "no symbol for the executable's frames"
"$MORTEM" report --json --exe moved/renamed core > exe.json
jqcheck exe.json '([.threads[] | select(.crashed)][0].frames | map(.function)[0:3]) == ["store_value","process_item","worker"]' "--exe brings the symbols back"
jqcheck exe.json '[.threads[] | select(.crashed)][0].frames[0] | (.file | endswith("crash_worker.c")) and .line == 12' "and the source lines"
check "frames match eu-stack -e moved/renamed" eustack_match core moved/renamed --exe moved/renamed
done_ok
