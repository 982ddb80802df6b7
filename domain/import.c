/*
 * import.c — an import's life (plsync/import.h): read the file, check
 * every row, match each to the record it is, show the preview, commit it
 * in one write, and take the last one back.
 *
 * The parse never stops at the first problem: every row is checked (its
 * cells one by one, then the row as the store will check it, with
 * pl_schema_prepare: required fields, the sense rules, references to the
 * store's records or to the file's own ids), and every problem is kept
 * (up to max_errors, the count goes on). Nothing is written then; only a
 * file without errors can be committed.
 *
 * Matching: a row with an id is that record (a new one if the id is not
 * in the store); a row without one is matched by its kind's natural key
 * (import-key.c) against the store's records, read into a hash. Two
 * rows of one file that are the same record (same id, or same key) are an
 * error naming both lines. A matched row whose values are all the
 * record's already is unchanged; else it updates only the fields that
 * differ. An empty cell never unsets a field.
 *
 * The commit compares the updates again with each record as the write
 * sees it (the store may have changed since the parse), and keeps what it
 * did in the store's meta under "import/last" — {kind, file, created:
 * [ids], updated: {id: {path: [before, after]}}} — committed with the
 * ops, which is what pl_import_undo reads. An import that changed nothing
 * leaves the one before as the last.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plsync/calendar.h"
#include "plsync/errors.h"
#include "plsync/import.h"
#include "plsync/store.h"
#include "import-int.h"

#define UNDO_KEY "import/last"

int imp_error(pl_import *im, size_t line, const char *column, const char *field, const char *fmt, ...)
{
	char msg[PL_ERROR_MSG_MAX];
	va_list ap;

	size_t slot = im->nkept;

	im->nerrs++;
	if (im->nkept >= im->opts.max_errors) {
		/* full: keep the errors of the first lines (found in two passes, not in line order) */
		size_t worst = 0;
		for (size_t i = 1; i < im->nkept; i++)
			if (im->errs[i].line >= im->errs[worst].line)
				worst = i;
		if (!im->nkept || line >= im->errs[worst].line)
			return PL_EINVALID;
		free((char *)im->errs[worst].column);
		free((char *)im->errs[worst].field);
		free((char *)im->errs[worst].message);
		im->errs[worst] = im->errs[--im->nkept];
		slot = im->nkept;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pl_utf8_scrub(msg);
	pl_import_error *e = &im->errs[slot];
	e->line = line;
	e->column = strdup(column ? column : "");
	e->field = strdup(field ? field : "");
	e->message = strdup(msg);
	if (!e->column || !e->field || !e->message) {
		free((char *)e->column);
		free((char *)e->field);
		free((char *)e->message);
		return PL_EINVALID; /* not kept; still counted */
	}
	im->nkept++;
	return PL_EINVALID;
}

int imp_error_last(pl_import *im, size_t line, const char *column, const char *field)
{
	imp_error(im, line, column, field, "%s", pl_error_last()->message);
	pl_error_clear();
	return PL_EINVALID;
}

int imp_put(json_t *root, const char *path, json_t *value)
{
	const char *dot = strchr(path, '.');

	if (!dot)
		return json_object_set_new(root, path, value) ? PL_ERROR : 0;
	char head[256];
	snprintf(head, sizeof(head), "%.*s", (int)(dot - path), path);
	json_t *sub = json_object_get(root, head);
	if (!sub) {
		if (!(sub = json_object()) || json_object_set_new(root, head, sub)) {
			json_decref(value);
			return PL_ERROR;
		}
	} else if (!json_is_object(sub)) {
		json_decref(value);
		return PL_ERROR;
	}
	return imp_put(sub, dot + 1, value);
}

json_t *imp_get(const json_t *root, const char *path)
{
	const char *dot;

	while (root && (dot = strchr(path, '.'))) {
		char head[256];
		snprintf(head, sizeof(head), "%.*s", (int)(dot - path), path);
		root = json_object_get(root, head);
		path = dot + 1;
	}
	return root ? json_object_get(root, path) : NULL;
}

int pl_import_new(pl_import **out, const char *kind, const char *file, const pl_import_options *opts)
{
	pl_import_options o = PL_IMPORT_OPTIONS_INIT;
	const pl_kind_def *k = pl_schema_kind(kind ? kind : "");
	pl_import *im;

	*out = NULL;
	if (opts)
		o = *opts;
	if (!k)
		return pl_error_set(PL_EUSAGE, "unknown kind '%s'", kind ? kind : "");
	if (o.format != PL_IMPORT_CSV && o.format != PL_IMPORT_JSONL)
		return pl_error_set(PL_EUSAGE, "unknown import format %d", o.format);
	if (!o.max_errors)
		o.max_errors = IMPORT_ERRORS_DEFAULT;
	if (!(im = calloc(1, sizeof(*im))) || !(im->file = strdup(file ? file : "-")) ||
	    !(im->errs = calloc(o.max_errors, sizeof(*im->errs)))) {
		pl_import_free(im);
		return pl_error_set(PL_ERROR, "out of memory");
	}
	im->kind = k;
	im->opts = o;
	*out = im;
	return 0;
}

void pl_import_free(pl_import *im)
{
	if (!im)
		return;
	for (size_t i = 0; i < im->nmaps; i++) {
		free(im->maps[i].column);
		free(im->maps[i].field);
	}
	free(im->maps);
	for (size_t i = 0; i < im->ncols; i++) {
		free(im->cols[i].name);
		free(im->cols[i].path);
	}
	free(im->cols);
	for (size_t i = 0; i < im->nrows; i++) {
		json_decref(im->rows[i].cells);
		json_decref(im->rows[i].fields);
		free(im->rows[i].id);
	}
	free(im->rows);
	for (size_t i = 0; i < im->nkept; i++) {
		free((char *)im->errs[i].column);
		free((char *)im->errs[i].field);
		free((char *)im->errs[i].message);
	}
	free(im->errs);
	free(im->ignored);
	free(im->view);
	free(im->file);
	free(im);
}

/* ---- one row's cells to fields ---- */

static int cell(pl_import *im, imp_row *r, const imp_col *c, const json_t *v)
{
	json_t *lenient = NULL, *coerced = NULL;
	int rc;

	if (c->is_id) {
		if (!json_is_string(v) || !*json_string_value(v))
			return imp_error(im, r->line, c->name, "id", "the id must be text");
		free(r->id);
		if (!(r->id = strdup(json_string_value(v))))
			return PL_ERROR;
		return 0;
	}
	if (json_is_string(v)) {
		if ((rc = imp_value(&lenient, im, c, json_string_value(v))))
			return rc == PL_ERROR ? rc : imp_error_last(im, r->line, c->name, c->path);
	} else if (c->dollars && json_is_number(v)) {
		lenient = json_integer((json_int_t)(json_number_value(v) * 100.0 + (json_number_value(v) < 0 ? -0.5 : 0.5)));
	} else {
		lenient = json_incref((json_t *)v);
	}
	if (!lenient)
		return PL_ERROR;
	if (json_is_null(lenient)) { /* an empty cell leaves the field as it is */
		json_decref(lenient);
		return 0;
	}
	rc = pl_schema_coerce(&coerced, im->kind, c->path, lenient);
	json_decref(lenient);
	if (rc)
		return rc == PL_ERROR ? rc : imp_error_last(im, r->line, c->name, c->path);
	if (imp_put(r->fields, c->path, coerced))
		return imp_error(im, r->line, c->name, c->path, "%s crosses another field's path", c->path);
	return 0;
}

static int row_fields(pl_import *im, imp_row *r)
{
	int rc = 0, bad = 0;

	if (!(r->fields = json_object()))
		return PL_ERROR;
	if (json_is_array(r->cells)) {
		for (size_t i = 0; i < im->ncols && i < json_array_size(r->cells); i++) {
			const json_t *v = json_array_get(r->cells, i);
			if (json_is_null(v) || !im->cols[i].path)
				continue;
			if ((rc = cell(im, r, &im->cols[i], v)) == PL_ERROR)
				return rc;
			bad |= rc != 0;
		}
	} else {
		const char *key;
		json_t *v;
		json_object_foreach(r->cells, key, v) {
			size_t before = im->nerrs;
			const imp_col *c = imp_map_key(im, key, r->line);
			if (!c) {
				bad |= im->nerrs != before;
				continue;
			}
			if (json_is_null(v))
				continue;
			if ((rc = cell(im, r, c, v)) == PL_ERROR)
				return rc;
			bad |= rc != 0;
		}
	}
	r->bad |= bad;
	return 0;
}

/* ---- references, while checking rows ---- */

struct ctx {
	pl_import *im;
	pl_store  *st;
	json_t    *file_ids;   /* id -> line */
	json_t    *seen;       /* id -> true|false (in the store as that kind) */
};

static int exists(const char *kind, const char *id, const char *path, void *payload)
{
	struct ctx *x = payload;
	char key[128];
	pl_record *r = NULL;
	int yes;

	(void)path;
	if (!strcmp(kind, x->im->kind->name) && json_object_get(x->file_ids, id))
		return 1;
	snprintf(key, sizeof(key), "%s\x1f%s", kind, id);
	json_t *s = json_object_get(x->seen, key);
	if (s)
		return json_is_true(s);
	yes = pl_store_get_state(&r, x->st, id) == 0 && !r->deleted && !strcmp(r->kind, kind);
	pl_record_free(r);
	pl_error_clear();
	json_object_set_new(x->seen, key, json_boolean(yes));
	return yes;
}

/* The fields of `row` (nested) that differ from `cur`, into `out`. */
static int diff(json_t *out, const char *prefix, const json_t *row, const json_t *cur)
{
	const char *k;
	json_t *v;

	json_object_foreach((json_t *)row, k, v) {
		char path[256];
		snprintf(path, sizeof(path), "%s%s%s", prefix, *prefix ? "." : "", k);
		if (json_is_object(v)) {
			if (diff(out, path, v, cur))
				return PL_ERROR;
			continue;
		}
		json_t *c = imp_get(cur, path);
		if (c && json_equal(c, v) && json_typeof(c) == json_typeof(v))
			continue;
		if (c && json_is_number(c) && json_is_number(v) && json_number_value(c) == json_number_value(v))
			continue;
		if (imp_put(out, path, json_incref(v)))
			return PL_ERROR;
	}
	return 0;
}

static int check_row(struct ctx *x, imp_row *r, json_t *keys_seen, imp_keys **keys, const char *today)
{
	pl_import *im = x->im;
	pl_record *rec = NULL;
	json_t *prepared = NULL, *changed = NULL;
	pl_sense at = { NULL, today };
	int rc = 0;

	if (r->id) {
		rc = pl_store_get_state(&rec, x->st, r->id);
		if (rc == PL_ENOTFOUND) {
			pl_error_clear();
			rc = 0;
		} else if (rc) {
			return rc;
		} else if (rec->deleted) {
			rc = imp_error(im, r->line, "id", "id", "record %s was deleted; give the row another id or none",
			               r->id);
			goto cleanup;
		} else if (strcmp(rec->kind, im->kind->name)) {
			rc = imp_error(im, r->line, "id", "id", "%s is a %s record, not a %s", r->id, rec->kind,
			               im->kind->name);
			goto cleanup;
		}
	} else {
		const char *what;
		char *key = imp_key_of(im->kind, r->fields, &what);
		if (key) {
			json_t *other = json_object_get(keys_seen, key);
			if (other) {
				rc = imp_error(im, r->line, "", "", "the same %s as line %lld (%s key %s): one record, given twice",
				               im->kind->name, (long long)json_integer_value(other), im->kind->name, what);
				free(key);
				goto cleanup;
			}
			json_object_set_new(keys_seen, key, json_integer((json_int_t)r->line));
			if (!*keys && (rc = imp_keys_load(keys, x->st, im->kind))) {
				free(key);
				return rc;
			}
			const char *id;
			rc = imp_keys_find(*keys, key, r->fields, &id);
			free(key);
			if (rc)
				return rc;
			json_t *given = id ? json_object_get(x->file_ids, id) : NULL;
			if (given) {
				rc = imp_error(im, r->line, "", "", "the same %s as line %lld (%s, by its %s): one record, given twice",
				               im->kind->name, (long long)json_integer_value(given), id, what);
				goto cleanup;
			}
			if (id) {
				if ((rc = pl_store_get_state(&rec, x->st, id)))
					return rc;
				if (!(r->id = strdup(id)))
					return pl_error_set(PL_ERROR, "out of memory");
			}
		}
	}
	at.id = r->id;
	if (rec) {
		if (!(changed = json_object()) || diff(changed, "", r->fields, rec->fields)) {
			rc = pl_error_set(PL_ERROR, "out of memory");
			goto cleanup;
		}
		if (!json_object_size(changed)) {
			r->action = PL_IMPORT_SAME;
			goto cleanup;
		}
		r->action = PL_IMPORT_UPDATE;
		rc = pl_schema_prepare(&prepared, im->kind, changed, rec->fields, &at, exists, x);
		json_decref(r->fields);
		r->fields = changed;
		changed = NULL;
	} else {
		r->action = PL_IMPORT_NEW;
		rc = pl_schema_prepare(&prepared, im->kind, r->fields, NULL, &at, exists, x);
	}
	if (rc && rc != PL_ERROR)
		rc = imp_error_last(im, r->line, "", "");
cleanup:
	json_decref(prepared);
	json_decref(changed);
	pl_record_free(rec);
	return rc == PL_ERROR ? rc : 0;
}

int pl_import_parse(pl_import *im, pl_store *st, const char *data, size_t len)
{
	struct ctx x = { im, st, json_object(), json_object() };
	json_t *keys_seen = json_object();
	imp_keys *keys = NULL;
	char today[11];
	int rc = 0;

	if (im->parsed) {
		rc = pl_error_set(PL_EUSAGE, "this import was parsed already");
		goto cleanup;
	}
	im->parsed = 1;
	if (!x.file_ids || !x.seen || !keys_seen) {
		rc = pl_error_set(PL_ERROR, "out of memory");
		goto cleanup;
	}
	if (pl_date_today(today, NULL))
		today[0] = '\0';
	pl_error_clear();
	rc = im->opts.format == PL_IMPORT_JSONL ? imp_read_jsonl(im, data, len) : imp_read_csv(im, data, len);
	if (rc)
		goto cleanup;
	for (size_t i = 0; i < im->nrows; i++) {
		imp_row *r = &im->rows[i];
		if (r->bad)
			continue;
		if ((rc = row_fields(im, r)))
			goto cleanup;
		if (r->id) {
			json_t *other = json_object_get(x.file_ids, r->id);
			if (other) {
				imp_error(im, r->line, "id", "id", "id %s is on line %lld too: one record, given twice", r->id,
				          (long long)json_integer_value(other));
				r->bad = 1;
			} else {
				json_object_set_new(x.file_ids, r->id, json_integer((json_int_t)r->line));
			}
		}
	}
	for (size_t i = 0; i < im->nrows; i++) {
		imp_row *r = &im->rows[i];
		size_t before = im->nerrs;
		if (r->bad)
			continue;
		if ((rc = check_row(&x, r, keys_seen, &keys, today[0] ? today : NULL)))
			goto cleanup;
		if (im->nerrs != before)
			r->bad = 1;
	}
	if (!(im->view = calloc(im->nrows ? im->nrows : 1, sizeof(*im->view)))) {
		rc = pl_error_set(PL_ERROR, "out of memory");
		goto cleanup;
	}
	for (size_t i = 0; i < im->nrows; i++) {
		imp_row *r = &im->rows[i];
		pl_import_row *v = &im->view[i];
		v->line = r->line;
		v->action = r->bad ? 0 : r->action;
		v->id = r->id;
		v->fields = r->fields;
		if (!r->bad && r->action > 0 && r->action < 4)
			im->counts[r->action]++;
	}
	/* by line, in the order found within a line (a stable insertion sort of at most max_errors) */
	for (size_t i = 1; i < im->nkept; i++) {
		pl_import_error e = im->errs[i];
		size_t j = i;
		for (; j > 0 && im->errs[j - 1].line > e.line; j--)
			im->errs[j] = im->errs[j - 1];
		im->errs[j] = e;
	}
	if (im->nerrs) {
		rc = pl_error_set(PL_EINVALID, "%s: %zu error%s; nothing was imported", im->file, im->nerrs,
		                  im->nerrs == 1 ? "" : "s");
		goto cleanup;
	}
	im->ok = 1;
cleanup:
	imp_keys_free(keys);
	json_decref(keys_seen);
	json_decref(x.file_ids);
	json_decref(x.seen);
	return rc;
}

size_t pl_import_error_count(const pl_import *im) { return im->nerrs; }
size_t pl_import_errors_kept(const pl_import *im) { return im->nkept; }
const pl_import_error *pl_import_error_get(const pl_import *im, size_t i)
{
	return i < im->nkept ? &im->errs[i] : NULL;
}
const char *pl_import_ignored(const pl_import *im) { return im->ignored ? im->ignored : ""; }
size_t pl_import_row_count(const pl_import *im) { return im->view ? im->nrows : 0; }
const pl_import_row *pl_import_row_get(const pl_import *im, size_t i)
{
	return im->view && i < im->nrows ? &im->view[i] : NULL;
}
size_t pl_import_count(const pl_import *im, int action)
{
	return action > 0 && action < 4 ? im->counts[action] : 0;
}
const char *pl_import_kind(const pl_import *im) { return im->kind->name; }

/* ---- commit ---- */

struct commit {
	pl_import  *im;
	const char *note;
	json_t     *created, *updated;
	char        first[PL_ID_MAX + 1], last[PL_ID_MAX + 1];
};

/* For undo: each leaf of `changed` as path -> [before, after]. */
static int remember(json_t *out, const char *prefix, const json_t *changed, const json_t *cur)
{
	const char *k;
	json_t *v;

	json_object_foreach((json_t *)changed, k, v) {
		char path[256];
		snprintf(path, sizeof(path), "%s%s%s", prefix, *prefix ? "." : "", k);
		if (json_is_object(v)) {
			if (remember(out, path, v, cur))
				return PL_ERROR;
			continue;
		}
		json_t *before = imp_get(cur, path);
		if (json_object_set_new(out, path, json_pack("[OO]", before ? before : json_null(), v)))
			return PL_ERROR;
	}
	return 0;
}

static int commit_fn(pl_write *w, void *payload)
{
	struct commit *c = payload;
	pl_import *im = c->im;
	char where[300], id[PL_ID_MAX + 1];
	int rc;

	json_array_clear(c->created);
	json_object_clear(c->updated);
	c->first[0] = c->last[0] = '\0';
	pl_write_defer_refs(w); /* rows may refer to rows further down */
	for (size_t i = 0; i < im->nrows; i++) {
		imp_row *r = &im->rows[i];
		snprintf(where, sizeof(where), "%s line %zu", im->file, r->line);
		if (r->action == PL_IMPORT_NEW) {
			pl_change ch = { PL_CHANGE_CREATE, im->kind->name, r->id, r->fields, c->note, where };
			if ((rc = pl_write_change(w, &ch, id)))
				return pl_error_prefix("%s", where);
			if (!c->first[0])
				snprintf(c->first, sizeof(c->first), "%s", id);
			snprintf(c->last, sizeof(c->last), "%s", id);
			if (json_array_append_new(c->created, json_string(id)))
				return pl_error_set(PL_ERROR, "out of memory");
		} else if (r->action == PL_IMPORT_UPDATE) {
			pl_record *rec = NULL;
			json_t *changed = json_object(), *undo = json_object();
			if (!changed || !undo || (rc = pl_write_get(&rec, w, r->id)) ||
			    diff(changed, "", r->fields, rec->fields) || remember(undo, "", changed, rec->fields)) {
				json_decref(changed);
				json_decref(undo);
				pl_record_free(rec);
				return pl_error_last()->code ? pl_error_prefix("%s", where) : pl_error_set(PL_ERROR, "out of memory");
			}
			if (json_object_size(changed)) {
				pl_change ch = { PL_CHANGE_SET, im->kind->name, r->id, changed, c->note, where };
				rc = pl_write_change(w, &ch, NULL);
				if (!rc)
					json_object_set(c->updated, r->id, undo);
			}
			json_decref(changed);
			json_decref(undo);
			pl_record_free(rec);
			if (rc)
				return pl_error_prefix("%s", where);
		}
	}
	if (!json_array_size(c->created) && !json_object_size(c->updated))
		return 0; /* it did nothing: the import before stays the one to take back */
	json_t *memo = json_pack("{sssssOsO}", "kind", im->kind->name, "file", im->file, "created", c->created,
	                         "updated", c->updated);
	char *text = memo ? json_dumps(memo, JSON_COMPACT) : NULL;
	json_decref(memo);
	if (!text)
		return pl_error_set(PL_ERROR, "out of memory");
	rc = pl_write_meta_set(w, UNDO_KEY, text);
	free(text);
	return rc;
}

int pl_import_commit(pl_import *im, pl_store *st, const char *actor, const char *note,
                     char first[PL_ID_MAX + 1], char last[PL_ID_MAX + 1])
{
	struct commit c = { im, note, json_array(), json_object(), "", "" };
	int rc;

	if (!im->ok)
		rc = pl_error_set(PL_EINVALID, "%s: the file has errors (or was not read); nothing was imported",
		                  im->file);
	else if (!c.created || !c.updated)
		rc = pl_error_set(PL_ERROR, "out of memory");
	else
		rc = pl_store_write(st, actor, commit_fn, &c);
	if (first)
		snprintf(first, PL_ID_MAX + 1, "%s", rc ? "" : c.first);
	if (last)
		snprintf(last, PL_ID_MAX + 1, "%s", rc ? "" : c.last);
	json_decref(c.created);
	json_decref(c.updated);
	return rc;
}

/* ---- undo ---- */

struct undo {
	json_t           *memo;
	const char       *note;
	pl_import_undone *out;
};

static int undo_fn(pl_write *w, void *payload)
{
	struct undo *u = payload;
	json_t *created = json_object_get(u->memo, "created"), *updated = json_object_get(u->memo, "updated");
	const char *id;
	json_t *v;
	size_t i;
	int rc;

	u->out->deleted = u->out->restored = u->out->kept = 0;
	json_array_foreach(created, i, v) {
		pl_record *rec = NULL;
		const char *rid = json_string_value(v);
		if (!rid)
			continue;
		rc = pl_write_get(&rec, w, rid);
		int live = rc == 0 && !rec->deleted;
		pl_record_free(rec);
		if (rc && rc != PL_ENOTFOUND)
			return rc;
		pl_error_clear();
		if (!live)
			continue;
		pl_change ch = { PL_CHANGE_DEL, NULL, rid, NULL, u->note, NULL };
		if ((rc = pl_write_change(w, &ch, NULL)))
			return rc;
		u->out->deleted++;
	}
	json_object_foreach(updated, id, v) {
		pl_record *rec = NULL;
		json_t *set;
		const char *path;
		json_t *pair;
		rc = pl_write_get(&rec, w, id);
		if (rc == PL_ENOTFOUND || (!rc && rec->deleted)) {
			pl_record_free(rec);
			pl_error_clear();
			continue;
		}
		if (rc)
			return rc;
		if (!(set = json_object())) {
			pl_record_free(rec);
			return pl_error_set(PL_ERROR, "out of memory");
		}
		json_object_foreach(v, path, pair) {
			json_t *now = imp_get(rec->fields, path), *after = json_array_get(pair, 1);
			if (now && after && json_equal(now, after))
				imp_put(set, path, json_incref(json_array_get(pair, 0)));
			else
				u->out->kept++;
		}
		pl_record_free(rec);
		if (json_object_size(set)) {
			pl_change ch = { PL_CHANGE_SET, NULL, id, set, u->note, NULL };
			rc = pl_write_change(w, &ch, NULL);
			json_decref(set);
			if (rc)
				return rc;
			u->out->restored++;
		} else {
			json_decref(set);
		}
	}
	return pl_write_meta_set(w, UNDO_KEY, NULL);
}

int pl_import_undo(pl_import_undone *out, pl_store *st, const char *actor, const char *note)
{
	struct undo u = { NULL, note, out };
	char *text = NULL;
	json_error_t jerr;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = pl_store_meta_get(&text, st, UNDO_KEY)))
		return rc;
	if (!text)
		return pl_error_set(PL_ENOTFOUND, "no import to take back (none since the last one was taken back)");
	u.memo = json_loads(text, 0, &jerr);
	free(text);
	if (!json_is_object(u.memo)) {
		json_decref(u.memo);
		return pl_error_set(PL_ECORRUPT, "the record of the last import is damaged: %s", jerr.text);
	}
	snprintf(out->kind, sizeof(out->kind), "%s", json_string_value(json_object_get(u.memo, "kind")) ?: "");
	snprintf(out->file, sizeof(out->file), "%s", json_string_value(json_object_get(u.memo, "file")) ?: "");
	rc = pl_store_write(st, actor, undo_fn, &u);
	json_decref(u.memo);
	return rc;
}
