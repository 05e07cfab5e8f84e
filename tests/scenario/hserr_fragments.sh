# Pieces of real hs_err logs, as people paste them: the header and the
# "Current thread (0x..):  JavaThread "name" ..." line with the blank line
# JDK 17 and 25 write after it, and no thread list. The crashing thread keeps
# its name and id (the blank line once renamed it "native thread"). Real
# crashes of JDK 17 (and 25 when installed), on main and on a named worker.
. "$TOP/tests/lib/common.sh"
need jq awk
need_jdks javac
P="$TOP/tests/scenario/programs/java"
JOPTS="-Xshare:auto -XX:TieredStopAtLevel=1 -XX:-CreateCoredumpOnCrash -Xmx64m"

# fragment LOG OUT: the log up to the Stack: line (header, summary, current thread, blank line)
fragment() { awk '/^Stack: /{exit} {print}' "$1" >"$2"; }

for jdk in $JDKS; do
	v=$(basename "$jdk")
	mkdir -p "$v" && cd "$v" || fail "cd"
	"$jdk/bin/javac" -d . "$P/UnsafeCrash.java" "$P/WorkerCrash.java" 2>/dev/null || fail "$v: javac"
	for run in "UnsafeCrash main" "WorkerCrash ledger-settle-7"; do
		set -- $run
		cls=$1 name=$2
		rm -f hs_*.log
		"$jdk/bin/java" $JOPTS -XX:ErrorFile="$PWD/hs_%p.log" -cp . "$cls" "$name" >/dev/null 2>&1 &&
			fail "$v: $cls did not crash"
		log=$(ls hs_*.log) || fail "$v: $cls wrote no hs_err file"
		check "$v $cls: the log names the thread and a blank line follows" \
			awk -v n="$name" 'f { exit ($0 != "") } /^Current thread \(0x/ && index($0, "\"" n "\"") { f = 1 }' "$log"
		tid=$(sed -n 's/^Current thread .*id=\([0-9]*\).*/\1/p' "$log")
		fragment "$log" frag.txt
		check "$v $cls: the fragment has no thread list" sh -c '! grep -q "^Java Threads:" frag.txt'
		"$MORTEM" report --json frag.txt >frag.json || fail "$v $cls: report of the fragment"
		jqcheck frag.json ".crash.thread == \"$tid\" and ([.threads[] | select(.id == \"$tid\" and .crashed and .name == \"$name\")] | length == 1)" \
			"$v $cls: the crashing thread $tid keeps its name '$name' in the fragment"
		"$MORTEM" report --json "$log" >whole.json || fail "$v $cls: report of the whole log"
		jqcheck whole.json "[.threads[] | select(.id == \"$tid\" and .crashed and .name == \"$name\")] | length == 1" \
			"$v $cls: and in the whole log"
	done
	cd ..
done
done_ok
