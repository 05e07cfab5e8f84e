/*
 * The parser registry, defined once. Adding a format is adding its file
 * under parsers/ and one line here. Order breaks probe ties.
 */
#define PARSERS(X)            \
	X(core_parser)        \
	X(eustack_parser)     \
	X(jstack_parser)      \
	X(jrockit_parser)     \
	X(javacore_parser)    \
	X(hserr_parser)       \
	X(jcmd_json_parser)   \
	X(actuator_json_parser) \
	X(gdb_parser)         \
	X(lldb_parser)        \
	X(pstack_parser)      \
	X(live_parser)
