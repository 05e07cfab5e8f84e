# A dump given on standard input, in every form a shell gives it, reads as
# the same dump given by path: a file redirected (mapped), the rest of a
# file read from an offset, a pipe (copied into a memfd by splice, a pipe
# buffer at a time), a compressed pipe, a FIFO named as the input, a core
# (the memfd is its descriptor); and stdin closed or a directory is a
# one-line error.
. "$TOP/tests/lib/common.sh"
. "$TOP/tests/lib/core.sh"
need eu-stack jq cc zstd mkfifo timeout gcore
build abba abba.c -O0
./abba & pid=$!; PIDS=$pid
wait_threads $pid 3
eu-stack -s -i -p $pid > one.txt || fail "eu-stack failed"
gcore_of core $pid
kill $pid
# several pipe buffers (64 KB), each a splice of its own
i=0; while [ $i -lt 300 ]; do cat one.txt; i=$((i + 1)); done > big.txt
check "the input is over 128 KB" test "$(wc -c < big.txt)" -gt 131072
# every report without the path it names
norm() { jq -c 'del(.input.path)' "$1"; }

"$MORTEM" report --json big.txt > path.json || fail "report on the path"
norm path.json > want.json
jqcheck path.json '(.threads | length) >= 3' "the dump has its threads"

"$MORTEM" report --json - < big.txt > redirect.json
check "a redirected file: exit 0" test $? -eq 0
jqcheck redirect.json '.input.path == "-"' "stdin is named -"
norm redirect.json > got.json && check "a redirected file: the same report" cmp -s want.json got.json

cat big.txt | "$MORTEM" report --json - > pipe.json
check "a pipe: exit 0" test $? -eq 0
norm pipe.json > got.json && check "a pipe: the same report" cmp -s want.json got.json

zstd -q -c big.txt | "$MORTEM" report --json - > zpipe.json
check "a compressed pipe: exit 0" test $? -eq 0
norm zpipe.json > got.json && check "a compressed pipe: the same report" cmp -s want.json got.json
check "the compressed pipe was smaller" test "$(zstd -q -c big.txt | wc -c)" -lt "$(wc -c < big.txt)"
jqcheck zpipe.json ".input.bytes == $(wc -c < big.txt)" "a compressed pipe: the bytes counted after decompression"

# a file read from an offset: only what is left of it (the first copy of one.txt skipped)
skip=$(wc -c < one.txt)
i=0; while [ $i -lt 299 ]; do cat one.txt; i=$((i + 1)); done > rest.txt
"$MORTEM" report --json rest.txt > rest_path.json || fail "report on the rest"
norm rest_path.json > want_rest.json
( head -c "$skip" > /dev/null; "$MORTEM" report --json - ) < big.txt > offset.json
check "a file read from an offset: exit 0" test $? -eq 0
norm offset.json > got.json && check "a file read from an offset: what follows the offset" cmp -s want_rest.json got.json

mkfifo fifo
cat big.txt > fifo & PIDS="$PIDS $!"
timeout 60 "$MORTEM" report --json fifo > fifo.json
check "a FIFO named as the input: exit 0" test $? -eq 0
norm fifo.json > got.json && check "a FIFO: the same report" cmp -s want.json got.json

# a core on stdin: the memfd it is copied into is the core's descriptor (no second copy)
"$MORTEM" report --json --exe abba core > core_path.json || fail "report on the core"
norm core_path.json > want_core.json
jqcheck core_path.json '(.threads | length) == 3 and .process.pid != null' "the core has its threads"
cat core | "$MORTEM" report --json --exe abba - > core_pipe.json
check "a core from a pipe: exit 0" test $? -eq 0
norm core_pipe.json > got.json && check "a core from a pipe: the same report" cmp -s want_core.json got.json
"$MORTEM" report --json --exe abba - < core > core_redirect.json
norm core_redirect.json > got.json && check "a core redirected: the same report" cmp -s want_core.json got.json

"$MORTEM" report --json - <&- > closed.out 2> closed.err
check "stdin closed: exit 1" test $? -eq 1
check "stdin closed: one line that says so" grep -qx 'mortem: -: cannot read: Bad file descriptor' closed.err
check "stdin closed: nothing on stdout" test ! -s closed.out
mkdir d
"$MORTEM" report --json - < d > dir.out 2> dir.err
check "stdin a directory: exit 1" test $? -eq 1
check "stdin a directory: one line" test "$(wc -l < dir.err)" -eq 1
check "stdin a directory: names it" grep -q 'directory' dir.err
done_ok
