#ifndef MORTEM_VERSION
#define MORTEM_VERSION "0.1.0"
#endif
