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

#include "plsync/render.h"
#include "plsync/text.h"

/* Characters that move text around on a terminal: shown as \uNNNN. */
static int reorders(unsigned cp)
{
	return cp == 0x061c || cp == 0x200e || cp == 0x200f || (cp >= 0x2028 && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069);
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
