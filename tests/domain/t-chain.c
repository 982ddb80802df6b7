/*
 * Approval chains (plsync/chain.h) on a real DISTRICT store: a district
 * approval_rule adds the district PD office to out-of-district entries, so
 * such an entry has three steps (supervisor, budget manager, district PD
 * office) and is approved, and can be completed, only after all three, in
 * whatever order; the third step's approver is the one the rule names; an
 * in-district entry keeps Rule 4370.1's two steps. A completed
 * out-of-district entry that skipped the third step (written as a school
 * that had not seen the rule would) is an approval_chain_incomplete
 * finding, and the only one. Then pl_chain_of as a pure function: cost and
 * federal rules, a school's rule ignored, a bad step refused.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plsync/plsync.h"
#include "plsync/chain.h"
#include "plsync/dataset.h"
#include "plsync/findings.h"
#include "plsync/json.h"
#include "plsync/workflow.h"
#include "../tap.h"
#include "../testlib.h"

#define ACTOR "Dee Park <dee@district.example>"
#define DAY   "2026-11-20"

/* `got` contains `want`. */
static int like(const char *got, const char *want, const char *what)
{
	int pass = got && strstr(got, want);

	ok(pass, "%s", what);
	if (!pass)
		diag("got '%s', wanted it to contain '%s'", got ? got : "(null)", want);
	return pass;
}

static void change(pl_store *st, int type, const char *kind, const char *id, const char *json)
{
	json_t *f = json_loads(json, 0, NULL);
	pl_change ch = { type, kind, id, f, NULL };

	if (!f || pl_store_change(st, ACTOR, &ch, NULL))
		bail("%s %s: %s", kind ? kind : "change", id, pl_error_last()->message);
	json_decref(f);
}

static int approve(pl_store *st, const char *id, pl_role role, const char *by, pl_workflow_result *r)
{
	pl_workflow_options o = PL_WORKFLOW_OPTIONS_INIT;

	o.id = id;
	o.role = role;
	o.by = by;
	o.stamp = "2026-10-01T10:00:00Z";
	return pl_workflow_approve(st, ACTOR, &o, r);
}

static int complete(pl_store *st, const char *id, pl_workflow_result *r)
{
	pl_workflow_options o = PL_WORKFLOW_OPTIONS_INIT;

	o.id = id;
	o.hours = "12";
	o.today = DAY;
	return pl_workflow_complete(st, ACTOR, &o, r);
}

static const char *status(pl_store *st, const char *id)
{
	static char buf[32];
	pl_record *r = NULL;

	if (pl_store_get(&r, st, id))
		bail("get %s: %s", id, pl_error_last()->message);
	snprintf(buf, sizeof(buf), "%s", json_string_value(json_object_get(r->fields, "status")));
	pl_record_free(r);
	return buf;
}

static void test_pure(void)
{
	json_t *rules = json_pack("{s{ss ss sI s[s]} s{ss ss s[s]} s{ss ss s[s]}}",
	                          "DISTRICT-R1", "name", "big", "when", "cost_over", "cost_over_cents",
	                          (json_int_t)50000, "steps", "superintendent",
	                          "DISTRICT-R2", "name", "fed", "when", "federal_funds", "steps", "federal_programs",
	                          "LIN01-R3", "name", "school's own", "when", "always", "steps", "principal");
	json_t *e = json_pack("{ss sI}", "staff", "E100", "cost_cents", (json_int_t)60000);
	json_t *bad = json_pack("{s{ss ss s[s]}}", "DISTRICT-R9", "name", "x", "when", "always", "steps", "janitor");
	char text[300];
	pl_chain c;

	is_int(pl_chain_of(&c, rules, e, NULL), 0, "chain of an entry costing $600");
	is_int((long long)c.n, 3, "cost over $500: supervisor, budget manager, superintendent (the school's rule ignored)");
	is_int(c.step[2], PL_ROLE_SUPERINTENDENT, "the third step is the superintendent's");
	is_str(c.rule[2], "DISTRICT-R1", "added by DISTRICT-R1");
	pl_chain_missing_text(text, sizeof(text), &c, NULL);
	is_str(text, "the supervisor, the budget manager and the superintendent", "the steps in words");
	json_object_set_new(e, "cost_cents", json_integer(50000));
	json_object_set_new(e, "funding", json_string("federal:title-ii-a"));
	pl_chain_of(&c, rules, e, NULL);
	is_int((long long)c.n, 3, "exactly $500 is not over; federal funds add one step");
	is_int(c.step[2], PL_ROLE_FEDERAL, "the federal programs office");
	is_int(pl_chain_of(&c, bad, e, NULL), PL_EINVALID, "a rule with a step that is not one is refused");
	like(pl_error_last()->message, "approval_rule DISTRICT-R9: steps: 'janitor' is not a chain step",
	     "naming the rule and the step");
	json_decref(rules);
	json_decref(e);
	json_decref(bad);
}

int main(void)
{
	char base[] = "/tmp/plsync-chain-XXXXXX", dir[300];
	pl_workflow_result r;
	json_t *ds = NULL, *f = NULL;
	pl_store *st;
	int n = 0;

	tl_tmpdir(base);
	snprintf(dir, sizeof(dir), "%s/district", base);
	if (pl_init())
		bail("init");
	st = tl_store(dir, PL_NODE_DISTRICT);
	change(st, PL_CHANGE_CREATE, "staff", "E200", "{\"name\":\"Pat Rivera\",\"category\":\"certified\"}");
	change(st, PL_CHANGE_CREATE, "staff", "E300", "{\"name\":\"Sam Ortiz\",\"category\":\"noninstructional\"}");
	change(st, PL_CHANGE_CREATE, "staff", "E900", "{\"name\":\"Lee Moss\",\"category\":\"certified\"}");
	change(st, PL_CHANGE_CREATE, "staff", "E100", "{\"name\":\"Ann Lee\",\"category\":\"certified\","
	       "\"supervisor\":\"E200\",\"budget_manager\":\"E300\"}");
	change(st, PL_CHANGE_CREATE, "approval_rule", "DISTRICT-OOD", "{\"name\":\"Out-of-district PD\","
	       "\"when\":\"out_of_district\",\"steps\":\"district_pd\",\"approvers\":{\"district_pd\":\"E900\"}}");
	change(st, PL_CHANGE_CREATE, "pd_entry", "DISTRICT-A", "{\"staff\":\"E100\",\"title\":\"NCTM annual\","
	       "\"type\":\"conference\",\"location\":\"out_of_district\",\"start\":\"2026-10-14\","
	       "\"status\":\"requested\"}");
	change(st, PL_CHANGE_CREATE, "pd_entry", "DISTRICT-B", "{\"staff\":\"E100\",\"title\":\"Fractions\","
	       "\"type\":\"workshop\",\"location\":\"in_district\",\"start\":\"2026-10-20\",\"status\":\"requested\"}");
	/* as a school would have written it before the district's rule reached it */
	change(st, PL_CHANGE_CREATE, "pd_entry", "DISTRICT-C", "{\"staff\":\"E100\",\"title\":\"ISTE live\","
	       "\"type\":\"conference\",\"location\":\"out_of_district\",\"start\":\"2026-06-28\",\"end\":\"2026-07-01\","
	       "\"hours\":18,\"status\":\"completed\",\"approvals\":{\"supervisor\":{\"by\":\"E200\",\"at\":\"2026-05-01\","
	       "\"decision\":\"approved\"},\"budget\":{\"by\":\"E300\",\"at\":\"2026-05-02\",\"decision\":\"approved\"}}}");

	/* ---- three steps, in any order ---- */
	is_int(approve(st, "DISTRICT-A", PL_ROLE_DISTRICT_PD, "E200", &r), PL_EINVALID,
	       "the district PD step by someone the rule does not name is refused");
	is_int(r.reason, PL_WORKFLOW_NOT_APPROVER, "as not the approver");
	like(pl_error_last()->message, "E200 is not the district PD office named by approval_rule DISTRICT-OOD (that is E900)",
	     "the message names the rule and its approver");
	is_int(approve(st, "DISTRICT-A", PL_ROLE_SUPERVISOR, "E200", &r), 0, "the supervisor approves");
	is_str(r.status, "requested", "still requested");
	is_int(approve(st, "DISTRICT-A", PL_ROLE_DISTRICT_PD, "E900", &r), 0, "the district PD office approves second");
	is_int(r.both, 0, "the chain is not complete");
	is_int(r.needs, PL_ROLE_BUDGET, "it waits for the budget manager");
	is_str(r.other_by, "E300", "who is E300");
	is_int(complete(st, "DISTRICT-A", &r), PL_EINVALID, "complete after two of three steps is refused");
	is_int(r.reason, PL_WORKFLOW_UNAPPROVED, "as unapproved");
	is_str(status(st, "DISTRICT-A"), "requested", "the entry is still requested");
	is_int(approve(st, "DISTRICT-A", PL_ROLE_BUDGET, "E300", &r), 0, "the budget manager approves last");
	is_int(r.both, 1, "the chain is complete");
	is_str(r.status, "approved", "the entry is approved");
	like(r.note, "the approval chain is complete: approved", "the op's note says so");
	is_int(approve(st, "DISTRICT-A", PL_ROLE_DISTRICT_PD, "E900", &r), PL_EINVALID, "no step approves twice");
	is_int(complete(st, "DISTRICT-A", &r), 0, "complete after all three steps");
	is_str(status(st, "DISTRICT-A"), "completed", "completed");

	/* ---- supervisor + budget approve first: still waiting for the third ---- */
	change(st, PL_CHANGE_CREATE, "pd_entry", "DISTRICT-D", "{\"staff\":\"E100\",\"title\":\"Learning Forward\","
	       "\"type\":\"conference\",\"location\":\"out_of_district\",\"start\":\"2026-12-06\",\"status\":\"requested\"}");
	approve(st, "DISTRICT-D", PL_ROLE_SUPERVISOR, "E200", &r);
	is_int(approve(st, "DISTRICT-D", PL_ROLE_BUDGET, "E300", &r), 0, "supervisor and budget manager approve");
	is_str(r.status, "requested", "Rule 4370.1's two are not enough: still requested");
	is_int(r.needs, PL_ROLE_DISTRICT_PD, "waiting for the district PD office");
	is_str(r.other_by, "E900", "named by the rule: E900");
	is_int(complete(st, "DISTRICT-D", &r), PL_EINVALID, "complete is refused");
	like(pl_error_last()->message, "still needs the approval of the district PD office", "naming the missing step");
	is_int(r.needs, PL_ROLE_DISTRICT_PD, "and the result says which step");

	/* ---- an in-district entry: two steps; the third is not its step ---- */
	is_int(approve(st, "DISTRICT-B", PL_ROLE_DISTRICT_PD, "E900", &r), PL_EINVALID,
	       "a step no rule adds to this entry is refused");
	like(pl_error_last()->message, "not a step of its approval chain", "saying so");
	approve(st, "DISTRICT-B", PL_ROLE_SUPERVISOR, "E200", &r);
	is_int(approve(st, "DISTRICT-B", PL_ROLE_BUDGET, "E300", &r), 0, "in district: the budget manager approves");
	is_str(r.status, "approved", "and the two steps of Rule 4370.1 approve it");

	/* ---- the finding ---- */
	if (pl_dataset_load(&ds, st) || pl_findings(&f, ds, DAY, NULL))
		bail("findings: %s", pl_error_last()->message);
	for (size_t i = 0; i < json_array_size(f); i++) {
		json_t *x = json_array_get(f, i);
		if (strcmp(json_string_value(json_object_get(x, "rule")), "approval_chain_incomplete"))
			continue;
		n++;
		is_str(json_string_value(json_object_get(x, "record")), "DISTRICT-C", "the skipped step is DISTRICT-C's");
		like(json_string_value(json_object_get(x, "why")),
		     "completed without the district PD office's approval (approval_rule DISTRICT-OOD)", "why names the step and the rule");
		is_str(json_string_value(json_object_get(x, "action")), "approve", "its action is approve");
	}
	is_int(n, 1, "one approval_chain_incomplete finding: the completed entry that skipped a step, no other");
	json_decref(f);
	json_decref(ds);

	test_pure();
	tl_store_done(st, base);
	done_testing();
}
