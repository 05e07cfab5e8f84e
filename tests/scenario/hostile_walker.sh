#!/bin/sh
# Isolation of triage's walker (issue 21): archives and compressed files are
# read in a child process (analyzer/walkiso.c), so a crash or a runaway in
# libarchive, zlib, zstd or xz on one crafted archive costs only that
# archive: it is named under failed ("archive crashed (SIGSEGV in ...)"),
# what it handed over before is triaged, every other input is triaged as
# usual, exit 1. The faults are the test hook MORTEM_TEST_WALKER_FAULT (a
# fault inside zlib, or a loop that never ends) on a member about to be
# handed over or on the archive itself; the budget the dead child held
# (--max-decompressed) is given back; MORTEM_IN_PROCESS=1 gives the same
# triage on good inputs.
. "$TOP/tests/lib/common.sh"
. "$TOP/tests/lib/hostile.sh"
. "$TOP/tests/lib/corefile.sh"
need jq timeout python3 tar gzip zstd
# the faults below are the point: the sanitizers must not take them for bugs
export ASAN_OPTIONS="${ASAN_OPTIONS:-}:handle_segv=0"
jstack_deadlock "worker-a" "worker-b" "transfer" >dump.txt
mkdir in src
cp dump.txt in/a.txt
for m in m1 m2 m3; do cp dump.txt src/$m.txt; done
if small_core assert_abort.c in/abort.core; then
	zstd -q -c in/abort.core >src/abort.core.zst
	ncores=2
else
	echo "no core of assert_abort: the folder holds dumps only"
	ncores=0
fi
members="m1.txt m2.txt m3.txt"
[ $ncores = 0 ] || members="$members abort.core.zst"
(cd src && tar -czf ../in/good.tar.gz $members && tar -czf ../in/crash.tar.gz $members)
gzip -c dump.txt >in/z.txt.gz
zstd -q -c dump.txt >in/y.txt.zst
good=$((1 + 4 + ncores / 2 + 2)) # a.txt, good.tar.gz's members, abort.core, the two compressed
all=$((good + 3 + ncores / 2))    # and crash.tar.gz's

"$MORTEM" triage --json in >base.json; rc=$?
check "no fault: exit 0" [ $rc = 0 ]
jqcheck base.json ".analyzed == $all and (.failed | length) == 0" "no fault: all $all artifacts analyzed"
MORTEM_IN_PROCESS=1 "$MORTEM" triage --json in >inproc.json
jqcheck inproc.json "[.analyzed, [.buckets[] | [.bucket, .count]]] == $(jq -c '[.analyzed, [.buckets[] | [.bucket, .count]]]' base.json)" \
	"MORTEM_IN_PROCESS=1: the same artifacts and buckets"

# a crash on crash.tar.gz's second member: m1 was handed over before, the rest is lost
MORTEM_TEST_WALKER_FAULT='crash.tar.gz!/m2:crash' "$MORTEM" triage --json in >c.json 2>c.err; rc=$?
check "member crash: exit 1" [ $rc = 1 ]
jqcheck c.json '.failed == [{"path": "in/crash.tar.gz", "error": "archive crashed (SIGSEGV in libz.so.1)"}]' \
	"member crash: the archive named under failed, the library named"
jqcheck c.json ".analyzed == $((good + 1)) and .inputs == $((good + 2))" \
	"member crash: every other input and the member before the crash analyzed"
jqcheck c.json '[.buckets[].members[]?] | length >= 0' "member crash: valid JSON"
check "member crash: nothing on stderr (the folder was named, not the archive)" [ ! -s c.err ]

# the archive named on the command line, text output: one error line too
MORTEM_TEST_WALKER_FAULT='crash.tar.gz:crash' "$MORTEM" triage in/a.txt in/crash.tar.gz in/z.txt.gz >t.out 2>t.err; rc=$?
check "file crash: exit 1" [ $rc = 1 ]
check "file crash: one error line naming the archive" \
	eval "[ \"\$(cat t.err)\" = 'mortem: in/crash.tar.gz: archive crashed (SIGSEGV in libz.so.1)' ]"
check "file crash: the failed list names it" grep -qx '  in/crash.tar.gz: archive crashed (SIGSEGV in libz.so.1)' t.out
check "file crash: the two others analyzed" grep -q '^3 artifacts: 2 analyzed, 1 failed' t.out

# a compressed dump (no archive) that crashes its reader; the next one is read by a fresh child
MORTEM_TEST_WALKER_FAULT='z.txt.gz:crash' "$MORTEM" triage --json in >z.json; rc=$?
check "compressed file crash: exit 1" [ $rc = 1 ]
jqcheck z.json ".failed == [{\"path\": \"in/z.txt.gz\", \"error\": \"archive crashed (SIGSEGV in libz.so.1)\"}] and .analyzed == $((all - 1))" \
	"compressed file crash: it alone fails, y.txt.zst after it is analyzed"

# a runaway: --timeout bounds a reader that makes no progress
MORTEM_TEST_WALKER_FAULT='crash.tar.gz!/m2:hang' timeout 120 "$MORTEM" triage --timeout 2 --json in >h.json 2>h.err; rc=$?
check "runaway: exit 1 (not killed by timeout(1))" [ $rc = 1 ]
jqcheck h.json '.failed == [{"path": "in/crash.tar.gz", "error": "archive timed out after 2 s without progress (--timeout)"}]' \
	"runaway: named under failed"
jqcheck h.json ".analyzed == $((good + 1))" "runaway: the others analyzed"

# the budget a dead child held is given back: its nested archive (6 MiB in
# memory) would otherwise leave too little of 10 MiB for the next archive
mkdir b bsrc
python3 -c "
import sys
d = open('dump.txt').read()
for n in ('big1.txt', 'big2.txt'):
    open('bsrc/' + n, 'w').write(d + '\n' * (3 << 20))
"
(cd bsrc && tar -cf ../inner.tar big1.txt big2.txt)
tar -cf b/in1.tar inner.tar
cp b/in1.tar b/in2.tar
MORTEM_TEST_WALKER_FAULT='in1.tar!/inner.tar!/big1:crash' "$MORTEM" triage -j 1 --max-decompressed 10M --json b >m.json; rc=$?
check "budget: exit 1" [ $rc = 1 ]
jqcheck m.json '.failed == [{"path": "b/in1.tar", "error": "archive crashed (SIGSEGV in libz.so.1)"}] and .analyzed == 2' \
	"budget: in2.tar's two 3 MiB members read after in1.tar's reader died holding 6 MiB"
done_ok
