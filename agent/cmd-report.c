/*
 * cmd-report.c — `plsync report`: the annual professional learning report
 * for this school's own records (plsync/report.h; the district tool runs
 * the same report over every school). The school year defaults to the one
 * holding today.
 */
#include <string.h>

#include "workflow.h"
#include "plsync/report.h"

/* The board reads the school's name, not its node code: the name of the
 * school record of this node, else the scope label without " (CODE)". */
static void board_scope(char *scope, size_t sz, const json_t *ds, const char *node)
{
	const char *id, *name = NULL;
	json_t *s;
	size_t n = strlen(scope), k = strlen(node);

	json_object_foreach(json_object_get(ds, "school"), id, s) {
		const char *code = json_string_value(json_object_get(s, "code"));
		const char *nm = json_string_value(json_object_get(s, "name"));
		if (nm && *nm && (!strcmp(id, node) || (code && !strcmp(code, node))))
			name = nm;
	}
	if (name)
		snprintf(scope, sz, "%s", name);
	else if (n > k + 3 && scope[n - 1] == ')' && !strncmp(scope + n - k - 3, " (", 2) &&
	         !strncmp(scope + n - k - 1, node, k))
		scope[n - k - 3] = '\0';
}

static int cmd_report(cli *c, int argc, char **argv)
{
	const char *year = NULL, *format = NULL, *out = NULL, *today = NULL, *title = NULL;
	const char *who = NULL, *staff = NULL;
	int npos, rc, excel = 0;
	opt_spec specs[] = {
		{ "year", 1, &year, NULL }, { "format", 1, &format, NULL }, { "out", 1, &out, NULL },
		{ "today", 1, &today, NULL }, { "title", 1, &title, NULL }, { "for", 1, &who, NULL },
		{ "staff", 1, &staff, NULL }, { "excel", 0, NULL, &excel }, { NULL, 0, NULL, NULL }
	};
	pl_report_options ro = PL_REPORT_OPTIONS_INIT;
	json_t *ds = NULL, *rep = NULL, *cov = NULL;
	char **pos = NULL, day[11], sy[10], scope[512];
	FILE *f = NULL;

	if ((rc = opts_parse(&cmd_report_entry, argc, argv, specs, &pos, &npos)))
		return rc;
	if (npos) {
		rc = cli_usage(&cmd_report_entry, "no arguments expected (the year is --year YYYY-YYYY)");
		goto cleanup;
	}
	if (format && strcmp(format, "html") && strcmp(format, "md") && strcmp(format, "csv") &&
	    strcmp(format, "json")) {
		rc = cli_usage(&cmd_report_entry, "--format %s: use html, md, csv or json", format);
		goto cleanup;
	}
	if ((rc = cli_report_args(&cmd_report_entry, &ro, who, staff, format, excel)))
		goto cleanup;
	if (today_get(day, today)) {
		rc = cli_fail(c);
		goto cleanup;
	}
	if (!year) {
		pl_school_year_of(sy, day);
		year = sy;
	}
	ro.title = title;
	if (dataset_load(&ds, c->store)) {
		rc = cli_fail(c);
		goto cleanup;
	}
	scope_label(scope, sizeof(scope), c);
	if (ro.audience == PL_REPORT_BOARD)
		board_scope(scope, sizeof(scope), ds, pl_store_node(c->store));
	ro.scope = scope;
	if (pl_report_coverage(&cov, c->store, ds) ||
	    (ro.coverage = cov, pl_report_build(&rep, ds, year, day, &ro)) || cli_out_open(&f, out)) {
		rc = cli_fail(c);
		goto cleanup;
	}
	rc = cli_out_close(f, out, pl_report_write(f, rep, format ? format : "html", excel));
	if (rc) {
		rc = cli_fail(c);
		goto cleanup;
	}
	if (out && strcmp(out, "-"))
		printf("wrote %s (%s report %s)\n", out, format ? format : "html", year);
	rc = EXIT_OK;
cleanup:
	json_decref(rep);
	json_decref(ds);
	json_decref(cov);
	free(pos);
	return rc;
}

const cmd_entry cmd_report_entry = {
	.name = "report",
	.synopsis = "report [--year YYYY-YYYY] [--for board|coordinator] [--staff none|ids|names] "
	            "[--format html|md|csv|json] [--excel] [--out FILE] [--title TEXT]",
	.summary = "the annual professional learning report for this school's records",
	.help =
	"Builds the annual professional learning report (Policy 4370's report to the\n"
	"board) from this store's records, for one school year (July 1 to June 30):\n"
	"\n"
	"  - participation and hours by school, staff category, type of PL, standard\n"
	"    (the Learning Forward 2011 and 2022 sets) and plan goal;\n"
	"  - spending by funding source, Title II-A on its own row, beside the plan\n"
	"    activities' budgets;\n"
	"  - evaluation results by Guskey level;\n"
	"  - the plan goals with their Year 1/2/3 outcomes and the activities toward them;\n"
	"  - PLC activity (attendees' hours are job-embedded PL) and hours by month;\n"
	"  - the findings (see `plsync findings`);\n"
	"  - data coverage: per school, the newest op this store holds of it (seq,\n"
	"    time, days since), and a warning first for every school whose figures\n"
	"    may be missing rather than zero.\n"
	"\n"
	"What counts: completed pd_entries dated (end, else start) in the year, and each\n"
	"attendee of each PLC meeting in the year. Every total equals the sum of its\n"
	"rows; hours an entry gives to several standards are shared among them.\n"
	"\n"
	"Two versions: --for board (the default) speaks in names only (schools, goals,\n"
	"funding sources, standards), shows no record id and no command, and counts\n"
	"the findings; --for coordinator keeps the codes and ids and lists each\n"
	"finding with its record and next step. Both compare with the previous school\n"
	"year when the data holds PL of it.\n"
	"\n"
	"  --year Y        the school year, e.g. 2026-2027 (default: the one holding today)\n"
	"  --for WHO       board (default) or coordinator\n"
	"  --staff HOW     how a row about one person shows them: none (the board's\n"
	"                  default: counts only, no per-person rows), ids (the\n"
	"                  coordinator's default) or names\n"
	"  --excel         with --format csv: a UTF-8 byte order mark and CRLF rows,\n"
	"                  so Excel on Windows reads names like \"García\" right\n"
	"  --format F      html (default: one self-contained page with charts, prints\n"
	"                  well), md, csv (one block per table, for spreadsheets) or json\n"
	"  --out FILE      write to FILE (whole or not at all) instead of stdout\n"
	"  --title TEXT    the heading (default \"Professional Learning Report\")\n"
	"  --today DATE    what \"today\" is, for the findings (also $PLSYNC_TODAY)\n"
	"\n"
	"Examples:\n"
	"  plsync report --year 2026-2027 --out report-2026-2027.html\n"
	"  plsync report --year 2026-2027 --format csv --excel --out report.csv\n"
	"  plsync report --year 2026-2027 --for coordinator --out coordinator.html\n"
	"  plsync report --format md | less\n",
	.needs_store = 1,
	.exec = cmd_report,
};
