# A big jstack -l dump of a real JVM (JDK 17 and 25: Crowd.java, 1,500 pool
# threads on 50 monitors and a ReentrantLock, about 1.6 MB) is parsed in
# parts on several threads (parsers/text/split.h): the report is the one a
# parse on one thread gives, byte for byte, at -j 2, 3 and 8, and it names
# the program's own code and locks.
. "$TOP/tests/lib/common.sh"
need jq
need_jdks jstack
for jdk in $JDKS; do
	v=$(basename "$jdk")
	mkdir -p "$v" && cd "$v" || fail "cd"
	"$jdk/bin/javac" -d . "$TOP/tests/scenario/programs/java/Crowd.java" || fail "$v: javac"
	"$jdk/bin/java" -Xss256k -Xmx64m -XX:-UsePerfData -cp . Crowd > out.txt 2> err.txt & pid=$!; PIDS="$PIDS $pid"
	i=0; while [ $i -lt 600 ] && ! grep -q ready out.txt; do sleep 0.1; i=$((i + 1)); done
	check "$v: the threads are in place" grep -q ready out.txt
	"$jdk/bin/jstack" -l $pid > dump.txt || fail "$v: jstack"
	kill -9 $pid
	check "$v: the dump is big enough to be cut in parts (512 KiB)" test "$(wc -c < dump.txt)" -gt 600000
	"$MORTEM" report --json -j 1 dump.txt > one.json || fail "$v: -j 1 exit $?"
	for j in 2 3 8; do
		"$MORTEM" report --json -j $j dump.txt > many.json || fail "$v: -j $j exit $?"
		check "$v: -j $j reports what -j 1 does" cmp -s one.json many.json
	done
	jqcheck one.json '[.threads[] | select(.frames | any(.function == "Crowd.audit" or .function == "Crowd.settle" or .function == "Crowd.withdraw"))] | length == 1500' \
		"$v: every pool thread in the program's own frames"
	jqcheck one.json '[.locks[] | select(.label == "java.lang.Object" and (.waiters | length) > 0)] | length == 50' \
		"$v: the 50 ledgers, each with threads waiting"
	jqcheck one.json '[.findings[] | select(.id == "lock-contention")] | length >= 50' "$v: contention named on each ledger"
	cd ..
done
done_ok
