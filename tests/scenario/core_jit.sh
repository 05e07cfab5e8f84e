# A crash called from run-time generated code (no module, no CFI), as in a
# JVM: the stack crosses it by the frame-pointer chain, and the frames found
# that way say so (trust "fp").
. "$TOP/tests/lib/common.sh"
. "$TOP/tests/lib/core.sh"
need cc jq
build jit_crash jit_crash.c -O0 -fno-omit-frame-pointer
take_core core ./jit_crash
for unwinder in dwfl libunwind; do
	"$MORTEM" report --json --unwinder $unwinder core > $unwinder.json
	check "$unwinder: exit 0" test $? -eq 0
	jqcheck $unwinder.json '.threads[0].frames[0] | .function == "crash_here" and .trust == "cfi"' "$unwinder: the crashing function by CFI"
	jqcheck $unwinder.json '.threads[0].frames[1] | .function == null and .module == null' "$unwinder: the generated code, in no module"
	jqcheck $unwinder.json '.threads[0].frames[2] | .function == "main" and .trust == "fp"' "$unwinder: its caller found by frame pointer"
	jqcheck $unwinder.json '[.threads[0].frames[].function] | index("_start") != null' "$unwinder: on to the entry point"
done

# generated code that wiped the frame pointer: a stack scan finds its caller
take_core core2 ./jit_crash nofp
"$MORTEM" report --json core2 > scan.json
jqcheck scan.json '.threads[0].frames[0:2] | map(.trust) == ["cfi","cfi"]' "scan: the CFI part"
jqcheck scan.json '.threads[0].frames[2] | .function == "main" and .trust == "scan"' "scan: the caller found on the stack"
jqcheck scan.json '[.threads[0].frames[].function] | index("_start") != null' "scan: on to the entry point"
jqcheck scan.json '.input.warnings | any(test("unwound only partly by CFI.*continued with scan"))' "scan: the guess is reported"
done_ok
