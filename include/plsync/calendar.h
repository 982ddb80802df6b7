/*
 * plsync/calendar.h — dates and the school year, as the domain counts them.
 *
 * A date is the text "YYYY-MM-DD" (a real calendar date), so dates compare
 * as strings; day arithmetic is on days since 1970-01-01 (pl_date_days,
 * pl_date_fmt). The school year runs July 1 to June 30: "2026-2027" is
 * 2026-07-01 .. 2027-06-30. Nothing here reads the clock except
 * pl_date_today, which every program asks for "today" so that a test (or a
 * re-run of last year's report) can fix it.
 */
#ifndef PLSYNC_CALENDAR_H
#define PLSYNC_CALENDAR_H

/*
 * Days since 1970-01-01 of the date "YYYY-MM-DD" (anything after the tenth
 * character, such as a time, is ignored). Errors: PL_EINVALID naming the
 * text, which must be a real calendar date.
 */
int pl_date_days(long *days, const char *date);

/* The date `days` after 1970-01-01 as "YYYY-MM-DD". */
void pl_date_fmt(char out[11], long days);

/* The school year ("2026-2027") holding `date`. PL_EINVALID for a bad date. */
int pl_school_year_of(char out[10], const char *date);

/*
 * First and last day of school year `year` ("2026-2027" -> "2026-07-01",
 * "2027-06-30"). Errors: PL_EINVALID unless `year` is "YYYY-YYYY" with
 * consecutive years.
 */
int pl_school_year_bounds(char from[11], char to[11], const char *year);

/*
 * Days since 1970-01-01 of the same day `years` before `date` (a 29
 * February falls back to the 28th in a year that has none), e.g. the start
 * of a license renewal cycle. Errors: PL_EINVALID, as pl_date_days.
 */
int pl_date_years_back(long *days, const char *date, int years);

/*
 * "Today" for findings and reports, YYYY-MM-DD into out[11]: `given` (a
 * --today option) if set, else $PLSYNC_TODAY, else the local date.
 * PL_EUSAGE if the given date is not a date.
 */
int pl_date_today(char out[11], const char *given);

#endif
