/*
 * The calendar the domain counts by (plsync/calendar.h): real dates only,
 * day arithmetic both ways, the school year from July 1 to June 30, a
 * renewal cycle's start across a 29 February, and "today" fixed by
 * --today or $PLSYNC_TODAY.
 */
#include <stdlib.h>
#include <string.h>

#include "plsync/calendar.h"
#include "plsync/errors.h"
#include "../tap.h"

int main(void)
{
	char out[11], sy[10], from[11], to[11];
	long d = 0, e = 0;

	plan(22);
	ok(pl_date_days(&d, "1970-01-01") == 0 && d == 0, "1970-01-01 is day 0");
	ok(pl_date_days(&d, "2026-11-20") == 0 && d == 20777, "2026-11-20 is day 20777");
	pl_date_fmt(out, 20777);
	is_str(out, "2026-11-20", "and day 20777 is 2026-11-20 again");
	ok(pl_date_days(&d, "2028-02-29") == 0, "29 February of a leap year is a date");
	ok(pl_date_days(&d, "2027-02-29") == PL_EINVALID, "29 February of another year is not");
	ok(strstr(pl_error_last()->message, "\"2027-02-29\" is not a date") != NULL, "the message names the text");
	ok(pl_date_days(&d, "2026-13-01") == PL_EINVALID, "month 13 is not a date");
	ok(pl_date_days(&d, "2026-1-01") == PL_EINVALID, "nor a date without its zero");
	ok(pl_date_days(&d, NULL) == PL_EINVALID, "nor no date at all");
	ok(pl_date_days(&d, "2026-11-20T08:00:00Z") == 0 && d == 20777, "a time after the date is ignored");

	ok(pl_school_year_of(sy, "2026-07-01") == 0 && !strcmp(sy, "2026-2027"), "July 1 starts a school year");
	ok(pl_school_year_of(sy, "2027-06-30") == 0 && !strcmp(sy, "2026-2027"), "June 30 ends it");
	ok(pl_school_year_bounds(from, to, "2026-2027") == 0 && !strcmp(from, "2026-07-01") &&
	   !strcmp(to, "2027-06-30"), "the bounds of 2026-2027");
	ok(pl_school_year_bounds(from, to, "2026-2028") == PL_EINVALID, "two years apart is not a school year");
	ok(pl_school_year_bounds(from, to, "2026") == PL_EINVALID, "nor is one year");

	ok(pl_date_years_back(&d, "2027-03-31", 5) == 0 && pl_date_days(&e, "2022-03-31") == 0 && d == e,
	   "five years before 2027-03-31 is 2022-03-31");
	ok(pl_date_years_back(&d, "2028-02-29", 5) == 0 && pl_date_days(&e, "2023-02-28") == 0 && d == e,
	   "five years before a 29 February is the 28th");
	ok(pl_date_years_back(&d, "2028-02-29", 4) == 0 && pl_date_days(&e, "2024-02-29") == 0 && d == e,
	   "four years before it is the 29th");
	ok(pl_date_years_back(&d, "nope", 5) == PL_EINVALID, "a bad date has no years before it");

	ok(pl_date_today(out, "2026-01-02") == 0 && !strcmp(out, "2026-01-02"), "--today is today");
	setenv("PLSYNC_TODAY", "2025-05-06", 1);
	ok(pl_date_today(out, NULL) == 0 && !strcmp(out, "2025-05-06"), "else $PLSYNC_TODAY");
	ok(pl_date_today(out, "2026-02-30") == PL_EUSAGE, "a --today that is not a date is a usage error");
	return done_testing();
}
