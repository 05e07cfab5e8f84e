/* Output helpers shared by the commands (commands.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyzer/commands.h"
#include "analyzer/lib/strbuf.h"
#include "analyzer/lib/termsafe.h"

void cli_error(const char *subject, const char *fmt, ...)
{
	struct strbuf msg = STRBUF_INIT, sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	if (subject)
		strbuf_addf(&msg, "%s: ", subject);
	strbuf_vaddf(&msg, fmt, ap);
	va_end(ap);
	/* one line, whatever the path or the message held: control characters escaped */
	strbuf_adds(&sb, "mortem: ");
	termsafe_add(&sb, msg.buf, msg.len, 0);
	strbuf_addch(&sb, '\n');
	strbuf_release(&msg);
	fflush(stdout);
	fputs(sb.buf, stderr);
	strbuf_release(&sb);
}

int cli_use_color(const struct mortem_opts *o, int fd)
{
	if (o->color == COLOR_ALWAYS)
		return 1;
	if (o->color == COLOR_NEVER)
		return 0;
	const char *nc = getenv("NO_COLOR");
	if (nc && *nc)
		return 0;
	const char *term = getenv("TERM");
	if (term && !strcmp(term, "dumb"))
		return 0;
	return isatty(fd);
}

int cli_write_stdout(const char *buf, size_t len)
{
	if (fwrite(buf, 1, len, stdout) != len)
		return -1;
	return 0;
}

void cli_paste_hint(const char *input)
{
	if (strcmp(input, "-") || !isatty(0))
		return;
	fputs("mortem: paste a dump and press Ctrl-D, or give a file (mortem --help)\n", stderr);
}
