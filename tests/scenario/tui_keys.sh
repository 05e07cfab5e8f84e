# The browser's key table (mortem browse --keys, from the key map itself)
# and the README's list of keys are the same.
. "$TOP/tests/lib/common.sh"
"$MORTEM" browse --keys > keys.md
check "browse --keys exits 0" test $? = 0
check "a row per request" test "$(grep -c '^| `' keys.md)" -ge 20
# the README's table: the block of rows after the "Every key" paragraph
sed -n '/^Every key/,/^## /p' "$TOP/README.md" | grep '^|' > readme.md
check "README lists every key the browser binds, and no other" diff -u keys.md readme.md
done_ok
