#!/bin/sh
# Isolation (issue 21): a crash or a runaway inside a library while one
# input of `mortem report A B C` is analyzed costs only that input:
# "mortem: B: analysis crashed (SIGSEGV in ...)", exit 1, and A and C are
# reported, in text and in JSON (one valid object per good input). The
# deterministic crash is the test hook MORTEM_TEST_ANALYSIS_FAULT (a fault
# inside zlib); the real one is a core whose NT_FILE count is damaged, which
# crashed libunwind-coredump (issue 21, item 1) -- when the core reader
# handles it, that input is simply reported. Standard input is read once.
. "$TOP/tests/lib/common.sh"
. "$TOP/tests/lib/hostile.sh"
. "$TOP/tests/lib/corefile.sh"
need jq timeout python3
# the faults below are the point: the sanitizers must not take them for bugs
export ASAN_OPTIONS="${ASAN_OPTIONS:-}:handle_segv=0"
jstack_deadlock "worker-a" "worker-b" "transfer" >a.txt
cp a.txt c.txt
cp a.txt crash-b.txt

MORTEM_TEST_ANALYSIS_FAULT=crash-b:crash "$MORTEM" report a.txt crash-b.txt c.txt >t.out 2>t.err; rc=$?
check "text: exit 1" [ $rc = 1 ]
check "text: one error line, naming the input and the library" \
	eval "[ \"\$(cat t.err)\" = 'mortem: crash-b.txt: analysis crashed (SIGSEGV in libz.so.1)' ]"
check "text: A and C are reported" eval "[ \$(grep -c '^[ac].txt: jstack' t.out) = 2 ]"
MORTEM_TEST_ANALYSIS_FAULT=crash-b:crash "$MORTEM" report --json a.txt crash-b.txt c.txt >j.out 2>j.err; rc=$?
check "JSON: exit 1" [ $rc = 1 ]
check "JSON: two valid objects, A's and C's" \
	eval "[ \"\$(jq -r .input.path j.out | tr '\n' ' ')\" = 'a.txt c.txt ' ]"

# a child that dies once it has written its report: none of that report is
# left, whether stdout is a regular file (written directly, then cut back),
# a pipe (through an anonymous file) or /dev/null; what the file held before
# mortem began stays
for sink in file pipe; do
	{
		echo "before mortem"
		if [ $sink = file ]; then
			MORTEM_TEST_ANALYSIS_FAULT=crash-b:crash-late "$MORTEM" report --json a.txt crash-b.txt c.txt 2>l.err
		else
			MORTEM_TEST_ANALYSIS_FAULT=crash-b:crash-late "$MORTEM" report --json a.txt crash-b.txt c.txt 2>l.err | cat
		fi
		echo "rc=$?"
	} >l.out
	check "late crash, $sink: one error line" \
		eval "[ \"\$(cat l.err)\" = 'mortem: crash-b.txt: analysis crashed (SIGSEGV in libz.so.1)' ]"
	check "late crash, $sink: what came before is kept" eval "[ \"\$(head -1 l.out)\" = 'before mortem' ]"
	sed '1d;$d' l.out >l.json
	check "late crash, $sink: A's and C's objects only, valid" \
		eval "[ \"\$(jq -r .input.path l.json | tr '\n' ' ')\" = 'a.txt c.txt ' ]"
	MORTEM_TEST_ANALYSIS_FAULT=crash-b:crash-late "$MORTEM" report a.txt crash-b.txt c.txt >lt.out 2>/dev/null
	[ $sink = pipe ] || check "late crash, text to a file: A and C, one blank line between" \
		eval "[ \$(grep -c '^[ac].txt: jstack' lt.out) = 2 ] && [ \$(grep -c '^crash-b' lt.out) = 0 ] && ! tail -1 lt.out | grep -q '^\$'"
	[ $sink = pipe ] || check "late crash, file: exit 1" grep -qx 'rc=1' l.out
done
MORTEM_TEST_ANALYSIS_FAULT=crash-b:crash-late "$MORTEM" report a.txt crash-b.txt c.txt >/dev/null 2>n.err; rc=$?
check "late crash, /dev/null: exit 1 and the error line" eval "[ \$rc = 1 ] && grep -qc 'crash-b.txt: analysis crashed' n.err"

# a runaway: --timeout bounds each input of report
MORTEM_TEST_ANALYSIS_FAULT=crash-b:hang timeout 60 "$MORTEM" report --timeout 2 --json a.txt crash-b.txt c.txt >h.out 2>h.err; rc=$?
check "runaway: exit 1" [ $rc = 1 ]
check "runaway: said so" grep -qx 'mortem: crash-b.txt: analysis timed out after 2 s (--timeout)' h.err
check "runaway: A and C reported" eval "[ \"\$(jq -r .input.path h.out | tr '\n' ' ')\" = 'a.txt c.txt ' ]"

# standard input among the inputs: read once, analyzed in its child
MORTEM_TEST_ANALYSIS_FAULT=crash-b:crash "$MORTEM" report --json - crash-b.txt - <a.txt >s.out 2>s.err
check "stdin: reported (twice, the same bytes) around the crash" \
	eval "[ \"\$(jq -r '.input.path + \" \" + (.threads | length | tostring)' s.out | tr '\n' ' ')\" = '- 2 - 2 ' ]"

# a real crash: a core whose NT_FILE count is 0x7fffffffffffffff
if small_core assert_abort.c ok.core; then
	python3 "$TOP/tests/lib/ntfile_damage.py" ok.core bad.core || fail "no NT_FILE note to damage"
	timeout 120 "$MORTEM" report --json ok.core bad.core ok.core >c.out 2>c.err; rc=$?
	check "damaged NT_FILE: both good cores reported ($(cat c.err))" \
		eval "[ \"\$(jq -r .input.path c.out | grep -c '^ok.core$')\" = 2 ]"
	if grep -q 'bad.core: analysis crashed' c.err; then
		check "damaged NT_FILE: the crash is one line naming the input" \
			eval "[ \$rc = 1 ] && [ \$(wc -l <c.err) = 1 ] && grep -q '^mortem: bad.core: analysis crashed (SIG' c.err"
	else
		check "damaged NT_FILE: reported as a third object" \
			eval "[ \"\$(jq -r .input.path c.out | tr '\n' ' ')\" = 'ok.core bad.core ok.core ' ]"
	fi
else
	echo "no core of assert_abort: the damaged NT_FILE part is not run"
fi
done_ok
