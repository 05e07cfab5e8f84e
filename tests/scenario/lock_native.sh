# Real native deadlocks (programs/lockhang.c), one per mode, taken as cores
# with gcore and once live with -p PID: each cycle is reported once with
# exactly its threads (by TID, as the program printed them), its locks'
# kinds, addresses and owners read from memory; bystanders stay out of it.
. "$TOP/tests/lib/common.sh"
need gcore gdb jq cc
"$MORTEM" report --input-format core /dev/null 2>&1 | grep -q "unknown format" &&
	skip "needs the core parser (parsers/core.c)"
${CC:-cc} -g -O0 -o lockhang "$TOP/tests/scenario/programs/lockhang.c" -lpthread -lunwind ||
	fail "cannot build lockhang.c"

# start MODE NTHREADS: runs lockhang MODE until its NTHREADS threads all block
start() {
	./lockhang "$1" "$1.txt" & pid=$!; PIDS="$PIDS $pid"
	i=0; while [ ! -s "$1.txt" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	check "$1: the program wrote its threads and locks" test -s "$1.txt"
	wait_threads $pid "$2"
	sleep 0.2
}
tid() { awk -v r="$2" '$1 == "thread" && $2 == r { print $3 }' "$1.txt" | sort -n | paste -sd, -; }
addr() { awk -v n="$2" '$1 == "lock" && $2 == n { print $3 }' "$1.txt" | paste -sd, -; }
# the ids of the threads of the lock-cycle findings of JSON, sorted, comma-separated
cycle_tids() { jq -r '[.findings[] | select(.id == "lock-cycle") | .threads[] | tonumber] | sort | map(tostring) | join(",")' "$1"; }
core_of() {
	gcore -o core "$pid" > /dev/null 2>&1 || fail "$1: gcore failed"
	kill -9 "$pid"
	"$MORTEM" report --json "core.$pid" > "$1.json" || fail "$1: report failed"
	valid_jsonl "$1.json" || fail "$1: invalid JSON"
}
ncycles() { jq '[.findings[] | select(.id == "lock-cycle")] | length' "$1"; }
# lock_is JSON ADDR KIND OWNER_TID
lock_is() {
	jqcheck "$1" ".locks[] | select(.id == \"$2\") | .kind == \"$3\" and .owner == \"$4\"" "$1: $3 $2 owned by $4"
}

# ring: one cycle of three, the holder and its queue are not in it; one contention
start ring 8
core_of ring
check "ring: one cycle" test "$(ncycles ring.json)" = 1
check "ring: exactly the three ring threads" test "$(cycle_tids ring.json)" = "$(tid ring ring)"
jqcheck ring.json "[.findings[] | select(.id == \"lock-cycle\") | .locks[]] | sort == (\"$(addr ring L)\" | split(\",\") | sort)" "ring: the cycle's locks are L0 L1 L2"
jqcheck ring.json "[.locks[] | select(.id as \$i | \"$(addr ring L)\" | split(\",\") | index(\$i)) | .owner | tonumber] | sort | map(tostring) | join(\",\") == \"$(tid ring ring)\"" "ring: each L owned by a ring thread"
jqcheck ring.json '.findings[] | select(.id == "lock-cycle") | .confidence == "certain"' "ring: owners read from memory (certain)"
jqcheck ring.json '[.findings[] | select(.id == "lock-contention")] | length == 1' "ring: one contention finding"
lock_is ring.json "$(addr ring Q)" pthread_mutex "$(tid ring holder)"
jqcheck ring.json ".findings[] | select(.id == \"lock-contention\") | .locks[0] == \"$(addr ring Q)\" and (.locks[1] as \$l | \"$(addr ring L)\" | split(\",\") | index(\$l)) != null and (.threads | map(tonumber) | sort | map(tostring) | join(\",\")) == \"$(tid ring 'holder'),$(tid ring bystander)\"" "ring: contention on Q by the holder and the bystanders; the L the holder waits for (its text names it) among its locks"
jqcheck ring.json '.findings[] | select(.id == "lock-cycle") | .summary | test("waits for→ pthread_mutex 0x[0-9a-f]+ \\(l\\[[0-2]\\]\\) —held by→ thread [0-9]+")' "ring: the summary draws the cycle, each lock named from the symbols (l[0], l[1], l[2])"
jqcheck ring.json '[.locks[] | select(.kind == "pthread_mutex") | .label] | sort == ["l[0]", "l[1]", "l[2]", "q"]' "ring: the static mutexes named l[0] l[1] l[2] (DWARF: elements of a static array) and q"
"$MORTEM" report --dot ring.dot "core.$pid" > ring.out
check "ring: text report draws the cycle" grep -q '(at ring_member lockhang.c:[0-9]*) —waits for→ pthread_mutex' ring.out
for t in $(tid ring ring | tr , ' '); do
	check "ring: --dot draws ring thread $t red, where it waits" sh -c "grep -q '\"thread $t\\\\nat ring_member lockhang.c:[0-9]*\",color=red' ring.dot"
done
for t in $(tid ring bystander | tr , ' ') $(tid ring holder); do
	check "ring: --dot leaves $t black" sh -c "grep '\"thread $t\\\\n' ring.dot | grep -vq red"
done

# rwlock: the writer (cur_writer) and the mutex owner
start rwlock 3
core_of rwlock
check "rwlock: one cycle" test "$(ncycles rwlock.json)" = 1
check "rwlock: writer and reader" test "$(cycle_tids rwlock.json)" = "$(tid rwlock writer),$(tid rwlock reader)"
lock_is rwlock.json "$(addr rwlock RW)" pthread_rwlock "$(tid rwlock writer)"
lock_is rwlock.json "$(addr rwlock M)" pthread_mutex "$(tid rwlock reader)"

# self: a cycle of one
start self 2
core_of self
check "self: one cycle" test "$(ncycles self.json)" = 1
check "self: the relocking thread alone" test "$(cycle_tids self.json)" = "$(tid self self)"
lock_is self.json "$(addr self M)" pthread_mutex "$(tid self self)"
jqcheck self.json '.findings[] | select(.id == "lock-cycle") | .summary | test("self-deadlock")' "self: called a self-deadlock"

# join: the joiner waits on the joined thread's descriptor
start join 3
core_of join
check "join: one cycle" test "$(ncycles join.json)" = 1
check "join: joiner and joined" test "$(cycle_tids join.json)" = "$(tid join joined),$(tid join joiner)"
lock_is join.json "$(addr join M)" pthread_mutex "$(tid join joiner)"
jqcheck join.json ".locks[] | select(.kind == \"thread_join\") | .owner == \"$(tid join joined)\" and .waiters == [\"$(tid join joiner)\"]" "join: thread_join owned by the joined thread"

# arena: malloc in a SIGPROF handler that interrupted malloc/free waits for its own arena lock
start arena 2
core_of arena
check "arena: one cycle" test "$(ncycles arena.json)" = 1
check "arena: the allocating thread alone" test "$(cycle_tids arena.json)" = "$(tid arena allocator)"
jqcheck arena.json '.findings[] | select(.id == "lock-cycle") | .confidence == "likely" and (.summary | test("self-deadlock")) and (.summary | test("at on_prof lockhang.c"))' "arena: a likely self-deadlock, in the handler"
jqcheck arena.json ".locks[] | select(.label | test(\"malloc arena\")) | .kind == \"futex\" and .owner == \"$(tid arena allocator)\" and .owner_inferred" "arena: the arena lock, owner inferred"
jqcheck arena.json '[.input.warnings[] | select(test("inferred from frames"))] | length == 1' "arena: the inference is said"

# loader: real dl_iterate_phdr and libunwind unw_backtrace, from a core and live
start loader 3
"$MORTEM" report --json -p "$pid" > loader-live.json || fail "loader: -p failed"
check "loader (live): the process still runs" kill -0 "$pid"
# gdb's text: the loader lock from the mutex argument's symbol, its holder inferred from the frames
gdb -nx -batch -p "$pid" -ex 'thread apply all bt' > loader-gdb.txt 2> /dev/null || fail "gdb failed"
"$MORTEM" report --json loader-gdb.txt > loader-gdb.json || fail "loader-gdb: report failed"
jqcheck loader-gdb.json ".locks[] | select(.kind == \"loader_lock\") | .label == \"_rtld_global._dl_load_write_lock\" and .owner == \"$(tid loader walker)\" and .owner_inferred and .waiters == [\"$(tid loader unwinder)\"]" "loader (gdb text): the loader lock, its holder inferred"
jqcheck loader-gdb.json "[.input.warnings[] | select(test(\"inferred from frames\"))] | length == 1" "loader (gdb text): the inference is said"
core_of loader
for j in loader.json loader-live.json; do
	check "$j: one cycle" test "$(ncycles $j)" = 1
	check "$j: walker and unwinder" test "$(cycle_tids $j)" = "$(tid loader walker),$(tid loader unwinder)"
	lock_is $j "$(addr loader M)" pthread_mutex "$(tid loader unwinder)"
	jqcheck $j ".locks[] | select(.kind == \"loader_lock\") | .label == \"_rtld_global._dl_load_write_lock\" and .owner == \"$(tid loader walker)\" and .waiters == [\"$(tid loader unwinder)\"]" "$j: the loader lock, held by the walker"
	check "$j: the main thread is in no finding" test "$(jq "[.findings[].threads[] | select(. == \"$(tid loader main)\")] | length" $j)" = 0
done
done_ok
