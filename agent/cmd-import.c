/*
 * cmd-import.c — `plsync import`: many records from CSV or JSON Lines in one
 * write transaction.
 *
 * The file is read into memory once; the parse runs inside the store's write
 * function, so if the map has to grow the whole import replays from the
 * start. The first bad row aborts the transaction: an import is applied
 * whole or not at all, and the error names the file and line.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <csv.h>

#include "agent.h"

#define IMPORT_MAX (1024u * 1024u * 1024u)

struct import {
	const pl_kind_def *kind;
	const char *file;
	const char *note;
	const char *data;
	size_t      len;
	int         jsonl;
	/* per run (reset when the write replays) */
	pl_write   *w;
	json_t     *header;   /* array of column names */
	json_t     *row;      /* array of cells (string or null) */
	int         id_col;
	size_t      line;     /* line being parsed */
	size_t      row_line; /* line where the current row started */
	long        count;
	int         rc;
	char        first_id[PL_ID_MAX + 1], last_id[PL_ID_MAX + 1];
};

static int read_file(char **out, size_t *len, const char *path)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	char *buf = NULL;
	size_t cap = 0, n = 0;

	*out = NULL;
	if (!f)
		return pl_error_from_errno(path);
	for (;;) {
		if (n + 65536 + 1 > cap) {
			char *nb;
			cap = cap ? cap * 2 : 1 << 20;
			if (cap > IMPORT_MAX + 65536 || !(nb = realloc(buf, cap))) {
				free(buf);
				if (f != stdin)
					fclose(f);
				return pl_error_set(PL_EINVALID, "%s: larger than 1 GiB; split it", path);
			}
			buf = nb;
		}
		size_t r = fread(buf + n, 1, cap - n - 1, f);
		n += r;
		if (r == 0)
			break;
	}
	if (ferror(f)) {
		int rc = pl_error_from_errno(path);
		free(buf);
		if (f != stdin)
			fclose(f);
		return rc;
	}
	if (f != stdin)
		fclose(f);
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

static int add_row(struct import *im, json_t *fields, const char *id)
{
	char out[PL_ID_MAX + 1], where[300];
	pl_change ch = { PL_CHANGE_CREATE, im->kind->name, id, fields, im->note, where };

	snprintf(where, sizeof(where), "%s line %zu", im->file, im->jsonl ? im->line : im->row_line);
	int rc = pl_write_change(im->w, &ch, out);

	if (rc)
		return rc;
	if (!im->count++)
		snprintf(im->first_id, sizeof(im->first_id), "%s", out);
	snprintf(im->last_id, sizeof(im->last_id), "%s", out);
	return 0;
}

/* ---- CSV ---- */

static void csv_cell(void *s, size_t n, void *payload)
{
	struct import *im = payload;
	if (im->rc)
		return;
	if (json_array_size(im->row) == 0)
		im->row_line = im->line;
	if (!s || n == 0) {
		json_array_append_new(im->row, json_null());
		return;
	}
	if (memchr(s, '\0', n)) { /* an id would be cut there; the store refuses it in a value */
		im->rc = pl_error_set(PL_EINVALID, "%s line %zu: cell %zu holds a NUL byte (not text)", im->file,
		                      im->line, json_array_size(im->row) + 1);
		return;
	}
	/* a cell export neutralised against spreadsheet formulas ("'=x") is the value "=x" */
	size_t skip = pl_csv_cell_guard(s, n);
	json_t *v = json_stringn((const char *)s + skip, n - skip);
	if (!v) {
		im->rc = pl_error_set(PL_EINVALID, "%s line %zu: cell %zu is not valid UTF-8", im->file,
		                      im->line, json_array_size(im->row) + 1);
		return;
	}
	json_array_append_new(im->row, v);
}

static void csv_row(int c, void *payload)
{
	struct import *im = payload;
	size_t ncells = json_array_size(im->row);
	json_t *fields = NULL;
	const char *id = NULL;

	(void)c;
	if (im->rc)
		return;
	if (!im->header) {
		im->header = im->row;
		im->row = json_array();
		for (size_t i = 0; i < ncells; i++) {
			json_t *h = json_array_get(im->header, i);
			const char *name = json_string_value(h);
			if (!name) {
				im->rc = pl_error_set(PL_EINVALID, "%s line %zu: header column %zu is empty", im->file, im->line, i + 1);
				return;
			}
			if (!strcmp(name, "id")) {
				im->id_col = (int)i;
				continue;
			}
			if (!pl_schema_field(im->kind, name)) {
				im->rc = pl_error_set(PL_EINVALID, "%s line %zu: column '%s' is not a %s field (see 'plsync help add')",
				                      im->file, im->line, name, im->kind->name);
				return;
			}
			for (size_t j = 0; j < i; j++)
				if (!strcmp(name, json_string_value(json_array_get(im->header, j)))) {
					im->rc = pl_error_set(PL_EINVALID, "%s line %zu: column '%s' appears twice", im->file, im->line, name);
					return;
				}
		}
		return;
	}
	if (ncells == 1 && json_is_null(json_array_get(im->row, 0))) {
		json_array_clear(im->row); /* a blank line */
		return;
	}
	if (ncells != json_array_size(im->header)) {
		im->rc = pl_error_set(PL_EINVALID, "%s line %zu: %zu cells, but the header has %zu columns",
		                      im->file, im->row_line, ncells, json_array_size(im->header));
		return;
	}
	fields = json_object();
	for (size_t i = 0; i < ncells && !im->rc; i++) {
		json_t *v = json_array_get(im->row, i);
		if (json_is_null(v))
			continue; /* an empty cell leaves the field unset */
		if ((int)i == im->id_col) {
			id = json_string_value(v);
			continue;
		}
		if (fields_put(fields, json_string_value(json_array_get(im->header, i)), json_incref(v)))
			im->rc = pl_error_last()->code;
	}
	if (!im->rc && add_row(im, fields, id))
		im->rc = pl_error_last()->code;
	if (im->rc)
		pl_error_prefix("%s line %zu", im->file, im->row_line);
	json_decref(fields);
	json_array_clear(im->row);
}

static int import_csv(struct import *im)
{
	struct csv_parser p;
	const char *s = im->data, *end = im->data + im->len;

	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_EMPTY_IS_NULL))
		return pl_error_set(PL_ERROR, "cannot start the CSV parser");
	if (im->len >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3))
		s += 3; /* a UTF-8 byte order mark from a spreadsheet */
	im->line = 0;
	while (s < end && !im->rc) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t n = nl ? (size_t)(nl - s) + 1 : (size_t)(end - s);
		im->line++;
		if (csv_parse(&p, s, n, csv_cell, csv_row, im) != n && !im->rc)
			im->rc = pl_error_set(PL_EINVALID, "%s line %zu: malformed CSV (%s)", im->file, im->line,
			                      csv_strerror(csv_error(&p)));
		s += n;
	}
	if (!im->rc && csv_fini(&p, csv_cell, csv_row, im) && !im->rc)
		im->rc = pl_error_set(PL_EINVALID, "%s line %zu: malformed CSV at the end (%s)", im->file,
		                      im->line, csv_strerror(csv_error(&p)));
	csv_free(&p);
	if (!im->rc && !im->header)
		im->rc = pl_error_set(PL_EINVALID, "%s: empty file (a header row naming the fields is needed)", im->file);
	return im->rc;
}

/* ---- JSON Lines ---- */

static int import_jsonl(struct import *im)
{
	const char *s = im->data, *end = im->data + im->len;

	im->line = 0;
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t n = nl ? (size_t)(nl - s) : (size_t)(end - s);
		json_error_t jerr;
		json_t *obj, *idv, *fields;
		const char *id = NULL;
		int rc;

		im->line++;
		const char *p = s;
		s += n + (nl ? 1 : 0);
		while (n && (p[n - 1] == '\r' || p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (!n)
			continue;
		if (!(obj = json_loadb(p, n, JSON_REJECT_DUPLICATES, &jerr)))
			return pl_error_set(PL_EINVALID, "%s line %zu: invalid JSON: %s (column %d)", im->file,
			                    im->line, jerr.text, jerr.column);
		if (!json_is_object(obj)) {
			json_decref(obj);
			return pl_error_set(PL_EINVALID, "%s line %zu: each line must be a JSON object", im->file, im->line);
		}
		fields = json_deep_copy(obj);
		if ((idv = json_object_get(obj, "id"))) {
			if (!json_is_string(idv)) {
				json_decref(obj);
				json_decref(fields);
				return pl_error_set(PL_EINVALID, "%s line %zu: \"id\" must be a string", im->file, im->line);
			}
			id = json_string_value(idv);
			json_object_del(fields, "id");
		}
		rc = add_row(im, fields, id);
		json_decref(fields);
		json_decref(obj);
		if (rc)
			return pl_error_prefix("%s line %zu", im->file, im->line);
	}
	return 0;
}

static int import_fn(pl_write *w, void *payload)
{
	struct import *im = payload;

	json_decref(im->header);
	json_decref(im->row);
	im->w = w;
	pl_write_defer_refs(w); /* rows may refer to rows further down */
	im->header = NULL;
	im->row = json_array();
	im->id_col = -1;
	im->count = 0;
	im->rc = 0;
	return im->jsonl ? import_jsonl(im) : import_csv(im);
}

static int cmd_import(cli *c, int argc, char **argv)
{
	const char *format = NULL, *note = NULL;
	opt_spec specs[] = { { "format", 1, &format, NULL }, { "note", 1, &note, NULL }, { NULL, 0, NULL, NULL } };
	struct import im = { 0 };
	char **pos, *data = NULL;
	int npos, rc;

	if ((rc = opts_parse(&cmd_import_entry, argc, argv, specs, &pos, &npos)))
		return rc;
	if (npos != 2) {
		free(pos);
		return cli_usage(&cmd_import_entry, "give a KIND and a FILE");
	}
	if (!(im.kind = pl_schema_kind(pos[0]))) {
		rc = kind_unknown(pos[0]);
		free(pos);
		return rc;
	}
	im.file = pos[1];
	if (!format) {
		size_t n = strlen(im.file);
		format = n > 6 && (!strcmp(im.file + n - 6, ".jsonl") || !strcmp(im.file + n - 5, ".json")) ? "jsonl" : "csv";
	}
	if (strcmp(format, "csv") && strcmp(format, "jsonl")) {
		free(pos);
		return cli_usage(&cmd_import_entry, "--format must be csv or jsonl");
	}
	im.jsonl = !strcmp(format, "jsonl");
	im.note = note;
	if (read_file(&data, &im.len, im.file)) {
		free(pos);
		return cli_fail(c);
	}
	im.data = data;
	/* room for the whole import up front: a full map would replay it all */
	if (pl_store_reserve(c->store, im.len * 12)) {
		rc = cli_fail(c);
		goto done;
	}
	rc = pl_store_write(c->store, c->actor, import_fn, &im);
	if (rc) {
		int full = rc == PL_EFULL;
		rc = cli_fail(c);
		if (!full) /* the disk-full message says what to do */
			fprintf(stderr, "plsync: nothing from %s was imported; fix the line above and run the import again\n",
			        im.file);
	} else {
		printf("imported %ld %s record%s from %s", im.count, im.kind->name, im.count == 1 ? "" : "s", im.file);
		if (im.count)
			printf(" (%s .. %s)", im.first_id, im.last_id);
		printf("\n");
	}
done:
	json_decref(im.header);
	json_decref(im.row);
	free(data);
	free(pos);
	return rc;
}

const cmd_entry cmd_import_entry = {
	.name = "import",
	.synopsis = "import KIND FILE [--format csv|jsonl] [--note TEXT]",
	.summary = "add many records from a CSV or JSON Lines file, all or nothing",
	.help =
	"Adds one KIND record per row of FILE ('-' reads standard input) in a single\n"
	"transaction: if any row is bad, the import stops at that row, names its line\n"
	"and field, and nothing of the file is applied.\n"
	"\n"
	"CSV (the default; .jsonl files are read as JSON Lines): a header row of field\n"
	"names (nested with dots: approvals.supervisor.by), then one row per record.\n"
	"An 'id' column gives natural keys; empty cells leave fields unset; list cells\n"
	"are comma-separated inside quotes (\"learning_designs,implementation\"). A UTF-8\n"
	"byte order mark (as spreadsheets write) is ignored. A cell starting with an\n"
	"apostrophe before =, +, -, @, tab or CR (how `plsync export` neutralises a\n"
	"formula) loses that apostrophe: \"'=x\" is the value \"=x\".\n"
	"\n"
	"JSON Lines: one object per line, fields as in `plsync show --json`'s \"fields\",\n"
	"with an optional \"id\".\n"
	"\n"
	"Examples:\n"
	"  plsync import pd_entry pd-2026.csv\n"
	"  plsync export staff --format jsonl | plsync --dir other import staff - --format jsonl\n",
	.needs_store = 1,
	.exec = cmd_import,
};
