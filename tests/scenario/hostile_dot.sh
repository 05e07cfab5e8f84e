#!/bin/sh
# --dot with hostile names (issue 21, item 7): a thread named with 17,000
# characters made Graphviz reject the whole file ("longer than 16384?").
# Labels are capped with an ellipsis; dot(1) must draw the graph, and the
# short names must be whole.
. "$TOP/tests/lib/common.sh"
. "$TOP/tests/lib/hostile.sh"
need dot
long=$(head -c 17000 /dev/zero | tr '\0' 'a')
quotes=$(head -c 9000 /dev/zero | tr '\0' '"')
jstack_deadlock "$long" "shortname" "transfer" >long.txt
"$MORTEM" report --dot long.dot long.txt >/dev/null || fail "report --dot"
check "dot draws the graph of a 17,000-character thread name" dot -Tsvg -o long.svg long.dot
check "the long label ends in an ellipsis" grep -q "aaaa…\"" long.dot
check "the short name is whole" grep -q 'shortname' long.svg
check "no label near Graphviz's limit" eval '[ "$(awk "{ if (length(\$0) > m) m = length(\$0) } END { print m }" long.dot)" -lt 4096 ]'
# every character needs a backslash once quoted
jstack_deadlock "$quotes" "b\\\\c" "transfer" >quotes.txt
"$MORTEM" report --dot quotes.dot quotes.txt >/dev/null || fail "report --dot (quotes)"
check "dot draws a label of 9,000 quotes" dot -Tsvg -o quotes.svg quotes.dot
done_ok
