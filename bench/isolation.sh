#!/bin/sh
# What the child process per input costs (issue 21: report and browse
# analyze each input in a fork, analyzer/isolate.c). MORTEM_IN_PROCESS=1
# runs the same binary without the fork, on the same bytes:
#   - per input: `mortem report --json` over N small inputs (jstack dumps of
#     2 threads, and small real cores) in one command, isolated and in
#     process; the difference over N is what one child costs;
#   - one input: a single real core, the figure a user sees.
# Each command runs once to warm the caches, then RUNS times; medians.
#   sh bench/isolation.sh [N] [RUNS]
# Run from the repository root after `make`.
set -u
N=${1:-100}
RUNS=${2:-9}
. "$(pwd)/bench/lib/setup.sh"
bench_setup isolation.sh
. "$TOP/tests/lib/hostile.sh"
. "$TOP/tests/lib/corefile.sh"

mkdir text cores
jstack_deadlock "worker-a" "worker-b" "transfer" >text/d.0
copies text/d.0 text "$N"
small_core assert_abort.c one.core 2>/dev/null || { echo "bench/isolation.sh: no core" >&2; exit 1; }
n_cores=$((N / 5))
i=0; while [ $i -lt $n_cores ]; do cp one.core cores/c.$i; i=$((i + 1)); done

# median_of CMD...: "WALL CPU", the medians (s) of RUNS runs after one warm-up;
# CPU is user + system time, the children's included (steadier than the
# wall time on a shared machine)
median_of() {
	"$@" >/dev/null 2>&1
	k=0; : >times
	while [ $k -lt "$RUNS" ]; do
		/usr/bin/time -f '%e %U %S' -o one "$@" >/dev/null 2>&1
		tail -1 one >>times
		k=$((k + 1))
	done
	w=$(awk '{ print $1 }' times | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
	c=$(awk '{ print $2 + $3 }' times | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
	echo "$w $c"
}
row() { # label "wall cpu" (isolated) "wall cpu" (in process) count
	set -- "$1" $2 $3 "$4"
	awk -v l="$1" -v aw="$2" -v ac="$3" -v bw="$4" -v bc="$5" -v n="$6" 'BEGIN {
		printf "| %-32s | %6.3f | %6.3f | %6.3f | %6.3f | %7.2f | %7.2f |\n", l, aw, bw, ac, bc,
			(aw - bw) / n * 1000, (ac - bc) / n * 1000 }'
}

echo "machine: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg); $RUNS runs each, medians"
echo
echo "| mortem report ...                | wall s isolated | in process | CPU s isolated | in process | ms wall per input | ms CPU per input |"
echo "|----------------------------------|--------|--------|--------|--------|---------|---------|"
a=$(median_of "$MORTEM" report --json text/*)
b=$(MORTEM_IN_PROCESS=1 median_of "$MORTEM" report --json text/*)
row "$N jstack dumps (2 threads each)" "$a" "$b" "$N"
a=$(median_of "$MORTEM" report --json cores/*)
b=$(MORTEM_IN_PROCESS=1 median_of "$MORTEM" report --json cores/*)
row "$n_cores cores of assert_abort" "$a" "$b" "$n_cores"
a=$(median_of "$MORTEM" report --json one.core)
b=$(MORTEM_IN_PROCESS=1 median_of "$MORTEM" report --json one.core)
row "1 core (the single-input case)" "$a" "$b" 1
a=$(median_of "$MORTEM" report one.core)
b=$(MORTEM_IN_PROCESS=1 median_of "$MORTEM" report one.core)
row "1 core, text" "$a" "$b" 1
