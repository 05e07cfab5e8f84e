# Real JVM crashes written to hs_err files (-XX:ErrorFile=): a JNI library
# that stores through NULL (re-symbolized with libdw: function, inline frame,
# file and line from the library's DWARF), and Unsafe.getByte(0) that dies in
# the JVM's own code. JDK 17, and JDK 25 when installed.
. "$TOP/tests/lib/common.sh"
need jq cc
need_jdks javac
P="$TOP/tests/scenario/programs/java"
poke_line=$(grep -n POKE_LINE "$P/jnicrash.c" | cut -d: -f1)
call_line=$(grep -n CALL_LINE "$P/jnicrash.c" | cut -d: -f1)
JOPTS="-Xshare:auto -XX:TieredStopAtLevel=1 -XX:-CreateCoredumpOnCrash -Xmx64m"

for jdk in $JDKS; do
	v=$(basename "$jdk")
	mkdir -p "$v" && cd "$v" || fail "cd"
	${CC:-cc} -g -O1 -shared -fPIC -I"$jdk/include" -I"$jdk/include/linux" \
		-o libjnicrash.so "$P/jnicrash.c" || fail "$v: cannot build the JNI library"
	"$jdk/bin/javac" -d . "$P/JniCrash.java" "$P/UnsafeCrash.java" 2>/dev/null || fail "$v: javac"

	"$jdk/bin/java" $JOPTS -XX:ErrorFile="$PWD/jni_%p.log" -Djava.library.path="$PWD" -cp . JniCrash \
		> jni.out 2>&1 && fail "$v: the JNI crash did not crash"
	log=$(ls jni_*.log) || fail "$v: no hs_err file"
	"$MORTEM" report --json "$log" > jni.json || fail "$v: report"
	jqcheck jni.json '.input.format == "hs_err" and .process.runtime == "jvm" and (.process.runtime_version | length > 0)' "$v: hs_err detected"
	jqcheck jni.json '.crash.signal == "SIGSEGV" and .crash.signo == 11 and .crash.code == "SEGV_MAPERR" and .crash.address == "0x0"' "$v: siginfo"
	jqcheck jni.json '.crash.thread as $c | [.threads[] | select(.id == $c and .crashed and .name == "main")] | length == 1' "$v: the crashed thread"
	jqcheck jni.json '(.threads | length) > 5 and ([.threads[] | select(.name == "VM Thread")] | length == 1)' "$v: every listed thread"
	jqcheck jni.json '[.modules[] | select(.name == "libjnicrash.so" and (.path | endswith("/libjnicrash.so")) and .start != null)] | length == 1' "$v: dynamic libraries as modules"
	T='.threads[] | select(.crashed) | .frames'
	jqcheck jni.json "[$T[] | select(.kind == \"inline\" and .function == \"poke\" and (.file | endswith(\"jnicrash.c\")) and .line == $poke_line)] | length == 1" "$v: re-symbolized inline frame poke at jnicrash.c:$poke_line"
	jqcheck jni.json "[$T[] | select(.kind == \"native\" and .function == \"Java_JniCrash_crash\" and (.file | endswith(\"jnicrash.c\")) and .line == $call_line and .module == \"libjnicrash.so\")] | length == 1" "$v: re-symbolized Java_JniCrash_crash at jnicrash.c:$call_line"
	jqcheck jni.json "[$T[] | select(.function == \"JniCrash.crash\" or .function == \"JniCrash.main\")] | length >= 1" "$v: Java frames"
	jqcheck jni.json "[$T[] | .kind] | index(\"vm\") != null and index(\"stub\") != null" "$v: VM and stub frames"
	jqcheck jni.json '[.input.warnings[]] | length == 0' "$v: no warnings on a whole log"
	# the library moved under a sysroot (a log from another machine): --sysroot finds it
	lib="$PWD/libjnicrash.so"
	mkdir -p "root$(dirname "$lib")" && mv "$lib" "root$lib"
	"$MORTEM" report --json "$(ls jni_*.log)" > moved.json || fail "$v: report"
	jqcheck moved.json "[$T[] | select(.function == \"Java_JniCrash_crash\" and .file == null)] | length == 1" "$v: without the library, no source lines"
	"$MORTEM" report --json --sysroot "$PWD/root" "$(ls jni_*.log)" > sysroot.json || fail "$v: report --sysroot"
	jqcheck sysroot.json "[$T[] | select(.function == \"Java_JniCrash_crash\" and .line == $call_line)] | length == 1" "$v: --sysroot finds the library"
	mv "root$lib" "$lib"

	"$jdk/bin/java" $JOPTS -XX:ErrorFile="$PWD/unsafe_%p.log" -cp . UnsafeCrash \
		> unsafe.out 2>&1 && fail "$v: the Unsafe crash did not crash"
	log=$(ls unsafe_*.log) || fail "$v: no hs_err file"
	"$MORTEM" report --json "$log" > unsafe.json || fail "$v: report"
	jqcheck unsafe.json '.crash.signal == "SIGSEGV" and .crash.address == "0x0"' "$v: Unsafe crash siginfo"
	jqcheck unsafe.json "[$T[0:3][] | select(.kind == \"vm\" and (.function | test(\"Unsafe\")) and .module == \"libjvm.so\")] | length >= 1" "$v: the VM frame in Unsafe code"
	jqcheck unsafe.json "[$T[] | select(.kind == \"interpreted\" or .kind == \"jit\") | select(.function | test(\"UnsafeCrash.main\"))] | length == 1" "$v: the Java caller"
	jqcheck unsafe.json '.crash.thread as $c | [.threads[] | select(.id == $c) | .tid] | .[0] > 0' "$v: crashed thread by kernel id"
	cd .. || fail "cd"
done
done_ok
