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
done_ok
