// Accounts paying each other: one transfer helper takes the payer's lock,
// then the payee's. Three callers pay around a circle (checking -> savings
// -> brokerage -> checking) and hang; a pool of idle workers waits on a
// condition variable. Two accounts are globals, one is on the heap.
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

struct Account {
	long balance = 100;
	std::mutex guard;
	void transfer_to(Account &other, long n)
	{
		std::lock_guard<std::mutex> mine(guard);
		balance -= n;
		std::this_thread::sleep_for(std::chrono::milliseconds(300));
		std::lock_guard<std::mutex> theirs(other.guard); // the payee's lock
		other.balance += n;
	}
};

Account checking, savings;
Account *brokerage;

namespace idle {
std::mutex qmu;
std::condition_variable qcv;
bool stop;
void loop()
{
	std::unique_lock<std::mutex> l(qmu);
	qcv.wait(l, [] { return stop; });
}
} // namespace idle

void pay_rent() { checking.transfer_to(savings, 5); }
void sweep_savings() { savings.transfer_to(*brokerage, 7); }
void rebalance() { brokerage->transfer_to(checking, 9); }

int main()
{
	brokerage = new Account;
	std::vector<std::thread> pool;
	for (int i = 0; i < 4; i++)
		pool.emplace_back(idle::loop);
	std::thread a(pay_rent), b(sweep_savings), c(rebalance);
	a.join();
	b.join();
	c.join();
	for (auto &t : pool)
		t.join();
}
