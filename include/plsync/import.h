/*
 * plsync/import.h — many records of one kind from a spreadsheet's CSV or a
 * JSON Lines file, in three steps a command line or a web page can show:
 *
 *   pl_import_new        the kind, the file's name (for messages), options
 *   pl_import_map...     the column mapping ("Employee ID" -> staff)
 *   pl_import_parse      read the file, check every row, match each row to
 *                        the record it is (by id, else by a natural key):
 *                        all the errors of the file, and a preview
 *                        (new / updated / unchanged, and the rows)
 *   pl_import_commit     write the preview in one transaction and remember
 *                        what it did, so that pl_import_undo can take it back
 *
 * Values are read leniently, as spreadsheets write them (the store's own
 * pl_schema_coerce stays strict): dates M/D/YYYY and M/D/YY (D/M with
 * day_first), times with or without seconds, "6.5 hrs" and "90 min" in an
 * hours field, TRUE/FALSE/yes/no/1/0, money in dollars ("$1,234.50") in a
 * column named for a *_cents field without "_cents" (a *_cents column takes
 * whole cents only), enum values whatever their case and separators.
 * docs/design.md ("Import") has the rules and the natural keys.
 */
#ifndef PLSYNC_IMPORT_H
#define PLSYNC_IMPORT_H

#include <stddef.h>

#include <jansson.h>

#include "plsync/store.h"

typedef struct pl_import pl_import;

enum pl_import_format { PL_IMPORT_CSV = 1, PL_IMPORT_JSONL };

typedef struct pl_import_options {
	unsigned int version;
	int    format;       /* PL_IMPORT_CSV (default) or PL_IMPORT_JSONL */
	int    strict;       /* 1: a column that names no field is an error */
	int    day_first;    /* 1: "3/4/2026" is 3 April (dmy); 0: 4 March (mdy) */
	size_t max_errors;   /* errors kept (the count goes on); 0 = 100 */
} pl_import_options;
#define PL_IMPORT_OPTIONS_VERSION 1
#define PL_IMPORT_OPTIONS_INIT { PL_IMPORT_OPTIONS_VERSION, PL_IMPORT_CSV, 0, 0, 0 }

/* What an import does with one row. */
enum pl_import_action { PL_IMPORT_NEW = 1, PL_IMPORT_UPDATE, PL_IMPORT_SAME };

/* One problem in the file. Strings valid until pl_import_free. */
typedef struct pl_import_error {
	size_t      line;     /* 1-based line of the file; 0: the file as a whole */
	const char *column;   /* the column (CSV header or JSON key) as written, "" if none */
	const char *field;    /* the field it maps to, "" if none */
	const char *message;  /* one line: what is wrong and what to do */
} pl_import_error;

/* One row of the preview. Valid until pl_import_free. */
typedef struct pl_import_row {
	size_t        line;
	int           action;  /* PL_IMPORT_* */
	const char   *id;      /* UPDATE/SAME: the record's id; NEW: the file's id or NULL (generated) */
	const json_t *fields;  /* NEW: the record's fields; UPDATE: only those that change; SAME: {} */
} pl_import_row;

/*
 * A new import of records of `kind` from a file called `file` (used in
 * messages only). opts may be NULL for defaults. *out is the caller's
 * (pl_import_free). Errors: PL_EUSAGE for an unknown kind or format.
 */
int pl_import_new(pl_import **out, const char *kind, const char *file, const pl_import_options *opts);
void pl_import_free(pl_import *im);

/*
 * Map a column (matched ignoring case, spaces, '-' and '_') to `field`: a
 * field path of the kind, "id", the name of a *_cents field without
 * "_cents" (the column is dollars), or "" to ignore the column.
 * Errors: PL_EUSAGE naming the field (with the nearest one, if any).
 */
int pl_import_map(pl_import *im, const char *column, const char *field);
/*
 * Several mappings in one text: "Column=field" items separated by `sep`
 * (',' for a command line's list, '\n' for a saved mapping file, where
 * blank lines and lines starting with '#' are skipped). `where` names the
 * text in messages ("map.txt"). Errors: as pl_import_map, with the line.
 */
int pl_import_map_text(pl_import *im, const char *text, int sep, const char *where);

/*
 * Read data[0..len) (a NUL byte is allowed after it, not needed), check
 * every row, and match the rows to the records of st (read once, not
 * written). Returns 0 when the file can be imported; PL_EINVALID when it
 * has errors (pl_import_error_count > 0: every one is listed, nothing can
 * be committed); PL_ERROR (memory) or a store error. Call once.
 */
int pl_import_parse(pl_import *im, pl_store *st, const char *data, size_t len);

/* Errors found (all of them), and those kept (at most max_errors). */
size_t pl_import_error_count(const pl_import *im);
size_t pl_import_errors_kept(const pl_import *im);
const pl_import_error *pl_import_error_get(const pl_import *im, size_t i);

/* The columns that name no field and were ignored, ", "-joined ("" if none). */
const char *pl_import_ignored(const pl_import *im);

/* The preview: rows in file order, and their count per action. */
size_t pl_import_row_count(const pl_import *im);
const pl_import_row *pl_import_row_get(const pl_import *im, size_t i);
size_t pl_import_count(const pl_import *im, int action);
/* The kind's name. */
const char *pl_import_kind(const pl_import *im);

/*
 * Write the preview in one transaction of st as `actor`, each op with
 * `note` (may be NULL): creates for NEW rows, a set of only the changed
 * fields for UPDATE rows (compared again with the record inside the
 * write), nothing for SAME ones; and keep what it did in st's meta (the
 * last import), for pl_import_undo (an import that changes nothing keeps
 * the one before as the last). The first id made and the last are
 * copied to first/last ("" if none; either may be NULL).
 * Errors: PL_EINVALID if the parse found errors or was not run; what
 * pl_write_change gives (the message starts with "FILE line N"); PL_EFULL.
 */
int pl_import_commit(pl_import *im, pl_store *st, const char *actor, const char *note,
                     char first[PL_ID_MAX + 1], char last[PL_ID_MAX + 1]);

/* What pl_import_undo did. */
typedef struct pl_import_undone {
	char   kind[33];
	char   file[256];
	size_t deleted;    /* records the import created, now deleted */
	size_t restored;   /* records the import changed, set back */
	size_t kept;       /* fields changed again since the import: left as they are */
} pl_import_undone;

/*
 * Take back the last import of st in one write, as new ops (the history
 * stays): delete the records it created (those still there), and set each
 * field it changed back to its value before, where the field still holds
 * what the import wrote. The import is then forgotten: a second undo has
 * nothing to take back. Errors: PL_ENOTFOUND if no import is remembered;
 * what pl_write_change gives.
 */
int pl_import_undo(pl_import_undone *out, pl_store *st, const char *actor, const char *note);

#endif
