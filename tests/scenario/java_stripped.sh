# A JVM whose libjvm.so has no .symtab (stripped, as some distributions and
# container images ship it): the field offsets of java.lang.Thread, String
# and AbstractOwnableSynchronizer come from the classes' own field metadata
# (JDK 17: InstanceKlass::_fields; JDK 21+: the compressed field info
# stream), read through the VM structs. JDK 17 and 25: a copy of the JDK
# (symbolic links, bin/java copied, libjvm.so stripped) runs LockCycle.java;
# `mortem report -p` still gives the names, the states, the ReentrantLock's
# owner and the 3-thread cycle, as from the same JVM's jstack dump.
. "$TOP/tests/lib/common.sh"
need jq strip readelf
need_jdks jstack
JOPTS="$JVM_SMALL -XX:TieredStopAtLevel=1"
export MALLOC_ARENA_MAX=2

# stripped_jdk JDK DEST: DEST mirrors JDK by symbolic links, but for a copy
# of bin/java (the launcher finds its libjvm next to itself) and a stripped
# lib/server/libjvm.so
stripped_jdk() {
	mkdir -p "$2/bin" "$2/lib/server" || return 1
	for e in "$1"/* "$1"/lib/* "$1"/lib/server/* "$1"/bin/*; do
		r=${e#"$1"/}
		case $r in bin|lib|lib/server|lib/server/libjvm.so|bin/java) continue ;; esac
		ln -s "$e" "$2/$r" || return 1
	done
	cp "$1/bin/java" "$2/bin/java" && strip -o "$2/lib/server/libjvm.so" "$1/lib/server/libjvm.so"
}

N='(.threads | map({(.id): .name}) | add) as $n'
CYC='.findings[] | select(.id == "lock-cycle")'
for jdk in $JDKS; do
	v=$(basename "$jdk")
	mkdir -p "$v" && cd "$v" || fail "cd"
	stripped_jdk "$jdk" jdk || fail "$v: cannot make the stripped JDK"
	check "$v: the copy's libjvm.so has no symbol table" sh -c "! readelf -S jdk/lib/server/libjvm.so | grep -q '\.symtab'"
	"$jdk/bin/javac" -d . "$TOP/tests/scenario/programs/LockCycle.java" || fail "$v: javac"
	jdk/bin/java $JOPTS -cp . LockCycle > out.txt 2> err.txt & pid=$!; PIDS="$PIDS $pid"
	i=0; while [ $i -lt 300 ] && ! grep -q ready out.txt; do sleep 0.1; i=$((i + 1)); done
	check "$v: the JVM reached its deadlock" grep -q ready out.txt
	sleep 0.5
	check "$v: it runs the stripped libjvm.so" grep -q "$PWD/jdk/lib/server/libjvm.so" /proc/$pid/maps
	"$jdk/bin/jstack" -l $pid > jstack.txt || fail "$v: jstack"
	"$MORTEM" report --json jstack.txt > jstack.json || fail "$v: report on jstack"
	"$MORTEM" report --json -p $pid > live.json || fail "$v: report -p"
	kill -9 $pid

	jqcheck live.json '[.threads[] | select(.name // "" | test("^(cycle-[abc]|holder|queued-[0-2]|main|Finalizer|Reference Handler)$"))] | length >= 9' "$v: Java thread names"
	jqcheck live.json '.threads[] | select(.name == "cycle-b") | .state == "BLOCKED (on object monitor)"' "$v: a BLOCKED thread's state"
	jqcheck live.json '.threads[] | select(.name == "holder") | .state == "TIMED_WAITING (sleeping)"' "$v: a sleeping thread's state"
	jqcheck live.json "$N | .locks[] | select(.kind == \"juc_sync\") | \$n[.owner] == \"cycle-b\" and (.label | test(\"ReentrantLock\"))" \
		"$v: the ReentrantLock's exclusiveOwnerThread"
	jqcheck live.json "$N | [$CYC | .threads[] | \$n[.]] | sort == [\"cycle-a\", \"cycle-b\", \"cycle-c\"]" "$v: the 3-thread cycle"
	check "$v: same findings, signature and bucket as from jstack" \
		test "$(jq -c '[([.findings[].id] | sort), .signature, .bucket]' live.json)" = "$(jq -c '[([.findings[].id] | sort), .signature, .bucket]' jstack.json)"
	jqcheck live.json '[.input.warnings[] | select(test("Java"))] | length == 0' "$v: no warning about the Java side"
	cd .. || fail "cd"
done
done_ok
