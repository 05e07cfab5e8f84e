# A real JVM deadlock (a monitor and a ReentrantLock in one cycle), dumped by
# jstack -l (JDK 17, and JDK 25 when installed, also with jcmd
# Thread.dump_to_file -format=json): the locks, waits and holds come from the
# stacks alone (HotSpot's deadlock section removed changes nothing), and a
# paste with CRLF and a log prefix on every line gives the same report.
. "$TOP/tests/lib/common.sh"
need jq sed awk
need_jdks jstack
cp "$TOP/tests/scenario/programs/java/Deadlock.java" .

# the report's threads and locks, without the input-dependent keys
shape() { jq -c '{threads: [.threads[] | {id: .id, name: .name, state: .state, w: .waiting_on, h: .holds, frames: [.frames[] | {f: .function, file: .file, line: .line, m: .module, k: .kind}]}], locks: .locks}' "$1" || echo "jq failed on $1"; }

for jdk in $JDKS; do
	v=$(basename "$jdk")
	mkdir -p "$v" && cd "$v" || fail "cd"
	"$jdk/bin/javac" -d . ../Deadlock.java || fail "$v: javac"
	"$jdk/bin/java" -Xshare:auto -XX:TieredStopAtLevel=1 -cp . Deadlock > out.txt 2>&1 & pid=$!
	PIDS="$PIDS $pid"
	i=0
	while ! grep -q deadlocked out.txt 2>/dev/null; do
		i=$((i + 1)); [ $i -gt 300 ] && fail "$v: the JVM did not deadlock"; sleep 0.05
	done
	"$jdk/bin/jstack" -l $pid > dump.txt || fail "$v: jstack"
	json=""
	if "$jdk/bin/jcmd" $pid help 2>/dev/null | grep -q Thread.dump_to_file; then
		"$jdk/bin/jcmd" $pid Thread.dump_to_file -format=json "$PWD/dump.json" >/dev/null || fail "$v: jcmd"
		json=dump.json
	fi
	kill -9 $pid; wait $pid 2>/dev/null

	"$MORTEM" report --json dump.txt > r.json || fail "$v: mortem report"
	jqcheck r.json '.input.format == "jstack" and .process.runtime == "jvm"' "$v: jstack detected"
	jqcheck r.json '[.threads[] | select(.name == "VM Thread")] | length == 1' "$v: VM-internal threads listed"
	jqcheck r.json "[.threads[] | select(.name == \"holder-of-monitor\") | .id] | .[0] as \$id | (\$id | test(\"^[0-9]+\$\"))" "$v: thread id is the decimal nid"
	tid=$(jq -r '.threads[] | select(.name == "holder-of-monitor") | .id' r.json)
	check "$v: the id is a task of the JVM" grep -q "nid=$tid\\|nid=0x$(printf %x "$tid") " dump.txt
	M='.threads[] | select(.name == "holder-of-monitor")'
	R='.threads[] | select(.name == "holder-of-rlock")'
	jqcheck r.json "($M | .waiting_on) as \$w | [.locks[] | select(.id == \$w and .kind == \"juc_sync\" and (.label | test(\"ReentrantLock\")))] | length == 1" "$v: monitor holder waits on the ReentrantLock"
	jqcheck r.json "($R | .waiting_on) as \$w | [.locks[] | select(.id == \$w and .kind == \"java_monitor\" and .label == \"java.lang.Object\")] | length == 1" "$v: lock holder waits on the monitor"
	jqcheck r.json "($M | .waiting_on) as \$w | ($R | .holds | index(\$w)) != null" "$v: rlock holder holds the ReentrantLock (ownable synchronizer)"
	jqcheck r.json "($R | .waiting_on) as \$w | ($M | .holds | index(\$w)) != null" "$v: monitor holder holds the monitor"
	jqcheck r.json "($M | .id) as \$m | ($R | .id) as \$r | [.locks[] | select((.owner == \$m and (.waiters | index(\$r))) or (.owner == \$r and (.waiters | index(\$m))))] | length == 2" "$v: lock owners and waiters form the cycle"
	jqcheck r.json "[$M | .frames[] | select(.function == \"Deadlock.monitorThenLock\" and .file == \"Deadlock.java\" and .line > 0 and .kind == \"java\")] | length == 1" "$v: java frames with file and line"
	jqcheck r.json '[.threads[].frames[] | select(.module != null and (.module | startswith("java.base@")))] | length > 0' "$v: module-qualified frames"
	jqcheck r.json '[.threads[] | select(.name == "holder-of-monitor" and (.state | startswith("WAITING")))] | length == 1' "$v: thread state"

	# HotSpot's own deadlock section is a cross-check, not the source
	check "$v: the dump has a deadlock section" grep -q "Found one Java-level deadlock" dump.txt
	sed '/^Found one Java-level deadlock/,/^Found [0-9]* deadlock/d' dump.txt > nodl.txt
	check "$v: the section is gone" sh -c '! grep -q "Java-level deadlock" nodl.txt'
	"$MORTEM" report --json nodl.txt > nodl.json || fail "$v: report without the section"
	check "$v: a report shape" test "$(shape r.json | wc -c)" -gt 1000
	check "$v: same threads and locks without HotSpot's deadlock section" test "$(shape r.json)" = "$(shape nodl.json)"

	# a paste: CRLF and a log prefix on every line, on stdin
	awk '{ printf "2024-05-06 10:11:%02d,%03d INFO  [pool-%d-thread-1] %s\r\n", NR % 60, NR % 1000, NR % 7, $0 }' dump.txt |
		"$MORTEM" report --json - > paste.json || fail "$v: report from stdin"
	jqcheck paste.json '.input.path == "-" and .input.format == "jstack"' "$v: pasted dump detected"
	jqcheck paste.json '[.input.warnings[] | select(test("log prefix"))] | length == 1' "$v: the prefix removal is noted"
	check "$v: pasted dump gives the same threads, frames and locks" test "$(shape r.json)" = "$(shape paste.json)"

	# piped into plain `mortem` (no INPUT, stdout not a terminal): the text report, cycle first
	cat dump.txt | "$MORTEM" > piped.txt 2> piped.err
	check "$v: cat dump | mortem: exit 0" test $? -eq 0
	check "$v: cat dump | mortem: no paste hint" test ! -s piped.err
	check "$v: cat dump | mortem: the deadlock" grep -q '^  \[critical\] threads wait for each other in a cycle' piped.txt
	check "$v: cat dump | mortem: the cycle's threads first, in full" \
		sh -c "grep -A1 '^Threads to read first' piped.txt >/dev/null && grep -q '^Thread [0-9]* \"holder-of-monitor\" .*(in a lock cycle)' piped.txt"
	check "$v: the other threads folded" grep -q '^Other threads ([0-9]*), folded by stack' piped.txt
	# one word per state, whatever the spelling (RUNNABLE and the VM threads' runnable)
	states=$(sed -n 's/^Threads by state: //p' piped.txt)
	check "$v: a state summary" test -n "$states"
	check "$v: each state counted once ($states)" sh -c "echo '$states' | tr ',' '\n' | sed 's/^ *[0-9]* //' | sort | uniq -d | grep -q . && exit 1 || exit 0"
	check "$v: states lower-case ($states)" sh -c "! echo '$states' | grep -q '[A-Z]'"
	check "$v: the states add up to the threads" test "$(echo "$states" | tr ',' '\n' | awk '{s += $1} END {print s}')" -eq "$(jq '.threads | length' r.json)"

	if [ -n "$json" ]; then
		"$MORTEM" report --json dump.json > j.json || fail "$v: report jcmd json"
		jqcheck j.json '.input.format == "jcmd-json"' "$v: jcmd-json detected"
		jqcheck j.json "(.threads | length) >= 8" "$v: jcmd-json threads"
		jqcheck j.json "($M | .id) as \$m | ($R | .waiting_on) as \$w | [.locks[] | select(.id == \$w and .kind == \"java_monitor\" and .owner == \$m)] | length == 1" "$v: jcmd-json: monitor owned by its holder, waited on by the other"
		jqcheck j.json "($M | .waiting_on) as \$w | [.locks[] | select(.id == \$w and .kind == \"juc_sync\")] | length == 1" "$v: jcmd-json: parked on the ReentrantLock"
	fi
	cd .. || fail "cd"
done
done_ok
