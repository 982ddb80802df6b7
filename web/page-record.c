/*
 * page-record.c — GET /records/ID: one record (its fields, its history,
 * and for a pd_entry the forms of the steps this person may take), and
 * POST /records/ID/approve|reject|complete|evaluate: those steps, through
 * the library's workflow calls (plsync/workflow.h) with the logged-in
 * person as the op's actor.
 *
 * Who may do what:
 *  - approve, reject: `by` is always the logged-in person's staff id, and
 *    pl_workflow_approve/reject refuse anyone who is not the entry's
 *    recorded supervisor or budget manager: the button is shown only to
 *    them, and a forged POST by anyone else is refused by that rule;
 *  - complete: a clerk or coordinator;
 *  - evaluate: the entry's own staff member, or a clerk;
 *  - seeing a record: web_sees_all, or a staff or pd_entry record of a
 *    staff member web_sees_staff allows (anyone else gets 404, as for a
 *    missing one).
 */
#include <stdlib.h>
#include <string.h>

#include "plsync/errors.h"
#include "plsync/json.h"
#include "plsync/render.h"
#include "plsync/schema.h"
#include "plsync/user.h"
#include "plsync/workflow.h"
#include "web.h"

static const char *field(const pl_record *e, const char *name)
{
	return json_string_value(json_object_get(e->fields, name));
}

/* The record if this person may see it (else NULL: 404). */
static pl_record *record_for(web_req *r, const char *id)
{
	pl_record *rec = NULL;

	if (pl_store_get_state(&rec, r->store, id) || rec->deleted) {
		pl_record_free(rec);
		return NULL;
	}
	if (web_sees_all(r) || (!strcmp(rec->kind, "staff") && web_sees_staff(r, rec->id)) ||
	    (!strcmp(rec->kind, "pd_entry") && web_sees_staff(r, field(rec, "staff"))))
		return rec;
	pl_record_free(rec);
	return NULL;
}

static char *leaf_text(const json_t *v)
{
	char num[32];

	if (json_is_string(v))
		return strdup(json_string_value(v));
	if (json_is_number(v)) {
		pl_json_number(num, v);
		return strdup(num);
	}
	if (json_is_true(v) || json_is_false(v))
		return strdup(json_is_true(v) ? "yes" : "no");
	if (json_is_array(v)) {
		size_t i, n = 0;
		json_t *x;
		char *out = calloc(1, 1);
		json_array_foreach(v, i, x) {
			char *t = leaf_text(x), *grown;
			if (!t || !out || !(grown = realloc(out, n + strlen(t) + 3))) {
				free(t);
				free(out);
				return NULL;
			}
			out = grown;
			n += (size_t)sprintf(out + n, "%s%s", i ? ", " : "", t);
			free(t);
		}
		return out;
	}
	return strdup("");
}

static void fields_table(web_req *r, const pl_record *rec)
{
	json_t *flat = json_object();
	const char **keys;
	size_t n;

	pl_json_flatten(flat, rec->fields);
	keys = pl_json_keys(flat, &n);
	web_html(r, "<table class=\"fields\">\n");
	for (size_t i = 0; keys && i < n; i++) {
		char *t = leaf_text(json_object_get(flat, keys[i]));
		web_html(r, "<tr><th>");
		web_text(r, keys[i]);
		web_html(r, "</th><td>");
		if (t)
			pl_html_lines(r->out, t);
		web_html(r, "</td></tr>\n");
		free(t);
	}
	web_html(r, "</table>\n");
	free(keys);
	json_decref(flat);
}

static int history_cb(const pl_op *op, const pl_oid *opid, void *payload)
{
	web_req *r = payload;
	char when[32];

	pl_hlc_fmt(when, op->hlc);
	web_html(r, "<tr><td>");
	web_text(r, when);
	web_html(r, "</td><td>");
	web_text(r, op->actor);
	web_html(r, "</td><td>");
	web_text(r, op->note ? op->note : op->type == PL_OP_DEL ? "deleted" : "changed");
	web_html(r, "</td></tr>\n");
	return 0;
}

static int approved_by(const pl_record *e, pl_role role)
{
	const char *d = json_string_value(json_object_get(
		json_object_get(json_object_get(e->fields, "approvals"), pl_role_key(role)), "decision"));
	return d && !strcmp(d, "approved");
}

/* The decision forms for each role the person holds on this entry. */
static void decide_forms(web_req *r, const pl_record *e)
{
	pl_record *staff = NULL;
	const char *st = field(e, "status");
	char action[PL_ID_MAX + 32];

	if (!st || strcmp(st, "requested") || !field(e, "staff") ||
	    pl_store_get_state(&staff, r->store, field(e, "staff")) || staff->deleted) {
		pl_record_free(staff);
		return;
	}
	for (pl_role role = PL_ROLE_SUPERVISOR; role <= PL_ROLE_BUDGET; role++) {
		const char *holder = json_string_value(json_object_get(staff->fields, pl_role_field(role)));
		char label[64];
		if (!holder || strcmp(holder, r->user.staff) || approved_by(e, role))
			continue;
		web_html(r, "<fieldset><legend>Your decision as %s</legend>\n", pl_role_title(role));
		snprintf(action, sizeof(action), "/records/%s/approve", e->id);
		web_form_begin(r, action);
		web_html(r, "<input type=\"hidden\" name=\"role\" value=\"%s\">", pl_role_key(role));
		web_input(r, "Note (optional)", "note", "text", "", 0);
		snprintf(label, sizeof(label), "Approve as %s", pl_role_title(role));
		web_button(r, label, NULL, NULL);
		web_form_end(r);
		snprintf(action, sizeof(action), "/records/%s/reject", e->id);
		web_form_begin(r, action);
		web_html(r, "<input type=\"hidden\" name=\"role\" value=\"%s\">", pl_role_key(role));
		web_input(r, "Reason", "note", "text", "", 1);
		snprintf(label, sizeof(label), "Reject as %s", pl_role_title(role));
		web_button(r, label, NULL, NULL);
		web_form_end(r);
		web_html(r, "</fieldset>\n");
	}
	pl_record_free(staff);
}

static int may_complete(const web_req *r)
{
	return (r->user.roles & (PL_USER_CLERK | PL_USER_COORDINATOR)) != 0;
}

static int may_evaluate(const web_req *r, const pl_record *e)
{
	const char *staff = field(e, "staff");

	return (r->user.roles & PL_USER_CLERK) || (staff && !strcmp(staff, r->user.staff));
}

static void step_forms(web_req *r, const pl_record *e)
{
	const char *st = field(e, "status");
	char action[PL_ID_MAX + 32];
	static const char *const levels[] = { "", "—", "1", "1", "2", "2", "3", "3", "4", "4", "5", "5", NULL };

	decide_forms(r, e);
	if (st && !strcmp(st, "approved") && may_complete(r)) {
		web_html(r, "<fieldset><legend>Complete</legend>\n");
		snprintf(action, sizeof(action), "/records/%s/complete", e->id);
		web_form_begin(r, action);
		web_input(r, "Contact hours", "hours", "number", "", 1);
		web_input(r, "Credits (optional)", "credits", "number", "", 0);
		web_input(r, "Last day (optional)", "end", "date", "", 0);
		web_input(r, "Evidence (optional)", "evidence", "text", "", 0);
		web_button(r, "Mark completed", NULL, NULL);
		web_form_end(r);
		web_html(r, "</fieldset>\n");
	}
	if (st && !strcmp(st, "completed") && may_evaluate(r, e) && !json_object_get(e->fields, "evaluation")) {
		const pl_guskey_level *g = pl_schema_guskey_levels();
		web_html(r, "<fieldset><legend>Evaluate (Guskey's levels, 1 to 5)</legend>\n");
		snprintf(action, sizeof(action), "/records/%s/evaluate", e->id);
		web_form_begin(r, action);
		for (; g && g->field; g++)
			web_select(r, g->title, g->field->name, levels, "");
		web_input(r, "Comment (optional)", "note", "text", "", 0);
		web_button(r, "Save the evaluation", NULL, NULL);
		web_form_end(r);
		web_html(r, "</fieldset>\n");
	}
}

static int show(web_req *r, const char *id, const char *msg, const char *cls)
{
	pl_record *rec = record_for(r, id);
	char title[200];

	if (!rec)
		return web_error(r, 404, "There is no such record, or it is not yours to see.");
	snprintf(title, sizeof(title), "%s %s", rec->kind, rec->id);
	if (field(rec, "title"))
		snprintf(title, sizeof(title), "%s", field(rec, "title"));
	else if (field(rec, "name"))
		snprintf(title, sizeof(title), "%s", field(rec, "name"));
	web_page_begin(r, title);
	if (msg)
		web_notice(r, cls, msg);
	web_html(r, "<p class=\"muted\">");
	web_text(r, rec->kind);
	web_html(r, " ");
	web_text(r, rec->id);
	web_html(r, "</p>\n");
	if (!strcmp(rec->kind, "pd_entry")) {
		web_html(r, "<p class=\"status\">Status: ");
		web_text(r, web_next_step(rec));
		web_html(r, "</p>\n");
	}
	fields_table(r, rec);
	web_html(r, "<p><a href=\"/edit/");
	web_text(r, rec->id);
	web_html(r, "\">Edit</a></p>\n");
	if (!strcmp(rec->kind, "pd_entry"))
		step_forms(r, rec);
	if (!strcmp(rec->kind, "staff")) {
		web_html(r, "<p><a href=\"/transcript?staff=");
		web_text(r, rec->id);
		web_html(r, "\">Transcript</a></p>\n");
	}
	web_html(r, "<h2>History</h2>\n<table><tr><th>When (UTC)</th><th>Who</th><th>What</th></tr>\n");
	pl_store_log(r->store, rec->id, history_cb, r);
	web_html(r, "</table>\n");
	web_page_end(r);
	pl_record_free(rec);
	return 0;
}

int page_record(web_req *r, const char *id)
{
	return show(r, id, NULL, NULL);
}

/* A refused step: the record again with the library's message; 403 when
 * the rule says this person is not the approver, else 422. */
static int refused(web_req *r, const char *id, const pl_workflow_result *res)
{
	char msg[PL_ERROR_MSG_MAX + 32];
	int status = res->reason == PL_WORKFLOW_NOT_APPROVER || res->reason == PL_WORKFLOW_NO_APPROVER ? 403 : 422;

	snprintf(msg, sizeof(msg), "Not done: %s", pl_error_last()->message);
	show(r, id, msg, "error");
	r->status = status;
	return 0;
}

static const char *nonempty(const char *s)
{
	return s && *s ? s : NULL;
}

int page_record_action(web_req *r, const char *id, const char *action)
{
	pl_workflow_options o = PL_WORKFLOW_OPTIONS_INIT;
	pl_workflow_result res = { 0 };
	pl_record *rec = record_for(r, id);
	char where[PL_ID_MAX + 16];
	int rc;

	if (!rec)
		return web_error(r, 404, "There is no such record, or it is not yours to see.");
	o.id = id;
	o.stamp = r->cfg->today;
	if (!strcmp(action, "approve") || !strcmp(action, "reject")) {
		o.role = pl_role_parse(web_arg(r, "role"));
		o.by = r->user.staff;
		o.note = nonempty(web_arg(r, "note"));
		rc = (!strcmp(action, "approve") ? pl_workflow_approve : pl_workflow_reject)(
			r->store, r->user.actor, &o, &res);
	} else if (!strcmp(action, "complete")) {
		if (!may_complete(r)) {
			pl_record_free(rec);
			return web_error(r, 403, "Only a clerk or the coordinator marks PD completed.");
		}
		o.hours = nonempty(web_arg(r, "hours"));
		o.credits = nonempty(web_arg(r, "credits"));
		o.evidence = nonempty(web_arg(r, "evidence"));
		o.end = nonempty(web_arg(r, "end"));
		o.today = r->today;
		rc = o.hours ? pl_workflow_complete(r->store, r->user.actor, &o, &res) :
		     pl_error_set(PL_EUSAGE, "give the contact hours");
	} else if (!strcmp(action, "evaluate")) {
		const pl_guskey_level *g = pl_schema_guskey_levels();
		if (!may_evaluate(r, rec)) {
			pl_record_free(rec);
			return web_error(r, 403, "Only the participant (or a clerk) evaluates their PD.");
		}
		o.fields = json_object();
		for (; g && g->field; g++) {
			const char *v = nonempty(web_arg(r, g->field->name));
			if (v)
				json_object_set_new(o.fields, g->field->name, json_string(v));
		}
		o.note = nonempty(web_arg(r, "note"));
		rc = pl_workflow_evaluate(r->store, r->user.actor, &o, &res);
		json_decref(o.fields);
	} else {
		pl_record_free(rec);
		return web_error(r, 404, "There is no such page.");
	}
	pl_record_free(rec);
	if (rc)
		return refused(r, id, &res);
	snprintf(where, sizeof(where), "/records/%s", id);
	return web_redirect(r, where);
}
