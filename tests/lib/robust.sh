# Sourced by the robustness scenarios after common.sh: damaged inputs through
# `mortem report --json`, each judged (exit 0 and one valid JSON object, or
# exit 1 and exactly one stderr line "mortem: ...", within ROBUST_TIMEOUT
# seconds, 10 by default); robust_verdict at the end checks every report.
MUTATE=$BUILD_DIR/tests/lib/mutate
[ -x "$MUTATE" ] || fail "no $MUTATE (make check builds it)"
LIMIT=${ROBUST_TIMEOUT:-10}
mkdir in out
tried=0; bad=0
: >out/all.jsonl; : >out/all.names

# one_line FILE PREFIX: FILE holds exactly one newline-terminated line that
# starts with PREFIX (shell only: this runs for every input)
one_line() {
	{ IFS= read -r l1 && ! IFS= read -r l2 && [ -z "$l2" ]; } <"$1" || return 1
	case $l1 in "$2"*) return 0 ;; esac
	return 1
}

# try FILE [mortem options]: one input through the CLI, judged; exit-0
# reports are collected and validated by one jq run at the end.
try() {
	f=$1; shift
	tried=$((tried + 1))
	timeout -k 2 "$LIMIT" "$MORTEM" report --json "$@" "$f" >out/stdout 2>out/stderr
	rc=$?
	why=""
	case $rc in
	0) if one_line out/stdout '{'; then
		cat out/stdout >>out/all.jsonl; echo "$f $*" >>out/all.names
	   else
		why="exit 0 without exactly one JSON line"
	   fi ;;
	1) one_line out/stderr 'mortem: ' || why="exit 1 without exactly one 'mortem: ' line on stderr" ;;
	124|137) why="took more than ${LIMIT}s" ;;
	*) why="exit $rc" ;;
	esac
	[ -n "$why" ] || return 0
	bad=$((bad + 1))
	echo "BAD: $f $*: $why" >&2
	head -c 600 out/stderr >&2
	mkdir -p "$BUILD_DIR/robustness-failures"
	cp "$f" "$BUILD_DIR/robustness-failures/" 2>/dev/null
	return 0
}

# mutants SEEDFILE NAME COUNT: COUNT damaged copies of SEEDFILE through the CLI
mutants() {
	"$MUTATE" "$1" "in/$2" "$3" "$(printf '%s' "$2" | cksum | cut -d' ' -f1)" || fail "mutate $1"
	i=0
	while [ $i -lt "$3" ]; do try "in/$2.$i"; i=$((i + 1)); done
	rm -f "in/$2".*
}

# robust_verdict: every exit-0 report is valid JSON with the keys doc/json.md
# promises; fails the test when any input was not handled.
robust_verdict() {
	jq -c '.schema == "mortem.report/1" and (.threads | type == "array")
	       and (.input.warnings | type == "array") and has("crash") and has("findings")' \
		out/all.jsonl >out/verdicts 2>out/jq.err
	jrc=$?
	paste -d' ' out/verdicts out/all.names | grep -v '^true ' >out/bad-reports
	if [ -s out/bad-reports ]; then
		bad=$((bad + $(wc -l <out/bad-reports)))
		sed 's/^/BAD REPORT (missing keys): /' out/bad-reports >&2
	fi
	if [ $jrc -ne 0 ]; then
		bad=$((bad + 1))
		echo "BAD: invalid JSON from $(sed -n "$(($(wc -l <out/verdicts) + 1))p" out/all.names): $(cat out/jq.err)" >&2
	fi
	echo "$tried inputs, $(wc -l <out/all.jsonl) reports, $bad bad"
	[ $bad -eq 0 ] || fail "$bad of $tried inputs were not handled (copies in $BUILD_DIR/robustness-failures)"
}
