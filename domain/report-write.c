/*
 * report-write.c — lays out a built report (report.c) as HTML, Markdown,
 * CSV or JSON. No number is computed here beyond formatting: every figure
 * comes from the report object, so the formats always agree. The report's
 * warnings (schools whose data may be missing) come first in every format,
 * before the summary.
 *
 * The HTML is one self-contained page: inline CSS, inline SVG charts (hours
 * by school, by standard in each set, and over the year), no script and
 * nothing fetched, with print rules so that it reads well on paper.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plsync/errors.h"
#include "plsync/json.h"
#include "plsync/plsync.h"
#include "plsync/report.h"
#include "plsync/render.h"
#include "dataset-int.h"

static const json_t *find_table(const json_t *rep, const char *id)
{
	const json_t *ts = json_object_get(rep, "tables");
	for (size_t i = 0; i < json_array_size(ts); i++)
		if (!strcmp(pl_dataset__str(json_array_get(ts, i), "id") ? pl_dataset__str(json_array_get(ts, i), "id") : "", id))
			return json_array_get(ts, i);
	return NULL;
}

static long long centi(const json_t *v)
{
	return json_is_number(v) ? llround(json_number_value(v) * 100.0) : 0;
}

/* "12,345" */
static void group_digits(char *out, size_t sz, long long v)
{
	char tmp[32];
	size_t n, o = 0;
	int neg = v < 0;

	snprintf(tmp, sizeof(tmp), "%lld", neg ? -v : v);
	n = strlen(tmp);
	if (neg && o + 1 < sz)
		out[o++] = '-';
	for (size_t i = 0; i < n && o + 2 < sz; i++) {
		if (i && (n - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = tmp[i];
	}
	out[o] = '\0';
}

static void fmt_cents(char out[48], long long c, int plain)
{
	char whole[40];
	long long a = c < 0 ? -c : c;

	if (plain) {
		snprintf(out, 48, "%s%lld.%02lld", c < 0 ? "-" : "", a / 100, a % 100);
		return;
	}
	group_digits(whole, sizeof(whole), a / 100);
	snprintf(out, 48, "%s$%s.%02lld", c < 0 ? "-" : "", whole, a % 100);
}

static void fmt_hours(char out[48], long long c)
{
	long long a = c < 0 ? -c : c;
	snprintf(out, 48, "%s%lld.%02lld", c < 0 ? "-" : "", a / 100, a % 100);
}

/* One cell as text; plain = for CSV (no $ or thousands separators). */
static void cell_text(char *out, size_t sz, const json_t *v, const char *type, int plain)
{
	char buf[48];

	if (!v || json_is_null(v)) {
		out[0] = '\0';
		return;
	}
	if (json_is_string(v)) {
		snprintf(out, sz, "%s", json_string_value(v));
	} else if (!strcmp(type, "hours")) {
		fmt_hours(buf, centi(v));
		snprintf(out, sz, "%s", buf);
	} else if (!strcmp(type, "cents")) {
		fmt_cents(buf, json_is_integer(v) ? (long long)json_integer_value(v) : 0, plain);
		snprintf(out, sz, "%s", buf);
	} else if (!strcmp(type, "mean")) {
		snprintf(out, sz, "%.2f", json_number_value(v));
	} else if (json_is_integer(v)) {
		snprintf(out, sz, "%lld", (long long)json_integer_value(v));
	} else {
		pl_json_number(buf, v);
		snprintf(out, sz, "%s", buf);
	}
}

static int numeric(const char *type)
{
	return strcmp(type, "text") != 0;
}

static const char *col_type(const json_t *cols, size_t i)
{
	const char *t = pl_dataset__str(json_array_get(cols, i), "type");
	return t ? t : "text";
}

/* The type of the cell of row r (the total when r is past the rows) in
 * column c: the column's, or for "by_row" the table's row_types[r]. */
static const char *cell_type(const json_t *t, size_t r, size_t c)
{
	const char *ty = col_type(json_object_get(t, "columns"), c), *rt;

	if (strcmp(ty, "by_row"))
		return ty;
	rt = json_string_value(json_array_get(json_object_get(t, "row_types"), r));
	return rt ? rt : "text";
}

/* The index of column `id` of table t, or (size_t)-1. */
static size_t col_index(const json_t *t, const char *id)
{
	const json_t *cols = json_object_get(t, "columns");
	for (size_t c = 0; c < json_array_size(cols); c++)
		if (!strcmp(pl_dataset__str(json_array_get(cols, c), "id") ? pl_dataset__str(json_array_get(cols, c), "id") : "", id))
			return c;
	return (size_t)-1;
}

static int board(const json_t *rep)
{
	const char *a = pl_dataset__str(rep, "audience");
	return !a || strcmp(a, "coordinator");
}

/* The findings columns of the coordinator's report. */
static const char *const finding_keys[] = { "rule", "record", "staff", "school", "why", "next" };
static const char *const finding_heads[] = { "Rule", "Record", "Staff", "School", "Why", "Next step" };
#define NFINDING_KEYS 6

/* What the board's report says instead of listing the findings. */
static void board_findings_note(char *out, size_t sz, const json_t *rep)
{
	long long n = (long long)json_integer_value(json_object_get(json_object_get(rep, "summary"), "findings"));
	snprintf(out, sz, "%lld finding%s, counted by rule in the table above. The coordinator's "
	         "report lists each with its record and the next step.", n, n == 1 ? "" : "s");
}

/* The report's summary figures, money as fmt_cents(plain) writes it. */
typedef struct summary {
	long long participants, pd_entries, plc_meetings, findings;
	char      hours[48], credits[48], spent[48], t2a[48];
} summary;

static void summary_of(summary *m, const json_t *rep, int plain)
{
	const json_t *sum = json_object_get(rep, "summary");

	m->participants = (long long)json_integer_value(json_object_get(sum, "participants"));
	m->pd_entries = (long long)json_integer_value(json_object_get(sum, "pd_entries"));
	m->plc_meetings = (long long)json_integer_value(json_object_get(sum, "plc_meetings"));
	m->findings = (long long)json_integer_value(json_object_get(sum, "findings"));
	fmt_hours(m->hours, centi(json_object_get(sum, "hours")));
	fmt_hours(m->credits, centi(json_object_get(sum, "credits")));
	fmt_cents(m->spent, (long long)json_integer_value(json_object_get(sum, "spent_cents")), plain);
	fmt_cents(m->t2a, (long long)json_integer_value(json_object_get(sum, "title_ii_a_cents")), plain);
}

/* What is shown under each plan goal, with its term (md: in Markdown too). */
static const struct {
	const char *field, *term;
	int         md;
} goal_terms[] = {
	{ "rationale", "Rationale / evidence", 1 }, { "student_impact", "Student impact", 0 },
	{ "measure", "Measure", 1 }, { "frequency", "Frequency", 1 },
	{ "outcome", "Overarching outcome", 1 }, { "outcome_y1", "Year 1", 1 },
	{ "outcome_y2", "Year 2", 1 }, { "outcome_y3", "Year 3", 1 },
};
#define NGOAL_TERMS (sizeof(goal_terms) / sizeof(goal_terms[0]))

/* The PL that served goal g this year: "3 participations, 12.50 hours". */
static void goal_pl(char *out, size_t sz, const json_t *g)
{
	long long n = (long long)json_integer_value(json_object_get(g, "participations"));
	char h[48];

	fmt_hours(h, centi(json_object_get(g, "hours")));
	snprintf(out, sz, "%lld participation%s, %s hours", n, n == 1 ? "" : "s", h);
}

/* A warning of the report's "warnings" as one line: "Oak (OAK03): no data in the year". */
static void warning_head(char *out, size_t sz, const json_t *w)
{
	const char *name = pl_dataset__str(w, "name"), *school = pl_dataset__str(w, "school");
	if (name && school)
		snprintf(out, sz, "%s (%s): %s", name, school, pl_dataset__str(w, "status"));
	else
		snprintf(out, sz, "%s: %s", name ? name : school ? school : "", pl_dataset__str(w, "status"));
}

/* The markup around the warnings: `open` (a format given the count and
 * its plural "s"), then per warning item, its head, mid, why, end; close. */
typedef struct warn_markup {
	const char *open, *item, *mid, *end, *close;
} warn_markup;

/* The report's warnings, each value through `esc`; nothing when none. */
static void write_warnings(FILE *f, const json_t *ws, const warn_markup *m,
                           void (*esc)(FILE *, const char *))
{
	size_t n = json_array_size(ws);
	char head[512];

	if (!n)
		return;
	fprintf(f, m->open, n, n == 1 ? "" : "s");
	for (size_t i = 0; i < n; i++) {
		warning_head(head, sizeof(head), json_array_get(ws, i));
		fputs(m->item, f);
		esc(f, head);
		fputs(m->mid, f);
		esc(f, pl_dataset__str(json_array_get(ws, i), "why"));
		fputs(m->end, f);
	}
	fputs(m->close, f);
}

/* ---- HTML ---- */

static const warn_markup html_warn = {
	"<section id=\"warnings\" class=\"warn\" role=\"alert\">\n"
	"<h2>Warning: data may be missing for %zu school%s</h2>\n<ul>\n",
	"<li><b>", "</b>: ", "</li>\n", "</ul>\n</section>\n"
};

static const char css[] =
	"@page{size:letter;margin:14mm}\n"
	"body{font:10.5pt/1.45 'DejaVu Sans','Liberation Sans',Arial,sans-serif;color:#1a202c;"
	"max-width:1040px;margin:24px auto;padding:0 18px;background:#fff}\n"
	"h1{font-size:20pt;margin:0 0 2px;color:#1a365d}\n"
	"h2{font-size:13.5pt;color:#1a365d;border-bottom:2px solid #2b6cb0;padding-bottom:2px;"
	"margin:26px 0 6px;break-after:avoid;page-break-after:avoid}\n"
	"h3{font-size:11.5pt;margin:16px 0 4px;break-after:avoid;page-break-after:avoid}\n"
	"p.meta{color:#4a5568;margin:0 0 12px}\n"
	"p.note{color:#4a5568;font-size:9pt;margin:2px 0 4px}\n"
	"table{border-collapse:collapse;width:100%;margin:6px 0 10px;font-size:9.5pt}\n"
	"th,td{border:1px solid #cbd5e0;padding:3px 6px;text-align:left;vertical-align:top}\n"
	"th{background:#ebf4ff}\n"
	"td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\n"
	"tr.total td{font-weight:bold;background:#f7fafc;border-top:2px solid #4a5568}\n"
	"tr{break-inside:avoid;page-break-inside:avoid}\n"
	".cards{display:flex;flex-wrap:wrap;gap:8px;margin:8px 0}\n"
	".card{border:1px solid #cbd5e0;border-radius:6px;padding:6px 12px;min-width:110px}\n"
	".card b{display:block;font-size:15pt;color:#2b6cb0}\n"
	".charts{display:grid;grid-template-columns:1fr 1fr;gap:10px 18px}\n"
	"figure{margin:6px 0;break-inside:avoid;page-break-inside:avoid}\n"
	"figcaption{font-weight:bold;font-size:10pt;margin-bottom:2px}\n"
	"svg{max-width:100%;height:auto}\n"
	"dl{display:grid;grid-template-columns:max-content 1fr;gap:1px 12px;margin:4px 0}\n"
	"dt{font-weight:bold;color:#4a5568}dd{margin:0}\n"
	".none{color:#4a5568;font-style:italic}\n"
	".warn{border:2px solid #c53030;background:#fff5f5;padding:2px 14px;margin:12px 0}\n"
	".warn h2{color:#9b2c2c;border-color:#c53030}\n"
	"footer{margin-top:24px;color:#718096;font-size:8.5pt}\n"
	"@media print{body{margin:0;max-width:none}.charts{grid-template-columns:1fr 1fr}}\n";

static void html_table(FILE *f, const json_t *t)
{
	const json_t *cols = json_object_get(t, "columns"), *rows = json_object_get(t, "rows");
	const json_t *total = json_object_get(t, "total");
	char buf[1024];

	fprintf(f, "<section id=\"%s\">\n<h2>", pl_dataset__str(t, "id"));
	pl_html_fputs(f, pl_dataset__str(t, "title"));
	fprintf(f, "</h2>\n");
	if (pl_dataset__str(t, "note")) {
		fprintf(f, "<p class=\"note\">");
		pl_html_fputs(f, pl_dataset__str(t, "note"));
		fprintf(f, "</p>\n");
	}
	fprintf(f, "<table>\n<thead><tr>");
	for (size_t c = 0; c < json_array_size(cols); c++) {
		fprintf(f, "<th%s>", numeric(col_type(cols, c)) ? " class=\"n\"" : "");
		pl_html_fputs(f, pl_dataset__str(json_array_get(cols, c), "label"));
		fprintf(f, "</th>");
	}
	fprintf(f, "</tr></thead>\n<tbody>\n");
	for (size_t r = 0; r <= json_array_size(rows); r++) {
		const json_t *row = r < json_array_size(rows) ? json_array_get(rows, r) : total;
		if (!json_array_size(row))
			continue;
		fprintf(f, "<tr%s>", row == total ? " class=\"total\"" : "");
		for (size_t c = 0; c < json_array_size(cols); c++) {
			cell_text(buf, sizeof(buf), json_array_get(row, c), cell_type(t, r, c), 0);
			fprintf(f, "<td%s>", numeric(col_type(cols, c)) ? " class=\"n\"" : "");
			pl_html_fputs(f, buf);
			fprintf(f, "</td>");
		}
		fprintf(f, "</tr>\n");
	}
	fprintf(f, "</tbody>\n</table>\n</section>\n");
}

/* Horizontal bars: one per row of `t`, labelled by column `lid`, of the
 * hours in column `vid`; a table's "unassigned" last row is left out of
 * the bars and said in a note under them ("N hours had no 2022 standard"). */
static void svg_hbars(FILE *f, const char *caption, const json_t *t, const char *lid,
                      const char *vid, const char *colour, const char *unassigned_what)
{
	const json_t *rows = json_object_get(t, "rows"), *un = json_object_get(t, "unassigned");
	size_t n = json_array_size(rows), lc = col_index(t, lid), vc = col_index(t, vid);

	if (un && n)
		n--;
	long long max = 1;
	const int lw = 250, bw = 180, rh = 20, top = 4;
	int h = top + (int)n * rh + 4;

	for (size_t r = 0; r < n; r++)
		if (centi(json_array_get(json_array_get(rows, r), vc)) > max)
			max = centi(json_array_get(json_array_get(rows, r), vc));
	fprintf(f, "<figure><figcaption>");
	pl_html_fputs(f, caption);
	fprintf(f, "</figcaption>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
	        "viewBox=\"0 0 %d %d\" role=\"img\" font-family=\"DejaVu Sans, Arial, sans-serif\" font-size=\"11\">\n",
	        lw + bw + 60, h, lw + bw + 60, h);
	for (size_t r = 0; r < n; r++) {
		const json_t *row = json_array_get(rows, r);
		const char *label = json_string_value(json_array_get(row, lc));
		long long v = centi(json_array_get(row, vc));
		if ((!label || !*label) && lc)
			label = json_string_value(json_array_get(row, 0));
		int y = top + (int)r * rh, w = (int)((double)v * bw / (double)max + 0.5);
		char val[48], shown[64];

		fmt_hours(val, v);
		snprintf(shown, sizeof(shown), "%.34s%s", label ? label : "", label && strlen(label) > 34 ? "…" : "");
		fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" fill=\"#2d3748\">", lw - 6, y + 14);
		pl_html_fputs(f, shown);
		fprintf(f, "</text>");
		fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>", lw, y + 3,
		        w > 0 ? w : 0, rh - 6, colour);
		fprintf(f, "<text x=\"%d\" y=\"%d\" fill=\"#2d3748\">%s</text>\n", lw + (w > 0 ? w : 0) + 4,
		        y + 14, val);
	}
	fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#718096\"/>\n</svg>",
	        lw, top, lw, h - 4);
	if (un) {
		char val[48];
		fmt_hours(val, centi(json_object_get(un, "hours")));
		fprintf(f, "<p class=\"note\">%s hours had no %s.</p>", val, unassigned_what);
	}
	fprintf(f, "</figure>\n");
}

/* Vertical bars of hours by month. */
static void svg_months(FILE *f, const json_t *t)
{
	const json_t *rows = json_object_get(t, "rows");
	size_t n = json_array_size(rows), lc = col_index(t, "label"), vc = col_index(t, "hours");
	const int W = 500, H = 200, left = 40, bottom = 30, top = 16;
	int slot = n ? (W - left - 10) / (int)n : 1;
	long long max = 1;

	for (size_t r = 0; r < n; r++)
		if (centi(json_array_get(json_array_get(rows, r), vc)) > max)
			max = centi(json_array_get(json_array_get(rows, r), vc));
	fprintf(f, "<figure><figcaption>Hours over the year</figcaption>\n"
	        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
	        "role=\"img\" font-family=\"DejaVu Sans, Arial, sans-serif\" font-size=\"10\">\n", W, H, W, H);
	fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#718096\"/>\n", left,
	        H - bottom, W - 6, H - bottom);
	for (size_t r = 0; r < n; r++) {
		const json_t *row = json_array_get(rows, r);
		const char *label = json_string_value(json_array_get(row, lc));
		long long v = centi(json_array_get(row, vc));
		int bh = (int)((double)v * (H - bottom - top) / (double)max + 0.5);
		int x = left + (int)r * slot;
		char val[48];

		fmt_hours(val, v);
		fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#3182ce\"/>", x + 4,
		        H - bottom - bh, slot - 8, bh);
		if (v)
			fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"#2d3748\">%s</text>",
			        x + slot / 2, H - bottom - bh - 3, val);
		fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"#2d3748\">%.3s</text>\n",
		        x + slot / 2, H - bottom + 14, label ? label : "");
	}
	fprintf(f, "</svg></figure>\n");
}

static void html_dd(FILE *f, const char *term, const char *val)
{
	fprintf(f, "<dt>");
	pl_html_fputs(f, term);
	fprintf(f, "</dt><dd>");
	if (val)
		pl_html_fputs(f, val);
	else
		fprintf(f, "<span class=\"none\">not set</span>");
	fprintf(f, "</dd>");
}

static void who_what_how(char *out, size_t sz, const json_t *o)
{
	const char *who = pl_dataset__str(o, "who"), *what = pl_dataset__str(o, "what"), *how = pl_dataset__str(o, "how");
	snprintf(out, sz, "%s%s%s%s%s%s%s%s%s", who ? "Who: " : "", who ? who : "",
	         who && (what || how) ? "; " : "", what ? "What: " : "", what ? what : "",
	         what && how ? "; " : "", how ? "How: " : "", how ? how : "", "");
}

static void html_goals(FILE *f, const json_t *goals)
{
	fprintf(f, "<section id=\"goals\">\n<h2>Plan goals, outcomes and activities</h2>\n");
	if (!json_array_size(goals))
		fprintf(f, "<p class=\"none\">No plan goals for this year.</p>\n");
	for (size_t i = 0; i < json_array_size(goals); i++) {
		const json_t *g = json_array_get(goals, i), *acts = json_object_get(g, "activities");
		char buf[2048], h[48];

		fprintf(f, "<h3>");
		if (pl_dataset__str(g, "school")) {
			pl_html_fputs(f, pl_dataset__str(g, "school"));
			fprintf(f, " · ");
		}
		fprintf(f, "Goal %lld: ", (long long)json_integer_value(json_object_get(g, "number")));
		pl_html_fputs(f, pl_dataset__str(g, "statement"));
		fprintf(f, "</h3>\n<dl>");
		for (size_t k = 0; k < NGOAL_TERMS; k++)
			html_dd(f, goal_terms[k].term, pl_dataset__str(g, goal_terms[k].field));
		goal_pl(buf, sizeof(buf), g);
		html_dd(f, "PL this year", buf);
		fprintf(f, "</dl>\n");
		if (!json_array_size(acts)) {
			fprintf(f, "<p class=\"none\">No activities recorded for this goal.</p>\n");
			continue;
		}
		fprintf(f, "<table><thead><tr><th>Activity</th><th>Initial activity</th><th>Follow-up</th>"
		        "<th>Duration</th><th>Standards</th><th>Funding</th><th class=\"n\">Budget</th>"
		        "<th class=\"n\">Participations</th><th class=\"n\">Hours</th></tr></thead><tbody>\n");
		for (size_t k = 0; k < json_array_size(acts); k++) {
			const json_t *a = json_array_get(acts, k), *st = json_object_get(a, "standards");
			char money[48];
			fprintf(f, "<tr><td>");
			pl_html_fputs(f, pl_dataset__str(a, "title") ? pl_dataset__str(a, "title") : pl_dataset__str(a, "id"));
			fprintf(f, "</td><td>");
			who_what_how(buf, sizeof(buf), json_object_get(a, "initial"));
			pl_html_fputs(f, buf);
			fprintf(f, "</td><td>");
			who_what_how(buf, sizeof(buf), json_object_get(a, "followup"));
			if (buf[0])
				pl_html_fputs(f, buf);
			else
				fprintf(f, "<span class=\"none\">none</span>");
			fprintf(f, "</td><td>");
			pl_html_fputs(f, pl_dataset__str(a, "duration"));
			fprintf(f, "</td><td>");
			for (size_t s = 0; s < json_array_size(st); s++) {
				fprintf(f, "%s", s ? ", " : "");
				pl_html_fputs(f, json_string_value(json_array_get(st, s)));
			}
			fprintf(f, "</td><td>");
			pl_html_fputs(f, pl_dataset__str(a, "funding"));
			fmt_cents(money, (long long)json_integer_value(json_object_get(a, "budget_cents")), 0);
			fmt_hours(h, centi(json_object_get(a, "hours")));
			fprintf(f, "</td><td class=\"n\">%s</td><td class=\"n\">%lld</td><td class=\"n\">%s</td></tr>\n",
			        money, (long long)json_integer_value(json_object_get(a, "participations")), h);
		}
		fprintf(f, "</tbody></table>\n");
	}
	fprintf(f, "</section>\n");
}

static void html_findings(FILE *f, const json_t *rep)
{
	const json_t *fs = json_object_get(rep, "findings");
	char note[300];

	fprintf(f, "<section id=\"findings\">\n<h2>Findings</h2>\n");
	if (board(rep)) {
		board_findings_note(note, sizeof(note), rep);
		fprintf(f, "<p class=\"note\">");
		pl_html_fputs(f, note);
		fprintf(f, "</p>\n</section>\n");
		return;
	}
	if (!json_array_size(fs)) {
		fprintf(f, "<p class=\"none\">No findings.</p>\n</section>\n");
		return;
	}
	fprintf(f, "<table><thead><tr>");
	for (int k = 0; k < NFINDING_KEYS; k++)
		fprintf(f, "<th>%s</th>", finding_heads[k]);
	fprintf(f, "</tr></thead><tbody>\n");
	for (size_t i = 0; i < json_array_size(fs); i++) {
		const json_t *x = json_array_get(fs, i);
		fprintf(f, "<tr>");
		for (int k = 0; k < NFINDING_KEYS; k++) {
			fprintf(f, "<td>");
			pl_html_fputs(f, pl_dataset__str(x, finding_keys[k]));
			fprintf(f, "</td>");
		}
		fprintf(f, "</tr>\n");
	}
	fprintf(f, "</tbody></table>\n</section>\n");
}

/* The note that stands for the comparison when there is none, as a paragraph. */
static void html_comparison_note(FILE *f, const json_t *rep)
{
	const char *note = pl_dataset__str(rep, "comparison_note");
	if (!note)
		return;
	fprintf(f, "<section id=\"previous_year\">\n<h2>Compared with the previous school year</h2>\n"
	        "<p class=\"none\">");
	pl_html_fputs(f, note);
	fprintf(f, "</p>\n</section>\n");
}

static void write_html(FILE *f, const json_t *rep)
{
	const json_t *tables = json_object_get(rep, "tables"), *t;
	summary m;

	fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
	pl_html_fputs(f, pl_dataset__str(rep, "title"));
	fprintf(f, " %s</title>\n<style>\n%s</style>\n</head>\n<body>\n<header>\n<h1>", pl_dataset__str(rep, "year"), css);
	pl_html_fputs(f, pl_dataset__str(rep, "title"));
	fprintf(f, " %s</h1>\n<p class=\"meta\">", pl_dataset__str(rep, "year"));
	pl_html_fputs(f, pl_dataset__str(rep, "scope"));
	fprintf(f, " · school year %s to %s · as of %s</p>\n</header>\n", pl_dataset__str(rep, "from"),
	        pl_dataset__str(rep, "to"), pl_dataset__str(rep, "as_of"));

	write_warnings(f, json_object_get(rep, "warnings"), &html_warn, pl_html_fputs);
	summary_of(&m, rep, 0);
	fprintf(f, "<section id=\"summary\">\n<h2>Summary</h2>\n<div class=\"cards\">\n"
	        "<div class=\"card\"><b>%lld</b>participants</div>\n"
	        "<div class=\"card\"><b>%s</b>hours of PL</div>\n"
	        "<div class=\"card\"><b>%lld</b>PD entries completed</div>\n"
	        "<div class=\"card\"><b>%lld</b>PLC meetings</div>\n"
	        "<div class=\"card\"><b>%s</b>credits</div>\n"
	        "<div class=\"card\"><b>%s</b>spent</div>\n"
	        "<div class=\"card\"><b>%s</b>Title II-A spent</div>\n"
	        "<div class=\"card\"><b>%lld</b>findings</div>\n</div>\n</section>\n",
	        m.participants, m.hours, m.pd_entries, m.plc_meetings, m.credits, m.spent, m.t2a,
	        m.findings);

	fprintf(f, "<section id=\"charts\">\n<h2>Charts</h2>\n<div class=\"charts\">\n");
	if ((t = find_table(rep, "by_school")))
		svg_hbars(f, "Hours by school", t, "name", "hours", "#2b6cb0", NULL);
	if ((t = find_table(rep, "by_month")))
		svg_months(f, t);
	if ((t = find_table(rep, "by_standard_2011")))
		svg_hbars(f, "Hours by standard (2011 set)", t, "standard", "hours", "#38a169", "2011 standard");
	if ((t = find_table(rep, "by_standard_2022")))
		svg_hbars(f, "Hours by standard (2022 set)", t, "standard", "hours", "#805ad5", "2022 standard");
	fprintf(f, "</div>\n</section>\n");

	html_comparison_note(f, rep);
	for (size_t i = 0; i < json_array_size(tables); i++)
		html_table(f, json_array_get(tables, i));
	html_goals(f, json_object_get(rep, "goals"));
	html_findings(f, rep);
	fprintf(f, "<footer>Made by plsync, version %s, from the records as of %s. Hours are rounded to "
	        "hundredths; every total is the sum of its rows.</footer>\n</body>\n</html>\n",
	        PLSYNC_VERSION, pl_dataset__str(rep, "as_of"));
}

/* ---- Markdown ---- */

static const warn_markup md_warn = {
	"## Warning: data may be missing for %zu school%s\n\n", "> **WARNING: ", "**: ", "\n>\n", "\n"
};

static void md_table(FILE *f, const json_t *t)
{
	const json_t *cols = json_object_get(t, "columns"), *rows = json_object_get(t, "rows");
	const json_t *total = json_object_get(t, "total");
	char buf[1024];

	fprintf(f, "\n## ");
	pl_md_cell(f, pl_dataset__str(t, "title"));
	fprintf(f, "\n\n");
	if (pl_dataset__str(t, "note")) {
		fprintf(f, "_");
		pl_md_cell(f, pl_dataset__str(t, "note"));
		fprintf(f, "_\n\n");
	}
	for (size_t c = 0; c < json_array_size(cols); c++) {
		fprintf(f, "| ");
		pl_md_cell(f, pl_dataset__str(json_array_get(cols, c), "label") ? pl_dataset__str(json_array_get(cols, c), "label") : " ");
		fprintf(f, " ");
	}
	fprintf(f, "|\n");
	for (size_t c = 0; c < json_array_size(cols); c++)
		fprintf(f, "|%s", numeric(col_type(cols, c)) ? "---:" : "---");
	fprintf(f, "|\n");
	for (size_t r = 0; r <= json_array_size(rows); r++) {
		const json_t *row = r < json_array_size(rows) ? json_array_get(rows, r) : total;
		if (!json_array_size(row))
			continue;
		for (size_t c = 0; c < json_array_size(cols); c++) {
			cell_text(buf, sizeof(buf), json_array_get(row, c), cell_type(t, r, c), 0);
			fprintf(f, "| %s", row == total && buf[0] ? "**" : "");
			pl_md_cell(f, buf);
			fprintf(f, "%s ", row == total && buf[0] ? "**" : "");
		}
		fprintf(f, "|\n");
	}
}

static void md_kv(FILE *f, const char *k, const char *v)
{
	fprintf(f, "- %s: ", k);
	if (v)
		pl_md_cell(f, v);
	else
		fprintf(f, "_not set_");
	fprintf(f, "\n");
}

static void write_md(FILE *f, const json_t *rep)
{
	const json_t *tables = json_object_get(rep, "tables");
	const json_t *goals = json_object_get(rep, "goals"), *fs = json_object_get(rep, "findings");
	char a[48], c[48], buf[2048];
	summary m;

	fprintf(f, "# ");
	pl_md_cell(f, pl_dataset__str(rep, "title"));
	fprintf(f, " %s\n\n", pl_dataset__str(rep, "year"));
	pl_md_cell(f, pl_dataset__str(rep, "scope"));
	fprintf(f, " · school year %s to %s · as of %s\n\n", pl_dataset__str(rep, "from"),
	        pl_dataset__str(rep, "to"), pl_dataset__str(rep, "as_of"));
	write_warnings(f, json_object_get(rep, "warnings"), &md_warn, pl_md_cell);
	fprintf(f, "## Summary\n\n");
	summary_of(&m, rep, 0);
	fprintf(f, "- Participants: %lld\n- Hours of PL: %s\n- PD entries completed: %lld\n"
	        "- PLC meetings: %lld\n- Credits: %s\n- Spent: %s (Title II-A: %s)\n- Findings: %lld\n",
	        m.participants, m.hours, m.pd_entries, m.plc_meetings, m.credits, m.spent, m.t2a,
	        m.findings);
	if (pl_dataset__str(rep, "comparison_note")) {
		fprintf(f, "\n## Compared with the previous school year\n\n");
		pl_md_par(f, pl_dataset__str(rep, "comparison_note"));
	}
	for (size_t i = 0; i < json_array_size(tables); i++)
		md_table(f, json_array_get(tables, i));

	fprintf(f, "\n## Plan goals, outcomes and activities\n");
	if (!json_array_size(goals))
		fprintf(f, "\n_No plan goals for this year._\n");
	for (size_t i = 0; i < json_array_size(goals); i++) {
		const json_t *g = json_array_get(goals, i), *acts = json_object_get(g, "activities");
		fprintf(f, "\n### ");
		if (pl_dataset__str(g, "school")) {
			pl_md_cell(f, pl_dataset__str(g, "school"));
			fprintf(f, " · ");
		}
		fprintf(f, "Goal %lld: ", (long long)json_integer_value(json_object_get(g, "number")));
		pl_md_cell(f, pl_dataset__str(g, "statement"));
		fprintf(f, "\n\n");
		for (size_t k = 0; k < NGOAL_TERMS; k++)
			if (goal_terms[k].md)
				md_kv(f, goal_terms[k].term, pl_dataset__str(g, goal_terms[k].field));
		goal_pl(buf, sizeof(buf), g);
		md_kv(f, "PL this year", buf);
		if (!json_array_size(acts))
			continue;
		fprintf(f, "\n| Activity | Initial activity | Follow-up | Duration | Funding | Budget | Participations | Hours |\n"
		        "|---|---|---|---|---|---:|---:|---:|\n");
		for (size_t k = 0; k < json_array_size(acts); k++) {
			const json_t *x = json_array_get(acts, k);
			fprintf(f, "| ");
			pl_md_cell(f, pl_dataset__str(x, "title") ? pl_dataset__str(x, "title") : pl_dataset__str(x, "id"));
			fprintf(f, " | ");
			who_what_how(buf, sizeof(buf), json_object_get(x, "initial"));
			pl_md_cell(f, buf);
			fprintf(f, " | ");
			who_what_how(buf, sizeof(buf), json_object_get(x, "followup"));
			pl_md_cell(f, buf[0] ? buf : "none");
			fprintf(f, " | ");
			pl_md_cell(f, pl_dataset__str(x, "duration"));
			fprintf(f, " | ");
			pl_md_cell(f, pl_dataset__str(x, "funding"));
			fmt_cents(c, (long long)json_integer_value(json_object_get(x, "budget_cents")), 0);
			fmt_hours(a, centi(json_object_get(x, "hours")));
			fprintf(f, " | %s | %lld | %s |\n", c,
			        (long long)json_integer_value(json_object_get(x, "participations")), a);
		}
	}
	fprintf(f, "\n## Findings\n\n");
	if (board(rep)) {
		board_findings_note(buf, sizeof(buf), rep);
		pl_md_par(f, buf);
		return;
	}
	if (!json_array_size(fs)) {
		fprintf(f, "_No findings._\n");
		return;
	}
	for (int k = 0; k < NFINDING_KEYS; k++)
		fprintf(f, "| %s ", finding_heads[k]);
	fprintf(f, "|\n");
	for (int k = 0; k < NFINDING_KEYS; k++)
		fprintf(f, "|---");
	fprintf(f, "|\n");
	for (size_t i = 0; i < json_array_size(fs); i++) {
		const json_t *x = json_array_get(fs, i);
		for (int k = 0; k < NFINDING_KEYS; k++) {
			fprintf(f, "| ");
			pl_md_cell(f, pl_dataset__str(x, finding_keys[k]));
			fprintf(f, " ");
		}
		fprintf(f, "|\n");
	}
}

/* ---- CSV ---- */

/* A CSV file: its stream and whether it is for Excel (BOM, CRLF rows). */
typedef struct csv {
	FILE *f;
	int   excel;
} csv;

static void csv_end(const csv *o)
{
	pl_csv_row_end(o->f, o->excel);
}

/* A row of one cell (a title), or an empty row for NULL. */
static void csv_line(const csv *o, const char *s)
{
	if (s)
		pl_csv_cell(o->f, s, 1);
	csv_end(o);
}

/* A row of cells from a NULL-ended list. */
static void csv_cells(const csv *o, const char *const *cells)
{
	for (size_t i = 0; cells[i]; i++)
		pl_csv_cell(o->f, cells[i], i == 0);
	csv_end(o);
}

static void csv_table(const csv *o, const json_t *t)
{
	const json_t *cols = json_object_get(t, "columns"), *rows = json_object_get(t, "rows");
	const json_t *total = json_object_get(t, "total");
	char buf[1024];

	csv_line(o, pl_dataset__str(t, "title"));
	for (size_t c = 0; c < json_array_size(cols); c++) {
		const char *label = pl_dataset__str(json_array_get(cols, c), "label");
		if (!strcmp(col_type(cols, c), "cents"))
			snprintf(buf, sizeof(buf), "%s ($)", label ? label : "");
		else
			snprintf(buf, sizeof(buf), "%s", label ? label : "");
		pl_csv_cell(o->f, buf, c == 0);
	}
	csv_end(o);
	for (size_t r = 0; r <= json_array_size(rows); r++) {
		const json_t *row = r < json_array_size(rows) ? json_array_get(rows, r) : total;
		if (!json_array_size(row))
			continue;
		for (size_t c = 0; c < json_array_size(cols); c++) {
			cell_text(buf, sizeof(buf), json_array_get(row, c), cell_type(t, r, c), 1);
			pl_csv_cell(o->f, buf, c == 0);
		}
		csv_end(o);
	}
	csv_line(o, NULL);
}

/* "Name,value" with a number. */
static void csv_measure(const csv *o, const char *name, const char *value)
{
	const char *cells[] = { name, value, NULL };
	csv_cells(o, cells);
}

static void csv_count(const csv *o, const char *name, long long v)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "%lld", v);
	csv_measure(o, name, buf);
}

static void write_csv(FILE *f, const json_t *rep, int excel)
{
	const csv out = { f, excel }, *o = &out;
	const json_t *tables = json_object_get(rep, "tables"), *ws = json_object_get(rep, "warnings");
	const json_t *goals = json_object_get(rep, "goals"), *fs = json_object_get(rep, "findings");
	int brd = board(rep);
	char buf[2048], a[48];
	summary m;

	pl_csv_begin(f, excel);
	snprintf(buf, sizeof(buf), "%s %s", pl_dataset__str(rep, "title"), pl_dataset__str(rep, "year"));
	pl_csv_cell(f, buf, 1);
	pl_csv_cell(f, pl_dataset__str(rep, "scope"), 0);
	pl_csv_cell(f, pl_dataset__str(rep, "from"), 0);
	pl_csv_cell(f, pl_dataset__str(rep, "to"), 0);
	snprintf(buf, sizeof(buf), "as of %s", pl_dataset__str(rep, "as_of"));
	pl_csv_cell(f, buf, 0);
	csv_end(o);
	csv_line(o, NULL);
	if (json_array_size(ws)) {
		static const char *const head[] = { "School", "Name", "Status", "Warning", NULL };
		csv_line(o, "WARNING: data may be missing");
		csv_cells(o, brd ? head + 1 : head);
	}
	for (size_t i = 0; i < json_array_size(ws); i++) {
		const json_t *w = json_array_get(ws, i);
		static const char *const keys[] = { "school", "name", "status", "why" };
		for (int k = brd; k < 4; k++)
			pl_csv_cell(f, pl_dataset__str(w, keys[k]), k == brd);
		csv_end(o);
		if (i + 1 == json_array_size(ws))
			csv_line(o, NULL);
	}
	summary_of(&m, rep, 1);
	csv_line(o, "Summary");
	csv_measure(o, "Measure", "Value");
	csv_count(o, "Participants", m.participants);
	csv_measure(o, "Hours", m.hours);
	csv_count(o, "PD entries completed", m.pd_entries);
	csv_count(o, "PLC meetings", m.plc_meetings);
	csv_measure(o, "Credits", m.credits);
	csv_measure(o, "Spent ($)", m.spent);
	csv_measure(o, "Title II-A spent ($)", m.t2a);
	csv_count(o, "Findings", m.findings);
	csv_line(o, NULL);
	if (pl_dataset__str(rep, "comparison_note")) {
		csv_line(o, "Compared with the previous school year");
		csv_line(o, pl_dataset__str(rep, "comparison_note"));
		csv_line(o, NULL);
	}
	for (size_t i = 0; i < json_array_size(tables); i++)
		csv_table(o, json_array_get(tables, i));

	csv_line(o, "Plan goals and outcomes");
	{
		static const char *const head[] = { "School", "Plan", "Goal id", "Number", "Statement", "Measure",
		                                    "Frequency", "Overarching outcome", "Year 1", "Year 2",
		                                    "Year 3", "Activities", "Participations", "Hours", NULL };
		static const char *const bhead[] = { "School", "Number", "Statement", "Measure", "Frequency",
		                                     "Overarching outcome", "Year 1", "Year 2", "Year 3",
		                                     "Activities", "Participations", "Hours", NULL };
		csv_cells(o, brd ? bhead : head);
	}
	for (size_t i = 0; i < json_array_size(goals); i++) {
		const json_t *g = json_array_get(goals, i);
		static const char *const keys[] = { "school", "plan", "goal" };
		static const char *const more[] = { "statement", "measure", "frequency", "outcome",
		                                    "outcome_y1", "outcome_y2", "outcome_y3" };
		for (int k = 0; k < (brd ? 1 : 3); k++)
			pl_csv_cell(f, pl_dataset__str(g, keys[k]), k == 0);
		snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(json_object_get(g, "number")));
		pl_csv_cell(f, buf, 0);
		for (int k = 0; k < 7; k++)
			pl_csv_cell(f, pl_dataset__str(g, more[k]), 0);
		snprintf(buf, sizeof(buf), "%zu", json_array_size(json_object_get(g, "activities")));
		pl_csv_cell(f, buf, 0);
		snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(json_object_get(g, "participations")));
		pl_csv_cell(f, buf, 0);
		fmt_hours(a, centi(json_object_get(g, "hours")));
		pl_csv_cell(f, a, 0);
		csv_end(o);
	}
	csv_line(o, NULL);
	csv_line(o, "Findings");
	if (brd) {
		board_findings_note(buf, sizeof(buf), rep);
		csv_line(o, buf);
		return;
	}
	{
		static const char *const head[] = { "Rule", "Record", "Kind", "Staff", "School", "Why", "Next step", NULL };
		csv_cells(o, head);
	}
	for (size_t i = 0; i < json_array_size(fs); i++) {
		const json_t *x = json_array_get(fs, i);
		static const char *const keys[] = { "rule", "record", "kind", "staff", "school", "why", "next" };
		for (int k = 0; k < 7; k++)
			pl_csv_cell(f, pl_dataset__str(x, keys[k]), k == 0);
		csv_end(o);
	}
}

int pl_report_write(FILE *f, const json_t *rep, const char *format, int excel)
{
	if (!format || !strcmp(format, "html"))
		write_html(f, rep);
	else if (!strcmp(format, "md"))
		write_md(f, rep);
	else if (!strcmp(format, "csv"))
		write_csv(f, rep, excel);
	else if (!strcmp(format, "json"))
		return pl_json_write(f, rep);
	else
		return pl_error_set(PL_EUSAGE, "report format '%s' is not known; use html, md, csv or json", format);
	if (fflush(f) || ferror(f))
		return pl_error_from_errno("writing the report");
	return 0;
}
