# doc/rules.md keeps up with the signature engine: its catalogue table is
# what `mortem rules` prints, it names every rule-file key, scope and
# placeholder the rule parser accepts, and its example rule file is valid.
. "$TOP/tests/lib/common.sh"
DOC=$TOP/doc/rules.md
"$MORTEM" rules > rules.txt || fail "mortem rules"
awk '{ printf "| `%s` | %s |", $1, $2; $1 = $2 = ""; sub(/^ +/, ""); print " " $0 " |" }' rules.txt > want.md
sed -n '/^| id | severity | title |/,/^$/p' "$DOC" | grep '^| `' > doc.md
diff -u want.md doc.md
check "the catalogue table is mortem rules' output ($(wc -l < want.md) ids)" cmp -s want.md doc.md
# rule-file keys and scopes (signatures/rules.h), placeholders (signatures/rules.c)
sed -n 's/^[[:space:]]*X(RK_[A-Z_]*, "\([a-z-]*\)".*/\1/p' "$TOP/signatures/rules.h" > keys.txt
check "rules.h lists the keys" test "$(wc -l < keys.txt)" -ge 20
for k in $(cat keys.txt); do
	check "key $k" grep -q "\`$k\\( \\|\`\\|\\[\\)" "$DOC"
done
sed -n 's/^[[:space:]]*X(SCOPE_[A-Z]*, "\([a-z]*\)".*/\1/p' "$TOP/signatures/rules.h" > scopes.txt
for s in $(cat scopes.txt); do
	check "scope .$s" grep -q "\`\\.$s\`" "$DOC"
done
awk '/placeholders\[\] = \{/ { on = 1; next } on && /NULL/ { print; exit } on' "$TOP/signatures/rules.c" |
	grep -o '"[a-z-]*"' | tr -d '"' > placeholders.txt
check "rules.c lists placeholders" test "$(wc -l < placeholders.txt)" -ge 10
for p in $(cat placeholders.txt); do
	check "placeholder {$p}" grep -q "{$p}" "$DOC"
done
# the example rule files: the [rule] one, then the [in-app]/[system] one
ini_block() { awk -v want="$1" '/^```ini$/ { n++; on = 1; next } /^```$/ { on = 0; next } on && n == want { print }' "$DOC"; }
ini_block 1 > team.rules
ini_block 2 > frames.rules
"$MORTEM" rules --check team.rules > check.txt 2>&1
cat check.txt
check "the example rule file is valid" grep -q '^team.rules: 1 rule, no errors$' check.txt
"$MORTEM" rules --check frames.rules > check2.txt 2>&1
cat check2.txt
check "the [in-app]/[system] example is valid" grep -q '^frames.rules: 0 rules, 3 in-app/system patterns, no errors$' check2.txt
done_ok
