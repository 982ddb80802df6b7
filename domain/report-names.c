/*
 * report-names.c — the report's names for people (report-int.h): schools,
 * funding sources, standards and staff as the board reads them, instead of
 * the codes and ids the records hold; and the board's tables without their
 * code columns.
 *
 * Funding: the federal programs a district reports on are known by name
 * ("federal:title-ii-a" is "Federal Title II-A"); any other code is tidied
 * (words split at '-' and '_', each capitalised), never shown raw.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "plsync/schema.h"
#include "report-int.h"

const char *pl_report__school_name(const pl_report__ctx *r, const char *id)
{
	const char *name = pl_dataset__str(pl_dataset_get(r->ds, "school", id), "name");
	return name && *name ? name : id;
}

json_t *pl_report__school_cell(const pl_report__ctx *r, const char *id)
{
	const char *s = r->board && id ? pl_report__school_name(r, id) : id;
	return json_string(s ? s : "");
}

static const struct {
	const char *code, *label;
} programs[] = {
	{ "title-i-a", "Title I-A" }, { "title-i", "Title I" }, { "title-ii-a", "Title II-A" },
	{ "title-iii-a", "Title III-A" }, { "title-iv-a", "Title IV-A" }, { "title-iv-b", "Title IV-B" },
	{ "title-v-b", "Title V-B" }, { "idea-b", "IDEA Part B" }, { "idea", "IDEA" },
	{ "esser", "ESSER" }, { "perkins", "Perkins V" }, { "head-start", "Head Start" },
};

/* Append the words of `code` to out: '-' and '_' as spaces, each word
 * capitalised; a "title-..." code as "Title " and the rest in capitals. */
static void tidy(char *out, size_t sz, const char *code)
{
	size_t o = strlen(out);
	int start = 1, upper = 0;

	if (!strncmp(code, "title-", 6)) {
		snprintf(out + o, sz - o, "Title ");
		o = strlen(out);
		code += 6;
		upper = 1;
	}
	for (; *code && o + 1 < sz; code++) {
		unsigned char c = (unsigned char)*code;
		if (c == '_' || (c == '-' && !upper)) {
			out[o++] = ' ';
			start = 1;
			continue;
		}
		out[o++] = (char)(upper || start ? toupper(c) : c);
		start = 0;
	}
	out[o] = '\0';
}

json_t *pl_report__funding_label(const char *f)
{
	char buf[200] = "";

	if (!f || !*f)
		return json_string("(funding not recorded)");
	if (!strcmp(f, "local"))
		return json_string("Local");
	if (!strcmp(f, "state"))
		return json_string("State");
	if (!strcmp(f, "other"))
		return json_string("Other");
	if (!strncmp(f, "federal:", 8)) {
		for (size_t i = 0; i < sizeof(programs) / sizeof(programs[0]); i++)
			if (!strcmp(programs[i].code, f + 8)) {
				snprintf(buf, sizeof(buf), "Federal %s", programs[i].label);
				return json_string(buf);
			}
		snprintf(buf, sizeof(buf), "Federal ");
		tidy(buf, sizeof(buf), f + 8);
		return json_string(buf);
	}
	if (!strncmp(f, "grant:", 6)) {
		snprintf(buf, sizeof(buf), "Grant: ");
		tidy(buf, sizeof(buf), f + 6);
		return json_string(buf);
	}
	tidy(buf, sizeof(buf), f);
	return json_string(buf);
}

const char *pl_report__standard_name(const char *code)
{
	const char *n = NULL;

	if (code && pl_standard_in_set(code, 2022))
		n = pl_standard_name(code, 2022);
	else if (code && pl_standard_in_set(code, 2011))
		n = pl_standard_name(code, 2011);
	return n ? n : code;
}

json_t *pl_report__staff_cell(const pl_report__ctx *r, const char *id)
{
	const char *name;

	if (!id || r->staff == PL_REPORT_STAFF_NONE)
		return json_null();
	if (r->staff == PL_REPORT_STAFF_IDS)
		return json_string(id);
	name = pl_dataset__str(pl_dataset_get(r->ds, "staff", id), "name");
	return json_string(name && *name ? name : id);
}

/* Remove element i of every array in `rows` (an array of arrays). */
static void drop_cell(json_t *row, size_t i)
{
	if (json_is_array(row) && i < json_array_size(row))
		json_array_remove(row, i);
}

void pl_report__strip_keys(json_t *t)
{
	json_t *cols = json_object_get(t, "columns"), *rows = json_object_get(t, "rows");
	json_t *total = json_object_get(t, "total");
	const char *first = json_string_value(json_array_get(total, 0));
	int labelled = first && !strcmp(first, "Total");

	for (size_t c = json_array_size(cols); c-- > 0;) {
		if (!json_is_true(json_object_get(json_array_get(cols, c), "key")))
			continue;
		json_array_remove(cols, c);
		for (size_t r = 0; r < json_array_size(rows); r++)
			drop_cell(json_array_get(rows, r), c);
		drop_cell(total, c);
	}
	/* the total row keeps its label when its column went */
	first = json_string_value(json_array_get(total, 0));
	if (labelled && json_array_size(total) &&
	    (json_is_null(json_array_get(total, 0)) || (first && !*first)))
		json_array_set_new(total, 0, json_string("Total"));
}
