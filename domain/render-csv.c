/*
 * render-csv.c — CSV cells (plsync/render.h), the one CSV cell writer:
 * `plsync export`, the report and the transcript write every cell with it,
 * and `plsync import` reads back its formula guard.
 *
 * Rule kept here: a CSV cell is never a formula (neutralised with a leading
 * apostrophe that the importer takes off again, so export | import gives
 * back the same values); a plain decimal number is left as it is. The
 * spreadsheet frame (BOM, CRLF row ends) is here too, so every writer gets
 * it the same way.
 */
#include <string.h>

#include "plsync/render.h"

/* "-12", "6.5", "0": what we write for numbers, never a formula. */
static int plain_number(const char *s, size_t n)
{
	size_t i = 0, digits = 0;

	if (i < n && s[i] == '-')
		i++;
	for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
		digits++;
	if (i < n && s[i] == '.' && digits) {
		size_t frac = 0;
		for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			frac++;
		if (!frac)
			return 0;
	}
	return digits && i == n;
}

/* 1 if a spreadsheet could read s[0..n) as a formula (after apostrophes). */
static int formula_like(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && s[i] == '\'')
		i++;
	if (i == n || !strchr("=+-@\t\r", s[i]))
		return 0;
	return !plain_number(s, n);
}

void pl_csv_cell(FILE *f, const char *s, int first)
{
	size_t n;
	int guard;

	if (!first)
		fputc(',', f);
	if (!s)
		return;
	n = strlen(s);
	guard = formula_like(s, n);
	if (!strpbrk(s, ",\"\r\n") && !(n && (s[0] == ' ' || s[n - 1] == ' '))) {
		if (guard)
			fputc('\'', f);
		fputs(s, f);
		return;
	}
	fputc('"', f);
	if (guard)
		fputc('\'', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

size_t pl_csv_cell_guard(const char *s, size_t n)
{
	return n > 1 && s[0] == '\'' && formula_like(s + 1, n - 1);
}

void pl_csv_begin(FILE *f, int excel)
{
	if (excel)
		fputs("\xef\xbb\xbf", f);
}

void pl_csv_row_end(FILE *f, int excel)
{
	fputs(excel ? "\r\n" : "\n", f);
}
