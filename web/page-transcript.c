/*
 * page-transcript.c — GET /transcript[?staff=ID][&year=YYYY-YYYY]: one
 * staff member's PL transcript (plsync/transcript.h: completed PD and PLC
 * meetings attended, the total hours, the renewal position), print-friendly.
 * Your own, or one web_sees_staff allows.
 */
#include <string.h>

#include "plsync/dataset.h"
#include "plsync/errors.h"
#include "plsync/json.h"
#include "plsync/transcript.h"
#include "web.h"

static void num(web_req *r, const json_t *v)
{
	char buf[32];

	if (json_is_number(v)) {
		pl_json_number(buf, v);
		web_text(r, buf);
	}
}

int page_transcript(web_req *r)
{
	pl_transcript_options topts = PL_TRANSCRIPT_OPTIONS_INIT;
	const char *staff = web_arg(r, "staff"), *year = web_arg(r, "year");
	json_t *ds = NULL, *t = NULL, *row, *ren;
	char title[200];
	size_t i;

	if (!staff || !*staff)
		staff = r->user.staff;
	if (year && !*year)
		year = NULL;
	if (!web_sees_staff(r, staff))
		return web_error(r, 404, "There is no such transcript, or it is not yours to see.");
	if (pl_dataset_load(&ds, r->store) || pl_transcript_build(&t, ds, staff, year, r->today, &topts)) {
		int code = pl_error_last()->code;
		json_decref(ds);
		return web_error(r, code == PL_ENOTFOUND ? 404 : 422, pl_error_last()->message);
	}
	snprintf(title, sizeof(title), "Transcript of %s",
	         json_string_value(json_object_get(t, "name")) ? json_string_value(json_object_get(t, "name")) : staff);
	web_page_begin(r, title);
	web_html(r, "<p class=\"muted\">");
	web_text(r, staff);
	web_html(r, ", as of ");
	web_text(r, json_string_value(json_object_get(t, "as_of")));
	web_html(r, "</p>\n<table><tr><th>Date</th><th>Title</th><th>Type</th><th>Hours</th><th>Credits</th></tr>\n");
	json_array_foreach(json_object_get(t, "rows"), i, row) {
		web_html(r, "<tr><td>");
		web_text(r, json_string_value(json_object_get(row, "date")));
		web_html(r, "</td><td>");
		web_record_link(r, json_string_value(json_object_get(row, "record")),
		                json_string_value(json_object_get(row, "title")));
		web_html(r, "</td><td>");
		web_text(r, json_string_value(json_object_get(row, "type")));
		web_html(r, "</td><td>");
		num(r, json_object_get(row, "hours"));
		web_html(r, "</td><td>");
		num(r, json_object_get(row, "credits"));
		web_html(r, "</td></tr>\n");
	}
	web_html(r, "<tr><th colspan=\"3\">Total</th><th class=\"total-hours\">");
	num(r, json_object_get(t, "total_hours"));
	web_html(r, "</th><th>");
	num(r, json_object_get(t, "total_credits"));
	web_html(r, "</th></tr></table>\n");
	if (json_is_object(ren = json_object_get(t, "renewal"))) {
		web_html(r, "<h2>License renewal</h2>\n<p>Cycle ");
		web_text(r, json_string_value(json_object_get(ren, "cycle_from")));
		web_html(r, " to ");
		web_text(r, json_string_value(json_object_get(ren, "cycle_to")));
		web_html(r, ": ");
		num(r, json_object_get(ren, "completed"));
		web_html(r, " of ");
		num(r, json_object_get(ren, "required"));
		web_html(r, " hours done, ");
		num(r, json_object_get(ren, "short"));
		web_html(r, " to go.</p>\n");
	}
	web_page_end(r);
	json_decref(t);
	json_decref(ds);
	return 0;
}
