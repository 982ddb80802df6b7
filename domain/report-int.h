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

#endif
