#!/bin/sh
# make bench: runs every bench/*.sh but this one; each prints its figures.
cd "$(dirname "$0")/.." || exit 1
export SHARED="${SHARED:-$(cd .. && pwd)/shared}"
rc=0
for b in bench/*.sh; do
	[ "$b" = bench/run.sh ] && continue
	echo "== $b"
	sh "$b" || rc=1
done
exit $rc
