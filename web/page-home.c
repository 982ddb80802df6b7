/*
 * page-home.c — GET /: the home page, by role: my requests (with the next
 * step of each), my approval queue (the requests of the staff whose
 * recorded supervisor or budget manager I am, that still wait for my
 * decision), and for a clerk or coordinator the school's approved requests
 * waiting to be completed.
 */
#include <string.h>

#include "plsync/user.h"
#include "plsync/workflow.h"
#include "web.h"

struct list {
	web_req *r;
	int      n;
	int      mode;      /* MINE, QUEUE, OPEN */
};
enum { MINE, QUEUE, OPEN };

static const char *field(const pl_record *e, const char *name)
{
	return json_string_value(json_object_get(e->fields, name));
}

static int approved_by(const pl_record *e, pl_role role)
{
	const char *d = json_string_value(json_object_get(
		json_object_get(json_object_get(e->fields, "approvals"), pl_role_key(role)), "decision"));
	return d && !strcmp(d, "approved");
}

/* The roles `me` holds for entry e that have not decided yet. */
static int my_roles(web_req *r, const pl_record *e, pl_role roles[2])
{
	pl_record *staff = NULL;
	int n = 0;

	if (pl_store_get_state(&staff, r->store, field(e, "staff") ? field(e, "staff") : "") || staff->deleted) {
		pl_record_free(staff);
		return 0;
	}
	for (pl_role role = PL_ROLE_SUPERVISOR; role <= PL_ROLE_BUDGET; role++) {
		const char *holder = json_string_value(json_object_get(staff->fields, pl_role_field(role)));
		if (holder && !strcmp(holder, r->user.staff) && !approved_by(e, role))
			roles[n++] = role;
	}
	pl_record_free(staff);
	return n;
}

static void row(web_req *r, const pl_record *e, const char *extra)
{
	char name[128];

	web_html(r, "<tr><td>");
	web_record_link(r, e->id, field(e, "title"));
	web_html(r, "</td><td>");
	web_text(r, web_staff_name(r, field(e, "staff"), name, sizeof(name)));
	web_html(r, "</td><td>");
	web_text(r, field(e, "start"));
	web_html(r, "</td><td>");
	web_text(r, extra);
	web_html(r, "</td></tr>\n");
}

static int list_cb(const pl_record *e, void *payload)
{
	struct list *l = payload;
	const char *st = field(e, "status");
	pl_role roles[2];
	char what[96];
	int n;

	if (l->mode == QUEUE) {
		if (!st || strcmp(st, "requested") || !(n = my_roles(l->r, e, roles)))
			return 0;
		snprintf(what, sizeof(what), "your decision as %s%s%s", pl_role_title(roles[0]),
		         n > 1 ? " and " : "", n > 1 ? pl_role_title(roles[1]) : "");
	} else if (l->mode == OPEN) {
		if (!st || strcmp(st, "approved"))
			return 0;
		snprintf(what, sizeof(what), "to be completed");
	} else {
		snprintf(what, sizeof(what), "%s", web_next_step(e));
	}
	if (!l->n++)
		web_html(l->r, "<table><tr><th>Title</th><th>Staff</th><th>Start</th><th>Next</th></tr>\n");
	row(l->r, e, what);
	return 0;
}

static void section(web_req *r, const char *title, int mode, const char *empty)
{
	struct list l = { r, 0, mode };

	web_html(r, "<h2>");
	web_text(r, title);
	web_html(r, "</h2>\n");
	if (mode == MINE)
		pl_store_foreach(r->store, "pd_entry", "staff", r->user.staff, list_cb, &l);
	else
		pl_store_foreach(r->store, "pd_entry", NULL, NULL, list_cb, &l);
	if (l.n)
		web_html(r, "</table>\n");
	else
		web_html(r, "<p class=\"muted\">%s</p>\n", empty);
}

int page_home(web_req *r)
{
	web_page_begin(r, "Home");
	web_html(r, "<p>Logged in as ");
	web_text(r, r->user.name);
	web_html(r, " (");
	web_text(r, r->user.staff);
	web_html(r, "). <a href=\"/requests/new\">Request professional learning</a></p>\n");
	if (r->user.roles & PL_USER_APPROVER)
		section(r, "My approval queue", QUEUE, "Nothing waits for your decision.");
	section(r, "My requests", MINE, "You have no requests yet.");
	if (r->user.roles & (PL_USER_CLERK | PL_USER_COORDINATOR))
		section(r, "Approved, to be completed", OPEN, "No approved request waits to be completed.");
	web_page_end(r);
	return 0;
}
