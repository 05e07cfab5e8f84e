# The lock graph over the whole shared corpus: the dumps that hold a deadlock
# get exactly their cycle (thread names as the dump gives them); every other
# dump gets none. The timed "fake deadlock" (tryLock with a timeout) is
# said in a warning, not reported as a cycle.
. "$TOP/tests/lib/common.sh"
need jq
C="$SHARED/corpus"
[ -f "$C/MANIFEST.tsv" ] || fail "no corpus at $C"
# FILE<TAB>cycle thread names, sorted, joined with "|"
cat > expect.tsv <<'X'
jstack/jthreaddump-jdk25-deadlock.txt	DeadlockThread-A|DeadlockThread-B
jstack/qinchy-jdk8u181-win-deadlock-padded.txt	Thread-0|Thread-1
jstack/juc-lockinterruptibly-deadlock-jdk8-win.txt	Thread-0|Thread-1
jstack/samurai-jrockit-r27-910-4dumps.txt	[ACTIVE] ExecuteThread: '2' for queue: 'weblogic.kernel.Default (self-tuning)'|[ACTIVE] ExecuteThread: '5' for queue: 'weblogic.kernel.Default (self-tuning)'
jstack/samurai-springboot-actuator-json-http.txt	deadLock1|deadLock2
jstack/samurai-springboot-actuator-text-jdk17.txt	deadLock1|deadLock2
X
n=0
for f in $(tail -n +2 "$C/MANIFEST.tsv" | cut -f1); do
	[ -f "$C/$f" ] || continue
	n=$((n + 1))
	"$MORTEM" report --json "$C/$f" > out.json 2>/dev/null || continue
	got=$(jq -r '(.threads | map({(.id): (.name // .id)}) | add) as $n | [.findings[] | select(.id == "lock-cycle") | [.threads[] | $n[.]] | sort | join("|")] | join(" / ")' out.json)
	want=$(awk -F'\t' -v f="$f" '$1 == f { print $2 }' expect.tsv)
	check "$f: cycles '${want:-none}'" test "$got" = "$want"
done
check "the corpus was read ($n files)" test $n -gt 50
"$MORTEM" report --json "$C/jstack/juc-fake-deadlock-trylock-jdk7-macos.txt" > fake.json
jqcheck fake.json '[.input.warnings[] | select(test("with a timeout"))] | length == 1' "tryLock cycle: said in a warning"
done_ok
