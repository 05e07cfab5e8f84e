// C++ ends: "pure" calls a pure virtual method from a base destructor;
// "throw" lets an exception escape a noexcept function (std::terminate).
#include <cstring>
#include <stdexcept>

struct Base {
	virtual ~Base() { notify(); }
	void notify() { on_close(); }
	virtual void on_close() = 0;
};

struct Conn : Base {
	void on_close() override {}
};

__attribute__((noinline)) static void close_connection()
{
	Conn c;
}

__attribute__((noinline)) static void parse_config(const char *s)
{
	if (!*s)
		throw std::runtime_error("empty config");
}

__attribute__((noinline)) static void load_settings() noexcept
{
	parse_config("");
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "pure"))
		close_connection();
	else
		load_settings();
	return 0;
}
