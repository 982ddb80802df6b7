/*
 * calendar.c — dates and the school year (plsync/calendar.h).
 *
 * Dates are "YYYY-MM-DD" text, which compares as it sorts; arithmetic is on
 * days since 1970-01-01 (the civil-calendar conversions of H. Hinnant's
 * date algorithms, valid for every proleptic Gregorian date). The school
 * year runs July 1 to June 30. Only pl_date_today reads the clock or the
 * environment; everything else is a pure function of its arguments.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "plsync/calendar.h"
#include "plsync/errors.h"

static long days_from_civil(long y, unsigned m, unsigned d)
{
	y -= m <= 2;
	long era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long)doe - 719468;
}

static int is_leap(long y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int parse_ymd(long *y, int *m, int *d, const char *s)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (!s || strlen(s) < 10)
		return 0;
	for (int i = 0; i < 10; i++)
		if ((i == 4 || i == 7) ? s[i] != '-' : (s[i] < '0' || s[i] > '9'))
			return 0;
	*y = atol(s);
	*m = atoi(s + 5);
	*d = atoi(s + 8);
	if (*m < 1 || *m > 12 || *d < 1)
		return 0;
	return *d <= mdays[*m - 1] + (*m == 2 && is_leap(*y));
}

/* parse_ymd, or PL_EINVALID naming the text. */
static int ymd(long *y, int *m, int *d, const char *s)
{
	if (!parse_ymd(y, m, d, s))
		return pl_error_set(PL_EINVALID, "\"%s\" is not a date; write YYYY-MM-DD", s ? s : "(none)");
	return 0;
}

int pl_date_days(long *days, const char *date)
{
	long y;
	int m, d, rc;

	if ((rc = ymd(&y, &m, &d, date)))
		return rc;
	*days = days_from_civil(y, (unsigned)m, (unsigned)d);
	return 0;
}

void pl_date_fmt(char out[11], long z)
{
	z += 719468;
	long era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long y = (long)yoe + era * 400;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	unsigned d = doy - (153 * mp + 2) / 5 + 1;
	unsigned m = mp < 10 ? mp + 3 : mp - 9;
	snprintf(out, 11, "%04ld-%02u-%02u", y + (m <= 2), m, d);
}

int pl_school_year_of(char out[10], const char *date)
{
	long y;
	int m, d, rc;

	if ((rc = ymd(&y, &m, &d, date)))
		return rc;
	if (m < 7)
		y--;
	snprintf(out, 10, "%04ld-%04ld", y % 10000, (y + 1) % 10000);
	return 0;
}

int pl_school_year_bounds(char from[11], char to[11], const char *year)
{
	int ok = year && strlen(year) == 9 && year[4] == '-';

	for (int i = 0; ok && i < 9; i++)
		if (i != 4 && (year[i] < '0' || year[i] > '9'))
			ok = 0;
	if (!ok || atoi(year + 5) != atoi(year) + 1)
		return pl_error_set(PL_EINVALID, "\"%s\" is not a school year; write it like 2026-2027 "
		                    "(July 1 to June 30)", year ? year : "(none)");
	snprintf(from, 11, "%.4s-07-01", year);
	snprintf(to, 11, "%.4s-06-30", year + 5);
	return 0;
}

int pl_date_years_back(long *days, const char *date, int years)
{
	long y;
	int m, d, rc;

	if ((rc = ymd(&y, &m, &d, date)))
		return rc;
	if (m == 2 && d == 29 && !is_leap(y - years))
		d = 28;
	*days = days_from_civil(y - years, (unsigned)m, (unsigned)d);
	return 0;
}

int pl_date_today(char out[11], const char *given)
{
	const char *env = getenv("PLSYNC_TODAY");
	const char *day = given && *given ? given : env && *env ? env : NULL;
	long d;

	if (day) {
		if (strlen(day) != 10 || pl_date_days(&d, day))
			return pl_error_set(PL_EUSAGE, "%s \"%s\" is not a date; write YYYY-MM-DD",
			                    given && *given ? "--today" : "PLSYNC_TODAY", day);
		memcpy(out, day, 11);
		return 0;
	}
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	snprintf(out, 11, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
	return 0;
}
