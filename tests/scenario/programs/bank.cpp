// A small bank: tellers move money between the vault, the ledger and the
// audit log, each guarded by its own std::mutex; a pool of clerks waits for
// paperwork on a condition variable. Three tellers take the locks in a
// cycle and the program hangs.
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

static std::mutex m_vault;
static std::mutex m_ledger;
std::mutex m_audit;
static long vault_cash = 1000, ledger_total, audit_entries;

class ClerkPool {
public:
	explicit ClerkPool(int n)
	{
		for (int i = 0; i < n; i++)
			clerks_.emplace_back([this] { work(); });
	}
	~ClerkPool()
	{
		{
			std::lock_guard<std::mutex> g(mu_);
			done_ = true;
		}
		cv_.notify_all();
		for (auto &t : clerks_)
			t.join();
	}
	void submit(std::function<void()> job)
	{
		std::lock_guard<std::mutex> g(mu_);
		jobs_.push_back(std::move(job));
		cv_.notify_one();
	}

private:
	void work()
	{
		for (;;) {
			std::unique_lock<std::mutex> l(mu_);
			cv_.wait(l, [this] { return done_ || !jobs_.empty(); });
			if (done_ && jobs_.empty())
				return;
			auto job = std::move(jobs_.front());
			jobs_.pop_front();
			l.unlock();
			job();
		}
	}
	std::mutex mu_;
	std::condition_variable cv_;
	std::deque<std::function<void()>> jobs_;
	std::vector<std::thread> clerks_;
	bool done_ = false;
};

static void pause_ms(int ms)
{
	std::this_thread::sleep_for(std::chrono::milliseconds(ms));
}

void deposit(long amount)
{
	std::lock_guard<std::mutex> vault(m_vault);
	vault_cash += amount;
	pause_ms(300);
	std::lock_guard<std::mutex> ledger(m_ledger);
	ledger_total += amount;
}

void reconcile()
{
	std::unique_lock<std::mutex> ledger(m_ledger);
	long total = ledger_total;
	pause_ms(300);
	std::lock_guard<std::mutex> audit(m_audit);
	audit_entries += total != 0;
}

void settle()
{
	std::scoped_lock audit(m_audit);
	audit_entries++;
	pause_ms(300);
	std::lock_guard<std::mutex> vault(m_vault);
	vault_cash -= 10;
}

int main()
{
	ClerkPool clerks(3);
	std::thread teller1(deposit, 50L), teller2(reconcile), teller3(settle);
	teller1.join();
	teller2.join();
	teller3.join();
	std::printf("vault %ld ledger %ld audit %ld\n", vault_cash, ledger_total, audit_entries);
	return 0;
}
