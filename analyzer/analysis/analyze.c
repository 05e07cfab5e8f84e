#include "analyzer/analysis/analyze.h"

int analyze_dump(struct dump *d, const struct mortem_opts *o, struct strbuf *err)
{
#define X_RUN(fn, name)                       \
	if (fn(d, o, err) < 0)                \
		return -1;
	ANALYSIS_STAGES(X_RUN)
#undef X_RUN
	return 0;
}
