# The browser's key table (mortem browse --keys, from the key map itself)
# and doc/browser.md's list of keys are the same (doc_man.sh checks the man
# page's).
. "$TOP/tests/lib/common.sh"
"$MORTEM" browse --keys > keys.md
check "browse --keys exits 0" test $? = 0
check "a row per request" test "$(grep -c '^| `' keys.md)" -ge 20
# doc/browser.md's table: the block of rows after the "Every key" paragraph
sed -n '/^Every key/,/^## /p' "$TOP/doc/browser.md" | grep '^|' > doc.md
check "doc/browser.md lists every key the browser binds, and no other" diff -u keys.md doc.md
done_ok
