/*
 * render-html.c — text for HTML pages (plsync/render.h): the report and the
 * plan document, and anything else that writes HTML.
 *
 * Rule kept here: every value written into a page goes through
 * pl_html_fputs, so no value opens a tag, ends an attribute or starts an
 * entity; the markup around the values is the writers' own.
 */
#include "plsync/render.h"

void pl_html_fputs(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default: fputc(*s, f);
		}
	}
}

void pl_html_lines(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '\n') {
			fputs("<br>", f);
		} else {
			char c[2] = { *s, 0 };
			pl_html_fputs(f, c);
		}
	}
}
