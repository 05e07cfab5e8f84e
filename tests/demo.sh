#!/bin/sh
# make demo: builds a tiny program that deadlocks (two threads, two mutexes,
# opposite order), takes its stacks, and shows mortem's report on them.
set -u
top=$(pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/mortem-demo.XXXXXX")
pid=""
trap '[ -n "$pid" ] && kill -9 $pid 2>/dev/null; rm -rf "$work"' EXIT INT TERM
cc -g -O0 -o "$work/abba" "$top/tests/scenario/programs/abba.c" -lpthread || exit 1
"$work/abba" & pid=$!
sleep 1
echo "== a program that deadlocked (pid $pid); its stacks, as mortem reads them =="
if [ -x "$top/mortem" ] && "$top/mortem" report --help >/dev/null 2>&1 && \
   "$top/mortem" --help | grep -q 'input formats.* core'; then
	command -v gcore >/dev/null && gcore -o "$work/core" $pid >/dev/null 2>&1
	if [ -f "$work/core.$pid" ]; then
		"$top/mortem" report --color=always "$work/core.$pid"
		exit $?
	fi
fi
eu-stack -s -i -p $pid > "$work/stacks.txt" || exit 1
"$top/mortem" report --color=always "$work/stacks.txt"
