# The documentation holds together: README.md is the front door (at most
# 15,000 characters) and names every file under doc/; every relative link
# in README.md, doc/*.md and bench/README.md reaches a file and, with
# #anchor, a heading of it; no source cites a document outside the
# repository (the founding spec, design and style guide live in ../shared).
. "$TOP/tests/lib/common.sh"
cd "$TOP" || fail "cd $TOP"
n=$(LC_ALL=C.UTF-8 wc -m < README.md)
check "README.md: $n characters, at most 15000" test "$n" -le 15000
for f in doc/*; do
	check "README.md names $f" grep -qF "($f)" README.md
done

# anchors FILE: the GitHub anchors of FILE's headings (outside code blocks)
anchors() {
	awk '/^```/ { code = !code; next } !code && /^#+ / {
		h = tolower($0); sub(/^#+ /, "", h)
		gsub(/[^a-z0-9 _-]/, "", h); gsub(/ /, "-", h); print h }' "$1"
}
for f in README.md doc/*.md bench/README.md; do
	dir=$(dirname "$f")
	grep -o '\](\([^)]*\))' "$f" | sed 's/^](//; s/)$//' | grep -v '^[a-z]*://' | while read -r link; do
		path=${link%%#*}; anchor=""
		case $link in *'#'*) anchor=${link#*#} ;; esac
		target=$f
		[ -n "$path" ] && target=$dir/$path
		if [ ! -e "$target" ]; then echo "BAD LINK $f: $link (no $target)"; continue; fi
		[ -z "$anchor" ] && continue
		anchors "$target" | grep -qx -- "$anchor" || echo "BAD LINK $f: $link (no heading #$anchor in $target)"
	done
done > "$WORK/links.txt"
cat "$WORK/links.txt"
check "every relative link and anchor resolves" test ! -s "$WORK/links.txt"
git grep -n -I -e 'SPEC[.]md' -e 'DESIGN[.]md' -e 'STYLE[.]md' -- . > "$WORK/cites.txt"
cat "$WORK/cites.txt"
check "no file cites the spec, design or style documents of ../shared" test ! -s "$WORK/cites.txt"
done_ok
