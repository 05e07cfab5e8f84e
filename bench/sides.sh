#!/bin/sh
# bench/sides.sh (run by make bench): mortem side by side with eu-stack, gdb,
# drgn (and lldb when installed) and the memory-bandwidth reference (wc -l),
# on inputs built now in a temporary directory (nothing large is kept in git):
#   - a JVM core (JDK 17 dying in Unsafe with ~640 MB of heap touched and 24
#     extra threads), a core of a 200-thread and one of a 2,000-thread C++
#     program; mortem without the symbolization cache (--no-cache), with a
#     cold one (emptied before each run) and a warm one;
#   - drgn (Debian's python3-drgn, installed here when missing and root)
#     walking every thread's stack with names and source lines
#     (bench/drgn_stacks.py), as eu-stack -s -i does;
#   - text throughput: jstack dumps of 50,000 and 200,000 threads built from
#     real jstack output of a JVM (every thread named differently; pool-style
#     stacks, and a copy where every stack is distinct), a real hs_err log, a
#     gdb `thread apply all bt full` of 2,000 threads built from real gdb
#     output, and a gdb `bt` of 50,000 small threads from the corpus;
#   - triage of 1,000 real cores of a few bugs at -j 1 and -j 2, against one
#     gdb run per core (extrapolated from a sample of BENCH_GDB_SAMPLE cores);
#   - peak RSS on the big core and on the big dumps.
# Each figure is the median of BENCH_RUNS runs (default 5) after one warm-up:
# whole-process wall time by hyperfine, peak RSS from /usr/bin/time -f '%M'.
# A row whose tool or feature is missing is skipped with a note.
# BENCH_DIR keeps the inputs (default: a temp dir removed at exit).
# The symbolization cache is the bench's own ($W/xdg), never the user's.
set -u
TOP=$(pwd)
. "$TOP/bench/lib/threads.sh"
MORTEM=${MORTEM:-$TOP/mortem}
RUNS=${BENCH_RUNS:-5}
PARSEBENCH=${PARSEBENCH:-$TOP/${BUILD:-build/out}/bench/parsebench}
GDB_SAMPLE=${BENCH_GDB_SAMPLE:-50}
NCORES=${BENCH_CORES:-1000}
JDK=${BENCH_JDK:-/usr/lib/jvm/java-17-openjdk-amd64}
if [ -n "${BENCH_DIR:-}" ]; then
	W=$BENCH_DIR; mkdir -p "$W"
else
	W=$(mktemp -d "${TMPDIR:-/tmp}/mortem-bench.XXXXXX")
fi
PIDS=""
cleanup() {
	for p in $PIDS; do kill -9 "$p" 2>/dev/null; done
	[ -n "${BENCH_DIR:-}" ] || rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
export XDG_CACHE_HOME="$W/xdg"
CORPUS=${SHARED:-$TOP/../shared}/corpus
PY=/usr/bin/python3
RES=$W/results; : >"$RES"
TABLE=$W/table; : >"$TABLE"

note() { printf '%s\n' "$*" | tee -a "$TABLE" >&2; }
have() { command -v "$1" >/dev/null 2>&1; }
have hyperfine && have jq || { echo "sides: needs hyperfine and jq (make bench installs them)" >&2; exit 1; }

# measure KEY LABEL CMD...: CMD timed by hyperfine (one warm-up, then RUNS
# runs, no shell between it and CMD: the median wall time; GNU time's %e
# counts in 10 ms steps, too coarse for a 0.2 s run), then its peak RSS by
# GNU time on one more run, warm as they were; records "KEY wall_s rss_kb"
# in $RES and prints a table row. Output goes to $OUT (/dev/null unless a
# row says otherwise).
OUT=/dev/null
# one shell word per argument, for hyperfine -N
shquote() { for a in "$@"; do printf "'%s' " "$(printf '%s' "$a" | sed "s/'/'\\\\''/g")"; done; }
measure() {
	mkey=$1; label=$2; shift 2
	_pin=
	if [ -n "$PIN" ] && [ -z "${ALL_CPUS:-}" ]; then pick_cpu; _pin=$PIN; fi
	hyperfine -N -w 1 -r "$RUNS" --output="$OUT" --export-json "$W/h.json" "$(shquote $_pin "$@")" \
		>/dev/null 2>"$W/err.$mkey"
	/usr/bin/time -f '%M' -o "$W/t.one" $_pin "$@" >"$OUT" 2>&1
	wall=$(jq -r '.results[0].median' "$W/h.json" | awk '{ printf "%.3f", $1 }')
	rss=$(tail -1 "$W/t.one")
	echo "$mkey $wall $rss" >>"$RES"
	printf '| %-44s | %8s | %9s |\n' "$label" "$wall" "$((${rss%.*} / 1024))" | tee -a "$TABLE"
}
get() { awk -v k="$1" -v f="$2" '$1 == k { print $f }' "$RES"; }
ratio() { # ratio A B: A / B with 2 decimals, or "n/a"
	a=$1; b=$2
	[ -n "$a" ] && [ -n "$b" ] || { echo n/a; return; }
	awk -v a="$a" -v b="$b" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'
}
header() {
	printf '\n### %s\n\n| %-44s | %8s | %9s |\n|%s|%s|%s|\n' "$1" "run (median of $RUNS)" "wall s" "peak MB" \
		"----------------------------------------------" "----------" "-----------" | tee -a "$TABLE"
}

[ -x "$MORTEM" ] || { echo "bench: build ./mortem first (make)" >&2; exit 1; }

# The CPUs of a virtual machine need not be alike: on the one bench/README.md's
# figures come from, one at a time does the same work up to 1.6 times slower
# than the other, and which one changes from minute to minute. So every run
# of one process (mortem's, and each peer's the same) is pinned to the CPU
# fastest at the time (PIN, chosen again before each row). Runs of several
# processes at once (triage, its controls) are not pinned, nor are mortem's
# runs on a big jstack dump, which it parses on every CPU (ALL_CPUS=1 for
# measure; parsers/text/split.h): those rows say so, and a row of the same
# run pinned to one CPU with -j 1 stands beside them.
cpu_secs() { # CPU FILE: microseconds for sha256sum of FILE on CPU (best of 3)
	_best=
	for _ in 1 2 3; do
		_a=$(date +%s%N); taskset -c "$1" sha256sum "$2" >/dev/null; _b=$(date +%s%N)
		_t=$(( (_b - _a) / 1000 ))
		[ -z "$_best" ] || [ "$_t" -lt "$_best" ] && _best=$_t
	done
	echo "$_best"
}
CPUS=$(taskset -pc $$ 2>/dev/null | sed 's/.*: //' | tr ',' ' ' |
	awk '{ for (i = 1; i <= NF; i++) { n = split($i, r, "-"); if (n == 2) for (k = r[1]; k <= r[2]; k++) print k; else print $i } }')
# pick_cpu: PIN on the CPU that is fastest now (a CPU's speed changes from
# minute to minute as the host's load moves); CPU_SPEEDS says what was seen
pick_cpu() {
	[ -n "$CPUS" ] && have taskset || return 0
	[ -s "$W/cpu.bin" ] || head -c 16000000 /dev/zero >"$W/cpu.bin"
	_fast=; _fast_t=; CPU_SPEEDS=
	for _c in $CPUS; do
		_t=$(cpu_secs "$_c" "$W/cpu.bin")
		CPU_SPEEDS="$CPU_SPEEDS cpu$_c $((16000000 / _t)) MB/s"
		[ -z "$_fast_t" ] || [ "$_t" -lt "$_fast_t" ] && { _fast=$_c; _fast_t=$_t; }
	done
	PIN="taskset -c $_fast"
}
PIN=; CPU_SPEEDS=
pick_cpu
if ldd "$MORTEM" 2>/dev/null | grep -q 'libasan\|libubsan'; then
	echo "bench: $MORTEM is a sanitized build (make check SANITIZE=... leaves one); run make first" >&2
	exit 1
fi
{
	echo "## mortem bench, $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo
	echo "machine: $(nproc) CPUs, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1)," \
		"$(free -g | awk '/^Mem/ { print $2 }') GB RAM, load average at start $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "sha256sum on each CPU at the start:${CPU_SPEEDS:- (taskset missing: nothing pinned)};" \
		"each single-process run pinned to the fastest CPU of the moment (looked at before each row)"
	echo "mortem $("$MORTEM" --version | cut -d' ' -f2), $(eu-stack --version 2>/dev/null | head -1)," \
		"$(gdb --version 2>/dev/null | head -1)"
} | tee -a "$TABLE"

# ---------------------------------------------------------------- inputs
cd "$W" || exit 1
core_ok() { case $(cat /proc/sys/kernel/core_pattern) in core*) return 0 ;; esac; return 1; }

make_jvm_core() {
	[ -s jvm/core ] && return 0
	[ -x "$JDK/bin/java" ] || return 1
	mkdir -p jvm && cp "$TOP/bench/programs/Crash.java" jvm/
	if core_ok; then
		(cd jvm && ulimit -c unlimited && exec timeout 300 "$JDK/bin/java" -Xms800m -Xmx1g \
			-XX:+UseSerialGC -XX:+CreateCoredumpOnCrash Crash.java) >jvm/out.txt 2>&1
	fi
	for f in jvm/hs_err_pid*.log; do [ -f "$f" ] && mv "$f" jvm/hs_err.log; done
	[ -s jvm/core ]
}

make_native_core() { # DIR N: the core of threads200 N (N threads)
	[ -s "$1/core" ] && return 0
	mkdir -p "$1"
	g++ -O1 -g -pthread -o "$1/threads200" "$TOP/bench/programs/threads200.cpp" || return 1
	if core_ok; then
		(cd "$1" && ulimit -c unlimited && ulimit -s 1024 && exec ./threads200 "$2") >/dev/null 2>&1
	else
		(ulimit -s 1024; gdb -batch -nx -ex run -ex "gcore $1/core" --args "$1/threads200" "$2") >/dev/null 2>&1
	fi
	[ -s "$1/core" ]
}

# live_jstack DIR ARGS...: `jstack -l` of bench/programs/Crash.java run with
# ARGS in DIR, once its 24 workers are up, into DIR/jstack.txt; the JVM is
# killed after
live_jstack() {
	d=$1; shift
	mkdir -p "$d" && cp "$TOP/bench/programs/Crash.java" "$d"/
	(cd "$d" && exec "$JDK/bin/java" -Xmx256m Crash.java "$@") >/dev/null 2>&1 &
	jpid=$!; PIDS="$PIDS $jpid"
	i=0
	while [ $i -lt 60 ]; do
		sleep 1; i=$((i + 1))
		"$JDK/bin/jstack" -l $jpid >"$d/jstack.txt" 2>/dev/null &&
			grep -q bench-worker-23 "$d/jstack.txt" && break
	done
	kill -9 $jpid 2>/dev/null
	grep -q bench-worker "$d/jstack.txt"
}

# jstack of a live JVM, its threads repeated with fresh names and nids up to N threads
make_jstack() {
	[ -s big.jstack ] && return 0
	have jstack || return 1
	live_jstack hang hang || return 1
	awk -v want=50000 '
		/^"/ { if (blk != "") blocks[n++] = blk; blk = ""; inthr = 1 }
		/^JNI global refs/ { if (blk != "") blocks[n++] = blk; blk = ""; inthr = 0; next }
		inthr { blk = blk $0 "\n" }
		!inthr && !n && blk == "" { head = head $0 "\n" }
		END {
			printf "%s", head
			for (k = 0; k < want; k++) {
				b = blocks[k % n]
				sub(/^"[^"]*"/, "\"bench-" k "\"", b)
				sub(/nid=0x[0-9a-f]+/, sprintf("nid=0x%x", 100000 + k), b)
				printf "%s", b
			}
		}' hang/jstack.txt >big.jstack
	[ -s big.jstack ]
}

# jstack -l of a live JVM whose workers' stacks are short (Crash.java "hang 0"),
# its threads repeated with fresh names and nids up to 200,000 (perl: mawk's
# string handling is quadratic at this size); and a copy where every stack
# is distinct (the line of Crash.descend is the thread's own)
make_jstack200k() {
	[ -s big200k.jstack ] && [ -s big200k-distinct.jstack ] && return 0
	have jstack && have perl || return 1
	live_jstack hang0 hang 0 || return 1
	perl -e '
		my ($want, $distinct) = @ARGV; my ($head, @b, $cur, $in) = ("");
		open my $f, "<", "hang0/jstack.txt" or die;
		while (<$f>) {
			if (/^"/) { push @b, $cur if defined $cur; $cur = ""; $in = 1 }
			elsif (/^JNI global refs/) { push @b, $cur if defined $cur; undef $cur; $in = 0; next }
			if ($in) { $cur .= $_ } elsif (!@b && !defined $cur) { $head .= $_ }
		}
		push @b, $cur if defined $cur;
		print $head;
		for my $k (0 .. $want - 1) {
			my $x = $b[$k % @b];
			$x =~ s/^"[^"]*"/"bench-$k"/;
			$x =~ s/nid=0x[0-9a-f]+/sprintf("nid=0x%x", 100000 + $k)/e;
			$x =~ s/Crash\.java:\d+\)/"Crash.java:" . (100 + $k) . ")"/e if $distinct;
			print $x;
		}
		print "JNI global refs: 15, weak refs: 0\n";
	' 200000 0 >big200k.jstack &&
	perl -pe 's/Crash\.java:\d+\)/"Crash.java:" . (100 + $.) . ")"/e' big200k.jstack >big200k-distinct.jstack
	[ -s big200k.jstack ] && [ -s big200k-distinct.jstack ]
}

# gdb `bt` of 50,000 small threads: the corpus's 2,408-thread mysqld dump
# (pt-pmp), its threads repeated and renumbered (as bench/nativetext.sh)
make_gdb_bt() {
	[ -s bt50k.gdb ] && return 0
	f="$CORPUS/gdb/pmp-mysqld-2408thr-shell-prompt.txt"
	[ -s "$f" ] || return 1
	threads "$f" '^Thread [0-9]+ \(Thread [0-9]+ \(LWP [0-9]+\)\)' 'Thread %d (LWP %d)' 50000 >bt50k.gdb
	[ -s bt50k.gdb ]
}

# drgn (Debian's python3-drgn): installed when missing and we are root
have_drgn() {
	"$PY" -c 'import drgn' 2>/dev/null && return 0
	[ "$(id -u)" = 0 ] && have apt-get || return 1
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-drgn \
		>/dev/null 2>&1
	"$PY" -c 'import drgn' 2>/dev/null
}

# gdb `thread apply all bt full` of the 200-thread core, threads repeated up to 2,000
make_gdb_full() {
	[ -s big.gdb ] && return 0
	have gdb && [ -s native/core ] || return 1
	gdb -batch -nx -ex 'thread apply all bt full' native/threads200 native/core >native/btfull.txt 2>/dev/null
	awk -v want=2000 '
		/^Thread [0-9]+ / { if (blk != "") blocks[n++] = blk; blk = $0 "\n"; next }
		blk != "" { blk = blk $0 "\n" }
		END {
			if (blk != "") blocks[n++] = blk
			for (k = 0; k < want; k++) {
				b = blocks[k % n]
				sub(/^Thread [0-9]+ /, "Thread " (want - k) " ", b)
				sub(/LWP [0-9]+/, "LWP " (200000 + k), b)
				printf "\n%s", b
			}
		}' native/btfull.txt >big.gdb
	[ -s big.gdb ]
}

# NCORES real cores of bugs.c (4 bugs), each from its own crash
make_triage_cores() {
	[ -d cores ] && [ "$(ls cores | wc -l)" -ge "$NCORES" ] && return 0
	core_ok || return 1
	mkdir -p cores crashdir
	cc -O1 -g -o crashdir/bugs "$TOP/bench/programs/bugs.c" || return 1
	i=0
	while [ $i -lt "$NCORES" ]; do
		(cd crashdir && ulimit -c unlimited && ulimit -s 256 && exec ./bugs $i) >/dev/null 2>&1
		mv crashdir/core "cores/core.$i" 2>/dev/null
		i=$((i + 1))
	done 2>/dev/null  # the shell's "Segmentation fault (core dumped)" lines
	[ "$(ls cores | wc -l)" -ge "$NCORES" ]
}

note ""
note "building inputs in $W ..."
t0=$(date +%s)
make_jvm_core || note "(no JVM core: needs $JDK and core_pattern writing plain 'core' files)"
make_native_core native 200 || note "(no native core: g++ or core dumps unavailable)"
make_native_core native2000 2000 || note "(no 2,000-thread native core: g++ or core dumps unavailable)"
make_jstack || note "(no jstack dump: needs a JDK with jstack)"
make_jstack200k || note "(no 200,000-thread jstack dump: needs a JDK with jstack, and perl)"
make_gdb_bt || note "(no gdb bt of 50,000 threads: needs $CORPUS)"
make_gdb_full || note "(no gdb bt full: needs gdb and the native core)"
make_triage_cores || note "(no triage cores: core_pattern must write plain 'core' files)"
note "inputs built in $(( $(date +%s) - t0 )) s"

# ---------------------------------------------------------------- cores
core_rows() { # name exe core
	name=$1; exe=$2; core=$3
	header "$name core: $(du -m "$core" | cut -f1) MB, $(eu-stack --core="$core" -e "$exe" 2>/dev/null | grep -c '^TID') threads"
	measure "$name.mortem-nocache" "mortem report --json --no-cache" "$MORTEM" report --json --no-cache "$core"
	measure "$name.mortem-cold" "mortem report --json, cold cache" \
		sh -c 'rm -rf "$0"; XDG_CACHE_HOME="$0" exec "$@"' "$W/xdg-cold" "$MORTEM" report --json "$core"
	measure "$name.mortem" "mortem report --json, warm cache" "$MORTEM" report --json "$core"
	measure "$name.mortem-text" "mortem report (text), warm cache" "$MORTEM" report "$core"
	have eu-stack && measure "$name.eustack" "eu-stack -s -i --core" eu-stack -s -i --core="$core" -e "$exe"
	if [ "$DRGN" = yes ]; then
		measure "$name.drgn" "drgn: every stack, names, lines" "$PY" "$TOP/bench/drgn_stacks.py" "$core"
	fi
	have gdb && measure "$name.gdb" "gdb -batch 'thread apply all bt'" \
		gdb -batch -nx -ex 'thread apply all bt' "$exe" "$core"
	if have lldb; then
		measure "$name.lldb" "lldb -c CORE -o 'thread backtrace all'" lldb --batch -c "$core" "$exe" -o "thread backtrace all"
	else
		note "(lldb not installed: no lldb row)"
	fi
	m=$(get "$name.mortem" 2); c=$(get "$name.mortem-cold" 2); e=$(get "$name.eustack" 2)
	g=$(get "$name.gdb" 2); l=$(get "$name.lldb" 2); dr=$(get "$name.drgn" 2)
	mr=$(get "$name.mortem" 3); er=$(get "$name.eustack" 3)
	note ""
	note "ratios ($name): mortem/eu-stack time $(ratio "$m" "$e") warm, $(ratio "$c" "$e") cold;" \
		"mortem/drgn time $(ratio "$m" "$dr") warm, $(ratio "$c" "$dr") cold;" \
		"eu-stack/mortem time $(ratio "$e" "$m"), gdb/mortem time $(ratio "$g" "$m"), lldb/mortem time $(ratio "$l" "$m")," \
		"mortem/eu-stack peak RSS $(ratio "$mr" "$er")"
}
DRGN=no
if have_drgn; then DRGN=yes; else note "(drgn not available: python3-drgn missing and not installable here; no drgn rows)"; fi
if [ -s jvm/core ]; then core_rows jvm "$JDK/bin/java" jvm/core; else note "(skipped: JVM core rows)"; fi
if [ -s native/core ]; then core_rows native native/threads200 native/core; else note "(skipped: native core rows)"; fi
if [ -s native2000/core ]; then core_rows native2000 native2000/threads200 native2000/core
else note "(skipped: 2,000-thread native core rows)"; fi

# ---------------------------------------------------------------- text
text_rows() { # key label file format [mortem options...]: whole process, then parse only
	key=$1; label=$2; f=$3; fmt=$4; shift 4
	mb=$(awk -v b="$(wc -c <"$f")" 'BEGIN { printf "%.1f", b / 1e6 }')
	header "$label: $mb MB"
	cpus= # a jstack dump is parsed on every CPU: mortem's rows are not pinned
	[ "$fmt" = jstack ] && { ALL_CPUS=1; cpus=", all CPUs"; }
	measure "$key.mortem" "mortem report --json ($fmt$cpus)" "$MORTEM" report --json "$@" "$f"
	OUT=$W/report.out # a file on disk, as a user's "> report.json"
	measure "$key.mortem-file" "mortem report --json > a file ($fmt$cpus)" "$MORTEM" report --json "$@" "$f"
	OUT=/dev/null
	rm -f "$W/report.out"
	measure "$key.mortem-text" "mortem report, text ($fmt$cpus)" "$MORTEM" report --color never "$@" "$f"
	# standard input: a file redirected (mapped as a path is), and a pipe (copied into a memfd)
	measure "$key.mortem-stdin" "mortem report --json - < FILE ($fmt$cpus)" \
		sh -c 'f=$1; shift; exec "$@" - < "$f"' sh "$f" "$MORTEM" report --json "$@"
	measure "$key.mortem-pipe" "cat FILE | mortem report --json - ($fmt$cpus)" \
		sh -c 'f=$1; shift; cat "$f" | "$@" -' sh "$f" "$MORTEM" report --json "$@"
	ALL_CPUS=
	[ -n "$cpus" ] && measure "$key.mortem-one" "mortem report --json -j 1 ($fmt, one CPU)" \
		"$MORTEM" report --json -j 1 "$@" "$f"
	measure "$key.wc" "wc -l (memory-bandwidth reference)" wc -l "$f"
	m=$(get "$key.mortem" 2); mf=$(get "$key.mortem-file" 2); mt=$(get "$key.mortem-text" 2); w=$(get "$key.wc" 2)
	rate() { awk -v s="$mb" -v t="$1" 'BEGIN { if (t > 0) printf "%.0f", s / t; else print "n/a" }'; }
	wbs=$(awk -v s="$mb" -v t="$w" 'BEGIN { if (t > 0) printf "%.0f", s / t; else print "n/a (under the 0.01 s timer)" }')
	echo "$key.rate $(rate "$m")" >>"$RES"
	echo "$key.rate-file $(rate "$mf")" >>"$RES"
	echo "$key.rate-text $(rate "$mt")" >>"$RES"
	echo "$key.rate-stdin $(rate "$(get "$key.mortem-stdin" 2)")" >>"$RES"
	echo "$key.rate-pipe $(rate "$(get "$key.mortem-pipe" 2)")" >>"$RES"
	echo "$key.rss-ratio $(awk -v r="$(get "$key.mortem" 3)" -v b="$(wc -c <"$f")" 'BEGIN { printf "%.2f", r * 1024 / b }')" >>"$RES"
	note ""
	note "throughput ($fmt): mortem --json $(rate "$m") MB/s (to a file $(rate "$mf"); on stdin from the file" \
		"$(get "$key.rate-stdin" 2), from a pipe $(get "$key.rate-pipe" 2)), text $(rate "$mt") MB/s, wc -l $wbs MB/s" \
		"(whole process, startup included); mortem/wc time $(ratio "$m" "$w");" \
		"peak RSS $(( $(get "$key.mortem" 3) / 1024 )) MB = $(get "$key.rss-ratio" 2) x the input"
	[ -n "$cpus" ] && note "on one CPU (-j 1, pinned): --json $(rate "$(get "$key.mortem-one" 2)") MB/s;" \
		"all CPUs / one CPU time $(ratio "$m" "$(get "$key.mortem-one" 2)")"
	text_parse "$key" "$f" "$fmt"
}
text_parse() { # key file format: parse-only throughput (parsebench)
	if [ -x "$PARSEBENCH" ]; then
		if [ "$3" = jstack ]; then # on every CPU; and on one, for the ratio
			pb=$("$PARSEBENCH" "$3" "$2" "$RUNS" 2>&1)
			note "parse only ($(basename "$2"), $PARSEBENCH, in-process, input in memory, all CPUs, median of $RUNS): ${pb#parse }"
			[ -n "$PIN" ] && pick_cpu
			pb1=$($PIN "$PARSEBENCH" "$3" "$2" "$RUNS" 1 2>&1)
			note "parse only, -j 1 on one CPU: ${pb1#parse }"
			echo "$1.parse-one $(printf '%s\n' "$pb1" | sed -n 's/.*= *\([0-9.]*\) MB\/s.*/\1/p')" >>"$RES"
		else
			[ -n "$PIN" ] && pick_cpu
			pb=$($PIN "$PARSEBENCH" "$3" "$2" "$RUNS" 2>&1)
			note "parse only ($(basename "$2"), $PARSEBENCH, in-process, input in memory, median of $RUNS): ${pb#parse }"
		fi
		echo "$1.parse $(printf '%s\n' "$pb" | sed -n 's/.*= *\([0-9.]*\) MB\/s.*/\1/p')" >>"$RES"
	else
		note "(no parse-only figure: $PARSEBENCH not built; make bench builds it)"
	fi
}
if [ -s big200k.jstack ]; then
	text_rows jstack200k "jstack, 200,000 threads (from real jstack -l output; all kept: --max-threads 1000000)" \
		big200k.jstack jstack --max-threads 1000000
	text_parse jstack200k-distinct big200k-distinct.jstack jstack
else note "(skipped: 200,000-thread jstack throughput)"; fi
if [ -s big.jstack ]; then text_rows jstack "jstack, 50,000 threads (from real jstack -l output)" big.jstack jstack
else note "(skipped: jstack throughput)"; fi
if [ -s jvm/hs_err.log ]; then text_rows hserr "hs_err of the JVM crash above" jvm/hs_err.log hs_err
else note "(skipped: hs_err throughput)"; fi
if [ -s big.gdb ]; then text_rows gdb "gdb bt full, 2,000 threads (from real gdb output)" big.gdb gdb
else note "(skipped: gdb bt full throughput)"; fi
if [ -s bt50k.gdb ]; then text_rows gdbbt "gdb bt, 50,000 small threads (from the corpus's mysqld pt-pmp)" bt50k.gdb gdb
else note "(skipped: gdb bt of 50,000 threads)"; fi

# ---------------------------------------------------------------- triage
if "$MORTEM" --help 2>&1 | grep -q 'mortem triage'; then
	if [ -d cores ]; then
		n=$(ls cores | wc -l)
		RUNS_SAVE=$RUNS; RUNS=$(( RUNS < 3 ? RUNS : 3 ))  # each run is long: 3 are enough
		PIN_SAVE=$PIN; PIN=  # several processes: the scheduler's to place
		header "triage: $n cores of bugs.c ($(du -sm cores | cut -f1) MB)"
		measure triage.mortem-j1 "mortem triage --json -j 1" "$MORTEM" triage --json -j 1 cores
		measure triage.mortem "mortem triage --json -j 2" "$MORTEM" triage --json -j 2 cores
		# What this machine gives two processes at once, for the -j 2 row to
		# be read against: the same CPU-bound work twice (sha256sum of the
		# cores), and the cores in two halves, each triaged by a -j 1 process.
		if [ ! -d half2 ]; then
			mkdir -p half1 half2
			k=0
			for c in cores/*; do ln -f "$c" "half$((k % 2 + 1))/" 2>/dev/null || cp "$c" "half$((k % 2 + 1))/"; k=$((k + 1)); done
		fi
		measure machine.one "sha256sum of the cores, one process" sh -c 'sha256sum cores/*'
		measure machine.two "the same, two at once" sh -c 'sha256sum cores/* & sha256sum cores/*; wait'
		measure triage.halves "triage -j 1 of a half each, two at once" sh -c \
			'"$0" triage --json -j 1 half1 & "$0" triage --json -j 1 half2; wait' "$MORTEM"
		RUNS=$RUNS_SAVE; PIN=$PIN_SAVE
		ls cores | head -n "$GDB_SAMPLE" >sample
		t0=$(date +%s.%N)
		while read -r c; do
			gdb -batch -nx -ex 'thread apply all bt' crashdir/bugs "cores/$c" >/dev/null 2>&1
		done <sample
		t1=$(date +%s.%N)
		gs=$(awk -v a="$t0" -v b="$t1" -v k="$(wc -l <sample)" -v n="$n" 'BEGIN { printf "%.1f", (b - a) / k * n }')
		tm=$(get triage.mortem 2)
		echo "triage.gdb $gs" >>"$RES"
		note ""
		t1j=$(get triage.mortem-j1 2)
		echo "triage.scaling $(ratio "$t1j" "$tm")" >>"$RES"
		m1=$(get machine.one 2); m2=$(get machine.two 2)
		echo "machine.scaling $(awk -v a="$m1" -v b="$m2" 'BEGIN { if (b > 0) printf "%.2f", 2 * a / b; else print "n/a" }')" >>"$RES"
		echo "triage.halves-scaling $(ratio "$t1j" "$(get triage.halves 2)")" >>"$RES"
		note "two processes at once on this machine: sha256sum does $(get machine.scaling 2) x the work of one" \
			"in the same time; two triage -j 1 processes, a half of the cores each, $(get triage.halves-scaling 2) x;" \
			"one triage -j 2, $(get triage.scaling 2) x"
		note "triage: mortem $(awk -v n="$n" -v t="$t1j" 'BEGIN { printf "%.0f", n / t }') cores/s at -j 1," \
			"$(awk -v n="$n" -v t="$tm" 'BEGIN { printf "%.0f", n / t }') cores/s at -j 2 (x$(ratio "$t1j" "$tm"));" \
			"gdb one run per core $(awk -v n="$n" -v t="$gs" 'BEGIN { printf "%.1f", n / t }') cores/s" \
			"(${gs} s for $n, extrapolated from $(wc -l <sample)); gdb/mortem time $(ratio "$gs" "$tm") at -j 2," \
			"$(ratio "$gs" "$t1j") at -j 1 (the symbolization cache warm after the first run)"
	else
		note "(skipped: triage, no cores)"
	fi
else
	note "(skipped: triage is not built in)"
fi

# ---------------------------------------------------------------- memory
note ""
note "### memory"
note ""
mb() { [ -n "$1" ] && echo "$(( $1 / 1024 )) MB" || echo "n/a"; }
[ -n "$(get jvm.mortem 3)" ] && note "peak RSS on the $(du -m jvm/core | cut -f1) MB JVM core: mortem $(mb "$(get jvm.mortem 3)"), eu-stack $(mb "$(get jvm.eustack 3)"), gdb $(mb "$(get jvm.gdb 3)") (mortem maps the core; it never reads it into memory)"
[ -n "$(get jstack.mortem 3)" ] && note "peak RSS on the $(( $(wc -c <big.jstack) / 1000000 )) MB jstack dump: mortem $(mb "$(get jstack.mortem 3)")"
[ -n "$(get jstack200k.mortem 3)" ] && note "peak RSS on the $(( $(wc -c <big200k.jstack) / 1000000 )) MB 200,000-thread jstack dump: mortem $(mb "$(get jstack200k.mortem 3)") ($(get jstack200k.rss-ratio 2) x the input)"

# ---------------------------------------------------------------- goals
# goal LABEL VALUE OP TARGET: one row of the goals table; OP is >= or <=
goal() {
	if [ -z "$2" ] || [ "$2" = n/a ]; then
		met="not measured"
	else
		met=$(awk -v v="$2" -v op="$3" -v t="$4" 'BEGIN { ok = op == ">=" ? v >= t : v <= t; print ok ? "yes" : "NO" }')
	fi
	printf '| %-44s | %6s %s %-5s | %-12s |\n' "$1" "${2:-n/a}" "$3" "$4" "$met" | tee -a "$TABLE"
}
note ""
note "### against the goals (issue 10), from the figures above"
note ""
printf '| %-44s | %-15s | %-12s |\n|%s|%s|%s|\n' goal "measured goal" met \
	"----------------------------------------------" "-----------------" "--------------" | tee -a "$TABLE"
for c in jvm native; do
	goal "$c core: eu-stack time / mortem time" "$(ratio "$(get $c.eustack 2)" "$(get $c.mortem 2)")" ">=" 1
	goal "$c core: gdb time / mortem time" "$(ratio "$(get $c.gdb 2)" "$(get $c.mortem 2)")" ">=" 2
	goal "$c core: mortem peak RSS / eu-stack's" "$(ratio "$(get $c.mortem 3)" "$(get $c.eustack 3)")" "<=" 1
done
goal "jstack parse, MB/s (parsebench, all CPUs)" "$(get jstack.parse 2)" ">=" 500
goal "triage: gdb per core time / mortem time" "$(ratio "$(get triage.gdb 2)" "$(get triage.mortem 2)")" ">=" 10

note ""
note "### against the goals (issue 22), from the figures above"
note ""
printf '| %-44s | %-15s | %-12s |\n|%s|%s|%s|\n' goal "measured goal" met \
	"----------------------------------------------" "-----------------" "--------------" | tee -a "$TABLE"
goal "jstack 200k: report --json, MB/s (whole, all CPUs)" "$(get jstack200k.rate 2)" ">=" 400
goal "jstack 200k: report --json > file, MB/s (all CPUs)" "$(get jstack200k.rate-file 2)" ">=" 400
goal "jstack 200k: report (text), MB/s (whole, all CPUs)" "$(get jstack200k.rate-text 2)" ">=" 400
goal "jstack 200k: parse only, MB/s (pool, all CPUs)" "$(get jstack200k.parse 2)" ">=" 1000
goal "jstack 200k: parse only, MB/s (distinct, all CPUs)" "$(get jstack200k-distinct.parse 2)" ">=" 600
goal "gdb bt 50k small threads: parse only, MB/s" "$(get gdbbt.parse 2)" ">=" 500
goal "jstack 200k: peak RSS / input size" "$(get jstack200k.rss-ratio 2)" "<=" 2
for k in mortem mortem-cold; do
	w=warm; [ $k = mortem-cold ] && w=cold
	goal "jvm core ($w cache): mortem / drgn time" "$(ratio "$(get jvm.$k 2)" "$(get jvm.drgn 2)")" "<=" 0.6
	goal "jvm core ($w cache): mortem / eu-stack time" "$(ratio "$(get jvm.$k 2)" "$(get jvm.eustack 2)")" "<=" 0.3
	goal "jvm core ($w cache): mortem / eu-stack RSS" "$(ratio "$(get jvm.$k 3)" "$(get jvm.eustack 3)")" "<=" 1
	goal "2,000-thread core ($w): mortem / eu-stack time" "$(ratio "$(get native2000.$k 2)" "$(get native2000.eustack 2)")" "<=" 0.3
done
goal "triage (-j 2): gdb per core time / mortem time" "$(ratio "$(get triage.gdb 2)" "$(get triage.mortem 2)")" ">=" 50
goal "triage: cores/s at -j 2 / at -j 1" "$(get triage.scaling 2)" ">=" 1.5
goal "  (the machine: 2 processes' work / 1's)" "$(get machine.scaling 2)" ">=" 1.5
echo
echo "(table also in $W/table while BENCH_DIR keeps it)"
