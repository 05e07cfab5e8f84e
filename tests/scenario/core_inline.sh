# A crash deep in code that -O2 inlined: one physical frame, several inline
# frames sharing its pc, each with its call site, as eu-stack -i shows them.
. "$TOP/tests/lib/common.sh"
. "$TOP/tests/lib/core.sh"
need cc jq eu-stack
build inline_deep inline_deep.c -O2
take_core core ./inline_deep
"$MORTEM" report --json core > out.json
check "exit 0" test $? -eq 0
jqcheck out.json '.crash.signal == "SIGSEGV" and .crash.address == "0x8"' "fault at n->next->value (0x8)"
jqcheck out.json '.threads[0].frames | map(.function)[0:3] == ["middle_sum","outer_walk","compute"]' "inline chain up to the physical frame"
jqcheck out.json '.threads[0].frames[0:3] | map(.kind) == ["inline","inline","native"]' "inline frames marked inline"
jqcheck out.json '.threads[0].frames[0:3] | map(.pc) | unique | length == 1' "inline frames share the pc"
jqcheck out.json '.threads[0].frames[1] | (.file | endswith("inline_deep.c")) and .line == 23' "inline frame's line is its call site"
jqcheck out.json '.threads[0].frames[2] | .line == 28 and .offset != null' "physical frame: call site and offset"
jqcheck out.json '[.threads[0].frames[] | select(.function == "main")] | length == 1' "unwound into main"
check "frames match eu-stack -s -i" eustack_match core ./inline_deep
done_ok
