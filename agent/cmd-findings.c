/*
 * cmd-findings.c — `plsync findings`: the district rules checked over this
 * store's records (plsync/findings.h), shown with the record, the staff
 * member, the school and why by pl_findings_write, as plsync-district
 * shows them. Findings are information, not failure: the command exits 0
 * whether or not there are any.
 */
#include <string.h>

#include "workflow.h"
#include "plsync/findings.h"

static int cmd_findings(cli *c, int argc, char **argv)
{
	const char *year = NULL, *today = NULL, *rule = NULL;
	int as_json = 0, npos, rc;
	opt_spec specs[] = {
		{ "year", 1, &year, NULL }, { "today", 1, &today, NULL }, { "rule", 1, &rule, NULL },
		{ "json", 0, NULL, &as_json }, { NULL, 0, NULL, NULL }
	};
	pl_findings_options fo = PL_FINDINGS_OPTIONS_INIT;
	const pl_finding_rule *rules = pl_finding_rules();
	json_t *ds = NULL, *all = NULL, *shown = NULL;
	char **pos = NULL, day[11];

	if ((rc = opts_parse(&cmd_findings_entry, argc, argv, specs, &pos, &npos)))
		return rc;
	if (npos) {
		rc = cli_usage(&cmd_findings_entry, "no arguments expected");
		goto cleanup;
	}
	if (rule) {
		int k;
		for (k = 0; rules[k].name && strcmp(rules[k].name, rule); k++)
			;
		if (!rules[k].name) {
			rc = cli_usage(&cmd_findings_entry, "--rule %s: not a rule (see the list in --help)", rule);
			goto cleanup;
		}
	}
	fo.year = year;
	if (today_get(day, today) || dataset_load(&ds, c->store) || pl_findings(&all, ds, day, &fo)) {
		rc = cli_fail(c);
		goto cleanup;
	}
	shown = json_array();
	for (size_t i = 0; i < json_array_size(all); i++) {
		json_t *f = json_array_get(all, i);
		if (!rule || !strcmp(json_string_value(json_object_get(f, "rule")), rule))
			json_array_append(shown, f);
	}
	if (as_json) {
		rc = pl_json_write(stdout, shown) ? cli_fail(c) : EXIT_OK;
		goto cleanup;
	}
	rc = pl_findings_write(stdout, shown, day, year, cli_finding_next, NULL) ? cli_fail(c) : EXIT_OK;
cleanup:
	json_decref(shown);
	json_decref(all);
	json_decref(ds);
	free(pos);
	return rc;
}

static void findings_rules_help(FILE *out)
{
	pl_finding_rules_write(out);
}

const cmd_entry cmd_findings_entry = {
	.name = "findings",
	.synopsis = "findings [--year YYYY-YYYY] [--rule RULE] [--json] [--today DATE]",
	.summary = "policy findings computed from this store's records",
	.help =
	"Checks this store's records against the district rules that no single write\n"
	"can enforce, and prints each finding: the rule, the record, its staff member\n"
	"and school, and why. Findings are shown, never silent; the exit status is 0\n"
	"whether there are findings or not.\n"
	"\n"
	"  approval_missing       PD attended or completed without both a valid\n"
	"                         supervisor and budget manager approval (the approver\n"
	"                         must be the one on the staff record)\n"
	"  approval_late          PD started before both (valid) approvals were\n"
	"                         recorded: approvals.<role>.at after the start date\n"
	"  out_of_district_limit  a third (or later) out-of-district conference, workshop\n"
	"                         or seminar for one employee in one school year, unless\n"
	"                         required_for_job=true with the supervisor's approval\n"
	"  renewal_hours_short    certified staff whose license expires within 180 days\n"
	"                         (or has expired) with renewal hours short\n"
	"  federal_unlinked       federal:* funded PD (e.g. federal:title-ii-a) with no\n"
	"                         plan goal or activity, or an activity whose goal is gone\n"
	"  activity_no_followup   a plan activity with no follow-up who/what/how\n"
	"  goal_incomplete        a plan goal missing its measure or a Year 1/2/3 outcome\n"
	"  evaluation_missing     completed PD not evaluated 30 days after it ended\n"
	"  approval_chain_incomplete\n"
	"                         completed PD without a step its district approval\n"
	"                         chain (approval_rule records) adds\n"
	"  training_overdue       a required training (requirement records) not done by\n"
	"                         its due date\n"
	"  training_due_soon      a required training due within 30 days\n"
	"\n"
	"  --year Y       only findings about school year Y (dated records and plans of\n"
	"                 that year; license renewals always)\n"
	"  --rule RULE    only that rule's findings\n"
	"  --json         a canonical JSON array of {rule, record, kind, staff, school, why}\n"
	"  --today DATE   what \"today\" is (also $PLSYNC_TODAY)\n"
	"\n"
	"Examples:\n"
	"  plsync findings\n"
	"  plsync findings --year 2026-2027 --json\n"
	"  plsync findings --rule evaluation_missing\n",
	.needs_store = 1,
	.exec = cmd_findings,
	.help_extra = findings_rules_help,
};
