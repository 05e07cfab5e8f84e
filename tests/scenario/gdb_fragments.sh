# gdb text as people paste it, from real programs:
#  - `gdb -batch -ex 'thread apply all bt' PROG CORE` of a 3-thread process:
#    the "#0 ..." gdb prints when it loads the core, before the listing and
#    its "[Current thread is N (...)]", is no thread of its own (a gcore'd
#    hang had 4 threads), for a crash core and a gcore'd hang, with and
#    without the executable's symbols (a stripped build);
#  - `gdb -ex run -ex bt` of a thread's crash, pasted from "received signal
#    SIGSEGV, Segmentation fault." (the inferior's name cut off): the crash,
#    its thread and all its frames, frame #0 included.
. "$TOP/tests/lib/common.sh"
. "$TOP/tests/lib/core.sh"
need gdb gcore jq cc strip
build abba abba.c -O0
cp abba abba-stripped && strip abba-stripped

# same_threads JSON CORE: the report lists exactly the core's threads (its LWPs)
core_lwps() { gdb -nx -batch -ex 'info threads' -c "$1" 2>/dev/null | sed -n 's/^[* ] *[0-9][0-9]* *LWP \([0-9]*\).*/\1/p' | sort -n | tr '\n' ' '; }
report_ids() { jq -r '[.threads[].id] | sort_by(tonumber) | join(" ")' "$1"; }

for prog in abba abba-stripped; do
	# a crash core: the deadlock, then a segfault in main
	take_core crash.core "./$prog" segv
	gdb -nx -batch -ex 'thread apply all bt' "./$prog" crash.core >crash.txt 2>&1
	check "$prog: gdb printed the load-time frame before the listing" \
		sh -c 'grep -n "^#0 " crash.txt | head -1 | cut -d: -f1 | { read a; b=$(grep -n "^Thread " crash.txt | head -1 | cut -d: -f1); [ "$a" -lt "$b" ]; }'
	"$MORTEM" report --json crash.txt >crash.json || fail "$prog: report of the crash listing"
	lwps=$(core_lwps crash.core)
	check "$prog: the crash listing's threads are the core's 3 ($lwps)" test "$(report_ids crash.json) " = "$lwps"
	jqcheck crash.json '.crash.signal == "SIGSEGV" and ([.threads[] | select(.crashed)] | length == 1)' \
		"$prog: the crash and its one thread"
	# a gcore'd hang: no "Program terminated", the load-time frame all the same
	"./$prog" & pid=$!; PIDS="$PIDS $pid"
	wait_threads $pid 3
	gcore_of hang.core $pid
	kill -9 $pid
	gdb -nx -batch -ex 'thread apply all bt' "./$prog" hang.core >hang.txt 2>&1
	"$MORTEM" report --json hang.txt >hang.json || fail "$prog: report of the hang listing"
	lwps=$(core_lwps hang.core)
	check "$prog: the hang listing's threads are the core's 3 ($lwps), no phantom" \
		test "$(report_ids hang.json) " = "$lwps"
	jqcheck hang.json '.crash == null' "$prog: a hang has no crash"
done

# a thread's crash under gdb, the paste starting at "received signal" or inside the thread's name
build tsegv thread_segv.c -O0
gdb -nx -batch -ex run -ex bt ./tsegv >run.txt 2>&1
check "gdb stopped at the thread's signal" grep -q '^Thread 2 "tsegv" received signal SIGSEGV' run.txt
lwp=$(sed -n 's/^\[Switching to Thread .*(LWP \([0-9]*\))\]/\1/p' run.txt | head -1)
sed -n '/received signal/,$p' run.txt | sed '1s/^.*received signal/received signal/' >cut-start.txt
sed -n '/received signal/,$p' run.txt | sed '1s/^Thread 2 "ts//' >cut-name.txt
for f in run cut-start cut-name; do
	"$MORTEM" report --json $f.txt >$f.json || fail "$f: report"
	jqcheck $f.json ".crash.signal == \"SIGSEGV\" and .crash.thread == \"$lwp\"" "$f: the crash in thread $lwp"
	jqcheck $f.json '[.threads[] | select(.crashed)] | length == 1 and (.[0].frames | map(.function)) == ["write_null", "start_thread", "clone3"]' \
		"$f: its three frames, write_null first"
done
done_ok
