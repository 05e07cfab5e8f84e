# What the lock graph costs on a core with many threads: a gcore of
# tests/scenario/programs/lockhang.c in mode "many" (200 threads, most
# asleep on condition variables, two in an ABBA deadlock); CPU time of the
# parse and of each analysis stage (best of 5, build/out/bench/lockstages).
# The lock-graph stages must stay under 5% of parse + analysis.
set -u
BENCH=${BUILD:-build/out}/bench/lockstages
T=$(mktemp -d "${TMPDIR:-/tmp}/mortem-bench.XXXXXX")
pid=""
trap '[ -n "$pid" ] && kill -9 $pid 2>/dev/null; rm -rf "$T"' EXIT INT TERM
if ./mortem report --input-format core /dev/null 2>&1 | grep -q "unknown format"; then
	echo "lockgraph: needs the core parser"; exit 0
fi
${CC:-cc} -g -O0 -o "$T/lockhang" tests/scenario/programs/lockhang.c -lpthread -lunwind || exit 1
"$T/lockhang" many "$T/many.txt" 200 & pid=$!
i=0; while [ ! -s "$T/many.txt" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
sleep 0.5
gcore -o "$T/core" $pid > /dev/null 2>&1 || { echo "gcore failed"; exit 1; }
kill -9 $pid; pid=""
core=$(ls "$T"/core.*)
echo "core of 201 threads, $(du -h "$core" | cut -f1) on disk"
"$BENCH" "$core" 5 | tee "$T/out.txt"
share=$(sed -n 's/.*= \([0-9.]*\)% of parse.*/\1/p' "$T/out.txt")
awk -v s="$share" 'BEGIN { if (s + 0 < 5) print "lock graph share under 5%: ok"; else { print "lock graph share " s "%: over the 5% budget"; exit 1 } }'
