/*
 * cmd-findings.c — `plsync-district findings`: the district rules checked
 * over every school's consolidated data (plsync/findings.h), printed as
 * `plsync findings` prints them (pl_findings_write).
 */
#include <stdio.h>

#include "district.h"
#include "plsync/dataset.h"
#include "plsync/findings.h"
#include "plsync/json.h"

static int cmd_findings(cli *c, int argc, char **argv)
{
	pl_findings_options fo = PL_FINDINGS_OPTIONS_INIT;
	const char *repo, *year = NULL, *today = NULL;
	int as_json = 0, rc;
	opt_spec specs[] = {
		{ "year", 1, &year, NULL }, { "today", 1, &today, NULL }, { "json", 0, NULL, &as_json },
		{ NULL, 0, NULL, NULL }
	};
	json_t *ds = NULL, *all = NULL;
	char day[11];

	if ((rc = district_args(&cmd_findings_entry, argc, argv, specs, &repo)))
		return rc;
	fo.year = year;
	if (pl_date_today(day, today) || district_load(&ds, repo) || pl_findings(&all, ds, day, &fo)) {
		rc = cli_fail(c);
		goto cleanup;
	}
	if (as_json)
		rc = pl_json_write(stdout, all) ? cli_fail(c) : EXIT_OK;
	else
		rc = pl_findings_write(stdout, all, day, year, cli_finding_next, NULL) ? cli_fail(c) : EXIT_OK;
cleanup:
	json_decref(all);
	json_decref(ds);
	return rc;
}

static void findings_rules_help(FILE *out)
{
	pl_finding_rules_write(out);
}

const cmd_entry cmd_findings_entry = {
	.name = "findings",
	.synopsis = "findings REPO [--year YYYY-YYYY] [--today DATE] [--json]",
	.summary = "policy findings over every school's merged data",
	.help =
	"Checks the data the last merge consolidated (run merge first) against the\n"
	"district rules, over every school at once: approvals, the out-of-district\n"
	"limit counted across schools, renewal hours, federal funds without a plan\n"
	"goal, activities without follow-up, goals without outcomes or a measure,\n"
	"missing evaluations. Each finding names the rule, the record, its staff\n"
	"member and school, and why. The exit status is 0 whether there are\n"
	"findings or not.\n"
	"\n"
	"Options:\n"
	"  --year Y       only findings about school year Y (dated records and plans of\n"
	"                 that year; license renewals always)\n"
	"  --today DATE   what \"today\" is (also $PLSYNC_TODAY)\n"
	"  --json         a canonical JSON array of {rule, record, kind, staff, school, why}\n"
	"\n"
	"Example:\n"
	"  plsync-district findings /srv/git/plsync.git --year 2026-2027\n",
	.exec = cmd_findings,
	.help_extra = findings_rules_help,
};
