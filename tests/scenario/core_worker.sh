# A worker thread of a real program crashes; the kernel's core is read:
# threads, frames (as eu-stack sees them), crash facts, errno, modules.
. "$TOP/tests/lib/common.sh"
. "$TOP/tests/lib/core.sh"
need cc jq eu-stack zstd
build crash_worker crash_worker.c -O0
take_core core ./crash_worker
"$MORTEM" report --json core > out.json
check "exit 0" test $? -eq 0
jqcheck out.json '.input.format == "core"' "detected as a core"
jqcheck out.json '(.threads | length) == 3' "three threads"
jqcheck out.json '[.threads[] | select(.crashed)] | length == 1' "one crashed thread"
jqcheck out.json '.crash.thread == ([.threads[] | select(.crashed)][0].id)' "crash.thread is the crashed thread"
jqcheck out.json '([.threads[] | select(.crashed)][0].frames | map(.function)[0:3]) == ["store_value","process_item","worker"]' "crashed thread's frames"
jqcheck out.json '.crash.signal == "SIGSEGV" and .crash.signo == 11 and .crash.code == "SEGV_MAPERR" and .crash.address == "0x0"' "signal, code, fault address"
jqcheck out.json '.crash.errno == 9' "errno EBADF of the crashing thread (close(-1))"
jqcheck out.json '.process.pid > 0 and (.process.executable | endswith("/crash_worker")) and .process.cmdline == "./crash_worker"' "pid, executable, cmdline"
jqcheck out.json '[.threads[].id] == [.threads[].tid | tostring]' "thread ids are TIDs"
jqcheck out.json 'all(.threads[].frames[]; .trust == "cfi")' "every frame found by CFI"
jqcheck out.json '[.threads[].frames[] | select(.function == "store_value")][0] | (.file | endswith("crash_worker.c")) and .line == 12' "source line of the fault"
jqcheck out.json '.modules | map(select(.name == "libc.so.6"))[0] | (.build_id | test("^[0-9a-f]{40}$")) and (.path | startswith("/"))' "libc module with build-id"
jqcheck out.json '.modules | map(select(.name == "crash_worker"))[0].debug_info == true' "executable has debug info"
jqcheck out.json '[.threads[].frames[] | select(.function == "pause" or .function == "__libc_pause")] | length == 1' "the sleeper in pause"
check "frames match eu-stack -s -i" eustack_match core ./crash_worker

# the other CFI unwinder on request gives the same stack
"$MORTEM" report --json --unwinder libunwind core > lu.json
jqcheck lu.json '([.threads[] | select(.crashed)][0].frames | map(.function)[0:3]) == ["store_value","process_item","worker"]' "--unwinder libunwind: same crashed stack"
check "--unwinder libunwind: the same frames, all by CFI" \
	sh -c 'jq -c "[.threads[].frames[] | [.pc, .function, .trust]]" out.json > a; jq -c "[.threads[].frames[] | [.pc, .function, .trust]]" lu.json > b; cmp -s a b'
jqcheck lu.json '.input.warnings == []' "--unwinder libunwind: no warnings"
"$MORTEM" report --unwinder nope core > /dev/null 2> err.txt
check "unknown unwinder is a usage error" test $? -eq 2
check "one-line message" test "$(grep -c "^mortem: --unwinder: 'nope'" err.txt)" -eq 1

# the same crash written by gdb at the signal (what take_core does when
# core_pattern is a pipe): gdb leaves unmodified file mappings out
need gdb
gdb -q -batch -ex run -ex "generate-core-file gdbcore" -ex kill --args ./crash_worker > /dev/null 2>&1
"$MORTEM" report --json gdbcore > gdb.json
jqcheck gdb.json '.crash.signal == "SIGSEGV" and .crash.code == "SEGV_MAPERR" and .crash.errno == 9' "gdb core: signal, code, errno"
jqcheck gdb.json '([.threads[] | select(.crashed)][0].frames | map(.function)[0:3]) == ["store_value","process_item","worker"]' "gdb core: crashed stack"
check "gdb core: frames match eu-stack -s -i" eustack_match gdbcore ./crash_worker

# zstd-compressed, as systemd-coredump stores it
zstd -q core -o core.zst
"$MORTEM" report --json core.zst > z.json
check "zstd core: exit 0" test $? -eq 0
jqcheck z.json '.input.format == "core"' "zstd core detected as a core"
check "zstd core: the same threads and frames" \
	sh -c 'jq -c ".threads" out.json > a; jq -c ".threads" z.json > b; cmp -s a b'
done_ok
