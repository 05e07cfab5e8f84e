#!/bin/sh
# make check-layers: every #include "..." in the sources must go to the
# file's own layer or to one LAYERS allows it. Prints one line per upward
# (or sideways) include and exits 1 when there is any.
# LAYERS_ROOT: check another tree (the test plants an upward include in a copy).
cd "${LAYERS_ROOT:-$(dirname "$0")/..}" || exit 2
LAYERS_FILE=${LAYERS_FILE:-LAYERS}
sources() {
	if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		git ls-files 'analyzer/*.[ch]' 'parsers/*.[ch]' 'signatures/*.[ch]' 'tui/*.[ch]'
	else
		find analyzer parsers signatures tui -name '*.[ch]' 2>/dev/null | sort
	fi
}
awk -v rules="$LAYERS_FILE" '
function layer_of(path,    i, n, pats, j) {
	for (i = 1; i <= nlayers; i++) {
		n = split(files[i], pats, " ")
		for (j = 1; j <= n; j++)
			if (glob(path, pats[j])) return name[i]
	}
	return ""
}
# shell-style pattern with * not crossing /
function glob(s, p,    re) {
	re = p
	gsub(/\./, "\\.", re); gsub(/\*/, "[^/]*", re)
	return s ~ ("^" re "$")
}
BEGIN {
	while ((getline line < rules) > 0) {
		if (line ~ /^#/ || line ~ /^[ \t]*$/) continue
		n = split(line, w, /[ \t]+/)
		nlayers++; name[nlayers] = w[1]; files[nlayers] = ""; ok[w[1], w[1]] = 1
		# the files are the words with a / in them; the rest are allowed layers
		for (i = 2; i <= n; i++) {
			if (w[i] ~ /\//) files[nlayers] = files[nlayers] " " w[i]
			else if (w[i] != "-") ok[w[1], w[i]] = 1
		}
	}
	if (!nlayers) { print "check-layers: no layers in " rules > "/dev/stderr"; exit 2 }
}
FNR == 1 { from = layer_of(FILENAME)
	if (from == "") { print FILENAME ": in no layer of " rules; bad++ } }
/^[ \t]*#[ \t]*include[ \t]*"/ {
	split($0, q, "\""); inc = q[2]
	to = layer_of(inc)
	if (to == "") { print FILENAME ":" FNR ": includes \"" inc "\", which is in no layer (include from the repository root)"; bad++; next }
	if (!ok[from, to]) { print FILENAME ":" FNR ": " from " includes " to " (\"" inc "\"): not allowed by " rules; bad++ }
}
END { if (bad) { print bad " include(s) against " rules; exit 1 } }
' $(sources)
