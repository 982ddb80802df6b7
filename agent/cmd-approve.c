/*
 * cmd-approve.c — `plsync approve` and `plsync reject`: the supervisor's and
 * the budget manager's decisions on a PD request (Rule 4370.1).
 *
 * The rules kept here:
 *  - the approver (--by) must be the staff member's recorded supervisor or
 *    budget_manager, read from the staff record before writing;
 *  - each decision is exactly one op setting approvals.<role>.by, .at,
 *    .decision (and .note), with a note naming who decided, so that
 *    `plsync log ID` shows who approved what and when;
 *  - approval makes the entry `approved` in that same op only when the other
 *    role has already approved; until then it stays `requested`;
 *  - a rejection (with its reason) makes it `rejected`;
 *  - a completed, cancelled or rejected entry is not decided again.
 */
#include <string.h>

#include "workflow.h"

static const char *role_title(const char *role)
{
	return !strcmp(role, "budget") ? "budget manager" : "supervisor";
}

static const char *role_field(const char *role)
{
	return !strcmp(role, "budget") ? "budget_manager" : "supervisor";
}

/* The other role has approved (a decision of approved, or an older record
 * with only by/at set). */
static int other_approved(const json_t *fields, const char *other)
{
	char p[64];
	const json_t *by, *dec;

	snprintf(p, sizeof(p), "approvals.%s.by", other);
	by = fields_get(fields, p);
	snprintf(p, sizeof(p), "approvals.%s.decision", other);
	dec = fields_get(fields, p);
	if (dec)
		return !strcmp(json_string_value(dec) ? json_string_value(dec) : "", "approved");
	return by != NULL;
}

static int decide(cli *c, const cmd_entry *e, int argc, char **argv, int approve)
{
	const char *as = NULL, *by = NULL, *note = NULL, *today = NULL;
	opt_spec specs[] = {
		{ "as", 1, &as, NULL }, { "by", 1, &by, NULL }, { "note", 1, &note, NULL },
		{ "today", 1, &today, NULL }, { NULL, 0, NULL, NULL }
	};
	const char *role, *other, *status, *staff_id, *recorded;
	pl_record *entry = NULL, *staff = NULL;
	json_t *fields = NULL, *appr;
	char **pos = NULL, stamp[32], opnote[600], path[64];
	int npos, rc, both = 0;

	if ((rc = opts_parse(e, argc, argv, specs, &pos, &npos)))
		return rc;
	if (npos != 1) {
		rc = cli_usage(e, npos ? "one entry at a time" : "which pd_entry?");
		goto cleanup;
	}
	if (!as || !by) {
		rc = cli_usage(e, "give --as supervisor|budget and --by STAFF_ID");
		goto cleanup;
	}
	if (!strcmp(as, "supervisor"))
		role = "supervisor", other = "budget";
	else if (!strcmp(as, "budget") || !strcmp(as, "budget_manager"))
		role = "budget", other = "supervisor";
	else {
		rc = cli_usage(e, "--as %s: the role is supervisor or budget", as);
		goto cleanup;
	}
	if (!approve && (!note || !*note)) {
		rc = cli_usage(e, "a rejection needs its reason: --note TEXT");
		goto cleanup;
	}
	if (today && today_get(stamp, today)) {
		rc = cli_fail(c);
		goto cleanup;
	}
	if (entry_get(&entry, c->store, pos[0])) {
		rc = cli_fail(c);
		goto cleanup;
	}
	status = json_string_value(json_object_get(entry->fields, "status"));
	if (status && (!strcmp(status, "completed") || !strcmp(status, "cancelled") ||
	               !strcmp(status, "rejected"))) {
		rc = cli_error(EXIT_FAIL, "pd_entry %s is %s; only a requested entry can be %s%s", entry->id,
		               status, approve ? "approved" : "rejected",
		               !strcmp(status, "rejected") ? " (make a new request with 'plsync request')" : "");
		goto cleanup;
	}
	if (approve && status && !strcmp(status, "approved")) {
		rc = cli_error(EXIT_FAIL, "pd_entry %s is already approved by both the supervisor and the "
		               "budget manager", entry->id);
		goto cleanup;
	}
	snprintf(path, sizeof(path), "approvals.%s.decision", role);
	if (approve && json_string_value(fields_get(entry->fields, path)) &&
	    !strcmp(json_string_value(fields_get(entry->fields, path)), "approved")) {
		snprintf(path, sizeof(path), "approvals.%s.by", role);
		rc = cli_error(EXIT_FAIL, "pd_entry %s already has the %s's approval (by %s); it is waiting "
		               "for the %s", entry->id, role_title(role),
		               json_string_value(fields_get(entry->fields, path)), role_title(other));
		goto cleanup;
	}

	/* the approver must be the one on the staff record */
	staff_id = json_string_value(json_object_get(entry->fields, "staff"));
	if (!staff_id || pl_store_get(&staff, c->store, staff_id) || staff->deleted) {
		rc = cli_error(EXIT_FAIL, "pd_entry %s: its staff member %s is not in the store; add the "
		               "staff record first", entry->id, staff_id ? staff_id : "(none)");
		goto cleanup;
	}
	recorded = json_string_value(json_object_get(staff->fields, role_field(role)));
	if (!recorded) {
		rc = cli_error(EXIT_FAIL, "staff %s has no recorded %s, so nobody can give that approval "
		               "yet; record it first: plsync set %s %s=STAFF_ID", staff_id,
		               role_title(role), staff_id, role_field(role));
		goto cleanup;
	}
	if (strcmp(recorded, by)) {
		rc = cli_error(EXIT_FAIL, "%s is not the recorded %s of %s (that is %s); ask %s, or if the "
		               "staff record is wrong: plsync set %s %s=%s", by, role_title(role), staff_id,
		               recorded, recorded, staff_id, role_field(role), by);
		goto cleanup;
	}

	stamp_get(stamp, today);
	fields = json_object();
	appr = json_pack("{ss ss ss}", "by", by, "at", stamp, "decision", approve ? "approved" : "rejected");
	if (note && *note)
		json_object_set_new(appr, "note", json_string(note));
	json_object_set_new(fields, "approvals", json_pack("{so}", role, appr));
	if (approve) {
		both = other_approved(entry->fields, other);
		json_object_set_new(fields, "status", json_string(both ? "approved" : "requested"));
	} else {
		json_object_set_new(fields, "status", json_string("rejected"));
	}
	snprintf(opnote, sizeof(opnote), "%s %s by %s%s%s%s", role_title(role),
	         approve ? "approval" : "rejection", by,
	         approve && both ? "; both approvals given: approved" : "",
	         note && *note ? ": " : "", note && *note ? note : "");
	{
		pl_change ch = { PL_CHANGE_SET, "pd_entry", entry->id, fields, opnote };
		if (pl_store_change(c->store, c->actor, &ch, NULL)) {
			rc = cli_fail(c);
			goto cleanup;
		}
	}
	if (!approve)
		printf("%s: rejected by the %s (%s)\n", entry->id, role_title(role), by);
	else if (both)
		printf("%s: approved (the supervisor and the budget manager have both approved)\n", entry->id);
	else
		printf("%s: %s approval by %s recorded; still requested, waiting for the %s (%s)\n",
		       entry->id, role_title(role), by, role_title(other),
		       json_string_value(json_object_get(staff->fields, role_field(other))) ?
		       json_string_value(json_object_get(staff->fields, role_field(other))) : "none recorded");
	rc = EXIT_OK;
cleanup:
	json_decref(fields);
	pl_record_free(entry);
	pl_record_free(staff);
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
	.synopsis = "approve ID --as supervisor|budget --by STAFF [--note TEXT] [--today DATE]",
	.summary = "record the supervisor's or budget manager's approval of a PD request",
	.help =
	"Records one approval of the requested pd_entry ID (Rule 4370.1): the\n"
	"supervisor's (--as supervisor) or the budget manager's (--as budget). --by must\n"
	"be the staff member's recorded `supervisor` or `budget_manager`; anyone else\n"
	"is refused and nothing is written.\n"
	"\n"
	"The approval is one op that sets approvals.<role>.by, .at (now, UTC), .decision\n"
	"and .note. The entry becomes `approved` in that op only when the other role has\n"
	"already approved; until then it stays `requested`. `plsync log ID` shows who\n"
	"approved what and when.\n"
	"\n"
	"  --as ROLE      supervisor or budget (budget_manager is accepted too)\n"
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
