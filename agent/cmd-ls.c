/*
 * cmd-ls.c — `plsync ls`: the live records of one kind, optionally filtered.
 *
 * A filter on a reference field (pd_entry staff=E100) walks the reference
 * index; other filters scan the kind. Output is a table, or with --json a
 * canonical JSON array of records.
 *
 * Both are printed as the records are read, never held (a kind may have a
 * million records): --json writes each record as it comes, inside the
 * array's frame (pl_json_array_item); the table reads the records twice,
 * once for the column widths and once to print the rows.
 */
#include <stdlib.h>
#include <string.h>

#include "agent.h"

static const struct { const char *kind; const char *cols[7]; } columns[] = {
	{ "school",      { "code", "name", "level", NULL } },
	{ "staff",       { "name", "category", "school", "role", NULL } },
	{ "plan",        { "school", "year", "status", NULL } },
	{ "goal",        { "plan", "number", "statement", NULL } },
	{ "activity",    { "goal", "title", "start", "funding", NULL } },
	{ "pd_entry",    { "staff", "title", "type", "start", "hours", "status", NULL } },
	{ "plc_meeting", { "group", "date", "minutes", "school", NULL } },
};

struct ls_ctx {
	json_t      *filters;  /* flat path -> string wanted */
	int          as_json;
	pl_json_array_out out; /* --json */
	const char *const *cols;
	int          printing; /* table: 0 the widths pass, 1 the printing pass */
	size_t       ncol, w[8];
};

static int matches(const pl_record *r, const json_t *filters)
{
	const char *path;
	json_t *want;

	json_object_foreach((json_t *)filters, path, want) {
		json_t *have = fields_get(r->fields, path);
		char *t;
		int eq;
		if (json_is_null(want)) {
			if (have)
				return 0;
			continue;
		}
		if (!have)
			return 0;
		t = fields_text(have);
		eq = t && !strcmp(t, json_string_value(want));
		/* a list matches if any element does */
		if (!eq && json_is_array(have))
			for (size_t i = 0; i < json_array_size(have) && !eq; i++) {
				char *e = fields_text(json_array_get(have, i));
				eq = e && !strcmp(e, json_string_value(want));
				free(e);
			}
		free(t);
		if (!eq)
			return 0;
	}
	return 1;
}

/* A table cell, escaped for the terminal (values may come from another node). */
static char *cell_text(const pl_record *r, const char *col)
{
	json_t *v = col ? fields_get(r->fields, col) : NULL;
	char *t = !col ? strdup(r->id) : v ? fields_text(v) : strdup("");
	char *e = pl_term_escape(t ? t : "");
	free(t);
	return e;
}

/* A row, aligned by display width (pl_term_width: "García", CJK); a cell
 * wider than 40 columns cut to 37 and "...". */
static void print_row(const struct ls_ctx *x, const pl_record *r)
{
	char cell[512], cut[256];

	for (size_t c = 0; c < x->ncol; c++) {
		char *s = cell_text(r, c ? x->cols[c - 1] : NULL);
		const char *t = s ? s : "";
		if (pl_term_width(t) > 40) {
			pl_term_cell(cut, sizeof(cut) - 3, t, 37, 1);
			strcat(cut, "...");
			t = cut;
		}
		if (c + 1 == x->ncol)
			printf("%s%s", c ? "  " : "", t);
		else
			printf("%s%s", c ? "  " : "", pl_term_cell(cell, sizeof(cell), t, x->w[c], 0));
		free(s);
	}
	printf("\n");
}

static int ls_cb(const pl_record *r, void *payload)
{
	struct ls_ctx *x = payload;

	if (!matches(r, x->filters))
		return 0;
	if (x->as_json) {
		json_t *j = record_json(r);
		int rc = j ? pl_json_array_item(&x->out, j) : pl_error_set(PL_ERROR, "out of memory");
		json_decref(j);
		return rc;
	}
	if (x->printing) {
		print_row(x, r);
		return ferror(stdout) ? pl_error_from_errno("writing the list") : 0;
	}
	for (size_t c = 0; c < x->ncol; c++) {
		char *s = cell_text(r, c ? x->cols[c - 1] : NULL);
		size_t n = s ? pl_term_width(s) : 0;
		if (n > x->w[c])
			x->w[c] = n > 40 ? 40 : n;
		free(s);
	}
	return 0;
}

static void print_header(const struct ls_ctx *x)
{
	printf("%-*s", (int)x->w[0], "id");
	for (size_t c = 1; c < x->ncol; c++)
		printf("  %-*s", (int)x->w[c], x->cols[c - 1]);
	printf("\n");
}

static int cmd_ls(cli *c, int argc, char **argv)
{
	int as_json = 0, npos, rc;
	opt_spec specs[] = { { "json", 0, NULL, &as_json }, { NULL, 0, NULL, NULL } };
	struct ls_ctx x = { 0 };
	const pl_kind_def *k;
	const char *ref_field = NULL, *ref_id = NULL;
	json_t *nested = NULL;
	char **pos;

	if ((rc = opts_parse(&cmd_ls_entry, argc, argv, specs, &pos, &npos)))
		return rc;
	if (npos < 1) {
		free(pos);
		char names[256];
		return cli_usage(&cmd_ls_entry, "which kind? (%s)", pl_schema_kind_names(names, sizeof(names)));
	}
	if (!(k = pl_schema_kind(pos[0]))) {
		rc = kind_unknown(pos[0]);
		free(pos);
		return rc;
	}
	if (fields_parse(&nested, npos - 1, pos + 1)) {
		free(pos);
		return cli_fail(c);
	}
	x.filters = fields_flatten(nested);
	json_decref(nested);
	{
		const char *path;
		json_t *v;
		json_object_foreach(x.filters, path, v) {
			const pl_field_def *f = pl_schema_field(k, path);
			if (!f) {
				rc = cli_error(EXIT_USAGE, "%s has no field '%s' (see 'plsync help add')", k->name, path);
				goto cleanup;
			}
			if (!ref_field && f->type == PL_T_REF && !strchr(path, '.') && json_is_string(v)) {
				ref_field = path;
				ref_id = json_string_value(v);
			}
		}
	}
	x.as_json = as_json;
	x.out = (pl_json_array_out)PL_JSON_ARRAY_OUT_INIT(stdout);
	for (size_t i = 0; i < sizeof(columns) / sizeof(columns[0]); i++)
		if (!strcmp(columns[i].kind, k->name))
			x.cols = columns[i].cols;
	x.ncol = 1;
	x.w[0] = 2;
	for (int i = 0; x.cols && x.cols[i]; i++, x.ncol++)
		x.w[x.ncol] = strlen(x.cols[i]);
	if (pl_store_foreach(c->store, k->name, ref_field, ref_id, ls_cb, &x)) {
		rc = cli_fail(c);
		goto cleanup;
	}
	if (as_json) {
		rc = pl_json_array_end(&x.out) ? cli_fail(c) : EXIT_OK;
		goto cleanup;
	}
	/* the table: the widths are known, the rows are printed as read again */
	print_header(&x);
	x.printing = 1;
	rc = pl_store_foreach(c->store, k->name, ref_field, ref_id, ls_cb, &x) ? cli_fail(c) : EXIT_OK;
cleanup:
	json_decref(x.filters);
	free(pos);
	return rc;
}

const cmd_entry cmd_ls_entry = {
	.name = "ls",
	.synopsis = "ls KIND [field=value...] [--json]",
	.summary = "list the records of a kind",
	.help =
	"Lists the live records of KIND in id order. Each field=value keeps only the\n"
	"records whose field equals value (a list field matches if any element does;\n"
	"`field=` keeps records where it is unset). --json prints a canonical JSON\n"
	"array of records as `plsync show --json` prints them.\n"
	"\n"
	"Examples:\n"
	"  plsync ls staff\n"
	"  plsync ls pd_entry staff=E100 status=completed\n"
	"  plsync ls pd_entry standards=learning_designs --json\n",
	.needs_store = 1,
	.exec = cmd_ls,
};
