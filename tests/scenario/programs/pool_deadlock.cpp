/*
 * A small C++ server that deadlocks: a pool of 8 idle workers waiting on a
 * condition variable, two request handlers that take two mutexes in
 * opposite order (ABBA), and a reporter thread queued behind one of them.
 * With the main thread joining, 12 threads. Once every thread is about to
 * block, OUTFILE (argv[1]) gets one line per thread, "ROLE TID"; then the
 * process hangs for good (take it with gcore).
 */
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <thread>
#include <vector>

namespace {

std::mutex accounts, ledger;
std::mutex queue_lock;
std::condition_variable queue_ready;
bool stopping = false;
pthread_barrier_t all_set;
FILE *out;
std::mutex out_lock;

void note(const char *role)
{
	std::lock_guard<std::mutex> g(out_lock);
	std::fprintf(out, "%s %ld\n", role, (long)syscall(SYS_gettid));
	std::fflush(out);
}

void __attribute__((noinline)) worker()
{
	pthread_setname_np(pthread_self(), "worker");
	note("worker");
	pthread_barrier_wait(&all_set);
	std::unique_lock<std::mutex> lk(queue_lock);
	queue_ready.wait(lk, [] { return stopping; });
}

void __attribute__((noinline)) transfer()
{
	pthread_setname_np(pthread_self(), "transfer");
	note("transfer");
	std::lock_guard<std::mutex> a(accounts);
	pthread_barrier_wait(&all_set);
	std::lock_guard<std::mutex> b(ledger);
}

void __attribute__((noinline)) audit()
{
	pthread_setname_np(pthread_self(), "audit");
	note("audit");
	std::lock_guard<std::mutex> b(ledger);
	pthread_barrier_wait(&all_set);
	std::lock_guard<std::mutex> a(accounts);
}

void __attribute__((noinline)) report()
{
	pthread_setname_np(pthread_self(), "report");
	pthread_barrier_wait(&all_set);
	usleep(200000); /* after the cycle has closed */
	note("report");
	std::lock_guard<std::mutex> a(accounts);
}

} // namespace

int main(int argc, char **argv)
{
	out = argc > 1 ? std::fopen(argv[1], "w") : stdout;
	if (!out)
		return 2;
	pthread_barrier_init(&all_set, nullptr, 8 + 3 + 1);
	std::vector<std::thread> pool;
	for (int i = 0; i < 8; i++)
		pool.emplace_back(worker);
	std::thread t1(transfer), t2(audit), t3(report);
	pthread_barrier_wait(&all_set);
	usleep(400000);
	note("main");
	{
		std::lock_guard<std::mutex> g(out_lock);
		std::fprintf(out, "ready\n");
		std::fflush(out);
	}
	t1.join();
	return 0;
}
