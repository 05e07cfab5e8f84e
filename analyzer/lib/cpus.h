#ifndef MORTEM_CPUS_H
#define MORTEM_CPUS_H

/*
 * How many CPUs this process may run on (its affinity: taskset narrows
 * it), at least 1: the threads a parse or a report uses when -j is not
 * given.
 */
int cpus_usable(void);

#endif
