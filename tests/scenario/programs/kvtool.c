/*
 * A small key-value tool: `kvtool get KEY` looks a key up, `kvtool set KEY
 * VALUE` stores one. Both crash: get reads the table before it was loaded
 * (a null dereference in find_slot), set writes past a slot's buffer into
 * a pointer it then follows (a wild write in copy_value).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct slot {
	char key[16];
	char *value;
};

struct slot *table; /* loaded by kvtool load, which was never run */
size_t nslots;

static __attribute__((noinline)) struct slot *find_slot(const char *key)
{
	for (size_t i = 0; i <= nslots; i++)
		if (table[i].key[0] == key[0] && !strcmp(table[i].key, key))
			return &table[i];
	return NULL;
}

static __attribute__((noinline)) void copy_value(struct slot *s, const char *value)
{
	strcpy(s->key + strlen(s->key), value); /* no bound: runs into s->value */
	s->value[0] = value[0];
}

static __attribute__((noinline)) int cmd_get(const char *key)
{
	struct slot *s = find_slot(key);
	return s ? puts(s->value) : 1;
}

static __attribute__((noinline)) int cmd_set(const char *key, const char *value)
{
	static struct slot fresh;
	strncpy(fresh.key, key, sizeof(fresh.key) - 1);
	copy_value(&fresh, value);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "get"))
		return cmd_get(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "set"))
		return cmd_set(argv[2], argv[3]);
	fprintf(stderr, "usage: kvtool get KEY | kvtool set KEY VALUE\n");
	return 2;
}
