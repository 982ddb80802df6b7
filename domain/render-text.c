/*
 * render-text.c — text for a terminal (plsync/render.h).
 *
 * Rule kept here: a terminal never receives a control character, a byte
 * that is not UTF-8 or a character that reorders text, from any value, so
 * no value can forge a line or move the cursor. What a control character
 * is, and the UTF-8 decoding, are the store's (pl_text_control,
 * pl_utf8_decode in plsync/text.h), which refuses them in actors and ids.
 */
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "plsync/render.h"
#include "plsync/text.h"

/* Characters that move text around on a terminal: shown as \uNNNN. */
static int reorders(unsigned cp)
{
	return cp == 0x061c || cp == 0x200e || cp == 0x200f || (cp >= 0x2028 && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069);
}

/*
 * Columns of one code point: wcwidth(3) when the locale knows it (a
 * program sets a UTF-8 LC_CTYPE: cli/cli.c), else a small table: combining
 * marks and zero-width characters 0, East Asian wide and fullwidth
 * characters 2, the rest 1.
 */
static size_t cp_width(unsigned cp)
{
	int w = wcwidth((wchar_t)cp);

	if (w >= 0)
		return (size_t)w;
	if ((cp >= 0x0300 && cp <= 0x036f) || (cp >= 0x200b && cp <= 0x200f) || cp == 0xfeff ||
	    (cp >= 0xfe00 && cp <= 0xfe0f) || (cp >= 0x1ab0 && cp <= 0x1aff) || (cp >= 0x20d0 && cp <= 0x20ff))
		return 0;
	if ((cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0x303e) || (cp >= 0x3041 && cp <= 0x33ff) ||
	    (cp >= 0x3400 && cp <= 0x4dbf) || (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0xa000 && cp <= 0xa4cf) ||
	    (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0xfe30 && cp <= 0xfe4f) ||
	    (cp >= 0xff00 && cp <= 0xff60) || (cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x1f300 && cp <= 0x1f64f) ||
	    (cp >= 0x1f900 && cp <= 0x1f9ff) || (cp >= 0x20000 && cp <= 0x3fffd))
		return 2;
	return 1;
}

size_t pl_term_width(const char *s)
{
	size_t n = s ? strlen(s) : 0, w = 0;

	for (size_t i = 0; i < n;) {
		unsigned cp = 0;
		size_t l = pl_utf8_decode(&cp, s + i, n - i);
		if (!l) { /* not UTF-8: shown as \xNN by pl_term_fputs, one column here */
			w++;
			i++;
			continue;
		}
		w += cp < 0x80 ? 1 : cp_width(cp);
		i += l;
	}
	return w;
}

char *pl_term_cell(char *out, size_t sz, const char *s, size_t width, int cut)
{
	size_t n = s ? strlen(s) : 0, o = 0, w = 0;

	if (!sz)
		return out;
	for (size_t i = 0; i < n;) {
		unsigned cp = 0;
		size_t l = pl_utf8_decode(&cp, s + i, n - i), cw;
		if (!l)
			l = 1, cw = 1;
		else
			cw = cp < 0x80 ? 1 : cp_width(cp);
		if ((cut && w + cw > width) || o + l >= sz)
			break;
		memcpy(out + o, s + i, l);
		o += l;
		w += cw;
		i += l;
	}
	while (w < width && o + 1 < sz) {
		out[o++] = ' ';
		w++;
	}
	out[o] = '\0';
	return out;
}

/* Escape s into out, which has room for 4 * strlen(s) + 1 bytes. */
static void term_escape_into(char *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), o = 0;

	for (size_t i = 0; i < n;) {
		unsigned cp = 0;
		size_t l = pl_utf8_decode(&cp, s + i, n - i);
		if (!l) {
			o += (size_t)sprintf(out + o, "\\x%02x", p[i++]);
		} else if (cp == '\n' || cp == '\r' || cp == '\t') {
			out[o++] = '\\';
			out[o++] = cp == '\n' ? 'n' : cp == '\r' ? 'r' : 't';
			i++;
		} else if (cp < 0x20 || cp == 0x7f) {
			o += (size_t)sprintf(out + o, "\\x%02x", cp);
			i++;
		} else if (pl_text_control(s + i, l) == 0 || reorders(cp)) { /* 2 or 3 bytes become 6 */
			o += (size_t)sprintf(out + o, "\\u%04X", cp);
			i += l;
		} else {
			memcpy(out + o, p + i, l);
			o += l;
			i += l;
		}
	}
	out[o] = '\0';
}

char *pl_term_escape(const char *s)
{
	char *out;

	if (!s)
		s = "";
	if (!(out = malloc(4 * strlen(s) + 1)))
		return NULL;
	term_escape_into(out, s);
	return out;
}

void pl_term_fputs(FILE *f, const char *s)
{
	char small[1024], *out;

	if (!s)
		return;
	if (4 * strlen(s) + 1 <= sizeof(small)) {
		term_escape_into(small, s);
		fputs(small, f);
		return;
	}
	if ((out = pl_term_escape(s))) {
		fputs(out, f);
		free(out);
	} else {
		fputs("(out of memory)", f);
	}
}
