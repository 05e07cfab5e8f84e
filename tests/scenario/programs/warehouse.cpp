// A warehouse index: bins (an array of structs, each with its own mutex),
// a registry of SKUs behind a static class member, and a journal behind a
// function-local static mutex. Background pickers wait for orders on a
// condition variable, a heartbeat thread sleeps. Three maintenance threads
// take the locks in a cycle and the program hangs.
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <map>
#include <mutex>
#include <queue>
#include <string>
#include <thread>
#include <vector>

struct Bin {
	long items = 0;
	std::mutex mu;
	char label[24] = "bin";
};

static Bin bins[4];

class Registry {
public:
	static std::mutex mu_;
	static std::map<std::string, int> skus;
};
std::mutex Registry::mu_;
std::map<std::string, int> Registry::skus;

static std::mutex &journal_lock()
{
	static std::mutex journal;
	return journal;
}

static int journal_entries;

namespace picking {
std::mutex orders_mu;
std::condition_variable orders_cv;
std::queue<int> orders;
bool closing = false;

void picker()
{
	std::unique_lock<std::mutex> lk(orders_mu);
	while (!closing) {
		orders_cv.wait(lk);
		while (!orders.empty())
			orders.pop();
	}
}
}

static void heartbeat()
{
	for (;;)
		std::this_thread::sleep_for(std::chrono::seconds(1));
}

static void nap()
{
	std::this_thread::sleep_for(std::chrono::milliseconds(300));
}

void flush()
{
	std::lock_guard<std::mutex> bin(bins[2].mu);
	bins[2].items = 0;
	nap();
	std::lock_guard<std::mutex> reg(Registry::mu_);
	Registry::skus["flushed"]++;
}

void rebuild()
{
	std::unique_lock<std::mutex> reg(Registry::mu_);
	Registry::skus.clear();
	nap();
	std::lock_guard<std::mutex> j(journal_lock());
	journal_entries++;
}

void sweep()
{
	std::lock_guard<std::mutex> j(journal_lock());
	journal_entries--;
	nap();
	std::scoped_lock bin(bins[2].mu);
	bins[2].items--;
}

int main()
{
	std::vector<std::thread> pickers;
	for (int i = 0; i < 3; i++)
		pickers.emplace_back(picking::picker);
	std::thread beat(heartbeat);
	std::thread a(flush), b(rebuild), c(sweep);
	a.join();
	b.join();
	c.join();
	std::printf("%d entries\n", journal_entries);
	beat.detach();
	{
		std::lock_guard<std::mutex> lk(picking::orders_mu);
		picking::closing = true;
	}
	picking::orders_cv.notify_all();
	for (auto &p : pickers)
		p.join();
	return 0;
}
