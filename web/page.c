/*
 * page.c — the frame of every page of the web app (the head with the one
 * embedded style sheet, the navigation for the logged-in person, the
 * notices) and the helpers pages share. Every value goes through
 * pl_html_fputs; the markup is written here and in the page-*.c files.
 */
#include <stdarg.h>
#include <string.h>

#include "plsync/render.h"
#include "plsync/user.h"
#include "web.h"

void web_text(web_req *r, const char *s)
{
	pl_html_fputs(r->out, s);
}

void web_html(web_req *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(r->out, fmt, ap);
	va_end(ap);
}

void web_notice(web_req *r, const char *cls, const char *msg)
{
	web_html(r, "<p class=\"notice %s\" role=\"alert\">", cls);
	pl_html_lines(r->out, msg);
	web_html(r, "</p>\n");
}

void web_record_link(web_req *r, const char *id, const char *text)
{
	web_html(r, "<a href=\"/records/");
	web_text(r, id);
	web_html(r, "\">");
	web_text(r, text ? text : id);
	web_html(r, "</a>");
}

const char *web_staff_name(web_req *r, const char *id, char *buf, size_t sz)
{
	pl_record *rec = NULL;
	const char *name;

	snprintf(buf, sz, "%s", id ? id : "");
	if (id && !pl_store_get_state(&rec, r->store, id) && !rec->deleted &&
	    (name = json_string_value(json_object_get(rec->fields, "name"))))
		snprintf(buf, sz, "%s", name);
	pl_record_free(rec);
	return buf;
}

int web_sees_all(const web_req *r)
{
	return (r->user.roles & (PL_USER_CLERK | PL_USER_COORDINATOR | PL_USER_ADMIN)) != 0;
}

int web_sees_staff(web_req *r, const char *staff)
{
	pl_record *rec = NULL;
	int yes = 0;

	if (!staff)
		return 0;
	if (web_sees_all(r) || !strcmp(staff, r->user.staff))
		return 1;
	if (!(r->user.roles & PL_USER_APPROVER) || pl_store_get_state(&rec, r->store, staff) || rec->deleted) {
		pl_record_free(rec);
		return 0;
	}
	for (int i = 0; i < 2; i++) {
		const char *holder = json_string_value(json_object_get(rec->fields, i ? "budget_manager" : "supervisor"));
		yes |= holder && !strcmp(holder, r->user.staff);
	}
	pl_record_free(rec);
	return yes;
}

void web_page_begin(web_req *r, const char *title)
{
	char roles[96];

	web_html(r, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
	         "<link rel=\"stylesheet\" href=\"/style.css\">"
	         "<link rel=\"icon\" href=\"/favicon.svg\" type=\"image/svg+xml\"><title>");
	web_text(r, title);
	if (r->cfg->school) {
		web_html(r, " — ");
		web_text(r, r->cfg->school);
	}
	web_html(r, "</title></head>\n<body><header><span class=\"brand\">");
	web_text(r, r->cfg->school ? r->cfg->school : "plsync");
	web_html(r, "</span>");
	if (r->logged_in) {
		pl_user_roles_text(roles, sizeof(roles), r->user.roles);
		web_html(r, "<nav><a href=\"/\">Home</a> <a href=\"/requests/new\">Request PD</a> "
		         "<a href=\"/transcript\">Transcript</a>");
		if (web_sees_all(r) || (r->user.roles & PL_USER_APPROVER))
			web_html(r, " <a href=\"/staff\">Staff</a>");
		if (web_sees_all(r))
			web_html(r, " <a href=\"/import\">Import</a> <a href=\"/conflicts\">Conflicts</a>");
		if (r->user.roles & (PL_USER_COORDINATOR | PL_USER_ADMIN))
			web_html(r, " <a href=\"/report\">Report</a>");
		web_html(r, " <a href=\"/plans\">Plans</a> <a href=\"/search\">Search</a> <a href=\"/new\">Add</a>");
		web_html(r, "</nav><span class=\"who\">");
		web_text(r, r->user.name);
		web_html(r, " (");
		web_text(r, roles);
		web_html(r, ")</span>");
		web_form_begin(r, "/logout");
		web_button(r, "Log out", NULL, NULL);
		web_form_end(r);
	}
	web_html(r, "</header>\n");
	if (r->logged_in && r->cfg->status) {
		char line[512] = "";
		r->cfg->status(r->cfg->status_ctx, line, sizeof(line));
		if (*line) {
			web_html(r, "<p class=\"sync\">");
			web_text(r, line);
			web_html(r, "</p>\n");
		}
	}
	web_html(r, "<main><h1>");
	web_text(r, title);
	web_html(r, "</h1>\n");
}

void web_page_end(web_req *r)
{
	web_html(r, "</main></body></html>\n");
}

static int approved_by(const pl_record *e, const char *role)
{
	const char *d = json_string_value(json_object_get(
		json_object_get(json_object_get(e->fields, "approvals"), role), "decision"));
	return d && !strcmp(d, "approved");
}

const char *web_next_step(const pl_record *e)
{
	const char *st = json_string_value(json_object_get(e->fields, "status"));
	int sup = approved_by(e, "supervisor"), bud = approved_by(e, "budget");

	if (!st)
		return "";
	if (!strcmp(st, "requested"))
		return !sup && !bud ? "waiting for the supervisor and the budget manager" :
		       !sup ? "waiting for the supervisor" : "waiting for the budget manager";
	if (!strcmp(st, "approved"))
		return "approved: to be completed after it takes place";
	if (!strcmp(st, "completed"))
		return json_object_get(e->fields, "evaluation") ? "completed and evaluated" : "completed: to be evaluated";
	if (!strcmp(st, "rejected"))
		return "rejected";
	return st;
}
