# mortem triage --db FILE and what the file already is: a database the
# user can read but not write still gives reports (opened read-only, no
# pragma, no schema change, no -wal or -shm left); another application's
# SQLite file, or a file that is not SQLite, is refused untouched with one
# line; a database of a newer mortem is refused; one of the first,
# unversioned schema is upgraded by a run with PATHs (results, buckets and
# history kept) and refused, untouched, by a report. Six workers starting
# together on a new file all succeed.
. "$TOP/tests/lib/common.sh"
need jq sqlite3 sha256sum
mkdir in
for f in "$SHARED"/corpus/eustack/*.txt; do
	cp "$f" in/
	cp "$f" "in/$(basename "$f" .txt).2.txt" && printf '\n' >> "in/$(basename "$f" .txt).2.txt"
done
[ -n "$(ls in)" ] || skip "no eu-stack corpus in $SHARED"
n=$(ls in | wc -l)
sum() { sha256sum "$1" | cut -d' ' -f1; }
one_line() { test "$(wc -l < "$1")" -eq 1; }

"$MORTEM" triage --db t.db --json in > first.json; rc=$?
check "a new database: exit 0" test $rc -eq 0
jqcheck first.json ".new == $n" "every input new"
"$MORTEM" triage --db t.db --json > report.json
jqcheck report.json ".inputs == $n and .new == 0" "a report: nothing new"

# ---- read-only: another user, or a file and folder without write permission
mkdir ro && cp t.db ro/t.db
as_reader() { "$@"; }
if [ "$(id -u)" = 0 ]; then
	command -v setpriv >/dev/null && id nobody >/dev/null 2>&1 ||
		fail "a read-only test as root needs setpriv and a nobody user"
	chmod 711 "$WORK"; chmod 755 ro; chmod 644 ro/t.db
	as_reader() { setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups "$@"; }
else
	chmod 555 ro; chmod 444 ro/t.db
fi
before=$(sum ro/t.db)
as_reader "$MORTEM" triage --db ro/t.db --json > ro.json 2> e.txt; rc=$?
check "read-only database: the report works (exit 0)" sh -c "test $rc -eq 0 || { cat e.txt >&2; false; }"
check "read-only database: nothing on stderr" test ! -s e.txt
check "read-only database: the same report" sh -c 'jq -S "del(.buckets[].history)" report.json > a; jq -S "del(.buckets[].history)" ro.json > b; cmp -s a b'
check "read-only database: history read too" sh -c 'jq -S "[.buckets[].history]" report.json > a; jq -S "[.buckets[].history]" ro.json > b; cmp -s a b'
as_reader "$MORTEM" triage --db ro/t.db --since 2000-01-01 > ro.txt 2> e.txt; rc=$?
check "read-only database: --since works" sh -c "test $rc -eq 0 && grep -q '^$n artifacts' ro.txt"
as_reader "$MORTEM" triage --db ro/t.db in > o.txt 2> e.txt; rc=$?
check "read-only database with PATHs: exit 1" test $rc -eq 1
check "... one line that says why" sh -c 'test "$(wc -l < e.txt)" -eq 1 && grep -q "^mortem: ro/t.db: the database is read-only: a report (--db without PATH) can read it" e.txt'
check "... nothing analyzed" test ! -s o.txt
check "read-only database: unchanged" test "$(sum ro/t.db)" = "$before"
check "read-only database: no -wal or -shm left" sh -c '! ls ro | grep -q -- "-wal\|-shm"'
chmod 755 ro 2>/dev/null; chmod 644 ro/t.db 2>/dev/null

# ---- another application's SQLite file
sqlite3 other.db "CREATE TABLE notes(id INTEGER PRIMARY KEY, text TEXT); INSERT INTO notes(text) VALUES('keep me');"
before=$(sum other.db)
"$MORTEM" triage --db other.db in > o.txt 2> e.txt; rc=$?
check "another application's file: exit 1" test $rc -eq 1
check "... one line" one_line e.txt
check "... that says so" grep -q "^mortem: other.db: not a mortem triage database (it holds another application's tables); left unchanged$" e.txt
check "... nothing analyzed" test ! -s o.txt
"$MORTEM" triage --db other.db > o.txt 2> e.txt; rc=$?
check "... a report refuses it too" sh -c "test $rc -eq 1 && grep -q 'not a mortem triage database' e.txt"
check "... the file is unchanged" test "$(sum other.db)" = "$before"
check "... still in its journal mode" test "$(sqlite3 other.db 'PRAGMA journal_mode')" = delete
check "... no -wal beside it" test ! -e other.db-wal
check "... no table added" test "$(sqlite3 other.db "SELECT group_concat(name) FROM sqlite_schema WHERE type = 'table'")" = notes
# tables named like mortem's first schema but not shaped like it
sqlite3 lookalike.db "CREATE TABLE artifacts(id); CREATE TABLE runs(id); CREATE TABLE bucket_counts(id);"
before=$(sum lookalike.db)
"$MORTEM" triage --db lookalike.db in > /dev/null 2> e.txt; rc=$?
check "tables with mortem's names, other columns: refused" sh -c "test $rc -eq 1 && grep -q 'not a mortem triage database' e.txt"
check "... unchanged, same journal mode" sh -c "test '$(sum lookalike.db)' = '$before' && test \"\$(sqlite3 lookalike.db 'PRAGMA journal_mode')\" = delete"

jqcheck first.json ".known == 0 and .not_stored == []" "first run: nothing already known, nothing unstored"
jqcheck report.json ".known == $n" "a report: everything already known"

# ---- not an SQLite file at all
printf 'my notes\n' > notes.txt
"$MORTEM" triage --db notes.txt in > /dev/null 2> e.txt; rc=$?
check "not an SQLite file: exit 1, one line" sh -c "test $rc -eq 1 && test \$(wc -l < e.txt) -eq 1"
check "... says so" grep -q "^mortem: notes.txt: not a mortem triage database (not an SQLite file); left unchanged$" e.txt
check "... unchanged" test "$(cat notes.txt)" = "my notes"
"$MORTEM" triage --db no/such/dir/t.db > /dev/null 2> e.txt; rc=$?
check "a report from a missing file: exit 1, one line" sh -c "test $rc -eq 1 && test \$(wc -l < e.txt) -eq 1"
check "... and it is not created" test ! -e no

# ---- a newer mortem's database
cp t.db newer.db
sqlite3 newer.db "UPDATE meta SET value = '3' WHERE key = 'schema_version'"
before=$(sum newer.db)
for args in "in" ""; do
	"$MORTEM" triage --db newer.db $args > o.txt 2> e.txt; rc=$?
	check "newer schema (${args:-report}): exit 1, one line" sh -c "test $rc -eq 1 && test \$(wc -l < e.txt) -eq 1"
	check "... says so" grep -q "triage database of a newer mortem (schema version 3; this mortem knows up to 2)" e.txt
done
check "newer schema: unchanged" test "$(sum newer.db)" = "$before"

# ---- the first, unversioned schema (mortem before schema versions): upgraded by a run
sqlite3 v1.db "PRAGMA journal_mode=WAL;
CREATE TABLE artifacts(hash TEXT PRIMARY KEY, path TEXT NOT NULL, mtime INTEGER,
 first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL, record TEXT NOT NULL);
CREATE INDEX artifacts_first_seen ON artifacts(first_seen);
CREATE TABLE runs(id INTEGER PRIMARY KEY, time INTEGER NOT NULL, found INTEGER, analyzed INTEGER);
CREATE TABLE bucket_counts(run INTEGER NOT NULL, bucket TEXT NOT NULL, signature TEXT,
 count INTEGER NOT NULL, PRIMARY KEY(run, bucket));
ATTACH 't.db' AS n;
INSERT INTO artifacts SELECT a.hash, a.path, a.mtime, a.first_seen, a.last_seen, r.record
 FROM n.artifacts a JOIN n.results r ON r.hash = a.hash;
INSERT INTO runs SELECT id, time, found, analyzed FROM n.runs;
INSERT INTO bucket_counts SELECT run, bucket, signature, count FROM n.bucket_counts;" > /dev/null
before=$(sum v1.db)
"$MORTEM" triage --db v1.db > o.txt 2> e.txt; rc=$?
check "first schema, a report: exit 1, one line" sh -c "test $rc -eq 1 && test \$(wc -l < e.txt) -eq 1"
check "... says a run with PATHs upgrades it" grep -q "triage database of an older mortem (schema version 1): a triage run with PATHs upgrades it" e.txt
check "... unchanged" test "$(sum v1.db)" = "$before"
"$MORTEM" triage --db v1.db --json in > up.json; rc=$?
check "first schema, a run with PATHs: exit 0" test $rc -eq 0
jqcheck up.json ".new == 0 and .known == $n" "upgraded: every result kept"
check "upgraded: the same buckets" sh -c 'jq -S "[.buckets[] | del(.history, .new)]" first.json > a; jq -S "[.buckets[] | del(.history, .new)]" up.json > b; cmp -s a b'
jqcheck up.json 'all(.buckets[]; (.history | length) == 2)' "upgraded: the old run's history kept, this run added"
check "upgraded: schema version 2" test "$(sqlite3 v1.db "SELECT value FROM meta WHERE key = 'schema_version'")" = 2
check "upgraded: bucket totals from the old results" test "$(sqlite3 v1.db "SELECT sum(count) FROM buckets")" = "$(jq '[.buckets[].count] | add' first.json)"
# workers that start together on a new file: each switches it to WAL, which
# SQLite refused at once ("database is locked", no busy wait) in about 1 run
# in 100 of six workers before the switch was tried again
mkdir one
cp "$(ls in/* | head -1)" one/
bad=0
for r in $(seq 40); do
	rm -f race.db race.db-wal race.db-shm
	for w in 1 2 3 4 5 6; do "$MORTEM" triage --db race.db -j 1 one > /dev/null 2> "race.$w" & done
	wait
	cat race.1 race.2 race.3 race.4 race.5 race.6 > race.err
	[ -s race.err ] && { bad=$((bad + 1)); head -1 race.err >&2; }
done
check "six workers on a new file, 40 times: none fails" test "$bad" -eq 0
done_ok
