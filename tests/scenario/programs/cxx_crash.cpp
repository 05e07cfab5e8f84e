// A C++ crash in a method of a class template inside a namespace, called
// through a std::function: frames must come out demangled.
#include <cstdio>
#include <functional>
#include <vector>

namespace ledger {
template <typename T> class Book {
public:
	explicit Book(std::vector<T> *v) : entries_(v) {}
	__attribute__((noinline)) T total(int scale) const
	{
		T sum = 0;
		for (const T &e : *entries_)
			sum += e * scale;
		return sum;
	}
private:
	std::vector<T> *entries_;
};
}

__attribute__((noinline)) static long run(const std::function<long(int)> &f)
{
	return f(3);
}

int main()
{
	ledger::Book<long> book(nullptr);
	std::printf("%ld\n", run([&](int s) { return book.total(s); }));
	return 0;
}
