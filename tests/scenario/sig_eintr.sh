# eintr-crash, the founding case: poll() interrupted by a profiler-style SIGPROF
# (setitimer ITIMER_PROF, handler without SA_RESTART), then an assert on its
# result. The same program without signals crashes differently and is not
# eintr-crash. Also: buckets stable across ASLR and rebuilds (-O0/-O2, an
# added function), different for a different bug.
. "$TOP/tests/lib/common.sh"
need gcc gdb jq
. "$TOP/tests/lib/sigcore.sh"

build eintr0 eintr_poll.c -O0
build eintr2 eintr_poll.c -O2
build eintrx eintr_poll.c -O0 -DEXTRA

core_of eintr0 sig; mv core.txt sig1.txt; mv core sig1.core
core_of eintr0 sig; mv core.txt sig2.txt; rm -f core
core_of eintr2 sig; mv core.txt sigO2.txt; rm -f core
core_of eintrx sig; mv core.txt sigx.txt; rm -f core
core_of eintr0 nosig; mv core.txt nosig.txt; mv core nosig.core

"$MORTEM" report --json sig1.txt > sig1.json; check "gdb text of the core is analyzed" test $? -eq 0
jqcheck sig1.json '[.findings[].id] | index("eintr-crash") != null' "eintr-crash reported"
jqcheck sig1.json '.findings[] | select(.id == "eintr-crash") | .confidence != "possible"' \
	"eintr-crash at least likely (the abort message names poll, the wrapper aborted)"
jqcheck sig1.json '.findings[] | select(.id == "eintr-crash") | .summary | contains("poll failed")' \
	"eintr-crash summary carries the assertion text"
jqcheck sig1.json '.findings[] | select(.id == "eintr-crash") | .advice | test("EINTR") and test("-e alloc")' \
	"advice: retry on EINTR, confirm with a non-signal profiling mode"
jqcheck sig1.json '.crash.abort_message | test("Assertion `rc >= 0 && \"poll failed\"'"'"' failed")' \
	"assertion message recovered from __assert_fail's arguments"
jqcheck sig1.json '[.findings[].id] | index("assertion-failure") != null' "assertion-failure reported too"
jqcheck sig1.json '.signature == "SIGABRT in wait_for_input < main"' "signature skips abort/assert plumbing"

"$MORTEM" report --json nosig.txt > nosig.json
jqcheck nosig.json '[.findings[].id] | index("eintr-crash") == null' "no signals, different crash: no eintr-crash"
jqcheck nosig.json '[.findings[].id] | index("assertion-failure") == null' "no signals: no assertion-failure"

for f in sig2 sigO2 sigx; do "$MORTEM" report --json $f.txt > $f.json; done
b=$(jq -r .bucket sig1.json)
check "same bucket across two runs (ASLR)" test "$b" = "$(jq -r .bucket sig2.json)"
check "same bucket for an -O2 build" test "$b" = "$(jq -r .bucket sigO2.json)"
check "same bucket for a rebuild with an added function" test "$b" = "$(jq -r .bucket sigx.json)"
check "a different bug gets another bucket" test "$b" != "$(jq -r .bucket nosig.json)"

# Not EINTR: a thread killed with SIGSEGV inside write() (the call never
# returned), and a crash handler's waitpid() after the fault (the reporter's
# wait, not the application's call); their signatures name the application
# code, not write()'s or the reporter's plumbing.
build pipe_writer pipe_writer.c -O0
build crash_reporter crash_reporter.c -O0
for p in pipe_writer crash_reporter; do
	core_of $p; mv core $p.core; mv core.txt $p.txt
	"$MORTEM" report --json --exe $p $p.core > $p.json 2>/dev/null || "$MORTEM" report --json $p.txt > $p.json
	"$MORTEM" report --json $p.txt > $p.gdb.json
	for j in $p.json $p.gdb.json; do
		jqcheck $j '[.findings[].id] | index("eintr-crash") == null' "$j: no eintr-crash"
	done
done
jqcheck pipe_writer.json '.signature | test("write < ship_records$")' "pipe_writer: the signature is write() then the application's ship_records"
jqcheck crash_reporter.json '.signature | test(" < store_record < main$") and (test("wait") | not)' "crash_reporter: the signature is the fault in store_record, not the reporter's waitpid"

# The core itself, when this build reads cores (the core parser, another module):
# the errno from the thread's TLS and the abort message make it certain.
if "$MORTEM" report --json --exe eintr0 sig1.core > core.json 2> core.err; then
	jqcheck core.json '.findings[] | select(.id == "eintr-crash") | .confidence == "certain"' \
		"core: eintr-crash certain"
	jqcheck core.json '.findings[] | select(.id == "eintr-crash") | .summary | contains("EINTR") and contains("poll failed")' \
		"core: summary names errno EINTR and the assertion"
	check "core and gdb's text of it: one bucket" test "$(jq -r .bucket core.json)" = "$b"
	"$MORTEM" report --json --exe eintr0 nosig.core > core2.json
	jqcheck core2.json '[.findings[].id] | index("eintr-crash") == null' "core without signals: no eintr-crash"
	jqcheck core2.json '[.findings[].id] | index("null-dereference") != null' "core without signals: null-dereference"
else
	check "only a missing core parser may stop the core checks" grep -q "not a recognised dump format" core.err
	echo "note: this build reads no ELF cores; the core checks ran on gdb's text of the same cores"
fi
done_ok
