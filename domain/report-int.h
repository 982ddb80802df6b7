/*
 * report-int.h — what the report's driver (report.c) and its tables
 * (report-tables.c) share (not public).
 *
 * The driver collects the year's participations once and the totals every
 * table ends with; each table then groups the participations its own way
 * and appends itself to `tables`. Hours are hundredths throughout.
 */
#ifndef PLSYNC_DOMAIN_REPORT_INT_H
#define PLSYNC_DOMAIN_REPORT_INT_H

#include "dataset-int.h"
#include "plsync/report.h"

/* The report being built. */
typedef struct pl_report__ctx {
	const json_t     *ds;
	const char       *year;
	char              from[11], to[11];
	pl_dataset__part *parts;        /* the year's participations */
	size_t            nparts;
	json_t           *out, *tables;
	long long         hours, credits, spent, pd_entries;   /* totals of parts */
	json_t           *who;          /* all participants (a set of staff ids) */
	int               board;        /* for the board (else the coordinator) */
	pl_report_staff   staff;        /* how staff members are shown */
	const char       *today;        /* the report's "as of" */
} pl_report__ctx;

/* A plan goal the report covers, in (school, plan, number, id) order. */
typedef struct pl_report__goal {
	const char *id, *plan, *school;
	long long   number;
} pl_report__goal;

/*
 * Append the data-coverage table to r->tables and set r->out's "warnings"
 * (report-coverage.c): per school record, what reached the data
 * (`coverage`, as pl_report_options has it; NULL: not known) and its
 * participations in the year, days counted to `today`.
 */
int pl_report__coverage(pl_report__ctx *r, const json_t *coverage, const char *today);

/*
 * Append every table to r->tables, in the report's order (by school,
 * category, type, standard in each set, goal, funding, evaluation, PLC,
 * month, findings by rule). *t2a gets the Title II-A spending and *meetings
 * the year's PLC meetings, for the summary.
 */
int pl_report__tables(pl_report__ctx *r, const pl_report__goal *goals, size_t ngoals,
                      const json_t *findings, long long *t2a, long long *meetings);

/*
 * Append the comparison with the previous school year (report-compare.c):
 * the table "previous_year" after the coverage table when that year has
 * participations in the data, else r->out's "comparison_note".
 */
int pl_report__compare(pl_report__ctx *r);

/*
 * The hours (hundredths) and participations of `parts` per standard of set
 * `set` (2011 or 2022), in pl_standard_codes order, an entry naming several
 * standards of the set sharing its hours among them (the remainder to the
 * first); h[n] and cnt[n] get those naming none of the set. Returns n, the
 * number of codes (at most PL_REPORT__MAX_CODES); h and cnt hold n + 1.
 */
#define PL_REPORT__MAX_CODES 32
int pl_report__standard_hours(long long *h, long long *cnt, const pl_dataset__part *parts,
                              size_t nparts, int set);

/* ---- names for people (report-names.c) ---- */

/* The school's name, else its id (`id` itself when there is no record). */
const char *pl_report__school_name(const pl_report__ctx *r, const char *id);
/* The school as the audience reads it: its name for the board, else its id
 * (a new string; "" for NULL). */
json_t *pl_report__school_cell(const pl_report__ctx *r, const char *id);
/* A funding code for people: "Federal Title II-A" for a known program, else
 * a tidy form of the code ("Grant: Reading Corps"); "(funding not recorded)"
 * for "" or NULL. A new string. */
json_t *pl_report__funding_label(const char *code);
/* The display name of a standard code of either set; the code if unknown. */
const char *pl_report__standard_name(const char *code);
/* A staff member as r->staff shows them: name, id, or NULL for none. */
json_t *pl_report__staff_cell(const pl_report__ctx *r, const char *id);
/* Take the "key" columns out of a table (for the board). */
void pl_report__strip_keys(json_t *table);

#endif
