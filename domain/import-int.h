/*
 * import-int.h — the import library's private parts (plsync/import.h):
 *
 *   import.c        the import's life: parse (rows -> checked fields ->
 *                   matched records), the preview, commit, undo
 *   import-read.c   the file into rows of cells: CSV (libcsv; BOM, CRLF,
 *                   quotes, NUL refusal, formula guard) and JSON Lines
 *   import-map.c    columns to fields: the mapping, names matched loosely,
 *                   "did you mean"
 *   import-value.c  a cell's text to the value the schema takes (dates,
 *                   units, dollars, booleans, enums)
 *   import-key.c    natural keys: which existing record a row is
 */
#ifndef PLSYNC_IMPORT_INT_H
#define PLSYNC_IMPORT_INT_H

#include <stddef.h>

#include <jansson.h>

#include "plsync/import.h"
#include "plsync/schema.h"

#define IMPORT_ERRORS_DEFAULT 100

/* How one column is read. */
typedef struct imp_col {
	char               *name;     /* as the file writes it */
	char               *path;     /* field path, NULL: ignored; "id" for the id */
	const pl_field_def *def;      /* NULL for id or ignored */
	int                 dollars;  /* a *_cents field given in dollars */
	int                 is_id;
} imp_col;

/* One mapping given by the caller. */
typedef struct imp_map {
	char *column;   /* normalised */
	char *field;    /* "" = ignore */
	int   used;
} imp_map;

/* One row of the file after reading: cells are strings or JSON values. */
typedef struct imp_row {
	size_t  line;
	json_t *cells;   /* array (CSV) of string|null, or object (JSON Lines, flattened to dotted keys) */
	/* after the checks */
	char   *id;      /* the file's id, or the matched record's */
	json_t *fields;  /* nested, coerced */
	int     action;
	int     bad;
} imp_row;

struct pl_import {
	const pl_kind_def *kind;
	char              *file;
	pl_import_options  opts;
	imp_map           *maps;
	size_t             nmaps;
	imp_col           *cols;
	size_t             ncols;
	imp_row           *rows;
	size_t             nrows, caprows;
	pl_import_error   *errs;
	size_t             nerrs, nkept;
	char              *ignored;
	pl_import_row     *view;     /* the public rows */
	size_t             counts[4];
	int                parsed, ok;
};

/* import.c: record an error (message formatted); returns PL_EINVALID. */
int imp_error(pl_import *im, size_t line, const char *column, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* Record pl_error_last()'s message as an error of the line and clear it. */
int imp_error_last(pl_import *im, size_t line, const char *column, const char *field);

/* import-read.c: the file into im->rows (errors recorded; PL_ERROR only for memory). */
int imp_read_csv(pl_import *im, const char *data, size_t len);
int imp_read_jsonl(pl_import *im, const char *data, size_t len);
/* Append a row (cells stolen); NULL on memory failure. */
imp_row *imp_row_add(pl_import *im, size_t line, json_t *cells);

/* import-map.c */
/* "Start Date" -> "start_date": lower case, each run of other characters one '_'. malloc'd. */
char *imp_norm(const char *s);
/* The column names to how each is read (im->cols); header_line for errors. */
int imp_map_columns(pl_import *im, const char *const *names, size_t n, size_t header_line);
/* The column for a JSON Lines key (added to im->cols once); NULL if ignored. */
const imp_col *imp_map_key(pl_import *im, const char *key, size_t line);
/* Edit distance of a and b, capped at cap + 1. */
size_t imp_distance(const char *a, const char *b, size_t cap);

/* import-value.c: the text of a cell as the value field f takes; *out new. */
int imp_value(json_t **out, const pl_import *im, const imp_col *c, const char *text);

/* import-key.c: natural keys. */
typedef struct imp_keys imp_keys;
/* Index st's live records of im->kind by natural key: at once (one pass)
 * or, for kinds whose keys start with a reference, as imp_keys_find needs
 * them (through the store's reference index). */
int imp_keys_load(imp_keys **out, pl_store *st, const pl_kind_def *kind);
void imp_keys_free(imp_keys *k);
/* The natural key of `fields` (nested), malloc'd, or NULL if it has none; *what names it ("staff + title + start"). */
char *imp_key_of(const pl_kind_def *kind, const json_t *fields, const char **what);
/* *id: the record with that key (the key of `fields`), or NULL (borrowed,
 * valid until imp_keys_free). Returns 0, or the store's error. */
int imp_keys_find(imp_keys *k, const char *key, const json_t *fields, const char **id);

/* Nested-object helpers. */
int imp_put(json_t *root, const char *path, json_t *value);   /* value stolen */
json_t *imp_get(const json_t *root, const char *path);        /* borrowed */

#endif
