/*
 * report-compare.c — the report's comparison with the previous school year
 * (report-int.h): participants, participations, hours, spending and the
 * hours of each standard, this year beside last year with the change,
 * counted the same way as this year's tables (dataset.c's participations,
 * report-tables.c's shares of hours among standards).
 *
 * A year with no participation in the data is not compared with (its zeros
 * would read as a collapse, not as missing data): the report says so in
 * "comparison_note" instead.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plsync/calendar.h"
#include "plsync/errors.h"
#include "plsync/schema.h"
#include "report-int.h"

static int oom(void)
{
	return pl_error_set(PL_ERROR, "out of memory");
}

/* One year's figures. */
typedef struct year_figs {
	long long participants, participations, hours, spent;
	long long h2011[PL_REPORT__MAX_CODES + 1], h2022[PL_REPORT__MAX_CODES + 1];
	int       n2011, n2022;
} year_figs;

static int figures(year_figs *y, const pl_dataset__part *parts, size_t n)
{
	long long cnt[PL_REPORT__MAX_CODES + 1];
	json_t *who = json_object();

	if (!who)
		return oom();
	memset(y, 0, sizeof(*y));
	for (size_t i = 0; i < n; i++) {
		json_object_set_new(who, parts[i].staff, json_true());
		y->hours += parts[i].chours;
		y->spent += parts[i].cost_cents;
	}
	y->participants = (long long)json_object_size(who);
	y->participations = (long long)n;
	y->n2011 = pl_report__standard_hours(y->h2011, cnt, parts, n, 2011);
	y->n2022 = pl_report__standard_hours(y->h2022, cnt, parts, n, 2022);
	json_decref(who);
	return 0;
}

static json_t *figure(long long v, const char *type)
{
	return strcmp(type, "hours") ? json_integer((json_int_t)v) : pl_dataset__centi_json(v);
}

static void add_row(json_t *t, const char *label, long long now, long long then, const char *type)
{
	json_array_append_new(json_object_get(t, "rows"),
	                      json_pack("[s o o o]", label, figure(now, type), figure(then, type),
	                                figure(now - then, type)));
	json_array_append_new(json_object_get(t, "row_types"), json_string(type));
}

static json_t *compare_table(const char *year, const char *prev)
{
	char title[96], this_col[32], last_col[32];

	snprintf(title, sizeof(title), "Compared with the previous school year (%s)", prev);
	snprintf(this_col, sizeof(this_col), "%s", year);
	snprintf(last_col, sizeof(last_col), "%s", prev);
	return json_pack("{ss ss ss s[{ss ss ss sb sb} {ss ss ss sb sb} {ss ss ss sb sb} {ss ss ss sb sb}]"
	                 " s[] s[] s[]}",
	                 "id", "previous_year", "title", title,
	                 "note", "Counted the same way in both years. Hours per standard are shared "
	                 "among the standards an entry names; standards with no hours in either "
	                 "year are left out.",
	                 "columns",
	                 "id", "measure", "label", "Measure", "type", "text", "sum", 0, "key", 0,
	                 "id", "this_year", "label", this_col, "type", "by_row", "sum", 0, "key", 0,
	                 "id", "last_year", "label", last_col, "type", "by_row", "sum", 0, "key", 0,
	                 "id", "change", "label", "Change", "type", "by_row", "sum", 0, "key", 0,
	                 "rows", "total", "row_types");
}

static void standard_rows(json_t *t, const year_figs *now, const year_figs *then, int set)
{
	const char *const *codes = pl_standard_codes(set);
	int n = set == 2011 ? now->n2011 : now->n2022;
	const long long *a = set == 2011 ? now->h2011 : now->h2022;
	const long long *b = set == 2011 ? then->h2011 : then->h2022;
	char label[200];

	for (int c = 0; c < n; c++) {
		if (!a[c] && !b[c])
			continue;
		snprintf(label, sizeof(label), "Hours: %s (%d)", pl_standard_name(codes[c], set), set);
		add_row(t, label, a[c], b[c], "hours");
	}
}

int pl_report__compare(pl_report__ctx *r)
{
	char prev[16], from[11], to[11], note[200];
	pl_dataset__part *parts = NULL;
	year_figs now, then;
	size_t n = 0;
	json_t *t;
	int y0 = atoi(r->year), rc;

	snprintf(prev, sizeof(prev), "%04d-%04d", y0 - 1, y0);
	json_object_set_new(r->out, "previous_year", json_string(prev));
	if ((rc = pl_school_year_bounds(from, to, prev)) ||
	    (rc = pl_dataset__parts(&parts, &n, r->ds, from, to, NULL)))
		return rc;
	if (!n) {
		free(parts);
		snprintf(note, sizeof(note), "No comparison with the previous school year: the data holds "
		         "no professional learning for %s.", prev);
		return json_object_set_new(r->out, "comparison_note", json_string(note)) ? oom() : 0;
	}
	rc = figures(&then, parts, n);
	free(parts);
	if (rc || (rc = figures(&now, r->parts, r->nparts)))
		return rc;
	if (!(t = compare_table(r->year, prev)))
		return oom();
	add_row(t, "Participants", now.participants, then.participants, "int");
	add_row(t, "Participations", now.participations, then.participations, "int");
	add_row(t, "Hours of PL", now.hours, then.hours, "hours");
	add_row(t, "Spent", now.spent, then.spent, "cents");
	standard_rows(t, &now, &then, 2011);
	standard_rows(t, &now, &then, 2022);
	return json_array_append_new(r->tables, t) ? oom() : 0;
}
