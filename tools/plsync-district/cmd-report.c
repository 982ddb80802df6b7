/*
 * cmd-report.c — `plsync-district report`: the annual professional learning
 * report to the board over every school's merged data (plsync/report.h),
 * to stdout or, with --out, to a file written beside the target and
 * renamed: never half a report. What reached the district from each school
 * (last push, last merged op) goes in as the report's coverage.
 */
#include <stdio.h>
#include <string.h>

#include "district.h"
#include "plsync/dataset.h"
#include "plsync/errors.h"
#include "plsync/merge.h"
#include "plsync/report.h"
#include "plsync/store.h"

/*
 * The merged data of `repo` and what reached it from each school: the last
 * merged op of each from the cache (pl_report_coverage), the last push from
 * the school's ref (pl_merge_status).
 */
static int load(json_t **ds, json_t **cov, const char *repo)
{
	pl_store *cache = NULL;
	json_t *st = NULL, *n;
	const char *node;
	int rc = pl_merge_cache_open(&cache, repo);

	if (!rc && !(rc = pl_dataset_load(ds, cache)))
		rc = pl_report_coverage(cov, cache, *ds);
	pl_store_free(cache);
	if (!rc)
		rc = pl_merge_status(&st, repo);
	json_object_foreach(rc ? NULL : json_object_get(st, "nodes"), node, n) {
		json_t *e = json_object_get(*cov, node);
		const char *push = json_string_value(json_object_get(n, "last_push"));
		if (e && push && *push)
			json_object_set_new(e, "last_push", json_string(push));
	}
	json_decref(st);
	return rc;
}

static int cmd_report(cli *c, int argc, char **argv)
{
	const char *repo, *year = NULL, *today = NULL, *format = "html", *out = NULL;
	const char *who = NULL, *staff = NULL;
	int excel = 0;
	opt_spec specs[] = {
		{ "year", 1, &year, NULL }, { "today", 1, &today, NULL }, { "format", 1, &format, NULL },
		{ "out", 1, &out, NULL }, { "for", 1, &who, NULL }, { "staff", 1, &staff, NULL },
		{ "excel", 0, NULL, &excel }, { NULL, 0, NULL, NULL }
	};
	pl_report_options ro = PL_REPORT_OPTIONS_INIT;
	json_t *ds = NULL, *rep = NULL, *cov = NULL;
	FILE *f = NULL;
	char day[11], sy[10];
	int rc;

	if ((rc = district_args(&cmd_report_entry, argc, argv, specs, &repo)))
		return rc;
	if (strcmp(format, "html") && strcmp(format, "md") && strcmp(format, "csv") && strcmp(format, "json"))
		return cli_usage(&cmd_report_entry, "--format is html, md, csv or json");
	if ((rc = cli_report_args(&cmd_report_entry, &ro, who, staff, format, excel)))
		return rc;
	if (pl_date_today(day, today)) {
		rc = cli_fail_code(EXIT_FAIL);
		goto cleanup;
	}
	if (!year && !pl_school_year_of(sy, day))
		year = sy;
	if (load(&ds, &cov, repo) ||
	    (ro.coverage = cov, pl_report_build(&rep, ds, year, day, &ro)) ||
	    cli_out_open(&f, out) || cli_out_close(f, out, pl_report_write(f, rep, format, excel))) {
		rc = cli_fail_code(EXIT_FAIL);
		goto cleanup;
	}
	if (out)
		fprintf(stderr, "plsync-district: wrote the %s report for %s to %s\n", format, year, out);
cleanup:
	json_decref(rep);
	json_decref(ds);
	json_decref(cov);
	return rc;
}

const cmd_entry cmd_report_entry = {
	.name = "report",
	.synopsis = "report REPO [--year YYYY-YYYY] [--for board|coordinator] [--staff none|ids|names] "
	            "[--format html|md|csv|json] [--excel] [--out FILE] [--today DATE]",
	.summary = "the annual professional learning report to the board",
	.help =
	"Builds the annual professional learning report to the board over every\n"
	"school's data as the last merge consolidated it (run merge first).\n"
	"It opens with a warning for every school whose figures may be missing\n"
	"rather than zero (nothing received, nothing since before the year began,\n"
	"or no PL recorded), and its first table, data coverage, gives each\n"
	"school's last push, last merged op (seq and time) and the days since.\n"
	"\n"
	"Options:\n"
	"Two versions, as `plsync report` has them: --for board (the default) in\n"
	"names only, no record id and no command, findings counted; --for\n"
	"coordinator with the codes, ids and each finding's next step.\n"
	"\n"
	"  --year Y          the school year reported on (default: the one holding\n"
	"                    today, July 1 to June 30)\n"
	"  --for WHO         board (default) or coordinator\n"
	"  --staff HOW       none (the board's default: counts only), ids (the\n"
	"                    coordinator's default) or names\n"
	"  --excel           with --format csv: UTF-8 byte order mark and CRLF rows\n"
	"  --format F        html (default: one self-contained page with charts),\n"
	"                    md, csv (the tables) or json\n"
	"  --out FILE        write to FILE (whole or not at all) instead of stdout\n"
	"  --today DATE      what \"today\" is for the findings (also $PLSYNC_TODAY)\n"
	"\n"
	"Examples:\n"
	"  plsync-district report /srv/git/plsync.git --year 2026-2027 --out report.html\n"
	"  plsync-district report /srv/git/plsync.git --year 2026-2027 --format csv --excel --out board.csv\n"
	"  plsync-district report /srv/git/plsync.git --year 2026-2027 --for coordinator --out pl.html\n",
	.exec = cmd_report,
};
