# triage --html over real artifacts of different kinds (a double free and a
# failed assertion in C, a C++ deadlock core, a JVM deadlock's jstack, an
# hs_err internal error from the corpus): each bucket shows the crash in its
# own words, the findings' summaries and advice, the example stack from its
# first meaningful frame (plumbing folded), the lock graph with thread names,
# the user's frames and lock labels; every element id is unique; one file,
# no scripts, nothing fetched.
. "$TOP/tests/lib/common.sh"
. "$TOP/tests/lib/core.sh"
need cc g++ jq gcore
JDK=/usr/lib/jvm/java-17-openjdk-amd64
[ -x "$JDK/bin/jstack" ] || skip "needs a JDK (openjdk-17-jdk-headless)"
mkdir in

build double_free double_free.c -O0
take_core in/core.dfree ./double_free
build assert_abort assert_abort.c -O0
take_core in/core.assert ./assert_abort

${CXX:-g++} -g -O0 -o pool_deadlock "$TOP/tests/scenario/programs/pool_deadlock.cpp" -lpthread ||
	fail "cannot build pool_deadlock.cpp"
./pool_deadlock roles.txt & pid=$!; PIDS=$pid
i=0; while ! grep -q ready roles.txt 2>/dev/null; do
	i=$((i + 1)); [ $i -gt 200 ] && fail "pool_deadlock did not deadlock"; sleep 0.05
done
gcore_of in/pool.core $pid
kill -9 $pid

cp "$TOP/tests/scenario/programs/java/Deadlock.java" .
"$JDK/bin/javac" -d . Deadlock.java || fail "javac"
"$JDK/bin/java" -Xshare:auto -XX:TieredStopAtLevel=1 -cp . Deadlock > java.out 2>&1 & jpid=$!
PIDS="$PIDS $jpid"
i=0; while ! grep -q deadlocked java.out 2>/dev/null; do
	i=$((i + 1)); [ $i -gt 300 ] && fail "the JVM did not deadlock"; sleep 0.05
done
"$JDK/bin/jstack" -l $jpid > in/jstack.txt || fail "jstack"
kill -9 $jpid
hserr="$SHARED/corpus/hserr/jdk6-win64-internal-error-guarantee.txt"
if [ -f "$hserr" ]; then
	cp "$hserr" in/hs_err.log
elif [ "${CI:-}" = true ]; then
	fail "no corpus at $SHARED/corpus"
else
	echo "no corpus at $SHARED/corpus: the hs_err part is not checked"
fi
printf 'hello, not a dump\n' > in/notes.txt

"$MORTEM" triage --json --html page.html in > t.json
check "triage exits 0" test $? -eq 0
check "html written" test -s page.html
nb=$(jq '.buckets | length' t.json)
jqcheck t.json '[.buckets[] | [-.count, ({"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}[.severity] // 5)]] | . == sort' \
	"biggest first, and among equals the most severe first"
jqcheck t.json '[.buckets[].severity] | index("critical") < index("high")' "a critical bucket before a high one of the same size"

# self-contained, and every id once
check "no scripts, styles or fetches from elsewhere" sh -c '! grep -Eiq "https?://|<script|<link|src=|@import|<iframe|url\\([^#]" page.html'
dups=$(grep -o ' id="[^"]*"' page.html | sort | uniq -d)
check "every element id is unique${dups:+ (twice: $dups)}" test -z "$dups"
check "one arrow marker per lock graph" test "$(grep -c '<marker id="arrow-b[0-9]*"' page.html)" -eq "$(grep -c '<svg' page.html)"
check "markers used by their own graph" sh -c "! grep -o 'marker id=\"arrow-b[0-9]*\"\\|url(#arrow-b[0-9]*)' page.html | sed 's/.*arrow-b\\([0-9]*\\).*/\\1/' | uniq | awk 'seen[\$0]++' | grep -q ."

# the crash in its own words
check "the allocator's message (double free)" grep -q '<div class=msg>SIGABRT.*' page.html
check "double free detected" grep -q 'double free detected' page.html
check "the assertion's text" grep -q "Assertion .debit == credit &amp;&amp; &quot;ledger out of balance&quot;&#39; failed" page.html
if [ -f in/hs_err.log ]; then
	check "the hs_err reason" grep -q '<div class=msg>Internal Error (os_windows_x86.cpp:149)' page.html
fi

# the findings: what, why and what to do
check "every bucket with findings has their summaries" test "$(grep -c '<div class="finding ' page.html)" -ge "$(jq '[.buckets[] | select(.findings | length > 0)] | length' t.json)"
check "advice" test "$(grep -c '<p><b>advice:</b> ' page.html)" -ge 4
check "the deadlock's summary" grep -q '2 threads wait for each other in a cycle' page.html
check "heap corruption explained" grep -q 'assertion-failure\|heap-corruption' page.html

# the example stack from its first meaningful frame, the plumbing folded
check "abort plumbing folded above the assert's frame" \
	sh -c "grep -A2 'frames\\? of plumbing above it' page.html | grep -q 'check_balance\\|raise\\|abort'"
check "the assert's frame shown, not folded" grep -q '^\(<pre>\)\?#[0-9]* *check_balance+0x[0-9a-f]* (assert_abort' page.html
check "the deadlocked thread's own frame shown" grep -q '^\(<pre>\)\?#[0-9]* *\(transfer\|audit\)+0x[0-9a-f]* (pool_deadlock' page.html
check "system frames folded" grep -q '<details><summary>[0-9]* system frames</summary>' page.html

# lock graphs: thread names, where each thread is, lock labels
check "Java thread names in the graph" sh -c "sed -n '/<svg/,/<\\/svg>/p' page.html | grep -q '&quot;holder-of-monitor&quot;'"
check "Java lock labels in the graph" sh -c "sed -n '/<svg/,/<\\/svg>/p' page.html | grep -q 'java.lang.Object\\|ReentrantLock'"
check "the Java frame each thread waits at" sh -c "sed -n '/<svg/,/<\\/svg>/p' page.html | grep -q 'Deadlock\\.[a-zA-Z]* Deadlock\\.java:[0-9]*'"
check "a native thread named by its code" sh -c "sed -n '/<svg/,/<\\/svg>/p' page.html | grep -q '\\(transfer\\|audit\\) pool_deadlock\\.cpp:[0-9]*'"
# a native lock by its name (a global's symbol, with issue 16's lock names) or its kind, never a bare address
check "a native lock by name or kind" sh -c "sed -n '/<svg/,/<\\/svg>/p' page.html | grep -q '>pthread_mutex 0x[0-9a-f]*<\\|>(anonymous namespace)::accounts<'"
check "no lock as a bare address" sh -c "! sed -n '/<svg/,/<\\/svg>/p' page.html | grep -q '>0x[0-9a-f]*<'"
check "who waits for whom, in words" grep -q 'waits for .* held by .* (waiting at ' page.html

# what was not a dump is named
check "skipped inputs listed" grep -q '<code>in/notes.txt</code></td><td>not a recognised dump format' page.html
check "one section per bucket" test "$(grep -c '<section id=' page.html)" -eq "$nb"
done_ok
