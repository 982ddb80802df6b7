/*
 * text.c — the rules for text that came from elsewhere which the store
 * itself needs (plsync/text.h): where a value holds a control character,
 * and a message that may quote a URL.
 *
 * Rules kept here: a control character is C0, DEL or C1, decoded as UTF-8
 * (the store refuses one in an actor or a record id, and the terminal
 * renderer, domain/render-text.c, shows one as an escape); no message shows
 * a URL's password or query values; what well-formed UTF-8 is (no overlong
 * forms, surrogates or code points past U+10FFFF). The renderers for each medium (a
 * terminal, CSV, HTML, Markdown) are domain/render-*.c (plsync/render.h).
 */
#include <stdlib.h>
#include <string.h>

#include "plsync/op.h"
#include "plsync/text.h"

/* The length of the well-formed UTF-8 sequence at s (n bytes left), or 0. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	size_t len;
	unsigned cp, min;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		cp = c & 0x1f;
		min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		cp = c & 0x0f;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		cp = c & 0x07;
		min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

int pl_utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;

	for (size_t i = 0; i < n;) {
		size_t l = utf8_seq(p + i, n - i);
		if (!l)
			return 0;
		i += l;
	}
	return 1;
}

void pl_utf8_scrub(char *s)
{
	unsigned char *p = (unsigned char *)s;
	size_t n = strlen(s);

	for (size_t i = 0; i < n;) {
		size_t l = utf8_seq(p + i, n - i);
		if (!l) {
			p[i++] = '?';
			continue;
		}
		i += l;
	}
}

size_t pl_utf8_decode(unsigned *cp, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t len;

	if (!n || !(len = utf8_seq(s, n)))
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

long pl_text_control(const char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned cp = 0;
		size_t l = pl_utf8_decode(&cp, s + i, n - i);
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
