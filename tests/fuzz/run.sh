#!/bin/sh
# make fuzz FUZZ_SECONDS=N: runs every fuzz target (build/fuzz/fuzz/*, built
# by `make fuzz-build`: one per registered parser plus tests/fuzz/fuzz_*.c)
# for N seconds each, one after the other, seeded from:
#   - ../shared/corpus/ (the directory that matches the target's format, or all),
#   - artifacts made now from real programs (eu-stack and gdb output of a
#     hung one; small kernel cores of its seed mode, plain and
#     zstd-compressed, and of the scenario programs' crashes; copies of
#     those cores with damaged notes that reach libunwind-coredump), when
#     the tools are there,
#   - tests/regress/ (inputs that once crashed a parser),
#   - tests/fuzz/seeds/<target>/ when present,
#   - the hostile inputs of issue 21, made now: a core whose NT_FILE count
#     is damaged (it crashed libunwind-coredump), compressed dumps that
#     start with zero blocks, a .tar.gz with a wrong CRC trailer, member
#     names and thread names holding terminal escapes, a 17,000-character
#     thread name;
# and with tests/fuzz/dicts/<target>.dict when present (the tokens that
# made those: NT_FILE's note type, huge counts, escape sequences).
# Each target keeps its corpus in build/fuzz/corpus/<target>/ between runs.
# A crash leaves build/fuzz/crashes/<target>/crash-* and fails the run: copy
# the (minimized: -minimize_crash=1) input to tests/regress/<format>-<what>.bin
# and make check runs it through the CLI from then on.
# FUZZ_TARGETS="parser-eustack input" narrows; FUZZ_JOBS (default 1) runs
# targets in parallel.
set -u
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
TOP=$(pwd)
B=$TOP/build/fuzz
SHARED=${SHARED:-$(cd .. && pwd)/shared}
[ -f "$B/fuzz/targets" ] || { echo "fuzz: run make fuzz-build first" >&2; exit 1; }
# without ../shared (a plain clone) the targets start from the other seeds;
# in CI the corpus is expected
if [ ! -d "$SHARED/corpus" ]; then
	[ "${CI:-}" = true ] && { echo "fuzz: no corpus at $SHARED/corpus (CI=true)" >&2; exit 1; }
	echo "fuzz: no corpus at $SHARED/corpus: seeding from fresh artifacts and tests/regress only"
fi
targets=${FUZZ_TARGETS:-$(for t in $(cat "$B/fuzz/targets"); do basename "$t"; done)}
seeds=$B/seeds; mkdir -p "$seeds" "$B/corpus" "$B/crashes" "$B/logs"

# small_core OUT PROG ARGS...: a real core of PROG (in $tmp, run there with a
# 256 KiB stack limit) as $seeds/core/OUT, when it fits in parser-core's
# max_len; the kernel's core where core_pattern writes a plain file, gdb's
# otherwise.
small_core() {
	out=$1; shift
	rm -f "$tmp/core"
	case $(cat /proc/sys/kernel/core_pattern) in
	'|'*|*/*)
		(cd "$tmp" && ulimit -s 256 && exec timeout 30 gdb -q -batch -ex run \
			-ex "generate-core-file $tmp/core" -ex kill --args "$@") >/dev/null 2>&1 ;;
	*)
		{ (cd "$tmp" && ulimit -c unlimited && ulimit -s 256 && exec timeout -s KILL 30 "$@") \
			>/dev/null 2>&1; } 2>/dev/null ;;
	esac
	[ -s "$tmp/core" ] && [ "$(wc -c <"$tmp/core")" -le 4194304 ] && mv "$tmp/core" "$seeds/core/$out"
	rm -f "$tmp/core"
}

# Fresh artifacts of real programs, once per run.
make_artifacts() {
	rm -rf "$seeds"; mkdir -p "$seeds/eustack" "$seeds/gdb" "$seeds/core" "$seeds/jstack"
	tmp=$(mktemp -d); trap 'kill -9 $pid 2>/dev/null; rm -rf "$tmp"' EXIT INT TERM
	pid=
	if cc -g -o "$tmp/abba" tests/scenario/programs/abba.c -lpthread 2>/dev/null; then
		"$tmp/abba" & pid=$!
		sleep 1
		command -v eu-stack >/dev/null && eu-stack -s -i -p $pid >"$seeds/eustack/abba.txt" 2>/dev/null
		command -v gdb >/dev/null && {
			gdb -batch -p $pid -ex 'thread apply all bt' >"$seeds/gdb/abba-bt.txt" 2>/dev/null
			gdb -batch -p $pid -ex 'thread apply all bt full' >"$seeds/gdb/abba-btfull.txt" 2>/dev/null
		}
		kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null; pid=
	fi
	# small real cores that fit in max_len whole: abba's seed mode (a
	# deadlock, then an abort or a segfault), and the scenario programs'
	# crashes (EINTR assert under SIGPROF, stack overflow, a fault in a signal
	# handler, C++ and inlined frames, allocator and assert messages, a
	# second thread's fault)
	if [ -x "$tmp/abba" ]; then
		small_core abort.core ./abba abort
		small_core segv.core ./abba segv
		# the way systemd-coredump stores them
		command -v zstd >/dev/null && [ -s "$seeds/core/abort.core" ] &&
			zstd -q -c "$seeds/core/abort.core" >"$seeds/core/abort.core.zst"
	fi
	P=tests/scenario/programs
	cc -g -O0 -o "$tmp/eintr" $P/eintr_poll.c 2>/dev/null && small_core eintr.core ./eintr sig
	cc -g -O0 -o "$tmp/overflow" $P/stack_overflow.c 2>/dev/null && small_core overflow.core ./overflow
	cc -g -O0 -o "$tmp/sigcrash" $P/signal_crash.c 2>/dev/null && small_core signal.core ./sigcrash
	cc -g -O2 -o "$tmp/inline" $P/inline_deep.c 2>/dev/null && small_core inline.core ./inline
	cc -g -O0 -o "$tmp/assert" $P/assert_abort.c 2>/dev/null && small_core assert.core ./assert
	cc -g -O0 -o "$tmp/dfree" $P/double_free.c 2>/dev/null && small_core doublefree.core ./dfree
	cc -g -O0 -pthread -o "$tmp/tsegv" $P/thread_segv.c 2>/dev/null && small_core thread.core ./tsegv
	command -v g++ >/dev/null && g++ -g -O1 -o "$tmp/cxx" $P/cxx_crash.cpp 2>/dev/null &&
		small_core cxx.core ./cxx
	# cores with damaged notes that reach the libunwind path (libdwfl, without
	# the mapped files, stops early): NT_FILE's count lying (the one-byte
	# damage that crashed _UCD_create), a thread note shrunk below
	# elf_prstatus, and tests/lib/mutate.c's note and header lies
	if cc -O1 -o "$tmp/mutate" tests/lib/mutate.c 2>/dev/null; then
		for c in segv abort; do
			[ -s "$seeds/core/$c.core" ] || continue
			"$tmp/mutate" --file-count 0x7fffffffffffffff "$seeds/core/$c.core" "$seeds/core/$c-filecount.core"
			"$tmp/mutate" --file-count 1000 "$seeds/core/$c.core" "$seeds/core/$c-fileplus.core"
			"$tmp/mutate" --prstatus-size 200 "$seeds/core/$c.core" "$seeds/core/$c-prstatus.core"
			"$tmp/mutate" "$seeds/core/$c.core" "$seeds/core/$c-lies" 22 7
		done 2>/dev/null
	fi
	mkdir -p "$seeds/rules" "$seeds/walk"
	cp signatures/*.rules "$seeds/rules/" 2>/dev/null
	small=$(ls "$SHARED"/corpus/eustack/* 2>/dev/null | head -2)
	mkdir -p "$tmp/a/dir" && { [ -z "$small" ] || cp $small "$tmp/a/dir/"; } && cp "$seeds/eustack/abba.txt" "$tmp/a/" 2>/dev/null
	tar -C "$tmp/a" -cf "$seeds/walk/plain.tar" .
	tar -C "$tmp/a" -czf "$seeds/walk/dumps.tar.gz" .
	cp "$seeds/walk/dumps.tar.gz" "$tmp/a/inner.tgz" && tar -C "$tmp/a" -cf "$seeds/walk/nested.tar" .
	command -v zstd >/dev/null && zstd -q -c "$seeds/walk/plain.tar" >"$seeds/walk/plain.tar.zst"
	command -v zip >/dev/null && (cd "$tmp/a" && zip -qr "$seeds/walk/dumps.zip" .)
	hostile_artifacts
	rm -rf "$tmp"; trap - EXIT INT TERM
}

# The hostile inputs of issue 21 (tests/scenario/hostile_*.sh), as seeds.
hostile_artifacts() {
	. "$TOP/tests/lib/hostile.sh"
	mkdir -p "$seeds/input"
	[ -s "$seeds/core/abort.core" ] && command -v python3 >/dev/null &&
		python3 tests/lib/ntfile_damage.py "$seeds/core/abort.core" "$seeds/core/ntfile-count.core" &&
		python3 tests/lib/ntfile_damage.py "$seeds/core/abort.core" "$seeds/core/ntfile-count2.core" 0x10000
	jstack_deadlock "$(printf 'pay\033]52;c;aGVsbG8=\007er')" "$(printf 'x\r\033[2Jy\302\233z')" \
		"$(printf 'tr\033]0;pwned\007ansfer')" >"$seeds/jstack/escapes.txt"
	jstack_deadlock "$(head -c 17000 /dev/zero | tr '\0' a)" b transfer >"$seeds/jstack/long-name.txt"
	mkdir -p "$tmp/h"
	{ head -c 1024 /dev/zero; cat "$seeds/jstack/escapes.txt"; } >"$tmp/h/zeros.txt"
	gzip -c "$tmp/h/zeros.txt" >"$seeds/walk/zeros.txt.gz"
	command -v zstd >/dev/null && zstd -q -c "$tmp/h/zeros.txt" >"$seeds/walk/zeros.txt.zst"
	cp "$seeds/walk/zeros.txt.gz" "$seeds/input/"
	cp "$seeds/jstack/escapes.txt" "$tmp/h/$(printf 'name\033]0;title\007.txt')"
	tar -C "$tmp/h" -czf "$tmp/esc.tar.gz" .
	cp "$tmp/esc.tar.gz" "$seeds/walk/escapes.tar.gz"
	# the CRC-32 of the gzip trailer, wrong
	command -v python3 >/dev/null && python3 -c "import sys; b = bytearray(open(sys.argv[1], 'rb').read()); b[-8] ^= 0x5a; open(sys.argv[2], 'wb').write(b)" \
		"$tmp/esc.tar.gz" "$seeds/walk/bad-crc.tar.gz" && cp "$seeds/walk/bad-crc.tar.gz" "$seeds/input/"
}

# corpus directories (under $SHARED/corpus) that hold TARGET's format
corpus_for() {
	case $1 in
	parser-eustack) echo eustack ;;
	parser-gdb) echo gdb ;;
	parser-lldb) echo lldb ;;
	parser-pstack) echo pstack ;;
	parser-hserr|parser-hs_err) echo hserr ;;
	parser-jstack|parser-jcmd*) echo jstack ;;
	parser-core|rules|walk) echo ;;
	input) echo eustack gdb ;;
	*) echo eustack gdb hserr jstack lldb pstack ;;
	esac
}
seeds_for() {
	case $1 in
	parser-eustack) echo eustack ;;
	parser-gdb) echo gdb ;;
	parser-core) echo core ;;
	parser-jstack|parser-jcmd*) echo jstack ;;
	input) echo core eustack walk input ;;
	rules) echo rules ;;
	walk) echo walk ;;
	*) echo eustack gdb ;;
	esac
}

make_artifacts

# run_target T: fuzzes T for FUZZ_SECONDS; writes its result line to logs/T.result
run_target() {
	t=$1
	bin=$B/fuzz/$t
	res=$B/logs/$t.result
	[ -x "$bin" ] || { echo "fuzz: no target $t" >"$res"; return 1; }
	corpus=$B/corpus/$t; crashes=$B/crashes/$t; mkdir -p "$corpus" "$crashes"
	dirs=""
	for c in $(corpus_for "$t"); do [ -d "$SHARED/corpus/$c" ] && dirs="$dirs $SHARED/corpus/$c"; done
	for s in $(seeds_for "$t"); do dirs="$dirs $seeds/$s"; done
	[ -d tests/regress ] && dirs="$dirs $TOP/tests/regress"
	[ -d "tests/fuzz/seeds/$t" ] && dirs="$dirs $TOP/tests/fuzz/seeds/$t"
	max_len=262144
	case $t in parser-core|input|walk) max_len=4194304 ;; esac
	# -fork would need more cores; -timeout catches hangs, -rss_limit_mb blow-ups.
	dict=
	[ -f "tests/fuzz/dicts/$t.dict" ] && dict="-dict=$TOP/tests/fuzz/dicts/$t.dict"
	"$bin" -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 -max_len=$max_len $dict \
		-artifact_prefix="$crashes/" -print_final_stats=1 "$corpus" $dirs \
		>"$B/logs/$t.log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$B/logs/$t.log")
	cov=$(grep -o 'cov: [0-9]*' "$B/logs/$t.log" | tail -1)
	line=$(printf '%-22s %4ss ' "$t" "$FUZZ_SECONDS")
	if [ $rc -eq 0 ]; then
		echo "$line""ok    execs=${execs:-?} ${cov:-}" >"$res"
	else
		{
			echo "$line""CRASH (exit $rc) execs=${execs:-?} ${cov:-}: see $B/logs/$t.log, input in $crashes/"
			grep -m3 'ERROR\|SUMMARY\|==.*==' "$B/logs/$t.log" | sed 's/^/      /'
		} >"$res"
	fi
	return $rc
}

# FUZZ_JOBS lanes, each taking every FUZZ_JOBS-th target in turn
jobs=${FUZZ_JOBS:-1}
lane=0
lanes=""
while [ $lane -lt "$jobs" ]; do
	(
		k=0
		for t in $targets; do
			[ $((k % jobs)) -eq $lane ] && { run_target "$t"; cat "$B/logs/$t.result"; }
			k=$((k + 1))
		done
	) &
	lanes="$lanes $!"
	lane=$((lane + 1))
done
wait $lanes

status=0
fuzz_pass=0
fuzz_fail=0
for t in $targets; do
	if grep -q ' ok ' "$B/logs/$t.result" 2>/dev/null; then
		fuzz_pass=$((fuzz_pass + 1))
	else
		status=1
		fuzz_fail=$((fuzz_fail + 1))
	fi
done
echo "fuzz: $fuzz_pass passed, $fuzz_fail failed"
exit $status
