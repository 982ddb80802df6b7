/*
 * import-map.c — which field each column of an import file gives.
 *
 * In this order, names compared normalised (lower case, each run of
 * characters other than letters and digits one '_': "Start Date" is
 * "start_date", "approvals.supervisor.by" is "approvals_supervisor_by"):
 *
 *   1. the caller's mapping ("Employee ID=staff"; "Notes=" ignores Notes);
 *   2. "id": the record's id;
 *   3. a field path of the kind ("Hours" -> hours, "Cost Cents" -> cost_cents);
 *   4. a *_cents field without "_cents" ("Cost" -> cost_cents, in dollars);
 *   5. the name without a last word "date", "id" or "code" ("Start Date" ->
 *      start, "Staff ID" -> staff), when that names exactly one field.
 *
 * Anything else is ignored and listed (pl_import_ignored), or an error
 * with strict; a name within two edits of a field's says "did you mean".
 * Two columns giving one field are an error naming both.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "plsync/errors.h"
#include "import-int.h"

char *imp_norm(const char *s)
{
	size_t n = strlen(s), o = 0;
	char *out = malloc(n + 1);
	int sep = 0;

	if (!out)
		return NULL;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (isalnum(c) && c < 0x80) {
			if (sep && o)
				out[o++] = '_';
			sep = 0;
			out[o++] = (char)tolower(c);
		} else {
			sep = 1;
		}
	}
	out[o] = '\0';
	return out;
}

size_t imp_distance(const char *a, const char *b, size_t cap)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t row[65];

	if (lb > 64 || la > 64)
		return cap + 1;
	if ((la > lb ? la - lb : lb - la) > cap)
		return cap + 1;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0], best;
		row[0] = i;
		best = row[0];
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t v = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < v)
				v = up + 1;
			if (row[j - 1] + 1 < v)
				v = row[j - 1] + 1;
			row[j] = v;
			diag = up;
			if (v < best)
				best = v;
		}
		if (best > cap)
			return cap + 1;
	}
	return row[lb];
}

/* Every leaf field path of `defs` under `prefix`, calling fn; stops on non-zero. */
typedef int (*path_fn)(const char *path, const pl_field_def *f, void *payload);
static int each_path(const pl_field_def *defs, const char *prefix, path_fn fn, void *payload)
{
	int rc;
	for (; defs && defs->name; defs++) {
		char path[256];
		snprintf(path, sizeof(path), "%s%s%s", prefix, *prefix ? "." : "", defs->name);
		if (defs->type == PL_T_MAP) {
			if ((rc = each_path(defs->sub, path, fn, payload)))
				return rc;
		} else if ((rc = fn(path, defs, payload))) {
			return rc;
		}
	}
	return 0;
}

struct find {
	const char *want;      /* normalised name */
	int         dollars;   /* compare with the path without _cents */
	char        path[256];
	const pl_field_def *def;
	int         found;
	/* for suggestions */
	size_t      best;
	char        near[256];
};

static int find_cb(const char *path, const pl_field_def *f, void *payload)
{
	struct find *fd = payload;
	char *n = imp_norm(path);
	size_t len;

	if (!n)
		return PL_ERROR;
	len = strlen(n);
	if (fd->dollars) {
		if (len > 6 && !strcmp(n + len - 6, "_cents") && f->type == PL_T_INT) {
			n[len - 6] = '\0';
			if (!strcmp(n, fd->want)) {
				fd->found++;
				snprintf(fd->path, sizeof(fd->path), "%s", path);
				fd->def = f;
			}
		}
	} else if (!strcmp(n, fd->want)) {
		fd->found++;
		snprintf(fd->path, sizeof(fd->path), "%s", path);
		fd->def = f;
	}
	size_t d = imp_distance(fd->want, n, 2);
	if (d <= 2 && d < fd->best && d > 0) {
		fd->best = d;
		snprintf(fd->near, sizeof(fd->near), "%s", path);
	}
	free(n);
	return 0;
}

/* Resolve normalised `want` to a field: 0 and *c filled, or PL_ENOTFOUND (near: a suggestion or ""). */
static int resolve(imp_col *c, const pl_kind_def *k, const char *want, int loose, char near[256])
{
	struct find fd = { want, 0, "", NULL, 0, 3, "" };
	static const char *const words[] = { "_date", "_id", "_code", NULL };

	near[0] = '\0';
	if (!strcmp(want, "id")) {
		c->is_id = 1;
		c->path = strdup("id");
		return c->path ? 0 : PL_ERROR;
	}
	if (each_path(k->fields, "", find_cb, &fd))
		return PL_ERROR;
	if (fd.found == 1) {
		c->def = fd.def;
		c->path = strdup(fd.path);
		return c->path ? 0 : PL_ERROR;
	}
	fd.dollars = 1;
	fd.found = 0;
	if (each_path(k->fields, "", find_cb, &fd))
		return PL_ERROR;
	if (fd.found == 1) {
		c->def = fd.def;
		c->dollars = 1;
		c->path = strdup(fd.path);
		return c->path ? 0 : PL_ERROR;
	}
	if (loose) {
		size_t n = strlen(want);
		for (int i = 0; words[i]; i++) {
			size_t wl = strlen(words[i]);
			if (n > wl && !strcmp(want + n - wl, words[i])) {
				char shorter[256];
				snprintf(shorter, sizeof(shorter), "%.*s", (int)(n - wl), want);
				struct find f2 = { shorter, 0, "", NULL, 0, 3, "" };
				if (each_path(k->fields, "", find_cb, &f2))
					return PL_ERROR;
				if (f2.found == 1) {
					c->def = f2.def;
					c->path = strdup(f2.path);
					return c->path ? 0 : PL_ERROR;
				}
			}
		}
	}
	snprintf(near, 256, "%s", fd.near);
	return PL_ENOTFOUND;
}

int pl_import_map(pl_import *im, const char *column, const char *field)
{
	imp_map *nm;
	char near[256];
	imp_col probe = { 0 };

	if (!column || !*column)
		return pl_error_set(PL_EUSAGE, "a mapping needs a column name before '='");
	if (field && *field) {
		char *n = imp_norm(field);
		int rc;
		if (!n)
			return pl_error_set(PL_ERROR, "out of memory");
		rc = resolve(&probe, im->kind, n, 0, near);
		free(n);
		free(probe.path);
		if (rc == PL_ERROR)
			return pl_error_set(PL_ERROR, "out of memory");
		if (rc)
			return pl_error_set(PL_EUSAGE, "'%s' is not a %s field%s%s%s", field, im->kind->name,
			                    near[0] ? " (did you mean '" : "", near, near[0] ? "'?)" : "");
	}
	if (!(nm = realloc(im->maps, (im->nmaps + 1) * sizeof(*nm))))
		return pl_error_set(PL_ERROR, "out of memory");
	im->maps = nm;
	nm = &im->maps[im->nmaps];
	nm->column = imp_norm(column);
	nm->field = strdup(field ? field : "");
	nm->used = 0;
	if (!nm->column || !nm->field) {
		free(nm->column);
		free(nm->field);
		return pl_error_set(PL_ERROR, "out of memory");
	}
	im->nmaps++;
	return 0;
}

int pl_import_map_text(pl_import *im, const char *text, int sep, const char *where)
{
	const char *s = text;
	size_t item = 0;

	while (*s) {
		const char *e = strchr(s, sep);
		size_t n = e ? (size_t)(e - s) : strlen(s);
		char buf[512];
		item++;
		while (n && isspace((unsigned char)*s))
			s++, n--;
		while (n && isspace((unsigned char)s[n - 1]))
			n--;
		if (n && !(sep == '\n' && *s == '#')) {
			if (n >= sizeof(buf))
				return pl_error_set(PL_EUSAGE, "%s %s %zu: too long", where, sep == '\n' ? "line" : "item", item);
			memcpy(buf, s, n);
			buf[n] = '\0';
			char *eq = strrchr(buf, '=');
			if (!eq)
				return pl_error_set(PL_EUSAGE, "%s %s %zu: \"%s\" is not Column=field", where,
				                    sep == '\n' ? "line" : "item", item, buf);
			*eq = '\0';
			char *col = buf, *fld = eq + 1;
			size_t cl = strlen(col);
			while (cl && isspace((unsigned char)col[cl - 1]))
				col[--cl] = '\0';
			while (isspace((unsigned char)*fld))
				fld++;
			int rc = pl_import_map(im, col, fld);
			if (rc)
				return pl_error_prefix("%s %s %zu", where, sep == '\n' ? "line" : "item", item);
		}
		if (!e)
			break;
		s = e + 1;
	}
	return 0;
}

static int add_ignored(pl_import *im, const char *name)
{
	size_t old = im->ignored ? strlen(im->ignored) : 0;
	char *n = realloc(im->ignored, old + strlen(name) + 3);

	if (!n)
		return PL_ERROR;
	snprintf(n + old, strlen(name) + 3, "%s%s", old ? ", " : "", name);
	im->ignored = n;
	return 0;
}

/* One column: fill c from its name. */
static int map_one(pl_import *im, imp_col *c, const char *name, size_t line)
{
	char near[256];
	char *n = imp_norm(name);
	int rc;

	if (!n)
		return PL_ERROR;
	c->name = strdup(name);
	if (!c->name) {
		free(n);
		return PL_ERROR;
	}
	for (size_t i = 0; i < im->nmaps; i++) {
		if (strcmp(im->maps[i].column, n))
			continue;
		im->maps[i].used = 1;
		free(n);
		if (!im->maps[i].field[0])
			return 0; /* ignored on purpose */
		if (!(n = imp_norm(im->maps[i].field)))
			return PL_ERROR;
		rc = resolve(c, im->kind, n, 0, near);
		free(n);
		return rc == PL_ERROR ? PL_ERROR : 0; /* the field was checked when mapped */
	}
	rc = resolve(c, im->kind, n, 1, near);
	free(n);
	if (rc == PL_ERROR)
		return PL_ERROR;
	if (rc == 0)
		return 0;
	if (im->opts.strict)
		imp_error(im, line, name, "", "column '%s' is not a %s field%s%s%s", name, im->kind->name,
		          near[0] ? " (did you mean '" : "", near, near[0] ? "'?)" : "; map it to one or leave it out");
	else if (near[0]) {
		char note[600];
		snprintf(note, sizeof(note), "%s (did you mean '%s'?)", name, near);
		return add_ignored(im, note);
	} else
		return add_ignored(im, name);
	return 0;
}

static int check_twice(pl_import *im, size_t i, size_t line)
{
	imp_col *c = &im->cols[i];

	if (!c->path)
		return 0;
	for (size_t j = 0; j < i; j++)
		if (im->cols[j].path && !strcmp(im->cols[j].path, c->path)) {
			imp_error(im, line, c->name, c->path, "columns '%s' and '%s' both give %s", im->cols[j].name,
			          c->name, c->path);
			return 1;
		}
	return 0;
}

int imp_map_columns(pl_import *im, const char *const *names, size_t n, size_t line)
{
	if (!(im->cols = calloc(n ? n : 1, sizeof(*im->cols))))
		return pl_error_set(PL_ERROR, "out of memory");
	im->ncols = n;
	for (size_t i = 0; i < n; i++) {
		if (!names[i]) {
			imp_error(im, line, "", "", "header column %zu is empty", i + 1);
			continue;
		}
		if (map_one(im, &im->cols[i], names[i], line))
			return pl_error_set(PL_ERROR, "out of memory");
		check_twice(im, i, line);
	}
	for (size_t i = 0; i < im->nmaps; i++)
		if (!im->maps[i].used)
			imp_error(im, line, im->maps[i].column, im->maps[i].field,
			          "the mapping names a column '%s' the file does not have", im->maps[i].column);
	return 0;
}

const imp_col *imp_map_key(pl_import *im, const char *key, size_t line)
{
	imp_col *nc;

	for (size_t i = 0; i < im->ncols; i++)
		if (!strcmp(im->cols[i].name, key))
			return im->cols[i].path ? &im->cols[i] : NULL;
	if (!(nc = realloc(im->cols, (im->ncols + 1) * sizeof(*nc))))
		return NULL;
	im->cols = nc;
	nc = &im->cols[im->ncols];
	memset(nc, 0, sizeof(*nc));
	/* a JSON key is a field path as written: the export's own form */
	if (!strcmp(key, "id")) {
		nc->name = strdup(key);
		nc->path = strdup("id");
		nc->is_id = 1;
	} else if (pl_schema_field(im->kind, key) && pl_schema_field(im->kind, key)->type != PL_T_MAP) {
		nc->name = strdup(key);
		nc->path = strdup(key);
		nc->def = pl_schema_field(im->kind, key);
	} else if (map_one(im, nc, key, line)) {
		return NULL;
	}
	im->ncols++;
	if (check_twice(im, im->ncols - 1, line))
		return NULL;
	return nc->path ? nc : NULL;
}
