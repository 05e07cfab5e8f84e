#include "analyzer/lib/cpus.h"

#include <sched.h>

int cpus_usable(void)
{
	cpu_set_t set;
	if (sched_getaffinity(0, sizeof(set), &set))
		return 1;
	int n = CPU_COUNT(&set);
	return n > 0 ? n : 1;
}
