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
 * The transcript object:
 *   { "staff", "name", "school", "category", "license_number",
 *     "license_expires", "year" | null, "from" | null, "to" | null, "as_of",
 *     "rows": [ { "date", "kind", "record", "title", "type", "job_embedded",
 *                 "hours", "credits", "standards" } ],
 *     "entries", "total_hours", "total_credits",
 *     "renewal": null | { "cycle_from", "cycle_to", "required", "completed",
 *                         "short", "days_to_expiry" } }
 */
#ifndef PLSYNC_TRANSCRIPT_H
#define PLSYNC_TRANSCRIPT_H

#include <stdio.h>

#include <jansson.h>

typedef struct pl_transcript_options {
	unsigned int version;
	int          renewal_cycle_years;   /* 0 = 5 */
} pl_transcript_options;
#define PL_TRANSCRIPT_OPTIONS_VERSION 1
#define PL_TRANSCRIPT_OPTIONS_INIT { PL_TRANSCRIPT_OPTIONS_VERSION, 0 }

/*
 * Build the transcript of staff member `staff` from `dataset`, limited to
 * school year `year` ("2026-2027") or all years when NULL, as of `today`
 * ("YYYY-MM-DD"). *out is a new object owned by the caller.
 * Errors: PL_ENOTFOUND if there is no such staff record (add it, or check
 * the id); PL_EINVALID for a bad year or date; PL_EUSAGE for options of
 * another version.
 */
int pl_transcript_build(json_t **out, const json_t *dataset, const char *staff,
                        const char *year, const char *today,
                        const pl_transcript_options *opts);

/*
 * Write a transcript as "text" (aligned columns for a terminal), "csv" (a
 * header row, one row per entry, a Total row), "md" (a Markdown table) or
 * "json" (canonical JSON). Errors: PL_EUSAGE for another format; PL_EOS if
 * writing fails.
 */
int pl_transcript_write(FILE *f, const json_t *transcript, const char *format);

#endif
