# Sourced by scenario scripts (after common.sh): a real PostgreSQL server of
# the script's own, in a temporary directory, reachable only through a Unix
# socket there; stopped (and removed) when the script exits.
#
# pg_start: initdb + pg_ctl start. As root, the server runs as the
#   `postgres` user (initdb refuses root). Sets PGDIR (the socket's folder),
#   PG_PASSWORD and PGURL, a URI for the role `fleet` (password
#   authentication) on the database `mortem`.
# pg_url DB: the URI for database DB (created with pg_createdb).
# pg_createdb DB: a database owned by `fleet`.
# pg_sql DB SQL: runs SQL as the superuser, prints bare values.
# pg_stop: stops the server now (fast: open connections are cut).
# pg_restart: starts it again on the same data.

PG_BIN=""
for d in $(pg_config --bindir 2>/dev/null) /usr/lib/postgresql/*/bin; do
	[ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && { PG_BIN=$d; break; }
done
[ -n "$PG_BIN" ] || skip "needs PostgreSQL (initdb and pg_ctl: Debian's postgresql package)"
need psql

PGDIR=""
PG_PASSWORD='Fl33t-s3cret'
pg_as() { # runs a server command as the server's owner
	if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}
pg_stop() {
	[ -n "$PGDIR" ] && [ -f "$PGDIR/data/postmaster.pid" ] &&
		pg_as "$PG_BIN/pg_ctl" -D "$PGDIR/data" -m fast -w stop >/dev/null 2>&1
	return 0
}
pg_cleanup() {
	pg_stop
	[ -n "$PGDIR" ] && rm -rf "$PGDIR"
	cleanup
}
trap pg_cleanup EXIT INT TERM

pg_restart() {
	pg_as "$PG_BIN/pg_ctl" -D "$PGDIR/data" -w -t 30 -l "$PGDIR/log" \
		-o "-k $PGDIR -c listen_addresses= -c fsync=off -c max_connections=30" start \
		>/dev/null || { cat "$PGDIR/log" >&2; fail "pg_ctl start"; }
}

pg_sql() {
	psql -X -q -A -t -v ON_ERROR_STOP=1 "postgresql:///$1?host=$PGDIR&user=postgres" -c "$2"
}

pg_url() {
	echo "postgresql://fleet:$PG_PASSWORD@/$1?host=$PGDIR"
}

pg_createdb() {
	pg_sql postgres "CREATE DATABASE $1 OWNER fleet" >/dev/null || fail "CREATE DATABASE $1"
}

pg_start() {
	PGDIR=$(mktemp -d "${TMPDIR:-/tmp}/mortem-pg.XXXXXX") || fail "mktemp"
	[ "$(id -u)" = 0 ] && chown postgres "$PGDIR"
	pg_as "$PG_BIN/initdb" -D "$PGDIR/data" -U postgres -A trust --no-sync -E UTF8 \
		> "$PGDIR/initdb.log" 2>&1 || { cat "$PGDIR/initdb.log" >&2; fail "initdb"; }
	# the role mortem uses logs in with a password; the test's own psql is trusted
	printf 'local all fleet scram-sha-256\nlocal all all trust\n' > "$PGDIR/hba"
	cat "$PGDIR/hba" > "$PGDIR/data/pg_hba.conf" || fail "pg_hba.conf"
	pg_restart
	pg_sql postgres "CREATE ROLE fleet LOGIN PASSWORD '$PG_PASSWORD'" >/dev/null || fail "CREATE ROLE"
	pg_createdb mortem
	PGURL=$(pg_url mortem)
}
