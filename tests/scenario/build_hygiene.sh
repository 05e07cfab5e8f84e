# The build's own promises (doc/building.md): a change of the compile flags
# rebuilds (BUILD/CFLAGS, rewritten only when they change, never by make -n);
# -Werror in the developers' build, not in RELEASE=1 or make install; a
# missing library is named with its Debian package; make deps succeeds
# without installing anything when the libraries are there (no dpkg, no
# apt-get, not root, a library dpkg does not list).
. "$TOP/tests/lib/common.sh"
need make pkg-config
# a make of our own: none of the outer make's jobserver, goals or options
unset MAKEFLAGS MFLAGS MAKELEVEL SANITIZE RELEASE CFLAGS OPT FUZZ CI
mk() { make -C "$TOP" --no-print-directory "$@"; }
B=$WORK/b
OBJ=$B/analyzer/lib/strbuf.o

# 1. flags recorded; a change rebuilds, the same flags do not
mk BUILD="$B" "$OBJ" > out.txt 2>&1 || fail "build: $(cat out.txt)"
check "the flags are recorded" grep -q -- '-O2 -g .*-Werror' "$B/CFLAGS"
check "the link flags too" grep -q -- '| .*-ldw' "$B/CFLAGS"
mk BUILD="$B" "$OBJ" > out.txt 2>&1
check "same flags: nothing rebuilt" sh -c "! grep -q 'CC ' out.txt"
mk BUILD="$B" OPT=-O1 "$OBJ" > out.txt 2>&1
check "OPT changed: rebuilt" grep -q 'CC .*strbuf.c' out.txt
check "OPT changed: recorded" grep -q -- '-O1' "$B/CFLAGS"
cp "$B/CFLAGS" flags.before
mk -n BUILD="$B" OPT=-O0 "$OBJ" > out.txt 2>&1
check "make -n leaves the record alone" cmp -s flags.before "$B/CFLAGS"
mk BUILD="$B" OPT=-O1 CFLAGS=-DMORTEM_FLAGS_TEST "$OBJ" > out.txt 2>&1
check "CFLAGS changed: rebuilt" grep -q 'CC .*strbuf.c' out.txt
mk BUILD="$B" OPT=-O1 CC=gcc CFLAGS=-DMORTEM_FLAGS_TEST "$OBJ" > out.txt 2>&1
check "CC changed: rebuilt" grep -q 'CC .*strbuf.c' out.txt
mk BUILD="$B" OPT=-O1 CC=gcc CFLAGS=-DMORTEM_FLAGS_TEST "$OBJ" > out.txt 2>&1
check "and not again" sh -c "! grep -q 'CC ' out.txt"

# 2. -Werror for developers and CI; not for a release build or make install
mk RELEASE=1 BUILD="$WORK/r" "$WORK/r/analyzer/lib/strbuf.o" > out.txt 2>&1 || fail "RELEASE=1 build: $(cat out.txt)"
check "RELEASE=1: no -Werror" sh -c "! grep -q -- -Werror '$WORK/r/CFLAGS'"
check "RELEASE=1: the same warnings otherwise" grep -q -- '-Wall -Wextra' "$WORK/r/CFLAGS"
mk -n install PREFIX="$WORK/inst" > install.txt 2>&1
check "make install builds and installs build/release/mortem" grep -q 'install -m 755 build/release/mortem' install.txt
check "make install: no -Werror" sh -c "! grep -q -- -Werror install.txt"
mk -n BUILD="$WORK/d" "$WORK/d/analyzer/lib/strbuf.o" > dev.txt 2>&1
check "make: -Werror" grep -q -- -Werror dev.txt

# 3. a missing library is named, with its package
mk BUILD="$WORK/m" PKGS="libdw libmortem-nosuch" PKG_DEBS="libdw:libdw-dev libmortem-nosuch:libmortem-nosuch-dev" \
	"$WORK/m/analyzer/lib/strbuf.o" > out.txt 2>&1
check "a missing library stops the build" test $? -ne 0
check "and is named with its Debian package" \
	grep -qx 'mortem: missing library libmortem-nosuch (Debian package libmortem-nosuch-dev); run make deps' out.txt
check "nothing compiled" test ! -e "$WORK/m/analyzer/lib/strbuf.o"

# 4. make deps (tests/deps.sh) where nothing can be installed
DEB_PKGS=$(mk -s --eval 'print-%: ; @echo $($*)' print-DEB_PKGS)
PKG_DEBS=$(mk -s --eval 'print-%: ; @echo $($*)' print-PKG_DEBS)
check "the package lists" test -n "$DEB_PKGS" -a -n "$PKG_DEBS"
# tools: a PATH with what deps.sh uses, and none of dpkg-query, apt-get, sudo
mkdir bin
for t in sh id grep sed cat pkg-config cc gcc make; do
	p=$(command -v $t) && ln -s "$p" bin/$t
done
deps() { env -i PATH="$WORK/bin" DEB_PKGS="$1" PKG_DEBS="$2" sh "$TOP/tests/deps.sh"; }
deps "$DEB_PKGS" "$PKG_DEBS" > out.txt 2>&1; rc=$?
cat out.txt
check "no dpkg, no apt-get, every library there: make deps succeeds" test $rc -eq 0
check "...and says what it cannot tell" grep -q '^mortem: no dpkg to ask about: .*gdb' out.txt
deps "libmortem-nosuch-dev" "libmortem-nosuch:libmortem-nosuch-dev" > out.txt 2>&1; rc=$?
check "no apt-get, a library missing: make deps fails" test $rc -eq 1
check "...naming it and its package" \
	grep -qx 'mortem: missing library libmortem-nosuch (Debian package libmortem-nosuch-dev)' out.txt
if command -v dpkg-query >/dev/null; then
	ln -s "$(command -v dpkg-query)" bin/dpkg-query
	# a library that pkg-config finds but no package dpkg lists provides (built from source)
	deps "zlib-from-source-dev" "zlib:zlib-from-source-dev" > out.txt 2>&1; rc=$?
	check "pkg-config finds it, dpkg does not list it: present" test $rc -eq 0 -a ! -s out.txt
	deps "$DEB_PKGS" "$PKG_DEBS" > out.txt 2>&1; rc=$?
	check "dpkg, no apt-get, all there: nothing to do" test $rc -eq 0
	deps "mortem-nosuch-tool" "" > out.txt 2>&1; rc=$?
	check "a test tool missing, nothing to install it with: said, not fatal" test $rc -eq 0
	check "...in one line" grep -qx 'mortem: not installed (no apt-get): mortem-nosuch-tool; the build has what it needs, the tests that need these skip' out.txt
fi
# a package whose triggers are pending (another apt run is at work) is installed
mkdir fake
printf '#!/bin/sh\nprintf "install ok triggers-pending"\n' > fake/dpkg-query
chmod +x fake/dpkg-query
env -i PATH="$WORK/fake:$WORK/bin" DEB_PKGS="man-db" PKG_DEBS="" sh "$TOP/tests/deps.sh" > out.txt 2>&1; rc=$?
check "triggers pending: installed, nothing to do" test $rc -eq 0 -a ! -s out.txt
# as a user who cannot install anything, with every package there
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null && command -v dpkg-query >/dev/null; then
	chmod 755 "$WORK"
	setpriv --reuid=65534 --regid=65534 --clear-groups env -i PATH=/usr/bin:/bin \
		DEB_PKGS="$DEB_PKGS" PKG_DEBS="$PKG_DEBS" sh "$TOP/tests/deps.sh" > out.txt 2>&1; rc=$?
	check "not root, everything installed: make deps succeeds" test $rc -eq 0
	setpriv --reuid=65534 --regid=65534 --clear-groups env -i PATH=/usr/bin:/bin \
		DEB_PKGS="mortem-nosuch-tool" PKG_DEBS="" sh "$TOP/tests/deps.sh" > out.txt 2>&1; rc=$?
	check "not root, a test tool missing: said, not fatal" test $rc -eq 0
	check "...with the reason" grep -q '^mortem: not installed (not root and no password-less sudo): mortem-nosuch-tool' out.txt
fi
done_ok
