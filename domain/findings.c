/*
 * findings.c — the district rules that are checked over the whole data
 * instead of on each write.
 *
 * Every rule is a pure function of the dataset and "today": no clock is
 * read here, so a test or a re-run of last year's report gets the same
 * answer. Each rule adds findings naming the rule, the record, its staff
 * member and school (when it has them) and a sentence saying why, with the
 * numbers that make it so. Nothing is dropped: a record the rule cannot
 * place (no date) is left to the other rules, never silently passed.
 */
#include <stdlib.h>
#include <string.h>

#include "plsync/chain.h"
#include "plsync/errors.h"
#include "plsync/findings.h"
#include "plsync/requirement.h"
#include "plsync/schema.h"
#include "dataset-int.h"

static const pl_finding_rule rules[] = {
	{ "approval_missing", "PD attended without both supervisor and budget manager approval (Rule 4370.1)" },
	{ "approval_late", "PD started before both approvals were recorded (Rule 4370.1 asks for approval before attending)" },
	{ "out_of_district_limit", "More than two out-of-district conferences, workshops or seminars in a school year (Rule 4370.3)" },
	{ "renewal_hours_short", "License expiring within 180 days with renewal hours short" },
	{ "federal_unlinked", "Federally funded PD or activity not linked to a plan goal" },
	{ "activity_no_followup", "Plan activity without a follow-up" },
	{ "goal_incomplete", "Plan goal missing a measure or a Year 1/2/3 outcome" },
	{ "evaluation_missing", "Completed PD with no evaluation 30 days after completion" },
	{ "offering_over_capacity", "Offering with more registrations than seats once every school's are counted" },
	{ "approval_chain_incomplete", "Completed PD that skipped a step of the district's approval chain" },
	{ "training_overdue", "A required training not done by its due date" },
	{ "training_due_soon", "A required training due within 30 days" },
	{ NULL, NULL }
};

typedef struct ctx {
	const json_t *ds;
	const char   *today;
	long          today_days;
	const char   *year;          /* NULL = all */
	char          from[11], to[11];
	int           ood_max, window, cycle, eval_days;
	json_t       *out;
} ctx;

static const struct {
	const char *name, *step;
} actions[PL_ACTION_COUNT_] = {
	[PL_ACTION_NONE]            = { "none", "" },
	[PL_ACTION_APPROVE]         = { "approve", "record the missing approval of the staff member's supervisor "
	                                "and budget manager, or reject the entry" },
	[PL_ACTION_APPROVE_EARLIER] = { "approve_earlier", "remind the staff member and approvers that both "
	                                "approvals come before attending" },
	[PL_ACTION_REVIEW_LIMIT]    = { "review_limit", "mark it required for the job (with the supervisor's "
	                                "approval) or cancel it" },
	[PL_ACTION_PLAN_RENEWAL]    = { "plan_renewal", "plan the remaining renewal hours with the staff member" },
	[PL_ACTION_LINK_GOAL]       = { "link_goal", "link it to a goal of this year's plan" },
	[PL_ACTION_ADD_FOLLOWUP]    = { "add_followup", "describe the activity's follow-up: who, what and how" },
	[PL_ACTION_COMPLETE_GOAL]   = { "complete_goal", "fill in the goal's missing measure and outcomes" },
	[PL_ACTION_EVALUATE]        = { "evaluate", "record the participant's evaluation (Guskey levels 1 to 5)" },
	[PL_ACTION_REVIEW_CAPACITY] = { "review_capacity", "add seats to the offering, or move the registrations "
	                                "past capacity to the waitlist" },
	[PL_ACTION_TRAIN]           = { "train", "have the staff member complete the required training" },
};

const char *pl_finding_action_name(pl_finding_action a)
{
	return (unsigned)a < PL_ACTION_COUNT_ ? actions[a].name : "none";
}

const char *pl_finding_next_step(pl_finding_action a)
{
	return (unsigned)a < PL_ACTION_COUNT_ ? actions[a].step : "";
}

pl_finding_action pl_finding_action_of(const json_t *finding)
{
	const char *s = pl_dataset__str(finding, "action");

	for (int a = 1; s && a < PL_ACTION_COUNT_; a++)
		if (!strcmp(actions[a].name, s))
			return (pl_finding_action)a;
	return PL_ACTION_NONE;
}

static int add_to(ctx *x, const char *rule, const char *kind, const char *rec, const char *staff,
                  const char *school, const char *why, pl_finding_action act, json_t *fields)
{
	json_t *f = json_pack("{ss ss ss ss? ss? ss ss}", "rule", rule, "kind", kind, "record", rec,
	                      "staff", staff, "school", school, "why", why, "action",
	                      pl_finding_action_name(act));
	if (f && fields)
		json_object_set(f, "fields", fields);
	if (!f || json_array_append_new(x->out, f))
		return pl_error_set(PL_ERROR, "out of memory");
	return 0;
}

/* The action of each rule. */
static pl_finding_action rule_action(const char *rule)
{
	static const struct {
		const char       *rule;
		pl_finding_action act;
	} map[] = {
		{ "approval_missing", PL_ACTION_APPROVE }, { "approval_late", PL_ACTION_APPROVE_EARLIER },
		{ "out_of_district_limit", PL_ACTION_REVIEW_LIMIT },
		{ "renewal_hours_short", PL_ACTION_PLAN_RENEWAL }, { "federal_unlinked", PL_ACTION_LINK_GOAL },
		{ "activity_no_followup", PL_ACTION_ADD_FOLLOWUP }, { "goal_incomplete", PL_ACTION_COMPLETE_GOAL },
		{ "evaluation_missing", PL_ACTION_EVALUATE }, { "offering_over_capacity", PL_ACTION_REVIEW_CAPACITY },
		{ "evaluation_missing", PL_ACTION_EVALUATE }, { "approval_chain_incomplete", PL_ACTION_APPROVE },
		{ "training_overdue", PL_ACTION_TRAIN }, { "training_due_soon", PL_ACTION_TRAIN },
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(map[i].rule, rule))
			return map[i].act;
	return PL_ACTION_NONE;
}

static int add(ctx *x, const char *rule, const char *kind, const char *rec,
               const char *staff, const char *school, const char *why)
{
	return add_to(x, rule, kind, rec, staff, school, why, rule_action(rule), NULL);
}

static const char *staff_school(const ctx *x, const char *staff)
{
	return pl_dataset__str(pl_dataset_get(x->ds, "staff", staff), "school");
}

static const char *entry_date(const json_t *e)
{
	return pl_dataset__str(e, "end") ? pl_dataset__str(e, "end") : pl_dataset__str(e, "start");
}

/* A dated record belongs to the year asked for (always, when none is). */
static int in_year(const ctx *x, const char *date)
{
	if (!x->year)
		return 1;
	return date && strncmp(date, x->from, 10) >= 0 && strncmp(date, x->to, 10) <= 0;
}

static int dead(const json_t *e)
{
	const char *st = pl_dataset__str(e, "status");
	return st && (!strcmp(st, "rejected") || !strcmp(st, "cancelled"));
}

/* The plan a goal belongs to, and the school of that plan. */
static const json_t *goal_plan(const ctx *x, const json_t *goal)
{
	return pl_dataset_get(x->ds, "plan", pl_dataset__str(goal, "plan"));
}

static int plan_in_year(const ctx *x, const json_t *plan)
{
	const char *y = pl_dataset__str(plan, "year");
	return !x->year || (y && !strcmp(y, x->year));
}

/* ---- the rules ---- */

/* Attended, as Rule 4370.1 reads it: completed, or its date (start, else
 * end) reached. */
static int attended(const ctx *x, const json_t *e, const char *date)
{
	const char *st = pl_dataset__str(e, "status");

	return (st && !strcmp(st, "completed")) || (date && strncmp(date, x->today, 10) <= 0);
}

static int rule_approval(ctx *x)
{
	const char *id;
	json_t *e;
	int rc;

	json_object_foreach(pl_dataset_kind(x->ds, "pd_entry"), id, e) {
		const char *st = pl_dataset__str(e, "status"), *staff = pl_dataset__str(e, "staff");
		const char *date = pl_dataset__str(e, "start") ? pl_dataset__str(e, "start") : pl_dataset__str(e, "end");
		const json_t *who = pl_dataset_get(x->ds, "staff", staff);
		char sup[200], bud[200], why[600];
		int s_ok, b_ok;

		if (dead(e) || !in_year(x, entry_date(e)) || !attended(x, e, date))
			continue;
		s_ok = pl_dataset__approved_by(sup, sizeof(sup), e, who, "supervisor");
		b_ok = pl_dataset__approved_by(bud, sizeof(bud), e, who, "budget");
		if (s_ok && b_ok)
			continue;
		if (st && !strcmp(st, "completed"))
			snprintf(why, sizeof(why), "completed (%s) without both approvals: ", date ? date : "undated");
		else
			snprintf(why, sizeof(why), "started %s while %s, without both approvals: ", date,
			         st ? st : "it had no status");
		if (!s_ok)
			pl_dataset__cat(why, sizeof(why), "%s", sup);
		if (!s_ok && !b_ok)
			pl_dataset__cat(why, sizeof(why), "; ");
		if (!b_ok)
			pl_dataset__cat(why, sizeof(why), "%s", bud);
		pl_dataset__cat(why, sizeof(why), "; Rule 4370.1 requires the supervisor's and the budget manager's approval");
		if ((rc = add(x, "approval_missing", "pd_entry", id, staff, staff_school(x, staff), why)))
			return rc;
	}
	return 0;
}

/*
 * An approval that is valid (so approval_missing has nothing to say) but was
 * recorded after the PD started: Rule 4370.1 asks for it before attending.
 * Same day counts as on time (an "at" may be a date without a time); an
 * entry with no start date or an approval with no "at" cannot be placed and
 * is left out.
 */
static int rule_approval_late(ctx *x)
{
	static const char *const roles[2][2] = {
		{ "approvals.supervisor.at", "supervisor" },
		{ "approvals.budget.at", "budget manager" },
	};
	const char *id;
	json_t *e;
	int rc;

	json_object_foreach(pl_dataset_kind(x->ds, "pd_entry"), id, e) {
		const char *staff = pl_dataset__str(e, "staff"), *start = pl_dataset__str(e, "start");
		const json_t *who = pl_dataset_get(x->ds, "staff", staff);
		char ign[200], why[600];
		int late = 0;

		if (dead(e) || !start || !in_year(x, entry_date(e)) || !attended(x, e, start))
			continue;
		if (!pl_dataset__approved_by(ign, sizeof(ign), e, who, "supervisor") ||
		    !pl_dataset__approved_by(ign, sizeof(ign), e, who, "budget"))
			continue;
		snprintf(why, sizeof(why), "started %.10s before ", start);
		for (int i = 0; i < 2; i++) {
			const char *at = pl_dataset__str(e, roles[i][0]);
			if (!at || strncmp(at, start, 10) <= 0)
				continue;
			pl_dataset__cat(why, sizeof(why), "%sthe %s's approval (%.10s)", late ? " and " : "",
			                roles[i][1], at);
			late++;
		}
		if (!late)
			continue;
		pl_dataset__cat(why, sizeof(why), " %s recorded; Rule 4370.1 asks for approval before attending",
		                late > 1 ? "were" : "was");
		if ((rc = add(x, "approval_late", "pd_entry", id, staff, staff_school(x, staff), why)))
			return rc;
	}
	return 0;
}

struct ood {
	const char *staff, *date, *id;
	char year[10];
};

static int cmp_ood(const void *a, const void *b)
{
	const struct ood *p = a, *q = b;
	int c = strcmp(p->staff, q->staff);
	if (!c)
		c = strcmp(p->year, q->year);
	if (!c)
		c = strcmp(p->date, q->date);
	if (!c)
		c = strcmp(p->id, q->id);
	return c;
}

static const char *ordinal(char buf[16], size_t n)
{
	const char *suf = "th";
	if (n % 100 < 11 || n % 100 > 13)
		suf = n % 10 == 1 ? "st" : n % 10 == 2 ? "nd" : n % 10 == 3 ? "rd" : "th";
	snprintf(buf, 16, "%zu%s", n, suf);
	return buf;
}

static int rule_out_of_district(ctx *x)
{
	json_t *entries = pl_dataset_kind(x->ds, "pd_entry");
	struct ood *v = calloc(json_object_size(entries) + 1, sizeof(*v));
	size_t n = 0, i, j;
	const char *id;
	json_t *e;
	int rc = 0;

	if (!v)
		return pl_error_set(PL_ERROR, "out of memory");
	json_object_foreach(entries, id, e) {
		const char *type = pl_dataset__str(e, "type"), *loc = pl_dataset__str(e, "location");
		const char *staff = pl_dataset__str(e, "staff");
		const char *date = pl_dataset__str(e, "start") ? pl_dataset__str(e, "start") : pl_dataset__str(e, "end");
		char why[200];

		if (dead(e) || !staff || !date || !loc || strcmp(loc, "out_of_district") || !type ||
		    (strcmp(type, "conference") && strcmp(type, "workshop") && strcmp(type, "seminar")))
			continue;
		if (json_is_true(json_object_get(e, "required_for_job")) &&
		    pl_dataset__approved_by(why, sizeof(why), e, pl_dataset_get(x->ds, "staff", staff), "supervisor"))
			continue; /* required for the job and approved by the supervisor */
		if (pl_school_year_of(v[n].year, date))
			continue;
		v[n].staff = staff;
		v[n].date = date;
		v[n].id = id;
		n++;
	}
	qsort(v, n, sizeof(*v), cmp_ood);
	for (i = 0; i < n; i = j) {
		for (j = i; j < n && !strcmp(v[j].staff, v[i].staff) && !strcmp(v[j].year, v[i].year); j++)
			;
		if (j - i <= (size_t)x->ood_max || (x->year && strcmp(v[i].year, x->year)))
			continue;
		for (size_t k = i + (size_t)x->ood_max; k < j; k++) {
			char why[1024], ord[16];
			snprintf(why, sizeof(why), "%s out-of-district conference/workshop/seminar for %s in %s "
			         "(%s; earlier:", ordinal(ord, k - i + 1), v[k].staff, v[k].year, v[k].date);
			for (size_t m = i; m < k; m++)
				pl_dataset__cat(why, sizeof(why), " %s on %.10s%s", v[m].id, v[m].date, m + 1 < k ? "," : "");
			pl_dataset__cat(why, sizeof(why), "); Rule 4370.3 allows %d a year unless required for the job "
			        "and approved by the supervisor", x->ood_max);
			if ((rc = add(x, "out_of_district_limit", "pd_entry", v[k].id, v[k].staff,
			              staff_school(x, v[k].staff), why)))
				goto cleanup;
		}
	}
cleanup:
	free(v);
	return rc;
}

static int rule_renewal(ctx *x)
{
	const char *id;
	json_t *s;
	int rc;

	json_object_foreach(pl_dataset_kind(x->ds, "staff"), id, s) {
		pl_dataset__renewal r;
		long exp;
		char why[400], done[32], req[32], gap[32];

		if ((rc = pl_dataset__renewal_of(&r, x->ds, id, x->cycle)))
			return rc;
		if (!r.applies || r.done >= r.required || pl_date_days(&exp, r.to))
			continue;
		if (exp - x->today_days > x->window)
			continue;
		pl_dataset__centi_fmt(done, r.done);
		pl_dataset__centi_fmt(req, r.required);
		pl_dataset__centi_fmt(gap, r.required - r.done);
		snprintf(why, sizeof(why), "license %s %s (%s%ld days%s) with %s of %s renewal hours "
		         "completed since %s: %s short", exp >= x->today_days ? "expires" : "expired", r.to,
		         exp >= x->today_days ? "in " : "", labs(exp - x->today_days),
		         exp >= x->today_days ? "" : " ago", done, req, r.from, gap);
		if ((rc = add(x, "renewal_hours_short", "staff", id, id, pl_dataset__str(s, "school"), why)))
			return rc;
	}
	return 0;
}

static int rule_federal(ctx *x)
{
	const char *id;
	json_t *e;
	int rc;

	json_object_foreach(pl_dataset_kind(x->ds, "pd_entry"), id, e) {
		const char *fund = pl_dataset__str(e, "funding"), *goal = pl_dataset__str(e, "goal");
		const char *act = pl_dataset__str(e, "activity"), *staff = pl_dataset__str(e, "staff");
		char why[400];

		if (!fund || strncmp(fund, "federal:", 8) || dead(e) || !in_year(x, entry_date(e)))
			continue;
		if (goal && pl_dataset_get(x->ds, "goal", goal))
			continue;
		if (act && pl_dataset_get(x->ds, "goal", pl_dataset__str(pl_dataset_get(x->ds, "activity", act), "goal")))
			continue;
		if (goal || act)
			snprintf(why, sizeof(why), "funded by %s and linked to %s %s, which is not in the data; "
			         "federal funds must serve a plan goal", fund, goal ? "goal" : "activity",
			         goal ? goal : act);
		else
			snprintf(why, sizeof(why), "funded by %s with no plan goal or activity; federal funds "
			         "must serve a plan goal", fund);
		if ((rc = add(x, "federal_unlinked", "pd_entry", id, staff, staff_school(x, staff), why)))
			return rc;
	}
	json_object_foreach(pl_dataset_kind(x->ds, "activity"), id, e) {
		const char *fund = pl_dataset__str(e, "funding"), *goal = pl_dataset__str(e, "goal");
		char why[400];

		if (!fund || strncmp(fund, "federal:", 8) || pl_dataset_get(x->ds, "goal", goal) || x->year)
			continue; /* with a year asked for, an activity without its goal has no plan year */
		snprintf(why, sizeof(why), "funded by %s and linked to goal %s, which is not in the data; "
		         "federal funds must serve a plan goal", fund, goal ? goal : "(none)");
		if ((rc = add(x, "federal_unlinked", "activity", id, NULL, NULL, why)))
			return rc;
	}
	return 0;
}

static int rule_followup(ctx *x)
{
	const char *id;
	json_t *a;
	int rc;

	json_object_foreach(pl_dataset_kind(x->ds, "activity"), id, a) {
		const json_t *goal = pl_dataset_get(x->ds, "goal", pl_dataset__str(a, "goal"));
		const json_t *plan = goal_plan(x, goal);
		char why[300];

		if (pl_dataset__str(a, "followup.who") || pl_dataset__str(a, "followup.what") || pl_dataset__str(a, "followup.how"))
			continue;
		if (!plan_in_year(x, plan))
			continue;
		snprintf(why, sizeof(why), "activity \"%s\" of goal %s has no follow-up (who, what, how)", pl_dataset__str(a, "title") ? pl_dataset__str(a, "title") :
		         pl_dataset__str(a, "initial.what") ? pl_dataset__str(a, "initial.what") : id,
		         pl_dataset__str(a, "goal") ? pl_dataset__str(a, "goal") : "(none)");
		if ((rc = add(x, "activity_no_followup", "activity", id, NULL, pl_dataset__str(plan, "school"), why)))
			return rc;
	}
	return 0;
}

static int rule_goal(ctx *x)
{
	static const struct { const char *field, *name; } need[] = {
		{ "measure", "measure" }, { "outcome_y1", "Year 1 outcome" },
		{ "outcome_y2", "Year 2 outcome" }, { "outcome_y3", "Year 3 outcome" },
	};
	const char *id;
	json_t *g;
	int rc;

	json_object_foreach(pl_dataset_kind(x->ds, "goal"), id, g) {
		const json_t *plan = goal_plan(x, g);
		char missing[200] = "", why[400];
		json_t *fields;
		int nmiss = 0;

		if (!plan_in_year(x, plan))
			continue;
		if (!(fields = json_array()))
			return pl_error_set(PL_ERROR, "out of memory");
		for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++) {
			if (pl_dataset__str(g, need[i].field))
				continue;
			pl_dataset__cat(missing, sizeof(missing), "%s%s", nmiss ? ", " : "", need[i].name);
			json_array_append_new(fields, json_string(need[i].field));
			nmiss++;
		}
		if (!nmiss) {
			json_decref(fields);
			continue;
		}
		if (json_is_integer(json_object_get(g, "number")))
			snprintf(why, sizeof(why), "goal %lld of plan %s is missing its %s",
			         (long long)json_integer_value(json_object_get(g, "number")),
			         pl_dataset__str(g, "plan") ? pl_dataset__str(g, "plan") : "(none)", missing);
		else
			snprintf(why, sizeof(why), "goal of plan %s is missing its %s",
			         pl_dataset__str(g, "plan") ? pl_dataset__str(g, "plan") : "(none)", missing);
		rc = add_to(x, "goal_incomplete", "goal", id, NULL, pl_dataset__str(plan, "school"), why,
		            PL_ACTION_COMPLETE_GOAL, fields);
		json_decref(fields);
		if (rc)
			return rc;
	}
	return 0;
}

static int has_evaluation(const json_t *e)
{
	const pl_guskey_level *lv = pl_schema_guskey_levels();
	json_t *ev = json_object_get(e, "evaluation");
	for (int i = 0; lv[i].field; i++)
		if (json_is_integer(json_object_get(ev, lv[i].field->name)))
			return 1;
	return 0;
}

static int rule_evaluation(ctx *x)
{
	const char *id;
	json_t *e;
	int rc;

	json_object_foreach(pl_dataset_kind(x->ds, "pd_entry"), id, e) {
		const char *st = pl_dataset__str(e, "status"), *date = entry_date(e), *staff = pl_dataset__str(e, "staff");
		long d;
		char why[300];

		if (!st || strcmp(st, "completed") || !date || has_evaluation(e) || !in_year(x, date))
			continue;
		if (pl_date_days(&d, date) || x->today_days - d < x->eval_days)
			continue;
		snprintf(why, sizeof(why), "completed %.10s, %ld days ago, and not evaluated",
		         date, x->today_days - d);
		if ((rc = add(x, "evaluation_missing", "pd_entry", id, staff, staff_school(x, staff), why)))
			return rc;
	}
	return 0;
}

/*
 * A completed entry whose district approval chain (plsync/chain.h) has a
 * step beyond Rule 4370.1's two without an approval: approved at a school
 * before the rule reached it, or completed by a plain change. The two
 * approvals of Rule 4370.1 are approval_missing's.
 */
static int rule_chain(ctx *x)
{
	const json_t *arules = pl_dataset_kind(x->ds, "approval_rule");
	const char *id;
	json_t *e;
	int rc;

	if (!json_object_size(arules))
		return 0;
	json_object_foreach(pl_dataset_kind(x->ds, "pd_entry"), id, e) {
		const char *st = pl_dataset__str(e, "status"), *staff = pl_dataset__str(e, "staff");
		char why[600];
		pl_chain c;
		int n = 0;

		if (!st || strcmp(st, "completed") || !in_year(x, entry_date(e)))
			continue;
		if ((rc = pl_chain_of(&c, arules, e, pl_dataset_get(x->ds, "staff", staff))))
			return rc;
		snprintf(why, sizeof(why), "completed without ");
		for (size_t i = 2; i < c.n; i++) {
			if (pl_chain_step_done(e, c.step[i]))
				continue;
			pl_dataset__cat(why, sizeof(why), "%sthe %s's approval (approval_rule %s)", n ? " and " : "",
			                pl_role_title(c.step[i]), c.rule[i] ? c.rule[i] : "?");
			n++;
		}
		if (!n)
			continue;
		pl_dataset__cat(why, sizeof(why), "; the district's approval chain asks for it before attending");
		if ((rc = add(x, "approval_chain_incomplete", "pd_entry", id, staff, staff_school(x, staff), why)))
			return rc;
	}
	return 0;
}

/* Required trainings (plsync/requirement.h) overdue or due within 30 days. */
static int rule_training(ctx *x)
{
	json_t *rows = NULL;
	size_t i;
	json_t *r;
	int rc;

	if (!json_object_size(pl_dataset_kind(x->ds, "requirement")))
		return 0;
	if ((rc = pl_compliance(&rows, x->ds, x->today, NULL, 30)))
		return rc;
	json_array_foreach(rows, i, r) {
		const char *state = pl_dataset__str(r, "state"), *due = pl_dataset__str(r, "due");
		const char *last = pl_dataset__str(r, "last");
		char why[600];
		int over = !strcmp(state, "overdue");

		if (!over && strcmp(state, "due_soon"))
			continue;
		snprintf(why, sizeof(why), "%s: required training \"%s\" %s%s%s", pl_dataset__str(r, "name"),
		         pl_dataset__str(r, "title"), over ? "overdue" : "due soon", due ? (over ? " since " : " on ") : "",
		         due ? due : "");
		pl_dataset__cat(why, sizeof(why), "; %s%s", last ? "last done " : "never done", last ? last : "");
		if ((rc = add(x, over ? "training_overdue" : "training_due_soon", "requirement",
		              pl_dataset__str(r, "requirement"), pl_dataset__str(r, "staff"),
		              pl_dataset__str(r, "school"), why)))
			break;
	}
	json_decref(rows);
	return rc;
}

/* Registrations of an offering, in registration order. */
struct seat {
	const char *id, *at;
};

static int cmp_seat(const void *a, const void *b)
{
	const struct seat *p = a, *q = b;
	int c = strcmp(p->at, q->at);
	return c ? c : strcmp(p->id, q->id);
}

/* An offering's registrations taken as seats (registration registered, not
 * rejected or cancelled) at every school, counted together: those past its
 * capacity in registration order. Each school filled the seats it could
 * see offline; a waitlisted registration is no seat and never a finding. */
static int rule_capacity(ctx *x)
{
	json_t *offerings = pl_dataset_kind(x->ds, "offering"), *entries = pl_dataset_kind(x->ds, "pd_entry");
	struct seat *v = calloc(json_object_size(entries) + 1, sizeof(*v));
	const char *oid, *id;
	json_t *off, *e;
	int rc = 0;

	if (!v)
		return pl_error_set(PL_ERROR, "out of memory");
	json_object_foreach(offerings, oid, off) {
		long long cap = pl_dataset__int(off, "capacity");
		size_t n = 0;
		char why[1024];

		if (cap <= 0)
			continue;
		json_object_foreach(entries, id, e) {
			const char *reg = pl_dataset__str(e, "registration"), *of = pl_dataset__str(e, "offering");
			if (!of || strcmp(of, oid) || !reg || strcmp(reg, "registered") || dead(e))
				continue;
			v[n].id = id;
			v[n].at = pl_dataset__str(e, "requested_at") ? pl_dataset__str(e, "requested_at") : "";
			n++;
		}
		if (n <= (size_t)cap)
			continue;
		qsort(v, n, sizeof(*v), cmp_seat);
		snprintf(why, sizeof(why), "%zu registered for %lld seats; past capacity, in registration order:",
		         n, cap);
		for (size_t k = (size_t)cap; k < n; k++) {
			const char *staff = pl_dataset__str(pl_dataset_get(x->ds, "pd_entry", v[k].id), "staff");
			pl_dataset__cat(why, sizeof(why), "%s %s (%s)", k > (size_t)cap ? "," : "", v[k].id,
			                staff ? staff : "?");
		}
		if ((rc = add(x, "offering_over_capacity", "offering", oid, NULL, NULL, why)))
			break;
	}
	free(v);
	return rc;
}

/* ---- driver ---- */

static int rule_index(const char *name)
{
	for (int i = 0; rules[i].name; i++)
		if (!strcmp(rules[i].name, name))
			return i;
	return 99;
}

static int cmp_finding(const void *a, const void *b)
{
	json_t *p = *(json_t *const *)a, *q = *(json_t *const *)b;
	int c = rule_index(pl_dataset__str(p, "rule")) - rule_index(pl_dataset__str(q, "rule"));
	const char *ps = pl_dataset__str(p, "school"), *qs = pl_dataset__str(q, "school");
	if (!c)
		c = strcmp(ps ? ps : "", qs ? qs : "");
	if (!c)
		c = strcmp(pl_dataset__str(p, "record"), pl_dataset__str(q, "record"));
	return c;
}

const pl_finding_rule *pl_finding_rules(void)
{
	return rules;
}

int pl_findings(json_t **out, const json_t *ds, const char *today, const pl_findings_options *opts)
{
	pl_findings_options defaults = PL_FINDINGS_OPTIONS_INIT;
	ctx x = { .ds = ds, .today = today };
	json_t **v = NULL, *sorted = NULL;
	size_t n;
	int rc;

	*out = NULL;
	if (!opts)
		opts = &defaults;
	if (opts->version != PL_FINDINGS_OPTIONS_VERSION)
		return pl_error_set(PL_EUSAGE, "pl_findings: options version %u, expected %u",
		                    opts->version, PL_FINDINGS_OPTIONS_VERSION);
	if ((rc = pl_date_days(&x.today_days, today)))
		return pl_error_prefix("today");
	if (opts->year && (rc = pl_school_year_bounds(x.from, x.to, opts->year)))
		return rc;
	x.year = opts->year;
	x.ood_max = opts->out_of_district_max > 0 ? opts->out_of_district_max : 2;
	x.window = opts->renewal_window_days > 0 ? opts->renewal_window_days : 180;
	x.cycle = opts->renewal_cycle_years > 0 ? opts->renewal_cycle_years : 5;
	x.eval_days = opts->evaluation_days > 0 ? opts->evaluation_days : 30;
	if (!(x.out = json_array()))
		return pl_error_set(PL_ERROR, "out of memory");
	if ((rc = rule_approval(&x)) || (rc = rule_approval_late(&x)) ||
	    (rc = rule_out_of_district(&x)) || (rc = rule_renewal(&x)) ||
	    (rc = rule_federal(&x)) || (rc = rule_followup(&x)) || (rc = rule_goal(&x)) ||
	    (rc = rule_evaluation(&x)) || (rc = rule_capacity(&x)) || (rc = rule_chain(&x)) ||
	    (rc = rule_training(&x)))
		goto cleanup;
	n = json_array_size(x.out);
	if (!(v = calloc(n + 1, sizeof(*v))) || !(sorted = json_array())) {
		rc = pl_error_set(PL_ERROR, "out of memory");
		goto cleanup;
	}
	for (size_t i = 0; i < n; i++)
		v[i] = json_array_get(x.out, i);
	qsort(v, n, sizeof(*v), cmp_finding);
	for (size_t i = 0; i < n; i++)
		json_array_append(sorted, v[i]);
	*out = sorted;
	sorted = NULL;
cleanup:
	free(v);
	json_decref(sorted);
	json_decref(x.out);
	return rc;
}
