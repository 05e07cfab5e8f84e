# Separate debug info: missing (warned), found by build-id under
# --debug-dir, fetched from a real debuginfod server on loopback
# (DEBUGINFOD_URLS); and --sysroot for a core from "another machine".
. "$TOP/tests/lib/common.sh"
. "$TOP/tests/lib/core.sh"
need cc jq objcopy debuginfod debuginfod-find
mkdir app
build app/crash_worker crash_worker.c -O0
take_core core ./app/crash_worker
id=$(jq -r '.modules[] | select(.name == "crash_worker") | .build_id' <<EOF2
$("$MORTEM" report --json core)
EOF2
)
check "build-id of the executable" test ${#id} -eq 40
mkdir srv
objcopy --only-keep-debug app/crash_worker srv/crash_worker.debug
objcopy --strip-debug app/crash_worker

crashed_top='[.threads[] | select(.crashed)][0].frames[0]'
"$MORTEM" report --json core > none.json
jqcheck none.json "$crashed_top | .function == \"store_value\" and .file == null" "stripped: symbols but no source"
jqcheck none.json '.input.warnings | any(test("no debug info.*crash_worker"))' "stripped: missing debug info is reported"
jqcheck none.json '.modules[] | select(.name == "crash_worker") | .debug_info == false' "stripped: module without debug info"

mkdir -p dd/.build-id/$(echo $id | cut -c1-2)
cp srv/crash_worker.debug dd/.build-id/$(echo $id | cut -c1-2)/$(echo $id | cut -c3-).debug
"$MORTEM" report --json --debug-dir "$PWD/dd" core > dd.json
jqcheck dd.json "$crashed_top | (.file | endswith(\"crash_worker.c\")) and .line == 12" "--debug-dir: source line by build-id"
jqcheck dd.json '.modules[] | select(.name == "crash_worker") | .debug_info == true' "--debug-dir: module has debug info"

# a real debuginfod serving srv/ on 127.0.0.1
port=$((20000 + $$ % 20000))
debuginfod -F srv -p $port -d "$WORK/db.sqlite" > server.log 2>&1 & PIDS="$PIDS $!"
export DEBUGINFOD_CACHE_PATH="$WORK/cache" DEBUGINFOD_TIMEOUT=10
i=0
# (a fresh client cache each time: the client remembers a miss for 10 minutes)
until rm -rf "$WORK/cache" && DEBUGINFOD_URLS=http://127.0.0.1:$port debuginfod-find debuginfo $id > /dev/null 2>&1; do
	i=$((i + 1)); [ $i -lt 100 ] || { cat server.log; fail "debuginfod did not serve $id"; }
	sleep 0.2
done
rm -rf "$WORK/cache"
DEBUGINFOD_URLS=http://127.0.0.1:$port "$MORTEM" report --json core > di.json
jqcheck di.json "$crashed_top | (.file | endswith(\"crash_worker.c\")) and .line == 12" "debuginfod: source line fetched"
jqcheck di.json '.input.warnings | all(test("no debug info.*crash_worker") | not)' "debuginfod: no missing-debug warning for the executable"
check "debuginfod: the client cache holds it" test -d "$WORK/cache/$id"

# .gnu_debuglink: the debug file in .debug/ beside the program (no build-id tree, no server)
objcopy --add-gnu-debuglink=srv/crash_worker.debug app/crash_worker
mkdir app/.debug
build other.bin crash_worker.c -O1
objcopy --only-keep-debug other.bin app/.debug/crash_worker.debug
"$MORTEM" report --json core > stale.json
jqcheck stale.json "$crashed_top | .file == null" "debuglink: another build's debug file is not taken"
cp srv/crash_worker.debug app/.debug/crash_worker.debug
LD_DEBUG=libs "$MORTEM" report --json core > dl.json 2> ld.log
jqcheck dl.json "$crashed_top | (.file | endswith(\"crash_worker.c\")) and .line == 12" "debuglink: source line from .debug/"
check "no DEBUGINFOD_URLS: libdebuginfod (curl, TLS) is not loaded" sh -c '! grep -q "calling init:.*libdebuginfod" ld.log'
rm -r app/.debug

# --sysroot: the program's files live under another root
mkdir -p "sr$WORK/app"
cp srv/crash_worker.debug sr.debug
mv app/crash_worker "sr$WORK/app/crash_worker"
unset DEBUGINFOD_URLS
"$MORTEM" report --json core > gone.json
jqcheck gone.json "$crashed_top | .function != \"store_value\"" "executable gone: no symbol"
"$MORTEM" report --json --sysroot "$PWD/sr" core > sr.json
jqcheck sr.json "([.threads[] | select(.crashed)][0].frames | map(.function)[0:3]) == [\"store_value\",\"process_item\",\"worker\"]" "--sysroot: symbols from the file under the root"
done_ok
