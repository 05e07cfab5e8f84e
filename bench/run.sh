#!/bin/sh
# make bench: runs every benchmark script in bench/ (each prints its own table).
cd "$(dirname "$0")/.." || exit 1
export SHARED="${SHARED:-$(cd .. && pwd)/shared}"
rc=0
for b in bench/*.sh; do
	[ "$b" = bench/run.sh ] && continue
	echo "== $b"
	sh "$b" || rc=1
done
exit $rc
