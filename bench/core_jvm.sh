#!/bin/sh
# bench/core_jvm.sh: mortem vs eu-stack -s -i on a gcore of a sleeping JVM
# (-Xmx1g, 20+ threads). Prints both times and the ratio; deletes the core.
# Usage: sh bench/core_jvm.sh [RUNS]   (from the repository root)
set -u
runs=${1:-3}
top=$(pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/mortem-bench.XXXXXX")
jpid=""
trap '[ -n "$jpid" ] && kill -9 $jpid 2>/dev/null; rm -rf "$work"' EXIT INT TERM
cd "$work" || exit 1
cat > Sleep.java <<'JAVA'
public class Sleep {
    public static void main(String[] a) throws Exception {
        for (int i = 0; i < 8; i++)
            new Thread(() -> { try { Thread.sleep(600000); } catch (Exception e) {} }).start();
        byte[][] keep = new byte[400][];
        for (int i = 0; i < keep.length; i++) keep[i] = new byte[1 << 20];
        Thread.sleep(600000);
    }
}
JAVA
javac Sleep.java || exit 1
java -Xmx1g -cp . Sleep & jpid=$!
i=0
while [ $i -lt 60 ] && [ "$(ls /proc/$jpid/task | wc -l)" -lt 20 ]; do sleep 0.5; i=$((i + 1)); done
sleep 2
gcore -o core $jpid > /dev/null 2>&1 || { echo "gcore failed"; exit 1; }
kill -9 $jpid; jpid=""
core=$(ls core.*)
echo "core: $(du -h "$core" | cut -f1), $(eu-stack --core="$core" 2>/dev/null | grep -c '^TID') threads"
best() { # best wall time of $runs runs of "$@", in ms
	b=""
	for r in $(seq 1 "$runs"); do
		s=$(date +%s%N); "$@" > /dev/null 2>&1; e=$(date +%s%N)
		t=$(( (e - s) / 1000000 ))
		[ -z "$b" ] || [ "$t" -lt "$b" ] && b=$t
	done
	echo "$b"
}
eu=$(best eu-stack -s -i --core="$core")
mo=$(best "$top/mortem" report --json "$core")
echo "eu-stack -s -i --core: ${eu} ms"
echo "mortem report --json:  ${mo} ms"
awk -v m="$mo" -v e="$eu" 'BEGIN { printf "ratio mortem/eu-stack: %.2f\n", m / e }'
