# The native part of the catalogue on real crashes: each program really does it,
# its core is read (gdb's text of it), and exactly the expected findings appear.
. "$TOP/tests/lib/common.sh"
need gcc g++ gdb jq
. "$TOP/tests/lib/sigcore.sh"
build crashes crashes.c -O0
g++ -g -O0 -o cxx "$TOP/tests/scenario/programs/cxx_crashes.cc" || fail "cannot build cxx_crashes.cc"

# expect NAME JSON IDS...: the findings of JSON are exactly IDS (any order)
expect() {
	name=$1; json=$2; shift 2
	want=$(printf '%s\n' "$@" | sort | tr '\n' ' ')
	got=$(jq -r '.findings[].id' "$json" | sort | tr '\n' ' ')
	check "$name: findings are [$want]" test "$got" = "$want"
}

core_of crashes double-free; "$MORTEM" report --json core.txt > df.json
expect double-free df.json heap-corruption
jqcheck df.json '.findings[0].summary | contains("double free detected") and contains("release_twice")' \
	"heap-corruption names the allocator's message and the caller"
jqcheck df.json '.signature == "SIGABRT in release_twice < main"' "double free signature skips allocator frames"
"$MORTEM" report --json --exe crashes core > df_core.json || fail "core report failed"
expect double-free-core df_core.json heap-corruption
jqcheck df_core.json '.findings[0].summary | contains("double free detected")' "core: the allocator's message from memory"
check "core and gdb text: one bucket" test "$(jq -r .bucket df.json)" = "$(jq -r .bucket df_core.json)"

core_of crashes overflow; "$MORTEM" report --json core.txt > so.json
expect overflow so.json stack-overflow
jqcheck so.json '.findings[0].summary | contains("repeat every 1") and contains("descend")' \
	"stack-overflow names the repeating frame"
"$MORTEM" report --json --exe crashes core > so_core.json || fail "core report failed"
expect overflow-core so_core.json stack-overflow
jqcheck so_core.json '.findings[0].confidence == "certain" and (.findings[0].summary | contains("stack pointer"))' \
	"core: fault address next to the stack pointer and repeating frames: certain"

core_of crashes trap; "$MORTEM" report --json core.txt > ill.json
expect trap ill.json illegal-instruction
jqcheck ill.json '.findings[0].summary | contains("check_invariant")' "illegal-instruction names the function"

core_of crashes sigbus "$WORK/mapped.dat"; "$MORTEM" report --json core.txt > bus.json
expect sigbus bus.json sigbus-mapped-file
jqcheck bus.json '.findings[0].summary | contains("read_mapped")' "SIGBUS finding names the reader"

core_of cxx pure; "$MORTEM" report --json core.txt > pure.json
expect pure-virtual pure.json pure-virtual-call
jqcheck pure.json '.findings[0].summary | contains("Base::notify")' "pure virtual call names the caller"

core_of cxx throw; "$MORTEM" report --json core.txt > thr.json
expect terminate thr.json cpp-uncaught-exception
jqcheck thr.json '.findings[0].summary | contains("parse_config")' "terminate names where it was thrown"
jqcheck thr.json '.signature == "SIGABRT in parse_config < load_settings < main"' "terminate signature skips the unwinder"

# a live process whose SIGALRM handler blocks in stdio: signal-unsafe-call
./crashes unsafe & pid=$!; PIDS=$pid
i=0; while [ $i -lt 50 ] && ! grep -q pipe /proc/$pid/wchan 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
gdb -batch -nx -p $pid -ex 'thread apply all bt' > live.txt 2>&1
kill -9 $pid
"$MORTEM" report --json live.txt > unsafe.json
expect signal-unsafe unsafe.json signal-unsafe-call
jqcheck unsafe.json '.findings[0].summary | test("fprintf|_IO_|fflush|write") and contains("on_alarm")' \
	"signal-unsafe-call names the stdio call and the handler"
done_ok
