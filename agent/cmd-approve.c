/*
 * cmd-approve.c — `plsync approve` and `plsync reject`: the supervisor's and
 * the budget manager's decisions on a PD request (Rule 4370.1).
 *
 * The rules (who may decide, one op per decision, when the entry becomes
 * approved or rejected) are pl_workflow_approve and pl_workflow_reject's;
 * this file parses the options, calls, and prints what came of it.
 */
#include <string.h>

#include "workflow.h"

static int decide(cli *c, const cmd_entry *e, int argc, char **argv, int approve)
{
	pl_workflow_options o = PL_WORKFLOW_OPTIONS_INIT;
	const char *as = NULL, *today = NULL;
	opt_spec specs[] = {
		{ "as", 1, &as, NULL }, { "by", 1, &o.by, NULL }, { "note", 1, &o.note, NULL },
		{ "today", 1, &today, NULL }, { NULL, 0, NULL, NULL }
	};
	pl_workflow_result r = { 0 };
	char **pos = NULL, day[11];
	int npos, rc;

	if ((rc = opts_parse(e, argc, argv, specs, &pos, &npos)))
		return rc;
	o.role = pl_role_parse(as);
	if (npos != 1)
		rc = cli_usage(e, npos ? "one entry at a time" : "which pd_entry?");
	else if (!as || !o.by)
		rc = cli_usage(e, "give --as supervisor|budget|STEP and --by STAFF_ID");
	else if (!o.role)
		rc = cli_usage(e, "--as %s: the role is supervisor, budget or a chain step (principal, "
		               "federal_programs, district_pd, superintendent)", as);
	else if (!approve && (!o.note || !*o.note))
		rc = cli_usage(e, "a rejection needs its reason: --note TEXT");
	else if (today && today_get(day, today))
		rc = cli_fail(c);
	if (rc)
		goto cleanup;
	o.id = pos[0];
	o.stamp = stamp_get(day, today);
	if ((approve ? pl_workflow_approve : pl_workflow_reject)(c->store, c->actor, &o, &r)) {
		rc = workflow_fail(c, &o, &r);
		goto cleanup;
	}
	if (!approve)
		printf("%s: rejected by the %s (%s)\n", r.id, pl_role_title(o.role), o.by);
	else if (r.both)
		printf("%s: approved (every step of its approval chain has approved)\n", r.id);
	else
		printf("%s: %s approval by %s recorded; still requested, waiting for the %s (%s)\n", r.id,
		       pl_role_title(o.role), o.by, pl_role_title(r.needs),
		       *r.other_by ? r.other_by : "none recorded");
	rc = EXIT_OK;
cleanup:
	free(pos);
	return rc;
}

static int cmd_approve(cli *c, int argc, char **argv)
{
	return decide(c, &cmd_approve_entry, argc, argv, 1);
}

static int cmd_reject(cli *c, int argc, char **argv)
{
	return decide(c, &cmd_reject_entry, argc, argv, 0);
}

const cmd_entry cmd_approve_entry = {
	.name = "approve",
	.synopsis = "approve ID --as supervisor|budget|STEP --by STAFF [--note TEXT] [--today DATE]",
	.summary = "record the supervisor's or budget manager's approval of a PD request",
	.help =
	"Records one approval of the requested pd_entry ID (Rule 4370.1): the\n"
	"supervisor's (--as supervisor) or the budget manager's (--as budget). --by must\n"
	"be the staff member's recorded `supervisor` or `budget_manager`; anyone else\n"
	"is refused and nothing is written.\n"
	"\n"
	"The district's approval_rule records may add steps to an entry's chain (e.g.\n"
	"out-of-district PD also needs the district PD office): --as principal,\n"
	"federal_programs, district_pd or superintendent, --by the staff id the rule\n"
	"names under approvers.<step>.\n"
	"\n"
	"The approval is one op that sets approvals.<role>.by, .at (now, UTC), .decision\n"
	"and .note. The entry becomes `approved` in that op only when every other step\n"
	"of its chain has already approved; until then it stays `requested`. `plsync log\n"
	"ID` shows who approved what and when.\n"
	"\n"
	"  --as ROLE      supervisor or budget (budget_manager is accepted too), or a\n"
	"                 chain step: principal, federal_programs, district_pd,\n"
	"                 superintendent\n"
	"  --by STAFF     the approver's staff id\n"
	"  --note TEXT    a comment kept with the approval\n"
	"  --today DATE   stamp the approval with this date instead of the current time\n"
	"                 (also $PLSYNC_TODAY)\n"
	"\n"
	"Examples:\n"
	"  plsync approve LIN01-7K3Q2 --as supervisor --by E200\n"
	"  plsync approve LIN01-7K3Q2 --as budget --by E300 --note \"Title II-A line 4\"\n"
	"  plsync log LIN01-7K3Q2\n",
	.needs_store = 1,
	.exec = cmd_approve,
};

const cmd_entry cmd_reject_entry = {
	.name = "reject",
	.synopsis = "reject ID --as supervisor|budget --by STAFF --note TEXT [--today DATE]",
	.summary = "reject a PD request (supervisor or budget manager), with the reason",
	.help =
	"Records the supervisor's or budget manager's rejection of pd_entry ID, with\n"
	"its reason (--note is required). As for `plsync approve`, --by must be the\n"
	"staff member's recorded supervisor or budget_manager. One op sets\n"
	"approvals.<role>.by, .at, .decision=rejected and .note, and status=rejected.\n"
	"A requested or approved entry can be rejected; a completed one cannot.\n"
	"\n"
	"  --as ROLE      supervisor or budget\n"
	"  --by STAFF     the staff id of who decides\n"
	"  --note TEXT    why (required)\n"
	"  --today DATE   stamp it with this date (also $PLSYNC_TODAY)\n"
	"\n"
	"Example:\n"
	"  plsync reject LIN01-7K3Q2 --as budget --by E300 --note \"no funds left this year\"\n",
	.needs_store = 1,
	.exec = cmd_reject,
};
