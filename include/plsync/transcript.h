/*
 * plsync/transcript.h — one staff member's professional learning
 * transcript, and where it stands against the license renewal requirement.
 *
 * Rows are what counts as PL done (dataset.h): the staff member's completed
 * pd_entries and the PLC meetings they attended (minutes/60 hours each,
 * job-embedded), in date order. Totals are exact sums of the rows. The
 * renewal position is always over the renewal cycle — the
 * `renewal_cycle_years` years ending on license_expires — whatever year the
 * rows are limited to.
 *
 * Each row names the school that recorded it (the node that created the
 * record, from pl_transcript_sources), so a transcript over the district's
 * consolidated data shows a teacher who moved schools as one list, and its
 * total is the sum over both schools. A transcript over one store's data
 * warns when it may be short (pl_transcript_warning): a school's store
 * holds its own records, the district office's, and those of the nodes it
 * follows, never a priori every school's.
 *
 * The transcript object:
 *   { "staff", "name", "school", "category", "license_number",
 *     "license_expires", "year" | null, "from" | null, "to" | null, "as_of",
 *     "rows": [ { "date", "kind", "record", "title", "type", "job_embedded",
 *                 "hours", "credits", "standards", "school" | null } ],
 *     "entries", "total_hours", "total_credits",
 *     "by_school": [ { "school", "entries", "hours" } ],  (rows with a school)
 *     "scope": { "data": "consolidated" | "store", "node" | null,
 *                "warning" | null },
 *     "renewal": null | { "cycle_from", "cycle_to", "required", "completed",
 *                         "short", "days_to_expiry" },
 *     "credit_totals": [ { "type", "name", "total", "per_hours" } ]
 *                      (plsync/credit.h; rows also carry "credit_type"),
 *     "compliance": [ the staff member's rows of plsync/requirement.h ] }
 */
#ifndef PLSYNC_TRANSCRIPT_H
#define PLSYNC_TRANSCRIPT_H

#include <stdio.h>

#include <jansson.h>

#include "plsync/errors.h"

struct pl_store;

typedef struct pl_transcript_options {
	unsigned int  version;
	int           renewal_cycle_years;   /* 0 = 5 */
	/* version 2: */
	const json_t *sources;       /* pl_transcript_sources of the dataset's store, or
	                                NULL: rows name no school, no scope warning */
	int           consolidated;  /* 1: the dataset is every school's (the district
	                                merge); 0: one store's, which may miss some */
} pl_transcript_options;
#define PL_TRANSCRIPT_OPTIONS_VERSION 2
#define PL_TRANSCRIPT_OPTIONS_INIT { PL_TRANSCRIPT_OPTIONS_VERSION, 0, NULL, 0 }

/*
 * What a transcript needs to know of the store `st` the dataset `ds` was
 * loaded from, for staff member `staff`: the store's node, the node that
 * recorded each of the staff member's pd_entries and PLC meetings, who
 * made the staff record and whether its school was changed after. *out
 * is a new object owned by the caller:
 *   { "node", "records": { id: node }, "staff_owner" | null,
 *     "school_changed" | null (the UTC date of the change) }
 * A record of `ds` the store does not hold is left out. Errors: those of
 * pl_store_get (PL_ECORRUPT, PL_EOS); PL_ERROR (memory).
 */
int pl_transcript_sources(json_t **out, struct pl_store *st, const json_t *ds, const char *staff);

/*
 * Build the transcript of staff member `staff` from `dataset`, limited to
 * school year `year` ("2026-2027") or all years when NULL, as of `today`
 * ("YYYY-MM-DD"). *out is a new object owned by the caller. With
 * opts->sources and not opts->consolidated, scope.warning says why the
 * store's records may not be all of the person's PL, when it can tell:
 * the store is the district office's (node DISTRICT), the staff record
 * names another school or was made at one, its school was changed, or
 * some of their entries were recorded at another school.
 * Errors: PL_ENOTFOUND if there is no such staff record (add it, or check
 * the id); PL_EINVALID for a bad year or date; PL_EUSAGE for options of
 * another version (1 and 2 are read).
 */
int pl_transcript_build(json_t **out, const json_t *dataset, const char *staff,
                        const char *year, const char *today,
                        const pl_transcript_options *opts);

/*
 * The transcript's warning that it covers only one store's records, or
 * NULL (borrowed from `transcript`). *hint, when not NULL, gets the next
 * step a program may offer with it: PL_HINT_DISTRICT_TRANSCRIPT (its
 * argument the staff id) with a warning, else PL_HINT_NONE.
 */
const char *pl_transcript_warning(const json_t *transcript, enum pl_hint *hint);

/*
 * Write a transcript as "text" (aligned columns for a terminal), "csv" (a
 * header row, one row per entry, a Total row, and a Warning row when the
 * transcript has one), "md" (a Markdown table) or "json" (canonical
 * JSON). A warning is also a line of the text and Markdown documents.
 * `excel`, for csv only: a UTF-8 byte order mark first and CRLF row ends
 * (pl_csv_begin, pl_csv_row_end). Errors: PL_EUSAGE for another format;
 * PL_EOS if writing fails.
 */
int pl_transcript_write(FILE *f, const json_t *transcript, const char *format, int excel);

#endif
