# Aborts: a failed assert and a double free. glibc's __abort_msg holds the
# message; mortem reads it from the core's memory.
. "$TOP/tests/lib/common.sh"
. "$TOP/tests/lib/core.sh"
need cc jq eu-stack
build assert_abort assert_abort.c -O2
take_core core ./assert_abort
"$MORTEM" report --json core > out.json
check "exit 0" test $? -eq 0
jqcheck out.json '.crash.signal == "SIGABRT" and .crash.code == "SI_TKILL" and .crash.address == null' "SIGABRT raised by the process itself"
jqcheck out.json '.crash.abort_message | test("assert_abort.c:7: check_balance: Assertion .debit == credit && \"ledger out of balance\". failed")' "assertion message recovered"
jqcheck out.json '[.threads[0].frames[].function] | index("check_balance") > index("__GI___assert_fail")' "abort path then the asserting function"
check "frames match eu-stack -s -i" eustack_match core ./assert_abort
"$MORTEM" report core > out.txt
check "text report shows the message" grep -q "message: .*ledger out of balance" out.txt

build double_free double_free.c -O0
take_core core2 ./double_free
"$MORTEM" report --json core2 > df.json
jqcheck df.json '.crash.abort_message | test("double free")' "allocator message recovered"
jqcheck df.json '[.threads[0].frames[].function] | index("release_twice") != null' "the freeing function is on the stack"
done_ok
