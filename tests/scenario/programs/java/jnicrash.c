/* The JNI side of JniCrash.java: stores through NULL in an inlined helper. */
#include <jni.h>

static inline __attribute__((always_inline)) void poke(volatile int *p, int v)
{
	*p = v; /* POKE_LINE */
}

JNIEXPORT void JNICALL Java_JniCrash_crash(JNIEnv *env, jclass cls)
{
	(void)env;
	(void)cls;
	poke((volatile int *)0, 42); /* CALL_LINE */
}
