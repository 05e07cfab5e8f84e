/* Crashes with SIGSEGV in parse_record (a write through a NULL pointer). */
#include <stdio.h>
#include <stdlib.h>

struct record {
	int id;
	char *name;
};

__attribute__((noinline)) static int parse_record(struct record *r, const char *line)
{
	r->id = atoi(line);
	r->name[0] = line[0]; /* r->name is NULL */
	return r->id;
}

__attribute__((noinline)) static int load_table(const char *line)
{
	struct record r = { 0, NULL };
	return parse_record(&r, line) + 1;
}

int main(int argc, char **argv)
{
	printf("%d\n", load_table(argc > 1 ? argv[1] : "7"));
	return 0;
}
