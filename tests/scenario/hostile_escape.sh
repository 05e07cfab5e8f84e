#!/bin/sh
# Terminal escape injection (issue 21, item 5): thread, function and file
# names from a dump, and the paths in error lines, reach a terminal. A
# jstack dump whose thread names hold OSC 52 (writes the clipboard), CR,
# ESC[2J and a C1 CSI, and whose method holds OSC 0 (window title), goes
# through the text report (--color never and always), the triage table and
# the "mortem: PATH:" error lines: none of those bytes may come out raw,
# each must be shown escaped ("\e]52;", "\r", "\u009b"); --json keeps the
# exact bytes, escaped as JSON does.
. "$TOP/tests/lib/common.sh"
. "$TOP/tests/lib/hostile.sh"
need jq
ESC=$(printf '\033')
C1=$(printf '\302\233')
name_a=$(printf 'pay\033]52;c;aGVsbG8=\007er')
name_b=$(printf 'x\r\033[2Jy\302\233z')
method=$(printf 'tr\033]0;pwned\007ansfer')
jstack_deadlock "$name_a" "$name_b" "$method" >dump.txt

# raw_controls FILE: FILE holds a control character other than newline and
# tab once mortem's own colour codes are taken out
raw_controls() {
	sed "s/$ESC\[[0-9]*m//g" "$1" | tr -d '\n\t' | LC_ALL=C grep -q '[[:cntrl:]]' && return 0
	grep -qF "$C1" "$1"
}
escaped() { # FILE: the three names are there, shown escaped
	grep -qF 'pay\e]52;c;aGVsbG8=\aer' "$1" && grep -qF 'x\r\e[2Jy\u009bz' "$1" &&
		grep -qF 'tr\e]0;pwned\aansfer' "$1"
}

"$MORTEM" report --color never dump.txt >never.txt || fail "report --color never"
check "text report (--color never): no raw control character" eval '! raw_controls never.txt'
check "text report (--color never): names shown escaped" escaped never.txt
"$MORTEM" report --color always dump.txt >always.txt || fail "report --color always"
check "text report (--color always): only mortem's colour codes are raw" eval '! raw_controls always.txt'
check "text report (--color always): colours still there" grep -qF "$ESC[1mThread" always.txt
check "text report (--color always): names shown escaped" escaped always.txt

"$MORTEM" report --json dump.txt >out.json || fail "report --json"
check "JSON: the names' exact bytes (ESC as \\u001b)" grep -qF '"pay\u001b]52;c;aGVsbG8=\u0007er"' out.json
jqcheck out.json '[.threads[].name] == ["pay\u001b]52;c;aGVsbG8=\u0007er", "x\r\u001b[2Jy\u009bz"]' \
	"JSON keeps the exact bytes of the names"

mkdir dir
cp dump.txt "dir/$(printf 'dead\033]0;title\007lock.txt')"
: >"dir/$(printf 'empty\r\033[2J.txt')"
"$MORTEM" triage dir >triage.txt 2>triage.err
check "triage table: no raw control character" eval '! raw_controls triage.txt'
check "triage table: the signature and path shown escaped" \
	eval "grep -qF 'tr\\e]0;pwned\\aansfer' triage.txt && grep -qF 'dead\\e]0;title\\alock.txt' triage.txt"

bad=$(printf 'gone\033]52;c;Zm9v\007\r\033[2J.core')
"$MORTEM" report "$bad" 2>err.txt && fail "a missing input must fail"
check "error line: one line, no raw control character" \
	eval '[ "$(wc -l <err.txt)" = 1 ] && ! raw_controls err.txt'
check "error line: the path shown escaped" grep -qF 'mortem: gone\e]52;c;Zm9v\a\r\e[2J.core: ' err.txt
: >"$(printf 'empty\033]0;x\007')"
"$MORTEM" report "$(printf 'empty\033]0;x\007')" 2>err2.txt && fail "an empty input must fail"
check "error line for an empty input: escaped" grep -qF 'mortem: empty\e]0;x\a: ' err2.txt
done_ok
