# The layering rule (LAYERS): the tree keeps it, and the checker really
# catches an upward include (planted in a copy of the tree).
. "$TOP/tests/lib/common.sh"
check "the tree includes only downwards (LAYERS)" sh "$TOP/tests/check-layers.sh"
mkdir -p tree/analyzer/lib tree/analyzer/model tree/parsers
cp "$TOP/LAYERS" tree/
printf '#include "analyzer/lib/strbuf.h"\n' > tree/analyzer/model/dump.h
printf '#include "analyzer/model/dump.h"\n' > tree/parsers/ok.c
printf '#include <stdio.h>\n#include "analyzer/model/dump.h"\n' > tree/analyzer/lib/strbuf.h
LAYERS_ROOT=$WORK/tree sh "$TOP/tests/check-layers.sh" > planted.out 2>&1
check "a planted upward include fails the check" test $? -eq 1
check "the failure names the file, the line and the layers" \
	grep -qx 'analyzer/lib/strbuf.h:2: lib includes model ("analyzer/model/dump.h"): not allowed by LAYERS' planted.out
check "and nothing else" test "$(grep -c 'not allowed' planted.out)" -eq 1
printf '#include "dump.h"\n' > tree/parsers/rel.c
LAYERS_ROOT=$WORK/tree sh "$TOP/tests/check-layers.sh" > rel.out 2>&1
check "an include not written from the root is refused" grep -q 'parsers/rel.c:1: includes "dump.h", which is in no layer' rel.out
done_ok
