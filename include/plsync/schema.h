/*
 * plsync/schema.h — record kinds, their fields, and validation.
 *
 * The kinds and fields come from docs/design.md ("Records"), which takes them from
 * the district policies and the PL plan template. Validation runs on every
 * write: types, enums, dates, non-negative numbers, required fields, and
 * references to records that must exist. Policy rules that need the whole
 * district's data are findings, not validation.
 */
#ifndef PLSYNC_SCHEMA_H
#define PLSYNC_SCHEMA_H

#include <jansson.h>

typedef enum pl_ftype {
	PL_T_STR = 1,   /* free text */
	PL_T_INT,       /* integer >= min */
	PL_T_NUM,       /* decimal >= 0 (hours, credits) */
	PL_T_BOOL,
	PL_T_DATE,      /* YYYY-MM-DD, a real calendar date */
	PL_T_TIME,      /* YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ */
	PL_T_YEAR,      /* school year "2026-2027" */
	PL_T_ENUM,      /* one of enums[] */
	PL_T_FUNDING,   /* local | state | other | federal:<program> | grant:<name> */
	PL_T_EMAIL,
	PL_T_REF,       /* id of an existing record of kind `ref` */
	PL_T_STRLIST,   /* list of text */
	PL_T_STDLIST,   /* list of Learning Forward standard codes */
	PL_T_REFLIST,   /* list of ids of kind `ref` */
	PL_T_MAP        /* nested fields `sub` */
} pl_ftype;

typedef struct pl_field_def pl_field_def;
struct pl_field_def {
	const char          *name;
	pl_ftype             type;
	int                  required;
	const char *const   *enums;   /* PL_T_ENUM: NULL-terminated */
	const char          *ref;     /* PL_T_REF/REFLIST: the kind referred to */
	const pl_field_def  *sub;     /* PL_T_MAP: fields, ended by a {NULL} entry */
	long long            min, max;/* PL_T_INT bounds (max 0 = none) */
	const char          *help;    /* one line for --help and error messages */
};

typedef struct pl_kind_def {
	const char         *name;
	const char         *help;
	const pl_field_def *fields;   /* ended by a {NULL} entry */
} pl_kind_def;

/* The kind named `name`, or NULL. */
const pl_kind_def *pl_schema_kind(const char *name);
/* All kinds, NULL-terminated, in docs/design.md's order. */
const pl_kind_def *const *pl_schema_kinds(void);
/* The definition of a dotted field path ("approvals.supervisor.by"), or NULL. */
const pl_field_def *pl_schema_field(const pl_kind_def *kind, const char *path);
/* The type's name for messages ("date YYYY-MM-DD"). */
const char *pl_schema_type_name(const pl_field_def *f);

/*
 * Coerce one value for field `path` of `kind` into its stored form: strings
 * from CSV or the command line are parsed ("8.5" -> 8.5, "a,b" -> ["a","b"]),
 * typed JSON values are checked. JSON null passes (it unsets the field).
 * *out is a new reference owned by the caller.
 * Errors: PL_EINVALID, message "kind.path: "value" is not ...; allowed: ...".
 */
int pl_schema_coerce(json_t **out, const pl_kind_def *kind, const char *path,
                     const json_t *in);

/*
 * Called for each reference to check (`path` is the field, e.g. "staff");
 * return 1 if `id` exists as `kind` (or the caller will check it later).
 */
typedef int (*pl_ref_exists_fn)(const char *kind, const char *id, const char *path, void *payload);

/*
 * A change to a record of `kind` in one pass, as the store writes it:
 * every field of `raw` (an object of fields, nested or dotted; NULL: none)
 * coerced (pl_schema_coerce), the change checked and its references found
 * (`exists`, may be NULL), and the record after it still has every
 * required field. `current` is the record's fields now (nested; a field the
 * change does not name stays as it is there), NULL for a create: the
 * change alone is then the record. *out gets the coerced
 * change (a new reference, the caller's) on success, NULL on failure.
 * The record after the change must also make sense (`at`, may be NULL for
 * no id, day or request time): a pd_entry's end is not before its start,
 * its hours are at most 24 per day (end - start + 1 days, 1 without an
 * end), a completed one does not start or end after `at->today`, and no
 * approval (approvals.supervisor.at, approvals.budget.at) is dated before
 * its requested_at (to the second, or by date when either is a date). Remote
 * ops do not pass here (pl_schema_validate: types only), so old data
 * still merges.
 * Errors: PL_EINVALID as pl_schema_coerce and pl_schema_validate give
 * them, "pd_entry ID: end 2026-09-01 is before start 2026-09-14; fix end
 * or start" for a rule, "fields must be an object" if `raw` is not one;
 * PL_ERROR (memory).
 */
/*
 * What the sense rules of a local write need beyond the fields: the
 * record's id (for the message) and the day the change is made on
 * ("YYYY-MM-DD"; the store gives its HLC's UTC date, so a test moves it
 * with the clock; NULL: the rule on completed entries in the future is
 * not checked).
 */
typedef struct pl_sense {
	const char *id;
	const char *today;
} pl_sense;

int pl_schema_prepare(json_t **out, const pl_kind_def *kind, const json_t *raw, const json_t *current,
                      const pl_sense *at, pl_ref_exists_fn exists, void *payload);

/*
 * Validate a change to a record of `kind`: every field in `change` (a
 * nested object; null = unset) must be known and well-typed, references must
 * exist (when `exists` is non-NULL), and `after` (the record with the change
 * applied) must still have every required field.
 * Errors: PL_EINVALID naming kind, field, value and what is allowed.
 */
int pl_schema_validate(const pl_kind_def *kind, const json_t *change,
                       const json_t *after, pl_ref_exists_fn exists, void *payload);

/* Learning Forward standards. set is 2011 or 2022. */
int pl_standard_in_set(const char *code, int set);
const char *pl_standard_name(const char *code, int set);
/* NULL-terminated list of the codes of one set. */
const char *const *pl_standard_codes(int set);

/*
 * The Guskey evaluation levels, level 1 first, ended by a { NULL } entry:
 * each is a field of pd_entry.evaluation (its name, e.g. "reaction", the
 * 1-5 bounds and its help line, "Guskey level 1: participants' reaction,
 * 1-5") and the level's name as reports show it ("Participants'
 * reactions"). Static; never freed. Everything that lists the levels (the
 * evaluate command, the findings, the report) takes them from here.
 */
typedef struct pl_guskey_level {
	const pl_field_def *field;   /* pd_entry.evaluation.<field->name> */
	int                 level;   /* 1..5 */
	const char         *title;
} pl_guskey_level;
const pl_guskey_level *pl_schema_guskey_levels(void);

/*
 * The names of all kinds, in pl_schema_kinds() order, as one line for a
 * message ("school, staff, plan, ..."), written into out (sz bytes, cut
 * short if need be, always terminated); returns out.
 */
const char *pl_schema_kind_names(char *out, size_t sz);

#endif
