/*
 * page-report.c — GET /report?year=YYYY-YYYY&for=board|coordinator: the
 * annual professional learning report (Policy 4370) from the report
 * library (pl_report_build over the store's dataset, its coverage), laid
 * out as the page's own tables: the warnings, the summary, then every
 * table with its columns, rows and total (money in dollars). The board's
 * version has people's words only (no code column), the coordinator's
 * every column; the library decides which. Print-friendly: the style
 * sheet's @media print drops the navigation and forms. For a coordinator
 * or admin.
 */
#include <string.h>

#include "plsync/calendar.h"
#include "plsync/dataset.h"
#include "plsync/errors.h"
#include "plsync/json.h"
#include "plsync/report.h"
#include "plsync/user.h"
#include "web.h"

static void cell(web_req *r, const json_t *v, const char *type)
{
	char num[40];

	if (!v || json_is_null(v))
		return;
	if (json_is_integer(v) && type && !strcmp(type, "cents")) {
		long long c = (long long)json_integer_value(v);
		web_html(r, "%s$%lld.%02lld", c < 0 ? "-" : "", (c < 0 ? -c : c) / 100, (c < 0 ? -c : c) % 100);
	} else if (json_is_number(v)) {
		pl_json_number(num, v);
		web_text(r, num);
	} else if (json_is_string(v)) {
		web_text(r, json_string_value(v));
	}
}

static void table(web_req *r, const json_t *t)
{
	const json_t *cols = json_object_get(t, "columns"), *rows = json_object_get(t, "rows");
	const json_t *total = json_object_get(t, "total"), *rt = json_object_get(t, "row_types"), *row;
	size_t i, j;

	web_html(r, "<section class=\"table\" id=\"t-");
	web_text(r, json_string_value(json_object_get(t, "id")));
	web_html(r, "\"><h2>");
	web_text(r, json_string_value(json_object_get(t, "title")));
	web_html(r, "</h2>\n");
	if (json_string_value(json_object_get(t, "note"))) {
		web_html(r, "<p class=\"muted\">");
		web_text(r, json_string_value(json_object_get(t, "note")));
		web_html(r, "</p>\n");
	}
	if (!json_array_size(rows)) {
		web_html(r, "<p class=\"muted\">(none)</p></section>\n");
		return;
	}
	web_html(r, "<table><tr>");
	for (j = 0; j < json_array_size(cols); j++) {
		web_html(r, "<th>");
		web_text(r, json_string_value(json_object_get(json_array_get(cols, j), "label")));
		web_html(r, "</th>");
	}
	web_html(r, "</tr>\n");
	json_array_foreach(rows, i, row) {
		web_html(r, "<tr>");
		for (j = 0; j < json_array_size(cols); j++) {
			const char *type = json_string_value(json_object_get(json_array_get(cols, j), "type"));
			if (type && !strcmp(type, "by_row"))
				type = json_string_value(json_array_get(rt, i));
			web_html(r, "<td>");
			cell(r, json_array_get(row, j), type);
			web_html(r, "</td>");
		}
		web_html(r, "</tr>\n");
	}
	if (json_is_array(total)) {
		web_html(r, "<tr class=\"total\">");
		for (j = 0; j < json_array_size(cols); j++) {
			const char *type = json_string_value(json_object_get(json_array_get(cols, j), "type"));
			web_html(r, "<th>");
			if (j == 0 && json_is_null(json_array_get(total, 0)))
				web_html(r, "Total");
			else
				cell(r, json_array_get(total, j), type);
			web_html(r, "</th>");
		}
		web_html(r, "</tr>\n");
	}
	web_html(r, "</table></section>\n");
}

int page_report(web_req *r)
{
	pl_report_options ro = PL_REPORT_OPTIONS_INIT;
	const char *year = web_arg(r, "year"), *who = web_arg(r, "for");
	json_t *ds = NULL, *cov = NULL, *rep = NULL, *sum, *v;
	const json_t *warn;
	char sy[10], scope[200];
	const char *key;
	size_t i;
	static const char *const sum_labels[][2] = {
		{ "participants", "Participants" }, { "pd_entries", "PD entries" }, { "plc_meetings", "PLC meetings" },
		{ "participations", "Participations" }, { "hours", "Hours" }, { "credits", "Credits" },
		{ "spent_cents", "Spent" }, { "title_ii_a_cents", "Title II-A" }, { "findings", "Findings" }, { NULL, NULL }
	};

	if (!(r->user.roles & (PL_USER_COORDINATOR | PL_USER_ADMIN)))
		return web_error(r, 403, "The annual report is the coordinator's.");
	if (!year || !*year) {
		pl_school_year_of(sy, r->today);
		year = sy;
	}
	ro.audience = who && !strcmp(who, "coordinator") ? PL_REPORT_COORDINATOR : PL_REPORT_BOARD;
	snprintf(scope, sizeof(scope), "%s", r->cfg->school ? r->cfg->school : "This school");
	ro.scope = scope;
	if (pl_dataset_load(&ds, r->store) || pl_report_coverage(&cov, r->store, ds) ||
	    (ro.coverage = cov, pl_report_build(&rep, ds, year, r->today, &ro))) {
		char msg[PL_ERROR_MSG_MAX];
		snprintf(msg, sizeof(msg), "%s", pl_error_last()->message);
		json_decref(ds);
		json_decref(cov);
		return web_error(r, pl_error_last()->code == PL_EINVALID ? 400 : 500, msg);
	}
	json_decref(ds);
	json_decref(cov);
	web_page_begin(r, json_string_value(json_object_get(rep, "title")));
	web_html(r, "<form method=\"get\" action=\"/report\" class=\"noprint\"><label>School year "
	         "<input name=\"year\" value=\"");
	web_text(r, year);
	web_html(r, "\"></label><label>For <select name=\"for\"><option value=\"board\"%s>the board</option>"
	         "<option value=\"coordinator\"%s>the coordinator</option></select></label>"
	         "<button type=\"submit\">Show</button></form>\n",
	         ro.audience == PL_REPORT_BOARD ? " selected" : "", ro.audience == PL_REPORT_COORDINATOR ? " selected" : "");
	web_html(r, "<p>");
	web_text(r, json_string_value(json_object_get(rep, "scope")));
	web_html(r, ", school year ");
	web_text(r, json_string_value(json_object_get(rep, "year")));
	web_html(r, " (");
	web_text(r, json_string_value(json_object_get(rep, "from")));
	web_html(r, " to ");
	web_text(r, json_string_value(json_object_get(rep, "to")));
	web_html(r, "), for the %s.</p>\n", ro.audience == PL_REPORT_BOARD ? "board" : "coordinator");
	warn = json_object_get(rep, "warnings");
	for (i = 0; i < json_array_size(warn); i++) {
		const json_t *w = json_array_get(warn, i);
		char line[600];
		snprintf(line, sizeof(line), "%s: %s (%s)", json_string_value(json_object_get(w, "name")) ?
		         json_string_value(json_object_get(w, "name")) : "",
		         json_string_value(json_object_get(w, "status")) ? json_string_value(json_object_get(w, "status")) : "",
		         json_string_value(json_object_get(w, "why")) ? json_string_value(json_object_get(w, "why")) : "");
		web_notice(r, "error", line);
	}
	sum = json_object_get(rep, "summary");
	web_html(r, "<h2>Summary</h2>\n<table class=\"summary\">\n");
	for (i = 0; sum_labels[i][0]; i++) {
		key = sum_labels[i][0];
		if (!(v = json_object_get(sum, key)))
			continue;
		web_html(r, "<tr><th>%s</th><td>", sum_labels[i][1]);
		cell(r, v, strstr(key, "_cents") ? "cents" : NULL);
		web_html(r, "</td></tr>\n");
	}
	web_html(r, "</table>\n");
	if (json_string_value(json_object_get(rep, "comparison_note"))) {
		web_html(r, "<p class=\"muted\">");
		web_text(r, json_string_value(json_object_get(rep, "comparison_note")));
		web_html(r, "</p>\n");
	}
	for (i = 0; i < json_array_size(json_object_get(rep, "tables")); i++)
		table(r, json_array_get(json_object_get(rep, "tables"), i));
	web_page_end(r);
	json_decref(rep);
	return 0;
}
