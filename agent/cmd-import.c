/*
 * cmd-import.c — `plsync import`: many records from CSV or JSON Lines, a
 * thin program over the import library (plsync/import.h): read the file
 * (at most 1 GiB), parse it with the mapping, print every error or the
 * preview, and commit it in one write; `--undo` takes the last import back.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "plsync/import.h"

#include "agent.h"

#define IMPORT_MAX (1024u * 1024u * 1024u)

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

static void print_errors(const pl_import *im, const char *file)
{
	size_t kept = pl_import_errors_kept(im), all = pl_import_error_count(im);

	for (size_t i = 0; i < kept; i++) {
		const pl_import_error *e = pl_import_error_get(im, i);
		fprintf(stderr, "plsync: ");
		pl_term_fputs(stderr, file);
		if (e->line)
			fprintf(stderr, " line %zu", e->line);
		fprintf(stderr, ": ");
		pl_term_fputs(stderr, e->message);
		if (e->column[0] && strcmp(e->column, e->field) && strcmp(e->column, "id")) {
			fprintf(stderr, " (column '");
			pl_term_fputs(stderr, e->column);
			fprintf(stderr, "')");
		}
		fputc('\n', stderr);
	}
	if (all > kept)
		fprintf(stderr, "plsync: ... and %zu more error%s\n", all - kept, all - kept == 1 ? "" : "s");
}

static int cmd_undo(cli *c, const char *note, int as_json)
{
	pl_import_undone u;

	if (pl_import_undo(&u, c->store, c->actor, note))
		return cli_fail(c);
	if (as_json) {
		json_t *o = json_pack("{ss ss sI sI sI}", "undone", u.kind, "file", u.file, "deleted", (json_int_t)u.deleted,
		                      "restored", (json_int_t)u.restored, "kept", (json_int_t)u.kept);
		int rc = pl_json_write(stdout, o) ? cli_fail(c) : EXIT_OK;
		json_decref(o);
		return rc;
	}
	printf("took back the last import (%s from ", u.kind);
	pl_term_fputs(stdout, u.file);
	printf("): %zu record%s deleted, %zu set back", u.deleted, u.deleted == 1 ? "" : "s", u.restored);
	if (u.kept)
		printf(", %zu field%s changed since left as %s", u.kept, u.kept == 1 ? "" : "s",
		       u.kept == 1 ? "it is" : "they are");
	printf("\n");
	return EXIT_OK;
}

/* Write the parsed import: an exit code, the error printed. */
static int import_commit(cli *c, pl_import *im, const char *note, size_t len, const char *file,
                         char first[PL_ID_MAX + 1], char last[PL_ID_MAX + 1])
{
	int rc;

	/* room for the whole import up front: a full map would replay it all */
	if (pl_store_reserve(c->store, len * 12))
		return cli_fail(c);
	rc = pl_import_commit(im, c->store, c->actor, note, first, last);
	if (rc) {
		int full = rc == PL_EFULL;
		rc = cli_fail(c);
		if (!full) { /* the disk-full message says what to do */
			fprintf(stderr, "plsync: nothing from ");
			pl_term_fputs(stderr, file);
			fprintf(stderr, " was imported; fix the line above and run the import again\n");
		}
		return rc;
	}
	return EXIT_OK;
}

static int cmd_import(cli *c, int argc, char **argv)
{
	const char *format = NULL, *note = NULL, *map = NULL, *map_file = NULL;
	int strict = 0, dry = 0, undo = 0, as_json = 0;
	opt_spec specs[] = { { "json", 0, NULL, &as_json }, { "format", 1, &format, NULL }, { "note", 1, &note, NULL }, { "map", 1, &map, NULL },
	                     { "map-file", 1, &map_file, NULL }, { "strict", 0, NULL, &strict },
	                     { "dry-run", 0, NULL, &dry }, { "undo", 0, NULL, &undo }, { NULL, 0, NULL, NULL } };
	pl_import_options o = PL_IMPORT_OPTIONS_INIT;
	pl_import *im = NULL;
	char **pos = NULL, *data = NULL, *mtext = NULL, *dates = NULL;
	char first[PL_ID_MAX + 1], last[PL_ID_MAX + 1];
	size_t len = 0, mlen = 0;
	int npos, rc;

	if ((rc = opts_parse(&cmd_import_entry, argc, argv, specs, &pos, &npos)))
		return rc;
	if (undo) {
		free(pos);
		if (npos)
			return cli_usage(&cmd_import_entry, "--undo takes no KIND or FILE");
		return cmd_undo(c, note, as_json);
	}
	if (npos != 2) {
		free(pos);
		return cli_usage(&cmd_import_entry, "give a KIND and a FILE");
	}
	if (!pl_schema_kind(pos[0])) {
		rc = kind_unknown(pos[0]);
		free(pos);
		return rc;
	}
	const char *file = pos[1];
	if (!format) {
		size_t n = strlen(file);
		format = n > 6 && (!strcmp(file + n - 6, ".jsonl") || !strcmp(file + n - 5, ".json")) ? "jsonl" : "csv";
	}
	if (strcmp(format, "csv") && strcmp(format, "jsonl")) {
		free(pos);
		return cli_usage(&cmd_import_entry, "--format must be csv or jsonl");
	}
	o.format = strcmp(format, "jsonl") ? PL_IMPORT_CSV : PL_IMPORT_JSONL;
	o.strict = strict;
	if (!config_get(&dates, c->dir, "import.dates") && dates) {
		if (!strcmp(dates, "dmy"))
			o.day_first = 1;
		else if (strcmp(dates, "mdy")) {
			fprintf(stderr, "plsync: config import.dates is '%s'; it must be mdy or dmy\n", dates);
			rc = EXIT_USAGE;
			goto done;
		}
	}
	pl_error_clear();
	if (pl_import_new(&im, pos[0], file, &o) ||
	    (map_file && (read_file(&mtext, &mlen, map_file) || pl_import_map_text(im, mtext, '\n', map_file))) ||
	    (map && pl_import_map_text(im, map, ',', "--map"))) {
		rc = cli_fail(c);
		goto done;
	}
	if (read_file(&data, &len, file)) {
		rc = cli_fail(c);
		goto done;
	}
	rc = pl_import_parse(im, c->store, data, len);
	if (pl_import_ignored(im)[0]) {
		fprintf(stderr, "plsync: ignored columns: ");
		pl_term_fputs(stderr, pl_import_ignored(im));
		fprintf(stderr, "\n");
	}
	if (rc == PL_EINVALID && pl_import_error_count(im)) {
		print_errors(im, file);
		fprintf(stderr, "plsync: nothing from ");
		pl_term_fputs(stderr, file);
		fprintf(stderr, " was imported; fix the line%s above and run the import again\n",
		        pl_import_error_count(im) == 1 ? "" : "s");
		rc = EXIT_FAIL;
		goto done;
	}
	if (rc) {
		rc = cli_fail(c);
		goto done;
	}
	size_t nn = pl_import_count(im, PL_IMPORT_NEW), nu = pl_import_count(im, PL_IMPORT_UPDATE),
	       ns = pl_import_count(im, PL_IMPORT_SAME);
	if (as_json && (dry || !(rc = import_commit(c, im, note, len, file, first, last)))) {
		json_t *res = json_pack("{ss ss sb sI sI sI}", "kind", pos[0], "file", file, "dry_run", dry,
		                        "new", (json_int_t)nn, "updated", (json_int_t)nu, "unchanged", (json_int_t)ns);
		json_object_set_new(res, "first", !dry && first[0] ? json_string(first) : json_null());
		json_object_set_new(res, "last", !dry && first[0] ? json_string(last) : json_null());
		rc = pl_json_write(stdout, res) ? cli_fail(c) : EXIT_OK;
		json_decref(res);
		goto done;
	}
	if (as_json)
		goto done;
	if (dry) {
		printf("dry run, nothing written: %s from ", pos[0]);
		pl_term_fputs(stdout, file);
		printf(": %zu new, %zu updated, %zu unchanged\n", nn, nu, ns);
		rc = EXIT_OK;
		goto done;
	}
	if ((rc = import_commit(c, im, note, len, file, first, last)))
		goto done;
	printf("imported %s from ", pos[0]);
	pl_term_fputs(stdout, file);
	printf(": %zu new, %zu updated, %zu unchanged", nn, nu, ns);
	if (first[0])
		printf(" (new: %s .. %s)", first, last);
	printf("\n");
	rc = EXIT_OK;
done:
	pl_import_free(im);
	free(dates);
	free(mtext);
	free(data);
	free(pos);
	return rc;
}

const cmd_entry cmd_import_entry = {
	.name = "import",
	.synopsis = "import KIND FILE [--map COL=FIELD,...] [--map-file F] [--strict] [--dry-run] "
	            "[--format csv|jsonl] [--note TEXT] [--json] | import --undo [--note TEXT] [--json]",
	.summary = "add or update many records from a CSV or JSON Lines file, all or nothing",
	.help =
	"Reads FILE ('-' reads standard input): one KIND record per row. Every row is\n"
	"checked first and every error is listed (file, line, column, field; the first\n"
	"100, then a count); if there is any, nothing is written. Else the file is\n"
	"written in one transaction.\n"
	"\n"
	"Each row is matched to a record: by its 'id' column, else by the kind's natural\n"
	"key (pd_entry: staff + title + start; plc_meeting: group + date; staff: email,\n"
	"else name + school; school: code; plan: school + year; goal: plan + number;\n"
	"activity: goal + title). A row that matches nothing is new; one that matches a\n"
	"record with the same values is unchanged; else only its changed fields are set\n"
	"(an empty cell never clears a field). Importing a file again creates nothing.\n"
	"\n"
	"Columns: a header names fields, matched ignoring case, spaces, '-' and '_'\n"
	"(\"Start Date\" -> start, \"Staff ID\" -> staff where unambiguous); --map and\n"
	"--map-file (one Column=field a line, # comments) name the others; Column= ignores\n"
	"one. Other columns are ignored with a note (--strict refuses them). A column\n"
	"named for a *_cents field without '_cents' (cost, budget) is in dollars\n"
	"(\"$1,234.50\"); a *_cents column takes whole cents only.\n"
	"\n"
	"Values as spreadsheets write them: dates 2026-09-14, 9/14/2026, 9/14/26 (day\n"
	"first with config import.dates=dmy); times with or without seconds; hours as\n"
	"\"6.5 hrs\" or \"90 min\"; TRUE/FALSE, yes/no, 1/0; enum values in any case\n"
	"(\"In Person\" -> in_person). A UTF-8 byte order mark is ignored; a cell an\n"
	"export neutralised against formulas (\"'=x\") is the value \"=x\".\n"
	"\n"
	"--dry-run prints what would happen (new, updated, unchanged) and writes nothing.\n"
	"--undo takes back the last import of this data dir, as new ops: it deletes the\n"
	"records the import created and sets the fields it changed back (where nobody\n"
	"changed them since).\n"
	"--json prints the outcome as one JSON object: kind, file, dry_run, new,\n"
	"updated, unchanged, first and last (the new ids, null for none); with --undo:\n"
	"undone (the kind), file, deleted, restored, kept. Errors stay on stderr.\n"
	"\n"
	"JSON Lines: one object per line, fields as in `plsync show --json`'s \"fields\",\n"
	"with an optional \"id\".\n"
	"\n"
	"Examples:\n"
	"  plsync import pd_entry pd-2026.csv --map \"Employee ID=staff,Workshop=title\"\n"
	"  plsync import pd_entry pd-2026.csv --map-file district.map --dry-run\n"
	"  plsync import --undo\n"
	"  plsync export staff --format jsonl | plsync --dir other import staff - --format jsonl\n",
	.needs_store = 1,
	.exec = cmd_import,
};
