# mortem triage --db postgresql://...: a real PostgreSQL server started by
# the test. Three workers at once on one archive analyze each artifact once;
# the same inputs give the same buckets and counts in PostgreSQL and in
# SQLite; a worker killed with kill -9 (on this machine, or on "another
# machine" whose claims only run out) and a rerun lose and double nothing;
# a server that stops mid-run, is down, refuses the password, lacks the
# database or holds a newer schema gets one line, exit 1, and never shows
# the password.
. "$TOP/tests/lib/common.sh"
. "$TOP/tests/lib/triage_fixtures.sh"
. "$TOP/tests/lib/pg.sh"
need cc jq gdb
pg_start
make_batch
N=$BATCH_DISTINCT
S="$(printf 'slow')"

no_password() { # FILE...: the password appears nowhere
	! grep -q -- "$PG_PASSWORD" "$@"
}
one_line() { test "$(wc -l < "$1")" -eq 1; }

# ---- failures at the start: nothing analyzed, one line, no password
down="postgresql://fleet:$PG_PASSWORD@/mortem?host=$WORK/no-server"
"$MORTEM" triage --db "$down" --json batch.tar.gz > o.json 2> e.txt; rc=$?
check "server down: exit 1" test $rc -eq 1
check "server down: one line" one_line e.txt
check "server down: nothing analyzed" test ! -s o.json
check "server down: says it cannot connect" grep -q "^mortem: postgresql://fleet@/mortem?host=$WORK/no-server: cannot connect: " e.txt
check "server down: no password" no_password e.txt
"$MORTEM" triage --db "postgresql://fleet:wrong-$PG_PASSWORD@/mortem?host=$PGDIR" batch.tar.gz > o.txt 2> e.txt; rc=$?
check "wrong password: exit 1, one line" sh -c "test $rc -eq 1 && test \$(wc -l < e.txt) -eq 1"
check "wrong password: says so" grep -q 'password authentication failed for user "fleet"' e.txt
check "wrong password: neither password shown" no_password e.txt o.txt
"$MORTEM" triage --db "postgresql:///mortem?host=$PGDIR&user=fleet&password=$PG_PASSWORD%zz" batch.tar.gz 2> e.txt; rc=$?
check "a bad URI: exit 1, one line" sh -c "test $rc -eq 1 && test \$(wc -l < e.txt) -eq 1"
check "a bad URI: the password= parameter hidden" no_password e.txt
check "a bad URI: shown without it" grep -q "^mortem: postgresql:///mortem?host=$PGDIR&user=fleet: " e.txt
"$MORTEM" triage --db "$(pg_url nosuch)" batch.tar.gz 2> e.txt; rc=$?
check "missing database: exit 1, one line" sh -c "test $rc -eq 1 && test \$(wc -l < e.txt) -eq 1"
check "missing database: says so" grep -q 'database "nosuch" does not exist' e.txt
pg_createdb empty
"$MORTEM" triage --db "$(pg_url empty)" 2> e.txt; rc=$?
check "report from a database without mortem's schema: exit 1" test $rc -eq 1
check "... one line that says so" grep -q 'no mortem triage data in this database' e.txt
check "... and the report created nothing" test "$(pg_sql empty "SELECT count(*) FROM pg_namespace WHERE nspname = 'mortem'")" = 0

# ---- three workers at once on the same archive
for w in 1 2 3; do
	MORTEM_TEST_WORKER_FAULT="!/:$S" "$MORTEM" triage --db "$PGURL" -j 1 --json batch.tar.gz \
		> w$w.json 2> w$w.err &
	eval "p$w=\$!"; PIDS="$PIDS $!"
done
for w in 1 2 3; do eval "wait \$p$w"; eval "rc$w=\$?"; done
check "three workers: all exit 0 ($rc1 $rc2 $rc3)" sh -c "test $rc1$rc2$rc3 = 000 || { cat w?.err >&2; false; }"
sum=$(jq -s 'map(.new) | add' w1.json w2.json w3.json)
echo "new per worker: $(jq -s -c 'map(.new)' w1.json w2.json w3.json), distinct: $N"
check "three workers: each artifact analyzed once between them (sum of new = $N)" test "$sum" = "$N"
for w in 1 2 3; do
	jqcheck w$w.json ".inputs == $BATCH_INPUTS and .skipped == 1 and .failed == [] and .new + .known == $BATCH_INPUTS" "worker $w reports every input"
	jq -S '[.buckets[] | {bucket, signature, count, total, members}]' w$w.json > b$w.json
done
check "three workers: the same buckets" sh -c 'cmp -s b1.json b2.json && cmp -s b1.json b3.json'
jqcheck w1.json 'all(.buckets[]; .total == .count - ([.members[] | select(endswith("again/core.same"))] | length))' "bucket totals count each artifact once"
check "no claim left" test "$(pg_sql mortem 'SELECT count(*) FROM mortem.artifacts WHERE claimed_by IS NOT NULL')" = 0
check "one result per artifact" test "$(pg_sql mortem "SELECT count(*) FROM mortem.results WHERE status <> 'skipped'")" = "$N"
check "bucket counts = results" test "$(pg_sql mortem "SELECT (SELECT sum(count) FROM mortem.buckets) = (SELECT count(*) FROM mortem.results WHERE status = 'ok')")" = t
check "three runs in the history" test "$(pg_sql mortem 'SELECT count(*) FROM mortem.runs')" = 3

"$MORTEM" triage --db "$PGURL" batch.tar.gz > again.txt
check "rerun: 0 new, all already known" grep -q "^$BATCH_INPUTS artifacts (0 new, $BATCH_INPUTS already known): $BATCH_INPUTS analyzed" again.txt

# ---- the same inputs into SQLite (three workers too): the same buckets and counts
for w in 1 2 3; do
	MORTEM_TEST_WORKER_FAULT="!/:$S" "$MORTEM" triage --db s.db -j 1 --json batch.tar.gz \
		> s$w.json 2> s$w.err &
	eval "p$w=\$!"; PIDS="$PIDS $!"
done
for w in 1 2 3; do eval "wait \$p$w"; eval "rc$w=\$?"; done
check "sqlite, three workers: all exit 0 ($rc1 $rc2 $rc3)" sh -c "test $rc1$rc2$rc3 = 000 || { cat s?.err >&2; false; }"
check "sqlite, three workers: sum of new = $N" test "$(jq -s 'map(.new) | add' s1.json s2.json s3.json)" = "$N"
"$MORTEM" triage --db "$PGURL" --json > pg-all.json
"$MORTEM" triage --db s.db --json > sq-all.json
keep='{inputs, analyzed, new, known, skipped, failed, buckets: [.buckets[] | del(.history)]}'
jq -S "$keep" pg-all.json > pg.cmp; jq -S "$keep" sq-all.json > sq.cmp
check "postgresql and sqlite: identical buckets and counts" cmp pg.cmp sq.cmp
jqcheck pg-all.json "(.buckets | length) >= 4 and ([.buckets[].count] | add) == $N" "the report holds every distinct artifact"

# ---- kill -9 on this machine mid-run, then a rerun: nothing lost, nothing doubled
pg_createdb killed
K=$(pg_url killed)
MORTEM_TEST_WORKER_FAULT="!/:$S" "$MORTEM" triage --db "$K" -j 1 --json batch.tar.gz > /dev/null 2>&1 &
kp=$!; PIDS="$PIDS $kp"
i=0
while [ $i -lt 100 ]; do
	got=$(pg_sql killed 'SELECT count(*) FROM mortem.results' 2>/dev/null || echo 0)
	[ "${got:-0}" -ge 5 ] && break
	sleep 0.1; i=$((i + 1))
done
kill -9 $kp; wait $kp 2>/dev/null
before=$(pg_sql killed "SELECT count(*) FROM mortem.results WHERE status <> 'skipped'")
check "killed mid-run: some stored, some not ($before of $N)" test "$before" -gt 0 -a "$before" -lt "$N"
"$MORTEM" triage --db "$K" --json batch.tar.gz > k.json; rc=$?
check "rerun after kill -9: exit 0" test $rc -eq 0
jqcheck k.json ".new == $N - $before and .inputs == $BATCH_INPUTS" "rerun analyzes exactly what was not stored"
check "after kill -9: one result per artifact" test "$(pg_sql killed "SELECT count(*) FROM mortem.results WHERE status <> 'skipped'")" = "$N"
check "after kill -9: bucket counts = results" test "$(pg_sql killed "SELECT (SELECT sum(count) FROM mortem.buckets) = (SELECT count(*) FROM mortem.results WHERE status = 'ok')")" = t

# ---- a worker on another machine is lost: its claims run out after --lease
if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null && unshare --uts true 2>/dev/null; then
	pg_createdb lost
	L=$(pg_url lost)
	# on the folder, not the archive: the artifacts it leaves are opened again by their paths
	MORTEM_TEST_WORKER_FAULT="batch/:$S" unshare --uts sh -c 'hostname other-host && exec "$0" "$@"' \
		"$MORTEM" triage --db "$L" --lease 3 -j 1 batch > /dev/null 2>&1 &
	lp=$!; PIDS="$PIDS $lp"
	i=0
	while [ $i -lt 100 ]; do
		got=$(pg_sql lost "SELECT count(*) FROM mortem.artifacts WHERE claimed_by LIKE 'other-host/%'" 2>/dev/null || echo 0)
		stored=$(pg_sql lost 'SELECT count(*) FROM mortem.results' 2>/dev/null || echo 0)
		[ "${got:-0}" -ge 1 ] && [ "${stored:-0}" -ge 3 ] && break
		sleep 0.1; i=$((i + 1))
	done
	kill -9 $lp; wait $lp 2>/dev/null
	held=$(pg_sql lost "SELECT count(*) FROM mortem.artifacts WHERE claimed_by LIKE 'other-host/%'")
	check "the lost machine left claims ($held)" test "$held" -ge 1
	"$MORTEM" triage --db "$L" --json batch > l.json; rc=$?
	check "its artifacts are taken once the lease runs out: exit 0" test $rc -eq 0
	jqcheck l.json ".inputs == $BATCH_INPUTS and .failed == []" "every artifact reported"
	check "after the lost machine: one result per artifact" test "$(pg_sql lost "SELECT count(*) FROM mortem.results WHERE status <> 'skipped'")" = "$N"
	check "no claim left" test "$(pg_sql lost 'SELECT count(*) FROM mortem.artifacts WHERE claimed_by IS NOT NULL')" = 0
else
	echo "the other-machine case needs root and unshare --uts (a host name of its own): not run"
fi

# ---- the server stops mid-run
pg_createdb stopped
T=$(pg_url stopped)
MORTEM_TEST_WORKER_FAULT="!/:$S" "$MORTEM" triage --db "$T" -j 1 --json batch.tar.gz > t.json 2> t.err &
tp=$!; PIDS="$PIDS $tp"
i=0
while [ $i -lt 100 ]; do
	got=$(pg_sql stopped 'SELECT count(*) FROM mortem.results' 2>/dev/null || echo 0)
	[ "${got:-0}" -ge 3 ] && break
	sleep 0.1; i=$((i + 1))
done
pg_stop
i=0
while [ $i -lt 100 ] && kill -0 $tp 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
check "server stopped: the worker stops" sh -c "! kill -0 $tp 2>/dev/null"
wait $tp; rc=$?
check "server stopped: exit 1" test $rc -eq 1
check "server stopped: says the connection was lost" grep -q "^mortem: postgresql://fleet@/stopped?host=$PGDIR: connection to the database lost" t.err
check "server stopped: names what was not stored" grep -q '^mortem: batch.tar.gz!/.*: analyzed, but not stored in the database$' t.err
jqcheck t.json '(.not_stored | length) >= 1' "server stopped: JSON lists what was not stored"
check "server stopped: no password" no_password t.err t.json
pg_restart
stored=$(pg_sql stopped "SELECT count(*) FROM mortem.results WHERE status <> 'skipped'")
"$MORTEM" triage --db "$T" --json batch.tar.gz > t2.json; rc=$?
check "rerun after the server came back: exit 0" test $rc -eq 0
jqcheck t2.json ".new == $N - $stored" "rerun analyzes what the stopped run did not store"
check "after the stop: one result per artifact" test "$(pg_sql stopped "SELECT count(*) FROM mortem.results WHERE status <> 'skipped'")" = "$N"
check "after the stop: bucket counts = results" test "$(pg_sql stopped "SELECT (SELECT sum(count) FROM mortem.buckets) = (SELECT count(*) FROM mortem.results WHERE status = 'ok')")" = t

# ---- a schema of a newer mortem
pg_sql stopped "UPDATE mortem.meta SET value = '99' WHERE key = 'schema_version'"
"$MORTEM" triage --db "$T" batch.tar.gz > o.txt 2> e.txt; rc=$?
check "newer schema: exit 1, one line" sh -c "test $rc -eq 1 && test \$(wc -l < e.txt) -eq 1"
check "newer schema: says so" grep -q 'triage database of a newer mortem (schema version 99' e.txt
check "newer schema: nothing analyzed" test ! -s o.txt
done_ok
