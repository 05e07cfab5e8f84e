# The text report is read top to bottom: a C++ server's deadlock core (12
# threads: an idle pool of 8, two in a cycle, one queued behind them, main
# joining) prints the cycle first and folds the pool into one entry; a
# stack overflow's 2,048 frames fold into a few lines that still name the
# recursing function (also two functions calling each other, and a C
# program built with -O2); report --all prints every thread whole, as the
# JSON keeps them.
. "$TOP/tests/lib/common.sh"
. "$TOP/tests/lib/core.sh"
need g++ cc jq gcore

# line_of PATTERN FILE: the first line number matching PATTERN (grep -E), or 0
line_of() { n=$(grep -nE -- "$1" "$2" | head -n 1 | cut -d: -f1); echo "${n:-0}"; }

${CXX:-g++} -g -O0 -o pool_deadlock "$TOP/tests/scenario/programs/pool_deadlock.cpp" -lpthread ||
	fail "cannot build pool_deadlock.cpp"
./pool_deadlock roles.txt & pid=$!; PIDS=$pid
i=0; while ! grep -q ready roles.txt 2>/dev/null; do
	i=$((i + 1)); [ $i -gt 200 ] && fail "pool_deadlock did not deadlock"; sleep 0.05
done
gcore_of core $pid
kill -9 $pid
transfer=$(awk '$1 == "transfer" {print $2}' roles.txt)
audit=$(awk '$1 == "audit" {print $2}' roles.txt)
behind=$(awk '$1 == "report" {print $2}' roles.txt)
main=$(awk '$1 == "main" {print $2}' roles.txt)
workers=$(awk '$1 == "worker" {print $2}' roles.txt | sort -n | tr '\n' ' ')

"$MORTEM" report core > out.txt
check "report exits 0" test $? -eq 0
"$MORTEM" report --json core > out.json
jqcheck out.json '(.threads | length) == 12 and all(.threads[]; (.frames | length) > 3)' "JSON: all 12 threads with their frames"
jqcheck out.json '[.findings[] | select(.id == "lock-cycle")] | length == 1' "the cycle is found"

pool=$(line_of '^  8 threads like [0-9]+: .*worker pool_deadlock\.cpp:[0-9]+' out.txt)
check "the idle pool folds into one entry saying 8 threads" test "$pool" -gt 0
check "the cycle's threads come before the pool" \
	sh -c "[ $(line_of "^Thread $transfer " out.txt) -gt 0 ] && [ $(line_of "^Thread $audit " out.txt) -gt 0 ] &&
	       [ $(line_of "^Thread $transfer " out.txt) -lt $pool ] && [ $(line_of "^Thread $audit " out.txt) -lt $pool ]"
check "the cycle's threads say so" grep -q "^Thread $transfer .*(in a lock cycle)" out.txt
check "the thread queued behind the cycle is in full" grep -q "^Thread $behind .*(blocked behind $transfer)" out.txt
check "main, joining a thread of the cycle, is behind it too" grep -q "^Thread $main .*(blocked behind $transfer)" out.txt
ids=$(sed -n "$((pool + 1))p" out.txt | tr -s ' ' '\n' | grep . | sort -n | tr '\n' ' ')
check "the pool's entry lists the 8 workers' ids" test "$ids" = "$workers"
check "no worker is printed in full" sh -c "! grep -qE '^Thread ($(echo $workers | tr ' ' '|')) ' out.txt"
check "the pool's stack is said in one line, not printed" test "$(grep -c 'pool_deadlock.cpp:42' out.txt)" -le 1
check "system frames are shortened (no address)" grep -qE '^  #[0-9]+ +_*pthread_mutex_lock \(libc[^)]*\) at ' out.txt
check "the user's frames are whole" grep -qE "^  #[0-9]+ +0x[0-9a-f]{16} transfer\+0x[0-9a-f]+ \(pool_deadlock\+0x[0-9a-f]+\) at .*pool_deadlock.cpp:[0-9]+" out.txt
check "the deadlock report is short" test "$(wc -l < out.txt)" -lt 100
echo "($(wc -l < out.txt) lines; $("$MORTEM" report --all core | wc -l) with --all)"

# --all: every thread whole, in dump order after the crashed one (none here)
"$MORTEM" report --all core > all.txt
check "--all prints every thread" test "$(grep -c '^Thread ' all.txt)" -eq 12
check "--all keeps dump order" test "$(grep '^Thread ' all.txt | cut -d' ' -f2 | tr '\n' ' ')" = "$(jq -r '[.threads[].id] | join(" ")' out.json) "
check "--all folds nothing" sh -c "! grep -q 'threads like\|×' all.txt"
check "--all: every frame's address" test "$(grep -c '^  #[0-9]* *0x' all.txt)" -eq "$(jq '[.threads[].frames[]] | length' out.json)"

# a stack overflow: under 120 lines, and the recursing function named
build stack_overflow stack_overflow.c -O0
take_core ovf ./stack_overflow
"$MORTEM" report ovf > ovf.txt
check "overflow: under 120 lines" test "$(wc -l < ovf.txt)" -lt 120
check "overflow: the run folds into one line with its count" grep -qE '^  #[0-9]+–#[0-9]+  recurse stack_overflow\.c:[0-9]+  ×[0-9]{4}$' ovf.txt
check "overflow: the top of the stack is whole" grep -qE '^  #0 +0x[0-9a-f]+ recurse\+' ovf.txt
"$MORTEM" report --max-frames 0 ovf > whole.txt
check "overflow, whole stack: the bottom is kept (main)" grep -qE '^  #[0-9]+ +0x[0-9a-f]+ main\+.*stack_overflow\.c:' whole.txt
check "overflow, whole stack: still short" test "$(wc -l < whole.txt)" -lt 120
take_core mutual ./stack_overflow mutual
"$MORTEM" report mutual > mutual.txt
check "mutual recursion folds by its two frames" grep -qE '^  #[0-9]+–#[0-9]+  (walk|visit) stack_overflow\.c:[0-9]+ < (walk|visit) stack_overflow\.c:[0-9]+  ×[0-9]+ \(2 frames each\)$' mutual.txt
check "mutual recursion: under 120 lines" test "$(wc -l < mutual.txt)" -lt 120

# another shape: a C program built with -O2, 30 threads, 28 asleep on their own conditions, two in ABBA
cc -g -O2 -o lockhang "$TOP/tests/scenario/programs/lockhang.c" -lpthread -lunwind || fail "cannot build lockhang.c"
./lockhang many many.txt 30 & pid=$!; PIDS="$PIDS $pid"
i=0; while [ ! -s many.txt ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
wait_threads $pid 31
gcore_of many.core $pid
kill -9 $pid
"$MORTEM" report many.core > many.txt.out
check "-O2 C: 28 sleepers fold into one entry" grep -qE '^  28 threads like [0-9]+: pthread_cond_wait < many_sleeper lockhang\.c:[0-9]+$' many.txt.out
check "-O2 C: the ABBA pair in full" test "$(grep -c '(in a lock cycle)' many.txt.out)" -eq 2
done_ok
