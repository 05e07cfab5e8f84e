#!/bin/sh
# What reading archives in a child costs (issue 21: triage's walker hands
# each archive or compressed file to a child process, which hands every
# member back as a memfd over a socket and waits for the answer,
# analyzer/walkiso.c). MORTEM_IN_PROCESS=1 runs the same binary with the
# archives read in mortem's own process, on the same bytes:
#   - N small members: a .tar.gz of N jstack dumps (2 threads each), where
#     the round trip per member shows most, and one of N files that are no
#     dumps (the workers only look at them: the walker's share is largest);
#   - cores: a .tar.gz of N/10 real cores, the bench/triage.sh case;
#   - a folder of the same cores, plain files: no child at all.
# CPU time (perf stat's task-clock, every process of the run: the walker
# child and the -j workers included; the machine is shared, the wall time
# is not steady), medians of RUNS runs after one warm-up, the two ways in turn.
#   sh bench/walker.sh [N] [RUNS] [JOBS]
# Run from the repository root after `make`.
set -u
N=${1:-1000}
RUNS=${2:-9}
JOBS=${3:-2}
command -v perf >/dev/null || { echo "bench/walker.sh: needs perf (linux-tools)" >&2; exit 1; }
. "$(pwd)/bench/lib/setup.sh"
bench_setup walker.sh
. "$TOP/tests/lib/hostile.sh"
. "$TOP/tests/lib/corefile.sh"

mkdir text cores
jstack_deadlock "worker-a" "worker-b" "transfer" >text/d.0
copies text/d.0 text "$N"
tar -czf text.tar.gz text
mkdir other
i=0; while [ $i -lt "$N" ]; do echo "line $i of no dump" >other/f.$i; i=$((i + 1)); done
tar -czf other.tar.gz other
small_core assert_abort.c one.core 2>/dev/null || { echo "bench/walker.sh: no core" >&2; exit 1; }
n_cores=$((N / 10))
i=0; while [ $i -lt $n_cores ]; do cp one.core cores/c.$i; i=$((i + 1)); done
tar -czf cores.tar.gz cores

# pair_of CMD...: the median CPU times (ms) of CMD isolated and in process,
# RUNS runs each after one warm-up, taken in turn (the machine's load
# drifts alike for both)
pair_of() {
	"$@" >/dev/null 2>&1
	MORTEM_IN_PROCESS=1 "$@" >/dev/null 2>&1
	k=0; : >iso; : >inp
	while [ $k -lt "$RUNS" ]; do
		perf stat -x, -e task-clock -o one "$@" >/dev/null 2>&1
		awk -F, '$3 == "task-clock" { print $1 }' one >>iso
		MORTEM_IN_PROCESS=1 perf stat -x, -e task-clock -o one "$@" >/dev/null 2>&1
		awk -F, '$3 == "task-clock" { print $1 }' one >>inp
		k=$((k + 1))
	done
	for f in iso inp; do
		sort -n $f | awk '{ a[NR] = $1 } END { printf "%s ", a[int((NR + 1) / 2)] }'
	done
}
row() { # label isolated-ms in-process-ms count
	awk -v l="$1" -v a="$2" -v b="$3" -v n="$4" 'BEGIN {
		printf "| %-34s | %8.0f | %8.0f | %6.1f%% | %7.3f |\n", l, a, b, (a - b) / b * 100, (a - b) / n }'
}

echo "machine: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg); -j $JOBS; $RUNS runs each, medians"
echo
echo "| mortem triage ...                  | CPU ms isolated | in process | difference | ms per artifact |"
echo "|------------------------------------|----------|----------|--------|---------|"
row "$N jstack dumps in a .tar.gz" $(pair_of "$MORTEM" triage -j "$JOBS" --json text.tar.gz) "$N"
row "$N files, no dumps, in a .tar.gz" $(pair_of "$MORTEM" triage -j "$JOBS" --json other.tar.gz) "$N"
row "$n_cores cores in a .tar.gz" $(pair_of "$MORTEM" triage -j "$JOBS" --json cores.tar.gz) "$n_cores"
row "$n_cores cores in a folder" $(pair_of "$MORTEM" triage -j "$JOBS" --json cores) "$n_cores"
