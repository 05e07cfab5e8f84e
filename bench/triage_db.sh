#!/bin/sh
# bench/triage_db.sh (run by make bench): the fleet store, PostgreSQL beside
# SQLite. WORKERS mortem processes (`triage --db X -j 1`) start together on
# an empty store; the time is the wall time until the last one exits. Two
# deployments: "shares", each worker on its own share of the NCORES small
# cores (a worker per host or per archive share), and "same", every worker
# on all of them (workers racing for the same artifacts: the claims' worst
# case). PostgreSQL is a server of the bench's own (initdb in a temporary
# directory, Unix socket, default settings). The cores are a few real ones
# of bench/programs/bugs.c, copied with a few bytes appended (distinct
# content, same stacks). Prints the median of RUNS runs of each and the
# ratio PostgreSQL/SQLite (goal <= 1.2, issue 18), runs alternating; also
# the CPU each used (the workers', and the PostgreSQL server's), which a
# busy machine disturbs less than the wall time. Every run is checked: the
# workers' `new` counts add up to NCORES.
#   sh bench/triage_db.sh [NCORES] [WORKERS] [RUNS]
# Run from the repository root after `make`.
set -u
NCORES=${1:-${BENCH_DB_CORES:-2000}}
WORKERS=${2:-${BENCH_DB_WORKERS:-4}}
RUNS=${3:-${BENCH_DB_RUNS:-3}}
REAL=40 # real cores; the rest are copies
TOP=$(pwd)
MORTEM=${MORTEM:-$TOP/mortem}
[ -x "$MORTEM" ] || { echo "bench/triage_db.sh: build mortem first (make)" >&2; exit 1; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/mortem-bench-db.XXXXXX")
cd "$WORK" || exit 1
# what tests/lib/pg.sh expects of its caller
PIDS=""
cleanup() {
	for p in $PIDS; do kill -9 "$p" 2>/dev/null; done
	cd / && rm -rf "$WORK"
}
fail() { echo "bench/triage_db.sh: $*" >&2; exit 1; }
skip() { echo "(skipped: $*)"; exit 0; }
need() { for t in "$@"; do command -v "$t" >/dev/null 2>&1 || skip "needs $t"; done; }
. "$TOP/tests/lib/pg.sh"
pg_restart() { # the bench's server keeps PostgreSQL's defaults (fsync on)
	pg_as "$PG_BIN/pg_ctl" -D "$PGDIR/data" -w -t 30 -l "$PGDIR/log" \
		-o "-k $PGDIR -c listen_addresses=" start >/dev/null || fail "pg_ctl start"
}

case $(cat /proc/sys/kernel/core_pattern) in
core*) ;;
*) skip "core_pattern must write plain 'core' files" ;;
esac
mkdir -p cores crashdir shares
cc -O1 -g -o crashdir/bugs "$TOP/bench/programs/bugs.c" || fail "cc"
i=0
while [ $i -lt $REAL ]; do
	(cd crashdir && ulimit -c unlimited && ulimit -s 256 && exec ./bugs $i) >/dev/null 2>&1
	mv crashdir/core "cores/core.$i" 2>/dev/null
	i=$((i + 1))
done 2>/dev/null
[ "$(ls cores | wc -l)" -eq $REAL ] || fail "no cores"
while [ $i -lt "$NCORES" ]; do
	cp "cores/core.$((i % REAL))" "cores/core.$i"
	printf '%08d' $i >> "cores/core.$i"
	i=$((i + 1))
done
i=0
for c in cores/*; do # round-robin into one folder per worker, as links
	w=$((i % WORKERS + 1)); mkdir -p "shares/$w"; ln "$c" "shares/$w/"; i=$((i + 1))
done
echo "cores: $NCORES ($(du -sm cores | cut -f1) MB, $REAL real, the rest copies with bytes appended), workers: $WORKERS x -j 1, $(nproc) CPUs"
pg_start
echo "PostgreSQL: $("$PG_BIN/postgres" --version), SQLite: $(sqlite3 --version 2>/dev/null | cut -d' ' -f1)"

now() { date +%s.%N; }
# the server's CPU time so far, in seconds (its exited backends included)
server_cpu() {
	pm=$(head -1 "$PGDIR/data/postmaster.pid")
	awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f\n", ($14 + $15 + $16 + $17) / hz }' "/proc/$pm/stat"
}
# one_run DB OUT: WORKERS workers at once on the cores into DB (each on its
# share when SPLIT=1); appends "wall mortem-cpu server-cpu" (seconds) to OUT
one_run() {
	s0=$(server_cpu); t0=$(now)
	/usr/bin/time -f '%U %S' -o cpu.one sh -c '
		w=1; pids=""
		while [ $w -le "$1" ]; do
			in=cores; [ "$4" = 1 ] && in=shares/$w
			"$2" triage --db "$3" -j 1 --json "$in" > "out.$w" 2> "err.$w" &
			pids="$pids $!"; w=$((w + 1))
		done
		for p in $pids; do wait "$p" || exit 1; done' sh "$WORKERS" "$MORTEM" "$1" "$SPLIT" ||
		{ cat err.* >&2; fail "a worker failed"; }
	t1=$(now); s1=$(server_cpu)
	fresh=$(cat out.* | jq -s 'map(.new) | add')
	[ "$fresh" = "$NCORES" ] || fail "the workers analyzed $fresh artifacts, not $NCORES"
	awk -v a="$t0" -v b="$t1" -v c="$(tail -1 cpu.one)" -v s0="$s0" -v s1="$s1" \
		'BEGIN { split(c, u, " "); printf "%.2f %.2f %.2f\n", b - a, u[1] + u[2], s1 - s0 }' >> "$2"
}
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
col() { cut -d' ' -f"$2" "$1" | median; }

# bench DEPLOYMENT: RUNS alternating runs of each store, the medians and the ratio
bench() {
	: > t.pg; : > t.sqlite
	r=1
	while [ $r -le "$RUNS" ]; do # alternating, so that both see the same machine
		db=bench_$1_$r
		pg_createdb "$db"
		one_run "$(pg_url "$db")" t.pg
		one_run "$db.db" t.sqlite
		r=$((r + 1))
	done
	echo "-- $1: $2"
	for k in pg sqlite; do
		awk -v k="$k" '{ w = w sprintf(" %.2f", $1) } END { printf "%-10s wall%s s", k, w }' t.$k
		awk -v n="$NCORES" -v w="$(col t.$k 1)" -v m="$(col t.$k 2)" -v s="$(col t.$k 3)" \
			'BEGIN { printf " -> median %.2f s (%.0f cores/s); CPU: mortem %.2f s, server %.2f s\n", w, n / w, m, s }'
	done
	awk -v p="$(col t.pg 1)" -v s="$(col t.sqlite 1)" -v pc="$(col t.pg 2)" -v ps="$(col t.pg 3)" -v sc="$(col t.sqlite 2)" -v d="$1" \
		'BEGIN { r = p / s; printf "ratio postgresql/sqlite (%s): wall %.2f (goal <= 1.2: %s), CPU %.2f\n", d, r, r <= 1.2 ? "met" : "NOT met", (pc + ps) / sc }'
}

SPLIT=1
one_run warm.db /dev/null # the page cache
bench shares "each worker on its own $((NCORES / WORKERS)) cores"
SPLIT=0
bench same "every worker on all $NCORES cores"
