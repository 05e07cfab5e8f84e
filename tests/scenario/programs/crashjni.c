/* A JNI library whose native method writes through a wild pointer (native-library-crash). */
#include <jni.h>

__attribute__((noinline)) static void fill_record(int *rec)
{
	rec[3] = 1;
}

JNIEXPORT void JNICALL Java_Crash_crashNative(JNIEnv *env, jclass cls)
{
	(void)env;
	(void)cls;
	fill_record((int *)0xdead0000);
}
