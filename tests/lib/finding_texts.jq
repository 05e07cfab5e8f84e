# For a mortem.report/1 object: one line per finding whose summary names a
# lock or a thread that its evidence does not hold. A lock is named the way
# lock_describe writes it, "KIND ID" (or a Java "<0x...>"), and must be one
# of the finding's locks, of that kind (a lock's address never stands
# without its kind: "the loader's lock (0x55.., _rtld_global...)" named
# another lock's address); a thread is named "thread ID" and must be one
# of the finding's threads. Prints nothing when all agree.
def esc: gsub("(?<c>[.*+?()\\[\\]{}|^$\\\\])"; "\\\(.c)");
. as $d
| ([$d.locks[] | {key: .id, value: .kind}] | from_entries) as $kinds
| $d.findings[] | . as $f
| ([$f.summary | scan("(pthread_mutex|pthread_rwlock|thread_join|loader_lock|java_monitor|juc_sync|futex|unknown) ([^ ]*(?:0x|@)[^ ,;:]*)")
    | {kind: .[0], id: .[1]}]) as $pairs
| ([$pairs[] | . as $p | select(($f.locks | index([$p.id])) == null or $kinds[$p.id] != $p.kind) | "\($p.kind) \($p.id)"]
   + [$f.summary | scan("<0x[0-9a-fA-F]+>") | select(. as $n | ($f.locks | index([$n])) == null)]
   + [$d.locks[] | . as $l | select(($l.id | startswith("0x")) and ($f.summary | test($l.id + "(?![0-9a-fA-F])"))
       and ($f.summary | test($l.kind + " " + $l.id + "(?![0-9a-fA-F])") | not)) | "\($l.id) without its kind"]) as $bad_locks
| ([$d.threads[] | .id as $id | select(($f.threads | index([$id])) == null)
    | select($f.summary | test("thread " + ($id | esc) + "([^0-9A-Za-z_#-]|$)")) | $id]) as $bad_threads
| select(($bad_locks | length) > 0 or ($bad_threads | length) > 0)
| "\($f.id): names \($bad_locks + ($bad_threads | map("thread " + .))) outside its evidence: \($f.summary[0:240])"
