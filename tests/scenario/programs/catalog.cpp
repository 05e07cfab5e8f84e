// A product catalog behind a std::shared_mutex (readers share it, the
// importer takes it exclusively) and an audit trail behind a std::mutex.
// The importer writes the audit while holding the catalog; an auditor
// reads the catalog while holding the audit trail: a writer/mutex cycle.
#include <chrono>
#include <cstdio>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace shop {
class Catalog {
public:
	void import_batch(int n);
	int lookup(const std::string &sku) const;
	static Catalog &instance();

private:
	mutable std::shared_mutex rw_;
	std::unordered_map<std::string, int> prices_;
};

std::mutex audit_mu;
std::vector<std::string> audit_trail;

Catalog &Catalog::instance()
{
	static Catalog c;
	return c;
}

void record(const std::string &what)
{
	std::lock_guard<std::mutex> g(audit_mu);
	audit_trail.push_back(what);
}

void Catalog::import_batch(int n)
{
	std::unique_lock<std::shared_mutex> w(rw_);
	for (int i = 0; i < n; i++)
		prices_["sku" + std::to_string(i)] = i;
	std::this_thread::sleep_for(std::chrono::milliseconds(300));
	record("imported " + std::to_string(n));
}

int Catalog::lookup(const std::string &sku) const
{
	std::shared_lock<std::shared_mutex> r(rw_);
	auto it = prices_.find(sku);
	return it == prices_.end() ? -1 : it->second;
}
}

static void importer()
{
	shop::Catalog::instance().import_batch(100);
}

static void auditor()
{
	std::lock_guard<std::mutex> g(shop::audit_mu);
	std::this_thread::sleep_for(std::chrono::milliseconds(300));
	shop::audit_trail.push_back("price of sku7: " + std::to_string(shop::Catalog::instance().lookup("sku7")));
}

int main()
{
	shop::Catalog::instance();
	std::thread a(importer), b(auditor);
	a.join();
	b.join();
	std::printf("%zu entries\n", shop::audit_trail.size());
	return 0;
}
