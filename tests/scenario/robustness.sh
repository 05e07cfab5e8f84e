#!/bin/sh
# Hostile input: hundreds of damaged inputs of every format, made now from
# real artifacts (the shared corpus, eu-stack and gdb output of a real
# program, a real small core) by tests/lib/mutate.c (truncation, flipped
# bytes, chunks cut or repeated, junk, lying ELF notes and program headers),
# plus pathological shapes (a 20 MB line, 20,000 threads with one id,
# 100,000 frames, a decompression bomb, UTF-16, CRLF). Each goes through
# `mortem report --json` and must end with exit 0 and one valid JSON object,
# or exit 1 and exactly one stderr line "mortem: ...", within 10 seconds.
# Under SANITIZE, tests/run.sh also fails this test on any sanitizer report.
. "$TOP/tests/lib/common.sh"
. "$TOP/tests/lib/corefile.sh"
need jq timeout
MUTATE=$BUILD_DIR/tests/lib/mutate
[ -x "$MUTATE" ] || fail "no $MUTATE (make check builds it)"
LIMIT=${ROBUST_TIMEOUT:-10}
mkdir in out
tried=0; bad=0
: >out/all.jsonl; : >out/all.names

# one_line FILE PREFIX: FILE holds exactly one newline-terminated line that
# starts with PREFIX (shell only: this runs for every input)
one_line() {
	{ IFS= read -r l1 && ! IFS= read -r l2 && [ -z "$l2" ]; } <"$1" || return 1
	case $l1 in "$2"*) return 0 ;; esac
	return 1
}

# try FILE [mortem options]: one input through the CLI, judged; exit-0
# reports are collected and validated by one jq run at the end.
try() {
	f=$1; shift
	tried=$((tried + 1))
	timeout -k 2 "$LIMIT" "$MORTEM" report --json "$@" "$f" >out/stdout 2>out/stderr
	rc=$?
	why=""
	case $rc in
	0) if one_line out/stdout '{'; then
		cat out/stdout >>out/all.jsonl; echo "$f $*" >>out/all.names
	   else
		why="exit 0 without exactly one JSON line"
	   fi ;;
	1) one_line out/stderr 'mortem: ' || why="exit 1 without exactly one 'mortem: ' line on stderr" ;;
	124|137) why="took more than ${LIMIT}s" ;;
	*) why="exit $rc" ;;
	esac
	[ -n "$why" ] || return 0
	bad=$((bad + 1))
	echo "BAD: $f $*: $why" >&2
	head -c 600 out/stderr >&2
	mkdir -p "$BUILD_DIR/robustness-failures"
	cp "$f" "$BUILD_DIR/robustness-failures/" 2>/dev/null
	return 0
}

# mutants SEEDFILE NAME COUNT: COUNT damaged copies of SEEDFILE through the CLI
mutants() {
	"$MUTATE" "$1" "in/$2" "$3" "$(printf '%s' "$2" | cksum | cut -d' ' -f1)" || fail "mutate $1"
	i=0
	while [ $i -lt "$3" ]; do try "in/$2.$i"; i=$((i + 1)); done
	rm -f "in/$2".*
}

# 1. every corpus file as it is, and 2 damaged copies of each
for f in "$SHARED"/corpus/*/*; do
	[ -f "$f" ] || continue
	case $f in *MANIFEST*|*README*) continue ;; esac
	try "$f"
	mutants "$f" "$(basename "$(dirname "$f")")-$(basename "$f")" 2
done

# 2. fresh native dumps of a real hung program: eu-stack and gdb text
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

# 3. a real small core, whole and with lies in its notes and headers
if small_core segv2.c segv2.core; then
	try segv2.core
	mutants segv2.core core 32
	zstd -q -c segv2.core >segv2.core.zst 2>/dev/null && try segv2.core.zst
	head -c 100000 segv2.core.zst >cut.zst 2>/dev/null && try cut.zst
else
	fail "could not take a core of segv2"
fi

# 4. pathological shapes, made from a real eu-stack dump
seed=$SHARED/corpus/eustack/pmp-ps8032-eustack-42thr.txt
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

# every exit-0 report: valid JSON with the keys SPEC.md promises
jq -c '.schema == "mortem.report/1" and (.threads | type == "array")
       and (.input.warnings | type == "array") and has("crash") and has("findings")' \
	out/all.jsonl >out/verdicts 2>out/jq.err
jrc=$?
paste -d' ' out/verdicts out/all.names | grep -v '^true ' >out/bad-reports
if [ -s out/bad-reports ]; then
	bad=$((bad + $(wc -l <out/bad-reports)))
	sed 's/^/BAD REPORT (missing keys): /' out/bad-reports >&2
fi
if [ $jrc -ne 0 ]; then
	bad=$((bad + 1))
	echo "BAD: invalid JSON from $(sed -n "$(($(wc -l <out/verdicts) + 1))p" out/all.names): $(cat out/jq.err)" >&2
fi
echo "$tried inputs, $(wc -l <out/all.jsonl) reports, $bad bad"
[ $bad -eq 0 ] || fail "$bad of $tried inputs were not handled (copies in $BUILD_DIR/robustness-failures)"
done_ok
