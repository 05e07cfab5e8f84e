# Sourced by scenario scripts: helpers that keep each script short.
# Every script runs in its own temporary directory ($WORK), removed on exit.
set -u
: "${MORTEM:?run through tests/run.sh}"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/mortem-test.XXXXXX")
PIDS=""
cleanup() {
	for p in $PIDS; do kill -9 "$p" 2>/dev/null; done
	rm -rf "$WORK"
}
trap cleanup EXIT INT TERM
cd "$WORK" || exit 1
CHECKS=0

fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "skipped: $*"; exit 77; }
need() { for t in "$@"; do command -v "$t" >/dev/null 2>&1 || skip "needs $t"; done; }
# need_shared DIR...: folders of ../shared ($SHARED: corpus, peer-cores...) the
# test reads. A clone without them skips; under CI=true tests/run.sh turns
# the skip into a failure.
need_shared() {
	for d in "$@"; do
		[ -d "$SHARED/$d" ] || skip "needs $SHARED/$d (../shared is not beside this clone)"
	done
}
# need_jdks TOOL: JDKS = the JDKs the Java tests run on (JDK 17, and JDK 25
# where it is installed) that have bin/TOOL; one absent is noted; none: skip.
# find_jdks TOOL sets JDKS alone. JVM_SMALL: options that keep a test JVM's
# memory, code cache and cores small.
find_jdks() {
	JDKS=""
	for _j in /usr/lib/jvm/java-17-openjdk-amd64 /usr/lib/jvm/temurin-25-jdk-amd64; do
		if [ -x "$_j/bin/$1" ]; then JDKS="$JDKS $_j"; else echo "note: $_j absent, skipped"; fi
	done
}
need_jdks() {
	find_jdks "$1"
	[ -n "$JDKS" ] || skip "needs a JDK (openjdk-17-jdk-headless)"
}
JVM_SMALL="-Xmx32m -Xms8m -Xss512k -XX:-UsePerfData -XX:+UseSerialGC -XX:ReservedCodeCacheSize=16m -XX:CompressedClassSpaceSize=32m -Xshare:off"

# check DESCRIPTION COMMAND...: runs COMMAND, fails the script when it fails.
check() {
	desc=$1; shift
	CHECKS=$((CHECKS + 1))
	if "$@"; then echo "ok: $desc"; else fail "$desc"; fi
}

# jqcheck FILE FILTER DESCRIPTION: the jq FILTER must print true on FILE.
jqcheck() {
	CHECKS=$((CHECKS + 1))
	r=$(jq -e "$2" "$1" 2>&1) || { echo "jq said: $r" >&2; fail "$3"; }
	echo "ok: $3"
}

# build NAME SRC [cc flags...]: compiles a scenario program from tests/scenario/programs.
build() {
	name=$1; src=$2; shift 2
	${CC:-cc} -g "$@" -o "$name" "$TOP/tests/scenario/programs/$src" -lpthread || fail "cannot build $src"
}

# wait_threads PID N: waits (up to 10 s) until PID has N threads all asleep.
wait_threads() {
	i=0
	while [ $i -lt 100 ]; do
		n=$(ls /proc/$1/task 2>/dev/null | wc -l)
		if [ "$n" -ge "$2" ]; then
			sleeping=1
			for t in /proc/$1/task/*; do
				grep -q '^State:.*S (sleeping)' "$t/status" 2>/dev/null || sleeping=0
			done
			[ $sleeping = 1 ] && return 0
		fi
		sleep 0.1; i=$((i + 1))
	done
	fail "process $1 did not reach $2 sleeping threads"
}

# valid_jsonl FILE: every line of FILE is one JSON object.
valid_jsonl() {
	[ -s "$1" ] || return 1
	while IFS= read -r l; do
		printf '%s' "$l" | jq -e 'type == "object"' >/dev/null 2>&1 || return 1
	done < "$1"
}

done_ok() { echo "$CHECKS checks passed"; exit 0; }
