# A crash inside a signal handler: the trampoline frame is kind "signal" and
# the stack goes on into the code the signal interrupted.
. "$TOP/tests/lib/common.sh"
. "$TOP/tests/lib/core.sh"
need cc jq eu-stack
build signal_crash signal_crash.c -O2
take_core core ./signal_crash
"$MORTEM" report --json core > out.json
check "exit 0" test $? -eq 0
jqcheck out.json '.threads[0].frames[0].function == "on_alarm"' "the handler on top"
jqcheck out.json '.threads[0].frames[1] | .function == "__restore_rt" and .kind == "signal"' "signal trampoline frame"
jqcheck out.json '[.threads[0].frames[].function] | index("wait_for_alarm") > 1 and index("main") > 1' "unwound through it into the interrupted code"
jqcheck out.json '[.threads[0].frames[] | select(.kind == "signal")] | length == 1' "exactly one signal frame"
check "frames match eu-stack -s -i" eustack_match core ./signal_crash
"$MORTEM" report --json --unwinder libunwind core > lu.json
jqcheck lu.json '.threads[0].frames[1] | .function == "__restore_rt" and .kind == "signal"' "libunwind: signal frame too"
jqcheck lu.json '[.threads[0].frames[].function] | index("main") > 1' "libunwind: through the trampoline"
done_ok
