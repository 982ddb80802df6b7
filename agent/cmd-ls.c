/*
 * cmd-ls.c — `plsync ls`: the live records of one kind, optionally filtered.
 *
 * A filter on a reference field (pd_entry staff=E100) walks the reference
 * index; other filters scan the kind. Output is a table, or with --json a
 * canonical JSON array of records.
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
	json_t      *rows;     /* array of arrays of strings, or of records for --json */
	const char *const *cols;
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

static int ls_cb(const pl_record *r, void *payload)
{
	struct ls_ctx *x = payload;
	json_t *row;

	if (!matches(r, x->filters))
		return 0;
	if (x->as_json)
		return json_array_append_new(x->rows, record_json(r)) ? pl_error_set(PL_ERROR, "out of memory") : 0;
	/* the table's cells, escaped for the terminal (values may come from another node) */
	row = json_array();
	for (int i = -1; i < 0 || x->cols[i]; i++) {
		json_t *v = i < 0 ? NULL : fields_get(r->fields, x->cols[i]);
		char *t = i < 0 ? strdup(r->id) : v ? fields_text(v) : strdup("");
		char *e = pl_term_escape(t ? t : "");
		json_array_append_new(row, json_string(e ? e : ""));
		free(e);
		free(t);
	}
	json_array_append_new(x->rows, row);
	return 0;
}

/* The table, aligned by display width (pl_term_width: "García", CJK); a
 * cell wider than 40 columns cut to 37 and "...". */
static void print_table(const json_t *rows, const char *const *cols)
{
	size_t ncol = 1, w[8] = { 2 };
	char cell[512], cut[256];

	for (int i = 0; cols[i]; i++, ncol++)
		w[ncol] = strlen(cols[i]);
	for (size_t r = 0; r < json_array_size(rows); r++)
		for (size_t c = 0; c < ncol; c++) {
			size_t n = pl_term_width(json_string_value(json_array_get(json_array_get(rows, r), c)));
			if (n > w[c])
				w[c] = n > 40 ? 40 : n;
		}
	printf("%-*s", (int)w[0], "id");
	for (size_t c = 1; c < ncol; c++)
		printf("  %-*s", (int)w[c], cols[c - 1]);
	printf("\n");
	for (size_t r = 0; r < json_array_size(rows); r++) {
		for (size_t c = 0; c < ncol; c++) {
			const char *s = json_string_value(json_array_get(json_array_get(rows, r), c));
			if (pl_term_width(s) > 40) {
				pl_term_cell(cut, sizeof(cut) - 3, s, 37, 1);
				strcat(cut, "...");
				s = cut;
			}
			if (c + 1 == ncol)
				printf("%s%s", c ? "  " : "", s);
			else
				printf("%s%s", c ? "  " : "", pl_term_cell(cell, sizeof(cell), s, w[c], 0));
		}
		printf("\n");
	}
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
	x.rows = json_array();
	for (size_t i = 0; i < sizeof(columns) / sizeof(columns[0]); i++)
		if (!strcmp(columns[i].kind, k->name))
			x.cols = columns[i].cols;
	if (pl_store_foreach(c->store, k->name, ref_field, ref_id, ls_cb, &x)) {
		rc = cli_fail(c);
		goto cleanup;
	}
	if (as_json)
		rc = pl_json_write(stdout, x.rows) ? cli_fail(c) : EXIT_OK;
	else
		print_table(x.rows, x.cols);
cleanup:
	json_decref(x.filters);
	json_decref(x.rows);
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
