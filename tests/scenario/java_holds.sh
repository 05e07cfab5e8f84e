# Monitors held without contention, read from a live JVM's frames (JDK 17
# and 25): Holds.java keeps monitors in interpreted frames (nested, a
# synchronized method, a recursive enter, one kept while waiting on
# another), in a frame C2 compiled (one in a stack slot or rbp, one a
# constant of the nmethod) and in a compiled loop the thread runs on
# (stopped anywhere in it by ptrace: its monitor comes from the nearest
# debug-info point, checked against the object's lock state). Every
# thread's holds from `mortem report -p` are exactly the "- locked"
# monitors of `jstack -l` on the same JVM, less those it lists as
# "waiting on" (released by Object.wait), as mortem reads jstack's text.
. "$TOP/tests/lib/common.sh"
. "$TOP/tests/lib/javalocks.sh"
need jq
need_jdks jstack
JOPTS="$JVM_SMALL -Xbatch -XX:CompileCommand=quiet -XX:CompileCommand=dontinline,Holds::tick"
export MALLOC_ARENA_MAX=2

L='(.locks | map({(.id): .label}) | add) as $l'
for jdk in $JDKS; do
	v=$(basename "$jdk")
	mkdir -p "$v" && cd "$v" || fail "cd"
	"$jdk/bin/javac" -d . "$TOP/tests/scenario/programs/java/Holds.java" || fail "$v: javac"
	"$jdk/bin/java" $JOPTS -cp . Holds > out.txt 2> err.txt & pid=$!; PIDS="$PIDS $pid"
	i=0; while [ $i -lt 300 ] && ! grep -q ready out.txt; do sleep 0.1; i=$((i + 1)); done
	check "$v: the threads are in place" grep -q ready out.txt
	"$jdk/bin/jstack" -l $pid > jstack.txt || fail "$v: jstack"
	"$MORTEM" report --json -p $pid > live.json || fail "$v: report -p"
	kill -9 $pid

	check "$v: jstack lists the monitors" test "$(jstack_locked jstack.txt | wc -l)" -ge 7
	check "$v: every thread holds what jstack -l says it locked" same_holds jstack.txt live.json
	jqcheck live.json "$L | [.threads[] | select(.name == \"compiled\") | .holds[] | \$l[.]] | sort == [\"[I\", \"java.lang.Object\"]" \
		"$v: a compiled frame's monitors (a local and a constant)"
	jqcheck live.json '.threads[] | select(.name == "compiled") | [.frames[] | select(.function == "Holds.hot")][0].kind == "jit"' "$v: in a frame C2 compiled"
	jqcheck live.json "$L | [.threads[] | select(.name == \"spinning\") | .holds[] | \$l[.]] == [\"[J\"]" \
		"$v: the monitor of a thread stopped while it runs compiled code"
	jqcheck live.json '.threads[] | select(.name == "nested") | .holds | length == 2' "$v: nested monitors in interpreted frames"
	jqcheck live.json "$L | .threads[] | select(.name == \"synced\") | [.holds[] | \$l[.]] == [\"Holds\$Resource\"]" "$v: a synchronized method's receiver"
	jqcheck live.json '.threads[] | select(.name == "waiter") | (.holds | length == 1) and .waiting_on == null' "$v: the monitor waited on is released"
	jqcheck live.json '.threads[] | select(.name == "blocked") | .holds == [] and .waiting_on != null' \
		"$v: the monitor a thread waits to enter is not held"
	"$MORTEM" report --json jstack.txt > jstack.json || fail "$v: report on jstack"
	check "$v: the same holds as mortem reads from jstack's text" \
		test "$(mortem_holds jstack.json)" = "$(mortem_holds live.json)"
	cd .. || fail "cd"
done
done_ok
