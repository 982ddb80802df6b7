/*
 * page-search.c — GET /search?q=TEXT: staff members by part of their name
 * (or id) and PD by part of its title, case-insensitively, among the
 * records this person may see (web_sees_staff). At most 100 of each.
 */
#include <ctype.h>
#include <string.h>

#include "web.h"

#define SEARCH_MAX 100

struct found {
	web_req    *r;
	const char *q;
	const char *field;   /* "name" or "title" */
	size_t      n;
};

/* `hay` holds `needle`, ignoring ASCII case. */
static int holds(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; hay && *hay; hay++) {
		size_t i = 0;
		while (i < n && hay[i] && tolower((unsigned char)hay[i]) == tolower((unsigned char)needle[i]))
			i++;
		if (i == n)
			return 1;
	}
	return 0;
}

static int match(const pl_record *rec, void *payload)
{
	struct found *f = payload;
	const char *text = json_string_value(json_object_get(rec->fields, f->field));
	const char *staff = !strcmp(rec->kind, "staff") ? rec->id :
	                    json_string_value(json_object_get(rec->fields, "staff"));
	char name[128];

	if (!(holds(text, f->q) || holds(rec->id, f->q)) || !web_sees_staff(f->r, staff))
		return 0;
	if (++f->n > SEARCH_MAX)
		return 1;
	web_html(f->r, "<li>");
	web_record_link(f->r, rec->id, text ? text : rec->id);
	if (strcmp(rec->kind, "staff")) {
		web_html(f->r, " — ");
		web_text(f->r, web_staff_name(f->r, staff, name, sizeof(name)));
	} else if (json_string_value(json_object_get(rec->fields, "role"))) {
		web_html(f->r, " — ");
		web_text(f->r, json_string_value(json_object_get(rec->fields, "role")));
	}
	web_html(f->r, "</li>\n");
	return 0;
}

int page_search(web_req *r)
{
	const char *q = web_arg(r, "q");
	static const char *const what[2][3] = { { "staff", "name", "Staff" }, { "pd_entry", "title", "Professional learning" } };

	web_page_begin(r, "Search");
	web_html(r, "<form method=\"get\" action=\"/search\" role=\"search\"><label>Name or title "
	         "<input type=\"search\" name=\"q\" value=\"");
	web_text(r, q ? q : "");
	web_html(r, "\"></label> <button type=\"submit\">Search</button></form>\n");
	if (q && *q) {
		for (int i = 0; i < 2; i++) {
			struct found f = { r, q, what[i][1], 0 };
			web_html(r, "<h2>%s</h2>\n<ul class=\"found\">\n", what[i][2]);
			pl_store_foreach(r->store, what[i][0], NULL, NULL, match, &f);
			web_html(r, "</ul>\n");
			if (!f.n)
				web_html(r, "<p class=\"muted\">None found.</p>\n");
			else if (f.n > SEARCH_MAX)
				web_html(r, "<p class=\"muted\">More than %d found: give more of the name.</p>\n", SEARCH_MAX);
		}
	}
	web_page_end(r);
	return 0;
}
