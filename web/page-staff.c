/*
 * page-staff.c — GET /staff: the school's staff roster (name, category,
 * supervisor and budget manager by name, license expiry), each with its
 * record and transcript. For clerks, approvers, coordinators and admins.
 */
#include <string.h>

#include "plsync/user.h"
#include "web.h"

static int staff_row(const pl_record *s, void *payload)
{
	web_req *r = payload;
	const char *cols[] = { "category", "supervisor", "budget_manager", "license_expires" };
	char name[128];

	web_html(r, "<tr><td>");
	web_record_link(r, s->id, json_string_value(json_object_get(s->fields, "name")));
	web_html(r, "</td><td>");
	web_text(r, s->id);
	for (int i = 0; i < 4; i++) {
		const char *v = json_string_value(json_object_get(s->fields, cols[i]));
		web_html(r, "</td><td>");
		web_text(r, i == 1 || i == 2 ? (v ? web_staff_name(r, v, name, sizeof(name)) : "") : v);
	}
	web_html(r, "</td><td><a href=\"/transcript?staff=");
	web_text(r, s->id);
	web_html(r, "\">transcript</a></td></tr>\n");
	return 0;
}

int page_staff(web_req *r)
{
	if (!web_sees_all(r) && !(r->user.roles & PL_USER_APPROVER))
		return web_error(r, 403, "The roster is for clerks, approvers and coordinators.");
	web_page_begin(r, "Staff");
	web_html(r, "<table><tr><th>Name</th><th>Id</th><th>Category</th><th>Supervisor</th>"
	         "<th>Budget manager</th><th>License expires</th><th></th></tr>\n");
	pl_store_foreach(r->store, "staff", NULL, NULL, staff_row, r);
	web_html(r, "</table>\n");
	web_page_end(r);
	return 0;
}
