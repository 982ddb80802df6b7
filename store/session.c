/*
 * session.c — one session of an offering, "YYYY-MM-DD HH:MM-HH:MM [PLACE]"
 * (plsync/session.h): parsed here, in the store, because every local write
 * of an offering checks its sessions (schema-check.c's sense rules) and
 * the offering, registration and attendance code reads them back.
 *
 * Rules kept here: a real calendar date, times 00:00-23:59, the end after
 * the start on the same day; the place is the rest of the text.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plsync/errors.h"
#include "plsync/session.h"
#include "store-int.h"

static int valid_day(const char *s)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, m, d;

	for (int i = 0; i < 10; i++)
		if (i == 4 || i == 7 ? s[i] != '-' : !isdigit((unsigned char)s[i]))
			return 0;
	y = atoi(s), m = atoi(s + 5), d = atoi(s + 8);
	if (y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1)
		return 0;
	return d <= mdays[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
}

static int hhmm(int *min, const char *s)
{
	if (!isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]) || s[2] != ':' ||
	    !isdigit((unsigned char)s[3]) || !isdigit((unsigned char)s[4]))
		return -1;
	int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
	if (h > 23 || m > 59)
		return -1;
	*min = h * 60 + m;
	return 0;
}

int pl_session_parse(pl_session *out, const char *text)
{
	int a, b;
	const char *p;

	memset(out, 0, sizeof(*out));
	if (!text || strlen(text) < 22 || text[10] != ' ' || text[16] != '-' ||
	    (text[22] && text[22] != ' '))
		goto bad;
	memcpy(out->date, text, 10);
	if (!valid_day(out->date) || hhmm(&a, text + 11) || hhmm(&b, text + 17))
		goto bad;
	if (b <= a)
		return pl_error_set(PL_EINVALID, "session \"%s\": it ends (%.5s) before it starts (%.5s)",
		                    text, text + 17, text + 11);
	memcpy(out->start, text + 11, 5);
	memcpy(out->end, text + 17, 5);
	out->minutes = b - a;
	for (p = text + 22; *p == ' '; p++)
		;
	snprintf(out->place, sizeof(out->place), "%s", p);
	return 0;
bad:
	return pl_error_set(PL_EINVALID, "session \"%s\" is not \"YYYY-MM-DD HH:MM-HH:MM PLACE\" "
	                    "(e.g. \"2026-10-05 15:30-17:30 Room 4\")", text ? text : "");
}

long long pl_session_centi(const pl_session *s)
{
	return ((long long)s->minutes * 100 + 30) / 60;
}

