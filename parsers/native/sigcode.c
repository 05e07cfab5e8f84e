#include "parsers/native/sigcode.h"

#include <signal.h>
#include <stddef.h>

/* signal (0: any), code, name */
#define SIGCODES(X)                                                              \
	X(0, 0, "SI_USER") X(0, 0x80, "SI_KERNEL") X(0, -1, "SI_QUEUE")          \
	X(0, -2, "SI_TIMER") X(0, -3, "SI_MESGQ") X(0, -4, "SI_ASYNCIO")         \
	X(0, -5, "SI_SIGIO") X(0, -6, "SI_TKILL") X(0, -7, "SI_DETHREAD")        \
	X(SIGSEGV, 1, "SEGV_MAPERR") X(SIGSEGV, 2, "SEGV_ACCERR")               \
	X(SIGSEGV, 3, "SEGV_BNDERR") X(SIGSEGV, 4, "SEGV_PKUERR")               \
	X(SIGSEGV, 5, "SEGV_ACCADI") X(SIGSEGV, 6, "SEGV_ADIDERR")              \
	X(SIGSEGV, 7, "SEGV_ADIPERR") X(SIGSEGV, 8, "SEGV_MTEAERR")             \
	X(SIGSEGV, 9, "SEGV_MTESERR") X(SIGSEGV, 10, "SEGV_CPERR")              \
	X(SIGBUS, 1, "BUS_ADRALN") X(SIGBUS, 2, "BUS_ADRERR")                   \
	X(SIGBUS, 3, "BUS_OBJERR") X(SIGBUS, 4, "BUS_MCEERR_AR")                \
	X(SIGBUS, 5, "BUS_MCEERR_AO")                                            \
	X(SIGILL, 1, "ILL_ILLOPC") X(SIGILL, 2, "ILL_ILLOPN")                   \
	X(SIGILL, 3, "ILL_ILLADR") X(SIGILL, 4, "ILL_ILLTRP")                   \
	X(SIGILL, 5, "ILL_PRVOPC") X(SIGILL, 6, "ILL_PRVREG")                   \
	X(SIGILL, 7, "ILL_COPROC") X(SIGILL, 8, "ILL_BADSTK")                   \
	X(SIGILL, 9, "ILL_BADIADDR")                                             \
	X(SIGFPE, 1, "FPE_INTDIV") X(SIGFPE, 2, "FPE_INTOVF")                   \
	X(SIGFPE, 3, "FPE_FLTDIV") X(SIGFPE, 4, "FPE_FLTOVF")                   \
	X(SIGFPE, 5, "FPE_FLTUND") X(SIGFPE, 6, "FPE_FLTRES")                   \
	X(SIGFPE, 7, "FPE_FLTINV") X(SIGFPE, 8, "FPE_FLTSUB")                   \
	X(SIGFPE, 14, "FPE_FLTUNK") X(SIGFPE, 15, "FPE_CONDTRAP")               \
	X(SIGTRAP, 1, "TRAP_BRKPT") X(SIGTRAP, 2, "TRAP_TRACE")                 \
	X(SIGTRAP, 3, "TRAP_BRANCH") X(SIGTRAP, 4, "TRAP_HWBKPT")               \
	X(SIGTRAP, 5, "TRAP_UNK")                                                \
	X(SIGSYS, 1, "SYS_SECCOMP") X(SIGSYS, 2, "SYS_USER_DISPATCH")

struct sigcode {
	int signo, code;
	const char *name;
};

#define X_ENTRY(s, c, n) { s, c, n },
static const struct sigcode codes[] = { SIGCODES(X_ENTRY) };
#undef X_ENTRY

const char *sigcode_name(int signo, int code)
{
	/* positive codes are per signal; zero and negative ones are generic */
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (codes[i].code == code &&
		    (code > 0 && code != 0x80 ? codes[i].signo == signo : codes[i].signo == 0))
			return codes[i].name;
	return NULL;
}

int sigcode_has_address(int signo, int code)
{
	return code > 0 && code != 0x80 &&
	       (signo == SIGSEGV || signo == SIGBUS || signo == SIGILL || signo == SIGFPE ||
		signo == SIGTRAP);
}
