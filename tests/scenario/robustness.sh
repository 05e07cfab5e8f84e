#!/bin/sh
# Hostile input: hundreds of damaged inputs made now from real artifacts
# (eu-stack and gdb output of a real program, a real small core) by
# tests/lib/mutate.c (truncation, flipped bytes, chunks cut or repeated,
# junk, lying ELF notes and program headers), plus pathological shapes (a
# 20 MB line, 20,000 threads with one id, 100,000 frames, a decompression
# bomb, UTF-16, CRLF). robustness_corpus.sh does the same with every file of
# the shared corpus. Each goes through `mortem report --json` and must end
# with exit 0 and one valid JSON object, or exit 1 and exactly one stderr
# line "mortem: ...", within 10 seconds.
# Under SANITIZE, tests/run.sh also fails this test on any sanitizer report.
. "$TOP/tests/lib/common.sh"
. "$TOP/tests/lib/corefile.sh"
need jq timeout
. "$TOP/tests/lib/robust.sh"

# 1. fresh native dumps of a real hung program: eu-stack and gdb text
build abba abba.c
./abba & PIDS="$PIDS $!"; pid=$!
wait_threads $pid 3
command -v eu-stack >/dev/null && eu-stack -s -i -p $pid >abba.eustack 2>/dev/null
command -v gdb >/dev/null && gdb -batch -nx -p $pid -ex 'thread apply all bt full' >abba.gdb 2>/dev/null
kill -9 $pid
for f in abba.eustack abba.gdb; do
	[ -s $f ] || continue
	try $f
	mutants $f $f 15
done

# 2. a real small core, whole and with lies in its notes and headers
if small_core segv2.c segv2.core; then
	try segv2.core
	mutants segv2.core core 32
	zstd -q -c segv2.core >segv2.core.zst 2>/dev/null && try segv2.core.zst
	head -c 100000 segv2.core.zst >cut.zst 2>/dev/null && try cut.zst
else
	fail "could not take a core of segv2"
fi

# 3. pathological shapes, made from the real eu-stack (else gdb) dump above
seed=abba.eustack
[ -s $seed ] || seed=abba.gdb
[ -s $seed ] || skip "needs eu-stack or gdb for a real native dump"
{ head -c 2000 "$seed"; head -c 20000000 /dev/zero | tr '\0' 'x'; echo; cat "$seed"; } >longline.txt
try longline.txt
try longline.txt --max-line 4K
cp out/stdout longline.json
jqcheck longline.json '.input.warnings | any(test("--max-line"))' "a cut line is reported"
awk 'BEGIN { print "PID 1 - process"; for (i = 0; i < 20000; i++) { print "TID 7:"; print "#0  0x0000000000001000 f" } }' >sameid.txt
try sameid.txt
try sameid.txt --max-threads 100
cp out/stdout sameid.json
jqcheck sameid.json '(.threads | length) == 100 and (.input.warnings | any(test("--max-threads")))' \
	"the thread limit keeps 100 threads and says so"
awk 'BEGIN { print "PID 1 - process"; print "TID 7:"; for (i = 0; i < 100000; i++) printf "#%d  0x%016x f%d\n", i, 4096 + i, i }' >deep.txt
try deep.txt
cp out/stdout deep.json
jqcheck deep.json '(.threads[0].frames | length) == 2048 and (.input.warnings | any(test("2048")))' \
	"a 100,000-frame stack is cut at 2048 frames, with a warning"
head -c 20000000 /dev/zero | gzip -1 -c >bomb.gz
try bomb.gz --max-decompressed 1M
grep -q 'max-decompressed' out/stderr || fail "the decompression limit is named in the error"
iconv -f UTF-8 -t UTF-16 "$seed" >utf16.txt 2>/dev/null && try utf16.txt
sed 's/$/\r/' "$seed" >crlf.txt && try crlf.txt
head -c 65536 /dev/urandom >random.bin && try random.bin
: >empty.txt && try empty.txt
printf '\0\0\0\0' >nul.bin && try nul.bin

robust_verdict
done_ok
