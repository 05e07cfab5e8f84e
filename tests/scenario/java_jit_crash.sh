# A JVM that crashes inside code C2 compiled (JitFault.java: Unsafe.getLong
# on a bad address, -XX:+CreateCoredumpOnCrash), JDK 17 and 25.
#  - "lost": the compiled method uses rbp for data, so the native unwinder
#    loses its way in it (with --no-java the stack below is a guess or a
#    scan); the Java frames are walked down to the call stub and the native
#    unwind resumes, by CFI, from the registers the call stub saved: the
#    crashing thread's stack goes from the faulting method through the Java
#    frames to JavaMain and start_thread, as in the hs_err log.
#  - "inline": the fault lies between two debug-info points of inlined
#    code: the inlined method and its caller are named from the nearest
#    PcDesc before the pc (as jhsdb does), with a warning that says so.
. "$TOP/tests/lib/common.sh"
. "$TOP/tests/lib/core.sh"
need jq
need_jdks javac
JOPTS="$JVM_SMALL -Xbatch -XX:CompileCommand=quiet -XX:CompileCommand=dontinline,JitFault::sink -XX:+CreateCoredumpOnCrash"
export MALLOC_ARENA_MAX=2

C='.crash.thread as $t | .threads[] | select(.id == $t)'
# the frames from the first Java one on: "kind trust function line"
below() {
	jq -r "$C | .frames | (map(.kind == \"jit\" or .kind == \"interpreted\") | index(true)) as \$j | .[\$j:][] | \"\\(.kind) \\(.trust) \\(.function) \\(.line)\"" "$1"
}
for jdk in $JDKS; do
	v=$(basename "$jdk")
	mkdir -p "$v" && cd "$v" || fail "cd"
	"$jdk/bin/javac" -nowarn -d . "$TOP/tests/scenario/programs/java/JitFault.java" 2> /dev/null || fail "$v: javac"

	take_core lost "$jdk/bin/java" $JOPTS -XX:ErrorFile="$PWD/hs_lost.log" -cp . JitFault lost
	grep -q '^J .* c2 JitFault.mix' hs_lost.log || fail "$v: the JVM did not die in compiled JitFault.mix"
	"$MORTEM" report --json lost > lost.json || fail "$v: report"
	"$MORTEM" report --json --no-java lost > native.json || fail "$v: report --no-java"
	rm -f lost
	jqcheck native.json "($C | [.frames[] | select(.trust == \"fp\" or .trust == \"scan\")] | length > 0) or ([.input.warnings[] | select(test(\"partly by CFI\"))] | length > 0)" \
		"$v: the native unwinder alone loses its way in the compiled method"
	below lost.json > lost.txt
	check "$v: the faulting compiled method, then its callers" \
		test "$(head -3 lost.txt | cut -d' ' -f1,3 | tr '\n' ' ')" = "jit JitFault.mix interpreted JitFault.drive interpreted JitFault.main "
	check "$v: then the native frames by CFI from the call stub down to the thread's start" \
		sh -c "sed -n '4,\$p' lost.txt | cut -d' ' -f2 | sort -u | tr -d '\n' | grep -qx cfi && \
			grep -q ' JavaCalls::call_helper' lost.txt && grep -q ' JavaMain ' lost.txt && tail -2 lost.txt | grep -q ' start_thread '"
	jqcheck lost.json '[.input.warnings[] | select(test("partly by CFI"))] | length == 0' "$v: whole: no warning of a partial unwind"
	# the load Unsafe.getLong became is in the compiled method: the application's bad address, not the JVM's bug
	"$MORTEM" report --json hs_lost.log > hs_lost.json || fail "$v: report hs_lost.log"
	for j in lost.json hs_lost.json; do
		jqcheck $j '[.findings[].id] | index("unsafe-memory-access") != null and index("jvm-internal-crash") == null' "$v ($j): unsafe-memory-access, not jvm-internal-crash"
		jqcheck $j '.findings[] | select(.id == "unsafe-memory-access") | .summary | contains("JitFault.mix")' "$v ($j): it names the compiled application method"
	done

	take_core inline "$jdk/bin/java" $JOPTS -XX:ErrorFile="$PWD/hs_inline.log" -cp . JitFault inline
	grep -q '^J .* c2 JitFault.loop' hs_inline.log || fail "$v: the JVM did not die in compiled JitFault.loop"
	"$MORTEM" report --json inline > inline.json || fail "$v: report"
	rm -f inline
	below inline.json > inline.txt
	check "$v: the inlined method at the nearest debug-info point, then the compiled one" \
		test "$(head -3 inline.txt | cut -d' ' -f1,3,4 | tr '\n' ' ')" = "jit JitFault.peek 21 jit JitFault.loop 28 interpreted JitFault.drive 45 "
	jqcheck inline.json '[.input.warnings[] | select(test("JitFault.loop stopped at 0x[0-9a-f]+, between two debug-info points.*approximate"))] | length == 1' \
		"$v: a warning says the inlined frames are approximate"
	jqcheck inline.json "$C | .name == \"main\" and ([.frames[].function] | index(\"start_thread\") != null)" "$v: the thread is named and whole"
	cd .. || fail "cd"
done
done_ok
