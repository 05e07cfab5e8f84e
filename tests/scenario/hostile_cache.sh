#!/bin/sh
# The symbolization cache ($XDG_CACHE_HOME/mortem) under attack (issue 21's
# promises kept by issue 22's cache): a FIFO, a device or a link planted
# under a cache file's name is never opened, followed or written through; a
# directory that someone else owns or may write to is not used at all (its
# entries could name anything in a report); files whose checksum is right
# but whose records are hostile never crash or hang mortem.
. "$TOP/tests/lib/common.sh"
. "$TOP/tests/lib/core.sh"
need cc jq python3 timeout mkfifo
T=${HOSTILE_TIMEOUT:-30}
export XDG_CACHE_HOME="$WORK/xdg"
C="$XDG_CACHE_HOME/mortem"
build assert_abort assert_abort.c -O2
take_core abort.core ./assert_abort

# report NAME [options]: the JSON report of abort.core into NAME.json (within T seconds)
report() {
	n=$1; shift
	timeout $T "$MORTEM" report --json "$@" abort.core >"$n.json" 2>"$n.err"
	echo $? >"$n.rc"
}
ends_same() { # NAME: it ended well with the report made without the cache
	[ "$(cat "$1.rc")" = 0 ] && cmp -s base.json "$1.json"
}

# a cache file's payload changed under a right checksum (tests/lib/symfile.py)
sym() { python3 "$TOP/tests/lib/symfile.py" "$@"; }

report base --no-cache
[ "$(cat base.rc)" = 0 ] || fail "report of the core failed: $(cat base.err)"
report cold
check "a cold cache: the same report" ends_same cold
libc=$(jq -r '.modules[] | select(.name | startswith("libc.so")) | .build_id' base.json)
[ -n "$libc" ] && [ -s "$C/$libc.sym" ] || fail "no cache file for libc ($libc)"
cp "$C/$libc.sym" good.sym
fn=$(jq -r --arg id "$libc" '[.threads[].frames[] | select(.module | startswith("libc.so")) |
	.function // empty | select(length >= 5 and test("^[A-Za-z_]+$"))][0] // empty' base.json)
[ -n "$fn" ] || fail "no libc function in the report"
planted=$(echo "$fn" | tr 'a-z_' 'A-Z.')

# a planted entry is taken from a sound file in the user's own directory:
# what makes the directory checks below matter
cp good.sym "$C/$libc.sym" && sym "$C/$libc.sym" plant "$fn" "$planted"
report own
check "a planted entry in the user's own cache is used (the threat)" \
	grep -q "\"$planted\"" own.json

# --- a directory writable by others, or someone else's: neither read nor written
for how in others group owner; do
	rm -rf "$C" && mkdir -p "$C" && cp good.sym "$C/$libc.sym" &&
		sym "$C/$libc.sym" plant "$fn" "$planted"
	case $how in
	others) chmod 0777 "$C" ;;
	group) chmod 0770 "$C" ;;
	owner) [ "$(id -u)" = 0 ] || continue; chown nobody "$C" ;;
	esac
	ls -l --time-style=+%s.%N "$C" >before.ls
	report $how
	case $how in
	others) what="writable by others" ;; group) what="writable by its group" ;; *) what="owned by someone else" ;;
	esac
	check "a cache directory $what: the same report, the planted entry unused" ends_same $how
	ls -l --time-style=+%s.%N "$C" >after.ls
	check "... and nothing in it read or written" cmp -s before.ls after.ls
done
# the directory as a link made by someone else (to a directory of this user)
if [ "$(id -u)" = 0 ]; then
	rm -rf "$C" "$WORK/mine" && mkdir -m 0700 "$WORK/mine" && ln -s "$WORK/mine" "$C" &&
		chown -h nobody "$C"
	report link
	check "a cache directory that is someone else's link: the same report" ends_same link
	check "... and nothing written through it" test -z "$(ls -A "$WORK/mine")"
fi

# --- special files and links under a cache file's name (the user's own directory)
rm -rf "$C" && mkdir -p -m 0700 "$C"
mkfifo "$C/$libc.sym"
report fifo
check "a FIFO as a cache file: the report ends, the same report (no warning about it)" ends_same fifo
check "... the FIFO replaced by a sound file" cmp -s "$C/$libc.sym" good.sym
rm -f "$C/$libc.sym" && ln -s /dev/zero "$C/$libc.sym"
report dev
check "a link to a device as a cache file: the same report" ends_same dev
check "... the link replaced by a sound file" eval "[ ! -L '$C/$libc.sym' ] && cmp -s '$C/$libc.sym' good.sym"
cp good.sym victim && touch -d '2001-01-01' victim
rm -f "$C/$libc.sym" && ln -s "$WORK/victim" "$C/$libc.sym"
report victim
check "a link to another file as a cache file: the same report" ends_same victim
check "... the file it named neither written nor touched" \
	eval "cmp -s victim good.sym && [ \$(stat -c %Y victim) = 978307200 ]"
check "... the link replaced by a sound file" eval "[ ! -L '$C/$libc.sym' ] && cmp -s '$C/$libc.sym' good.sym"
rm -f "$C/$libc.sym" && mkdir "$C/$libc.sym"
report dir
check "a directory as a cache file: the same report" ends_same dir
rm -rf "$C/$libc.sym" && truncate -s 65M "$C/$libc.sym"
report huge
check "a cache file past the 64 MiB bound: the same report" ends_same huge

# --- sound checksums over hostile records: never a crash or a hang, a valid report
bad=0
for seed in $(seq 1 24); do
	cp good.sym "$C/$libc.sym" && sym "$C/$libc.sym" mutate $seed
	report m$seed
	rc=$(cat m$seed.rc)
	if [ "$rc" != 0 ] || ! jq -e '.threads | length > 0' m$seed.json >/dev/null 2>&1; then
		echo "mutant $seed: exit $rc, $(head -c 300 m$seed.err)"
		bad=$((bad + 1))
	fi
done
check "24 cache files with right checksums and spoiled records: each report ends well" [ $bad = 0 ]
done_ok
