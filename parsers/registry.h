/*
 * The parser registry, defined once. Adding a format is adding its file
 * under parsers/ and one line here. Order breaks probe ties.
 */
#define PARSERS(X)          \
	X(core_parser)      \
	X(eustack_parser)      \
	X(live_parser)
