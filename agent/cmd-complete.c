/*
 * cmd-complete.c — `plsync complete`: the approved PD took place; record its
 * hours, credits and evidence.
 *
 * Only an `approved` entry (both approvals given) can be completed: one op
 * sets status=completed, hours, credits, evidence and the end date
 * (pl_workflow_complete keeps the rule). A requested entry is refused with
 * the approvals it still needs, so nobody records PD attended without them
 * by accident (that case is a finding, not a silent success).
 */
#include "workflow.h"

static int cmd_complete(cli *c, int argc, char **argv)
{
	pl_workflow_options o = PL_WORKFLOW_OPTIONS_INIT;
	const char *today = NULL;
	opt_spec specs[] = {
		{ "hours", 1, &o.hours, NULL }, { "credits", 1, &o.credits, NULL },
		{ "evidence", 1, &o.evidence, NULL }, { "end", 1, &o.end, NULL }, { "note", 1, &o.note, NULL },
		{ "today", 1, &today, NULL }, { NULL, 0, NULL, NULL }
	};
	pl_workflow_result r = { 0 };
	char **pos = NULL, day[11];
	int npos, rc;

	if ((rc = opts_parse(&cmd_complete_entry, argc, argv, specs, &pos, &npos)))
		return rc;
	if (npos != 1)
		rc = cli_usage(&cmd_complete_entry, npos ? "one entry at a time" : "which pd_entry?");
	else if (!o.hours)
		rc = cli_usage(&cmd_complete_entry, "give the contact hours: --hours H");
	else if (today_get(day, today))
		rc = cli_fail(c);
	if (rc)
		goto cleanup;
	o.id = pos[0];
	o.today = day;
	if (pl_workflow_complete(c->store, c->actor, &o, &r)) {
		rc = workflow_fail(c, &o, &r);
		goto cleanup;
	}
	printf("%s: completed, %s hours%s%s%s\n", r.id, o.hours, o.credits ? ", " : "",
	       o.credits ? o.credits : "", o.credits ? " credits" : "");
	rc = EXIT_OK;
cleanup:
	free(pos);
	return rc;
}

const cmd_entry cmd_complete_entry = {
	.name = "complete",
	.synopsis = "complete ID --hours H [--credits C] [--evidence TEXT] [--end DATE] [--note TEXT]",
	.summary = "record that approved PD took place: hours, credits, evidence",
	.help =
	"Marks the approved pd_entry ID completed, in one op: status=completed, hours,\n"
	"credits, evidence, and the end date (--end, else the planned end, else the\n"
	"start date if it has come, else today).\n"
	"Only an approved entry can be completed; a requested one is refused with the\n"
	"approval it still needs. Completed entries count in transcripts, the license\n"
	"renewal hours and the annual report; 30 days after completion an entry with\n"
	"no evaluation is a finding (`plsync evaluate`).\n"
	"\n"
	"  --hours H        contact hours (a number, e.g. 6.5)\n"
	"  --credits C      credits earned\n"
	"  --evidence TEXT  evidence of completion (certificate number, link, file name)\n"
	"  --end DATE       last day, YYYY-MM-DD\n"
	"  --note TEXT      a comment kept with the op\n"
	"  --today DATE     what \"today\" is for the default end date (also $PLSYNC_TODAY)\n"
	"\n"
	"Example:\n"
	"  plsync complete LIN01-7K3Q2 --hours 12 --credits 1 --evidence \"certificate NCTM-2291\"\n",
	.needs_store = 1,
	.exec = cmd_complete,
};
