# C++ deadlocks written the way people write them (std::mutex with
# lock_guard/unique_lock/scoped_lock, a std::shared_mutex, condition
# variables, idle worker pools, a heartbeat thread): the signature, the
# finding and the lock names come from the program's own functions and
# globals, not from std::mutex or pthread plumbing; two programs of the
# same shape land in different buckets; a core, its gdb text and its
# eu-stack text land in one.
. "$TOP/tests/lib/common.sh"
need g++ clang++ strip gcore gdb eu-stack jq

# hang NAME: runs ./NAME until its deadlock has formed, leaves NAME.core,
# NAME.gdb.txt (gdb's thread apply all bt) and NAME.eu.txt (eu-stack -s -i) of it
hang() {
	./$1 > /dev/null & pid=$!; PIDS="$PIDS $pid"
	i=0
	while [ $i -lt 20 ]; do
		sleep 0.5; i=$((i + 1))
		rm -f "$1.core.$pid"
		gcore -o "$1.core" $pid > /dev/null 2>&1 || continue
		"$MORTEM" report --json --exe "$1" "$1.core.$pid" > "$1.json" 2> /dev/null || continue
		jq -e '[.findings[] | select(.id == "lock-cycle" and .confidence == "certain")] | length == 1' "$1.json" > /dev/null && break
	done
	kill -9 $pid
	mv "$1.core.$pid" "$1.core" || fail "$1: no core"
	gdb -nx -batch -ex 'thread apply all bt' "./$1" "$1.core" > "$1.gdb.txt" 2> /dev/null
	eu-stack -s -i --core="$1.core" -e "./$1" > "$1.eu.txt" 2> /dev/null
	for f in gdb eu; do "$MORTEM" report --json "$1.$f.txt" > "$1.$f.json" || fail "$1.$f.txt: report failed"; done
}
src() { echo "$TOP/tests/scenario/programs/$1"; }
# line NAME.cpp FUNCTION PATTERN: the line of PATTERN's first occurrence after "FUNCTION(" starts a line
line() { awk -v f="^void $2\\\\(" -v p="$3" '$0 ~ f { in_f = 1 } in_f && index($0, p) { print NR; exit }' "$(src $1)"; }

for prog in bank warehouse catalog; do
	g++ -g -O2 -std=c++17 -o $prog "$(src $prog.cpp)" -lpthread || fail "cannot build $prog.cpp"
	hang $prog
done
g++ -g -O0 -std=c++17 -o bank0 "$(src bank.cpp)" -lpthread || fail "cannot build bank.cpp -O0"
hang bank0

# the tellers: deposit/reconcile/settle over m_vault/m_ledger/m_audit
jqcheck bank.json '.signature == "deadlock: deposit \u21c4 reconcile \u21c4 settle"' "bank: the signature names the tellers' functions"
jqcheck bank.json '[.locks[] | select(.kind == "pthread_mutex") | .label] | sort == ["m_audit", "m_ledger", "m_vault"]' "bank: the locks are named m_vault, m_ledger, m_audit (static and global)"
jqcheck bank.json '.findings[] | select(.id == "lock-cycle") | (.threads | length) == 3 and (.locks | length) == 3' "bank: one cycle of the three tellers, the clerks and main outside it"
jqcheck bank.json ".findings[] | select(.id == \"lock-cycle\") | .summary | contains(\"(at deposit(long) bank.cpp:$(line bank.cpp deposit 'ledger(m_ledger)'))\")" "bank: the finding points at deposit() bank.cpp:line, not std::mutex or gthr-default.h"
jqcheck bank.json ".findings[] | select(.id == \"lock-cycle\") | .summary | contains(\"(m_ledger)\") and (contains(\"gthr\") | not)" "bank: the finding names m_ledger"
jqcheck bank.json '[.threads[].frames[] | select(.function != null and (.function | startswith("deposit"))) | .in_app] | all' "bank: deposit() is in-app"
jqcheck bank.json '[.threads[].frames[] | select(.function != null and (.function | test("^(std::mutex::lock|__gthread_mutex_lock|std::lock_guard)"))) | .in_app] | (length > 0 and (any | not))' "bank: std::mutex::lock, __gthread_mutex_lock, lock_guard (inlined from system headers) are not"
jqcheck bank.json '[.threads[].frames[] | select(.module != null and (.module | test("libc\\.so|libstdc\\+\\+"))) | .in_app] | any | not' "bank: libc and libstdc++ frames are not"
check "bank: -O0 and -O2 builds share a bucket" test "$(jq -r .bucket bank.json)" = "$(jq -r .bucket bank0.json)"
jqcheck bank0.json '[.locks[] | select(.kind == "pthread_mutex") | .label] | sort == ["m_audit", "m_ledger", "m_vault"]' "bank -O0: the same lock names"
# the same core with the executable stripped of its DWARF (strip -g) and of everything (strip)
strip -g -o bank.nodebug bank && strip -o bank.stripped bank || fail "strip failed"
"$MORTEM" report --json --exe bank.nodebug bank.core > nodebug.json || fail "report with bank.nodebug failed"
"$MORTEM" report --json --exe bank.stripped bank.core > stripped.json || fail "report with bank.stripped failed"
check "bank (strip -g): the same bucket from the symbol table alone" test "$(jq -r .bucket nodebug.json)" = "$(jq -r .bucket bank.json)"
jqcheck nodebug.json '[.locks[] | select(.kind == "pthread_mutex") | .label] | sort == ["m_audit", "m_ledger", "m_vault"]' "bank (strip -g): the lock names from the symbol table"
jqcheck stripped.json '.signature | test("^deadlock: bank\\.stripped@[0-9a-f]{12}\\+0x[0-9a-f]+ \u21c4 ")' "bank (stripped): the signature names the code by module@build-id+offset"
jqcheck stripped.json '.findings[] | select(.id == "lock-cycle") | .summary | test("thread [0-9]+ \\(at bank\\.stripped\\+0x[0-9a-f]+\\) ")' "bank (stripped): the finding places each thread at module+offset"

# the warehouse: same shape, other names; a member of a global array, a static member, a function-local static
jqcheck warehouse.json '.signature == "deadlock: flush \u21c4 rebuild \u21c4 sweep"' "warehouse: the signature names its own functions"
check "warehouse and bank: different buckets" test "$(jq -r .bucket warehouse.json)" != "$(jq -r .bucket bank.json)"
jqcheck warehouse.json '[.locks[] | select(.kind == "pthread_mutex") | .label] | sort == ["Registry::mu_", "bins[2].mu", "journal_lock()::journal"]' "warehouse: locks named Registry::mu_, bins[2].mu (DWARF member path), journal_lock()::journal"
jqcheck warehouse.json ".findings[] | select(.id == \"lock-cycle\") | .summary | contains(\"(at flush() warehouse.cpp:$(line warehouse.cpp flush 'reg(Registry::mu_)'))\")" "warehouse: the finding points at flush() warehouse.cpp:line"

# the catalog: std::shared_mutex held by the importer (writer), std::mutex by the auditor
jqcheck catalog.json '.findings[] | select(.id == "lock-cycle") | (.locks | length) == 2' "catalog: a writer/mutex cycle of two locks"
jqcheck catalog.json '[.locks[] | select(.kind == "pthread_rwlock") | .label] == ["shop::Catalog::instance()::c.rw_"]' "catalog: the std::shared_mutex, a member of a function-local static, read as a pthread_rwlock and named"
jqcheck catalog.json '[.locks[] | select(.kind == "pthread_mutex") | .label] == ["shop::audit_mu"]' "catalog: the std::mutex named shop::audit_mu"
writer=$(jq -r '.threads[] | select(any(.frames[]; .function != null and (.function | startswith("shop::Catalog::import_batch")))) | .id' catalog.json)
jqcheck catalog.json ".locks[] | select(.kind == \"pthread_rwlock\") | .owner == \"$writer\"" "catalog: the rwlock's owner is the importing (writing) thread"
jqcheck catalog.json '.signature == "deadlock: shop::Catalog::lookup \u21c4 shop::record"' "catalog: the signature names lookup and record"

# the accounts: one helper (Account::transfer_to) called from three places,
# locks inside global objects and one on the heap; built by clang (DWARF 5:
# addresses by .debug_addr index, no .debug_aranges)
clang++ -g -O1 -std=c++17 -o accounts "$(src accounts.cpp)" -lpthread || fail "cannot build accounts.cpp with clang++"
hang accounts
at=$(grep -n "the payee's lock" "$(src accounts.cpp)" | cut -d: -f1)
jqcheck accounts.json '.signature == "deadlock: Account::transfer_to \u21c4 Account::transfer_to \u21c4 Account::transfer_to"' "accounts: the signature names the helper each thread waits in"
jqcheck accounts.json '[.locks[] | select(.kind == "pthread_mutex") | .label] | sort == [null, "checking.guard", "savings.guard"]' "accounts (clang): members of globals named checking.guard, savings.guard; the heap account's lock stays an address"
jqcheck accounts.json ".findings[] | select(.id == \"lock-cycle\") | .summary | contains(\"(at Account::transfer_to(Account&, long) accounts.cpp:$at)\")" "accounts (clang, no .debug_aranges): the finding points at accounts.cpp:$at"
jqcheck accounts.json '[.threads[].frames[] | select(.function == "pay_rent()") | .file | strings | endswith("accounts.cpp")] == [true]' "accounts (clang): pay_rent() has its source file"
"$MORTEM" report --dot accounts.dot --exe accounts accounts.core > /dev/null || fail "report --dot failed"
check "accounts (DOT): the locks named checking.guard and savings.guard" sh -c 'grep -c "label=\"pthread_mutex 0x[0-9a-f]*\\\\n\(checking\|savings\)\.guard\"" accounts.dot | grep -qx 2'
check "accounts (DOT): each thread of the cycle says where it waits (the heap lock's holder and waiter told apart)" sh -c "grep -c 'label=\"thread [0-9]*\\\\nat Account::transfer_to(Account&, long) accounts.cpp:$at\"' accounts.dot | grep -qx 3"
jqcheck accounts.eu.json '.findings[] | select(.id == "lock-cycle") | (.threads | length) == 3' "accounts (eu-stack text, no lock addresses): three callers of one helper are three places, a possible cycle"

# the orders: the work in lambdas (std::async, std::thread), -O2 (inlined) and -O0
g++ -g -O2 -std=c++17 -o orders "$(src orders.cpp)" -lpthread || fail "cannot build orders.cpp"
g++ -g -O0 -std=c++17 -o orders0 "$(src orders.cpp)" -lpthread || fail "cannot build orders.cpp -O0"
hang orders
hang orders0
jqcheck orders.json '.signature == "deadlock: operator()@orders.cpp \u21c4 operator()@orders.cpp"' "orders: a lambda's body is operator()@FILE, as gdb names it plus its file"
jqcheck orders.json '[.locks[] | select(.kind == "pthread_mutex") | .label] | sort == ["svc::orders_mu", "svc::stock_mu"]' "orders: the locks named svc::orders_mu, svc::stock_mu"
check "orders: -O0 (symbol main::{lambda()#1}::operator()) and -O2 (inlined) share a bucket" test "$(jq -r .bucket orders.json)" = "$(jq -r .bucket orders0.json)"

# the same deadlock as a core, as gdb text, as eu-stack text: one bucket
for prog in bank warehouse catalog bank0 accounts orders orders0; do
	b=$(jq -r .bucket $prog.json)
	for f in gdb eu; do
		check "$prog: the $f text's bucket is the core's" test "$(jq -r .bucket $prog.$f.json)" = "$b"
		jqcheck $prog.$f.json '.findings[] | select(.id == "lock-cycle") | .confidence == "possible"' "$prog ($f text): the cycle is inferred (possible): a text dump shows no holders"
	done
done
jqcheck bank.gdb.json '[.locks[] | select(.kind == "pthread_mutex") | .label] | sort == ["m_audit", "m_ledger", "m_vault"]' "bank (gdb text): gdb's <m_vault> names carried"

# a user's rule file: [in-app] and [system] patterns decide before the built-in table
cat > mine.rules <<'RULES'
[in-app]
function = std::mutex::lock*
[system]
function = settle*
RULES
"$MORTEM" report --rules mine.rules --json --exe bank bank.core > rules.json || fail "report --rules failed"
jqcheck rules.json '[.threads[].frames[] | select(.function != null and (.function | startswith("std::mutex::lock"))) | .in_app] | all' "--rules: [in-app] marks std::mutex::lock the application's"
jqcheck rules.json '[.threads[].frames[] | select(.function != null and (.function | startswith("settle"))) | .in_app] | any | not' "--rules: [system] marks settle() the system's"
check "rules --check counts the patterns" sh -c "\"$MORTEM\" rules --check mine.rules | grep -q '2 in-app/system patterns'"
done_ok
