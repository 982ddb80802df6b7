/*
 * plsync/report.h — the annual professional learning report to the board
 * (Policy 4370), built from a dataset and written as HTML, Markdown or CSV.
 *
 * pl_report_build() computes everything as JSON; pl_report_write() only
 * lays it out, so the numbers are the same in every format and a test can
 * check them on the JSON. What is counted (see dataset.h): completed
 * pd_entries dated (end, else start) within the school year, and each
 * attendee of each plc_meeting in the year (minutes/60 hours, job-embedded).
 * A staff member's school and category are those of the staff record.
 *
 * The report object:
 *
 *   { "title", "scope", "year", "from", "to", "as_of",
 *     "summary": { "participants", "pd_entries", "plc_meetings",
 *                  "participations", "hours", "credits", "spent_cents",
 *                  "title_ii_a_cents", "findings" },
 *     "tables": [ table... ],
 *     "goals": [ { "plan", "school", "year", "goal", "number", "statement",
 *                  "rationale", "measure", "frequency", "outcome",
 *                  "outcome_y1", "outcome_y2", "outcome_y3",
 *                  "participations", "hours",
 *                  "activities": [ { "id", "title", "initial", "followup",
 *                                    "duration", "standards", "funding",
 *                                    "budget_cents", "participations",
 *                                    "hours" } ] } ],
 *     "findings": [ as pl_findings() gives them for the year ] }
 *
 * A table is { "id", "title", "note", "columns": [ { "id", "label", "type",
 * "sum" } ], "rows": [ [cell...] ], "total": [cell...] }, with type one of
 * "text", "int", "hours" (a number, 2 decimals at most), "cents" (integer
 * cents) or "mean" (a number). For every column with "sum": true the total
 * cell equals the sum of that column's rows exactly (hours are counted in
 * hundredths); other total cells are null or, for a mean, the overall mean.
 * The tables, by id: coverage, by_school, by_category, by_type,
 * by_standard_2011, by_standard_2022, by_goal, by_funding, evaluation, plc,
 * by_month, findings_by_rule.
 *
 * What the report knows: the "coverage" table has a row per school record
 * (school, name, last push, last merged op's seq and time, days since the
 * newer of the two until "today", the year's participations, a status) from
 * the options' `coverage`, and "warnings" (beside "tables") lists
 * { "school", "name", "status", "why" } for every school whose figures may
 * be missing rather than zero. The status is one of
 *   "ok"
 *   "nothing received"       no push and no op of the school's node in the data
 *   "nothing merged"         a push, but none of its ops in the data
 *   "no data in the year"    its newest op in the data is older than the year's start
 *   "no PL recorded"         ops in or after the year, but no participation
 * (without `coverage` only the last two can be told, as "no PL recorded").
 * Every format shows the warnings before the summary.
 */
#ifndef PLSYNC_REPORT_H
#define PLSYNC_REPORT_H

#include <stdio.h>

#include <jansson.h>

#include "plsync/findings.h"

typedef struct pl_report_options {
	unsigned int version;
	const char  *title;     /* NULL: "Professional Learning Report" */
	const char  *scope;     /* who it covers, e.g. "Lincoln Elementary (LIN01)";
	                           NULL: "All schools" */
	const pl_findings_options *findings; /* NULL: defaults (year is set to the report's) */
	/* since version 2: what reached the data the report reads, keyed by the
	   school's node code: { "last_push": RFC 3339 time of the school's newest
	   op or batch that arrived, "merged_seq": seq of its last op in the data,
	   "merged_at": RFC 3339 time of that op } (times may be absent; a school
	   not in it has sent nothing). NULL: not known (pl_report_coverage). */
	const json_t *coverage;
} pl_report_options;
#define PL_REPORT_OPTIONS_VERSION 2
#define PL_REPORT_OPTIONS_INIT { PL_REPORT_OPTIONS_VERSION, NULL, NULL, NULL, NULL }

/*
 * Build the report of school year `year` ("2026-2027") over `dataset` as of
 * `today` ("YYYY-MM-DD", for the findings). *out is a new object owned by
 * the caller (json_decref). `opts` may be NULL.
 * Errors: PL_EINVALID for a bad year or date; PL_EUSAGE for options of
 * another version (1 is still read, without coverage); PL_ERROR when out of memory.
 */
int pl_report_build(json_t **out, const json_t *dataset, const char *year, const char *today,
                    const pl_report_options *opts);

struct pl_store;

/*
 * The coverage facts of every school record of `dataset` as the store `st`
 * (the one the dataset was loaded from) holds them: for each school's node
 * code, its last op's seq and time as "merged_seq" and "merged_at", and the
 * same time as "last_push" (a program that knows when a school's batches
 * arrived, as the district's merge does, sets its own). A school without
 * ops gets { "merged_seq": 0 }. *out is owned by the caller.
 * Errors: the store's; PL_ERROR when out of memory.
 */
int pl_report_coverage(json_t **out, struct pl_store *st, const json_t *dataset);

/*
 * Write `report` (from pl_report_build) to `f` as `format`:
 *  "html"  one self-contained page (inline CSS and SVG charts, no script,
 *          nothing fetched) that prints well;
 *  "md"    Markdown tables;
 *  "csv"   each table as a block: a title row, a header row, its rows and a
 *          "Total" row, blocks separated by an empty line;
 *  "json"  the report object as canonical JSON.
 * Errors: PL_EUSAGE for another format; PL_EOS if writing fails.
 */
int pl_report_write(FILE *f, const json_t *report, const char *format);

#endif
