# Java frames, thread names and Java locks read from a JVM's memory (HotSpot's
# own VM structs tables), JDK 17 and JDK 25: a hung JVM (LockCycle.java: three
# threads over two monitors and a ReentrantLock) taken with gcore and with
# `mortem report -p` (the JVM left running and answering jstack after), and a
# crashed JVM's core (JvmCrash.java: Unsafe.putAddress(0, ..) from application
# code that C1 compiled). The core gives the same finding and bucket as mortem
# on the jstack dump of the same JVM.
. "$TOP/tests/lib/common.sh"
. "$TOP/tests/lib/core.sh"
. "$TOP/tests/lib/javalocks.sh"
need gcore jq
need_jdks jstack
# small reservations keep the cores small; C1 only keeps compiling quick
JOPTS="$JVM_SMALL -XX:TieredStopAtLevel=1"
export MALLOC_ARENA_MAX=2
P="$TOP/tests/scenario/programs"

N='(.threads | map({(.id): .name}) | add) as $n'
CYC='.findings[] | select(.id == "lock-cycle")'
hang_checks() { # report.json label
	jqcheck "$1" '[.threads[] | select(.name // "" | test("^(cycle-[abc]|holder|queued-[0-2])$"))] | length == 7' "$2: the Java threads are named"
	jqcheck "$1" '[.threads[] | select(.name // "" | test("^(cycle-[abc]|holder|queued-[0-2])$")) | select([.frames[] | select((.kind == "interpreted" or .kind == "jit") and .line > 0 and (.function | startswith("LockCycle.")))] | length == 0)] | length == 0' \
		"$2: every application thread has its Java frames with lines"
	jqcheck "$1" '.threads[] | select(.name == "cycle-b") | .state == "BLOCKED (on object monitor)" and ([.frames[].function] | index("LockCycle.cycleB") != null)' "$2: state and frame of a BLOCKED thread"
	jqcheck "$1" '.threads[] | select(.name == "cycle-a") | .frames | map(.function) | (index("LockCycle.cycleA") > index("java.util.concurrent.locks.ReentrantLock.lock")) and (index("LockCycle.cycleA") > index("Unsafe_Park"))' \
		"$2: mixed stack: VM frames above the Java frames that called them"
	jqcheck "$1" '[.threads[] | select(.name == "cycle-a") | .frames[] | select(.function == "JavaCalls::call_helper(JavaValue*, methodHandle const&, JavaCallArguments*, JavaThread*)")] | length == 1' \
		"$2: and the native frames below"
	jqcheck "$1" "$N | [$CYC | .threads[] | \$n[.]] | sort == [\"cycle-a\", \"cycle-b\", \"cycle-c\"]" "$2: the 3-thread cycle"
	jqcheck "$1" "[.locks[] as \$l | $CYC | .locks[] | select(. == \$l.id) | \$l.kind] | sort == [\"java_monitor\", \"java_monitor\", \"juc_sync\"]" "$2: two monitors and a ReentrantLock"
	jqcheck "$1" "$N | [.findings[] | select(.id == \"lock-contention\") | .threads[] | \$n[.]] | sort == [\"holder\", \"queued-0\", \"queued-1\", \"queued-2\"]" "$2: the contention beside it"
	jqcheck "$1" '[.input.warnings[] | select(test("Java"))] | length == 0' "$2: no warning about the Java side"
}
same_as_jstack() { # report.json jstack.json label
	check "$3: same finding ids as from jstack" test "$(jq -c '[.findings[].id] | sort' "$1")" = "$(jq -c '[.findings[].id] | sort' "$2")"
	check "$3: same signature and bucket as from jstack" test "$(jq -c '[.signature, .bucket]' "$1")" = "$(jq -c '[.signature, .bucket]' "$2")"
	check "$3: every thread holds the monitors jstack -l lists as locked" same_holds jstack.txt "$1"
}

for jdk in $JDKS; do
	v=$(basename "$jdk")
	mkdir -p "$v" && cd "$v" || fail "cd"
	"$jdk/bin/javac" -d . "$P/LockCycle.java" "$P/java/JvmCrash.java" || fail "$v: javac"

	# a hung JVM: its jstack dump, then -p (JVM left running), then its gcore
	"$jdk/bin/java" $JOPTS -cp . LockCycle > out.txt 2> err.txt & pid=$!; PIDS="$PIDS $pid"
	i=0; while [ $i -lt 300 ] && ! grep -q ready out.txt; do sleep 0.1; i=$((i + 1)); done
	check "$v: the JVM reached its deadlock" grep -q ready out.txt
	sleep 0.5
	"$jdk/bin/jstack" -l $pid > jstack.txt || fail "$v: jstack"
	"$MORTEM" report --json jstack.txt > jstack.json || fail "$v: report on jstack"
	jqcheck jstack.json "[$CYC] | length == 1" "$v: jstack's dump has the cycle"

	"$MORTEM" report --json -p $pid > live.json || fail "$v: report -p"
	hang_checks live.json "$v -p"
	same_as_jstack live.json jstack.json "$v -p"
	check "$v: the JVM still runs after -p" sh -c "! grep -q '^State:.*[tT]' /proc/$pid/status"
	"$jdk/bin/jstack" $pid > again.txt 2>&1
	check "$v: and answers jstack" grep -q '"cycle-a"' again.txt

	gcore_of core $pid
	kill -9 $pid
	"$MORTEM" report --json core > core.json || fail "$v: report on the core"
	rm -f core
	hang_checks core.json "$v core"
	same_as_jstack core.json jstack.json "$v core"
	jqcheck core.json '.process.runtime == "jvm" and (.process.runtime_version | test("^[0-9]"))' "$v: the JVM's release"

	# a crashed JVM: the crashing thread's Java frames reach the application method
	# (store stays interpreted here; java_jit_crash.sh faults in compiled code)
	take_core crash "$jdk/bin/java" $JOPTS -XX:CompileCommand=quiet -XX:CompileCommand=exclude,JvmCrash.store -XX:+CreateCoredumpOnCrash -XX:ErrorFile="$PWD/hs_%p.log" -cp . JvmCrash
	"$MORTEM" report --json crash > crash.json || fail "$v: report on the crash core"
	rm -f crash
	C='.crash.thread as $t | .threads[] | select(.id == $t)'
	jqcheck crash.json "$C | .name == \"main\"" "$v: the crashing thread is named"
	jqcheck crash.json "[$C | .frames[] | select(.function == \"JvmCrash.store\" and .file == \"JvmCrash.java\" and .line == 8 and (.kind == \"interpreted\" or .kind == \"jit\"))] | length == 1" \
		"$v: the application method that made the call, with its line"
	jqcheck crash.json "[$C | .frames[] | select(.function == \"JvmCrash.work\" and .line == 14)] | length == 1" "$v: and its caller"
	jqcheck crash.json "[$C | .frames[] | select(.kind == \"jit\" and (.function | startswith(\"JvmCrash.\")))] | length >= 1" "$v: compiled frames decoded"
	jqcheck crash.json "$C | .frames | map(.function) | index(\"Unsafe_PutLong\") < index(\"JvmCrash.store\")" "$v: under the VM frame that faulted"
	# the blame is on the caller: unsafe-memory-access, not jvm-internal-crash, from the core and from its hs_err
	for j in crash.json hs.json; do
		[ $j = hs.json ] && { "$MORTEM" report --json hs_*.log > hs.json || fail "$v: report on the hs_err log"; }
		jqcheck $j '[.findings[].id] | index("unsafe-memory-access") != null and index("jvm-internal-crash") == null' "$v ($j): unsafe-memory-access, not jvm-internal-crash"
		jqcheck $j '.findings[] | select(.id == "unsafe-memory-access") | .summary | contains("Unsafe_PutLong") and contains("JvmCrash.store")' "$v ($j): it names the VM frame and the application frame"
		jqcheck $j '.signature | test(" in Unsafe_PutLong < JvmCrash.store < JvmCrash\\.")' "$v ($j): the signature is the VM frame then the application's"
	done
	cd .. || fail "cd"
done
done_ok
