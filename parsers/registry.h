/*
 * The parser registry, defined once. Adding a format is adding its file
 * under parsers/ and one line here. Order breaks probe ties.
 */
#define PARSERS(X)          \
	X(eustack_parser)   \
	X(gdb_parser)       \
	X(lldb_parser)      \
	X(pstack_parser)
