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
 *     "audience": "board" | "coordinator", "staff": "none" | "ids" | "names",
 *     "previous_year": the year before ("2025-2026"),
 *     "comparison_note": why there is no comparison, or absent,
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
 *     "findings": [ the coordinator's: as pl_findings() gives them for the
 *                   year, each with "next" (pl_finding_next_step's words) and
 *                   "staff" as `staff` shows them; the board's: none ] }
 *
 * For the board, a goal has no "goal" or "plan" id and its "school" is the
 * school's name; an activity has no "id", its "standards" are names and its
 * "funding" the source's name (report-names.c); warnings have no "school"
 * code, only its "name".
 *
 * A table is { "id", "title", "note", "columns": [ { "id", "label", "type",
 * "sum", "key" } ], "rows": [ [cell...] ], "total": [cell...] }, with type one
 * of "text", "int", "hours" (a number, 2 decimals at most), "cents" (integer
 * cents), "mean" (a number) or "by_row" (the type of each row's cell is the
 * table's "row_types"[row]). For every column with "sum": true the total
 * cell equals the sum of that column's rows exactly (hours are counted in
 * hundredths); other total cells are null or, for a mean, the overall mean.
 * A "key" column holds codes or ids; the board's report has none.
 * The tables, by id: coverage, previous_year (only when the previous school
 * year has PL in the data: participants, participations, hours, spending
 * and hours per standard, this year, last year and the change; else
 * "comparison_note" says so), by_school, by_category, by_type,
 * by_standard_2011, by_standard_2022 (these two also carry "unassigned":
 * { "participations", "hours" } of the last row, the PL naming no standard
 * of the set, which the charts leave out and state in a note), by_goal,
 * by_funding, evaluation, plc, by_month, findings_by_rule, and for the
 * board with staff shown, findings_by_staff.
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

/*
 * Who the report is for.
 *
 *  PL_REPORT_BOARD        (the default) people's words only: schools, goals,
 *                         funding sources ("Federal Title II-A") and
 *                         standards by their names; no record id, no code
 *                         column (the columns a table marks "key" are left
 *                         out), no plan or goal ids, the findings counted
 *                         by rule and, when staff may be shown, by person;
 *                         never a command.
 *  PL_REPORT_COORDINATOR  everything: the code and id columns, and the
 *                         findings one by one with their record, why and
 *                         next step (pl_finding_next_step's words).
 *
 * How staff members are shown wherever a row is about one person (the
 * findings): PL_REPORT_STAFF_NONE (the board's default) not at all, counts
 * only, no per-person rows; _IDS by staff id (the coordinator's default);
 * _NAMES by the staff record's name (its id when it has none).
 */
typedef enum pl_report_audience { PL_REPORT_BOARD = 1, PL_REPORT_COORDINATOR } pl_report_audience;
typedef enum pl_report_staff {
	PL_REPORT_STAFF_NONE = 1, PL_REPORT_STAFF_IDS, PL_REPORT_STAFF_NAMES
} pl_report_staff;

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
	/* since version 3: who reads it, and how staff are shown (see below) */
	pl_report_audience audience;    /* 0: PL_REPORT_BOARD */
	pl_report_staff     staff;      /* 0: the audience's default */
} pl_report_options;
#define PL_REPORT_OPTIONS_VERSION 3
#define PL_REPORT_OPTIONS_INIT { PL_REPORT_OPTIONS_VERSION, NULL, NULL, NULL, NULL, 0, 0 }

/*
 * Build the report of school year `year` ("2026-2027") over `dataset` as of
 * `today` ("YYYY-MM-DD", for the findings). *out is a new object owned by
 * the caller (json_decref). `opts` may be NULL.
 * Errors: PL_EINVALID for a bad year or date; PL_EUSAGE for options of
 * another version (1 and 2 are still read, as the coordinator's report they
 * were, without coverage for 1); PL_ERROR when out of memory.
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
 *          "Total" row, blocks separated by an empty line; with `excel`,
 *          a UTF-8 byte order mark first and CRLF row ends (pl_csv_begin,
 *          pl_csv_row_end), for Excel on Windows;
 *  "json"  the report object as canonical JSON.
 * `excel` is ignored by the other formats.
 * Errors: PL_EUSAGE for another format; PL_EOS if writing fails.
 */
int pl_report_write(FILE *f, const json_t *report, const char *format, int excel);

/* "board" or "coordinator" as a pl_report_audience (0 if neither), and
 * "none", "ids" or "names" as a pl_report_staff (0 if none of them). */
pl_report_audience pl_report_audience_of(const char *s);
pl_report_staff pl_report_staff_of(const char *s);

#endif
