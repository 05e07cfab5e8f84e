// An order service whose work runs in lambdas: one through std::async, one
// on a std::thread; each takes the two service locks in the other order and
// the program hangs. gdb names a lambda's body "operator()", its symbol
// "main::{lambda()#1}::operator()() const".
#include <chrono>
#include <future>
#include <mutex>
#include <thread>

namespace svc {
std::mutex orders_mu, stock_mu;
}

int main()
{
	using namespace std::chrono_literals;
	auto place = std::async(std::launch::async, [] {
		std::lock_guard<std::mutex> orders(svc::orders_mu);
		std::this_thread::sleep_for(300ms);
		std::lock_guard<std::mutex> stock(svc::stock_mu);
	});
	std::thread restock([] {
		std::unique_lock<std::mutex> stock(svc::stock_mu);
		std::this_thread::sleep_for(300ms);
		std::unique_lock<std::mutex> orders(svc::orders_mu);
	});
	restock.join();
	place.get();
}
