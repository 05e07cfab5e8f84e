# eu-stack -s -i -p PID | mortem report --json -: every thread, frame, file and line.
. "$TOP/tests/lib/common.sh"
need eu-stack jq cc
build abba abba.c -O0
./abba & pid=$!; PIDS=$pid
wait_threads $pid 3
eu-stack -s -i -p $pid > stacks.txt || fail "eu-stack failed"
"$MORTEM" report --json - < stacks.txt > out.json
check "exit 0" test $? -eq 0
check "one JSON line" test "$(wc -l < out.json)" -eq 1
jqcheck out.json '.schema == "mortem.report/1"' "schema"
jqcheck out.json '.input.format == "eu-stack" and .input.path == "-"' "format detected from content"
jqcheck out.json "(.threads | length) == 3" "three threads"
jqcheck out.json "[.threads[].id] == [.threads[].tid | tostring] and .threads[0].tid == $pid" "thread ids are TIDs"
frames_in=$(grep -c '^#' stacks.txt)
jqcheck out.json "([.threads[].frames[]] | length) == $frames_in" "every frame ($frames_in)"
jqcheck out.json '[.threads[].frames[] | select(.function == "take_a_then_b" or .function == "take_b_then_a")] | length == 2' "both thread functions"
jqcheck out.json '[.threads[].frames[] | select(.file != null and (.file | endswith("abba.c")) and .line > 0)] | length >= 3' "source files and lines"
jqcheck out.json 'all(.threads[].frames[]; has("pc") and has("function") and has("module") and has("offset") and has("file") and has("line") and has("inlined") and has("kind") and has("trust"))' "every frame key"
jqcheck out.json '[.threads[].frames[] | select(.kind == "inline")] | length >= 1' "inline frames marked"
jqcheck out.json 'has("process") and has("crash") and has("modules") and has("locks") and has("findings") and has("signature") and has("bucket")' "every top-level key"
# the same with CRLF line ends
sed 's/$/\r/' stacks.txt | "$MORTEM" report --json - > crlf.json
jqcheck crlf.json "([.threads[].frames[]] | length) == $frames_in" "CRLF input gives the same frames"
# truncated at an arbitrary byte: keeps what came before
head -c 700 stacks.txt | "$MORTEM" report --json - > cut.json
check "truncated input exits 0" test $? -eq 0
jqcheck cut.json '(.threads | length) >= 1' "truncated input keeps its first thread"
done_ok
