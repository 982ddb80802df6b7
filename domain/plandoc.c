/*
 * plandoc.c — a plan in the shape of the district's plan template.
 *
 * The document is gathered from the dataset (plan, its school, its goals by
 * number, each goal's activities by start date) and then laid out as grids
 * of cells: the goal table, then one activity table per goal. A cell is
 * text with "\n" between its lines; each format draws the grid its own
 * way (boxed and wrapped for a terminal, pipe tables for Markdown, a
 * self-contained page for HTML). Nothing is left out silently: a part the
 * plan does not have yet is shown as "(not set)".
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "plsync/errors.h"
#include "plsync/plandoc.h"
#include "plsync/render.h"
#include "dataset-int.h"

/* ---- gathering ---- */

struct idnum {
	const char *id, *key;
	long long   num;
};

static int cmp_idnum(const void *a, const void *b)
{
	const struct idnum *p = a, *q = b;
	int c = p->num < q->num ? -1 : p->num > q->num;
	if (!c)
		c = strcmp(p->key ? p->key : "", q->key ? q->key : "");
	return c ? c : strcmp(p->id, q->id);
}

/* The records of `kind` whose `field` is `ref`, sorted by number or key. */
static json_t *children(const json_t *ds, const char *kind, const char *field, const char *ref,
                        const char *numfield, const char *keyfield, int with_kids)
{
	json_t *all = pl_dataset_kind(ds, kind), *arr = json_array(), *r;
	struct idnum *v = calloc(json_object_size(all) + 1, sizeof(*v));
	size_t n = 0;
	const char *id;

	if (!v || !arr) {
		free(v);
		json_decref(arr);
		return NULL;
	}
	json_object_foreach(all, id, r) {
		const char *f = pl_dataset__str(r, field);
		if (!f || strcmp(f, ref))
			continue;
		v[n].id = id;
		v[n].num = numfield && json_is_integer(json_object_get(r, numfield))
			? (long long)json_integer_value(json_object_get(r, numfield)) : 0;
		v[n].key = keyfield ? pl_dataset__str(r, keyfield) : NULL;
		n++;
	}
	qsort(v, n, sizeof(*v), cmp_idnum);
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_pack("{ss sO}", "id", v[i].id, "fields", json_object_get(all, v[i].id));
		if (with_kids)
			json_object_set_new(o, "activities",
			                    children(ds, "activity", "goal", v[i].id, NULL, "start", 0));
		json_array_append_new(arr, o);
	}
	free(v);
	return arr;
}

int pl_plan_doc_build(json_t **out, const json_t *ds, const char *plan_id)
{
	const json_t *plan = pl_dataset_get(ds, "plan", plan_id);
	const char *school;
	json_t *doc, *goals;

	*out = NULL;
	if (!plan)
		return pl_error_set(PL_ENOTFOUND, "no plan with id \"%s\"", plan_id);
	school = pl_dataset__str(plan, "school");
	if (!(goals = children(ds, "goal", "plan", plan_id, "number", NULL, 1)))
		return pl_error_set(PL_ERROR, "out of memory");
	doc = json_pack("{ss sO ss? sO so}", "plan", plan_id, "fields", plan, "school", school,
	                "school_fields", pl_dataset_get(ds, "school", school) ?
	                pl_dataset_get(ds, "school", school) : json_null(), "goals", goals);
	if (!doc)
		return pl_error_set(PL_ERROR, "out of memory");
	*out = doc;
	return 0;
}

/* ---- cells ---- */

typedef struct sbuf {
	char  *p;
	size_t len, cap;
} sbuf;

static void sb_add(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_add(sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (b->len + (size_t)n + 1 > b->cap) {
		size_t cap = (b->len + (size_t)n + 1) * 2;
		char *np = realloc(b->p, cap);
		if (!np)
			return;
		b->p = np;
		b->cap = cap;
	}
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/* "Label: value" on its own line, or "Label: (not set)". */
static void sb_line(sbuf *b, const char *label, const char *v)
{
	sb_add(b, "%s%s%s%s", b->len ? "\n" : "", label ? label : "", label ? ": " : "", v ? v : "(not set)");
}

static json_t *sb_json(sbuf *b)
{
	json_t *s = json_string(b->p ? b->p : "");
	free(b->p);
	memset(b, 0, sizeof(*b));
	return s;
}

static void money(char out[48], long long c)
{
	char whole[32], g[40];
	size_t n, o = 0;

	snprintf(whole, sizeof(whole), "%lld", c / 100);
	n = strlen(whole);
	for (size_t i = 0; i < n; i++) {
		if (i && (n - i) % 3 == 0)
			g[o++] = ',';
		g[o++] = whole[i];
	}
	g[o] = '\0';
	snprintf(out, 48, "$%s.%02lld", g, c % 100);
}

static json_t *goal_grid(const json_t *goals)
{
	json_t *rows = json_array();

	for (size_t i = 0; i < json_array_size(goals); i++) {
		const json_t *g = json_object_get(json_array_get(goals, i), "fields");
		json_t *row = json_array();
		sbuf b = { 0 };
		char head[32];

		snprintf(head, sizeof(head), "Goal %lld", json_is_integer(json_object_get(g, "number"))
		         ? (long long)json_integer_value(json_object_get(g, "number")) : (long long)i + 1);
		sb_add(&b, "%s\n%s", head, pl_dataset__str(g, "statement") ? pl_dataset__str(g, "statement") : "(not set)");
		json_array_append_new(row, sb_json(&b));
		sb_line(&b, "Data/evidence", pl_dataset__str(g, "rationale"));
		sb_line(&b, "Student impact", pl_dataset__str(g, "student_impact"));
		json_array_append_new(row, sb_json(&b));
		sb_line(&b, "Measure", pl_dataset__str(g, "measure"));
		sb_line(&b, "Frequency", pl_dataset__str(g, "frequency"));
		sb_line(&b, "Overarching expected outcome", pl_dataset__str(g, "outcome"));
		sb_line(&b, "Year 1", pl_dataset__str(g, "outcome_y1"));
		sb_line(&b, "Year 2", pl_dataset__str(g, "outcome_y2"));
		sb_line(&b, "Year 3", pl_dataset__str(g, "outcome_y3"));
		json_array_append_new(row, sb_json(&b));
		json_array_append_new(rows, row);
	}
	return rows;
}

static void who_what_how(sbuf *b, const json_t *a, const char *part, const char *title)
{
	char p[64];
	if (title)
		sb_add(b, "%s", title);
	snprintf(p, sizeof(p), "%s.who", part);
	sb_line(b, "Who", pl_dataset__str(a, p));
	snprintf(p, sizeof(p), "%s.what", part);
	sb_line(b, "What", pl_dataset__str(a, p));
	snprintf(p, sizeof(p), "%s.how", part);
	sb_line(b, "How", pl_dataset__str(a, p));
}

static json_t *activity_grid(const json_t *acts)
{
	json_t *rows = json_array();

	for (size_t i = 0; i < json_array_size(acts); i++) {
		const json_t *a = json_object_get(json_array_get(acts, i), "fields");
		const json_t *st = json_object_get(a, "standards");
		json_t *row = json_array();
		sbuf b = { 0 };
		char m[48];

		who_what_how(&b, a, "initial", pl_dataset__str(a, "title"));
		json_array_append_new(row, sb_json(&b));
		who_what_how(&b, a, "followup", NULL);
		json_array_append_new(row, sb_json(&b));
		sb_add(&b, "%s", pl_dataset__str(a, "duration") ? pl_dataset__str(a, "duration") : "(not set)");
		if (pl_dataset__str(a, "start") || pl_dataset__str(a, "end"))
			sb_add(&b, "\n%s to %s", pl_dataset__str(a, "start") ? pl_dataset__str(a, "start") : "?",
			       pl_dataset__str(a, "end") ? pl_dataset__str(a, "end") : "?");
		json_array_append_new(row, sb_json(&b));
		sb_add(&b, "%s", pl_dataset__str(a, "resources") ? pl_dataset__str(a, "resources") : "(not set)");
		json_array_append_new(row, sb_json(&b));
		sb_add(&b, "Standards: ");
		for (size_t k = 0; k < json_array_size(st); k++)
			sb_add(&b, "%s%s", k ? ", " : "", json_string_value(json_array_get(st, k)));
		if (!json_array_size(st))
			sb_add(&b, "(not set)");
		sb_line(&b, "Delivery", pl_dataset__str(a, "delivery"));
		if (json_is_integer(json_object_get(a, "budget_cents"))) {
			money(m, (long long)json_integer_value(json_object_get(a, "budget_cents")));
			sb_line(&b, "Budget", m);
		} else {
			sb_line(&b, "Budget", NULL);
		}
		sb_line(&b, "Funding", pl_dataset__str(a, "funding"));
		json_array_append_new(row, sb_json(&b));
		json_array_append_new(rows, row);
	}
	return rows;
}

static const char *const goal_head[][2] = {
	{ "Goals", "Based on the data, what will you accomplish?" },
	{ "Rationale/Evidence", "What data/evidence? How will it impact student achievement?" },
	{ "Expected Outcomes", "How measured, how often; overarching and Year 1-3 outcomes" },
};
static const int goal_width[] = { 30, 36, 40 };

static const char *const act_head[][2] = {
	{ "Professional Learning Initial Activity", "Who, What, How?" },
	{ "Professional Learning Follow-up", "Who, What, How?" },
	{ "Duration", "When?" },
	{ "Resources", "What is needed?" },
	{ "Standards, delivery, budget", "Funding" },
};
static const int act_width[] = { 26, 24, 16, 16, 24 };

/* ---- text ---- */

static size_t u8len(const char *s, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		k += ((unsigned char)s[i] & 0xC0) != 0x80;
	return k;
}

/* Wrap `s` to `w` columns into a NUL-separated list of lines in *out. */
static json_t *wrap(const char *s, int w)
{
	json_t *lines = json_array();
	const char *p = s ? s : "";

	for (;;) {
		const char *nl = strchr(p, '\n');
		size_t plen = nl ? (size_t)(nl - p) : strlen(p);
		const char *q = p, *end = p + plen;

		if (!plen)
			json_array_append_new(lines, json_string(""));
		while (q < end) {
			const char *cut = q, *last_space = NULL, *r = q;
			size_t cols = 0;
			while (r < end && cols < (size_t)w) {
				if (*r == ' ')
					last_space = r;
				r++;
				while (r < end && ((unsigned char)*r & 0xC0) == 0x80)
					r++;
				cols++;
			}
			if (r >= end)
				cut = end;
			else if (*r == ' ')
				cut = r;
			else if (last_space && last_space > q)
				cut = last_space;
			else
				cut = r;
			json_array_append_new(lines, json_stringn(q, (size_t)(cut - q)));
			q = cut;
			while (q < end && *q == ' ')
				q++;
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	return lines;
}

static void text_rule(FILE *f, const int *w, size_t nc)
{
	fputc('+', f);
	for (size_t c = 0; c < nc; c++) {
		for (int i = 0; i < w[c] + 2; i++)
			fputc('-', f);
		fputc('+', f);
	}
	fputc('\n', f);
}

static void text_row(FILE *f, const int *w, size_t nc, json_t *const *cells)
{
	json_t *wrapped[8];
	size_t h = 0;

	for (size_t c = 0; c < nc; c++) {
		wrapped[c] = wrap(json_string_value(cells[c]), w[c]);
		if (json_array_size(wrapped[c]) > h)
			h = json_array_size(wrapped[c]);
	}
	for (size_t l = 0; l < h; l++) {
		fputc('|', f);
		for (size_t c = 0; c < nc; c++) {
			const char *s = json_string_value(json_array_get(wrapped[c], l));
			size_t n = s ? u8len(s, strlen(s)) : 0;
			fputc(' ', f);
			pl_term_fputs(f, s); /* one wrapped line: its text escaped for the terminal */
			for (size_t i = n; i < (size_t)w[c] + 1; i++)
				fputc(' ', f);
			fputc('|', f);
		}
		fputc('\n', f);
	}
	for (size_t c = 0; c < nc; c++)
		json_decref(wrapped[c]);
}

static void text_grid(FILE *f, const char *const head[][2], const int *w, size_t nc, const json_t *rows)
{
	json_t *cells[8];

	text_rule(f, w, nc);
	for (int k = 0; k < 2; k++) {
		for (size_t c = 0; c < nc; c++)
			cells[c] = json_string(head[c][k]);
		text_row(f, w, nc, cells);
		for (size_t c = 0; c < nc; c++)
			json_decref(cells[c]);
	}
	text_rule(f, w, nc);
	for (size_t r = 0; r < json_array_size(rows); r++) {
		for (size_t c = 0; c < nc; c++)
			cells[c] = json_array_get(json_array_get(rows, r), c);
		text_row(f, w, nc, cells);
		text_rule(f, w, nc);
	}
}

static void profile_lines(sbuf *b, const json_t *doc)
{
	const json_t *p = json_object_get(doc, "fields"), *s = json_object_get(doc, "school_fields");
	static const struct { const char *field, *label; int money; } sf[] = {
		{ "level", "Level", 0 }, { "enrollment", "Enrollment", 0 },
		{ "demographics", "Demographics", 0 }, { "teaching_units", "Teaching units", 0 },
		{ "certified_staff", "Certified staff", 0 },
		{ "per_pupil_expenditure_cents", "Per-pupil expenditure", 1 },
	};

	sb_line(b, "Profile", pl_dataset__str(p, "profile"));
	if (!json_is_object(s)) {
		sb_line(b, "School", json_string_value(json_object_get(doc, "school")));
		return;
	}
	sb_add(b, "\nSchool: %s (%s)", pl_dataset__str(s, "name") ? pl_dataset__str(s, "name") : "?",
	       json_string_value(json_object_get(doc, "school")));
	for (size_t i = 0; i < sizeof(sf) / sizeof(sf[0]); i++) {
		json_t *v = json_object_get(s, sf[i].field);
		char buf[64];
		if (json_is_integer(v)) {
			if (sf[i].money)
				money(buf, (long long)json_integer_value(v));
			else
				snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(v));
			sb_line(b, sf[i].label, buf);
		} else {
			sb_line(b, sf[i].label, json_string_value(v));
		}
	}
}

static const char *title_of(const json_t *doc, char *buf, size_t sz)
{
	const json_t *p = json_object_get(doc, "fields"), *s = json_object_get(doc, "school_fields");
	snprintf(buf, sz, "Professional Learning Plan %s — %s", pl_dataset__str(p, "year") ? pl_dataset__str(p, "year") : "",
	         pl_dataset__str(s, "name") ? pl_dataset__str(s, "name") : pl_dataset__str(p, "school") ? pl_dataset__str(p, "school") : "");
	return buf;
}

/* "  line\n", the line escaped for the terminal (the plan holds every node's text). */
static void text_line(FILE *f, const char *s)
{
	fputs("  ", f);
	pl_term_fputs(f, s);
	fputc('\n', f);
}

/* A paragraph for a terminal: wrapped to 100 columns, each line indented. */
static void text_par(FILE *f, const char *s)
{
	json_t *wrapped = wrap(s, 100);

	for (size_t i = 0; i < json_array_size(wrapped); i++)
		text_line(f, json_string_value(json_array_get(wrapped, i)));
	json_decref(wrapped);
}

/* Who we are (the profile), then `between`, then what we believe (mission,
 * vision): two paragraphs, each written with `par`. */
static void write_beliefs(FILE *f, const json_t *doc, void (*par)(FILE *, const char *),
                          const char *between)
{
	const json_t *p = json_object_get(doc, "fields");
	sbuf b = { 0 };

	profile_lines(&b, doc);
	par(f, b.p);
	free(b.p);
	memset(&b, 0, sizeof(b));
	fputs(between, f);
	sb_line(&b, "Mission", pl_dataset__str(p, "mission"));
	sb_line(&b, "Vision", pl_dataset__str(p, "vision"));
	par(f, b.p);
	free(b.p);
}

/* The number of goal g, the i-th of its plan: its own, else i + 1. */
static long long goal_number(const json_t *g, size_t i)
{
	const json_t *n = json_object_get(json_object_get(g, "fields"), "number");
	return json_is_integer(n) ? (long long)json_integer_value(n) : (long long)i + 1;
}

static void write_text(FILE *f, const json_t *doc)
{
	const json_t *p = json_object_get(doc, "fields"), *goals = json_object_get(doc, "goals");
	json_t *rows;
	char title[512];

	pl_term_fputs(f, title_of(doc, title, sizeof(title)));
	fputs("\nPlan ", f);
	pl_term_fputs(f, json_string_value(json_object_get(doc, "plan")));
	fprintf(f, ", status %s%s", pl_dataset__str(p, "status") ? pl_dataset__str(p, "status") : "draft",
	        pl_dataset__str(p, "approved_by") ? ", approved by " : "");
	pl_term_fputs(f, pl_dataset__str(p, "approved_by"));
	fputs("\n\n", f);
	fprintf(f, "WHO WE ARE\n");
	write_beliefs(f, doc, text_par, "\nWHAT WE BELIEVE\n");
	fprintf(f, "\nWHAT WE WANT TO ACCOMPLISH\n");
	rows = goal_grid(goals);
	if (json_array_size(rows))
		text_grid(f, goal_head, goal_width, 3, rows);
	else
		fprintf(f, "  (no goals yet)\n");
	json_decref(rows);
	for (size_t i = 0; i < json_array_size(goals); i++) {
		const json_t *g = json_array_get(goals, i);
		fprintf(f, "\nGOAL %lld (%s)\n", goal_number(g, i), json_string_value(json_object_get(g, "id")));
		rows = activity_grid(json_object_get(g, "activities"));
		if (json_array_size(rows))
			text_grid(f, act_head, act_width, 5, rows);
		else
			fprintf(f, "  (no activities yet)\n");
		json_decref(rows);
	}
}

/* ---- Markdown ---- */

static void md_grid(FILE *f, const char *const head[][2], size_t nc, const json_t *rows)
{
	for (size_t c = 0; c < nc; c++)
		fprintf(f, "| **%s**<br>%s ", head[c][0], head[c][1]);
	fprintf(f, "|\n");
	for (size_t c = 0; c < nc; c++)
		fprintf(f, "|---");
	fprintf(f, "|\n");
	for (size_t r = 0; r < json_array_size(rows); r++) {
		for (size_t c = 0; c < nc; c++) {
			fprintf(f, "| ");
			pl_md_cell(f, json_string_value(json_array_get(json_array_get(rows, r), c)));
			fprintf(f, " ");
		}
		fprintf(f, "|\n");
	}
}

/* How Markdown and HTML go on after what we believe: the goal grid, then
 * one activity grid per goal. */
typedef struct layout {
	void (*grid)(FILE *f, const char *const head[][2], size_t nc, const json_t *rows);
	const char *accomplish, *goal_open, *goal_close, *no_activities;
} layout;

static void write_goals(FILE *f, const json_t *doc, const layout *L)
{
	const json_t *goals = json_object_get(doc, "goals");
	json_t *rows;

	fputs(L->accomplish, f);
	rows = goal_grid(goals);
	L->grid(f, goal_head, 3, rows);
	json_decref(rows);
	for (size_t i = 0; i < json_array_size(goals); i++) {
		fprintf(f, "%s%lld%s", L->goal_open, goal_number(json_array_get(goals, i), i), L->goal_close);
		rows = activity_grid(json_object_get(json_array_get(goals, i), "activities"));
		if (json_array_size(rows))
			L->grid(f, act_head, 5, rows);
		else
			fputs(L->no_activities, f);
		json_decref(rows);
	}
}

static void write_md(FILE *f, const json_t *doc)
{
	static const layout L = { md_grid, "\n## What We Want to Accomplish\n\n", "\n## Goal ", "\n\n",
	                          "_No activities yet._\n" };
	const json_t *p = json_object_get(doc, "fields");
	char title[512];

	fprintf(f, "# ");
	pl_md_cell(f, title_of(doc, title, sizeof(title)));
	fprintf(f, "\n\nPlan %s, status %s\n\n## Who We Are\n\n", json_string_value(json_object_get(doc, "plan")),
	        pl_dataset__str(p, "status") ? pl_dataset__str(p, "status") : "draft");
	write_beliefs(f, doc, pl_md_par, "\n## What We Believe\n\n");
	write_goals(f, doc, &L);
}

/* ---- HTML ---- */

static void html_grid(FILE *f, const char *const head[][2], size_t nc, const json_t *rows)
{
	fprintf(f, "<table><thead><tr>");
	for (size_t c = 0; c < nc; c++)
		fprintf(f, "<th>%s<br><small>%s</small></th>", head[c][0], head[c][1]);
	fprintf(f, "</tr></thead><tbody>\n");
	for (size_t r = 0; r < json_array_size(rows); r++) {
		fprintf(f, "<tr>");
		for (size_t c = 0; c < nc; c++) {
			fprintf(f, "<td>");
			pl_html_lines(f, json_string_value(json_array_get(json_array_get(rows, r), c)));
			fprintf(f, "</td>");
		}
		fprintf(f, "</tr>\n");
	}
	fprintf(f, "</tbody></table>\n");
}

static void write_html(FILE *f, const json_t *doc)
{
	static const layout L = { html_grid, "<h2>What We Want to Accomplish</h2>\n", "<h2>Goal ",
	                          "</h2>\n", "<p><em>No activities yet.</em></p>\n" };
	const json_t *p = json_object_get(doc, "fields");
	char title[512];

	title_of(doc, title, sizeof(title));
	fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>");
	pl_html_fputs(f, title);
	fprintf(f, "</title>\n<style>\n"
	        "@page{size:letter landscape;margin:12mm}\n"
	        "body{font:10.5pt/1.4 'DejaVu Sans',Arial,sans-serif;color:#1a202c;max-width:1100px;margin:20px auto;padding:0 16px}\n"
	        "h1{font-size:18pt;color:#1a365d;margin-bottom:2px}\n"
	        "h2{font-size:13pt;background:#1a365d;color:#fff;padding:4px 8px;margin:22px 0 6px;break-after:avoid}\n"
	        "table{border-collapse:collapse;width:100%%;font-size:9.5pt}\n"
	        "th,td{border:1px solid #a0aec0;padding:4px 6px;text-align:left;vertical-align:top}\n"
	        "th{background:#ebf4ff}th small{font-weight:normal;color:#4a5568}\n"
	        "tr{break-inside:avoid;page-break-inside:avoid}\n"
	        "p.meta{color:#4a5568;margin-top:0}\n"
	        "</style>\n</head>\n<body>\n<h1>");
	pl_html_fputs(f, title);
	fprintf(f, "</h1>\n<p class=\"meta\">Plan ");
	pl_html_fputs(f, json_string_value(json_object_get(doc, "plan")));
	fprintf(f, ", status ");
	pl_html_fputs(f, pl_dataset__str(p, "status") ? pl_dataset__str(p, "status") : "draft");
	fprintf(f, "</p>\n<h2>Who We Are</h2>\n<p>");
	write_beliefs(f, doc, pl_html_lines, "</p>\n<h2>What We Believe</h2>\n<p>");
	fputs("</p>\n", f);
	write_goals(f, doc, &L);
	fprintf(f, "</body>\n</html>\n");
}

int pl_plan_doc_write(FILE *f, const json_t *doc, const char *format)
{
	if (!format || !strcmp(format, "text"))
		write_text(f, doc);
	else if (!strcmp(format, "md"))
		write_md(f, doc);
	else if (!strcmp(format, "html"))
		write_html(f, doc);
	else
		return pl_error_set(PL_EUSAGE, "plan format '%s' is not known; use text, md or html", format);
	if (fflush(f) || ferror(f))
		return pl_error_from_errno("writing the plan");
	return 0;
}
