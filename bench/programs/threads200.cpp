// Bench input: a C++ program with 200 worker threads (or argv[1]), each a
// few frames deep (templates, a lambda, a virtual call) and blocked on a
// condition variable, then the main thread aborts: the core of a
// 200-thread (or 2,000-thread) native program.
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

static std::mutex m;
static std::condition_variable cv;
static int started;

struct Stage {
	virtual ~Stage() = default;
	virtual void run(int depth) = 0;
};

template <typename T> struct Worker : Stage {
	void run(int depth) override
	{
		if (depth > 0) {
			run(depth - 1);
			return;
		}
		std::unique_lock<std::mutex> lk(m);
		started++;
		cv.notify_all();
		cv.wait(lk, [] { return false; });
	}
};

int main(int argc, char **argv)
{
	int n = argc > 1 ? std::atoi(argv[1]) : 200;
	std::vector<std::thread> threads;
	for (int i = 0; i < n; i++)
		threads.emplace_back([i] {
			Worker<long> w;
			w.run(i % 7);
		});
	std::unique_lock<std::mutex> lk(m);
	cv.wait(lk, [n] { return started == n; });
	lk.unlock();
	std::abort();
}
