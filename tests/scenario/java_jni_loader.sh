# The founding case inside a JVM: a JNI library (programs/java/jniloader.c)
# deadlocks on the loader lock as sig_loader.sh's program does. A gcore of
# the hung JVM reports the native cycle (unwinder-loader-deadlock) and, in
# the two threads, the Java frames that called into native code.
. "$TOP/tests/lib/common.sh"
. "$TOP/tests/lib/core.sh"
need gcore jq cc
need_jdks javac
JOPTS="$JVM_SMALL"
export MALLOC_ARENA_MAX=2
P="$TOP/tests/scenario/programs/java"
for jdk in $JDKS; do
	v=$(basename "$jdk")
	mkdir -p "$v" && cd "$v" || fail "cd"
	${CC:-cc} -g -O0 -shared -fPIC -I"$jdk/include" -I"$jdk/include/linux" -o libjniloader.so \
		"$P/jniloader.c" -lunwind -lpthread || fail "$v: cannot build the JNI library"
	"$jdk/bin/javac" -d . "$P/LoaderHang.java" || fail "$v: javac"
	"$jdk/bin/java" $JOPTS -Djava.library.path=. -cp . LoaderHang > out.txt 2>&1 & pid=$!; PIDS="$PIDS $pid"
	i=0; while [ $i -lt 300 ] && ! grep -q started out.txt; do sleep 0.1; i=$((i + 1)); done
	check "$v: the JVM started its threads" grep -q started out.txt
	sleep 1
	gcore_of core $pid
	kill -9 $pid
	"$MORTEM" report --json core > r.json || fail "$v: report"
	rm -f core
	jqcheck r.json '[.findings[].id] | index("lock-cycle") != null and index("unwinder-loader-deadlock") != null' "$v: the native cycle and its rule"
	N='(.threads | map({(.id): .name}) | add) as $n'
	jqcheck r.json "$N | [.findings[] | select(.id == \"unwinder-loader-deadlock\") | .threads[] | \$n[.]] | sort == [\"profiler\", \"request-handler\"]" "$v: between the two named Java threads"
	jqcheck r.json '.threads[] | select(.name == "profiler") | .frames | map(.function) | (index("in_loader_callback") < index("LoaderHang.walk")) and (index("LoaderHang.walk") < index("LoaderHang.sample"))' \
		"$v: profiler: the native frames, then the Java native method and its caller"
	jqcheck r.json '.threads[] | select(.name == "request-handler") | .frames | map(.function) | (index("Java_LoaderHang_unwind") < index("LoaderHang.unwind")) and (index("LoaderHang.unwind") < index("LoaderHang.handle"))' \
		"$v: request-handler likewise"
	jqcheck r.json '[.threads[] | select(.name == "profiler") | .frames[] | select(.function == "LoaderHang.sample" and .file == "LoaderHang.java" and .line == 12)] | length == 1' "$v: the Java caller's line"
	cd .. || fail "cd"
done
done_ok
