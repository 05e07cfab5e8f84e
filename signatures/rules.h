#ifndef MORTEM_RULES_H
#define MORTEM_RULES_H

/*
 * Signature rules: the data half of the catalogue (doc/rules.md, "Rule files").
 *
 * A rule file is a list of blocks:
 *
 *   # comment
 *   [rule heap-corruption]
 *   title      = the allocator detected heap corruption
 *   severity   = critical
 *   confidence = certain
 *   function.top = ^(malloc_printerr|__libc_message)$
 *   summary    = {thread} aborted in {frame}: {message}
 *   advice     = run it under AddressSanitizer or valgrind ...
 *
 * Every match key must hold (AND); a key may repeat. A key with a leading
 * '!' must NOT hold. Regexes are PCRE2, compiled once with JIT. Several
 * blocks with one id in one file are alternatives (the first that matches
 * makes the finding); a block in a later file (--rules) replaces the blocks
 * of that id from other files.
 *
 * Two other blocks say which frames are the application's own code
 * (frame_in_app, analyzer/model/frame.h), each line a shell glob:
 *
 *   [in-app]
 *   module   = libengine*.so*
 *   [system]
 *   function = vendor::*
 *   file     = * /third_party/ *
 *
 * They are consulted before the built-in table, the last match deciding.
 *
 * The built-in rule files (signatures/ *.rules) are compiled into the
 * binary (the Makefile generates $(BUILD)/gen/builtin_rules.c from them).
 */

#include <stdbool.h>

#include "analyzer/model/dump.h"
#include "analyzer/lib/strbuf.h"

struct ruleset;

/* Rule keys, defined once: X(enum, key name, takes a frame scope, help). */
#define RULE_KEYS(X)                                                                          \
	X(RK_TITLE, "title", false, "one line naming the problem")                         \
	X(RK_SEVERITY, "severity", false, "critical, high, medium, low or info")             \
	X(RK_CONFIDENCE, "confidence", false, "certain, likely or possible")                 \
	X(RK_SUMMARY, "summary", false, "what was seen; {placeholders} name the evidence")    \
	X(RK_ADVICE, "advice", false, "what to do next")                                     \
	X(RK_REFINES, "refines", false, "evaluate once per finding with this id, on its threads") \
	X(RK_TOP, "top", false, "how many meaningful frames the .top scope covers (default 5)") \
	X(RK_FRAME, "frame", true, "a frame's MODULE!FUNCTION matches")                       \
	X(RK_FUNCTION, "function", true, "a frame's function matches")                        \
	X(RK_MODULE, "module", true, "a loaded module (no scope) or a frame's module matches") \
	X(RK_FILE, "file", true, "a frame's source file matches")                             \
	X(RK_KIND, "kind", true, "a frame's kind (native, java, jit, vm, stub, signal...) matches") \
	X(RK_STACK, "stack", true, "frames matching RE1 <- RE2 <- ... in one thread, innermost first") \
	X(RK_STATE, "state", true, "a thread's state matches (.crashed: the crashing thread's)") \
	X(RK_THREAD_NAME, "thread-name", true, "a thread's name matches (.crashed: the crashing thread's)") \
	X(RK_CRASHED, "crashed", false, "yes: the dump records a crash; no: it does not")      \
	X(RK_SIGNAL, "signal", false, "the crash signal name matches (whole name)")           \
	X(RK_CODE, "code", false, "the crash si_code name matches (whole name)")              \
	X(RK_ADDRESS, "address", false, "the fault address is in LO-HI (or equals ADDR)")     \
	X(RK_ERRNO, "errno", false, "the crashing thread's errno is N")                       \
	X(RK_MESSAGE, "message", false, "the abort/assert/allocator message matches")         \
	X(RK_REASON, "reason", false, "the crash reason (hs_err error line) matches")         \
	X(RK_SECTION, "section", false, "the text of a raw section (hs_err) matches")         \
	X(RK_RUNTIME, "runtime", false, "the runtime is (native or jvm)")                     \
	X(RK_FINDING, "finding", false, "another finding with this id is present")            \
	X(RK_LOCK_KIND, "lock-kind", false, "a lock (of the refined finding) has this kind")

#define X_ENUM(e, name, scoped, help) e,
enum rule_key { RULE_KEYS(X_ENUM) RULE_KEY_COUNT };
#undef X_ENUM

/* Frame scopes for scoped keys: KEY.SCOPE (no suffix: any). */
#define FRAME_SCOPES(X)                                                            \
	X(SCOPE_ANY, "any", "any frame of any thread (of the refined finding)")   \
	X(SCOPE_CRASHED, "crashed", "any frame of the crashing thread")           \
	X(SCOPE_TOP, "top", "the crashing thread's first `top` meaningful frames (noise skipped)") \
	X(SCOPE_HANDLER, "handler", "frames running inside a signal handler (above a trampoline or a known handler)")

#define X_ENUM(e, name, help) e,
enum frame_scope { FRAME_SCOPES(X_ENUM) FRAME_SCOPE_COUNT };
#undef X_ENUM

/* One rule as listed by `mortem rules`. */
struct rule_info {
	const char *id;
	const char *title;
	enum severity severity;
	const char *origin;       /* file it came from */
};

/* A new empty rule set. Never NULL. */
struct ruleset *ruleset_new(void);
/* Frees RS and its compiled patterns. NULL is a no-op. */
void ruleset_free(struct ruleset *rs);

/*
 * Parses and compiles the rule text TEXT (LEN bytes) named ORIGIN (used in
 * messages) into RS. A rule whose id is already in RS from another origin
 * replaces those rules (the built-in files, loaded by ruleset_add_builtin,
 * only add alternatives).
 * Returns the number of errors; each error is appended to ERRS as one line
 * "ORIGIN:LINE: message\n". Rules with errors are not added.
 */
int ruleset_add_text(struct ruleset *rs, const char *origin, const char *text, size_t len,
		     struct strbuf *errs);
/* Same for a file PATH. Returns -1 with ERR set when PATH cannot be read. */
int ruleset_add_file(struct ruleset *rs, const char *path, struct strbuf *errs);
/* Adds the built-in rule files compiled into the binary. Returns the number of errors. */
int ruleset_add_builtin(struct ruleset *rs, struct strbuf *errs);

size_t ruleset_count(const struct ruleset *rs);
/* The [in-app] and [system] lines of RS, in order (*RULES may be NULL when none); how many. */
size_t ruleset_app_rules(const struct ruleset *rs, const struct frame_app_rule **rules);
/* The Ith rule (0 <= I < ruleset_count) as listed. */
struct rule_info ruleset_rule(const struct ruleset *rs, size_t i);

/*
 * Evaluates every rule of RS on D and adds a finding for each match (for a
 * refining rule, one per matched refined finding). A rule whose id a
 * detector already reported is skipped. Returns 0, or -1 with ERR set when
 * PCRE2 fails with something other than "no match".
 */
int ruleset_apply(const struct ruleset *rs, struct dump *d, struct strbuf *err);
/* As ruleset_apply, for a caller that knows CRASHED, dump_crash_thread(D), already. */
int ruleset_apply_crashed(const struct ruleset *rs, struct dump *d, struct thread *crashed,
			  struct strbuf *err);

/*
 * The process-wide rule set: built-ins plus O's --rules files, compiled on
 * first use (thread-safe) and kept until exit. Returns NULL with ERR set
 * ("FILE:LINE: message" for the first error) when a file is bad.
 */
const struct ruleset *ruleset_shared(const char *const *files, size_t nfiles, struct strbuf *err);

/* Built-in rule files (generated at build time from signatures/ *.rules). */
struct builtin_rules {
	const char *name;
	const char *text;
};
extern const struct builtin_rules builtin_rules[];
extern const unsigned builtin_rules_count;

#endif
