/*
 * page-edit.c — GET/POST /new/KIND and /edit/ID: add or change a record of
 * any kind through the form the schema gives (form-field.c), written with
 * pl_store_change as the logged-in person. A refused write shows the form
 * again with what was typed and the library's message next to the field it
 * names (and at the top). GET /new lists the kinds this person may add.
 *
 * Who may write what:
 *  - a coordinator or admin: every kind;
 *  - a clerk: staff, pd_entry and plc_meeting records;
 *  - a teacher: adds PLC meetings, and edits their own PD request while
 *    it is requested and no one has decided on it (never its staff field);
 *  - anyone else, or another's record: 403 (a record one may not see: 404).
 * A pd_entry's workflow fields (status, requested_at, approvals,
 * evaluation) are never in the form: they change only through the
 * workflow's steps (page-record.c).
 */
#include <string.h>

#include "plsync/errors.h"
#include "plsync/json.h"
#include "plsync/schema.h"
#include "plsync/user.h"
#include "web.h"

static const char *const pd_skip[] = { "status", "requested_at", "approvals", "evaluation", NULL };
static const char *const pd_skip_own[] = { "status", "requested_at", "approvals", "evaluation", "staff", NULL };

static int is(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

/* May this person write kind `kind` (rec: the record to edit, NULL to add)? */
static int may_write(const web_req *r, const char *kind, const pl_record *rec)
{
	unsigned ro = r->user.roles;

	if (ro & (PL_USER_COORDINATOR | PL_USER_ADMIN))
		return 1;
	if ((ro & PL_USER_CLERK) && (is(kind, "staff") || is(kind, "pd_entry") || is(kind, "plc_meeting")))
		return 1;
	if ((ro & PL_USER_TEACHER) && is(kind, "plc_meeting") && !rec)
		return 1;
	/* a teacher's own request, while no one has decided on it: after a
	 * decision its cost and dates are what was approved */
	if ((ro & PL_USER_TEACHER) && is(kind, "pd_entry") && rec &&
	    is(json_string_value(json_object_get(rec->fields, "staff")), r->user.staff) &&
	    is(json_string_value(json_object_get(rec->fields, "status")), "requested") &&
	    !json_object_get(rec->fields, "approvals"))
		return 1;
	return 0;
}

static const char *const *skip_of(const web_req *r, const char *kind)
{
	if (!is(kind, "pd_entry"))
		return NULL;
	return r->user.roles & (PL_USER_COORDINATOR | PL_USER_ADMIN | PL_USER_CLERK) ? pd_skip : pd_skip_own;
}

static void form(web_req *r, const pl_kind_def *k, const pl_record *rec, int from_post, const web_form_errors *err)
{
	char title[200], action[PL_ID_MAX + 16];

	if (rec)
		snprintf(title, sizeof(title), "Edit %s %s", k->name, rec->id);
	else
		snprintf(title, sizeof(title), "Add %s", k->help);
	web_page_begin(r, title);
	if (err && err->message[0]) {
		char top[PL_ERROR_MSG_MAX + 32];
		snprintf(top, sizeof(top), "Not saved: %s", err->message);
		web_notice(r, "error", top);
	}
	if (rec)
		snprintf(action, sizeof(action), "/edit/%s", rec->id);
	else
		snprintf(action, sizeof(action), "/new/%s", k->name);
	web_form_begin(r, action);
	web_kind_fields(r, k, rec ? rec->fields : NULL, from_post, skip_of(r, k->name), err);
	web_input(r, "Why (optional, kept in the history)", "note", "text", from_post ? web_arg(r, "note") : "", 0);
	web_button(r, rec ? "Save the changes" : "Add", NULL, NULL);
	web_form_end(r);
	web_page_end(r);
}

/* A plan, goal or activity saved: back to its plan's page ("/plans/ID"). */
static void plan_of(char *where, size_t sz, web_req *r, const char *kind, const char *id)
{
	char cur[PL_ID_MAX + 1];
	pl_record *rec = NULL;

	snprintf(cur, sizeof(cur), "%s", id);
	if (is(kind, "plan")) {
		snprintf(where, sz, "/plans/%s", cur);
		return;
	}
	for (int hop = 0; hop < 2 && (is(kind, "goal") || is(kind, "activity")); hop++) {
		const char *up;
		if (pl_store_get_state(&rec, r->store, cur) || rec->deleted)
			break;
		up = json_string_value(json_object_get(rec->fields, is(rec->kind, "goal") ? "plan" : "goal"));
		if (!up || strlen(up) > PL_ID_MAX)
			break;
		if (is(rec->kind, "goal")) {
			snprintf(where, sz, "/plans/%s", up);
			break;
		}
		snprintf(cur, sizeof(cur), "%s", up);
		pl_record_free(rec);
		rec = NULL;
	}
	pl_record_free(rec);
}

static int save(web_req *r, const pl_kind_def *k, const pl_record *rec)
{
	web_form_errors err = { "", "" };
	json_t *flat = NULL, *nested = NULL;
	const char *note = web_arg(r, "note");
	char id[PL_ID_MAX + 1] = "", where[PL_ID_MAX + 16];
	int rc;

	if (web_kind_change(&flat, r, k, rec ? rec->fields : NULL, skip_of(r, k->name), &err)) {
		r->status = 422;
		form(r, k, rec, 1, &err);
		return 0;
	}
	if (!rec) {
		/* a create: no nulls (nothing to unset) */
		const char *key;
		json_t *v, *tmp;
		json_object_foreach_safe(flat, tmp, key, v)
			if (json_is_null(v))
				json_object_del(flat, key);
	}
	if (rec && json_object_size(flat) == 0) {
		json_decref(flat);
		snprintf(where, sizeof(where), "/records/%s", rec->id);
		return web_redirect(r, where);
	}
	if (!(nested = pl_json_unflatten(flat))) {
		json_decref(flat);
		return web_error(r, 400, "The form's fields could not be read.");
	}
	json_decref(flat);
	{
		pl_change ch = { rec ? PL_CHANGE_SET : PL_CHANGE_CREATE, rec ? NULL : k->name, rec ? rec->id : NULL,
		                 nested, note && *note ? note : NULL, NULL };
		rc = pl_store_change(r->store, r->user.actor, &ch, id);
	}
	json_decref(nested);
	if (rc) {
		web_error_field(&err, k, pl_error_last()->message);
		r->status = 422;
		form(r, k, rec, 1, &err);
		return 0;
	}
	snprintf(where, sizeof(where), "/records/%s", rec ? rec->id : id);
	plan_of(where, sizeof(where), r, k->name, rec ? rec->id : id);
	return web_redirect(r, where);
}

static void kind_list(web_req *r)
{
	const pl_kind_def *const *ks = pl_schema_kinds();

	web_page_begin(r, "Add a record");
	web_html(r, "<ul class=\"kinds\">\n");
	for (size_t i = 0; ks[i]; i++)
		if (may_write(r, ks[i]->name, NULL)) {
			web_html(r, "<li><a href=\"/new/");
			web_text(r, ks[i]->name);
			web_html(r, "\">");
			web_text(r, ks[i]->help);
			web_html(r, "</a></li>\n");
		}
	web_html(r, "</ul>\n");
	web_page_end(r);
}

int page_new(web_req *r, const char *kind)
{
	const pl_kind_def *k;
	int get = strcmp(r->method, "POST") != 0;

	if (!*kind && get) {
		kind_list(r);
		return 0;
	}
	if (!(k = pl_schema_kind(kind)))
		return web_error(r, 404, "There is no such kind of record.");
	if (!may_write(r, k->name, NULL))
		return web_error(r, 403, "Your role does not add this kind of record.");
	if (get) {
		form(r, k, NULL, 1, NULL);
		return 0;
	}
	return save(r, k, NULL);
}

int page_edit(web_req *r, const char *id)
{
	pl_record *rec = NULL;
	const pl_kind_def *k;
	int rc = 0;

	if (pl_store_get_state(&rec, r->store, id) || rec->deleted || !(k = pl_schema_kind(rec->kind))) {
		pl_record_free(rec);
		return web_error(r, 404, "There is no such record.");
	}
	if (!may_write(r, rec->kind, rec)) {
		pl_record_free(rec);
		return web_error(r, 403, "This record is not yours to change.");
	}
	if (strcmp(r->method, "POST"))
		form(r, k, rec, 0, NULL);
	else
		rc = save(r, k, rec);
	pl_record_free(rec);
	return rc;
}
