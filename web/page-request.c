/*
 * page-request.c — GET /requests/new (the PD request form) and POST
 * /requests (pl_workflow_request, the logged-in person its actor).
 *
 * A teacher requests for themselves (the staff field is theirs whatever
 * the form says); a clerk or coordinator picks the staff member by name.
 * The type is picked from the schema's list; the cost is taken in dollars
 * ("250" or "250.50") and kept in cents. A refused request shows the form
 * again with what was typed and the library's message.
 */
#include <stdlib.h>
#include <string.h>

#include "plsync/errors.h"
#include "plsync/schema.h"
#include "plsync/user.h"
#include "plsync/workflow.h"
#include "web.h"

static int for_others(const web_req *r)
{
	return (r->user.roles & (PL_USER_CLERK | PL_USER_COORDINATOR)) != 0;
}

struct picker {
	web_req    *r;
	const char *selected;
};

static int staff_option(const pl_record *s, void *payload)
{
	struct picker *p = payload;
	const char *name = json_string_value(json_object_get(s->fields, "name"));

	web_html(p->r, "<option value=\"");
	web_text(p->r, s->id);
	web_html(p->r, "\"%s>", p->selected && !strcmp(p->selected, s->id) ? " selected" : "");
	web_text(p->r, name ? name : s->id);
	web_html(p->r, " (");
	web_text(p->r, s->id);
	web_html(p->r, ")</option>");
	return 0;
}

static void form(web_req *r, const char *msg)
{
	const pl_field_def *type = pl_schema_field(pl_schema_kind("pd_entry"), "type");
	const char *opts[64];
	size_t n = 0;

	for (size_t i = 0; type && type->enums && type->enums[i] && n + 3 < 64; i++) {
		opts[n++] = type->enums[i];
		opts[n++] = type->enums[i];
	}
	opts[n] = NULL;
	web_page_begin(r, "Request professional learning");
	if (msg)
		web_notice(r, "error", msg);
	web_form_begin(r, "/requests");
	if (for_others(r)) {
		struct picker p = { r, web_arg(r, "staff") ? web_arg(r, "staff") : r->user.staff };
		web_html(r, "<label>Staff member <select name=\"staff\">");
		pl_store_foreach(r->store, "staff", NULL, NULL, staff_option, &p);
		web_html(r, "</select></label>\n");
	}
	web_input(r, "Title", "title", "text", web_arg(r, "title"), 1);
	web_select(r, "Type", "type", opts, web_arg(r, "type"));
	web_input(r, "Provider", "provider", "text", web_arg(r, "provider"), 0);
	web_input(r, "First day", "start", "date", web_arg(r, "start"), 0);
	web_input(r, "Last day", "end", "date", web_arg(r, "end"), 0);
	web_input(r, "Cost in dollars", "cost", "text", web_arg(r, "cost"), 0);
	web_input(r, "Funding (e.g. federal:title-ii-a, state, local)", "funding", "text", web_arg(r, "funding"), 0);
	web_input(r, "Notes", "notes", "textarea", web_arg(r, "notes"), 0);
	web_button(r, "Send the request", NULL, NULL);
	web_form_end(r);
	web_page_end(r);
}

int page_request_form(web_req *r)
{
	form(r, NULL);
	return 0;
}

int page_request_post(web_req *r)
{
	static const char *const plain[] = { "title", "type", "provider", "start", "end", "funding", "notes", NULL };
	pl_workflow_options o = PL_WORKFLOW_OPTIONS_INIT;
	pl_workflow_result res = { 0 };
	const char *staff = for_others(r) && web_arg(r, "staff") ? web_arg(r, "staff") : r->user.staff;
	const char *cost = web_arg(r, "cost");
	char cents[32], where[PL_ID_MAX + 16], msg[PL_ERROR_MSG_MAX + 16];
	int rc;

	o.stamp = r->cfg->today;   /* as the steps after it: a fixed today (tests) or the clock */
	o.fields = json_pack("{ss}", "staff", staff);
	for (int i = 0; plain[i]; i++) {
		const char *v = web_arg(r, plain[i]);
		if (v && *v)
			json_object_set_new(o.fields, plain[i], json_string(v));
	}
	if (cost && *cost) {
		if (web_dollars_to_cents(cents, cost)) {
			json_decref(o.fields);
			r->status = 422;
			form(r, "Cost: give dollars, as 250 or 250.50.");
			return 0;
		}
		json_object_set_new(o.fields, "cost_cents", json_string(cents));
	}
	o.stamp = r->cfg->today; /* requested_at: the server's day (its --today), as the approvals' */
	rc = pl_workflow_request(r->store, r->user.actor, &o, &res);
	json_decref(o.fields);
	if (rc) {
		snprintf(msg, sizeof(msg), "Not sent: %s", pl_error_last()->message);
		r->status = 422;
		form(r, msg);
		return 0;
	}
	snprintf(where, sizeof(where), "/records/%s", res.id);
	return web_redirect(r, where);
}
