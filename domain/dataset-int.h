/*
 * dataset-int.h — what dataset.c gives the rest of domain/ (findings.c,
 * report.c and report-tables.c, report-write.c, transcript.c, plandoc.c):
 * participations, renewal positions and small field readers (not public).
 *
 * Hours and credits are counted in hundredths (pl_dataset__centi) so that every
 * total is an exact integer sum of its rows; they are turned back into
 * numbers only on output.
 */
#ifndef PLSYNC_DOMAIN_DATASET_INT_H
#define PLSYNC_DOMAIN_DATASET_INT_H

#include <stddef.h>

#include <jansson.h>

#include "plsync/dataset.h"

/*
 * One person's participation in one piece of PL: a completed pd_entry, or
 * one attendee of a plc_meeting (minutes/60 hours each, job-embedded).
 * Strings are borrowed from the dataset.
 */
typedef struct pl_dataset__part {
	const char   *staff;       /* staff id */
	const char   *kind;        /* "pd_entry" or "plc_meeting" */
	const char   *rec;         /* record id */
	const char   *date;        /* pd_entry end, else start; meeting date; may be NULL */
	const char   *title;       /* entry title, or the PLC group */
	const char   *type;        /* pd_entry type, or "plc_meeting" */
	const char   *funding;     /* NULL if unset */
	const char   *goal;        /* the entry's goal, else its activity's goal; NULL */
	const char   *activity;    /* NULL if unset */
	const json_t *standards;   /* array of codes, or NULL */
	const json_t *evaluation;  /* object, or NULL */
	long long     chours;      /* hours x 100 */
	long long     ccredits;    /* credits x 100 */
	long long     cost_cents;
	int           job_embedded;
} pl_dataset__part;

/*
 * Every participation dated from `from` to `to` (inclusive; either NULL =
 * open; undated ones only when both are NULL), optionally of one staff
 * member, in (date, staff, record) order. *out is malloc'd (free()).
 */
int pl_dataset__parts(pl_dataset__part **out, size_t *n, const json_t *ds, const char *from,
                      const char *to, const char *staff);

/* The string at dotted `path` in `obj`; NULL if absent, not text or empty. */
const char *pl_dataset__str(const json_t *obj, const char *path);
/* The number at `path` x 100, rounded; 0 if absent. */
long long pl_dataset__centi_at(const json_t *obj, const char *path);
/* The integer at `key` in `obj`; 0 if absent or not an integer. */
long long pl_dataset__int(const json_t *obj, const char *key);
/* A number of hundredths as text: "6.5", "12", "0.83". */
void pl_dataset__centi_fmt(char out[32], long long c);
/* A JSON number for a count of hundredths (integer when whole). */
json_t *pl_dataset__centi_json(long long c);
/* True if a pd_entry of this type (or delivery) is job-embedded PL. */
int pl_dataset__job_embedded(const char *type, const char *delivery);

/*
 * Whether `entry` carries a valid approval of `role` ("supervisor" or
 * "budget"): approvals.<role>.by set, decision not "rejected", and, when
 * `staff` records its supervisor / budget_manager, by that person. If not,
 * a short reason is written to why.
 */
int pl_dataset__approved_by(char *why, size_t sz, const json_t *entry, const json_t *staff,
                    const char *role);

/* A staff member's license renewal position. */
typedef struct pl_dataset__renewal {
	int       applies;      /* certified, license_expires and hours required set */
	char      from[11];     /* first day of the renewal cycle */
	char      to[11];       /* license_expires */
	long long required;     /* renewal_hours_required x 100 */
	long long done;         /* completed hours in the cycle x 100 */
} pl_dataset__renewal;
int pl_dataset__renewal_of(pl_dataset__renewal *out, const json_t *ds, const char *staff_id, int cycle_years);

/* Append text to a growing buffer (for "why" messages). */
void pl_dataset__cat(char *buf, size_t sz, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
