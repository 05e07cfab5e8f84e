/* A crash called from "JIT" code: machine code written at run time into
   anonymous memory (no module, no CFI), which keeps a frame pointer and
   calls back into the program, like a JVM's compiled Java frames.
   With the argument "nofp" the generated code clobbers the frame pointer
   instead: only a stack scan finds its caller. */
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

static volatile int *nowhere;

__attribute__((noinline)) void crash_here(void)
{
	*nowhere = 1; /* crash: NULL */
}

int main(int argc, char **argv)
{
	int nofp = argc > 1 && !strcmp(argv[1], "nofp");
	unsigned char *code = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (code == MAP_FAILED)
		return 1;
	uint64_t target = (uint64_t)(uintptr_t)crash_here;
	unsigned char *p = code;
	if (nofp) {
		*p++ = 0x31; *p++ = 0xed;         /* xor %ebp,%ebp */
	} else {
		*p++ = 0x55;                      /* push %rbp */
		*p++ = 0x48; *p++ = 0x89; *p++ = 0xe5; /* mov %rsp,%rbp */
	}
	*p++ = 0x48; *p++ = 0xb8;                 /* movabs $target,%rax */
	memcpy(p, &target, 8); p += 8;
	*p++ = 0xff; *p++ = 0xd0;                 /* call *%rax */
	*p++ = 0x5d;                              /* pop %rbp */
	*p++ = 0xc3;                              /* ret */
	((void (*)(void))code)();
	return 0;
}
