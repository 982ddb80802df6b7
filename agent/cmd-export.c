/*
 * cmd-export.c — `plsync export`: the live records of a kind as CSV or JSON
 * Lines, in a form `plsync import` reads back.
 */
#include <string.h>

#include "agent.h"

struct export {
	FILE       *out;
	int         jsonl;
	int         excel;  /* --excel: BOM and CRLF row ends */
	json_t     *cols;   /* CSV columns: dotted field paths */
	int         err;
};

static void add_cols(json_t *cols, const char *prefix, const pl_field_def *f)
{
	for (; f->name; f++) {
		char path[256];
		snprintf(path, sizeof(path), "%s%s%s", prefix, *prefix ? "." : "", f->name);
		if (f->type == PL_T_MAP)
			add_cols(cols, path, f->sub);
		else
			json_array_append_new(cols, json_string(path));
	}
}

static int export_cb(const pl_record *r, void *payload)
{
	struct export *x = payload;

	if (x->jsonl) {
		json_t *o = json_deep_copy(r->fields);
		char *s;
		json_object_set_new(o, "id", json_string(r->id));
		s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(15));
		json_decref(o);
		if (!s)
			return pl_error_set(PL_ERROR, "out of memory");
		fprintf(x->out, "%s\n", s);
		free(s);
	} else {
		pl_csv_cell(x->out, r->id, 1);
		for (size_t i = 0; i < json_array_size(x->cols); i++) {
			json_t *v = fields_get(r->fields, json_string_value(json_array_get(x->cols, i)));
			char *t = v ? fields_text(v) : NULL;
			pl_csv_cell(x->out, t ? t : "", 0);
			free(t);
		}
		pl_csv_row_end(x->out, x->excel);
	}
	if (ferror(x->out))
		return pl_error_from_errno("writing the export");
	return 0;
}

static int cmd_export(cli *c, int argc, char **argv)
{
	const char *format = "csv", *outpath = NULL;
	struct export x = { 0 };
	opt_spec specs[] = { { "format", 1, &format, NULL }, { "out", 1, &outpath, NULL },
		{ "excel", 0, NULL, &x.excel }, { NULL, 0, NULL, NULL } };
	const pl_kind_def *k;
	char **pos;
	int npos, rc;

	if ((rc = opts_parse(&cmd_export_entry, argc, argv, specs, &pos, &npos)))
		return rc;
	if (npos != 1) {
		free(pos);
		return cli_usage(&cmd_export_entry, "give one KIND");
	}
	if (!(k = pl_schema_kind(pos[0]))) {
		rc = kind_unknown(pos[0]);
		free(pos);
		return rc;
	}
	free(pos);
	if (strcmp(format, "csv") && strcmp(format, "jsonl"))
		return cli_usage(&cmd_export_entry, "--format must be csv or jsonl");
	if (x.excel && !strcmp(format, "jsonl"))
		return cli_usage(&cmd_export_entry, "--excel is for CSV");
	x.jsonl = !strcmp(format, "jsonl");
	x.out = stdout;
	if (outpath && !(x.out = fopen(outpath, "w"))) {
		pl_error_from_errno(outpath);
		return cli_fail(c);
	}
	x.cols = json_array();
	add_cols(x.cols, "", k->fields);
	if (!x.jsonl) {
		pl_csv_begin(x.out, x.excel);
		fputs("id", x.out);
		for (size_t i = 0; i < json_array_size(x.cols); i++)
			pl_csv_cell(x.out, json_string_value(json_array_get(x.cols, i)), 0);
		pl_csv_row_end(x.out, x.excel);
	}
	rc = pl_store_foreach(c->store, k->name, NULL, NULL, export_cb, &x) ? cli_fail(c) : EXIT_OK;
	json_decref(x.cols);
	if (x.out != stdout && fclose(x.out) && rc == EXIT_OK) {
		pl_error_from_errno(outpath);
		rc = cli_fail(c);
	}
	return rc;
}

const cmd_entry cmd_export_entry = {
	.name = "export",
	.synopsis = "export KIND [--format csv|jsonl] [--excel] [--out FILE]",
	.summary = "write the records of a kind as CSV or JSON Lines",
	.help =
	"Writes every live KIND record, in id order, to standard output (or FILE).\n"
	"CSV has a header row: id, then every field of the kind (nested ones with dots),\n"
	"lists comma-joined. A cell a spreadsheet would run as a formula (starting with\n"
	"=, +, -, @, tab or CR; a plain number such as -12 excepted) is written with an\n"
	"apostrophe in front ('=cmd), which `plsync import` takes off again.\n"
	"--excel writes the CSV for Excel on Windows: a UTF-8 byte order mark first and\n"
	"CRLF row ends (a newline inside a quoted cell stays as it is).\n"
	"JSON Lines has one object per record with its \"id\".\n"
	"Both are read back by `plsync import`.\n"
	"\n"
	"Examples:\n"
	"  plsync export pd_entry > pd.csv\n"
	"  plsync export staff --excel --out staff.csv\n"
	"  plsync export staff --format jsonl --out staff.jsonl\n",
	.needs_store = 1,
	.exec = cmd_export,
};
