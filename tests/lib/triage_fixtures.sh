# Sourced by the triage scenario scripts (after common.sh): real crash
# artifacts made at test time, and archives of them.
#
# make_core OUT PROG ARGS...: runs PROG until it dies and keeps its kernel
# core as OUT (core_pattern "core" in the cwd), or, where the kernel hands
# cores elsewhere (a pipe to systemd-coredump/apport), has gdb write one.
make_core() {
	out=$1; prog=$(cd "$(dirname "$2")" && pwd)/$(basename "$2"); shift 2
	set -- "$prog" "$@"
	rm -rf coredir && mkdir coredir
	pattern=$(cat /proc/sys/kernel/core_pattern 2>/dev/null)
	case $pattern in
	core|core.*|./core*)
		{ (cd coredir && ulimit -c unlimited && exec "$@") >/dev/null 2>&1; } 2>/dev/null
		f=$(ls coredir/core* 2>/dev/null | head -1)
		[ -n "$f" ] && mv "$f" "$out" ;;
	esac
	if [ ! -s "$out" ]; then
		(cd coredir && gdb -batch -nx -ex run -ex "generate-core-file core" --args "$@") >/dev/null 2>&1
		mv coredir/core "$out" 2>/dev/null
	fi
	rm -rf coredir
	[ -s "$out" ] || fail "no core from $*"
}

# eustack_of CORE PROG: eu-stack's text of a core.
eustack_of() {
	eu-stack -s -i --core="$1" -e "$2" 2>/dev/null
	[ $? -le 1 ] || fail "eu-stack on $1"
}

# hang_eustack OUT: eu-stack of the ABBA deadlock, live.
hang_eustack() {
	./abba & hp=$!; PIDS="$PIDS $hp"
	wait_threads $hp 3
	eu-stack -s -i -p $hp > "$1" || fail "eu-stack -p"
	kill -9 $hp; wait $hp 2>/dev/null
}

# hang_core OUT: a core of the live ABBA deadlock (gdb's generate-core-file).
hang_core() {
	./abba & hp=$!; PIDS="$PIDS $hp"
	wait_threads $hp 3
	gdb -batch -nx -p $hp -ex "generate-core-file $1" >/dev/null 2>&1
	kill -9 $hp; wait $hp 2>/dev/null
	[ -s "$1" ] || fail "no core of the hung process"
}

# have_parser NAME: the input format NAME is built in (mortem --help lists them).
have_parser() {
	"$MORTEM" --help | grep '^input formats' | grep -qw "$1"
}

# gdb_of CORE PROG: gdb's "thread apply all bt" of a core.
gdb_of() {
	gdb -batch -nx -ex "thread apply all bt" "$2" "$1" 2>/dev/null || fail "gdb on $1"
}

# make_fleet: cores of three crash sites (segv x4, assert x2, fpe x2), eu-stack
# and gdb texts, two cores and two eu-stack dumps of a deadlock, junk, and these inputs in the cwd:
#   fleet/           a directory (host1/, host2/, a symbolic-link loop)
#   batch.tar.gz     holding host3/inner.zip (cores) and more
#   more.tar.zst     cores and texts
#   core.segv.4.zst  a compressed core as systemd-coredump stores it
#   cut.tar.gz       an archive cut short
make_fleet() {
	build segv triage_segv.c -O0
	build abrt triage_abort.c -O0
	build abba abba.c -O0
	mkdir -p parts fleet/host1 fleet/host2 stage/host3 stage2
	for i in 1 2 3 4; do make_core parts/core.segv.$i ./segv; done
	for i in 1 2; do make_core parts/core.assert.$i ./abrt assert; done
	for i in 1 2; do make_core parts/core.fpe.$i ./abrt fpe; done
	for i in 1 2 3; do eustack_of parts/core.segv.$i ./segv > parts/segv.$i.eustack.txt; done
	eustack_of parts/core.fpe.1 ./abrt > parts/fpe.1.eustack.txt
	gdb_of parts/core.segv.1 ./segv > parts/segv.1.gdb.txt
	gdb_of parts/core.fpe.2 ./abrt > parts/fpe.2.gdb.txt
	hang_eustack parts/abba-1.eustack.txt
	hang_eustack parts/abba-2.eustack.txt
	hang_core parts/hang.core.1
	hang_core parts/hang.core.2
	head -c 4096 /dev/urandom > parts/random.bin
	printf 'hello, not a dump\n' > parts/notes.txt

	cp parts/core.segv.1 parts/segv.1.eustack.txt parts/segv.1.gdb.txt parts/notes.txt \
		parts/random.bin fleet/host1/
	head -c 1000 parts/core.fpe.1 > fleet/host1/core.cut
	cp parts/abba-1.eustack.txt parts/hang.core.1 fleet/host2/
	ln -s .. fleet/host2/loop
	(cd parts && zip -q ../stage/host3/inner.zip core.segv.2 core.segv.3 core.assert.1) || fail zip
	cp parts/core.fpe.1 parts/abba-2.eustack.txt parts/hang.core.2 stage/
	cp parts/random.bin stage/junk.bin
	(cd stage && tar czf ../batch.tar.gz host3 core.fpe.1 abba-2.eustack.txt hang.core.2 junk.bin) || fail tar
	cp parts/core.assert.2 parts/core.fpe.2 parts/segv.2.eustack.txt parts/segv.3.eustack.txt \
		parts/fpe.1.eustack.txt parts/fpe.2.gdb.txt stage2/
	(cd stage2 && tar cf - . | zstd -q > ../more.tar.zst) || fail tar.zst
	zstd -q parts/core.segv.4 -o core.segv.4.zst || fail zstd
	(cd parts && tar czf ../full.tar.gz core.segv.1 core.segv.2 core.segv.3)
	size=$(wc -c < full.tar.gz)
	head -c $((size * 2 / 3)) full.tar.gz > cut.tar.gz
	rm -f full.tar.gz
}
FLEET="fleet batch.tar.gz more.tar.zst core.segv.4.zst cut.tar.gz"

# make_batch: batch.tar.gz, an archive of BATCH_DISTINCT distinct dump
# artifacts of a few bugs (real cores of three crash sites, eu-stack texts
# and variants of them, one core twice under two names) and a file that is
# not a dump. Sets BATCH_DISTINCT and BATCH_INPUTS (the dumps, repeats
# counted).
make_batch() {
	build segv triage_segv.c -O0
	build abrt triage_abort.c -O0
	mkdir -p batch/cores batch/texts batch/again
	for i in 1 2 3; do make_core batch/cores/core.segv.$i ./segv; done
	for i in 1 2; do make_core batch/cores/core.assert.$i ./abrt assert; done
	for i in 1 2; do make_core batch/cores/core.fpe.$i ./abrt fpe; done
	for f in "$SHARED"/corpus/eustack/*.txt; do
		b=$(basename "$f" .txt)
		for v in 1 2 3 4; do # the same stacks, distinct bytes
			cp "$f" "batch/texts/$b.$v.txt"
			i=0; while [ $i -lt $v ]; do printf '\n' >> "batch/texts/$b.$v.txt"; i=$((i + 1)); done
		done
	done
	cp batch/cores/core.segv.1 batch/again/core.same
	printf 'hello, not a dump\n' > batch/notes.txt
	(cd batch && tar czf ../batch.tar.gz cores texts again notes.txt) || fail "tar"
	BATCH_INPUTS=$(find batch -type f ! -name notes.txt | wc -l)
	BATCH_DISTINCT=$((BATCH_INPUTS - 1))
}
