# A real JVM deadlock over two monitors and a ReentrantLock (LockCycle.java),
# dumped with jstack -l: the cycle is found from the thread dump alone, with
# HotSpot's own deadlock section removed; exactly its three threads, mixed
# lock kinds, the contention beside it; the HotSpot section as a cross-check.
. "$TOP/tests/lib/common.sh"
JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}
PATH=$JAVA_HOME/bin:$PATH
need java jstack jq
cp "$TOP/tests/scenario/programs/LockCycle.java" .
java -Xint -Xshare:auto -XX:+UseSerialGC -Xss256k LockCycle.java > out.txt 2> err.txt & pid=$!; PIDS=$pid
i=0; while [ $i -lt 300 ] && ! grep -q ready out.txt; do sleep 0.1; i=$((i + 1)); done
check "the JVM reached its deadlock" grep -q ready out.txt
sleep 0.5
jstack -l $pid > full.txt || fail "jstack failed"
jstack $pid > nol.txt || fail "jstack failed"
kill -9 $pid
check "HotSpot saw the deadlock" grep -q '^Found one Java-level deadlock' full.txt
sed '/^Found one Java-level deadlock/,$d' full.txt > cut.txt
check "the section is gone from the cut dump" sh -c '! grep -q "Java-level deadlock" cut.txt'

"$MORTEM" report --json cut.txt > cut.json || fail "report failed"
jqcheck cut.json '[.findings[] | select(.id == "lock-cycle")] | length == 1' "one lock cycle"
jqcheck cut.json '(.threads | map({(.id): .name}) | add) as $n | [.findings[] | select(.id == "lock-cycle") | .threads[] | $n[.]] | sort == ["cycle-a", "cycle-b", "cycle-c"]' "exactly the three cycle threads"
jqcheck cut.json '.findings[] | select(.id == "lock-cycle") | .severity == "critical" and .confidence == "certain"' "critical, certain"
jqcheck cut.json '[.locks[] as $l | .findings[] | select(.id == "lock-cycle") | .locks[] | select(. == $l.id) | $l.kind] | sort == ["java_monitor", "java_monitor", "juc_sync"]' "two monitors and a juc synchronizer on the cycle"
jqcheck cut.json '(.threads | map({(.id): .name}) | add) as $n | [.locks[] | select(.owner != null and (.waiters | length) > 0) | [$n[.waiters[0]], .kind, $n[.owner]]] | sort == [["cycle-a", "juc_sync", "cycle-b"], ["cycle-b", "java_monitor", "cycle-c"], ["cycle-c", "java_monitor", "cycle-a"], ["queued-0", "java_monitor", "holder"]]' "each waiter's lock kind and owner"
jqcheck cut.json '[.findings[] | select(.id == "lock-contention")] | length == 1' "one contention finding"
jqcheck cut.json '(.threads | map({(.id): .name}) | add) as $n | [.findings[] | select(.id == "lock-contention") | .threads[] | $n[.]] | sort == ["holder", "queued-0", "queued-1", "queued-2"]' "contention: the holder and its three waiters"
jqcheck cut.json '.findings[] | select(.id == "lock-cycle") | .summary | test("cycle-a.*LockCycle.cycleA LockCycle.java:[0-9]+.*waits for.*juc_sync.*held by.*cycle-b")' "the summary draws the cycle with each thread's frame"

"$MORTEM" report cut.txt > cut.out
check "the text report draws the cycle" grep -q 'waits for→ java_monitor .*held by→ thread [0-9]* "cycle-' cut.out

# HotSpot's section agrees: no warning; a jstack without -l gets the owner from it
"$MORTEM" report --json full.txt > full.json
jqcheck full.json '[.input.warnings[] | select(test("HotSpot"))] | length == 0' "HotSpot's section agrees with the graph"
"$MORTEM" report --json nol.txt > nol.json
jqcheck nol.json '[.findings[] | select(.id == "lock-cycle")] | length == 1' "without -l: the cycle, with the owner from HotSpot's section"
jqcheck nol.json '[.input.warnings[] | select(test("taken from HotSpot"))] | length == 1' "without -l: the borrowed owner is said"
# a section that disagrees: it names "holder" instead of "cycle-c"
sed '/^Found one Java-level deadlock/,/^Java stack information/s/^"cycle-c":/"holder":/' full.txt > odd.txt
"$MORTEM" report --json odd.txt > odd.json
jqcheck odd.json '[.input.warnings[] | select(test("HotSpot.s deadlock section puts thread [0-9]+ \"holder\""))] | length == 1' "disagreement: HotSpot names a thread off the cycle"
jqcheck odd.json '[.input.warnings[] | select(test("does not list"))] | length == 1' "disagreement: a cycle thread HotSpot does not list"

"$MORTEM" report --dot graph.dot cut.txt > /dev/null
check "--dot writes the graph" test -s graph.dot
check "--dot: cycle threads red" sh -c "grep 'cycle-a' graph.dot | grep -q 'color=red'"
check "--dot: the holder is not red" sh -c "! grep 'holder' graph.dot | grep -q 'color=red'"
done_ok
