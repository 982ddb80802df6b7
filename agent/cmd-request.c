/*
 * cmd-request.c — `plsync request`: ask for PD, the first step of the
 * approval workflow (Rule 4370.1).
 *
 * It is `plsync add pd_entry` with status=requested: one op that creates
 * the entry (pl_workflow_request). The workflow's own fields (status,
 * approvals, evaluation) are refused, as the arguments name them, before
 * anything is parsed: they are set by approve, reject, complete and
 * evaluate, so that each step is its own op in the history.
 */

#include "workflow.h"

static int cmd_request(cli *c, int argc, char **argv)
{
	pl_workflow_options o = PL_WORKFLOW_OPTIONS_INIT;
	const char *today = NULL;
	opt_spec specs[] = { { "id", 1, &o.id, NULL }, { "note", 1, &o.note, NULL }, { "today", 1, &today, NULL },
		{ NULL, 0, NULL, NULL } };
	pl_workflow_result r = { 0 };
	const char *own;
	char **pos, day[11];
	int npos, rc;

	if ((rc = opts_parse(&cmd_request_entry, argc, argv, specs, &pos, &npos)))
		return rc;
	if (npos < 1) {
		free(pos);
		return cli_usage(&cmd_request_entry, "give the entry's fields: staff=ID title=TEXT type=TYPE ...");
	}
	for (int i = 0; i < npos; i++)
		if ((own = pl_workflow_own_field(pos[i]))) {
			rc = cli_usage(&cmd_request_entry, "'%s': a request starts as requested; %s is set by "
			               "'plsync approve', 'reject', 'complete' and 'evaluate'", pos[i], own);
			free(pos);
			return rc;
		}
	o.stamp = stamp_get(day, today);
	rc = fields_parse(&o.fields, npos, pos);
	free(pos);
	if (rc || pl_workflow_request(c->store, c->actor, &o, &r)) {
		json_decref(o.fields);
		return workflow_fail(c, &o, &r);
	}
	json_decref(o.fields);
	printf("%s\n", r.id);
	return EXIT_OK;
}

const cmd_entry cmd_request_entry = {
	.name = "request",
	.synopsis = "request [--id ID] [--note TEXT] [--today DATE] staff=ID title=TEXT type=TYPE [field=value...]",
	.summary = "request PD (a pd_entry with status requested); print its id",
	.help =
	"Records a request to attend professional learning: a pd_entry with status\n"
	"`requested`, exactly as `plsync add pd_entry ... status=requested` would. Rule\n"
	"4370.1 needs the approval of the staff member's supervisor AND budget manager\n"
	"(the `supervisor` and `budget_manager` of their staff record) before they\n"
	"attend; give them with `plsync approve`. Out-of-district conferences,\n"
	"workshops and seminars (location=out_of_district) count toward the limit of\n"
	"two a school year (Rule 4370.3) unless required_for_job=true and the\n"
	"supervisor approves; `plsync findings` shows any over the limit.\n"
	"\n"
	"Fields are those of pd_entry (`plsync help add`); status, approvals.* and\n"
	"evaluation.* are set by the later steps and refused here.\n"
	"\n"
	"  --id ID        a natural key instead of a generated id\n"
	"  --note TEXT    a reason, kept with the op (default \"PD requested\")\n"
	"  --today DATE   stamp requested_at with this date instead of the current\n"
	"                 time (also $PLSYNC_TODAY); requested_at=TIME gives it\n"
	"                 outright (a request made on paper earlier). No approval\n"
	"                 may be dated before it\n"
	"\n"
	"The workflow:\n"
	"  request -> approve --as supervisor -> approve --as budget -> (approved)\n"
	"          -> complete --hours H -> evaluate reaction=N ...\n"
	"  either approver may reject instead (status rejected).\n"
	"\n"
	"Examples:\n"
	"  plsync request staff=E100 title=\"NCTM Regional Conference\" type=conference \\\n"
	"         location=out_of_district start=2026-10-15 end=2026-10-16 \\\n"
	"         cost_cents=45000 funding=federal:title-ii-a goal=LIN01-G7K2Q\n"
	"  plsync request --id PD-2026-014 staff=E101 title=\"Reading Recovery\" type=training\n",
	.needs_store = 1,
	.exec = cmd_request,
};
