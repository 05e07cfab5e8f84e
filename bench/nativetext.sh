# Parse speed of the native text formats (gdb, lldb, pstack) on large inputs
# made from real corpus files, renumbered so every thread is its own:
#   gdb bt full, 2000 threads        (ABRT virt-manager `bt full`, 2 threads x 1000)
#   gdb bt, 48,160 threads           (pt-pmp mysqld 2408 threads x 20)
#   gdb bt, 40 snapshots             (the 2408-thread file concatenated 40 times)
#   lldb bt all, 9000 threads        (GStreamer `bt all`, 9 threads x 1000)
#   Solaris pstack, 7000 LWPs        (mozilla pstack, 7 LWPs x 1000)
# Prints parse-only MB/s (bench/parsebench.c, built by make bench: the
# log-prefix pre-pass and the parser, input in memory, median of 3 runs).
set -u
BENCH=${BUILD:-build/out}/bench/parsebench
CORPUS=${SHARED:-../shared}/corpus
T=$(mktemp -d "${TMPDIR:-/tmp}/mortem-bench.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM

. "$(dirname "$0")/lib/threads.sh"

threads "$CORPUS/gdb/satyr-rhbz803600-python-virtmanager.txt" \
	'^Thread [0-9]+ \(Thread 0x[0-9a-f]+ \(LWP [0-9]+\)\)' 'Thread %d (LWP %d)' 2000 > "$T/gdb-btfull-2000.txt"
threads "$CORPUS/gdb/pmp-mysqld-2408thr-shell-prompt.txt" \
	'^Thread [0-9]+ \(Thread [0-9]+ \(LWP [0-9]+\)\)' 'Thread %d (LWP %d)' 48160 > "$T/gdb-bt-48160.txt"
for i in $(seq 40); do cat "$CORPUS/gdb/pmp-mysqld-2408thr-shell-prompt.txt"; done > "$T/gdb-bt-40-snapshots.txt"
threads "$CORPUS/lldb/gst-nvv4l2-seek-deadlock-btall.txt" \
	'^[* ] thread #[0-9]+' '  thread #%d, tid = %d' 9000 > "$T/lldb-btall-9000.txt"
threads "$CORPUS/pstack/solaris8-mozilla-pstack.txt" \
	'^-+  lwp# [0-9]+ / thread# [0-9]+  -+' '-----------------  lwp# %d / thread# %d  --------------------' 7000 > "$T/pstack-solaris-7000.txt"

[ -x "$BENCH" ] || { echo "bench/nativetext.sh: $BENCH not built (make bench builds it)" >&2; exit 1; }
for run in gdb:gdb-btfull-2000 gdb:gdb-bt-48160 gdb:gdb-bt-40-snapshots lldb:lldb-btall-9000 \
	pstack:pstack-solaris-7000; do
	printf '%-22s ' "${run#*:}"
	"$BENCH" "${run%%:*}" "$T/${run#*:}.txt" 3 || exit 1
done
