/*
 * cmd-plan.c — `plsync plan show`: a plan printed in the shape of the
 * district's plan template (plsync/plandoc.h): who we are, what we believe,
 * the goal table, then one activity table per goal.
 */
#include <string.h>

#include "workflow.h"
#include "plsync/plandoc.h"

static int cmd_plan(cli *c, int argc, char **argv)
{
	const char *format = NULL, *out = NULL;
	int npos, rc, as_json = 0;
	opt_spec specs[] = { { "format", 1, &format, NULL }, { "out", 1, &out, NULL }, { "json", 0, NULL, &as_json },
	                     { NULL, 0, NULL, NULL } };
	json_t *ds = NULL, *doc = NULL;
	char **pos = NULL;
	FILE *f = NULL;

	if ((rc = opts_parse(&cmd_plan_entry, argc, argv, specs, &pos, &npos)))
		return rc;
	if (npos < 1 || strcmp(pos[0], "show")) {
		rc = cli_usage(&cmd_plan_entry, npos ? "'%s': the subcommand is show" : "plan show PLAN?",
		               npos ? pos[0] : "");
		goto cleanup;
	}
	if (npos != 2) {
		rc = cli_usage(&cmd_plan_entry, npos < 2 ? "which plan? ('plsync ls plan' lists them)" :
		               "one plan at a time");
		goto cleanup;
	}
	if (as_json)
		format = format && strcmp(format, "json") ? "" : "json";
	if (format && strcmp(format, "text") && strcmp(format, "md") && strcmp(format, "html") && strcmp(format, "json")) {
		rc = cli_usage(&cmd_plan_entry, as_json ? "--json is --format json" : "--format %s: use text, md, html or json",
		               format);
		goto cleanup;
	}
	if (dataset_load(&ds, c->store) || pl_plan_doc_build(&doc, ds, pos[1]) || cli_out_open(&f, out)) {
		rc = pl_error_last()->code == PL_ENOTFOUND && ds && !doc
			? cli_error(EXIT_FAIL, "%s; 'plsync ls plan' lists them", pl_error_last()->message)
			: cli_fail(c);
		goto cleanup;
	}
	if (format && !strcmp(format, "json"))
		rc = cli_out_close(f, out, pl_json_write(f, doc));
	else
		rc = cli_out_close(f, out, pl_plan_doc_write(f, doc, format ? format : "text"));
	rc = rc ? cli_fail(c) : EXIT_OK;
	if (!rc)
		cli_plan_next(stderr, doc); /* what the plan still lacks, as commands */
cleanup:
	json_decref(doc);
	json_decref(ds);
	free(pos);
	return rc;
}

const cmd_entry cmd_plan_entry = {
	.name = "plan",
	.synopsis = "plan show PLAN [--format text|md|html|json] [--json] [--out FILE]",
	.summary = "print a PL plan in the district template's shape",
	.help =
	"Prints plan PLAN as the district's professional learning plan template lays\n"
	"it out:\n"
	"\n"
	"  Who We Are                  the plan's profile and its school's enrollment,\n"
	"                              demographics, teaching units, certified staff and\n"
	"                              per-pupil expenditure\n"
	"  What We Believe             mission and vision\n"
	"  What We Want to Accomplish  one row per goal: the goal; rationale/evidence and\n"
	"                              student impact; measure, frequency, overarching\n"
	"                              outcome and Year 1/2/3 outcomes\n"
	"  Goal N                      one table per goal: initial activity and follow-up\n"
	"                              (who, what, how), duration, resources, standards,\n"
	"                              delivery, budget and funding of each activity\n"
	"\n"
	"Parts not recorded yet are shown as \"(not set)\"; a plan without goals, or a\n"
	"goal without activities, gets a \"next:\" line on standard error with the\n"
	"command that adds one; `plsync findings` lists goals\n"
	"missing a measure or a Year 1/2/3 outcome and activities with no follow-up.\n"
	"\n"
	"  --format F   text (default: boxed tables for a terminal), md (Markdown), or\n"
	"               html (one self-contained page, for sharing and printing), or\n"
	"               json (the plan document: canonical JSON)\n"
	"  --json       the same as --format json\n"
	"  --out FILE   write to FILE (whole or not at all) instead of stdout\n"
	"\n"
	"Examples:\n"
	"  plsync ls plan\n"
	"  plsync plan show LIN01-P4T8X\n"
	"  plsync plan show LIN01-P4T8X --format html --out plan-2026-2027.html\n",
	.needs_store = 1,
	.exec = cmd_plan,
};
