/*
 * plsync/dataset.h — a dataset: every record of interest as plain JSON.
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
 * The calendar the counting uses (dates, the school year) is
 * plsync/calendar.h, included here.
 */
#ifndef PLSYNC_DATASET_H
#define PLSYNC_DATASET_H

#include <jansson.h>

#include "plsync/calendar.h"

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
 * Every live record of store `st` as a dataset: an agent's own data, or the
 * district's consolidated data (the merge cache). *out owned by the caller.
 */
struct pl_store;
int pl_dataset_load(json_t **out, struct pl_store *st);

#endif
