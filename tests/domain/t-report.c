/*
 * t-report.c — the annual report's numbers, checked against totals this
 * test computes on its own from its fixture (two schools with PL, one
 * without, staff of both categories and one with no school, entries in and
 * out of the year, not completed, several standards, PLC meetings), and
 * every total of every table checked against the sum of its rows. Then the
 * HTML, Markdown and CSV writers.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plsync/plsync.h"
#include "plsync/dataset.h"
#include "plsync/report.h"
#include "../tap.h"

#define YEAR  "2026-2027"
#define FROM  "2026-07-01"
#define TO    "2027-06-30"
#define TODAY "2027-07-15"

static const struct staff {
	const char *id, *school, *category;
} staff[] = {
	{ "T1", "LIN01", "certified" }, { "T2", "LIN01", "certified" }, { "T3", "OAK02", "certified" },
	{ "N1", "OAK02", "noninstructional" }, { "T4", "LIN01", "certified" }, { "U1", NULL, "certified" },
};

static const struct entry {
	const char *id, *staff, *type, *status, *start, *end;
	double      hours, credits;
	long long   cost;
	const char *funding, *standards, *goal, *activity;
	int         eval[5];  /* 0 = not rated */
} entries[] = {
	{ "P01", "T1", "workshop", "completed", "2026-09-14", "2026-09-14", 6.5, 0, 12000, "federal:title-ii-a",
	  "learning_designs,curriculum_assessment_instruction", "G1", "A1", { 5, 4, 3, 4, 0 } },
	{ "P02", "T1", "course", "completed", "2026-10-01", "2026-11-30", 30, 3, 45000, "state",
	  "equity_practices,professional_expertise", NULL, "A2", { 4, 4, 0, 0, 0 } },
	{ "P03", "T2", "coaching", "completed", "2026-10-08", NULL, 2.5, 0, 0, "local",
	  "implementation,data,outcomes", NULL, NULL, { 0 } },
	{ "P04", "T3", "conference", "completed", "2027-03-03", "2027-03-05", 7.25, 0, 80000, "federal:title-ii-a",
	  "leadership", "G1", NULL, { 3, 3, 2, 2, 1 } },
	{ "P05", "N1", "training", "completed", "2027-06-30", NULL, 4, 0, 5000, "local", "resources", NULL, NULL,
	  { 5, 0, 0, 0, 0 } },
	{ "P06", "U1", "seminar", "completed", "2026-07-01", NULL, 3, 0.5, 0, "grant:acme", NULL, NULL, NULL, { 0 } },
	{ "P07", "T1", "workshop", "approved", "2026-12-01", NULL, 6, 0, 10000, "local", NULL, NULL, NULL, { 0 } },
	{ "P08", "T2", "workshop", "completed", "2026-06-30", NULL, 5, 0, 1000, "local", NULL, NULL, NULL, { 0 } },
	{ "P09", "T3", "workshop", "completed", "2027-07-01", NULL, 5, 0, 1000, "local", NULL, NULL, NULL, { 0 } },
	{ "P10", "T2", "institute", "completed", "2027-01-20", "2027-01-22", 18, 1.5, 30000, NULL,
	  "learning_designs,equity_drivers,culture_of_collaborative_inquiry", "G2", NULL, { 4, 5, 4, 3, 0 } },
	{ "P11", "T3", "instructional_rounds", "completed", "2027-02-02", NULL, 1.5, 0, 0, "federal:title-iv-a",
	  "evidence", "G0", NULL, { 0 } },
	{ "P12", "T1", "workshop", "requested", "2027-02-10", NULL, 3, 0, 2000, "local", NULL, NULL, NULL, { 0 } },
	{ "P13", "T2", "workshop", "completed", NULL, NULL, 9, 0, 0, "local", NULL, NULL, NULL, { 0 } },
};

static const struct meeting {
	const char *id, *school, *group, *date;
	int         minutes;
	const char *attendees, *standards;
} meetings[] = {
	{ "M1", "LIN01", "Gr4 math", "2026-10-05", 50, "T1,T2", "learning_communities,culture_of_collaborative_inquiry" },
	{ "M2", "LIN01", "Gr4 math", "2027-01-10", 45, "T1", NULL },
	{ "M3", "OAK02", "Science", "2026-12-01", 60, "T3,N1", "learning_communities" },
	{ "M4", "LIN01", "Gr4 math", "2026-06-01", 60, "T1", NULL },
	{ "M5", "OAK02", "Science", "2027-05-05", 20, "", NULL },
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static json_t *list(const char *csv)
{
	json_t *a = json_array();
	char *s, *tok, *save;

	if (!csv)
		return a;
	s = strdup(csv);
	for (tok = strtok_r(s, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		json_array_append_new(a, json_string(tok));
	free(s);
	return a;
}

static void put(json_t *ds, const char *kind, const char *id, json_t *fields)
{
	if (pl_dataset_put(ds, kind, id, fields))
		bail("put %s: %s", id, pl_error_last()->message);
	json_decref(fields);
}

static json_t *fixture(void)
{
	json_t *ds = pl_dataset_new();

	put(ds, "school", "LIN01", json_pack("{ss ss}", "code", "LIN01", "name", "Lincoln Elementary"));
	put(ds, "school", "OAK02", json_pack("{ss ss}", "code", "OAK02", "name", "Oak Middle"));
	put(ds, "school", "PIN03", json_pack("{ss ss}", "code", "PIN03", "name", "Pine High"));
	for (size_t i = 0; i < N(staff); i++) {
		json_t *f = json_pack("{ss ss}", "name", staff[i].id, "category", staff[i].category);
		if (staff[i].school)
			json_object_set_new(f, "school", json_string(staff[i].school));
		put(ds, "staff", staff[i].id, f);
	}
	put(ds, "plan", "PL0", json_pack("{ss ss}", "school", "LIN01", "year", "2025-2026"));
	put(ds, "plan", "PL1", json_pack("{ss ss}", "school", "LIN01", "year", YEAR));
	put(ds, "goal", "G0", json_pack("{ss sI ss}", "plan", "PL0", "number", (json_int_t)1, "statement", "Last year's goal"));
	put(ds, "goal", "G1", json_pack("{ss sI ss ss ss ss ss}", "plan", "PL1", "number", (json_int_t)1,
	                                "statement", "Raise grade 4 math", "measure", "state test",
	                                "outcome_y1", "64%", "outcome_y2", "67%", "outcome_y3", "70%"));
	put(ds, "goal", "G2", json_pack("{ss sI ss ss ss ss ss}", "plan", "PL1", "number", (json_int_t)2,
	                                "statement", "Culturally responsive teaching", "measure", "survey",
	                                "outcome_y1", "a", "outcome_y2", "b", "outcome_y3", "c"));
	put(ds, "activity", "A0", json_pack("{ss ss sI ss}", "goal", "G0", "title", "old", "budget_cents", (json_int_t)5000,
	                                    "funding", "state"));
	put(ds, "activity", "A1", json_pack("{ss ss sI ss s{ss} s{ss}}", "goal", "G1", "title", "Fractions",
	                                    "budget_cents", (json_int_t)250000, "funding", "federal:title-ii-a",
	                                    "initial", "what", "workshop", "followup", "what", "lesson study"));
	put(ds, "activity", "A2", json_pack("{ss ss sI ss s{ss}}", "goal", "G2", "title", "CRT course",
	                                    "budget_cents", (json_int_t)100000, "funding", "local",
	                                    "followup", "what", "PLC"));
	for (size_t i = 0; i < N(entries); i++) {
		const struct entry *e = &entries[i];
		static const char *const lv[] = { "reaction", "learning", "org_support", "transfer", "student_impact" };
		json_t *f = json_pack("{ss ss ss ss sf sI}", "staff", e->staff, "title", e->id, "type", e->type,
		                      "status", e->status, "hours", e->hours, "cost_cents", (json_int_t)e->cost);
		json_t *ev = json_object();
		if (e->start)
			json_object_set_new(f, "start", json_string(e->start));
		if (e->end)
			json_object_set_new(f, "end", json_string(e->end));
		if (e->credits)
			json_object_set_new(f, "credits", json_real(e->credits));
		if (e->funding)
			json_object_set_new(f, "funding", json_string(e->funding));
		if (e->standards)
			json_object_set_new(f, "standards", list(e->standards));
		if (e->goal)
			json_object_set_new(f, "goal", json_string(e->goal));
		if (e->activity)
			json_object_set_new(f, "activity", json_string(e->activity));
		for (int l = 0; l < 5; l++)
			if (e->eval[l])
				json_object_set_new(ev, lv[l], json_integer(e->eval[l]));
		if (json_object_size(ev))
			json_object_set(f, "evaluation", ev);
		json_decref(ev);
		put(ds, "pd_entry", e->id, f);
	}
	for (size_t i = 0; i < N(meetings); i++) {
		const struct meeting *m = &meetings[i];
		json_t *f = json_pack("{ss ss ss sI so}", "group", m->group, "school", m->school, "date", m->date,
		                      "minutes", (json_int_t)m->minutes, "attendees", list(m->attendees));
		if (m->standards)
			json_object_set_new(f, "standards", list(m->standards));
		put(ds, "plc_meeting", m->id, f);
	}
	return ds;
}

/* ---- the test's own arithmetic ---- */

static int counted(const struct entry *e)
{
	const char *d = e->end ? e->end : e->start;
	return !strcmp(e->status, "completed") && d && strcmp(d, FROM) >= 0 && strcmp(d, TO) <= 0;
}

static int meeting_in_year(const struct meeting *m)
{
	return strcmp(m->date, FROM) >= 0 && strcmp(m->date, TO) <= 0;
}

static int nattendees(const struct meeting *m)
{
	int n = 0;
	for (const char *p = m->attendees; *p; p++)
		n += *p == ',';
	return *m->attendees ? n + 1 : 0;
}

static long long centi(double h)
{
	return llround(h * 100.0);
}

static long long plc_centi(const struct meeting *m)
{
	return llround(m->minutes * 100.0 / 60.0);
}

static const struct staff *staff_of(const char *id)
{
	for (size_t i = 0; i < N(staff); i++)
		if (!strcmp(staff[i].id, id))
			return &staff[i];
	return NULL;
}

static int has(const char *csv, const char *item)
{
	size_t n = strlen(item);
	for (const char *p = csv; p && *p;) {
		const char *c = strchr(p, ',');
		size_t len = c ? (size_t)(c - p) : strlen(p);
		if (len == n && !strncmp(p, item, n))
			return 1;
		p = c ? c + 1 : p + len;
	}
	return 0;
}

/* ---- reading the report ---- */

static const json_t *rep;

static const json_t *table(const char *id)
{
	const json_t *ts = json_object_get(rep, "tables");
	for (size_t i = 0; i < json_array_size(ts); i++)
		if (!strcmp(json_string_value(json_object_get(json_array_get(ts, i), "id")), id))
			return json_array_get(ts, i);
	bail("no table %s", id);
}

/* 1 if the report being checked has table `id`. */
static int has_table(const char *id)
{
	const json_t *ts = json_object_get(rep, "tables");
	for (size_t i = 0; i < json_array_size(ts); i++)
		if (!strcmp(json_string_value(json_object_get(json_array_get(ts, i), "id")), id))
			return 1;
	return 0;
}

static long long num(const json_t *v)
{
	if (json_is_integer(v))
		return json_integer_value(v) * 100;
	return json_is_number(v) ? llround(json_number_value(v) * 100.0) : -1;
}

static size_t col(const json_t *t, const char *id)
{
	const json_t *cols = json_object_get(t, "columns");
	for (size_t i = 0; i < json_array_size(cols); i++)
		if (!strcmp(json_string_value(json_object_get(json_array_get(cols, i), "id")), id))
			return i;
	bail("no column %s", id);
}

/* The cell of column `c` in the row whose first cell is `key` (x100 for numbers). */
static long long cell(const char *tid, const char *key, const char *c)
{
	const json_t *t = table(tid), *rows = json_object_get(t, "rows");
	for (size_t i = 0; i < json_array_size(rows); i++) {
		const json_t *r = json_array_get(rows, i);
		if (!strcmp(json_string_value(json_array_get(r, 0)), key))
			return num(json_array_get(r, col(t, c)));
	}
	return -999;
}

static long long total(const char *tid, const char *c)
{
	const json_t *t = table(tid);
	return num(json_array_get(json_object_get(t, "total"), col(t, c)));
}

static long long summary(const char *k)
{
	return num(json_object_get(json_object_get(rep, "summary"), k));
}

/* ---- what the report knows: the coverage table and the warnings ---- */

/* The text cell of column `c` in the row whose first cell is `key` (NULL: none). */
static const char *cell_text(const char *tid, const char *key, const char *c)
{
	const json_t *t = table(tid), *rows = json_object_get(t, "rows");
	for (size_t i = 0; i < json_array_size(rows); i++) {
		const json_t *r = json_array_get(rows, i);
		if (!strcmp(json_string_value(json_array_get(r, 0)), key))
			return json_string_value(json_array_get(r, col(t, c)));
	}
	return NULL;
}

/* The report written as `format` (malloc'd). */
static char *written(const json_t *report, const char *format)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f || pl_report_write(f, report, format, 0))
		bail("pl_report_write %s: %s", format, pl_error_last()->message);
	fclose(f);
	return buf;
}

/* The warnings' schools, "PIN03 ELM04 ...", in the report's order. */
static const char *warned(const json_t *report)
{
	static char buf[256];
	const json_t *ws = json_object_get(report, "warnings");
	buf[0] = '\0';
	for (size_t i = 0; i < json_array_size(ws); i++)
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%s", i ? " " : "",
		         json_string_value(json_object_get(json_array_get(ws, i), "school")));
	return buf;
}

static void coverage_checks(const json_t *fixture_ds, const json_t *plain)
{
	const json_t *saved = rep;
	json_t *ds = json_deep_copy(fixture_ds), *report = NULL, *back;
	json_t *cov = json_pack("{s{ss sI ss} s{ss sI ss} s{ss sI ss} s{ss sI}}",
	                        "LIN01", "last_push", "2027-07-10T08:30:12.345Z", "merged_seq", (json_int_t)42,
	                        "merged_at", "2027-07-10T08:29:59.000Z",
	                        "OAK02", "last_push", "2027-07-01T12:00:00.000Z", "merged_seq", (json_int_t)7,
	                        "merged_at", "2027-06-30T15:00:00.000Z",
	                        "PIN03", "last_push", "2026-05-02T10:00:00.000Z", "merged_seq", (json_int_t)3,
	                        "merged_at", "2026-05-02T09:59:00.000Z",
	                        "MAP05", "last_push", "2027-07-14T07:00:00.000Z", "merged_seq", (json_int_t)0);
	pl_report_options ro = PL_REPORT_OPTIONS_INIT, v1 = { 1, NULL, NULL, NULL, NULL };

	ro.audience = PL_REPORT_COORDINATOR;
	char *buf, want[512];

	/* without coverage facts, only a school with no PL is told */
	rep = plain;
	is_str(warned(plain), "PIN03", "no coverage given: the school without PL is warned of");
	is_str(cell_text("coverage", "PIN03", "status"), "no PL recorded", "  as having no PL recorded");
	ok(json_is_null(json_array_get(json_array_get(json_object_get(table("coverage"), "rows"), 0), 3)),
	   "  and the coverage cells it cannot know are empty, not 0");

	put(ds, "school", "ELM04", json_pack("{ss ss}", "code", "ELM04", "name", "Elm <b>\"&\" | Co"));
	put(ds, "school", "MAP05", json_pack("{ss ss}", "code", "MAP05", "name", "Maple"));
	ro.coverage = cov;
	if (pl_report_build(&report, ds, YEAR, TODAY, &ro))
		bail("pl_report_build: %s", pl_error_last()->message);
	rep = report;
	is_str(json_string_value(json_object_get(json_array_get(json_object_get(report, "tables"), 0), "id")),
	       "coverage", "the coverage table comes first");
	is_int(cell("coverage", "LIN01", "merged_seq"), 4200, "coverage: LIN01's last merged op is seq 42");
	is_str(cell_text("coverage", "LIN01", "last_push"), "2027-07-10 08:30", "  its last push, to the minute (UTC)");
	is_str(cell_text("coverage", "LIN01", "merged_at"), "2027-07-10 08:29", "  the time of its last merged op");
	is_int(cell("coverage", "LIN01", "days_since"), 500, "  5 days since, to the report's today");
	is_int(cell("coverage", "LIN01", "participations"),
	       cell("by_school", "LIN01", "pd_entries") + cell("by_school", "LIN01", "plc_attendances"),
	       "  its participations are the by-school table's");
	is_str(cell_text("coverage", "LIN01", "status"), "ok", "  and it is ok");
	is_str(cell_text("coverage", "OAK02", "status"), "ok", "coverage: OAK02 is ok");
	is_str(cell_text("coverage", "PIN03", "status"), "no data in the year",
	       "coverage: PIN03, nothing since May 2026, has no data in the year");
	is_int(cell("coverage", "PIN03", "days_since"), 43900, "  heard from 439 days ago");
	is_str(cell_text("coverage", "ELM04", "status"), "nothing received", "coverage: ELM04 sent nothing");
	is_int(cell("coverage", "ELM04", "merged_seq"), 0, "  its last merged seq is 0");
	is_int(cell("coverage", "ELM04", "days_since"), -1, "  and days since is empty");
	is_str(cell_text("coverage", "MAP05", "status"), "nothing merged", "coverage: MAP05 pushed but nothing merged");
	is_str(warned(report), "PIN03 ELM04 MAP05", "the warnings name PIN03, ELM04 and MAP05 (in the schools' order), not the schools with data");
	{
		const char *why = NULL;
		for (size_t i = 0; i < json_array_size(json_object_get(report, "warnings")); i++)
			if (!strcmp(json_string_value(json_object_get(json_array_get(json_object_get(report, "warnings"), i),
			                                              "school")), "PIN03"))
				why = json_string_value(json_object_get(json_array_get(json_object_get(report, "warnings"), i), "why"));
		ok(why && strstr(why, "2026-05-02") && strstr(why, "before the year began on 2026-07-01") &&
		   strstr(why, "missing, not zero"), "  PIN03's says since when and why: %s", why ? why : "(none)");
	}

	buf = written(report, "html");
	ok(strstr(buf, "id=\"warnings\"") && strstr(buf, "id=\"summary\"") &&
	   strstr(buf, "id=\"warnings\"") < strstr(buf, "id=\"summary\""), "html: the warnings come before the summary");
	ok(strstr(buf, "<b>Pine High (PIN03): no data in the year</b>") != NULL, "  naming PIN03 and what is wrong");
	ok(strstr(buf, "Warning: data may be missing for 3 schools") != NULL, "  under a heading that says how many");
	ok(strstr(buf, "<section id=\"coverage\">") && strstr(buf, "Data coverage by school"), "  with the coverage table");
	ok(strstr(buf, "Elm &lt;b&gt;&quot;&amp;&quot; | Co") && !strstr(buf, "Elm <b>"), "  a school's name is escaped");
	free(buf);
	buf = written(report, "md");
	ok(strstr(buf, "> **WARNING: Pine High (PIN03): no data in the year**: ") &&
	   strstr(buf, "> **WARNING: ") < strstr(buf, "## Summary"), "md: the warnings come before the summary");
	ok(strstr(buf, "## Data coverage by school") && strstr(buf, "| PIN03 | Pine High | 2026-05-02 10:00 | 3 |"),
	   "  with the coverage table");
	ok(strstr(buf, "Elm \\<b>\"&\" \\| Co") != NULL, "  a school's name is escaped");
	free(buf);
	buf = written(report, "csv");
	ok(strstr(buf, "\n\nWARNING: data may be missing\nSchool,Name,Status,Warning\nPIN03,") &&
	   strstr(buf, "WARNING") < strstr(buf, "\nSummary\n"), "csv: a warnings block comes before the summary");
	ok(strstr(buf, "\nPIN03,Pine High,no data in the year,") != NULL, "  with a row per school warned of");
	snprintf(want, sizeof(want), "\nData coverage by school\nSchool,Name,Last push (UTC),Last merged op,"
	         "Merged op time (UTC),Days since,Participations,Status\n");
	ok(strstr(buf, want) != NULL, "  and the coverage table's block");
	ok(strstr(buf, "\nPIN03,Pine High,2026-05-02 10:00,3,2026-05-02 09:59,439,0,no data in the year\n") != NULL,
	   "  PIN03's row in it");
	ok(strstr(buf, "ELM04,\"Elm <b>\"\"&\"\" | Co\",nothing received,") != NULL, "  a school's name is quoted");
	free(buf);
	buf = written(report, "json");
	back = json_loads(buf, 0, NULL);
	is_str(warned(back), "PIN03 ELM04 MAP05", "json: the warnings are in the report object");
	json_decref(back);
	free(buf);

	json_decref(report);
	is_int(pl_report_build(&report, ds, YEAR, TODAY, &v1), 0, "options of version 1 are still read");
	is_str(warned(report), "PIN03 ELM04 MAP05", "  without coverage: the schools without PL are warned of");
	json_decref(report);
	json_decref(cov);
	json_decref(ds);
	rep = saved;
}

static pl_report_options coordinator_opts(void)
{
	pl_report_options o = PL_REPORT_OPTIONS_INIT;
	o.audience = PL_REPORT_COORDINATOR;
	return o;
}

/* The board's version of the fixture's report (issue 12, item 5). */
static void board_checks(const json_t *ds, const json_t *coord)
{
	pl_report_options bo = PL_REPORT_OPTIONS_INIT;
	json_t *b = NULL, *hit;
	const char *kind, *id;
	json_t *recs, *r;
	char *json, *html, *csv;
	int keys = 0, ragged = 0;

	is_int(pl_report_build(&b, ds, YEAR, TODAY, &bo), 0, "board: the default report is the board's");
	is_str(json_string_value(json_object_get(b, "audience")), "board", "  it says so");
	is_str(json_string_value(json_object_get(b, "staff")), "none", "  with staff none");
	for (size_t i = 0; i < json_array_size(json_object_get(b, "tables")); i++) {
		const json_t *t = json_array_get(json_object_get(b, "tables"), i);
		size_t nc = json_array_size(json_object_get(t, "columns"));
		for (size_t c = 0; c < nc; c++)
			keys += json_is_true(json_object_get(json_array_get(json_object_get(t, "columns"), c), "key"));
		for (size_t k = 0; k < json_array_size(json_object_get(t, "rows")); k++)
			ragged += json_array_size(json_array_get(json_object_get(t, "rows"), k)) != nc;
		ragged += json_array_size(json_object_get(t, "total")) && json_array_size(json_object_get(t, "total")) != nc;
	}
	is_int(keys, 0, "  no table has a code or id column left");
	is_int(ragged, 0, "  and every row and total has a cell per column");
	is_int((long long)json_array_size(json_object_get(b, "findings")), 0, "  no finding listed one by one");
	is_int(json_integer_value(json_object_get(json_object_get(b, "summary"), "findings")),
	       json_integer_value(json_object_get(json_object_get(coord, "summary"), "findings")),
	       "  but the same count of findings as the coordinator's");
	is_int(json_integer_value(json_object_get(json_object_get(b, "summary"), "participations")),
	       json_integer_value(json_object_get(json_object_get(coord, "summary"), "participations")),
	       "  and the same figures");
	json = json_dumps(b, 0);
	html = written(b, "html");
	csv = written(b, "csv");
	hit = json_array();
	json_object_foreach(recs = (json_t *)ds, kind, r) {
		const char *rid;
		json_t *x;
		(void)x;
		json_object_foreach(r, rid, x) {
			char quoted[128];
			snprintf(quoted, sizeof(quoted), "\"%s\"", rid);
			if (strstr(json, quoted) || strstr(html, rid) || strstr(csv, rid))
				json_array_append_new(hit, json_string(rid));
		}
	}
	(void)id;
	is_int((long long)json_array_size(hit), 0, "  no record id of the fixture in its JSON, HTML or CSV%s",
	       json_array_size(hit) ? " (one is)" : "");
	ok(!strstr(html, "federal:") && strstr(html, "Federal Title II-A"), "  funding by name, not code");
	ok(!strstr(html, "plsync "), "  no command line");
	ok(strstr(csv, "\nFederal Title II-A,2,920.00,1,2500.00\n") != NULL, "  the CSV's funding row starts with its name");
	free(json);
	free(html);
	free(csv);
	json_decref(hit);
	json_decref(b);

	bo.staff = PL_REPORT_STAFF_NAMES;
	is_int(pl_report_build(&b, ds, YEAR, TODAY, &bo), 0, "board with staff names");
	rep = b;
	ok(has_table("findings_by_staff"), "  has a findings-by-person table");
	{
		const json_t *t = table("findings_by_staff");
		long long sum = 0;
		for (size_t k = 0; k < json_array_size(json_object_get(t, "rows")); k++)
			sum += json_integer_value(json_array_get(json_array_get(json_object_get(t, "rows"), k), 2));
		is_int(sum, json_integer_value(json_object_get(json_object_get(b, "summary"), "findings")),
		       "  whose rows add up to every finding");
	}
	rep = coord;
	json_decref(b);

	bo.audience = (pl_report_audience)7;
	is_int(pl_report_build(&b, ds, YEAR, TODAY, &bo), PL_EUSAGE, "an unknown audience is refused");
	is_int(pl_report_audience_of("coordinator"), PL_REPORT_COORDINATOR, "\"coordinator\" is the coordinator");
	is_int(pl_report_staff_of("everyone"), 0, "\"everyone\" is no staff mode");

	/* the coordinator's findings: each with its next step */
	{
		const json_t *fs = json_object_get(coord, "findings");
		int all = json_array_size(fs) > 0;
		for (size_t i = 0; i < json_array_size(fs); i++) {
			const char *next = json_string_value(json_object_get(json_array_get(fs, i), "next"));
			all &= next && *next && !strstr(next, "plsync");
		}
		ok(all, "coordinator: every finding has its next step in words (%zu)", json_array_size(fs));
	}
	/* the standards tables carry what the charts leave out */
	{
		const json_t *t;
		rep = coord;
		t = table("by_standard_2022");
		ok(t && json_object_get(t, "unassigned") &&
		   num(json_object_get(json_object_get(t, "unassigned"), "hours")) ==
		   num(json_array_get(json_array_get(json_object_get(t, "rows"), json_array_size(json_object_get(t, "rows")) - 1), 3)),
		   "the 2022 table's unassigned hours are its last row's");
	}
	/* the year before: P08 (T2, 5 hours, $10) and M4 (T1, 1 hour) */
	{
		const json_t *t = table("previous_year");
		const json_t *rows = json_object_get(t, "rows");
		ok(t && !json_object_get(coord, "comparison_note"), "the fixture has PL of 2025-2026: a comparison table");
		is_int(num(json_array_get(json_array_get(rows, 0), 2)), 200, "  last year's participants: 2");
		is_int(num(json_array_get(json_array_get(rows, 1), 2)), 200, "  last year's participations: 2");
		is_int(num(json_array_get(json_array_get(rows, 2), 2)), 600, "  last year's hours: 5 + 1");
		is_int(num(json_array_get(json_array_get(rows, 3), 2)), 100000, "  last year's spending: 1000 cents");
		is_int(num(json_array_get(json_array_get(rows, 2), 3)),
		       num(json_array_get(json_array_get(rows, 2), 1)) - 600, "  the change is this year's less last year's");
		is_str(json_string_value(json_array_get(json_object_get(t, "row_types"), 3)), "cents",
		       "  spending's cells are cents");
	}
	{
		json_t *old = NULL;
		pl_report_options co = coordinator_opts();
		is_int(pl_report_build(&old, ds, "2025-2026", TODAY, &co), 0, "the 2025-2026 report");
		rep = old;
		ok(!has_table("previous_year") && json_string_value(json_object_get(old, "comparison_note")) &&
		   strstr(json_string_value(json_object_get(old, "comparison_note")), "2024-2025"),
		   "  no PL of 2024-2025 in the data: no comparison table, a note naming the year");
		rep = coord;
		json_decref(old);
	}
}

static const pl_report_options coordinator = { PL_REPORT_OPTIONS_VERSION, NULL, NULL, NULL, NULL,
                                                PL_REPORT_COORDINATOR, 0 };

int main(void)
{
	json_t *ds = fixture(), *report = NULL;
	long long hours = 0, credits = 0, spent = 0, t2a = 0, pd = 0, plc_att = 0, plc_meet = 0, plc_min = 0;
	long long plc_hours = 0;
	int who[N(staff)] = { 0 };
	long long participants = 0;

	if (pl_report_build(&report, ds, YEAR, TODAY, &coordinator))
		bail("pl_report_build: %s", pl_error_last()->message);
	rep = report;

	/* the test's own totals */
	for (size_t i = 0; i < N(entries); i++) {
		const struct entry *e = &entries[i];
		if (!counted(e))
			continue;
		pd++;
		hours += centi(e->hours);
		credits += centi(e->credits);
		spent += e->cost;
		if (e->funding && !strcmp(e->funding, "federal:title-ii-a"))
			t2a += e->cost;
		who[staff_of(e->staff) - staff] = 1;
	}
	for (size_t i = 0; i < N(meetings); i++) {
		const struct meeting *m = &meetings[i];
		if (!meeting_in_year(m))
			continue;
		plc_meet++;
		plc_min += m->minutes;
		plc_att += nattendees(m);
		plc_hours += nattendees(m) * plc_centi(m);
		for (size_t s = 0; s < N(staff); s++)
			if (has(m->attendees, staff[s].id))
				who[s] = 1;
	}
	hours += plc_hours;
	for (size_t s = 0; s < N(staff); s++)
		participants += who[s];

	is_int(summary("participants"), participants * 100, "participants: every staff member with PL in the year, once");
	is_int(summary("pd_entries"), pd * 100, "PD entries: completed ones dated in the year only");
	is_int(summary("plc_meetings"), plc_meet * 100, "PLC meetings in the year");
	is_int(summary("participations"), (pd + plc_att) * 100, "participations: entries plus PLC attendances");
	is_int(summary("hours"), hours, "hours: entries plus minutes/60 per PLC attendee");
	is_int(summary("credits"), credits, "credits");
	is_int(summary("spent_cents"), spent * 100, "spending");
	is_int(summary("title_ii_a_cents"), t2a * 100, "Title II-A spending on its own");
	is_int(total("by_school", "hours"), hours, "the by-school total is the year's hours");

	/* by school: the test's own grouping */
	{
		static const char *const schools[] = { "LIN01", "OAK02", "PIN03", "(no school)" };
		for (size_t k = 0; k < N(schools); k++) {
			long long h = 0, n = 0, att = 0;
			int seen[N(staff)] = { 0 };
			long long ppl = 0;
			for (size_t i = 0; i < N(entries); i++) {
				const struct staff *s = staff_of(entries[i].staff);
				if (!counted(&entries[i]) || strcmp(s->school ? s->school : "(no school)", schools[k]))
					continue;
				h += centi(entries[i].hours);
				n++;
				seen[s - staff] = 1;
			}
			for (size_t i = 0; i < N(meetings); i++)
				for (size_t s = 0; meeting_in_year(&meetings[i]) && s < N(staff); s++)
					if (has(meetings[i].attendees, staff[s].id) &&
					    !strcmp(staff[s].school ? staff[s].school : "(no school)", schools[k])) {
						h += plc_centi(&meetings[i]);
						att++;
						seen[s] = 1;
					}
			for (size_t s = 0; s < N(staff); s++)
				ppl += seen[s];
			is_int(cell("by_school", schools[k], "hours"), h, "by school: %s hours", schools[k]);
			is_int(cell("by_school", schools[k], "pd_entries"), n * 100, "by school: %s PD entries", schools[k]);
			is_int(cell("by_school", schools[k], "plc_attendances"), att * 100, "by school: %s PLC attendances", schools[k]);
			is_int(cell("by_school", schools[k], "participants"), ppl * 100, "by school: %s participants", schools[k]);
		}
	}

	/* by category */
	{
		long long h = 0;
		for (size_t i = 0; i < N(entries); i++)
			if (counted(&entries[i]) && !strcmp(staff_of(entries[i].staff)->category, "noninstructional"))
				h += centi(entries[i].hours);
		for (size_t i = 0; i < N(meetings); i++)
			if (meeting_in_year(&meetings[i]) && has(meetings[i].attendees, "N1"))
				h += plc_centi(&meetings[i]);
		is_int(cell("by_category", "noninstructional", "hours"), h, "by category: noninstructional hours");
		is_int(cell("by_category", "certified", "hours"), hours - h, "by category: certified hours are the rest");
	}

	/* by type */
	{
		static const char *const types[] = { "workshop", "course", "coaching", "conference", "training",
		                                     "seminar", "institute", "instructional_rounds" };
		for (size_t k = 0; k < N(types); k++) {
			long long h = 0;
			for (size_t i = 0; i < N(entries); i++)
				if (counted(&entries[i]) && !strcmp(entries[i].type, types[k]))
					h += centi(entries[i].hours);
			is_int(cell("by_type", types[k], "hours"), h, "by type: %s hours", types[k]);
		}
		is_int(cell("by_type", "plc_meeting", "hours"), plc_hours, "by type: PLC meeting hours (job-embedded)");
		is_int(cell("by_type", "plc_meeting", "participations"), plc_att * 100, "by type: PLC attendances");
	}

	/* by standard: hours shared equally among the standards of the set an entry names */
	for (int set = 2011; set <= 2022; set += 11) {
		const char *const *codes = pl_standard_codes(set);
		long long want[32] = { 0 }, none = 0;
		char tid[32];
		size_t nc = 0;

		while (codes[nc])
			nc++;
		snprintf(tid, sizeof(tid), "by_standard_%d", set);
		for (size_t i = 0; i < N(entries) + N(meetings) * N(staff); i++) {
			const char *stds;
			long long h;
			if (i < N(entries)) {
				if (!counted(&entries[i]))
					continue;
				stds = entries[i].standards;
				h = centi(entries[i].hours);
			} else {
				const struct meeting *m = &meetings[(i - N(entries)) / N(staff)];
				const struct staff *s = &staff[(i - N(entries)) % N(staff)];
				if (!meeting_in_year(m) || !has(m->attendees, s->id))
					continue;
				stds = m->standards;
				h = plc_centi(m);
			}
			long long k = 0, rest;
			for (size_t c = 0; c < nc; c++)
				k += has(stds, codes[c]);
			if (!k) {
				none += h;
				continue;
			}
			rest = h % k;
			for (size_t c = 0; c < nc; c++)
				if (has(stds, codes[c])) {
					want[c] += h / k + (rest > 0);
					rest--;
				}
		}
		for (size_t c = 0; c < nc; c++)
			is_int(cell(tid, codes[c], "hours"), want[c], "standards %d: %s hours", set, codes[c]);
		is_int(cell(tid, "", "hours"), none, "standards %d: hours naming no standard of the set", set);
	}
	is_int(cell("by_standard_2011", "learning_communities", "participations"), 400,
	       "the 2011 learning communities standard was named by 4 PLC attendances");

	/* by goal: directly, or through the activity */
	{
		long long g1 = centi(6.5) + centi(7.25), g2 = centi(30) + centi(18), g0 = centi(1.5);
		is_int(cell("by_goal", "G1", "hours"), g1, "by goal: G1 from its entries");
		is_int(cell("by_goal", "G2", "hours"), g2, "by goal: G2 including an entry linked only to its activity");
		is_int(cell("by_goal", "G0", "hours"), g0, "by goal: last year's goal appears because PL this year served it");
		is_int(cell("by_goal", "", "hours"), hours - g1 - g2 - g0, "by goal: the rest is not linked to a goal");
		is_int(cell("by_goal", "G1", "spent_cents"), (12000 + 80000) * 100, "by goal: G1 spending");
	}

	/* spending by funding source */
	is_int(cell("by_funding", "federal:title-ii-a", "spent_cents"), t2a * 100, "Title II-A has its own row");
	is_int(cell("by_funding", "federal:title-ii-a", "budget_cents"), 250000 * 100, "  with its planned budget");
	is_int(cell("by_funding", "local", "spent_cents"), 5000 * 100, "local spending (not the approved or out-of-year ones)");
	is_int(cell("by_funding", "local", "budget_cents"), 100000 * 100, "local budget of this year's plan activities");
	is_int(cell("by_funding", "state", "budget_cents"), 0, "last year's plan activities are not budgeted this year");
	is_int(cell("by_funding", "", "spent_cents"), 30000 * 100, "spending with no funding recorded has its row");
	is_int(total("by_funding", "budget_cents"), 350000 * 100, "budgeted total");

	/* evaluation by Guskey level */
	{
		static const char *const lvl[] = { "1", "2", "3", "4", "5" };
		long long all = 0;
		for (int l = 0; l < 5; l++) {
			long long n = 0, sum = 0, fives = 0;
			const json_t *t = table("evaluation"), *row = json_array_get(json_object_get(t, "rows"), (size_t)l);
			for (size_t i = 0; i < N(entries); i++)
				if (counted(&entries[i]) && entries[i].eval[l]) {
					n++;
					sum += entries[i].eval[l];
					fives += entries[i].eval[l] == 5;
				}
			all += n;
			is_int(num(json_array_get(row, col(t, "responses"))), n * 100, "evaluation level %s: ratings", lvl[l]);
			is_int(num(json_array_get(row, col(t, "r5"))), fives * 100, "evaluation level %s: ratings of 5", lvl[l]);
			if (n)
				is_int(num(json_array_get(row, col(t, "mean"))), llround(sum * 100.0 / n), "evaluation level %s: mean", lvl[l]);
		}
		is_int(total("evaluation", "responses"), all * 100, "evaluation: all ratings");
	}

	/* PLC activity */
	is_int(total("plc", "meetings"), plc_meet * 100, "PLC: meetings, one with no attendees included");
	is_int(total("plc", "minutes"), plc_min * 100, "PLC: minutes");
	is_int(total("plc", "hours"), plc_hours, "PLC: attendee hours");
	is_int(cell("plc", "Science", "meetings"), 200, "PLC: the Science group met twice");

	/* by month */
	is_int(cell("by_month", "2026-07", "hours"), centi(3), "by month: July holds the entry of July 1");
	is_int(cell("by_month", "2027-06", "hours"), centi(4), "by month: June holds the entry of June 30");
	is_int(cell("by_month", "2026-11", "hours"), centi(30), "by month: a course counts in the month it ended");

	/* findings */
	is_int(total("findings_by_rule", "findings"), (long long)json_array_size(json_object_get(rep, "findings")) * 100,
	       "findings by rule add up to the findings listed");

	/* every total equals the sum of its rows, in every table */
	{
		const json_t *ts = json_object_get(rep, "tables");
		size_t checked = 0;
		for (size_t i = 0; i < json_array_size(ts); i++) {
			const json_t *t = json_array_get(ts, i), *cols = json_object_get(t, "columns");
			const json_t *rows = json_object_get(t, "rows"), *tot = json_object_get(t, "total");
			for (size_t c = 0; c < json_array_size(cols); c++) {
				long long sum = 0;
				if (!json_is_true(json_object_get(json_array_get(cols, c), "sum")))
					continue;
				for (size_t r = 0; r < json_array_size(rows); r++)
					sum += num(json_array_get(json_array_get(rows, r), c));
				is_int(num(json_array_get(tot, c)), sum, "%s: total %s is the sum of its rows",
				       json_string_value(json_object_get(t, "id")),
				       json_string_value(json_object_get(json_array_get(cols, c), "id")));
				checked++;
			}
		}
		ok(checked >= 35, "every summed column of every table was checked (%zu)", checked);
	}

	/* goals section */
	{
		const json_t *goals = json_object_get(rep, "goals");
		const json_t *g1 = NULL;
		for (size_t i = 0; i < json_array_size(goals); i++)
			if (!strcmp(json_string_value(json_object_get(json_array_get(goals, i), "goal")), "G1"))
				g1 = json_array_get(goals, i);
		ok(g1 && !strcmp(json_string_value(json_object_get(g1, "outcome_y3")), "70%"),
		   "the goals section has each goal's Year 1/2/3 outcomes");
		ok(g1 && json_array_size(json_object_get(g1, "activities")) == 1 &&
		   num(json_object_get(json_array_get(json_object_get(g1, "activities"), 0), "hours")) == centi(6.5),
		   "  and its activities with the hours done toward them");
	}

	/* writers */
	{
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);
		is_int(pl_report_write(f, rep, "html", 0), 0, "the HTML report is written");
		fclose(f);
		ok(!strncmp(buf, "<!DOCTYPE html>", 15) && strstr(buf, "</html>"), "  it is one whole HTML page");
		ok(strstr(buf, "<svg") && strstr(buf, "Hours by standard (2011 set)") && strstr(buf, "Hours over the year") &&
		   strstr(buf, "Hours by school"), "  with inline SVG charts by standard, by school and over the year");
		ok(!strstr(buf, "<script") && !strstr(buf, "src=") && !strstr(buf, "href=") && !strstr(buf, "@import"),
		   "  self-contained: no script, nothing fetched");
		ok(strstr(buf, "@media print") != NULL, "  with print rules");
		ok(strstr(buf, "Oak Middle") && strstr(buf, "Title II-A"), "  naming the schools and Title II-A");
		free(buf);

		f = open_memstream(&buf, &len);
		is_int(pl_report_write(f, rep, "md", 0), 0, "the Markdown report is written");
		fclose(f);
		ok(strstr(buf, "## Spending by funding source") && strstr(buf, "| **Total** |"), "  with its tables and totals");
		free(buf);

		f = open_memstream(&buf, &len);
		is_int(pl_report_write(f, rep, "csv", 0), 0, "the CSV report is written");
		fclose(f);
		{
			char want[256];
			snprintf(want, sizeof(want), "\nParticipation and hours by school\n"
			         "School,Name,Participants,PD entries,PLC attendances,Hours,Credits\n");
			ok(strstr(buf, want) != NULL, "  each table starts with its title and header row");
			snprintf(want, sizeof(want), "\nTotal,,%lld,%lld,%lld,%lld.%02lld,%lld.%02lld\n", participants, pd,
			         plc_att, hours / 100, hours % 100, credits / 100, credits % 100);
			ok(strstr(buf, want) != NULL, "  and ends with its total row (%.*s)", (int)strlen(want) - 2, want + 1);
			ok(strstr(buf, "federal:title-ii-a,Federal Title II-A,2,920.00,1,2500.00\n") != NULL,
			   "  money in dollars without separators, for spreadsheets");
		}
		free(buf);

		f = open_memstream(&buf, &len);
		is_int(pl_report_write(f, rep, "pdf", 0), PL_EUSAGE, "an unknown format is refused");
		fclose(f);
		free(buf);
	}

	coverage_checks(ds, report);
	board_checks(ds, report);
	json_decref(report);
	is_int(pl_report_build(&report, ds, "2026-27", TODAY, NULL), PL_EINVALID, "a malformed year is refused");
	ok(strstr(pl_error_last()->message, "2026-2027") != NULL, "  and the message shows the form to use");
	json_decref(ds);
	return done_testing();
}
