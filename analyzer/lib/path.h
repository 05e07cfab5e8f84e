#ifndef MORTEM_PATH_H
#define MORTEM_PATH_H

/* The last component of PATH ("libc.so.6" for "/usr/lib/libc.so.6"): a pointer into PATH; NULL for NULL. */
const char *path_basename(const char *path);

#endif
