# libpq and libarchive are loaded when triage first needs them
# (analyzer/triage/pqlib.h, arlib.h), not linked: mortem does not name them
# as needed libraries. With them unloadable (broken files of their sonames
# first on LD_LIBRARY_PATH; libraries of those names without the functions)
# triage --db postgresql://... and each archive in triage get one line that
# names the library and why dlopen or dlsym refused it; report, triage of
# plain and compressed dumps and a SQLite store work as usual.
. "$TOP/tests/lib/common.sh"
need cc readelf jq tar gzip zip zstd
need_shared corpus/jstack corpus/eustack

JSTACK="$SHARED/corpus/jstack/famaridon-naver-blocked-lock-example.txt"
EUSTACK="$SHARED/corpus/eustack/pmp-ps8032-eustack-42thr.txt"

check "mortem needs neither libpq nor libarchive at start" \
	sh -c "! readelf -d '$MORTEM' | grep NEEDED | grep -E 'libpq|libarchive'"

# ---- the inputs: a dump plain, compressed, and in archives of each kind
mkdir -p d/inner
cp "$EUSTACK" d/a.txt && cp "$EUSTACK" a.txt
cp "$JSTACK" d/inner/j.txt
gzip -c d/a.txt > a.txt.gz
zstd -q -c d/a.txt > a.txt.zst
(cd d && tar cf ../a.tar a.txt inner && tar czf ../a.tar.gz a.txt inner &&
	tar cf - a.txt inner | zstd -q > ../a.tar.zst && zip -qr ../a.zip a.txt inner) || fail "archives"
ARCHIVES="a.tar a.tar.gz a.tar.zst a.zip"

# ---- with the libraries: the archives are read
"$MORTEM" triage --json a.txt.gz $ARCHIVES > with.json 2> with.err; rc=$?
check "with the libraries: exit 0 ($rc)" test $rc -eq 0
jqcheck with.json '.analyzed == 9 and .failed == []' "with the libraries: the dump and 8 archive members analyzed"

# ---- libraries of those names that cannot be loaded: files too short
mkdir broken
printf 'not a library\n' > broken/libpq.so.5
printf 'not a library\n' > broken/libarchive.so.13
nolib() { LD_LIBRARY_PATH="$WORK/broken" "$MORTEM" "$@"; }

"$MORTEM" report "$JSTACK" > report.txt 2> report.err; rc=$?
nolib report "$JSTACK" > nolib.txt 2> nolib.err; nrc=$?
check "report works without them: exit $nrc, as with them ($rc)" test $nrc -eq $rc
check "report: the same report" cmp -s report.txt nolib.txt
check "report: nothing said" test ! -s nolib.err
"$MORTEM" report --json "$EUSTACK" > report.json
nolib report --json "$EUSTACK" > nolib.json
check "report --json of a native dump: the same" cmp -s report.json nolib.json

one_line() { test "$(wc -l < "$1")" -eq 1; }
url="postgresql://fleet:s3cret-pw@/mortem?host=$WORK/no-server"
nolib triage --db "$url" a.txt.gz > o.txt 2> e.txt; rc=$?
check "triage --db postgresql://: exit 1 ($rc)" test $rc -eq 1
check "triage --db postgresql://: one line" one_line e.txt
check "triage --db postgresql://: names libpq.so.5 and dlopen's reason" \
	grep -qx "mortem: postgresql://fleet@/mortem?host=$WORK/no-server: PostgreSQL support needs libpq.so.5 (dlopen: $WORK/broken/libpq.so.5: file too short)" e.txt
check "triage --db postgresql://: nothing analyzed, no password shown" \
	sh -c '! test -s o.txt && ! grep -q s3cret-pw e.txt'

nolib triage --json a.txt a.txt.gz a.txt.zst $ARCHIVES > t.json 2> t.err; rc=$?
check "triage of archives: exit 1 ($rc)" test $rc -eq 1
for f in $ARCHIVES; do
	check "triage: $f gets one line naming libarchive.so.13" \
		grep -qx "mortem: $f: archive support needs libarchive.so.13 (dlopen: $WORK/broken/libarchive.so.13: file too short)" t.err
done
check "triage: a line per archive, nothing else" test "$(wc -l < t.err)" -eq 4
jqcheck t.json '.analyzed == 3 and (.failed | map(.path) | sort) == ["a.tar","a.tar.gz","a.tar.zst","a.zip"]' \
	"triage: the plain, gzip and zstd dumps analyzed, each archive failed"
jqcheck t.json 'all(.failed[]; .error | startswith("archive support needs libarchive.so.13 (dlopen: "))' \
	"triage: the JSON says why"
jqcheck t.json '[.buckets[].members[]] | sort == ["a.txt","a.txt.gz","a.txt.zst"]' "triage: the dumps in their bucket"

MORTEM_IN_PROCESS=1 nolib triage a.tar 2> ip.err > /dev/null
check "triage in one process: the same line" \
	grep -qx "mortem: a.tar: archive support needs libarchive.so.13 (dlopen: $WORK/broken/libarchive.so.13: file too short)" ip.err

mkdir dir && cp a.tar.gz a.txt.gz dir/
nolib triage --json dir > dir.json 2> dir.err; rc=$?
check "an archive found in a folder: exit 1, stderr silent ($rc)" sh -c "test $rc -eq 1 && ! test -s dir.err"
jqcheck dir.json '.analyzed == 1 and .failed == [{"path": "dir/a.tar.gz", "error": .failed[0].error}] and (.failed[0].error | test("^archive support needs libarchive.so.13 "))' \
	"an archive found in a folder: in the failed list"

nolib triage --db s.db a.txt.gz > s.txt 2> s.err; rc=$?
check "a SQLite store works without them ($rc)" sh -c "test $rc -eq 0 && ! test -s s.err && grep -q '^1 artifact' s.txt"

# ---- libraries of those names without the functions: dlsym says which
printf 'int mortem_not_libpq;\n' > fake.c
mkdir fake
cc -shared -fPIC -Wl,-soname,libpq.so.5 -o fake/libpq.so.5 fake.c || fail "fake libpq"
cc -shared -fPIC -Wl,-soname,libarchive.so.13 -o fake/libarchive.so.13 fake.c || fail "fake libarchive"
LD_LIBRARY_PATH="$WORK/fake" "$MORTEM" triage --db "$url" a.txt.gz > /dev/null 2> e.txt; rc=$?
check "a libpq.so.5 without PQclear: exit 1, one line" sh -c "test $rc -eq 1 && test \$(wc -l < e.txt) -eq 1"
check "... that names the function dlsym did not find" \
	grep -q ": PostgreSQL support needs libpq.so.5 (dlsym: $WORK/fake/libpq.so.5: undefined symbol: PQclear)$" e.txt
LD_LIBRARY_PATH="$WORK/fake" "$MORTEM" triage a.zip > /dev/null 2> e.txt; rc=$?
check "a libarchive.so.13 without the functions: one line" sh -c "test $rc -eq 1 && test \$(wc -l < e.txt) -eq 1"
check "... naming the first missing one" \
	grep -q "^mortem: a.zip: archive support needs libarchive.so.13 (dlsym: $WORK/fake/libarchive.so.13: undefined symbol: archive_" e.txt
done_ok
