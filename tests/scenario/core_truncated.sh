# Truncated and corrupted cores: a partial report with warnings, or one line
# of error; never a crash, a hang or broken JSON.
. "$TOP/tests/lib/common.sh"
. "$TOP/tests/lib/core.sh"
need cc jq
build crash_worker crash_worker.c -O0
take_core core ./crash_worker
size=$(wc -c < core)
notes=$(od -An -t u8 -j 32 -N 8 core | tr -d ' ')   # e_phoff: the program headers follow the ELF header
# the first program header is the PT_NOTE segment: where the notes end (their
# size varies with the CPU: the xstate note of an AVX-512 machine is larger)
test "$(od -An -t u4 -j "$notes" -N 4 core | tr -d ' ')" -eq 4 || fail "the first program header is not PT_NOTE"
notes_end=$(( $(od -An -t u8 -j $((notes + 8)) -N 8 core | tr -d ' ') + $(od -An -t u8 -j $((notes + 32)) -N 8 core | tr -d ' ') ))
after=$((notes_end + 4096))

# run_cut NAME FILE: exit 0 with one valid JSON line, or exit 1 with one "mortem:" line
run_cut() {
	timeout 30 "$MORTEM" report --json "$2" > "$1.json" 2> "$1.err"
	rc=$?
	case $rc in
	0) valid_jsonl "$1.json" && test "$(wc -l < "$1.json")" -eq 1 ;;
	1) test ! -s "$1.json" && test "$(wc -l < "$1.err")" -eq 1 && grep -q '^mortem: ' "$1.err" ;;
	*) echo "exit $rc"; cat "$1.err"; return 1 ;;
	esac
}

for off in 16 $notes 2000 3000 $after $((size / 2)) $((size - 4096)); do
	head -c $off core > cut.$off
	check "cut at $off bytes: partial report or one-line error" run_cut r$off cut.$off
done
jqcheck r3000.json '(.threads | length) >= 1 and .crash.signal == "SIGSEGV"' "cut in the notes: the complete threads and the signal"
jqcheck r3000.json '.input.warnings | any(test("notes are cut short"))' "cut in the notes: says so"
jqcheck r$after.json '(.threads | length) == 3' "cut after the notes: every thread"
jqcheck r$after.json '.input.warnings | any(test("truncated core"))' "cut in memory: says so"
jqcheck r$after.json '.input.warnings | any(test("not in the dump"))' "stacks cut by missing memory: says so"
check "cut in the header: one-line error" grep -q "mortem: cut.16: " r16.err
jqcheck "r$((size - 4096)).json" '([.threads[] | select(.crashed)][0].frames | map(.function)[0:3]) == ["store_value","process_item","worker"]' "cut near the end: the crashed stack is whole"

# corrupted: random bytes over the program headers, the notes, the stack
i=0
for at in 200 1800 3000 $((size / 2)); do
	i=$((i + 1))
	cp core bad.$i
	head -c 256 /dev/urandom | dd of=bad.$i bs=1 seek=$at conv=notrunc 2>/dev/null
	check "corrupted at $at: partial report or one-line error" run_cut b$i bad.$i
done
# a thread note whose thread id is 0 (libdw 0.188 would end its thread list
# there, and leak): every thread still unwound, and the report says why
"$BUILD_DIR/tests/lib/mutate" --zero-tid 1 core tid0 || fail "mutate --zero-tid"
check "thread id 0: a report" run_cut t0 tid0
jqcheck t0.json '.input.warnings | any(test("NT_PRSTATUS gives an invalid thread id 0"))' "thread id 0: says so"
jqcheck t0.json '(.threads | length) == 3 and ([.threads[] | select(.crashed)][0].frames | map(.function)[0:3]) == ["store_value","process_item","worker"]' "thread id 0: the crashed stack is whole"
jqcheck t0.json '[.threads[] | select(.tid == null) | .frames[0].function | type] == ["string"]' "thread id 0: its stack from its own registers"
done_ok
