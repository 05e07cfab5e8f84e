#!/bin/sh
# Triage throughput: a tarball of N real cores of a handful of bugs (N=200
# by default; the full bench uses 1000), bucketed by `mortem triage`, against
# the CASR-style baseline of one `gdb -batch -ex 'thread apply all bt'` per
# core. Prints cores/second for both and the ratio.
#   sh bench/triage.sh [N] [JOBS]
# Run from the repository root after `make`.
set -u
N=${1:-200}
JOBS=${2:-$(nproc)}
. "$(pwd)/bench/lib/setup.sh"
bench_setup triage.sh
P="$TOP/tests/scenario/programs"
cc -g -O0 -o segv "$P/triage_segv.c" && cc -g -O0 -o abrt "$P/triage_abort.c" || exit 1

# make_core OUT PROG ARGS...: a kernel core (core_pattern "core"), else gdb's.
make_core() {
	out=$1; shift
	rm -rf cd && mkdir cd
	case $(cat /proc/sys/kernel/core_pattern) in
	core*) { (cd cd && ulimit -c unlimited && exec "$@") >/dev/null 2>&1; } 2>/dev/null
	       f=$(ls cd/core* 2>/dev/null | head -1); [ -n "$f" ] && mv "$f" "$out" ;;
	esac
	[ -s "$out" ] || { (cd cd && gdb -batch -nx -ex run -ex "generate-core-file core" --args "$@") >/dev/null 2>&1; mv cd/core "$out"; }
}

mkdir cores
i=0
while [ $i -lt "$N" ]; do
	case $((i % 3)) in
	0) make_core cores/core.segv.$i "$WORK/segv" ;;
	1) make_core cores/core.assert.$i "$WORK/abrt" assert ;;
	2) make_core cores/core.fpe.$i "$WORK/abrt" fpe ;;
	esac
	i=$((i + 1))
done
tar czf cores.tar.gz cores
echo "cores: $N ($(du -sh cores | cut -f1) raw, tarball $(du -h cores.tar.gz | cut -f1)), jobs: $JOBS"

now() { date +%s.%N; }

t0=$(now)
"$MORTEM" triage -j "$JOBS" --json cores.tar.gz > triage.json
t1=$(now)
buckets=$(jq '.buckets | length' triage.json)
analyzed=$(jq '.analyzed' triage.json)
mt=$(awk "BEGIN{print $t1 - $t0}")

# the baseline: one gdb per core, JOBS at a time
t0=$(now)
for c in cores/core.*; do
	case $c in *segv*) exe=segv ;; *) exe=abrt ;; esac
	echo "$exe $c"
done | xargs -P "$JOBS" -n 2 sh -c 'gdb -batch -nx -ex "thread apply all bt" "$0" "$1" > "$1.gdb.txt" 2>&1'
t1=$(now)
gt=$(awk "BEGIN{print $t1 - $t0}")

awk -v n="$N" -v a="$analyzed" -v b="$buckets" -v mt="$mt" -v gt="$gt" 'BEGIN {
	printf "mortem triage: %d analyzed into %d buckets in %.2f s = %.1f cores/s\n", a, b, mt, n / mt
	printf "gdb per core:  %d cores in %.2f s = %.1f cores/s\n", n, gt, n / gt
	printf "ratio: mortem triage is %.1fx faster\n", gt / mt
}'
jq -r '.buckets[] | "  \(.count)\t\(.signature)"' triage.json
