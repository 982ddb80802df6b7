/*
 * import-read.c — an import file into rows of cells, before any field is
 * looked at.
 *
 * CSV through libcsv (strict quoting), fed one line at a time so each row
 * knows the line it starts on: a UTF-8 byte order mark is skipped, CRLF
 * is a line end, a quoted cell may hold commas and line breaks, an empty
 * cell is null. A cell holding a NUL byte or text that is not UTF-8 is an
 * error of its line; a cell neutralised against spreadsheet formulas
 * ("'=x", pl_csv_cell_guard) is read as the value it guards ("=x"). The
 * first row is the header; a row with another number of cells is an
 * error. Malformed quoting stops the reading (what follows cannot be
 * trusted to be cut into the right cells).
 *
 * JSON Lines: one object per line, blank lines skipped; nested objects
 * are flattened to dotted keys, so both kinds of file become rows of
 * (column, value) the same code checks.
 */
#include <string.h>

#include <csv.h>

#include "plsync/errors.h"
#include "plsync/render.h"
#include "import-int.h"

struct csv_state {
	pl_import *im;
	json_t    *row;       /* cells of the row being read */
	size_t     line;      /* line being fed */
	size_t     row_line;  /* line the row started on */
	int        row_bad;
	int        header_done;
	int        rc;        /* PL_ERROR on memory */
};

imp_row *imp_row_add(pl_import *im, size_t line, json_t *cells)
{
	if (im->nrows == im->caprows) {
		size_t cap = im->caprows ? im->caprows * 2 : 64;
		imp_row *nr = realloc(im->rows, cap * sizeof(*nr));
		if (!nr) {
			json_decref(cells);
			return NULL;
		}
		im->rows = nr;
		im->caprows = cap;
	}
	imp_row *r = &im->rows[im->nrows++];
	memset(r, 0, sizeof(*r));
	r->line = line;
	r->cells = cells;
	return r;
}

static void csv_cell(void *s, size_t n, void *payload)
{
	struct csv_state *cs = payload;
	json_t *v;

	if (cs->rc)
		return;
	if (json_array_size(cs->row) == 0)
		cs->row_line = cs->line;
	if (!s || n == 0) {
		json_array_append_new(cs->row, json_null());
		return;
	}
	if (memchr(s, '\0', n)) { /* an id would be cut there; the store refuses it in a value */
		imp_error(cs->im, cs->line, "", "", "cell %zu holds a NUL byte (not text)", json_array_size(cs->row) + 1);
		cs->row_bad = 1;
		json_array_append_new(cs->row, json_null());
		return;
	}
	/* a cell export neutralised against spreadsheet formulas ("'=x") is the value "=x" */
	size_t skip = pl_csv_cell_guard(s, n);
	if (!(v = json_stringn((const char *)s + skip, n - skip))) {
		imp_error(cs->im, cs->line, "", "", "cell %zu is not valid UTF-8", json_array_size(cs->row) + 1);
		cs->row_bad = 1;
		v = json_null();
	}
	json_array_append_new(cs->row, v);
}

static void csv_row(int c, void *payload)
{
	struct csv_state *cs = payload;
	pl_import *im = cs->im;
	size_t n = json_array_size(cs->row);

	(void)c;
	if (cs->rc)
		return;
	if (!cs->header_done) {
		const char **names = calloc(n ? n : 1, sizeof(*names));
		if (!names) {
			cs->rc = PL_ERROR;
			return;
		}
		for (size_t i = 0; i < n; i++)
			names[i] = json_string_value(json_array_get(cs->row, i)); /* NULL: empty */
		if (imp_map_columns(im, names, n, cs->row_line) == PL_ERROR)
			cs->rc = PL_ERROR;
		free(names);
		cs->header_done = 1;
		json_array_clear(cs->row);
		cs->row_bad = 0;
		return;
	}
	if (n == 1 && json_is_null(json_array_get(cs->row, 0)) && !cs->row_bad) {
		json_array_clear(cs->row); /* a blank line */
		return;
	}
	if (n != im->ncols && !cs->row_bad) {
		imp_error(im, cs->row_line, "", "", "%zu cells, but the header has %zu columns", n, im->ncols);
		cs->row_bad = 1;
	}
	imp_row *r = imp_row_add(im, cs->row_line, cs->row);
	if (!r) {
		cs->row = NULL;
		cs->rc = PL_ERROR;
		return;
	}
	r->bad = cs->row_bad;
	cs->row_bad = 0;
	if (!(cs->row = json_array()))
		cs->rc = PL_ERROR;
}

int imp_read_csv(pl_import *im, const char *data, size_t len)
{
	struct csv_parser p;
	struct csv_state cs = { im, NULL, 0, 0, 0, 0, 0 };
	const char *s = data, *end = data + len;
	int stopped = 0;

	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_EMPTY_IS_NULL))
		return pl_error_set(PL_ERROR, "cannot start the CSV parser");
	if (!(cs.row = json_array())) {
		csv_free(&p);
		return pl_error_set(PL_ERROR, "out of memory");
	}
	if (len >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3))
		s += 3; /* a UTF-8 byte order mark from a spreadsheet */
	while (s < end && !cs.rc) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t n = nl ? (size_t)(nl - s) + 1 : (size_t)(end - s);
		cs.line++;
		if (csv_parse(&p, s, n, csv_cell, csv_row, &cs) != n && !cs.rc) {
			imp_error(im, cs.line, "", "", "malformed CSV (%s); nothing after it was read",
			          csv_strerror(csv_error(&p)));
			stopped = 1;
			break;
		}
		s += n;
	}
	if (!stopped && !cs.rc && csv_fini(&p, csv_cell, csv_row, &cs) && !cs.rc)
		imp_error(im, cs.line, "", "", "malformed CSV at the end (%s)", csv_strerror(csv_error(&p)));
	csv_free(&p);
	json_decref(cs.row);
	if (cs.rc)
		return pl_error_set(PL_ERROR, "out of memory");
	if (!cs.header_done && !stopped)
		imp_error(im, 0, "", "", "empty file (a header row naming the fields is needed)");
	return 0;
}

/* ---- JSON Lines ---- */

static int flatten(json_t *out, const char *prefix, json_t *obj)
{
	const char *k;
	json_t *v;

	json_object_foreach(obj, k, v) {
		char path[512];
		if (snprintf(path, sizeof(path), "%s%s%s", prefix, *prefix ? "." : "", k) >= (int)sizeof(path))
			continue; /* longer than any field path: it names none */
		if (json_is_object(v) && json_object_size(v)) {
			if (flatten(out, path, v))
				return PL_ERROR;
		} else if (json_object_set(out, path, v)) {
			return PL_ERROR;
		}
	}
	return 0;
}

int imp_read_jsonl(pl_import *im, const char *data, size_t len)
{
	const char *s = data, *end = data + len;
	size_t line = 0;

	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t n = nl ? (size_t)(nl - s) : (size_t)(end - s);
		const char *p = s;
		json_error_t jerr;
		json_t *obj, *flat;

		line++;
		s += n + (nl ? 1 : 0);
		if (line == 1 && n >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3))
			p += 3, n -= 3;
		while (n && (p[n - 1] == '\r' || p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (!n)
			continue;
		if (!(obj = json_loadb(p, n, JSON_REJECT_DUPLICATES, &jerr))) {
			imp_error(im, line, "", "", "invalid JSON: %s (column %d)", jerr.text, jerr.column);
			continue;
		}
		if (!json_is_object(obj)) {
			json_decref(obj);
			imp_error(im, line, "", "", "each line must be a JSON object");
			continue;
		}
		if (!(flat = json_object()) || flatten(flat, "", obj)) {
			json_decref(flat);
			json_decref(obj);
			return pl_error_set(PL_ERROR, "out of memory");
		}
		json_decref(obj);
		if (!imp_row_add(im, line, flat))
			return pl_error_set(PL_ERROR, "out of memory");
	}
	return 0;
}
