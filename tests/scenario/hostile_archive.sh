#!/bin/sh
# Archives and compressed files that lie (issue 21, items 3 and 9):
#  - a compressed dump that begins with 512 or more zero bytes (libarchive's
#    tar reader takes a zero block for the end of an archive) vanished from
#    triage: "0 artifacts", exit 0, though `report` reads it;
#  - a .tar.gz whose gzip CRC-32 (or length) trailer is wrong was accepted
#    without a word (libarchive never checks it); a plain .gz already failed.
# The inputs are made here: a jstack deadlock, zero bytes, gzip/zstd/xz.
. "$TOP/tests/lib/common.sh"
. "$TOP/tests/lib/hostile.sh"
need jq gzip zstd xz tar python3
jstack_deadlock "worker-a" "worker-b" "transfer" >dump.txt

# --- item 3: leading zero blocks
mkdir zeros
{ head -c 1024 /dev/zero; cat dump.txt; } >zeros/z.txt
gzip -c zeros/z.txt >zeros/z.txt.gz
zstd -q -c zeros/z.txt >zeros/z.txt.zst
xz -c zeros/z.txt >zeros/z.txt.xz
rm zeros/z.txt
(cd zeros && tar -cf ../nested.tar z.txt.zst)
"$MORTEM" report --json zeros/z.txt.zst >r.json || fail "report reads the zstd file"
"$MORTEM" triage --json zeros nested.tar >t.json
jqcheck t.json '.analyzed == 4 and (.failed | length) == 0' \
	"triage: the gzip, zstd and xz dumps that start with 1024 zero bytes are analyzed (also inside a tar)"
jqcheck t.json '[.buckets[].count] == [4]' "triage: all four in the deadlock's bucket"

# a real empty archive is still no artifact to analyze, and no failure
tar -czf empty.tar.gz -T /dev/null
"$MORTEM" triage --json empty.tar.gz >e.json; rc=$?
check "an empty .tar.gz: exit 0" [ $rc = 0 ]
jqcheck e.json '.analyzed == 0 and (.failed | length) == 0' "an empty .tar.gz: nothing analyzed, nothing failed"

# --- item 9: a wrong gzip trailer
mkdir src && cp dump.txt src/d.txt
tar -C src -czf good.tar.gz d.txt
corrupt() { # IN OUT OFFSET_FROM_END: flips one byte of the trailer
	python3 -c "import sys; b = bytearray(open(sys.argv[1], 'rb').read()); b[-int(sys.argv[3])] ^= 0x5a; open(sys.argv[2], 'wb').write(b)" "$@"
}
corrupt good.tar.gz badcrc.tar.gz 8   # CRC-32
corrupt good.tar.gz badlen.tar.gz 1   # ISIZE
"$MORTEM" triage --json good.tar.gz >g.json || fail "a good .tar.gz"
jqcheck g.json '.analyzed == 1 and (.failed | length) == 0' "a whole .tar.gz: analyzed, no problem"
for f in badcrc badlen; do
	"$MORTEM" triage --json $f.tar.gz >$f.json 2>$f.err; rc=$?
	check "$f.tar.gz: exit 1" [ $rc = 1 ]
	jqcheck $f.json '[.failed[].error] | map(test("gzip: incorrect (data|length) check")) | any' \
		"$f.tar.gz: the damaged trailer is reported"
	check "$f.tar.gz: said on stderr" grep -q "^mortem: $f.tar.gz: gzip: incorrect" $f.err
done
# a plain .gz and report: the same check (input.c, zlib)
gzip -c dump.txt >d.gz && corrupt d.gz bad.gz 8
"$MORTEM" report bad.gz >/dev/null 2>bad.err && fail "report of a .gz with a bad CRC must fail"
check "report: a .gz with a wrong CRC fails naming it" grep -q "^mortem: bad.gz: gzip: incorrect data check" bad.err

# --- an archive's first bytes never make mortem run a program: libarchive's
# filters for lrzip, grzip and lzop (and any library it lacks) run the program
# of that name from PATH; mortem registers only the filters built into libarchive
mkdir bin progs
for p in lrzip grzip lzop lz4 zstd xz bzip2 gzip compress uncompress; do
	printf '#!/bin/sh\ntouch "%s/ran-%s"\ncat >/dev/null\n' "$PWD" "$p" >bin/$p
	chmod +x bin/$p
done
printf 'LRZI\000\006\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000xxxxxxxxxxxxxxxx' >progs/a.lrz
printf 'GRZipII\000\002\004:)xxxxxxxxxxxxxxxxxxxxxxxxxxxx' >progs/b.grz
printf '\211LZO\000\015\012\032\012\020\060\040\240\011\100xxxxxxxxxxxxxxxxxxxxxxxx' >progs/c.lzo
for f in progs/*; do gzip -c "$f" >"$f.gz"; done
PATH="$PWD/bin:$PATH" "$MORTEM" triage --json progs >p.json 2>p.err
check "no program is run for an archive's magic bytes: $(ls ran-* 2>/dev/null | tr '\n' ' ')" \
	sh -c '! ls ran-* >/dev/null 2>&1'
jqcheck p.json '.analyzed == 0 and .skipped + (.failed | length) == 6' \
	"the six files with a program's magic: not dumps, each accounted for"
done_ok
