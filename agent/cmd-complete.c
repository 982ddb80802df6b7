/*
 * cmd-complete.c — `plsync complete`: the approved PD took place; record its
 * hours, credits and evidence.
 *
 * Only an `approved` entry (both approvals given) can be completed: one op
 * sets status=completed, hours, credits, evidence and the end date (the one
 * given, else the planned end, else today). A requested entry is refused
 * with the approvals it still needs, so nobody records PD attended without
 * them by accident (that case is a finding, not a silent success).
 */
#include <string.h>

#include "workflow.h"

static int cmd_complete(cli *c, int argc, char **argv)
{
	const char *hours = NULL, *credits = NULL, *evidence = NULL, *end = NULL, *note = NULL,
	           *today = NULL;
	opt_spec specs[] = {
		{ "hours", 1, &hours, NULL }, { "credits", 1, &credits, NULL },
		{ "evidence", 1, &evidence, NULL }, { "end", 1, &end, NULL }, { "note", 1, &note, NULL },
		{ "today", 1, &today, NULL }, { NULL, 0, NULL, NULL }
	};
	const char *status;
	pl_record *entry = NULL;
	json_t *fields = NULL;
	char **pos = NULL, day[11], opnote[600];
	int npos, rc;

	if ((rc = opts_parse(&cmd_complete_entry, argc, argv, specs, &pos, &npos)))
		return rc;
	if (npos != 1) {
		rc = cli_usage(&cmd_complete_entry, npos ? "one entry at a time" : "which pd_entry?");
		goto cleanup;
	}
	if (!hours) {
		rc = cli_usage(&cmd_complete_entry, "give the contact hours: --hours H");
		goto cleanup;
	}
	if (today_get(day, today) || entry_get(&entry, c->store, pos[0])) {
		rc = cli_fail(c);
		goto cleanup;
	}
	status = json_string_value(json_object_get(entry->fields, "status"));
	if (!status || strcmp(status, "approved")) {
		const char *sup = json_string_value(fields_get(entry->fields, "approvals.supervisor.decision"));
		const char *bud = json_string_value(fields_get(entry->fields, "approvals.budget.decision"));
		int has_s = sup && !strcmp(sup, "approved"), has_b = bud && !strcmp(bud, "approved");

		if (status && !strcmp(status, "completed"))
			rc = cli_error(EXIT_FAIL, "pd_entry %s is already completed; to correct it: plsync set %s "
			               "hours=H", entry->id, entry->id);
		else if (status && (!strcmp(status, "rejected") || !strcmp(status, "cancelled")))
			rc = cli_error(EXIT_FAIL, "pd_entry %s is %s and cannot be completed; PD attended "
			               "anyway is a finding: record it with a new request", entry->id, status);
		else
			rc = cli_error(EXIT_FAIL, "pd_entry %s is %s, not approved: it still needs %s "
			               "(plsync approve %s --as %s --by STAFF)", entry->id,
			               status ? status : "without a status",
			               !has_s && !has_b ? "the supervisor's and the budget manager's approval" :
			               !has_s ? "the supervisor's approval" : "the budget manager's approval",
			               entry->id, has_s ? "budget" : "supervisor");
		goto cleanup;
	}
	fields = json_pack("{ss ss}", "status", "completed", "hours", hours);
	if (credits)
		json_object_set_new(fields, "credits", json_string(credits));
	if (evidence)
		json_object_set_new(fields, "evidence", json_string(evidence));
	if (end)
		json_object_set_new(fields, "end", json_string(end));
	else if (!json_object_get(entry->fields, "end")) {
		/* a one-day event ends the day it started; else it ends today */
		const char *start = json_string_value(json_object_get(entry->fields, "start"));
		json_object_set_new(fields, "end", json_string(start && strcmp(start, day) <= 0 ? start : day));
	}
	snprintf(opnote, sizeof(opnote), "completed: %s hours%s%s%s", hours, credits ? ", " : "",
	         credits ? credits : "", credits ? " credits" : "");
	if (note)
		snprintf(opnote + strlen(opnote), sizeof(opnote) - strlen(opnote), ": %s", note);
	{
		pl_change ch = { PL_CHANGE_SET, "pd_entry", entry->id, fields, opnote };
		if (pl_store_change(c->store, c->actor, &ch, NULL)) {
			rc = cli_fail(c);
			goto cleanup;
		}
	}
	printf("%s: completed, %s hours%s%s%s\n", entry->id, hours, credits ? ", " : "",
	       credits ? credits : "", credits ? " credits" : "");
	rc = EXIT_OK;
cleanup:
	json_decref(fields);
	pl_record_free(entry);
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
