#!/bin/sh
# Parse speed of jstack dumps of BENCH_THREADS threads (default 50000,
# ~93 MB), generated in a temporary directory (removed at exit):
#   - a pool-style dump: 650 distinct stacks over 50,000 threads, as a big
#     service's pools give;
#   - the worst case: every thread's stack distinct (a line number differs);
#   - the pool dump with a log prefix on every line.
# Prints parse-only MB/s (bench/parsebench: median, input in memory) and the
# whole `mortem report --json` run (wall and CPU MB/s, JSON size, peak RSS),
# next to `wc -l` on the same bytes.
MORTEM=${MORTEM:-./mortem}
N=${BENCH_THREADS:-50000}
T=$(mktemp -d "${TMPDIR:-/tmp}/mortem-bench.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
awk -v n="$N" 'BEGIN {
	print "2024-01-15 10:30:45"
	print "Full thread dump OpenJDK 64-Bit Server VM (21.0.2+13-58 mixed mode, sharing):\n"
	for (i = 0; i < n; i++) {
		printf "\"pool-%d-thread-%d\" #%d [%d] daemon prio=5 os_prio=0 cpu=%d.25ms elapsed=%d.01s tid=0x00007f4b%08x nid=%d waiting on condition  [0x00007f4b2a5fe000]\n", i % 97, i, i + 20, 100000 + i, i % 1000, i % 5000, i, 100000 + i
		print "   java.lang.Thread.State: WAITING (parking)"
		print "\tat jdk.internal.misc.Unsafe.park(java.base@21.0.2/Native Method)"
		printf "\t- parking to wait for  <0x000000062a%06x> (a java.util.concurrent.locks.ReentrantLock$NonfairSync)\n", i % 4096
		print "\tat java.util.concurrent.locks.LockSupport.park(java.base@21.0.2/LockSupport.java:221)"
		print "\tat java.util.concurrent.locks.AbstractQueuedSynchronizer.acquire(java.base@21.0.2/AbstractQueuedSynchronizer.java:754)"
		print "\tat java.util.concurrent.locks.AbstractQueuedSynchronizer.acquire(java.base@21.0.2/AbstractQueuedSynchronizer.java:990)"
		print "\tat java.util.concurrent.locks.ReentrantLock$Sync.lock(java.base@21.0.2/ReentrantLock.java:153)"
		print "\tat java.util.concurrent.locks.ReentrantLock.lock(java.base@21.0.2/ReentrantLock.java:322)"
		printf "\tat com.example.service.Repository.load%d(Repository.java:%d)\n", i % 13, 100 + i % 50
		printf "\t- locked <0x000000071b%06x> (a java.lang.Object)\n", i
		print "\tat com.example.service.Service.handle(Service.java:88)"
		print "\tat com.example.web.Controller.get(Controller.java:41)"
		print "\tat jdk.internal.reflect.DirectMethodHandleAccessor.invoke(java.base@21.0.2/DirectMethodHandleAccessor.java:103)"
		print "\tat java.lang.reflect.Method.invoke(java.base@21.0.2/Method.java:580)"
		print "\tat org.springframework.web.method.support.InvocableHandlerMethod.doInvoke(InvocableHandlerMethod.java:255)"
		print "\tat org.springframework.web.servlet.FrameworkServlet.processRequest(FrameworkServlet.java:1014)"
		print "\tat org.apache.tomcat.util.threads.ThreadPoolExecutor.runWorker(ThreadPoolExecutor.java:1190)"
		print "\tat org.apache.tomcat.util.threads.ThreadPoolExecutor$Worker.run(ThreadPoolExecutor.java:659)"
		print "\tat java.lang.Thread.run(java.base@21.0.2/Thread.java:1583)"
		print ""
		print "   Locked ownable synchronizers:"
		printf "\t- <0x000000063a%06x> (a java.util.concurrent.ThreadPoolExecutor$Worker)\n\n", i
	}
	print "JNI global refs: 15, weak refs: 0"
}' > "$T/big.txt"
awk '{ printf "2024-01-15 10:30:%02d,%03d INFO  [main] %s\n", NR % 60, NR % 1000, $0 }' "$T/big.txt" > "$T/prefixed.txt"
# every stack distinct: Repository.java's line number is the thread's own
awk '/Repository\.java:/ { n++; sub(/Repository\.java:[0-9]+/, "Repository.java:" (100 + n)) } { print }' "$T/big.txt" > "$T/distinct.txt"
measure() { # name file
	bytes=$(wc -c < "$2")
	/usr/bin/time -f "%e %U %S %M" -o "$T/time" "$MORTEM" report --json "$2" > "$T/out.json" ||
		{ echo "$1: mortem failed"; return 1; }
	threads=$(jq '.threads | length' "$T/out.json")
	out=$(wc -c < "$T/out.json")
	read -r wall user sys rss < "$T/time"
	awk -v n="$1" -v b="$bytes" -v w="$wall" -v u="$user" -v s="$sys" -v t="$threads" -v o="$out" -v r="$rss" \
		'BEGIN { cpu = u + s; if (cpu <= 0) cpu = 0.01; if (w <= 0) w = 0.01;
		 printf "%-20s %6.1f MB in, %6.1f MB JSON out, %6d threads: %5.2f s wall (%6.1f MB/s), %5.2f s CPU (%6.1f MB/s), %d MB RSS\n",
		 n, b / 1e6, o / 1e6, t, w, b / 1e6 / w, cpu, b / 1e6 / cpu, r / 1024 }'
}
# parse only (no analysis, no JSON): build/out/bench/parsebench (make bench builds it)
PB=${BUILD:-build/out}/bench/parsebench
wc_rate() { # file: wc -l MB/s (median of 5)
	for i in 1 2 3 4 5; do /usr/bin/time -f "%e" -o "$T/wct" wc -l "$1" >/dev/null; cat "$T/wct"; done |
		sort -n | sed -n 3p | awk -v b="$(wc -c <"$1")" '{ t = $1 > 0 ? $1 : 0.01; printf "%.0f", b / 1e6 / t }'
}
for f in big distinct prefixed; do
	[ -x "$PB" ] && printf '%-10s ' "$f" && "$PB" jstack "$T/$f.txt" 5
done
echo "wc -l on the pool dump: $(wc_rate "$T/big.txt") MB/s (whole process)"
measure "jstack, pool" "$T/big.txt"
measure "jstack, distinct" "$T/distinct.txt"
measure "jstack, log prefix" "$T/prefixed.txt"
