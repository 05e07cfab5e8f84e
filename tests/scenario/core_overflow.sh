# A stack overflow: tens of thousands of frames, cut at --max-frames with a
# warning; all of them with --max-frames 0.
. "$TOP/tests/lib/common.sh"
. "$TOP/tests/lib/core.sh"
need cc jq
build stack_overflow stack_overflow.c -O0
take_core core ./stack_overflow
"$MORTEM" report --json core > out.json
check "exit 0" test $? -eq 0
jqcheck out.json '.crash.signal == "SIGSEGV" and .crash.code == "SEGV_MAPERR"' "SIGSEGV"
jqcheck out.json '(.threads[0].frames | length) == 2048 and .threads[0].frames_truncated' "cut at the default 2048 frames"
jqcheck out.json '.input.warnings | any(test("cut at 2048 frames"))' "the cut is reported"
jqcheck out.json '[.threads[0].frames[].function] | unique == ["recurse"]' "every frame is the recursion"
"$MORTEM" report --json --max-frames 0 core > all.json
jqcheck all.json '(.threads[0].frames | length) > 3000 and (.threads[0].frames | last | .function) == "_start"' "--max-frames 0: the whole stack, down to _start"
done_ok
