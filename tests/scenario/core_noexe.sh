# A core whose executable is gone (a crash archive without the binaries):
# libdwfl stops in the executable's frames, and libunwind, asked to go on,
# guesses a data word (ld.so's GOT) as the caller. mortem must keep the
# stack libdwfl found (the same return addresses as eu-stack's) and never
# name a frame after a data symbol.
. "$TOP/tests/lib/common.sh"
. "$TOP/tests/lib/core.sh"
need cc jq eu-stack
build noexe assert_abort.c -O0
take_core core ./noexe
rm -f noexe
"$MORTEM" report --json core > out.json
check "exit 0" test $? -eq 0
jqcheck out.json '.crash.signal == "SIGABRT"' "SIGABRT read from the core"
jqcheck out.json '[.threads[0].frames[].function // "" | select(test("GLOBAL_OFFSET_TABLE"))] | length == 0' \
	"no frame named after a data symbol"
eu-stack -n 0 --core=core 2>/dev/null | awk '/^#[0-9]+ / { p = $2; sub(/^0x0*/, "0x", p); print p }' > eu.pcs
jq -r '.threads[0].frames[] | select(.kind != "inline") | .pc' out.json | head -n "$(wc -l < eu.pcs)" > m.pcs
check "eu-stack unwound the core" test -s eu.pcs
check "the return addresses eu-stack finds, in order" cmp -s eu.pcs m.pcs
jqcheck out.json '[.threads[0].frames[] | select(.module // "" | test("noexe"))] | length >= 3' \
	"the executable's frames kept (check_balance, main, _start)"
done_ok
