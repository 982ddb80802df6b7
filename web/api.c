/*
 * api.c — the JSON API under /api/v1/ (README "The JSON API"): the same
 * library calls as the pages, the same rules, answers in JSON.
 *
 *   GET   /api/v1/records?kind=K[&staff=ID]    {"records": [record...]}
 *   GET   /api/v1/records/ID                   record
 *   POST  /api/v1/records  {"kind", "id"?, "fields", "note"?}   201 record
 *         (a pd_entry is a request: pl_workflow_request, as the request page)
 *   PATCH /api/v1/records/ID, or POST /api/v1/records/ID/set
 *         {"fields": {...}, "note"?}            record
 *   POST  /api/v1/records/ID/approve|reject    {"role", "note"?}
 *   POST  /api/v1/records/ID/complete          {"hours", "credits"?, "evidence"?, "end"?}
 *   POST  /api/v1/records/ID/evaluate          {"fields": {level: value}, "note"?}
 *
 * A record is {"id", "kind", "owner", "fields"}. An error is
 * {"error": {"code", "field"?, "message"}} with 400 (invalid, usage), 401
 * (no session or token), 403 (refused: not yours, not the approver, no CSRF
 * header), 404 (no such record or not yours to see), 409 (exists, or the
 * workflow's state refuses the step), 415 (not JSON).
 *
 * Auth: the session cookie, and then a state-changing request must carry
 * the session's CSRF token in the header X-CSRF-Token; or "Authorization:
 * Bearer TOKEN" (plsync user token), which needs no CSRF token: a browser
 * never sends it by itself.
 */
#include <ctype.h>
#include <string.h>

#include <microhttpd.h>
#include <sodium.h>

#include "plsync/errors.h"
#include "plsync/json.h"
#include "plsync/schema.h"
#include "plsync/user.h"
#include "plsync/workflow.h"
#include "web.h"

static int answer(web_req *r, int status, json_t *doc)
{
	char *text = doc ? pl_json_canonical(doc) : NULL;

	r->status = status;
	if (text)
		fputs(text, r->out);
	fputc('\n', r->out);
	free(text);
	json_decref(doc);
	return 0;
}

static int fail(web_req *r, int status, const char *code, const char *field, const char *msg)
{
	json_t *e = json_pack("{ss ss}", "code", code, "message", msg);

	if (field && *field)
		json_object_set_new(e, "field", json_string(field));
	return answer(r, status, json_pack("{so}", "error", e));
}

/* The field a schema message names ("pd_entry.hours: ..."), into buf; "" if none. */
static const char *field_of(char *buf, size_t sz, const char *msg)
{
	const char *p = msg, *dot = NULL;

	buf[0] = '\0';
	while (*p && (islower((unsigned char)*p) || *p == '_' || *p == '.' || isdigit((unsigned char)*p))) {
		if (*p == '.' && !dot)
			dot = p;
		p++;
	}
	if (dot && p[0] == ':' && p[1] == ' ' && (size_t)(p - dot) <= sz)
		snprintf(buf, sz, "%.*s", (int)(p - dot - 1), dot + 1);
	return buf;
}

/* The library's refusal (rc, and the workflow's reason if any) as its HTTP answer. */
static int refused(web_req *r, int rc, int reason)
{
	const pl_error *e = pl_error_last();
	char field[64];
	int status = 400;
	const char *code = "invalid";

	field_of(field, sizeof(field), e->message);
	if (reason == PL_WORKFLOW_NOT_APPROVER || reason == PL_WORKFLOW_NO_APPROVER) {
		status = 403, code = "refused";
	} else if (reason == PL_WORKFLOW_OWN_FIELD) {
		status = 400, code = "invalid";
	} else if (reason != PL_WORKFLOW_OK) {
		status = 409, code = "state";
	} else if (rc == PL_ENOTFOUND) {
		status = 404, code = "not_found";
	} else if (rc == PL_EEXISTS || rc == PL_ECONFLICT) {
		status = 409, code = "exists";
	} else if (rc == PL_EUSAGE) {
		code = "usage";
	} else if (rc != PL_EINVALID) {
		status = 500, code = "error";
	}
	return fail(r, status, code, field, e->message);
}

static json_t *record_json(const pl_record *rec)
{
	return json_pack("{ss ss ss sO}", "id", rec->id, "kind", rec->kind, "owner", rec->owner ? rec->owner : "",
	                 "fields", rec->fields);
}

/* The user may see rec: as the record page allows. */
static int visible(web_req *r, const pl_record *rec)
{
	if (rec->deleted)
		return 0;
	if (web_sees_all(r))
		return 1;
	if (!strcmp(rec->kind, "staff"))
		return web_sees_staff(r, rec->id);
	if (!strcmp(rec->kind, "pd_entry"))
		return web_sees_staff(r, json_string_value(json_object_get(rec->fields, "staff")));
	return 0;
}

/* The record of id if the user may see it, else NULL. */
static pl_record *record_for(web_req *r, const char *id)
{
	pl_record *rec = NULL;

	if (pl_store_get_state(&rec, r->store, id) || !visible(r, rec)) {
		pl_error_clear();
		pl_record_free(rec);
		return NULL;
	}
	return rec;
}

static int one(web_req *r, const char *id, int status)
{
	pl_record *rec = record_for(r, id);

	if (!rec)
		return fail(r, 404, "not_found", NULL, "no such record, or not yours to see");
	answer(r, status, record_json(rec));
	pl_record_free(rec);
	return 0;
}

struct list {
	web_req    *r;
	const char *staff;
	json_t     *out;
};

static int list_one(const pl_record *rec, void *payload)
{
	struct list *l = payload;

	if (visible(l->r, rec) &&
	    (!l->staff || !strcmp(l->staff, !strcmp(rec->kind, "staff") ? rec->id :
	                          json_string_value(json_object_get(rec->fields, "staff")) ?
	                          json_string_value(json_object_get(rec->fields, "staff")) : "")))
		json_array_append_new(l->out, record_json(rec));
	return 0;
}

static int list(web_req *r)
{
	const char *kind = web_arg(r, "kind");
	struct list l = { r, web_arg(r, "staff"), json_array() };
	int rc;

	if (!kind || !pl_schema_kind(kind)) {
		json_decref(l.out);
		return fail(r, 400, "usage", "kind", "give ?kind= one of the record kinds (pd_entry, staff, ...)");
	}
	if ((rc = pl_store_foreach(r->store, kind, NULL, NULL, list_one, &l))) {
		json_decref(l.out);
		return refused(r, rc, 0);
	}
	return answer(r, 200, json_pack("{so}", "records", l.out));
}

static const char *str(const json_t *body, const char *key)
{
	const json_t *v = json_object_get(body, key);
	return json_is_string(v) && *json_string_value(v) ? json_string_value(v) : NULL;
}

static int create(web_req *r, json_t *body)
{
	const char *kind = str(body, "kind");
	json_t *fields = json_object_get(body, "fields");
	char id[PL_ID_MAX + 1] = "";
	int rc;

	if (!kind || !pl_schema_kind(kind))
		return fail(r, 400, "usage", "kind", "give \"kind\": one of the record kinds (pd_entry, staff, ...)");
	if (!json_is_object(fields))
		return fail(r, 400, "usage", "fields", "give \"fields\": an object of the record's fields");
	if (!strcmp(kind, "pd_entry")) {
		pl_workflow_options o = PL_WORKFLOW_OPTIONS_INIT;
		pl_workflow_result res = { 0 };
		const char *staff = str(fields, "staff");
		json_t *f = json_deep_copy(fields);

		/* a teacher requests for themselves, as on the request page */
		if (!web_sees_all(r) || !staff)
			json_object_set_new(f, "staff", json_string(r->user.staff));
		o.id = str(body, "id");
		o.fields = f;
		o.note = str(body, "note");
		o.stamp = r->cfg->today;
		rc = pl_workflow_request(r->store, r->user.actor, &o, &res);
		json_decref(f);
		if (rc)
			return refused(r, rc, res.reason);
		return one(r, res.id, 201);
	}
	if (!web_sees_all(r))
		return fail(r, 403, "refused", NULL, "only a clerk, the coordinator or an admin adds records of that kind");
	{
		pl_change ch = { PL_CHANGE_CREATE, kind, str(body, "id"), fields, str(body, "note"), NULL };
		if ((rc = pl_store_change(r->store, r->user.actor, &ch, id)))
			return refused(r, rc, 0);
	}
	return one(r, id, 201);
}

static int set(web_req *r, const char *id, json_t *body)
{
	json_t *fields = json_object_get(body, "fields");
	pl_record *rec = record_for(r, id);
	const char *key, *own;
	char arg[160];
	json_t *v;
	int rc, entry;

	if (!rec)
		return fail(r, 404, "not_found", NULL, "no such record, or not yours to see");
	entry = !strcmp(rec->kind, "pd_entry");
	pl_record_free(rec);
	if (!json_is_object(fields))
		return fail(r, 400, "usage", "fields", "give \"fields\": an object of the fields to set");
	if (!web_sees_all(r))
		return fail(r, 403, "refused", NULL, "only a clerk, the coordinator or an admin changes a record's "
		            "fields; the workflow's steps have their own calls");
	json_object_foreach(fields, key, v)
		if (entry && (snprintf(arg, sizeof(arg), "%s=", key), own = pl_workflow_own_field(arg)) != NULL) {
			char msg[200];
			snprintf(msg, sizeof(msg), "%s is the workflow's: use the approve, reject, complete or "
			         "evaluate call", own);
			return fail(r, 400, "invalid", own, msg);
		}
	{
		pl_change ch = { PL_CHANGE_SET, NULL, id, fields, str(body, "note"), NULL };
		if ((rc = pl_store_change(r->store, r->user.actor, &ch, NULL)))
			return refused(r, rc, 0);
	}
	return one(r, id, 200);
}

static int step(web_req *r, const char *id, const char *action, json_t *body)
{
	pl_workflow_options o = PL_WORKFLOW_OPTIONS_INIT;
	pl_workflow_result res = { 0 };
	pl_record *rec = record_for(r, id);
	int rc;

	if (!rec)
		return fail(r, 404, "not_found", NULL, "no such record, or not yours to see");
	o.id = id;
	o.stamp = r->cfg->today;
	o.note = str(body, "note");
	if (!strcmp(action, "approve") || !strcmp(action, "reject")) {
		o.role = pl_role_parse(str(body, "role"));
		o.by = r->user.staff;
		if (!o.role) {
			pl_record_free(rec);
			return fail(r, 400, "usage", "role", "give \"role\": supervisor or budget_manager");
		}
		rc = (!strcmp(action, "approve") ? pl_workflow_approve : pl_workflow_reject)(r->store, r->user.actor,
		                                                                          &o, &res);
	} else if (!strcmp(action, "complete")) {
		if (!(r->user.roles & (PL_USER_CLERK | PL_USER_COORDINATOR))) {
			pl_record_free(rec);
			return fail(r, 403, "refused", NULL, "only a clerk or the coordinator marks PD completed");
		}
		o.hours = str(body, "hours");
		o.credits = str(body, "credits");
		o.evidence = str(body, "evidence");
		o.end = str(body, "end");
		o.today = r->today;
		rc = o.hours ? pl_workflow_complete(r->store, r->user.actor, &o, &res) :
		     pl_error_set(PL_EINVALID, "pd_entry.hours: give the contact hours");
	} else if (!strcmp(action, "evaluate")) {
		const char *staff = json_string_value(json_object_get(rec->fields, "staff"));
		if (!(r->user.roles & PL_USER_CLERK) && (!staff || strcmp(staff, r->user.staff))) {
			pl_record_free(rec);
			return fail(r, 403, "refused", NULL, "only the participant (or a clerk) evaluates their PD");
		}
		o.fields = json_is_object(json_object_get(body, "fields")) ? json_object_get(body, "fields") : NULL;
		rc = o.fields ? pl_workflow_evaluate(r->store, r->user.actor, &o, &res) :
		     pl_error_set(PL_EUSAGE, "give \"fields\": the evaluation's levels");
	} else {
		pl_record_free(rec);
		return fail(r, 404, "not_found", NULL, "no such call");
	}
	pl_record_free(rec);
	if (rc)
		return refused(r, rc, res.reason);
	return one(r, id, 200);
}

/* "ID" or "ID/ACTION" after /api/v1/records/ into id and action ("" if none); -1 if neither. */
static int split(const char *p, char id[PL_ID_MAX + 1], char action[32])
{
	size_t n = strcspn(p, "/");

	if (!n || n > PL_ID_MAX)
		return -1;
	memcpy(id, p, n);
	id[n] = '\0';
	action[0] = '\0';
	if (p[n] == '/') {
		if (!p[n + 1] || strlen(p + n + 1) >= 32 || strchr(p + n + 1, '/'))
			return -1;
		strcpy(action, p + n + 1);
	}
	return 0;
}

/* Who sends the request: a session (r->logged_in), or a bearer token. -1 when neither (answered). */
static int authenticate(web_req *r, int *by_token)
{
	const char *h = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Authorization");

	*by_token = 0;
	if (h && !strncasecmp(h, "Bearer ", 7)) {
		web_user u = { 0 };
		if (pl_user_token_check(u.staff, &u.roles, r->cfg->dir, h + 7)) {
			pl_error_clear();
			fail(r, 401, "unauthorized", NULL, "the API token is unknown or was revoked");
			return -1;
		}
		web_user_fill(r, &u);
		r->user = u;
		r->logged_in = 1;
		*by_token = 1;
		return 0;
	}
	if (!r->logged_in) {
		fail(r, 401, "unauthorized", NULL, "log in first (POST /login), or send \"Authorization: Bearer "
		     "TOKEN\" (plsync user token)");
		return -1;
	}
	return 0;
}

int web_api(web_req *r)
{
	const char *p = r->path, *csrf;
	int write = strcmp(r->method, "GET") != 0, by_token, rc;
	char id[PL_ID_MAX + 1], action[32];
	json_t *body = NULL;
	json_error_t jerr;

	r->ctype = "application/json";
	if (authenticate(r, &by_token))
		return 0;
	csrf = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "X-CSRF-Token");
	if (write && !by_token &&
	    (!csrf || strlen(csrf) != WEB_TOKEN_HEX || sodium_memcmp(csrf, r->user.csrf, WEB_TOKEN_HEX)))
		return fail(r, 403, "csrf", NULL, "a change with the session's cookie needs its CSRF token in the "
		            "header X-CSRF-Token");
	if (write) {
		if (!r->raw)
			return fail(r, 415, "usage", NULL, "send the body as JSON (Content-Type: application/json)");
		if (!(body = json_loadb(r->raw, r->raw_len, JSON_REJECT_DUPLICATES, &jerr)) || !json_is_object(body)) {
			char msg[300];
			snprintf(msg, sizeof(msg), "the body is not a JSON object: %s (line %d, column %d)",
			         body ? "another value" : jerr.text, jerr.line, jerr.column);
			json_decref(body);
			return fail(r, 400, "usage", NULL, msg);
		}
	}
	web_store_lock(r->srv);
	r->store_held = 1;
	if (!strcmp(p, "/api/v1/records"))
		rc = write ? (!strcmp(r->method, "POST") ? create(r, body) : fail(r, 405, "usage", NULL, "POST or GET"))
		           : list(r);
	else if (!strncmp(p, "/api/v1/records/", 16) && !split(p + 16, id, action)) {
		if (!write)
			rc = *action ? fail(r, 404, "not_found", NULL, "no such call") : one(r, id, 200);
		else if (!strcmp(r->method, "PATCH"))
			rc = *action ? fail(r, 404, "not_found", NULL, "no such call") : set(r, id, body);
		else if (!*action)
			rc = fail(r, 405, "usage", NULL, "PATCH the record, or POST to one of its calls");
		else if (!strcmp(action, "set"))
			rc = set(r, id, body);
		else
			rc = step(r, id, action, body);
	} else
		rc = fail(r, 404, "not_found", NULL, "no such call");
	r->store_held = 0;
	web_store_unlock(r->srv);
	json_decref(body);
	return rc;
}
