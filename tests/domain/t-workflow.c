/*
 * The PD workflow through the library (plsync/workflow.h) on a real store in
 * a temp dir. First every rule: a request starts as requested and keeps the
 * workflow's fields to the later steps; only the staff member's recorded
 * supervisor and budget manager decide; both approvals make the entry
 * approved, in the second approval's op; a rejected entry is neither
 * approved nor completed; completion needs both approvals and the hours;
 * evaluation needs completion and takes Guskey's levels from the schema; a
 * resolution needs an open conflict. A refused step writes nothing.
 *
 * Then the races: two processes, each with its own pl_store on the same
 * data dir, released at the same moment through a pipe, act on one entry —
 * approve against reject, complete against reject, the same approval
 * twice, the supervisor's and the budget manager's approvals at once — for
 * ROUNDS rounds each. Whatever the interleaving, the outcome is one that
 * running the two one after the other gives (both orders are run first,
 * serially): the same successes, the same fields, the same ops in the log.
 * The one refused gets a clear error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "plsync/plsync.h"
#include "plsync/json.h"
#include "plsync/workflow.h"
#include "../tap.h"
#include "../testlib.h"

#define ACTOR  "Ann Lee <ann@lincoln.example>"
#define DAY    "2026-11-20"
#define ROUNDS 50

static pl_store *open_store(const char *dir)
{
	pl_store_options o = PL_STORE_OPTIONS_INIT;
	pl_store *st = NULL;

	o.no_sync = 1;
	if (pl_store_open(&st, dir, &o))
		bail("open %s: %s", dir, pl_error_last()->message);
	return st;
}

static void change(pl_store *st, int type, const char *kind, const char *id, const char *json)
{
	json_t *f = json ? json_loads(json, 0, NULL) : NULL;
	pl_change ch = { type, kind, id, f, NULL };

	if ((json && !f) || pl_store_change(st, ACTOR, &ch, NULL))
		bail("%s %s: %s", kind ? kind : "change", id, pl_error_last()->message);
	json_decref(f);
}

static int count_cb(const pl_op *op, const pl_oid *opid, void *payload)
{
	(*(int *)payload)++;
	return 0;
}

/* How many ops the record has in its history. */
static int nops(pl_store *st, const char *id)
{
	int n = 0;
	return pl_store_log(st, id, count_cb, &n) ? -1 : n;
}

/* The value at dotted `path` of record `id` as text, "-" when absent. */
static const char *field(char buf[128], pl_store *st, const char *id, const char *path)
{
	pl_record *r = NULL;
	const json_t *v;
	char p[128], *part, *save = NULL;

	snprintf(buf, 128, "-");
	if (pl_store_get(&r, st, id))
		return buf;
	snprintf(p, sizeof(p), "%s", path);
	v = r->fields;
	for (part = strtok_r(p, ".", &save); part && v; part = strtok_r(NULL, ".", &save))
		v = json_object_get(v, part);
	if (json_is_string(v))
		snprintf(buf, 128, "%s", json_string_value(v));
	else if (json_is_number(v))
		pl_json_number(buf, v);
	pl_record_free(r);
	return buf;
}

/* ---- the calls, with the options a test varies ---- */

static int request(pl_store *st, const char *id, const char *json, pl_workflow_result *r)
{
	pl_workflow_options o = PL_WORKFLOW_OPTIONS_INIT;
	int rc;

	o.id = id;
	o.fields = json_loads(json, 0, NULL);
	o.stamp = "2026-09-01";   /* requested_at: on or before every decision's DAY */
	rc = pl_workflow_request(st, ACTOR, &o, r);
	json_decref(o.fields);
	return rc;
}

static int decide(pl_store *st, int approve, const char *id, pl_role role, const char *by,
                  const char *note, pl_workflow_result *r)
{
	pl_workflow_options o = PL_WORKFLOW_OPTIONS_INIT;

	o.id = id;
	o.role = role;
	o.by = by;
	o.note = note;
	o.stamp = DAY;
	return (approve ? pl_workflow_approve : pl_workflow_reject)(st, ACTOR, &o, r);
}

static int approve(pl_store *st, const char *id, pl_role role, const char *by, pl_workflow_result *r)
{
	return decide(st, 1, id, role, by, NULL, r);
}

static int complete(pl_store *st, const char *id, const char *hours, pl_workflow_result *r)
{
	pl_workflow_options o = PL_WORKFLOW_OPTIONS_INIT;

	o.id = id;
	o.hours = hours;
	o.today = DAY;
	return pl_workflow_complete(st, ACTOR, &o, r);
}

static int evaluate(pl_store *st, const char *id, const char *levels, pl_workflow_result *r)
{
	pl_workflow_options o = PL_WORKFLOW_OPTIONS_INIT;
	int rc;

	o.id = id;
	o.fields = json_loads(levels, 0, NULL);
	o.stamp = DAY;
	rc = pl_workflow_evaluate(st, ACTOR, &o, r);
	json_decref(o.fields);
	return rc;
}

static const char *msg(void)
{
	return pl_error_last()->message;
}

/* ---- the rules, one after the other ---- */

static void test_request(pl_store *st)
{
	pl_workflow_result r;
	char b[128];

	is_int(request(st, "PD1", "{\"staff\":\"E100\",\"title\":\"Fractions\",\"type\":\"workshop\","
	               "\"start\":\"2026-10-14\"}", &r), 0, "a request is written");
	is_str(r.id, "PD1", "with the id asked for");
	is_str(field(b, st, "PD1", "status"), "requested", "a request starts as requested");
	is_int(nops(st, "PD1"), 1, "the request is one op");
	is_int(request(st, NULL, "{\"staff\":\"E100\",\"title\":\"x\",\"type\":\"workshop\"}", &r), 0,
	       "a request without an id is written");
	ok(!strncmp(r.id, "LIN01-", 6), "with a generated id (%s)", r.id);
	is_int(request(st, NULL, "{\"staff\":\"E100\",\"title\":\"x\",\"type\":\"workshop\",\"status\":"
	               "\"approved\"}", &r), PL_EUSAGE, "a request refuses a status of its own");
	ok(r.reason == PL_WORKFLOW_OWN_FIELD && !strcmp(r.field, "status"), "and says which field (%s)", msg());
	is_int(request(st, NULL, "{\"staff\":\"E100\",\"title\":\"x\",\"type\":\"workshop\",\"approvals\":"
	               "{\"supervisor\":{\"by\":\"E200\"}}}", &r), PL_EUSAGE, "a request refuses approvals set by hand");
	is_str(pl_workflow_own_field("evaluation.reaction=5"), "evaluation", "evaluation.* is a later step's field");
	ok(!pl_workflow_own_field("statusx=1") && !pl_workflow_own_field("title=status"),
	   "other fields are not the workflow's");
	is_int(request(st, NULL, "{\"staff\":\"E100\",\"title\":\"x\",\"type\":\"nope\"}", &r), PL_EINVALID,
	       "a request is checked against the schema");
}

static void test_approve(pl_store *st)
{
	pl_workflow_result r;
	char b[128];

	is_int(approve(st, "PD1", PL_ROLE_SUPERVISOR, "E300", &r), PL_EINVALID,
	       "approval by someone who is not the recorded supervisor is refused");
	is_str(msg(), "E300 is not the recorded supervisor of E100 (that is E200); ask E200",
	       "the message names the recorded supervisor, and no command");
	ok(r.reason == PL_WORKFLOW_NOT_APPROVER && !strcmp(r.recorded, "E200") && !strcmp(r.staff, "E100"),
	   "the result says who is recorded, for the program's hint");
	is_int(nops(st, "PD1"), 1, "the refused approval wrote nothing");
	is_int(approve(st, "PD1", PL_ROLE_BUDGET, "E999", &r), PL_EINVALID,
	       "approval by a staff member who does not exist is refused");
	is_int(approve(st, "E100", PL_ROLE_SUPERVISOR, "E200", &r), PL_EINVALID, "approval of a staff record is refused");
	ok(r.reason == PL_WORKFLOW_NOT_ENTRY && !strcmp(msg(), "E100 is a staff, not a pd_entry"), "as not a pd_entry");
	is_int(approve(st, "NOPE", PL_ROLE_SUPERVISOR, "E200", &r), PL_ENOTFOUND, "approval of no record is not found");
	is_int(approve(st, "PD1", PL_ROLE_NONE, "E200", &r), PL_EUSAGE, "approval needs a role");
	is_int(complete(st, "PD1", "6.5", &r), PL_EINVALID, "complete before any approval is refused");
	is_str(msg(), "pd_entry PD1 is requested, not approved: it still needs the supervisor's and the budget "
	       "manager's approval", "the message says which approvals are missing");
	ok(r.reason == PL_WORKFLOW_UNAPPROVED && r.needs == PL_ROLE_SUPERVISOR, "and the result which to give next");

	is_int(approve(st, "PD1", PL_ROLE_SUPERVISOR, "E200", &r), 0, "the recorded supervisor approves");
	ok(!r.both && r.needs == PL_ROLE_BUDGET && !strcmp(r.other_by, "E300"),
	   "the result says it waits for the budget manager, E300");
	is_str(field(b, st, "PD1", "status"), "requested", "with one approval the entry is still requested");
	is_str(field(b, st, "PD1", "approvals.supervisor.by"), "E200", "the approval records who");
	is_str(field(b, st, "PD1", "approvals.supervisor.at"), DAY, "when (the stamp given)");
	is_str(field(b, st, "PD1", "approvals.supervisor.decision"), "approved", "and the decision");
	is_str(field(b, st, "PD1", "approvals.supervisor.via"), "recorded",
	       "made by another person's actor (a clerk's data dir), it is marked recorded");
	is_int(nops(st, "PD1"), 2, "the approval is one op");
	is_int(approve(st, "PD1", PL_ROLE_SUPERVISOR, "E200", &r), PL_EINVALID, "the same role cannot approve twice");
	is_str(msg(), "pd_entry PD1 already has the supervisor's approval (by E200); it is waiting for the "
	       "budget manager", "the message says whose approval is awaited");
	is_int(complete(st, "PD1", "6.5", &r), PL_EINVALID, "complete with one approval is still refused");
	ok(r.needs == PL_ROLE_BUDGET && strstr(msg(), "still needs the budget manager's approval"),
	   "naming the missing approval");

	{
		pl_workflow_options o = PL_WORKFLOW_OPTIONS_INIT;
		o.id = "PD1";
		o.role = pl_role_parse("budget_manager");
		o.by = "E300";
		o.note = "Title II-A line 4";
		o.stamp = DAY;
		/* the web app's actor for a logged-in staff member (web/page-login.c) */
		is_int(pl_workflow_approve(st, "Sam Ortiz (E300) <sam@lincoln.example>", &o, &r), 0,
		       "the recorded budget manager approves, under their own login");
	}
	is_str(field(b, st, "PD1", "approvals.budget.via"), "login",
	       "the approval made by the approver's own session is marked login");
	ok(r.both && !strcmp(r.status, "approved"), "the result says both approvals are given");
	is_str(field(b, st, "PD1", "status"), "approved", "with both approvals the entry is approved");
	is_int(nops(st, "PD1"), 3, "the second approval is one op, which also sets the status");
	is_str(r.note, "budget manager approval by E300; both approvals given: approved: Title II-A line 4",
	       "its note says so, with the approver's note");
	is_int(approve(st, "PD1", PL_ROLE_BUDGET, "E300", &r), PL_EINVALID, "approve of an approved entry is refused");
	is_str(msg(), "pd_entry PD1 is already approved by both the supervisor and the budget manager",
	       "the message says it is approved");
}

static void test_complete_evaluate(pl_store *st)
{
	pl_workflow_result r;
	char b[128];

	is_int(evaluate(st, "PD1", "{\"reaction\":\"5\"}", &r), PL_EINVALID, "evaluate before complete is refused");
	ok(r.reason == PL_WORKFLOW_NOT_COMPLETED && !strcmp(msg(), "pd_entry PD1 is approved; only completed PD "
	   "is evaluated"), "as not completed: %s", msg());
	is_int(complete(st, "PD1", NULL, &r), PL_EUSAGE, "complete needs the hours");
	is_int(complete(st, "PD1", "lots", &r), PL_EINVALID, "complete with bad hours is refused");
	ok(strstr(msg(), "pd_entry.hours: \"lots\" is not a number") == msg(), "the message names the field and "
	   "value: %s", msg());
	is_int(nops(st, "PD1"), 3, "the refused completion wrote nothing");
	is_int(complete(st, "PD1", "6.5", &r), 0, "complete records the hours");
	is_str(field(b, st, "PD1", "status"), "completed", "the entry is completed");
	is_str(field(b, st, "PD1", "hours"), "6.5", "with its hours");
	is_str(field(b, st, "PD1", "end"), "2026-10-14", "the end defaults to the start of a past one-day event");
	is_str(r.note, "completed: 6.5 hours", "the op's note");
	is_int(complete(st, "PD1", "7", &r), PL_EINVALID, "complete twice is refused");
	ok(r.reason == PL_WORKFLOW_COMPLETED && !strcmp(msg(), "pd_entry PD1 is already completed"),
	   "as already completed");
	is_int(decide(st, 0, "PD1", PL_ROLE_BUDGET, "E300", "too late", &r), PL_EINVALID,
	       "a completed entry cannot be rejected");

	is_int(evaluate(st, "PD1", "{\"fun\":\"5\"}", &r), PL_EUSAGE, "evaluate with an unknown level is refused");
	is_int(evaluate(st, "PD1", "{\"reaction\":\"7\"}", &r), PL_EINVALID, "a level out of 1..5 is refused");
	is_int(evaluate(st, "PD1", "{}", &r), PL_EUSAGE, "an evaluation needs a level");
	is_int(evaluate(st, "PD1", "{\"reaction\":\"5\",\"learning\":\"4\",\"org_support\":\"3\","
	                "\"transfer\":\"4\",\"student_impact\":\"3\"}", &r), 0, "evaluate records the five levels");
	is_str(r.note, "evaluated: reaction=5 learning=4 org_support=3 transfer=4 student_impact=3",
	       "the note lists them in the order given");
	is_str(field(b, st, "PD1", "evaluation.student_impact"), "3", "the evaluation is stored");
	is_str(field(b, st, "PD1", "evaluation.at"), DAY, "with its date");
	is_int(nops(st, "PD1"), 5, "the evaluation is one op");

	{
		const char *want[] = { "reaction", "learning", "org_support", "transfer", "student_impact", NULL };
		int same = 1;
		for (size_t i = 0; i < 6; i++)
			same &= (want[i] && pl_workflow_level(i)) ? !strcmp(want[i], pl_workflow_level(i)) :
			        want[i] == pl_workflow_level(i);
		ok(same, "the Guskey levels are the schema's five, in order");
	}
}

static void test_reject(pl_store *st)
{
	pl_workflow_result r;
	char b[128];

	request(st, "PD2", "{\"staff\":\"E101\",\"title\":\"Retreat\",\"type\":\"workshop\",\"start\":"
	        "\"2026-12-05\"}", &r);
	is_int(decide(st, 0, "PD2", PL_ROLE_BUDGET, "E300", NULL, &r), PL_EUSAGE, "a rejection needs its reason");
	is_int(decide(st, 0, "PD2", PL_ROLE_BUDGET, "E200", "no", &r), PL_EINVALID, "reject by the wrong person is refused");
	is_int(approve(st, "PD2", PL_ROLE_BUDGET, "E300", &r), 0, "the budget manager approves first");
	is_int(decide(st, 0, "PD2", PL_ROLE_SUPERVISOR, "E200", "no funds left", &r), 0,
	       "the supervisor rejects, with a reason");
	is_str(field(b, st, "PD2", "status"), "rejected", "the entry is rejected");
	is_str(field(b, st, "PD2", "approvals.supervisor.note"), "no funds left", "with the reason");
	is_str(r.note, "supervisor rejection by E200: no funds left", "the op's note names who rejected and why");
	is_int(approve(st, "PD2", PL_ROLE_SUPERVISOR, "E200", &r), PL_EINVALID, "a rejected entry cannot be approved");
	ok(r.reason == PL_WORKFLOW_REJECTED && !strcmp(msg(), "pd_entry PD2 is rejected; only a requested entry "
	   "can be approved"), "as rejected: %s", msg());
	is_int(decide(st, 0, "PD2", PL_ROLE_BUDGET, "E300", "again", &r), PL_EINVALID,
	       "a rejected entry is not rejected again");
	is_int(complete(st, "PD2", "3", &r), PL_EINVALID, "a rejected entry cannot be completed");
	is_str(msg(), "pd_entry PD2 is rejected and cannot be completed; PD attended anyway is a finding: record "
	       "it with a new request", "the message says what to do instead");
	is_int(nops(st, "PD2"), 3, "the refused steps wrote nothing");

	request(st, "PD3", "{\"staff\":\"E100\",\"title\":\"Approved then rejected\",\"type\":\"workshop\"}", &r);
	approve(st, "PD3", PL_ROLE_SUPERVISOR, "E200", &r);
	approve(st, "PD3", PL_ROLE_BUDGET, "E300", &r);
	is_int(decide(st, 0, "PD3", PL_ROLE_BUDGET, "E300", "cut", &r), 0, "an approved entry can be rejected");
	is_str(field(b, st, "PD3", "status"), "rejected", "and is rejected then");
}

static void test_edges(pl_store *st)
{
	pl_workflow_result r;
	char b[128];

	request(st, "PD4", "{\"staff\":\"E102\",\"title\":\"Coaching\",\"type\":\"coaching\"}", &r);
	is_int(approve(st, "PD4", PL_ROLE_SUPERVISOR, "E200", &r), PL_EINVALID, "approval needs a recorded supervisor");
	ok(r.reason == PL_WORKFLOW_NO_APPROVER && !strcmp(msg(), "staff E102 has no recorded supervisor, so "
	   "nobody can give that approval yet"), "as nobody recorded: %s", msg());

	/* an older record: approvals by/at without a decision count as given */
	request(st, "PD5", "{\"staff\":\"E100\",\"title\":\"Legacy\",\"type\":\"workshop\",\"start\":"
	        "\"2026-12-30\"}", &r);
	change(st, PL_CHANGE_SET, "pd_entry", "PD5", "{\"approvals\":{\"supervisor\":{\"by\":\"E200\",\"at\":"
	       "\"2026-09-01\"}}}");
	is_int(approve(st, "PD5", PL_ROLE_BUDGET, "E300", &r), 0, "the budget manager approves an older record");
	ok(r.both && !strcmp(r.status, "approved"), "its supervisor approval without a decision counts: approved");
	/* completing it before it starts would end it today, before its start */
	is_int(complete(st, "PD5", "2", &r), PL_EINVALID, "an event yet to start does not complete");
	is_str(msg(), "pd_entry PD5: end " DAY " is before start 2026-12-30; fix end or start",
	       "as its end (today) would be before its start");

	request(st, "PD6", "{\"staff\":\"E100\",\"title\":\"Gone\",\"type\":\"workshop\"}", &r);
	change(st, PL_CHANGE_DEL, NULL, "PD6", NULL);
	is_int(approve(st, "PD6", PL_ROLE_SUPERVISOR, "E200", &r), PL_EINVALID, "a deleted entry is not approved");
	ok(r.reason == PL_WORKFLOW_DELETED && !strcmp(msg(), "pd_entry PD6 was deleted"), "as deleted");

	change(st, PL_CHANGE_CREATE, "staff", "E104", "{\"name\":\"Ex\",\"category\":\"certified\","
	       "\"supervisor\":\"E200\",\"budget_manager\":\"E300\"}");
	request(st, "PD7", "{\"staff\":\"E104\",\"title\":\"Left\",\"type\":\"workshop\"}", &r);
	change(st, PL_CHANGE_DEL, NULL, "E104", NULL);
	is_int(approve(st, "PD7", PL_ROLE_SUPERVISOR, "E200", &r), PL_EINVALID,
	       "an entry whose staff member is gone is not approved");
	is_str(msg(), "pd_entry PD7: its staff member E104 is not in the store; add the staff record first",
	       "the message says the staff record is missing");

	request(st, "PD8", "{\"staff\":\"E100\",\"title\":\"Called off\",\"type\":\"workshop\"}", &r);
	change(st, PL_CHANGE_SET, "pd_entry", "PD8", "{\"status\":\"cancelled\"}");
	is_int(complete(st, "PD8", "1", &r), PL_EINVALID, "a cancelled entry cannot be completed");
	is_int(approve(st, "PD8", PL_ROLE_SUPERVISOR, "E200", &r), PL_EINVALID, "nor approved");

	request(st, "PD9", "{\"staff\":\"E100\",\"title\":\"Clock\",\"type\":\"workshop\"}", &r);
	{
		pl_workflow_options o = PL_WORKFLOW_OPTIONS_INIT;
		o.id = "PD9";
		o.role = PL_ROLE_SUPERVISOR;
		o.by = "E200";
		is_int(pl_workflow_approve(st, ACTOR, &o, &r), 0, "an approval without a stamp is written");
		field(b, st, "PD9", "approvals.supervisor.at");
		ok(strlen(b) == 20 && b[10] == 'T' && b[19] == 'Z', "stamped with the current UTC time (%s)", b);
		o.version = 99;
		is_int(pl_workflow_approve(st, ACTOR, &o, &r), PL_EUSAGE, "options of another version are refused");
	}
	is_str(pl_role_title(PL_ROLE_BUDGET), "budget manager", "the budget role's title");
	ok(pl_role_parse("janitor") == PL_ROLE_NONE && pl_role_parse("supervisor") == PL_ROLE_SUPERVISOR &&
	   pl_role_parse("district_pd") == PL_ROLE_DISTRICT_PD,
	   "roles are supervisor, budget and the chain steps");
}

/* ---- resolve: a conflict made by two nodes ---- */

struct blobs {
	unsigned char *b[256];
	size_t         len[256];
	size_t         n;
};

static int blob_cb(uint64_t seq, const void *bytes, size_t len, void *payload)
{
	struct blobs *x = payload;

	if (x->n == 256 || !(x->b[x->n] = malloc(len)))
		return PL_EUSER;
	memcpy(x->b[x->n], bytes, len);
	x->len[x->n++] = len;
	return 0;
}

static int apply_fn(pl_write *w, void *payload)
{
	struct blobs *x = payload;
	int rc;

	for (size_t i = 0; i < x->n; i++)
		if ((rc = pl_write_remote(w, x->b[i], x->len[i])) < 0)
			return rc;
	return 0;
}

/* Carry node's ops that `to` lacks from `from`, as a sync would. */
static void carry(pl_store *from, pl_store *to, const char *node)
{
	struct blobs x = { { 0 } };
	uint64_t last = 0, have = 0;
	pl_oid id;

	if (pl_store_node_seq(&last, &id, from, node) || pl_store_node_seq(&have, &id, to, node) ||
	    pl_store_ops_range(from, node, have + 1, last, blob_cb, &x) ||
	    pl_store_write(to, ACTOR, apply_fn, &x))
		bail("carry %s's ops: %s", node, msg());
	for (size_t i = 0; i < x.n; i++)
		free(x.b[i]);
}

static void test_resolve(pl_store *lin, const char *base)
{
	pl_workflow_options o = PL_WORKFLOW_OPTIONS_INIT;
	pl_workflow_result r;
	pl_store_options so = PL_STORE_OPTIONS_INIT;
	pl_store *dist;
	char dir[300], b[128];

	o.id = "E100";
	is_int(pl_workflow_resolve(lin, ACTOR, &o, &r), PL_EINVALID, "a record with one head has no conflict to resolve");
	ok(r.reason == PL_WORKFLOW_NO_CONFLICT && !strcmp(msg(), "E100 has no open conflict"), "as no open conflict");
	o.id = "NOPE";
	is_int(pl_workflow_resolve(lin, ACTOR, &o, &r), PL_ENOTFOUND, "resolve of no record is not found");

	snprintf(dir, sizeof(dir), "%s/dist", base);
	so.no_sync = 1;
	if (pl_store_create(dir, PL_NODE_DISTRICT, &so))
		bail("create %s: %s", dir, msg());
	dist = open_store(dir);
	carry(lin, dist, "LIN01");
	change(lin, PL_CHANGE_SET, "staff", "E101", "{\"role\":\"Teacher\"}");
	change(dist, PL_CHANGE_SET, "staff", "E101", "{\"role\":\"Coach\"}");
	carry(dist, lin, PL_NODE_DISTRICT);

	o.id = "E101";
	is_int(pl_workflow_resolve(lin, ACTOR, &o, &r), 0, "with no fields, resolve only checks: E101 has a conflict");
	is_int(nops(lin, "E101"), 3, "and writes nothing");
	o.fields = json_pack("{ss}", "role", "Teacher and coach");
	o.note = "agreed";
	is_int(pl_workflow_resolve(lin, ACTOR, &o, &r), 0, "the conflict is resolved");
	is_str(field(b, lin, "E101", "role"), "Teacher and coach", "with the settled value");
	is_int(nops(lin, "E101"), 4, "in one op");
	is_int(pl_workflow_resolve(lin, ACTOR, &o, &r), PL_EINVALID, "a second resolve finds no conflict");
	ok(r.reason == PL_WORKFLOW_NO_CONFLICT, "and says so");
	json_decref(o.fields);
	pl_store_free(dist);
}

/* ---- races ---- */

enum { W_APPROVE = 1, W_REJECT, W_COMPLETE };

struct wop {
	int         what;
	pl_role     role;
	const char *by;
};

struct scenario {
	const char *name;
	struct wop  op[2];
	int         approved_first;   /* the entry has both approvals before the race */
};

struct outcome {
	int  rc, reason;
	char msg[300];
};

/* What a pair of steps left: who succeeded, the fields, the notes of the ops. */
struct sig {
	int  ok[2];
	char fields[2048];
	char notes[2048];
};

static int run_wop(pl_store *st, const struct wop *w, const char *id, pl_workflow_result *r)
{
	if (w->what == W_COMPLETE)
		return complete(st, id, "6.5", r);
	return decide(st, w->what == W_APPROVE, id, w->role, w->by, w->what == W_REJECT ? "not this year" : NULL, r);
}

static void prepare(pl_store *st, const struct scenario *sc, const char *id)
{
	pl_workflow_result r;

	if (request(st, id, "{\"staff\":\"E100\",\"title\":\"Race\",\"type\":\"workshop\",\"start\":"
	            "\"2026-10-01\"}", &r) ||
	    (sc->approved_first && (approve(st, id, PL_ROLE_SUPERVISOR, "E200", &r) ||
	                            approve(st, id, PL_ROLE_BUDGET, "E300", &r))))
		bail("prepare %s: %s", id, msg());
}

static int note_cb(const pl_op *op, const pl_oid *opid, void *payload)
{
	size_t n = strlen(payload);
	snprintf((char *)payload + n, 2048 - n, "%s|", op->note ? op->note : "");
	return 0;
}

static void signature(struct sig *s, pl_store *st, const char *id, int ok0, int ok1)
{
	pl_record *r = NULL;
	char *f;

	memset(s, 0, sizeof(*s));
	s->ok[0] = ok0;
	s->ok[1] = ok1;
	if (pl_store_get(&r, st, id) || !(f = json_dumps(r->fields, JSON_COMPACT | JSON_SORT_KEYS)))
		bail("read %s: %s", id, msg());
	snprintf(s->fields, sizeof(s->fields), "%s", f);
	free(f);
	pl_record_free(r);
	if (pl_store_log(st, id, note_cb, s->notes))
		bail("log %s: %s", id, msg());
}

static int sig_eq(const struct sig *a, const struct sig *b)
{
	return a->ok[0] == b->ok[0] && a->ok[1] == b->ok[1] && !strcmp(a->fields, b->fields) &&
	       !strcmp(a->notes, b->notes);
}

/* The outcome of running the scenario's two steps in `order` (0: a then b). */
static void serial(struct sig *s, pl_store *st, const struct scenario *sc, int order)
{
	pl_workflow_result r;
	char id[64];
	int ok[2];

	snprintf(id, sizeof(id), "%s-%s", sc->name, order ? "ba" : "ab");
	prepare(st, sc, id);
	ok[order] = run_wop(st, &sc->op[order], id, &r) == 0;
	ok[!order] = run_wop(st, &sc->op[!order], id, &r) == 0;
	signature(s, st, id, ok[0], ok[1]);
}

/* A racer: open its own store, say it is ready, wait for the start, act, report. */
static void racer(const char *dir, const struct wop *w, const char *id, int ready, int go, int res)
{
	struct outcome out = { 0 };
	pl_workflow_result r = { 0 };
	pl_store_options o = PL_STORE_OPTIONS_INIT;
	pl_store *st = NULL;
	char c;

	o.no_sync = 1;
	if (pl_store_open(&st, dir, &o))
		_exit(2);
	if (write(ready, "r", 1) != 1 || read(go, &c, 1) < 0)   /* EOF: go */
		_exit(3);
	out.rc = run_wop(st, w, id, &r);
	out.reason = r.reason;
	snprintf(out.msg, sizeof(out.msg), "%s", out.rc ? msg() : "");
	pl_store_free(st);
	_exit(write(res, &out, sizeof(out)) == sizeof(out) ? 0 : 4);
}

/* Run the two steps at once in two processes; 0, or -1 if a racer failed. */
static int race(const char *dir, const struct scenario *sc, const char *id, struct outcome out[2])
{
	int ready[2], go[2], res[2][2], status, failed = 0;
	pid_t pid[2];
	char c[2];

	if (pipe(ready) || pipe(go) || pipe(res[0]) || pipe(res[1]))
		bail("pipe");
	fflush(stdout);
	fflush(stderr);
	for (int i = 0; i < 2; i++) {
		if ((pid[i] = fork()) < 0)
			bail("fork");
		if (pid[i] == 0) {
			close(go[1]);
			close(ready[0]);
			racer(dir, &sc->op[i], id, ready[1], go[0], res[i][1]);
		}
	}
	close(ready[1]);
	close(go[0]);
	close(res[0][1]);
	close(res[1][1]);
	if (read(ready[0], c, 1) != 1 || read(ready[0], c + 1, 1) != 1)
		failed = 1;
	close(go[1]);   /* both start now */
	for (int i = 0; i < 2; i++) {
		if (read(res[i][0], &out[i], sizeof(out[i])) != (ssize_t)sizeof(out[i]))
			failed = 1;
		if (waitpid(pid[i], &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
			failed = 1;
		close(res[i][0]);
	}
	close(ready[0]);
	return failed ? -1 : 0;
}

static void test_race(const char *dir, const struct scenario *sc)
{
	struct sig ab, ba, got;
	struct outcome out[2];
	int bad = 0, unclear = 0, seen_ab = 0, seen_ba = 0;
	pl_store *st = open_store(dir);

	serial(&ab, st, sc, 0);
	serial(&ba, st, sc, 1);
	pl_store_free(st);
	for (int round = 0; round < ROUNDS; round++) {
		char id[64];

		snprintf(id, sizeof(id), "%s-%02d", sc->name, round);
		st = open_store(dir);
		prepare(st, sc, id);
		pl_store_free(st);   /* each racer has its own handle; none crosses the fork */
		if (race(dir, sc, id, out))
			bail("%s round %d: a racer failed", sc->name, round);
		st = open_store(dir);
		signature(&got, st, id, out[0].rc == 0, out[1].rc == 0);
		pl_store_free(st);
		seen_ab += sig_eq(&got, &ab);
		seen_ba += sig_eq(&got, &ba);
		if (!sig_eq(&got, &ab) && !sig_eq(&got, &ba) && bad++ == 0)
			diag("%s round %d: results %d/%d, fields %s, ops %s (serially: %s / %s)", sc->name, round,
			     out[0].rc, out[1].rc, got.fields, got.notes, ab.notes, ba.notes);
		for (int i = 0; i < 2; i++)
			if (out[i].rc && (out[i].rc != PL_EINVALID || !out[i].reason || !*out[i].msg))
				unclear++;
	}
	diag("%s: %d rounds ended as a then b, %d as b then a", sc->name, seen_ab, seen_ba);
	is_int(bad, 0, "%s: each of %d rounds ends as one of the two serial orders would (no lost write, "
	       "no rule broken)", sc->name, ROUNDS);
	is_int(unclear, 0, "%s: the refused step gets a clear error", sc->name);
}

static void test_races(const char *dir)
{
	static const struct scenario races[] = {
		{ "approve-reject", { { W_APPROVE, PL_ROLE_SUPERVISOR, "E200" },
		                      { W_REJECT, PL_ROLE_BUDGET, "E300" } }, 0 },
		{ "complete-reject", { { W_COMPLETE, PL_ROLE_NONE, NULL },
		                       { W_REJECT, PL_ROLE_SUPERVISOR, "E200" } }, 1 },
		{ "approve-twice", { { W_APPROVE, PL_ROLE_SUPERVISOR, "E200" },
		                     { W_APPROVE, PL_ROLE_SUPERVISOR, "E200" } }, 0 },
		{ "supervisor-budget", { { W_APPROVE, PL_ROLE_SUPERVISOR, "E200" },
		                         { W_APPROVE, PL_ROLE_BUDGET, "E300" } }, 0 },
	};
	pl_store *st;
	uint64_t nops_all, nrec;

	for (size_t i = 0; i < sizeof(races) / sizeof(races[0]); i++)
		test_race(dir, &races[i]);
	st = open_store(dir);
	is_int(pl_store_verify(st, &nops_all, &nrec), 0, "the store verifies after the races (gapless chain, "
	       "every record the fold of its ops)");
	pl_store_free(st);
}

int main(void)
{
	char base[] = "/tmp/plsync-workflow-XXXXXX", dir[300];
	pl_store_options so = PL_STORE_OPTIONS_INIT;
	pl_store *st;

	tl_tmpdir(base);
	snprintf(dir, sizeof(dir), "%s/lin", base);
	so.no_sync = 1;
	if (pl_init() || pl_store_create(dir, "LIN01", &so))
		bail("create %s: %s", dir, msg());
	st = open_store(dir);
	change(st, PL_CHANGE_CREATE, "school", "LIN01", "{\"code\":\"LIN01\",\"name\":\"Lincoln\"}");
	change(st, PL_CHANGE_CREATE, "staff", "E200", "{\"name\":\"Pat Rivera\",\"category\":\"certified\"}");
	change(st, PL_CHANGE_CREATE, "staff", "E300", "{\"name\":\"Sam Ortiz\",\"category\":\"noninstructional\"}");
	change(st, PL_CHANGE_CREATE, "staff", "E100", "{\"name\":\"Ann Lee\",\"category\":\"certified\","
	       "\"supervisor\":\"E200\",\"budget_manager\":\"E300\"}");
	change(st, PL_CHANGE_CREATE, "staff", "E101", "{\"name\":\"Bo Chen\",\"category\":\"certified\","
	       "\"supervisor\":\"E200\",\"budget_manager\":\"E300\"}");
	change(st, PL_CHANGE_CREATE, "staff", "E102", "{\"name\":\"Cy Diaz\",\"category\":\"certified\","
	       "\"budget_manager\":\"E300\"}");

	test_request(st);
	test_approve(st);
	test_complete_evaluate(st);
	test_reject(st);
	test_edges(st);
	test_resolve(st, base);
	pl_store_free(st);
	test_races(dir);

	if (tl_rm_rf(base))
		diag("could not remove %s", base);
	pl_shutdown();
	return done_testing();
}
