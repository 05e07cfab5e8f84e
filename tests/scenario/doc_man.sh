# doc/mortem.1 keeps up with the program: every option of mortem --help is
# in OPTIONS with its argument and its default, and OPTIONS holds no other;
# every command and input format likewise; BROWSER KEYS is mortem browse
# --keys; the page renders without warnings. README.md points to it.
. "$TOP/tests/lib/common.sh"
MAN=$TOP/doc/mortem.1
"$MORTEM" --help > help.txt || fail "mortem --help"

# section NAME: the lines of the man page's .SH NAME section
section() { S=".SH $1" awk '$0 == ENVIRON["S"] { on = 1; next } /^\.SH / { on = 0 } on' "$MAN"; }

# help: "  -j, --jobs N     text" -> "jobs N"; "      --json   text" -> "json"
sed -n 's/^ \{2,\}\(-., \)\{0,1\}--\([a-z-]*\)\( [A-Z=]*\)\{0,1\}  .*/\2\3/p' help.txt | sed 's/ *$//' | sort > help.opts
check "--help lists options" test "$(wc -l < help.opts)" -ge 25
# man: ".TP" then "\fB\-j\fR, \fB\-\-jobs\fR \fIN\fR" -> "jobs N"
section OPTIONS | awk 'prev == ".TP" { print } { prev = $0 }' |
	sed -n 's/.*\\fB\\-\\-\([a-z\\-]*\)\\fR\( \\fI\([A-Z=]*\)\\fR\)\{0,1\}$/\1 \3/p' |
	sed 's/\\-/-/g; s/ $//' | sort > man.opts
diff help.opts man.opts > opts.diff
cat opts.diff
check "OPTIONS: every option of --help, with its argument, and no other" test ! -s opts.diff
# roff's spelling of an option: --max-frames -> \-\-max\-frames
roff() { printf '%s' "$1" | sed 's/-/\\-/g'; }
# short options
sed -n 's/^  \(-.\), --\([a-z-]*\).*/\1 --\2/p' help.txt > shorts.txt
check "--help lists short options" test -s shorts.txt
while read -r s l; do
	check "OPTIONS: $s goes with $l" grep -qF "\\fB$(roff "$s")\\fR, \\fB$(roff "$l")\\fR" "$MAN"
done < shorts.txt
# defaults: "(default 2048, 0: no limit)", "(default: number of CPUs)" -> the entry says it too
sed -n 's/^ \{2,\}\(-., \)\{0,1\}--\([a-z-]*\).*(default:\{0,1\} \([^,)]*\).*/\2	\3/p' help.txt > defaults.tsv
check "--help states defaults" test "$(wc -l < defaults.tsv)" -ge 8
while IFS='	' read -r opt def; do
	entry=$(section OPTIONS | O="\\fB$(roff "--$opt")\\fR" awk \
		'index($0, ENVIRON["O"]) && prev == ".TP" { on = 1; next } on && /^\.TP/ { exit } on { print } { prev = $0 }' | tr '\n' ' ')
	check "OPTIONS: --$opt says its default ($def)" sh -c 'case "$1" in *"default"*"$2"*) exit 0 ;; esac; exit 1' - "$entry" "$def"
done < defaults.tsv

# commands: "mortem report [OPTIONS] ..." in --help; ".TP" "\fBmortem report\fR ..." in COMMANDS
sed -n 's/^ *\(usage: \)\{0,1\}mortem \([a-z]\{1,\}\) .*/\2/p' help.txt | sort -u > help.cmds
section COMMANDS | sed -n 's/^\\fBmortem \([a-z]*\)\\fR.*/\1/p' | sort -u > man.cmds
diff help.cmds man.cmds > cmds.diff; cat cmds.diff
check "COMMANDS: every command of --help, and no other" test ! -s cmds.diff -a -s man.cmds
check "COMMANDS: the bare 'mortem [INPUT]'" grep -qxF '\fBmortem\fR [\fIOPTIONS\fR] [\fIINPUT\fR]' "$MAN"
for c in $(cat help.cmds); do
	check "SYNOPSIS: mortem $c" grep -qxF ".B mortem $c" "$MAN"
done

# input formats: the list --help prints; ".TP" ".B name" in INPUT FORMATS
sed -n 's/^input formats (--input-format): //p' help.txt | tr ' ' '\n' | sort > help.formats
section '"INPUT FORMATS"' | awk 'prev == ".TP" { print } { prev = $0 }' | sed -n 's/^\.B \(.*\)/\1/p' |
	sed 's/\\-/-/g' | sort > man.formats
diff help.formats man.formats > formats.diff; cat formats.diff
check "INPUT FORMATS: every format, and no other" test ! -s formats.diff -a -s man.formats

# browser keys: the man page's entries, as the Markdown rows of browse --keys
"$MORTEM" browse --keys | grep '^| `' > keys.md
section '"BROWSER KEYS"' | awk '/^\.TP/ { want = 1; next } want == 1 { keys = $0; want = 2; next } want == 2 { print keys "\t" $0; want = 0 }' |
	sed 's/\\-/-/g' | awk -F'\t' '{ k = $1; gsub(/\\fR, \\fB/, "` `", k); gsub(/\\f[BR]/, "`", k); print "| " k " | " $2 " |" }' > man.keys
diff keys.md man.keys > keys.diff; cat keys.diff
check "BROWSER KEYS: every key the browser binds, and no other" test ! -s keys.diff -a -s man.keys

for s in NAME SYNOPSIS DESCRIPTION COMMANDS OPTIONS '"INPUT FORMATS"' '"BROWSER KEYS"' '"EXIT STATUS"' \
	ENVIRONMENT FILES EXAMPLES '"SEE ALSO"'; do
	check "section $s" grep -q "^\\.SH $s\$" "$MAN"
done
# every environment variable the code reads is in ENVIRONMENT
grep -rhoE 'getenv\("[A-Z_]+"\)' "$TOP/analyzer" "$TOP/parsers" "$TOP/signatures" "$TOP/tui" |
	sed 's/getenv("\(.*\)")/\1/' | sort -u > env.txt
check "the code reads environment variables" test -s env.txt
section ENVIRONMENT > env.man
for v in $(cat env.txt); do
	check "ENVIRONMENT: $v" grep -q "^\.B $v" env.man
done
if command -v groff >/dev/null; then
	groff -man -ww -z -Tutf8 "$MAN" > groff.txt 2>&1
	cat groff.txt
	check "groff renders it without a warning" test ! -s groff.txt
else
	[ "${CI:-}" = true ] && fail "no groff (CI=true)"
	echo "note: no groff: rendering not checked"
fi
check "README.md points to the man page" grep -q 'doc/mortem.1' "$TOP/README.md"
done_ok
