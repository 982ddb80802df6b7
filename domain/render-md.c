/*
 * render-md.c — text for Markdown documents (plsync/render.h): the report,
 * the transcript and the plan document.
 *
 * Rule kept here: a value never starts markup (emphasis, code, a link, an
 * HTML tag) nor ends a table cell; in a cell a line break is <br>, and no
 * control byte reaches the file as it is.
 */
#include <string.h>

#include "plsync/render.h"

void pl_md_cell(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '|')
			fputs("\\|", f);
		else if (*s == '\n' || *s == '\r')
			fputs("<br>", f);
		else if (*s == '\\' || *s == '*' || *s == '_' || *s == '`' || *s == '<' || *s == '[')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20 || *s == 0x7f) /* never an escape sequence to a terminal */
			fprintf(f, "\\x%02x", (unsigned char)*s);
		else
			fputc(*s, f);
	}
}

void pl_md_par(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '\n')
			fputs("  \n", f);
		else if (strchr("\\*_`<[|", *s))
			fprintf(f, "\\%c", *s);
		else
			fputc(*s, f);
	}
	fputs("\n", f);
}
