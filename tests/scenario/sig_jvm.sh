# JVM crashes in hs_err logs (-XX:ErrorFile=): a write through Unsafe to address 0
# (unsafe-memory-access + null-dereference: the caller's fault, not the
# JVM's), a bad read through Unsafe interpreted and JIT-compiled, a JNI library crash
# (native-library-crash), a Java heap OOM under -XX:+CrashOnOutOfMemoryError
# (out-of-memory); and one bucket for the same bug on JDK 17 and JDK 25.
. "$TOP/tests/lib/common.sh"
need jq gcc
JDK17=/usr/lib/jvm/java-17-openjdk-amd64
JDK25=/usr/lib/jvm/temurin-25-jdk-amd64
[ -x $JDK17/bin/javac ] || skip "needs JDK 17 at $JDK17"
cp "$TOP/tests/scenario/programs/Crash.java" .
$JDK17/bin/javac -d . Crash.java || fail "javac failed"
gcc -g -shared -fPIC -I$JDK17/include -I$JDK17/include/linux -o libcrashjni.so \
	"$TOP/tests/scenario/programs/crashjni.c" || fail "cannot build the JNI library"
jrun() { # JDK LOG ARGS...: runs Crash until it dies, leaving its hs_err log in LOG
	jdk=$1; log=$2; shift 2
	$jdk/bin/java -Xshare:auto -XX:TieredStopAtLevel=1 -XX:-CreateCoredumpOnCrash \
		-XX:ErrorFile="$WORK/$log" "$@" >/dev/null 2>&1
	[ -s "$log" ] || fail "no hs_err log from Crash $*"
}
expect() {
	name=$1; json=$2; shift 2
	want=$(printf '%s\n' "$@" | sort | tr '\n' ' ')
	got=$(jq -r '.findings[].id' "$json" | sort | tr '\n' ' ')
	check "$name: findings are [$want]" test "$got" = "$want"
}

jrun $JDK17 unsafe17.log -cp . Crash
"$MORTEM" report --json unsafe17.log > u17.json
expect unsafe u17.json unsafe-memory-access null-dereference
jqcheck u17.json '.findings[] | select(.id == "unsafe-memory-access") | .confidence == "certain" and (.summary | contains("Unsafe_PutLong") and contains("Crash.writeThrough"))' \
	"unsafe-memory-access names the V frame and the application frame that called Unsafe"
jqcheck u17.json '.signature | startswith("SIGSEGV in Unsafe_PutLong < Crash.writeThrough")' \
	"the signature: the VM frame, then the application's (no Unsafe.putLong < Unsafe.putAddress)"
jqcheck u17.json '.findings[] | select(.id == "null-dereference") | .summary | contains("0x0")' \
	"null-dereference names the address"

# an off-heap cache in a package reading at a bad address: interpreted, the
# JVM's Unsafe_GetLong faults (certain); compiled after a warm-up, the load
# is in the JIT's code and no Unsafe_* frame is left (likely)
$JDK17/bin/javac -nowarn -d . "$TOP/tests/scenario/programs/OffHeap.java" 2>/dev/null || fail "javac OffHeap failed"
offheap() { # JDK TAG
	jrun $1 cold$2.log -cp . com.example.cache.OffHeap
	jrun $1 warm$2.log -cp . com.example.cache.OffHeap warm
	"$MORTEM" report --json cold$2.log > cold$2.json
	"$MORTEM" report --json warm$2.log > warm$2.json
	expect "OffHeap cold ($2)" cold$2.json unsafe-memory-access
	jqcheck cold$2.json '.signature | startswith("SIGSEGV in Unsafe_GetLong < com.example.cache.OffHeap.read < com.example.cache.OffHeap.sum")' \
		"OffHeap cold ($2): the signature names the VM frame, then read and sum"
	expect "OffHeap warm ($2)" warm$2.json unsafe-memory-access
	jqcheck warm$2.json '.findings[0] | .confidence == "likely" and (.summary | contains("JIT-compiled com.example.cache.OffHeap.sum") and contains("0xdead0000"))' \
		"OffHeap warm ($2): unsafe-memory-access (likely) names the compiled application method and the address"
	jqcheck warm$2.json '.signature | startswith("SIGSEGV in com.example.cache.OffHeap.sum")' "OffHeap warm ($2): the signature starts at the compiled method"
}
offheap $JDK17 17

jrun $JDK17 jni.log -cp . Crash jni "$WORK/libcrashjni.so"
"$MORTEM" report --json jni.log > jni.json
expect jni jni.json native-library-crash
jqcheck jni.json '.findings[0].summary | contains("fill_record") and contains("libcrashjni.so")' \
	"native-library-crash names the library's frame"
jqcheck jni.json '.signature | startswith("SIGSEGV in fill_record < Java_Crash_crashNative")' "JNI signature"

jrun $JDK17 oom.log -Xmx16m -XX:+CrashOnOutOfMemoryError -cp . Crash oom
"$MORTEM" report --json oom.log > oom.json
expect oom oom.json out-of-memory
jqcheck oom.json '.findings[0].summary | contains("Java heap space")' "out-of-memory quotes the JVM's message"

if [ -x $JDK25/bin/java ]; then
	jrun $JDK25 unsafe25.log -cp . Crash
	"$MORTEM" report --json unsafe25.log > u25.json
	expect "unsafe (JDK 25)" u25.json unsafe-memory-access null-dereference
	check "JDK 17 and JDK 25: one bucket for the same bug" \
		test "$(jq -r .bucket u17.json)" = "$(jq -r .bucket u25.json)"
	check "and a different bug gets another" test "$(jq -r .bucket u17.json)" != "$(jq -r .bucket jni.json)"
	offheap $JDK25 25
	check "OffHeap warm: one bucket on JDK 17 and 25" test "$(jq -r .bucket warm17.json)" = "$(jq -r .bucket warm25.json)"
else
	echo "note: no JDK 25 at $JDK25; cross-JDK bucket check not run"
fi
done_ok
