# An IBM J9 / OpenJ9 javacore of a deadlock of mixed kinds (a monitor and a
# ReentrantLock: tests/scenario/programs/java/Deadlock.java), written after
# real OpenJ9 0.40 output (tests/fixtures/j9-deadlock.javacore.txt; no J9
# JVM is installed here). A j.u.c. lock's owner is told only by
# "Owned by:" after "Parked on:", so the cycle is found only when that is
# read; J9's own 1LKDEADLOCK report is a cross-check, not the source: with
# the LOCKS section gone the report is the same. Shaped differently: other
# thread names, two threads of one name told apart by their J9VMThread.
. "$TOP/tests/lib/common.sh"
need jq sed
FIX=$TOP/tests/fixtures/j9-deadlock.javacore.txt
[ -f "$FIX" ] || fail "no $FIX"

cycle='[.findings[] | select(.id == "lock-cycle")] | length == 1'
"$MORTEM" report --json "$FIX" >r.json || fail "mortem report"
jqcheck r.json '.input.format == "javacore" and (.threads | length) == 5' "javacore detected, 5 threads"
jqcheck r.json '[.threads[].id] == ["31808", "31826", "31827", "31814", "31811"]' \
	"thread ids are the native thread ids (3XMJAVALTHRCCL before 3XMTHREADINFO1)"
jqcheck r.json "$cycle" "the deadlock J9 reports is found"
R='.threads[] | select(.name == "holder-of-rlock")'
M='.threads[] | select(.name == "holder-of-monitor")'
jqcheck r.json "($M | .waiting_on) as \$w | ($R | .holds | index(\$w)) != null and ([.locks[] | select(.id == \$w and .kind == \"juc_sync\")] | length == 1)" \
	"the ReentrantLock's owner comes from 'Owned by:'"
jqcheck r.json "($R | .waiting_on) as \$w | ($M | .holds | index(\$w)) != null" \
	"the monitor's owner holds it (entered lock)"
jqcheck r.json '[.threads[] | select(.name == "Common-Cleaner") | .waiting_on] == [null]' \
	"Object.wait on an unowned queue is no wait-for edge"

# J9's deadlock report is a cross-check: without the LOCKS section, the same report
sed '/^0SECTION       LOCKS/,/^0SECTION       THREADS/{/^0SECTION       THREADS/!d}' "$FIX" >nolocks.txt
check "the LOCKS section is gone" sh -c '! grep -q LKDEADLOCK nolocks.txt'
"$MORTEM" report --json nolocks.txt >nolocks.json || fail "report without LOCKS"
shape() { jq -c '{t: [.threads[] | {id, w: .waiting_on, h: .holds}], f: [.findings[].id]}' "$1"; }
check "same threads, locks and findings without J9's own report" test "$(shape r.json)" = "$(shape nolocks.json)"

# other names; two threads called "worker" told apart by their J9VMThread
sed -e 's/holder-of-monitor/worker/g' -e 's/holder-of-rlock/worker/g' "$FIX" >same.txt
"$MORTEM" report --json same.txt >same.json || fail "report with one name twice"
jqcheck same.json "$cycle" "two threads of one name: the owners come from their J9VMThread"
sed -e 's/"holder-of-monitor"/"Default Executor-thread-7"/g' -e 's/"holder-of-rlock"/"WebContainer : 3"/g' \
	-e 's/Deadlock\./com\/acme\/Ledger./g' "$FIX" >names.txt
"$MORTEM" report --json names.txt >names.json || fail "report with other names"
jqcheck names.json "($cycle) and ([.findings[0].threads[]] | sort) == [\"31826\", \"31827\"]" \
	"other names: the same cycle"
done_ok
