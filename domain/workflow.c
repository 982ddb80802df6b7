/*
 * workflow.c — the PD workflow (Rule 4370.1): request, approve, reject,
 * complete, evaluate, and the resolution of a conflict.
 *
 * The rules kept here:
 *  - a request starts as `requested`, with requested_at (the step's stamp
 *    unless the fields give one); status, approvals and evaluation are
 *    set only by the later steps, each its own op in the history;
 *  - the approver must be the staff member's recorded supervisor or
 *    budget_manager, read from the staff record in the same write;
 *  - each decision is one op setting approvals.<role>.by, .at, .decision
 *    (and .note), and .via: "login" when the actor is the approver's own
 *    web login ("Name (STAFF)..."), else "recorded" (someone recorded it
 *    for them); an approval makes the entry `approved` in that op only
 *    when the other role has approved already; a rejection makes it
 *    `rejected`; a completed, cancelled or rejected entry is not decided
 *    again, nor an approval given twice;
 *  - the district's approval_rule records may add steps to an entry's
 *    chain (plsync/chain.h): such a step's approver is the one the rule
 *    names; the entry becomes `approved` when every step of its chain has
 *    approved;
 *  - only an approved entry, its whole chain approved, is completed, only
 *    a completed one evaluated;
 *  - a resolution needs an open conflict.
 *
 * Every step reads the entry (and the staff record) with pl_write_get inside
 * the pl_store_write that writes its op: LMDB runs one writer at a time, so
 * a second process deciding on the same entry waits and then sees this op.
 * A step's function may be run again from the start when the map grows, so
 * it depends only on its options and the store (the clock is read before).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "plsync/chain.h"
#include "plsync/errors.h"
#include "plsync/json.h"
#include "plsync/schema.h"
#include "plsync/workflow.h"

struct step;
typedef int (*step_fn)(struct step *s, pl_write *w, const pl_record *entry);

/* One workflow call: its options, its result, and the rule it runs. */
struct step {
	const pl_workflow_options *o;
	pl_workflow_result        *out;
	step_fn                    run;
	int                        approve;   /* approve (1) or reject (0) */
	const char                *via;       /* approve, reject: "login" or "recorded" */
	const char                *stamp;     /* o->stamp, or the time read before the write */
	json_t                    *fields;    /* request: the entry's fields with its status */
	json_t                    *rules;     /* approve, reject, complete: {id: approval_rule} */
	char                       note[600]; /* evaluate: the op's note, made before the write */
};

static const char *const own_fields[] = { "status", "approvals", "evaluation", NULL };

/* ---- roles ---- */

static const struct {
	const char *key, *title;
} role_names[PL_ROLE_COUNT_] = {
	[PL_ROLE_NONE] = { "none", "none" },
	[PL_ROLE_SUPERVISOR] = { "supervisor", "supervisor" },
	[PL_ROLE_BUDGET] = { "budget", "budget manager" },
	[PL_ROLE_PRINCIPAL] = { "principal", "principal" },
	[PL_ROLE_FEDERAL] = { "federal_programs", "federal programs office" },
	[PL_ROLE_DISTRICT_PD] = { "district_pd", "district PD office" },
	[PL_ROLE_SUPERINTENDENT] = { "superintendent", "superintendent" },
};

pl_role pl_role_parse(const char *name)
{
	if (!name)
		return PL_ROLE_NONE;
	if (!strcmp(name, "budget_manager"))
		return PL_ROLE_BUDGET;
	for (int r = 1; r < PL_ROLE_COUNT_; r++)
		if (!strcmp(name, role_names[r].key))
			return (pl_role)r;
	return PL_ROLE_NONE;
}

pl_role pl_role_other(pl_role r)
{
	return r == PL_ROLE_SUPERVISOR ? PL_ROLE_BUDGET : PL_ROLE_SUPERVISOR;
}

const char *pl_role_key(pl_role r)
{
	return (unsigned)r < PL_ROLE_COUNT_ ? role_names[r].key : "none";
}

const char *pl_role_title(pl_role r)
{
	return (unsigned)r < PL_ROLE_COUNT_ ? role_names[r].title : "none";
}

const char *pl_role_field(pl_role r)
{
	return r == PL_ROLE_BUDGET ? "budget_manager" : r == PL_ROLE_SUPERVISOR ? "supervisor" : "none";
}

/* ---- small helpers ---- */

static void copy(char *dst, size_t sz, const char *src)
{
	snprintf(dst, sz, "%s", src ? src : "");
}

static int is(const char *s, const char *want)
{
	return s && !strcmp(s, want);
}

static const char *status_of(const pl_record *e)
{
	return json_string_value(json_object_get(e->fields, "status"));
}

/* approvals.<role>.<what> of an entry's fields, as text or NULL. */
static const char *approval(const json_t *fields, pl_role role, const char *what)
{
	const json_t *a = json_object_get(json_object_get(fields, "approvals"), pl_role_key(role));
	return json_string_value(json_object_get(a, what));
}

/* The current UTC time, RFC 3339, unless the caller gave a stamp. */
static const char *stamp_or_now(char buf[32], const char *stamp)
{
	time_t now;
	struct tm tm;

	if (stamp && *stamp)
		return stamp;
	now = time(NULL);
	gmtime_r(&now, &tm);
	snprintf(buf, 32, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
	         tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	return buf;
}

/* The caller's result (or scratch when it passed none), cleared. */
static pl_workflow_result *result_init(pl_workflow_result *out, pl_workflow_result *scratch)
{
	out = out ? out : scratch;
	memset(out, 0, sizeof(*out));
	return out;
}

static int options_check(const pl_workflow_options *o)
{
	if (!o || o->version != PL_WORKFLOW_OPTIONS_VERSION)
		return pl_error_set(PL_EUSAGE, "workflow options of version %u; this library takes %u",
		                    o ? o->version : 0, PL_WORKFLOW_OPTIONS_VERSION);
	return 0;
}

/* ---- one step in one write ---- */

/* The live pd_entry `id` as this write sees it. */
static int entry_in(pl_record **out, pl_write *w, const char *id, pl_workflow_result *res)
{
	pl_record *r = NULL;
	int rc = 0;

	*out = NULL;
	if (!id || !*id)
		return pl_error_set(PL_EUSAGE, "which pd_entry? no id given");
	if ((rc = pl_write_get(&r, w, id)))
		return rc;
	if (r->deleted) {
		res->reason = PL_WORKFLOW_DELETED;
		rc = pl_error_set(PL_EINVALID, "pd_entry %s was deleted", id);
	} else if (strcmp(r->kind, "pd_entry")) {
		res->reason = PL_WORKFLOW_NOT_ENTRY;
		rc = pl_error_set(PL_EINVALID, "%s is a %s, not a pd_entry", id, r->kind);
	}
	if (rc) {
		pl_record_free(r);
		return rc;
	}
	copy(res->id, sizeof(res->id), r->id);
	copy(res->status, sizeof(res->status), status_of(r));
	*out = r;
	return 0;
}

/* Write the step's one op on entry e (fields taken) and note the status it leaves. */
static int step_set(struct step *s, pl_write *w, const pl_record *e, json_t *fields, const char *status)
{
	pl_change ch = { PL_CHANGE_SET, "pd_entry", e->id, fields, s->out->note };
	int rc;

	if (!(rc = pl_write_change(w, &ch, NULL)) && status)
		copy(s->out->status, sizeof(s->out->status), status);
	json_decref(fields);
	return rc;
}

static int step_write_fn(pl_write *w, void *payload)
{
	struct step *s = payload;
	pl_record *entry = NULL;
	int rc;

	memset(s->out, 0, sizeof(*s->out));   /* a replayed write starts again */
	if (!(rc = entry_in(&entry, w, s->o->id, s->out)))
		rc = s->run(s, w, entry);
	pl_record_free(entry);
	return rc;
}

/* ---- request ---- */

const char *pl_workflow_own_field(const char *arg)
{
	for (int k = 0; arg && own_fields[k]; k++) {
		size_t n = strlen(own_fields[k]);
		if (!strncmp(arg, own_fields[k], n) && (arg[n] == '=' || arg[n] == '.'))
			return own_fields[k];
	}
	return NULL;
}

static int request_fn(pl_write *w, void *payload)
{
	struct step *s = payload;
	pl_change ch = { PL_CHANGE_CREATE, "pd_entry", s->o->id, s->fields, s->out->note };

	return pl_write_change(w, &ch, s->out->id);
}

/* The request's checks and its fields (into s->fields) and note. */
static int request_prepare(struct step *s, const pl_workflow_options *o, char now[32])
{
	const char *key;
	json_t *v;
	int rc;

	if ((rc = options_check(o)))
		return rc;
	if (!json_is_object(o->fields) || !json_object_size(o->fields))
		return pl_error_set(PL_EUSAGE, "a request needs the entry's fields: staff, title, type ...");
	json_object_foreach(o->fields, key, v) {
		for (int k = 0; own_fields[k]; k++)
			if (!strcmp(key, own_fields[k])) {
				s->out->reason = PL_WORKFLOW_OWN_FIELD;
				copy(s->out->field, sizeof(s->out->field), key);
				return pl_error_set(PL_EUSAGE, "pd_entry.%s: a request starts as requested; %s is "
				                    "set by the later steps (approve, reject, complete, evaluate)",
				                    key, key);
			}
	}
	if (!(s->fields = json_copy(o->fields)))
		return pl_error_set(PL_ERROR, "out of memory");
	json_object_set_new(s->fields, "status", json_string("requested"));
	/* when it was asked: the approvals may not be dated before it */
	if (!json_object_get(s->fields, "requested_at"))
		json_object_set_new(s->fields, "requested_at", json_string(stamp_or_now(now, o->stamp)));
	copy(s->out->note, sizeof(s->out->note), o->note ? o->note : "PD requested");
	return 0;
}

int pl_workflow_request(pl_store *st, const char *actor, const pl_workflow_options *o,
                        pl_workflow_result *out)
{
	pl_workflow_result scratch;
	struct step s = { o, result_init(out, &scratch) };
	char now[32];
	int rc;

	if (!(rc = request_prepare(&s, o, now)))
		rc = pl_store_write(st, actor, request_fn, &s);
	json_decref(s.fields);
	if (!rc)
		copy(s.out->status, sizeof(s.out->status), "requested");
	return rc;
}

int pl_workflow_request_in(pl_write *w, const pl_workflow_options *o, pl_workflow_result *out)
{
	pl_workflow_result scratch;
	struct step s = { o, result_init(out, &scratch) };
	char now[32];
	int rc;

	if (!(rc = request_prepare(&s, o, now)))
		rc = request_fn(w, &s);
	json_decref(s.fields);
	if (!rc)
		copy(s.out->status, sizeof(s.out->status), "requested");
	return rc;
}

/* ---- approve and reject ---- */

static int rule_cb(const pl_record *r, void *payload)
{
	return json_object_set(payload, r->id, r->fields) ? pl_error_set(PL_ERROR, "out of memory") : 0;
}

/* The approval_rule records, read before the write: a step's function may
 * run again, and a rule is the district's, not changed by this write. */
static int rules_load(json_t **out, pl_store *st)
{
	int rc;

	if (!(*out = json_object()))
		return pl_error_set(PL_ERROR, "out of memory");
	if ((rc = pl_store_foreach(st, "approval_rule", NULL, NULL, rule_cb, *out))) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

/* A chain step's approver is the one the district's rule names. */
static int chain_approver_check(struct step *s, const pl_record *e, const pl_chain *c)
{
	const pl_workflow_options *o = s->o;
	int i = pl_chain_find(c, o->role);

	copy(s->out->staff, sizeof(s->out->staff), json_string_value(json_object_get(e->fields, "staff")));
	if (i < 0) {
		s->out->reason = PL_WORKFLOW_REFUSED;
		return pl_error_set(PL_EINVALID, "pd_entry %s: the %s is not a step of its approval chain (no "
		                    "district approval rule applies that adds it)", e->id, pl_role_title(o->role));
	}
	if (!c->holder[i]) {
		s->out->reason = PL_WORKFLOW_NO_APPROVER;
		return pl_error_set(PL_EINVALID, "approval_rule %s names no approver for the %s step, so nobody "
		                    "can give that approval yet", c->rule[i] ? c->rule[i] : "?",
		                    pl_role_title(o->role));
	}
	if (strcmp(c->holder[i], o->by)) {
		s->out->reason = PL_WORKFLOW_NOT_APPROVER;
		copy(s->out->recorded, sizeof(s->out->recorded), c->holder[i]);
		return pl_error_set(PL_EINVALID, "%s is not the %s named by approval_rule %s (that is %s); ask %s",
		                    o->by, pl_role_title(o->role), c->rule[i] ? c->rule[i] : "?", c->holder[i],
		                    c->holder[i]);
	}
	return 0;
}

/* o->by must be the role's holder on the entry's staff record. */
static int approver_check(struct step *s, pl_write *w, const pl_record *e)
{
	const pl_workflow_options *o = s->o;
	pl_workflow_result *out = s->out;
	const char *staff_id = json_string_value(json_object_get(e->fields, "staff")), *recorded;
	pl_record *staff = NULL;
	int rc = 0;

	copy(out->staff, sizeof(out->staff), staff_id);
	if (!staff_id || pl_write_get(&staff, w, staff_id) || staff->deleted) {
		out->reason = PL_WORKFLOW_REFUSED;
		rc = pl_error_set(PL_EINVALID, "pd_entry %s: its staff member %s is not in the store; add the "
		                  "staff record first", e->id, staff_id ? staff_id : "(none)");
		goto cleanup;
	}
	copy(out->other_by, sizeof(out->other_by),
	     json_string_value(json_object_get(staff->fields, pl_role_field(pl_role_other(o->role)))));
	recorded = json_string_value(json_object_get(staff->fields, pl_role_field(o->role)));
	if (!recorded) {
		out->reason = PL_WORKFLOW_NO_APPROVER;
		rc = pl_error_set(PL_EINVALID, "staff %s has no recorded %s, so nobody can give that approval "
		                  "yet", staff_id, pl_role_title(o->role));
	} else if (strcmp(recorded, o->by)) {
		out->reason = PL_WORKFLOW_NOT_APPROVER;
		copy(out->recorded, sizeof(out->recorded), recorded);
		rc = pl_error_set(PL_EINVALID, "%s is not the recorded %s of %s (that is %s); ask %s", o->by,
		                  pl_role_title(o->role), staff_id, recorded, recorded);
	}
cleanup:
	pl_record_free(staff);
	return rc;
}

/* The entry's state allows this decision. */
static int decide_allowed(struct step *s, const pl_record *e)
{
	const char *status = status_of(e), *by;
	pl_role role = s->o->role;

	if (is(status, "completed") || is(status, "cancelled") || is(status, "rejected")) {
		s->out->reason = is(status, "rejected") ? PL_WORKFLOW_REJECTED : PL_WORKFLOW_REFUSED;
		return pl_error_set(PL_EINVALID, "pd_entry %s is %s; only a requested entry can be %s", e->id,
		                    status, s->approve ? "approved" : "rejected");
	}
	if (s->approve && is(status, "approved")) {
		s->out->reason = PL_WORKFLOW_REFUSED;
		pl_chain c;
		int longer = !pl_chain_of(&c, s->rules, e->fields, NULL) && c.n > 2;

		s->out->reason = PL_WORKFLOW_REFUSED;
		return pl_error_set(PL_EINVALID, "pd_entry %s is already approved by %s", e->id,
		                    longer ? "every step of its approval chain" :
		                    "both the supervisor and the budget manager");
	}
	if (s->approve && is(approval(e->fields, role, "decision"), "approved")) {
		pl_chain c;
		char missing[300] = "";

		if (!pl_chain_of(&c, s->rules, e->fields, NULL))
			pl_chain_missing_text(missing, sizeof(missing), &c, e->fields);
		by = approval(e->fields, role, "by");
		s->out->reason = PL_WORKFLOW_REFUSED;
		return pl_error_set(PL_EINVALID, "pd_entry %s already has the %s's approval (by %s); it is "
		                    "waiting for %s", e->id, pl_role_title(role), by ? by : "(null)",
		                    *missing ? missing : "the other approvals");
	}
	return 0;
}

/* Whether every step of chain c has approved once `role` has. */
static pl_role chain_next_after(const pl_chain *c, const json_t *fields, pl_role role)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->step[i] != role && !pl_chain_step_done(fields, c->step[i]))
			return c->step[i];
	return PL_ROLE_NONE;
}

static int decide_run(struct step *s, pl_write *w, const pl_record *e)
{
	const pl_workflow_options *o = s->o;
	pl_workflow_result *out = s->out;
	const char *status;
	json_t *fields, *appr, *staff_fields = NULL;
	pl_record *staff = NULL;
	pl_chain c;
	int rc;

	if ((rc = decide_allowed(s, e)))
		return rc;
	if (json_string_value(json_object_get(e->fields, "staff")) &&
	    !pl_write_get(&staff, w, json_string_value(json_object_get(e->fields, "staff"))) && !staff->deleted)
		staff_fields = staff->fields;
	rc = pl_chain_of(&c, s->rules, e->fields, staff_fields);
	if (!rc)
		rc = o->role > PL_ROLE_BUDGET ? chain_approver_check(s, e, &c) : approver_check(s, w, e);
	if (rc) {
		pl_record_free(staff);
		return rc;
	}
	appr = json_pack("{ss ss ss ss}", "by", o->by, "at", s->stamp, "decision",
	                 s->approve ? "approved" : "rejected", "via", s->via);
	if (o->note && *o->note)
		json_object_set_new(appr, "note", json_string(o->note));
	fields = json_pack("{s{so}}", "approvals", pl_role_key(o->role), appr);
	if (s->approve) {
		out->needs = chain_next_after(&c, e->fields, o->role);
		out->both = out->needs == PL_ROLE_NONE;
		if (c.n > 2 && !out->both) {
			/* the holder of the step still needed, for the program's hint */
			int i = pl_chain_find(&c, out->needs);
			copy(out->other_by, sizeof(out->other_by), i >= 0 ? c.holder[i] : NULL);
		}
		status = out->both ? "approved" : "requested";
	} else {
		status = "rejected";
	}
	pl_record_free(staff);   /* c.holder is not used past here */
	json_object_set_new(fields, "status", json_string(status));
	snprintf(out->note, sizeof(out->note), "%s %s by %s%s%s%s", pl_role_title(o->role),
	         s->approve ? "approval" : "rejection", o->by,
	         s->approve && out->both ? (c.n > 2 ? "; the approval chain is complete: approved" :
	                                    "; both approvals given: approved") : "",
	         o->note && *o->note ? ": " : "", o->note && *o->note ? o->note : "");
	return step_set(s, w, e, fields, status);
}

/*
 * The actor is the approver's own login: the web app's actor for a
 * logged-in staff member is "Name (STAFF)" or "Name (STAFF) <email>"
 * (web/page-login.c); anything else (the CLI's data-dir user) records the
 * decision for them.
 */
static int actor_is_staff(const char *actor, const char *staff)
{
	size_t n = strlen(staff);

	for (const char *p = actor ? strstr(actor, " (") : NULL; p; p = strstr(p + 1, " (")) {
		const char *end = p + 2 + n;
		if (!strncmp(p + 2, staff, n) && end[0] == ')' && (!end[1] || !strncmp(end + 1, " <", 2)))
			return 1;
	}
	return 0;
}

static int decide(pl_store *st, const char *actor, const pl_workflow_options *o,
                  pl_workflow_result *out, int approve)
{
	pl_workflow_result scratch;
	struct step s = { o, result_init(out, &scratch), decide_run, approve };
	char now[32];
	int rc;

	if ((rc = options_check(o)))
		return rc;
	if (o->role <= PL_ROLE_NONE || o->role >= PL_ROLE_COUNT_)
		return pl_error_set(PL_EUSAGE, "the role is supervisor, budget or a chain step (principal, "
		                    "federal_programs, district_pd, superintendent)");
	if (!o->by || !*o->by)
		return pl_error_set(PL_EUSAGE, "an approval or rejection needs who gives it (by)");
	if (!approve && (!o->note || !*o->note))
		return pl_error_set(PL_EUSAGE, "a rejection needs its reason (note)");
	s.stamp = stamp_or_now(now, o->stamp);
	if ((rc = rules_load(&s.rules, st)))
		return rc;
	s.via = actor_is_staff(actor, o->by) ? "login" : "recorded";
	rc = pl_store_write(st, actor, step_write_fn, &s);
	json_decref(s.rules);
	return rc;
}

int pl_workflow_approve(pl_store *st, const char *actor, const pl_workflow_options *o,
                        pl_workflow_result *out)
{
	return decide(st, actor, o, out, 1);
}

int pl_workflow_reject(pl_store *st, const char *actor, const pl_workflow_options *o,
                       pl_workflow_result *out)
{
	return decide(st, actor, o, out, 0);
}

/* ---- complete ---- */

/* Why an entry that is not approved cannot be completed. */
static int complete_refused(struct step *s, const pl_record *e)
{
	const char *status = status_of(e);
	int has_s = is(approval(e->fields, PL_ROLE_SUPERVISOR, "decision"), "approved");
	int has_b = is(approval(e->fields, PL_ROLE_BUDGET, "decision"), "approved");
	pl_chain c;
	int rc;

	if (is(status, "completed")) {
		s->out->reason = PL_WORKFLOW_COMPLETED;
		return pl_error_set(PL_EINVALID, "pd_entry %s is already completed", e->id);
	}
	if (is(status, "rejected") || is(status, "cancelled")) {
		s->out->reason = PL_WORKFLOW_REFUSED;
		return pl_error_set(PL_EINVALID, "pd_entry %s is %s and cannot be completed; PD attended "
		                    "anyway is a finding: record it with a new request", e->id, status);
	}
	if ((rc = pl_chain_of(&c, s->rules, e->fields, NULL)))
		return rc;
	if (has_s && has_b && pl_chain_next(&c, e->fields) != PL_ROLE_NONE) {
		char missing[300];
		pl_chain_missing_text(missing, sizeof(missing), &c, e->fields);
		s->out->reason = PL_WORKFLOW_UNAPPROVED;
		s->out->needs = pl_chain_next(&c, e->fields);
		return pl_error_set(PL_EINVALID, "pd_entry %s is %s, its approval chain not complete: it still "
		                    "needs the approval of %s", e->id, status ? status : "without a status",
		                    missing);
	}
	s->out->reason = PL_WORKFLOW_UNAPPROVED;
	s->out->needs = has_s ? PL_ROLE_BUDGET : PL_ROLE_SUPERVISOR;
	return pl_error_set(PL_EINVALID, "pd_entry %s is %s, not approved: it still needs %s", e->id,
	                    status ? status : "without a status",
	                    !has_s && !has_b ? "the supervisor's and the budget manager's approval" :
	                    !has_s ? "the supervisor's approval" : "the budget manager's approval");
}

static int complete_run(struct step *s, pl_write *w, const pl_record *e)
{
	const pl_workflow_options *o = s->o;
	pl_workflow_result *out = s->out;
	json_t *fields;
	pl_chain c;
	size_t n;
	int rc;

	if ((rc = pl_chain_of(&c, s->rules, e->fields, NULL)))
		return rc;
	/* an entry approved before a district rule reached this store still
	 * waits for the steps the rule adds: approval comes before attending */
	if (!is(status_of(e), "approved") || pl_chain_next(&c, e->fields) != PL_ROLE_NONE)
		return complete_refused(s, e);
	fields = json_pack("{ss ss}", "status", "completed", "hours", o->hours);
	if (o->credits)
		json_object_set_new(fields, "credits", json_string(o->credits));
	if (o->evidence)
		json_object_set_new(fields, "evidence", json_string(o->evidence));
	if (o->end) {
		json_object_set_new(fields, "end", json_string(o->end));
	} else if (!json_object_get(e->fields, "end")) {
		/* a one-day event ends the day it started; else it ends today */
		const char *start = json_string_value(json_object_get(e->fields, "start"));
		json_object_set_new(fields, "end", json_string(start && strcmp(start, o->today) <= 0 ?
		                                               start : o->today));
	}
	snprintf(out->note, sizeof(out->note), "completed: %s hours%s%s%s", o->hours,
	         o->credits ? ", " : "", o->credits ? o->credits : "", o->credits ? " credits" : "");
	n = strlen(out->note);
	if (o->note)
		snprintf(out->note + n, sizeof(out->note) - n, ": %s", o->note);
	return step_set(s, w, e, fields, "completed");
}

int pl_workflow_complete(pl_store *st, const char *actor, const pl_workflow_options *o,
                         pl_workflow_result *out)
{
	pl_workflow_result scratch;
	struct step s = { o, result_init(out, &scratch), complete_run };
	int rc;

	if ((rc = options_check(o)))
		return rc;
	if (!o->hours)
		return pl_error_set(PL_EUSAGE, "completing PD needs its contact hours");
	if (!o->today || !*o->today)
		return pl_error_set(PL_EUSAGE, "completing PD needs today's date (for the default end)");
	if ((rc = rules_load(&s.rules, st)))
		return rc;
	rc = pl_store_write(st, actor, step_write_fn, &s);
	json_decref(s.rules);
	return rc;
}

/* ---- evaluate ---- */

const char *pl_workflow_level(size_t i)
{
	const pl_guskey_level *l = pl_schema_guskey_levels();

	for (size_t n = 0; n < i && l->field; n++)
		l++;
	return l->field ? l->field->name : NULL;
}

static int is_level(const char *name)
{
	for (size_t i = 0; pl_workflow_level(i); i++)
		if (!strcmp(pl_workflow_level(i), name))
			return 1;
	return 0;
}

/* "evaluated: reaction=5 learning=4[: note]" from the levels in their order. */
static int evaluation_note(char note[600], const pl_workflow_options *o)
{
	const char *level;
	json_t *v;
	size_t n;

	snprintf(note, 600, "evaluated:");
	if (!json_is_object(o->fields) || !json_object_size(o->fields))
		return pl_error_set(PL_EUSAGE, "an evaluation needs at least one Guskey level");
	json_object_foreach(o->fields, level, v) {
		char num[32];
		const char *text = json_string_value(v);

		if (!is_level(level))
			return pl_error_set(PL_EUSAGE, "'%s' is not a Guskey level", level);
		if (!text && json_is_number(v)) {
			pl_json_number(num, v);
			text = num;
		}
		if (!text)
			return pl_error_set(PL_EUSAGE, "evaluation.%s: give a number from 1 to 5", level);
		n = strlen(note);
		snprintf(note + n, 600 - n, " %s=%s", level, text);
	}
	n = strlen(note);
	if (o->note)
		snprintf(note + n, 600 - n, ": %s", o->note);
	return 0;
}

static int evaluate_run(struct step *s, pl_write *w, const pl_record *e)
{
	const char *status = status_of(e);
	json_t *ev, *fields;

	if (!is(status, "completed")) {
		s->out->reason = PL_WORKFLOW_NOT_COMPLETED;
		return pl_error_set(PL_EINVALID, "pd_entry %s is %s; only completed PD is evaluated", e->id,
		                    status ? status : "without a status");
	}
	ev = json_copy(s->o->fields);
	json_object_set_new(ev, "at", json_string(s->stamp));
	fields = json_pack("{so}", "evaluation", ev);
	copy(s->out->note, sizeof(s->out->note), s->note);
	return step_set(s, w, e, fields, NULL);
}

int pl_workflow_evaluate(pl_store *st, const char *actor, const pl_workflow_options *o,
                         pl_workflow_result *out)
{
	pl_workflow_result scratch;
	struct step s = { o, result_init(out, &scratch), evaluate_run };
	char now[32];
	int rc;

	if ((rc = options_check(o)) || (rc = evaluation_note(s.note, o)))
		return rc;
	s.stamp = stamp_or_now(now, o->stamp);
	return pl_store_write(st, actor, step_write_fn, &s);
}

/* ---- resolve ---- */

/*
 * Record r has an open conflict. Inside a write, pl_store_conflicts reads
 * the heads' ops in a read transaction of its own (the store's reads are
 * not tied to the thread): it sees the store as this write found it, which
 * is what the rule is about, since no other write can commit meanwhile.
 */
static int conflict_check(pl_store *st, const pl_record *r, pl_workflow_result *out)
{
	json_t *c = NULL;
	int rc;

	if ((rc = pl_store_conflicts(&c, st, r)))
		return rc;
	copy(out->id, sizeof(out->id), r->id);
	if (!c) {
		out->reason = PL_WORKFLOW_NO_CONFLICT;
		return pl_error_set(PL_EINVALID, "%s has no open conflict", r->id);
	}
	json_decref(c);
	return 0;
}

static int resolve_fn(pl_write *w, void *payload)
{
	struct step *s = payload;
	pl_record *r = NULL;
	int rc;

	memset(s->out, 0, sizeof(*s->out));
	if (!(rc = pl_write_get(&r, w, s->o->id)) &&
	    !(rc = conflict_check(pl_write_store(w), r, s->out))) {
		/* a local change names every head of the record in its base */
		pl_change ch = { PL_CHANGE_SET, NULL, r->id, s->o->fields,
		                 s->o->note ? s->o->note : "resolve conflict" };
		rc = pl_write_change(w, &ch, NULL);
	}
	pl_record_free(r);
	return rc;
}

int pl_workflow_resolve(pl_store *st, const char *actor, const pl_workflow_options *o,
                        pl_workflow_result *out)
{
	pl_workflow_result scratch;
	struct step s = { o, result_init(out, &scratch) };
	pl_record *r = NULL;
	int rc;

	if ((rc = options_check(o)))
		return rc;
	if (!o->id || !*o->id)
		return pl_error_set(PL_EUSAGE, "which record? no id given");
	if (o->fields)
		return pl_store_write(st, actor, resolve_fn, &s);
	if (!(rc = pl_store_get(&r, st, o->id)))
		rc = conflict_check(st, r, s.out);
	pl_record_free(r);
	return rc;
}
