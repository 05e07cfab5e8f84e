#include "analyzer/lib/path.h"

#include <string.h>

const char *path_basename(const char *path)
{
	const char *slash = path ? strrchr(path, '/') : NULL;
	return slash ? slash + 1 : path;
}
