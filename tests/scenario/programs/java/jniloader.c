/*
 * The JNI side of LoaderHang.java: the unwinder-loader deadlock of
 * lockhang.c's "loader" mode, inside a JVM. walk() holds the loader lock
 * (a dl_iterate_phdr callback) and wants M; unwind() holds M and unwinds
 * with libunwind, which wants the loader lock.
 */
#define _GNU_SOURCE
#include <jni.h>
#include <link.h>
#include <pthread.h>
#define UNW_LOCAL_ONLY
#include <libunwind.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t both;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void init(void)
{
	pthread_barrier_init(&both, NULL, 2);
}

static int in_loader_callback(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)info;
	(void)size;
	(void)data;
	pthread_barrier_wait(&both);
	pthread_mutex_lock(&m); /* the loader lock is held here */
	return 1;
}

JNIEXPORT void JNICALL Java_LoaderHang_walk(JNIEnv *env, jclass cls)
{
	(void)env;
	(void)cls;
	pthread_once(&once, init);
	dl_iterate_phdr(in_loader_callback, NULL);
}

JNIEXPORT void JNICALL Java_LoaderHang_unwind(JNIEnv *env, jclass cls)
{
	void *pcs[64];
	(void)env;
	(void)cls;
	pthread_once(&once, init);
	pthread_mutex_lock(&m);
	pthread_barrier_wait(&both);
	unw_backtrace(pcs, 64); /* libunwind -> dl_iterate_phdr -> the loader lock */
	pthread_mutex_unlock(&m);
}
