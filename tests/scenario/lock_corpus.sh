# The lock graph over the whole shared corpus: the dumps that hold a deadlock
# get exactly their cycle (thread names as the dump gives them); every other
# dump gets none. The timed "fake deadlock" (tryLock with a timeout) is
# said in a warning, not reported as a cycle.
. "$TOP/tests/lib/common.sh"
need jq
C="$SHARED/corpus"
need_shared corpus
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
files=$(tail -n +2 "$C/MANIFEST.tsv" | cut -f1 | while read -r f; do [ -f "$C/$f" ] && echo "$C/$f"; done)
n=$(echo "$files" | wc -l)
# one process for the whole corpus (inputs that cannot be analyzed print no line)
"$MORTEM" report --json $files > all.json 2>/dev/null
jq -r --arg c "$C/" '(.threads | map({(.id): (.name // .id)}) | add) as $n | [(.input.path | ltrimstr($c)), ([.findings[] | select(.id == "lock-cycle") | [.threads[] | $n[.]] | sort | join("|")] | join(" / "))] | @tsv' all.json > got.tsv
check "every analyzed input has a line" test "$(wc -l < got.tsv)" -gt 50
while IFS="$(printf '\t')" read -r f got; do
	want=$(awk -F'\t' -v f="$f" '$1 == f { print $2 }' expect.tsv)
	check "$f: cycles '${want:-none}'" test "$got" = "$want"
done < got.tsv
for f in $(cut -f1 expect.tsv); do
	check "$f was analyzed" grep -q "^$f	" got.tsv
done
check "the corpus was read ($n files)" test $n -gt 50
"$MORTEM" report --json "$C/jstack/juc-fake-deadlock-trylock-jdk7-macos.txt" > fake.json
jqcheck fake.json '[.input.warnings[] | select(test("with a timeout"))] | length == 1' "tryLock cycle: said in a warning"
done_ok
