#ifndef MORTEM_SIGCODE_H
#define MORTEM_SIGCODE_H

/*
 * Names of siginfo si_code values, Linux numbering: "SEGV_MAPERR" for
 * (SIGSEGV, 1), "SI_TKILL" for any signal with -6. NULL when unknown.
 */
const char *sigcode_name(int signo, int code);

/* Whether si_addr is meaningful for SIGNO with CODE (a kernel-raised fault). */
int sigcode_has_address(int signo, int code);

#endif
