/*
 * plsync/dataset.h — a dataset: every record of interest as plain JSON, and
 * the calendar of the school year.
 *
 * Findings, the annual report, transcripts and the plan document are pure
 * functions over a *dataset*, so that the agent (one school's store) and the
 * district tool (consolidated git data) compute them the same way:
 *
 *     { "<kind>": { "<id>": <fields object>, ... }, ... }
 *
 * Kinds and fields are those of schema.h, values in their stored form
 * (hours and credits numbers, money integer cents, dates "YYYY-MM-DD").
 * A missing kind is the same as an empty one. Records that refer to records
 * absent from the dataset are tolerated: consolidated data may hold them.
 *
 * The school year runs July 1 to June 30: "2026-2027" is 2026-07-01 ..
 * 2027-06-30. Dates compare as strings; day arithmetic uses
 * pl_date_days().
 */
#ifndef PLSYNC_DATASET_H
#define PLSYNC_DATASET_H

#include <jansson.h>

/* A new, empty dataset (an object). NULL only when out of memory. */
json_t *pl_dataset_new(void);

/*
 * Put record `id` of `kind` with `fields` (a new reference is taken; the
 * caller keeps its own) into `dataset`, replacing one with that id.
 * Errors: PL_EINVALID for an unknown kind or a fields value that is not an
 * object; PL_ERROR when out of memory.
 */
int pl_dataset_put(json_t *dataset, const char *kind, const char *id, json_t *fields);

/* The fields of record `id` of `kind`, or NULL. Borrowed from `dataset`. */
json_t *pl_dataset_get(const json_t *dataset, const char *kind, const char *id);

/* The records of `kind` (id -> fields), or NULL. Borrowed. */
json_t *pl_dataset_kind(const json_t *dataset, const char *kind);

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
 * "Today" for findings and reports, YYYY-MM-DD into out[11]: `given` (a
 * --today option) if set, else $PLSYNC_TODAY, else the local date.
 * PL_EUSAGE if the given date is not a date.
 */
int pl_date_today(char out[11], const char *given);

/*
 * Every live record of store `st` as a dataset: an agent's own data, or the
 * district's consolidated data (the merge cache). *out owned by the caller.
 */
struct pl_store;
int pl_dataset_load(json_t **out, struct pl_store *st);

#endif
