#!/bin/sh
# bench/core_jvm_java.sh: the Java side of a JVM core, side by side with
# jhsdb. A JDK 17 JVM (-Xmx2g, 1.5 GB of live heap, ~25 threads: 18 sleepers
# and LockCycle's deadlock) is taken with gcore; then, median of RUNS runs
# each: `jhsdb jstack --mixed --core`, `mortem report --json` (Java frames,
# names and locks) and `mortem report --json --no-java` (native only).
# Prints the times, peak RSS (GNU time) and the ratios; deletes the core.
# Usage: sh bench/core_jvm_java.sh [RUNS]   (from the repository root)
set -u
runs=${1:-5}
top=$(pwd)
jdk=/usr/lib/jvm/java-17-openjdk-amd64
[ -x "$jdk/bin/jhsdb" ] || { echo "skipped: needs $jdk/bin/jhsdb"; exit 0; }
command -v gcore > /dev/null || { echo "skipped: needs gcore"; exit 0; }
[ -x /usr/bin/time ] || { echo "skipped: needs GNU time"; exit 0; }
work=$(mktemp -d "${TMPDIR:-/tmp}/mortem-bench.XXXXXX")
jpid=""
trap '[ -n "$jpid" ] && kill -9 $jpid 2>/dev/null; rm -rf "$work"' EXIT INT TERM
cd "$work" || exit 1
cp "$top/tests/scenario/programs/LockCycle.java" .
cat > Hung.java <<'JAVA'
public class Hung {
    static byte[][] keep = new byte[1500][];
    public static void main(String[] a) throws Exception {
        for (int i = 0; i < keep.length; i++) keep[i] = new byte[1 << 20];
        for (int i = 0; i < 18; i++)
            new Thread(() -> { try { Thread.sleep(600000); } catch (Exception e) {} }, "sleeper-" + i).start();
        LockCycle.main(a);
    }
}
JAVA
"$jdk/bin/javac" -d . LockCycle.java Hung.java || exit 1
"$jdk/bin/java" -Xmx2g -XX:+UseSerialGC -cp . Hung > out.txt 2>&1 & jpid=$!
i=0
while [ $i -lt 120 ] && ! grep -q ready out.txt; do sleep 0.5; i=$((i + 1)); done
sleep 1
gcore -o core $jpid > /dev/null 2>&1 || { echo "gcore failed"; exit 1; }
kill -9 $jpid; jpid=""
core=$(ls core.*)
"$top/mortem" report --json "$core" > r.json
echo "core: $(du -h "$core" | cut -f1), $(grep -o '"tid":' r.json | wc -l) threads"
# median wall time (ms) and the largest peak RSS (KB) of $runs runs of "$@"
measure() {
	: > times; : > rss
	for r in $(seq 1 "$runs"); do
		s=$(date +%s%N)
		/usr/bin/time -f %M -o rss1 "$@" > /dev/null 2>&1
		e=$(date +%s%N)
		echo $(( (e - s) / 1000000 )) >> times
		cat rss1 >> rss
	done
	echo "$(sort -n times | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }') $(sort -n rss | tail -1)"
}
set -- $(measure "$jdk/bin/jhsdb" jstack --mixed --exe "$jdk/bin/java" --core "$core"); hs=$1; hs_rss=$2
set -- $(measure "$top/mortem" report --json "$core"); mo=$1; mo_rss=$2
set -- $(measure "$top/mortem" report --json --no-java "$core"); nat=$1; nat_rss=$2
echo "jhsdb jstack --mixed --core:        ${hs} ms, ${hs_rss} KB"
echo "mortem report --json:               ${mo} ms, ${mo_rss} KB"
echo "mortem report --json --no-java:     ${nat} ms, ${nat_rss} KB"
awk -v h="$hs" -v m="$mo" -v n="$nat" -v hr="$hs_rss" -v mr="$mo_rss" 'BEGIN {
	printf "ratio jhsdb/mortem: %.1f (goal >= 2)\n", h / m
	printf "ratio mortem/native-only: %.2f (goal <= 1.5)\n", m / n
	printf "RSS mortem/jhsdb: %.2f (goal < 1)\n", mr / hr }'
grep -q '"deadlock: LockCycle.cycleA' r.json && echo "the Java deadlock found from the core" || echo "NOTE: no Java deadlock found"
