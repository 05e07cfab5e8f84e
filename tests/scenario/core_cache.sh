# The persistent symbolization cache (parsers/native/symcache.h), in a
# temporary XDG_CACHE_HOME: the same reports with and without it, cold and
# warm; a damaged or cut file is ignored and rewritten; two runs at once
# leave sound files; the directory stays under its bound; --no-cache
# neither reads nor writes it. A hang's locks are named the same, and a
# warm run takes their names and the symbols the lock analysis looks up
# from the cache.
. "$TOP/tests/lib/common.sh"
. "$TOP/tests/lib/core.sh"
need cc g++ cmp jq gcore python3
export XDG_CACHE_HOME="$WORK/xdg"
C="$XDG_CACHE_HOME/mortem"
build assert_abort assert_abort.c -O2
take_core abort.core ./assert_abort
g++ -g -O1 -o cxx_crash "$TOP/tests/scenario/programs/cxx_crash.cpp" -lpthread || fail "cannot build cxx_crash.cpp"
take_core cxx.core ./cxx_crash

# report NAME CORE [options]: JSON and text reports into NAME.json and NAME.txt
report() {
	n=$1; c=$2; shift 2
	"$MORTEM" report --json "$@" "$c" > "$n.json" || fail "mortem report --json $c failed"
	"$MORTEM" report --color never "$@" "$c" > "$n.txt" || fail "mortem report $c failed"
}
same() { # A B: both reports of A and B are equal
	cmp -s "$1.json" "$2.json" && cmp -s "$1.txt" "$2.txt"
}

report base abort.core --no-cache
report base2 cxx.core --no-cache
check "--no-cache writes no cache" test ! -e "$C"

report cold abort.core
libc=$(jq -r '.modules[] | select(.name | startswith("libc.so")) | .build_id' base.json)
check "libc's build-id known" test -n "$libc"
check "a cold run writes one file per build-id, libc's among them" test -s "$C/$libc.sym"
check "cold: the same reports as without the cache" same base cold
report warm abort.core
check "warm: the same reports as without the cache" same base warm
report cold2 cxx.core
report warm2 cxx.core
check "C++ core, cold and warm: the same reports" same base2 cold2
check "C++ core, warm" same base2 warm2

# --no-cache neither reads (a read file is touched: least recently used) nor writes
touch -d '2001-01-01' "$C"/*.sym
before=$(ls -l --time-style=+%s "$C" | md5sum)
report nc abort.core --no-cache
check "--no-cache: the cache untouched" test "$(ls -l --time-style=+%s "$C" | md5sum)" = "$before"
check "--no-cache: the same reports" same base nc
report touched abort.core
check "a warm run marks libc's file used" test "$(stat -c %Y "$C/$libc.sym")" -gt 978307200

# a damaged file: ignored (the report as without the cache) and rewritten;
# a file is rewritten by renaming a new one into place (a new inode), and a
# sound one that gains nothing is only read (the same inode)
inode() { stat -c %i "$C/$libc.sym"; }
report steady abort.core
ino=$(inode)
report steady2 abort.core
check "a sound file is read, not rewritten" test "$(inode)" = "$ino"
size=$(stat -c %s "$C/$libc.sym")
cp "$C/$libc.sym" good.sym
printf 'XXXX' | dd of="$C/$libc.sym" bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
ino=$(inode)
report damaged abort.core
check "a damaged file: the same reports" same base damaged
check "a damaged file is rewritten" test "$(inode)" != "$ino"
check "... as it was before the damage" cmp -s "$C/$libc.sym" good.sym
truncate -s $((size / 3)) "$C/$libc.sym"
report cut abort.core
check "a cut file: the same reports" same base cut
check "a cut file is rewritten whole" cmp -s "$C/$libc.sym" good.sym
head -c 4096 /dev/urandom > "$C/$libc.sym"
report noise abort.core
check "a file of noise: the same reports" same base noise
check "a file of noise is rewritten" cmp -s "$C/$libc.sym" good.sym
ino=$(inode)
report after abort.core
check "after the rewrite: the same reports" same base after
check "after the rewrite: the file is sound (read, not rewritten)" test "$(inode)" = "$ino"

# two runs at once, on a cold cache: both right, no temporary file left, and
# what they wrote is sound (two runs later, nothing is rewritten)
rm -rf "$C"
"$MORTEM" report --json abort.core > par1.json & p1=$!
"$MORTEM" report --json cxx.core > par2.json & p2=$!
"$MORTEM" report --json abort.core > par3.json & p3=$!
wait $p1 && wait $p2 && wait $p3 || fail "a concurrent run failed"
check "concurrent runs: the same JSON" cmp -s par1.json base.json
check "concurrent runs: the same JSON (C++ core)" cmp -s par2.json base2.json
check "concurrent runs: the same JSON (third)" cmp -s par3.json base.json
check "concurrent runs leave no temporary file" test -z "$(ls -A "$C" | grep '^\.tmp-')"
report after1 abort.core
report after2 cxx.core
inodes=$(ls -i "$C" | sort)
report after3 abort.core
report after4 cxx.core
check "after concurrent runs: the same reports" same base after3
check "after concurrent runs: the same reports (C++ core)" same base2 after4
check "after concurrent runs: the files are sound (read, not rewritten)" test "$(ls -i "$C" | sort)" = "$inodes"

# the bound: past 64 MiB the least recently used files go, the newest stay
rm -rf "$C"
report fill abort.core
truncate -s 40M "$C/00aa.sym" && touch -d '2001-01-01' "$C/00aa.sym"
truncate -s 30M "$C/00bb.sym" && touch -d '2002-01-01' "$C/00bb.sym"
report bound cxx.core # new build-ids: files written, then the bound applied
total=$(du -b --apparent-size -c "$C"/*.sym | tail -1 | cut -f1)
check "the cache stays under 64 MiB ($total bytes)" test "$total" -le $((64 << 20))
check "the least recently used file went first" test ! -e "$C/00aa.sym"
check "a more recent one stayed" test -e "$C/00bb.sym"
check "libc's file stayed" test -s "$C/$libc.sym"
check "the bound: the same reports" same base2 bound

# a hang (lockhang.c ring: static mutexes l[0..2] and q): the lock names
# (symbols and DWARF) and what the lock analysis looks up by name
# (_rtld_global, main_arena) kept with the rest; the executable's file
# too, though libdwfl opened it by the core's path and names no file
rm -rf "$C"
${CC:-cc} -g -O0 -o lockhang "$TOP/tests/scenario/programs/lockhang.c" -lpthread -lunwind ||
	fail "cannot build lockhang.c"
./lockhang ring ring.txt & pid=$!; PIDS="$PIDS $pid"
i=0; while [ ! -s ring.txt ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
wait_threads $pid 8
sleep 0.2
gcore_of ring.core $pid
kill -9 $pid
report lbase ring.core --no-cache
names='[.locks[] | select(.kind == "pthread_mutex") | .label] | sort'
jqcheck lbase.json "$names == [\"l[0]\", \"l[1]\", \"l[2]\", \"q\"]" "a hang: the locks named l[0] l[1] l[2] q without the cache"
report lcold ring.core
report lwarm ring.core
check "a hang, cold: the same reports as without the cache" same lbase lcold
check "a hang, warm: the same reports as without the cache" same lbase lwarm
exe=$(jq -r '.modules[] | select(.name == "lockhang") | .build_id' lbase.json)
ld=$(jq -r '.modules[] | select(.name | startswith("ld-linux")) | .build_id' lbase.json)
check "the executable's file is written" test -s "$C/$exe.sym"
check "it keeps the lock names" grep -qa 'l\[1\]' "$C/$exe.sym"
check "ld.so's file keeps _rtld_global" grep -qa _rtld_global "$C/$ld.sym"
check "libc's file keeps main_arena" grep -qa main_arena "$C/$libc.sym"
ino=$(stat -c %i "$C/$exe.sym")
report lsteady ring.core
check "a hang, warm: nothing new, the file only read" test "$(stat -c %i "$C/$exe.sym")" = "$ino"
# a name planted in the executable's file (under a right checksum) shows
# that a warm run names the locks from the cache; --no-cache does not
python3 "$TOP/tests/lib/symfile.py" "$C/$exe.sym" plant 'l[1]' 'm[1]'
report lplant ring.core
jqcheck lplant.json "$names == [\"l[0]\", \"l[2]\", \"m[1]\", \"q\"]" "a warm run takes the lock names from the cache"
report lnc ring.core --no-cache
check "--no-cache: the names from the symbols" same lbase lnc
done_ok
