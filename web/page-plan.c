/*
 * page-plan.c — GET /plans (the school's plans) and GET /plans/ID: a plan
 * in the district template's shape, from the document domain/plandoc.c
 * builds (pl_plan_doc_build): Who We Are (the profile and the school's
 * figures), What We Believe (mission, vision), What We Want to Accomplish
 * (each goal with its rationale, student impact, measure, frequency and
 * its overarching and Year 1-3 outcomes), then each goal's activities
 * (initial activity and follow-up: who, what, how; duration, resources,
 * standards, delivery, budget in dollars, funding). Each part links to its
 * record's form (/edit/ID, /new/goal?plan=ID, /new/activity?goal=ID) for
 * whoever may write plans; after saving, the form comes back here.
 */
#include <string.h>

#include "plsync/dataset.h"
#include "plsync/errors.h"
#include "plsync/plandoc.h"
#include "plsync/render.h"
#include "plsync/user.h"
#include "web.h"

static const char *str(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static int may_edit(const web_req *r)
{
	return (r->user.roles & (PL_USER_COORDINATOR | PL_USER_ADMIN)) != 0;
}

static void edit_link(web_req *r, const char *href, const char *id, const char *label)
{
	if (!may_edit(r))
		return;
	web_html(r, " <a class=\"edit\" href=\"");
	web_text(r, href);
	web_text(r, id);
	web_html(r, "\">");
	web_text(r, label);
	web_html(r, "</a>");
}

/* <tr><th>LABEL</th><td>value or (not set)</td></tr> */
static void row(web_req *r, const char *label, const char *v)
{
	web_html(r, "<tr><th>");
	web_text(r, label);
	web_html(r, "</th><td>");
	if (v && *v)
		pl_html_lines(r->out, v);
	else
		web_html(r, "<span class=\"muted\">(not set)</span>");
	web_html(r, "</td></tr>\n");
}

static void row_num(web_req *r, const char *label, const json_t *v, int money)
{
	char buf[48] = "";

	if (json_is_integer(v)) {
		long long n = (long long)json_integer_value(v);
		if (money)
			snprintf(buf, sizeof(buf), "$%lld.%02lld", n / 100, n % 100);
		else
			snprintf(buf, sizeof(buf), "%lld", n);
	}
	row(r, label, buf);
}

static int plan_item(const pl_record *p, void *payload)
{
	web_req *r = payload;

	web_html(r, "<li><a href=\"/plans/");
	web_text(r, p->id);
	web_html(r, "\">");
	web_text(r, str(p->fields, "school"));
	web_html(r, " ");
	web_text(r, str(p->fields, "year"));
	web_html(r, "</a> <span class=\"muted\">");
	web_text(r, str(p->fields, "status") ? str(p->fields, "status") : "draft");
	web_html(r, "</span></li>\n");
	return 0;
}

int page_plans(web_req *r)
{
	web_page_begin(r, "Professional learning plans");
	web_html(r, "<ul class=\"plans\">\n");
	pl_store_foreach(r->store, "plan", NULL, NULL, plan_item, r);
	web_html(r, "</ul>\n");
	if (may_edit(r))
		web_html(r, "<p><a href=\"/new/plan\">Add a plan</a></p>\n");
	web_page_end(r);
	return 0;
}

static void who_what_how(web_req *r, const json_t *a, const char *part)
{
	const json_t *m = json_object_get(a, part);
	static const char *const keys[] = { "who", "what", "how" };
	int any = 0;

	for (int i = 0; i < 3; i++) {
		const char *v = str(m, keys[i]);
		if (!v || !*v)
			continue;
		web_html(r, "<div><b>%s:</b> ", i == 0 ? "Who" : i == 1 ? "What" : "How");
		pl_html_lines(r->out, v);
		web_html(r, "</div>");
		any = 1;
	}
	if (!any)
		web_html(r, "<span class=\"muted\">(not set)</span>");
}

static void activities(web_req *r, const json_t *goal)
{
	const json_t *acts = json_object_get(goal, "activities"), *a;
	size_t i;

	if (!json_array_size(acts)) {
		web_html(r, "<p class=\"muted\">(no activities yet)</p>\n");
		return;
	}
	web_html(r, "<table class=\"activities\"><tr><th>Activity</th><th>Initial activity</th><th>Follow-up</th>"
	         "<th>Duration (when)</th><th>Resources</th><th>Standards, delivery, budget, funding</th></tr>\n");
	json_array_foreach(acts, i, a) {
		const json_t *f = json_object_get(a, "fields"), *std = json_object_get(f, "standards"), *s;
		size_t j;
		web_html(r, "<tr id=\"a-");
		web_text(r, str(a, "id"));
		web_html(r, "\"><td>");
		web_text(r, str(f, "title") ? str(f, "title") : str(a, "id"));
		edit_link(r, "/edit/", str(a, "id"), "Edit");
		web_html(r, "</td><td>");
		who_what_how(r, f, "initial");
		web_html(r, "</td><td>");
		who_what_how(r, f, "followup");
		web_html(r, "</td><td>");
		web_text(r, str(f, "duration") ? str(f, "duration") : "");
		if (str(f, "start")) {
			web_html(r, "<br>");
			web_text(r, str(f, "start"));
			if (str(f, "end")) {
				web_html(r, " – ");
				web_text(r, str(f, "end"));
			}
		}
		web_html(r, "</td><td>");
		if (str(f, "resources"))
			pl_html_lines(r->out, str(f, "resources"));
		web_html(r, "</td><td>");
		json_array_foreach(std, j, s) {
			const char *nm = pl_standard_name(json_string_value(s), 2022);
			if (!nm)
				nm = pl_standard_name(json_string_value(s), 2011);
			web_html(r, "%s", j ? ", " : "");
			web_text(r, nm ? nm : json_string_value(s));
		}
		if (str(f, "delivery")) {
			web_html(r, "<br>");
			web_text(r, str(f, "delivery"));
		}
		if (json_is_integer(json_object_get(f, "budget_cents"))) {
			long long c = (long long)json_integer_value(json_object_get(f, "budget_cents"));
			web_html(r, "<br>$%lld.%02lld", c / 100, c % 100);
		}
		if (str(f, "funding")) {
			web_html(r, "<br>");
			web_text(r, str(f, "funding"));
		}
		web_html(r, "</td></tr>\n");
	}
	web_html(r, "</table>\n");
}

int page_plan(web_req *r, const char *id)
{
	json_t *ds = NULL, *doc = NULL, *g;
	const json_t *pf, *sf, *goals;
	char title[200];
	size_t i;

	if (pl_dataset_load(&ds, r->store) || pl_plan_doc_build(&doc, ds, id)) {
		json_decref(ds);
		return web_error(r, 404, "There is no such plan.");
	}
	json_decref(ds);
	pf = json_object_get(doc, "fields");
	sf = json_object_get(doc, "school_fields");
	goals = json_object_get(doc, "goals");
	snprintf(title, sizeof(title), "Professional learning plan %s %s", str(sf, "name") ? str(sf, "name") : "",
	         str(pf, "year") ? str(pf, "year") : "");
	web_page_begin(r, title);
	web_html(r, "<p class=\"muted\">Plan ");
	web_text(r, id);
	web_html(r, ", ");
	web_text(r, str(pf, "status") ? str(pf, "status") : "draft");
	edit_link(r, "/edit/", id, "Edit the plan");
	web_html(r, "</p>\n<section id=\"who\"><h2>Who We Are</h2>\n<table>\n");
	row(r, "Profile", str(pf, "profile"));
	row(r, "School", str(sf, "name"));
	row(r, "Level", str(sf, "level"));
	row_num(r, "Enrollment", json_object_get(sf, "enrollment"), 0);
	row(r, "Demographics", str(sf, "demographics"));
	row_num(r, "Teaching units", json_object_get(sf, "teaching_units"), 0);
	row_num(r, "Certified staff", json_object_get(sf, "certified_staff"), 0);
	row_num(r, "Per-pupil expenditure", json_object_get(sf, "per_pupil_expenditure_cents"), 1);
	web_html(r, "</table>\n");
	if (json_is_string(json_object_get(doc, "school")))
		edit_link(r, "/edit/", str(doc, "school"), "Edit the school's profile");
	web_html(r, "</section>\n<section id=\"believe\"><h2>What We Believe</h2>\n<table>\n");
	row(r, "Mission", str(pf, "mission"));
	row(r, "Vision", str(pf, "vision"));
	web_html(r, "</table></section>\n<section id=\"goals\"><h2>What We Want to Accomplish</h2>\n");
	if (!json_array_size(goals))
		web_html(r, "<p class=\"muted\">(no goals yet)</p>\n");
	json_array_foreach(goals, i, g) {
		const json_t *f = json_object_get(g, "fields");
		json_t *num = json_object_get(f, "number");
		web_html(r, "<div class=\"goal\" id=\"g-");
		web_text(r, str(g, "id"));
		web_html(r, "\"><h3>Goal %lld", json_is_integer(num) ? (long long)json_integer_value(num) : (long long)i + 1);
		edit_link(r, "/edit/", str(g, "id"), "Edit the goal");
		web_html(r, "</h3>\n<table>\n");
		row(r, "Goal", str(f, "statement"));
		row(r, "Rationale and evidence", str(f, "rationale"));
		row(r, "Student impact", str(f, "student_impact"));
		row(r, "Measure", str(f, "measure"));
		row(r, "Frequency", str(f, "frequency"));
		row(r, "Overarching outcome", str(f, "outcome"));
		row(r, "Year 1 outcome", str(f, "outcome_y1"));
		row(r, "Year 2 outcome", str(f, "outcome_y2"));
		row(r, "Year 3 outcome", str(f, "outcome_y3"));
		web_html(r, "</table>\n<h4>Activities</h4>\n");
		activities(r, g);
		edit_link(r, "/new/activity?goal=", str(g, "id"), "Add an activity");
		web_html(r, "</div>\n");
	}
	edit_link(r, "/new/goal?plan=", id, "Add a goal");
	web_html(r, "</section>\n");
	web_page_end(r);
	json_decref(doc);
	return 0;
}
