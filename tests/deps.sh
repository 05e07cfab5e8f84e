#!/bin/sh
# make deps: installs the Debian packages mortem's build and tests need
# (DEB_PKGS), when missing. Does nothing, and needs no privileges, when all
# are present. A library package counts as present when pkg-config finds
# its modules (PKG_DEBS maps module:package), even if dpkg does not list it
# (a library built from source); other packages are asked of dpkg.
# When something is missing and cannot be installed (no apt-get, not root
# and no password-less sudo, or no dpkg to ask): a missing library or build
# tool fails, with its name; a missing test tool is only said (the tests
# that need it skip, or fail under CI=true).
have() { command -v "$1" >/dev/null 2>&1; }

# the pkg-config modules of Debian package $1 (none: not a library package)
modules_of() {
	for p in $PKG_DEBS; do [ "${p#*:}" = "$1" ] && printf '%s ' "${p%%:*}"; done
}

missing=""   # packages to install
unknown=""   # packages nobody can tell about (no dpkg)
libs=""      # missing library modules
for p in $DEB_PKGS; do
	mods=$(modules_of "$p")
	if [ -n "$mods" ] && have pkg-config && pkg-config --exists $mods 2>/dev/null; then
		continue
	fi
	if have dpkg-query; then
		# installed; its triggers may be pending while another apt run works
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -Eqx 'install ok (installed|triggers-pending|triggers-awaited)' && continue
	elif [ -z "$mods" ]; then
		unknown="$unknown $p"
		continue
	fi
	missing="$missing $p"
	for m in $mods; do
		have pkg-config && pkg-config --exists "$m" 2>/dev/null || libs="$libs $m($p)"
	done
done
[ -n "$unknown" ] && echo "mortem: no dpkg to ask about:$unknown (the tests that need one skip without it)"
[ -z "$missing" ] && exit 0

if have apt-get && { [ "$(id -u)" = 0 ] || { have sudo && sudo -n true 2>/dev/null; }; }; then
	SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo -n"
	echo "mortem: installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get update -qq || exit 1
	$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null || exit 1
	exit 0
fi

why="not root and no password-less sudo"
have apt-get || why="no apt-get"
tools=""
for t in ${CC:-cc} make pkg-config; do have "$t" || tools="$tools $t"; done
if [ -n "$libs$tools" ]; then
	for m in $libs; do echo "mortem: missing library ${m%%(*} (Debian package ${m#*(}" >&2; done
	for t in $tools; do echo "mortem: missing build tool $t" >&2; done
	echo "mortem: cannot install ($why):$missing" >&2
	exit 1
fi
echo "mortem: not installed ($why):$missing; the build has what it needs, the tests that need these skip"
exit 0
