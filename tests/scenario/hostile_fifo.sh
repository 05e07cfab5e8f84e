#!/bin/sh
# FIFOs and devices named by a folder or a dump (issue 21, item 2): only
# regular files are opened by name. Before, `triage DIR` blocked forever in
# open() on a FIFO in the folder, `report CORE` when the core's NT_FILE named
# a FIFO (libdwfl opened it), `report hs_err.log` when its library list did.
# Now special files in folders are listed as not read, with what they are;
# names from a dump that are not regular files are refused (a warning says
# which), with either unwinder; nothing hangs, nothing reads a device.
. "$TOP/tests/lib/common.sh"
. "$TOP/tests/lib/hostile.sh"
. "$TOP/tests/lib/corefile.sh"
need jq timeout mkfifo python3
T=${HOSTILE_TIMEOUT:-30}

# --- a folder with a FIFO, a device, a socket and one dump
mkdir dir
jstack_deadlock "worker-a" "worker-b" "transfer" >dir/dump.txt
mkfifo dir/pipe
ln -s /dev/zero dir/zero
python3 -c "import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])" dir/sock
timeout $T "$MORTEM" triage --json dir >t.json 2>t.err; rc=$?
check "triage of a folder with a FIFO, a device and a socket ends (exit $rc)" [ $rc = 0 ]
jqcheck t.json '.analyzed == 1 and (.failed | length) == 0' "the dump in it is analyzed"
jqcheck t.json '[.not_read[] | "\(.path | sub(".*/"; "")): \(.reason)"] ==
	["pipe: a FIFO (named pipe)", "sock: a socket", "zero: a character device"]' \
	"the special files are listed as not read, each with what it is"
timeout $T "$MORTEM" triage dir >t.txt 2>&1
check "the text table lists them too" grep -q "dir/pipe: a FIFO (named pipe)" t.txt
timeout $T "$MORTEM" triage dir/pipe >/dev/null 2>p.err; rc=$?
check "a FIFO named on the command line of triage: exit 1, said why" \
	eval "[ $rc = 1 ] && grep -q 'not a regular file or directory (a FIFO' p.err"

# --- a core whose NT_FILE names a FIFO (the executable, replaced after the crash)
small_core assert_abort.c core.real || fail "no core of assert_abort"
exe=$(strings core.real | grep -m1 '/mortem-core\.[A-Za-z0-9]*/prog$')
[ -n "$exe" ] || fail "the core names no executable"
mkdir -p "$(dirname "$exe")" && mkfifo "$exe"
timeout $T "$MORTEM" report --json core.real >c.json 2>c.err; rc=$?
check "report of a core naming a FIFO ends (exit $rc)" [ $rc = 0 ]
jqcheck c.json "[.input.warnings[] | select(test(\"names $exe \\\\(a FIFO\"))] | length == 1" \
	"the refused name is in a warning"
# forced to libunwind-coredump, which reads NT_FILE's files itself: it ends
# too, with the report or with one line saying why that unwinder cannot
timeout $T "$MORTEM" report --json --unwinder libunwind core.real >l.json 2>l.err; rc=$?
check "report --unwinder libunwind of a core naming a FIFO ends (exit $rc)" \
	eval "[ $rc = 0 ] || { [ $rc = 1 ] && [ \$(wc -l <l.err) = 1 ] && grep -q 'not a regular file' l.err; }"
# the same name as a link to a device (libdwfl's own attach or mortem's
# dwflcore.c: the module's file is looked for either way)
rm -f "$exe" && ln -s /dev/zero "$exe"
timeout $T "$MORTEM" report --json core.real >z.json 2>z.err; rc=$?
check "report of a core naming a device ends (exit $rc)" [ $rc = 0 ]
jqcheck z.json "[.input.warnings[] | select(test(\"names $exe \\\\(a character device\"))] | length == 1" \
	"the device is refused, in a warning"
jqcheck z.json '.threads | length > 0' "the threads are there"
rm -f "$exe"; rmdir "$(dirname "$exe")" 2>/dev/null

# --- an hs_err log whose library list names a FIFO and a device
mkdir hs
mkfifo hs/libzip.so
ln -s /dev/zero hs/libnio.so
{
	printf '#\n# A fatal error has been detected by the Java Runtime Environment:\n#\n'
	printf '#  SIGSEGV (0xb) at pc=0x00007fa2a4353667, pid=25779, tid=0x00007fa1bf13b700\n#\n'
	printf '# JRE version: OpenJDK Runtime Environment (17.0.9+9) (build 17.0.9+9)\n'
	printf '# Java VM: OpenJDK 64-Bit Server VM (17.0.9+9, mixed mode, linux-amd64)\n'
	printf '# Problematic frame:\n# C  [libzip.so+0x6034]  ZIP_GetEntry2+0xf4\n#\n\n'
	printf -- '---------------  T H R E A D  ---------------\n\n'
	printf 'Current thread (0x00007fa29d232800):  JavaThread "main" [_thread_in_native, id=25945, stack(0x00007fa1bf03b000,0x00007fa1bf13c000)]\n\n'
	printf 'Native frames: (J=compiled Java code, j=interpreted, Vv=VM code, C=native code)\n'
	printf 'C  [libzip.so+0x6034]  ZIP_GetEntry2+0xf4\n'
	printf 'C  [libnio.so+0x3c1d]  Java_sun_nio_ch_IOUtil_read+0xfd\n\n\n'
	printf 'Dynamic libraries:\n'
	printf '7fa2a3215000-7fa2a3efd000 r-xp 00000000 fd:00 67733944   %s/hs/libzip.so\n' "$PWD"
	printf '7fa2a4215000-7fa2a4efd000 r-xp 00000000 fd:00 67733945   %s/hs/libnio.so\n\n' "$PWD"
} >hs_err.log
timeout $T "$MORTEM" report --json hs_err.log >h.json 2>h.err; rc=$?
check "report of an hs_err log naming a FIFO and a device ends (exit $rc)" [ $rc = 0 ]
jqcheck h.json '[.input.warnings[] | select(test("libzip.so \\(a FIFO|libnio.so \\(a character device"))] | length == 2' \
	"both names are refused, each in a warning"
jqcheck h.json '[.threads[0].frames[].function] | index("ZIP_GetEntry2") != null' \
	"the frames keep the names the log gave"
done_ok
