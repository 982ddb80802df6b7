/*
 * text.c — one renderer per medium for text that came from elsewhere: the
 * terminal, a CSV cell, a message that may quote a URL (plsync/text.h).
 *
 * Rules kept here: a terminal never receives a control character, a byte
 * that is not UTF-8 or a character that reorders text, from any value, so no
 * value can forge a line or move the cursor; a CSV cell is never a formula
 * (neutralised with a leading apostrophe that the importer takes off again,
 * so export | import gives back the same values); no message shows a URL's
 * password or query values.
 */
#include <stdlib.h>
#include <string.h>

#include "plsync/op.h"
#include "plsync/text.h"

/* The length of the UTF-8 sequence at s (n bytes left) and its code point
 * in *cp, or 0 if it is not well-formed. */
static size_t utf8_char(unsigned *cp, const unsigned char *s, size_t n)
{
	size_t len = s[0] < 0x80 ? 1 : s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3 : 4;

	if (len > n || !pl_utf8_valid((const char *)s, len))
		return 0;
	*cp = len == 1 ? s[0] : (unsigned)s[0] & (0x7fu >> len);
	for (size_t i = 1; i < len; i++)
		*cp = *cp << 6 | (s[i] & 0x3fu);
	return len;
}

static int is_control(unsigned cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f);
}

/* Characters that move text around on a terminal: shown as \uNNNN. */
static int reorders(unsigned cp)
{
	return cp == 0x061c || cp == 0x200e || cp == 0x200f || (cp >= 0x2028 && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069);
}

long pl_text_control(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;

	for (size_t i = 0; i < n;) {
		unsigned cp = 0;
		size_t l = utf8_char(&cp, p + i, n - i);
		if (!l) {
			i++;
			continue;
		}
		if (is_control(cp))
			return (long)i;
		i += l;
	}
	return -1;
}

/* Escape s into out, which has room for 4 * strlen(s) + 1 bytes. */
static void term_escape_into(char *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), o = 0;

	for (size_t i = 0; i < n;) {
		unsigned cp = 0;
		size_t l = utf8_char(&cp, p + i, n - i);
		if (!l) {
			o += (size_t)sprintf(out + o, "\\x%02x", p[i++]);
		} else if (cp == '\n' || cp == '\r' || cp == '\t') {
			out[o++] = '\\';
			out[o++] = cp == '\n' ? 'n' : cp == '\r' ? 'r' : 't';
			i++;
		} else if (cp < 0x20 || cp == 0x7f) {
			o += (size_t)sprintf(out + o, "\\x%02x", cp);
			i++;
		} else if (is_control(cp) || reorders(cp)) { /* 2 or 3 bytes become 6 */
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

/* ---- CSV ---- */

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

/* ---- URLs in messages ---- */

/* Where a URL inside free text ends: whitespace, a quote, '<' '>', the end,
 * or punctuation before one of those ("URL: why", "URL.", "(URL)"). */
static int url_end(const char *s)
{
	if (*s && strchr(":;,.)", *s) && url_end(s + 1))
		return 1;
	return *s == '\0' || strchr(" \t\n\r'\"<>`", *s) != NULL;
}

struct out {
	char  *buf;
	size_t sz, n;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (o->n + 1 >= o->sz)
		return;
	if (n > o->sz - 1 - o->n)
		n = o->sz - 1 - o->n;
	memcpy(o->buf + o->n, s, n);
	o->n += n;
}

/* The URL whose authority starts at s (just after "://"): copied to o with
 * the secrets hidden; returns where it ends. */
static const char *redact_url(struct out *o, const char *s)
{
	size_t auth = 0, at = 0, colon = 0, n;
	int has_at = 0;

	/* the user info ends at the URL's last '@' (a password may hold an
	 * unencoded '/', '?' or '#'); hiding too much beats showing a secret */
	for (n = 0; !url_end(s + n); n++)
		if (s[n] == '@') {
			has_at = 1;
			at = n;
		}
	if (has_at && (colon = strcspn(s, ":")) < at) {
		put(o, s, colon);
		put(o, ":***", 4);
		s += at;
	}
	while (!url_end(s + auth) && s[auth] != '/' && s[auth] != '?' && s[auth] != '#')
		auth++;
	put(o, s, auth);
	s += auth;
	while (!url_end(s) && *s != '?')
		put(o, s++, 1);
	if (*s != '?')
		return s;
	put(o, s++, 1); /* the query: names kept, values hidden */
	while (!url_end(s) && *s != '#') {
		size_t len = 0;
		while (!url_end(s + len) && s[len] != '&' && s[len] != '#' && s[len] != '=')
			len++;
		if (s[len] == '=') {
			put(o, s, len + 1);
			s += len + 1;
			while (!url_end(s) && *s != '&' && *s != '#')
				s++;
		} else {
			s += len;
		}
		put(o, "***", 3);
		if (*s == '&')
			put(o, s++, 1);
	}
	return s;
}

void pl_text_redact(char *out, size_t sz, const char *s)
{
	struct out o = { out, sz, 0 };
	const char *p;

	if (!sz)
		return;
	while ((p = strstr(s, "://"))) {
		put(&o, s, (size_t)(p - s) + 3);
		s = redact_url(&o, p + 3);
	}
	put(&o, s, strlen(s));
	out[o.n] = '\0';
}
