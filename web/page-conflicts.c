/*
 * page-conflicts.c — GET /conflicts: the records with an open conflict
 * (pl_store_conflicted), each field's concurrent values with who set them
 * where and when, the winner (the value shown everywhere) first; and a
 * resolve form per record: a radio button per value of each field. POST
 * /conflicts/ID settles it with pl_workflow_resolve (the `plsync resolve`
 * call) as the logged-in person. The form sends the index of the value
 * picked, never the value: the value is read again from the store's
 * conflict, so what is written is one of the values that were in
 * conflict. For a clerk, coordinator or admin (web_sees_all).
 */
#include <stdlib.h>
#include <string.h>

#include "plsync/errors.h"
#include "plsync/json.h"
#include "plsync/workflow.h"
#include "web.h"

#define PICK_MAX 64

/* A conflict value as text (strings as they are, the rest as JSON). */
static void value_text(web_req *r, const json_t *v)
{
	char *t;

	if (json_is_string(v)) {
		web_text(r, json_string_value(v));
		return;
	}
	if (json_is_null(v) || !v) {
		web_html(r, "<span class=\"muted\">(unset)</span>");
		return;
	}
	t = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
	web_text(r, t ? t : "");
	free(t);
}

/* The open conflict of record `id` (an object path -> candidates), or NULL. */
static json_t *conflict_of(web_req *r, const char *id, pl_record **rec_out)
{
	pl_record *rec = NULL;
	json_t *c = NULL;

	*rec_out = NULL;
	if (pl_store_get(&rec, r->store, id) || rec->deleted || pl_store_conflicts(&c, r->store, rec)) {
		pl_record_free(rec);
		return NULL;
	}
	*rec_out = rec;
	return c;
}

static void one(web_req *r, const char *id)
{
	pl_record *rec = NULL;
	json_t *c = conflict_of(r, id, &rec), *cands;
	const char *path;
	char action[PL_ID_MAX + 16], name[200];

	if (!c) {
		pl_record_free(rec);
		return;
	}
	web_html(r, "<section class=\"conflict\" id=\"c-");
	web_text(r, id);
	web_html(r, "\"><h2>");
	web_text(r, rec->kind);
	web_html(r, " ");
	web_record_link(r, id, NULL);
	web_html(r, "</h2>\n");
	snprintf(action, sizeof(action), "/conflicts/%s", id);
	web_form_begin(r, action);
	json_object_foreach(c, path, cands) {
		web_html(r, "<fieldset><legend>");
		web_text(r, path);
		web_html(r, "</legend>\n");
		for (size_t j = 0; j < json_array_size(cands) && j < PICK_MAX; j++) {
			json_t *k = json_array_get(cands, j);
			int win = json_is_true(json_object_get(k, "winner"));
			snprintf(name, sizeof(name), "pick.%s", path);
			web_html(r, "<label class=\"pick\"><input type=\"radio\" name=\"");
			web_text(r, name);
			web_html(r, "\" value=\"%zu\"%s> <b>", j, win ? " checked" : "");
			value_text(r, json_object_get(k, "value"));
			web_html(r, "</b> — set by ");
			web_text(r, json_string_value(json_object_get(k, "actor")));
			web_html(r, " on ");
			web_text(r, json_string_value(json_object_get(k, "node")));
			web_html(r, " at ");
			web_text(r, json_string_value(json_object_get(k, "time")));
			web_html(r, "%s</label>\n", win ? " <span class=\"muted\">(shown now)</span>" : "");
		}
		web_html(r, "</fieldset>\n");
	}
	web_input(r, "Why (kept in the history)", "note", "text", "", 0);
	web_button(r, "Keep these values", NULL, NULL);
	web_form_end(r);
	web_html(r, "</section>\n");
	json_decref(c);
	pl_record_free(rec);
}

static int list(web_req *r, const char *msg)
{
	json_t *ids = NULL;

	web_page_begin(r, "Conflicts");
	if (msg)
		web_notice(r, "error", msg);
	if (pl_store_conflicted(&ids, r->store, NULL)) {
		web_notice(r, "error", pl_error_last()->message);
		web_page_end(r);
		return 0;
	}
	if (!json_array_size(ids))
		web_html(r, "<p>No open conflicts.</p>\n");
	else
		web_html(r, "<p>These records were changed in two places before they synced, to different values. "
		         "The value shown everywhere is marked; pick the one that should stand.</p>\n");
	for (size_t i = 0; i < json_array_size(ids); i++)
		one(r, json_string_value(json_array_get(ids, i)));
	json_decref(ids);
	web_page_end(r);
	return 0;
}

int page_conflicts(web_req *r)
{
	if (!web_sees_all(r))
		return web_error(r, 403, "Conflicts are settled by a clerk or the coordinator.");
	return list(r, NULL);
}

int page_conflict_resolve(web_req *r, const char *id)
{
	pl_workflow_options o = PL_WORKFLOW_OPTIONS_INIT;
	pl_workflow_result res = { 0 };
	pl_record *rec = NULL;
	json_t *c, *cands, *fields;
	const char *path, *note = web_arg(r, "note");
	char name[200], msg[PL_ERROR_MSG_MAX + 32];
	int rc;

	if (!web_sees_all(r))
		return web_error(r, 403, "Conflicts are settled by a clerk or the coordinator.");
	if (!(c = conflict_of(r, id, &rec))) {
		pl_record_free(rec);
		r->status = 404;
		return list(r, "That record has no open conflict (any more).");
	}
	fields = json_object();
	json_object_foreach(c, path, cands) {
		const char *pick;
		char *end;
		unsigned long i = 0;
		snprintf(name, sizeof(name), "pick.%s", path);
		if ((pick = web_arg(r, name)) && *pick)
			i = strtoul(pick, &end, 10);
		if (pick && (*end || i >= json_array_size(cands))) {
			json_decref(fields);
			json_decref(c);
			pl_record_free(rec);
			r->status = 400;
			return list(r, "Pick one of the values listed.");
		}
		json_object_set(fields, path, json_object_get(json_array_get(cands, i), "value"));
	}
	json_decref(c);
	pl_record_free(rec);
	{
		json_t *nested = pl_json_unflatten(fields);
		json_decref(fields);
		fields = nested;
	}
	o.id = id;
	o.fields = fields;
	o.note = note && *note ? note : NULL;
	rc = fields ? pl_workflow_resolve(r->store, r->user.actor, &o, &res) : pl_error_set(PL_ERROR, "out of memory");
	json_decref(fields);
	if (rc) {
		snprintf(msg, sizeof(msg), "Not resolved: %s", pl_error_last()->message);
		r->status = 422;
		return list(r, msg);
	}
	return web_redirect(r, "/conflicts");
}
