/*
 * report-tables.c — the tables of the annual report (report-int.h).
 *
 * Each table groups the year's participations one way. Every additive
 * total is computed from the participations directly, not by adding up the
 * table's rows, so a row lost or counted twice shows up as a total that no
 * longer equals the sum of its rows (the tests check this). An entry
 * naming several standards of one set shares its hours among them, the
 * remainder going to the first, so the standards tables add up too.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "plsync/errors.h"
#include "plsync/findings.h"
#include "plsync/offering.h"
#include "plsync/requirement.h"
#include "plsync/schema.h"
#include "report-int.h"

#define NV 10

typedef pl_report__ctx rep;
typedef pl_report__goal goalref;

typedef struct grp {
	char     *key;
	long long v[NV];
	json_t   *who;    /* distinct staff ids (a set), or NULL */
} grp;

typedef struct grps {
	grp   *g;
	size_t n, cap;
} grps;

typedef struct col {
	const char *id, *label, *type;
	int         sum;
	int         key;    /* codes or ids: not in the board's report */
} col;

static const char *const months[] = {
	"July", "August", "September", "October", "November", "December",
	"January", "February", "March", "April", "May", "June"
};

/* ---- groups ---- */

static grp *grp_find(const grps *G, const char *key)
{
	for (size_t i = 0; i < G->n; i++)
		if (!strcmp(G->g[i].key, key))
			return &G->g[i];
	return NULL;
}

/* The group of `key`, added (empty) if it is new; NULL when out of memory. */
static grp *grp_get(grps *G, const char *key)
{
	grp *found = grp_find(G, key);

	if (found)
		return found;
	if (G->n == G->cap) {
		size_t cap = G->cap ? G->cap * 2 : 16;
		grp *ng = realloc(G->g, cap * sizeof(*ng));
		if (!ng)
			return NULL;
		G->g = ng;
		G->cap = cap;
	}
	memset(&G->g[G->n], 0, sizeof(grp));
	if (!(G->g[G->n].key = strdup(key)) || !(G->g[G->n].who = json_object())) {
		free(G->g[G->n].key);
		return NULL;
	}
	return &G->g[G->n++];
}

static void grps_free(grps *G)
{
	for (size_t i = 0; i < G->n; i++) {
		free(G->g[i].key);
		json_decref(G->g[i].who);
	}
	free(G->g);
	memset(G, 0, sizeof(*G));
}

static int oom(void)
{
	return pl_error_set(PL_ERROR, "out of memory");
}

/* ---- tables ---- */

static json_t *table_new(const char *id, const char *title, const char *note,
                         const col *cols, size_t ncol)
{
	json_t *c = json_array(), *t;

	for (size_t i = 0; i < ncol; i++)
		json_array_append_new(c, json_pack("{ss ss ss sb sb}", "id", cols[i].id, "label",
		                                   cols[i].label, "type", cols[i].type, "sum", cols[i].sum,
		                                   "key", cols[i].key));
	t = json_pack("{ss ss ss? so s[] s[]}", "id", id, "title", title, "note",
	              note, "columns", c, "rows", "total");
	return t;
}

static json_t *hours(long long c)
{
	return pl_dataset__centi_json(c);
}

static json_t *text(const char *s)
{
	return json_string(s ? s : "");
}

static void row_add(json_t *t, json_t *row)
{
	json_array_append_new(json_object_get(t, "rows"), row);
}

static void total_set(json_t *t, json_t *row)
{
	json_object_set_new(t, "total", row);
}

static int table_push(rep *r, json_t *t)
{
	if (!t || json_array_append_new(r->tables, t))
		return oom();
	return 0;
}

/* The end of a grouped table: push t if all went well (rc 0), else drop it;
 * the groups are freed either way. */
static int table_done(rep *r, json_t *t, grps *G, int rc)
{
	grps_free(G);
	if (rc) {
		json_decref(t);
		return rc;
	}
	return table_push(r, t);
}

static const char *staff_field(const rep *r, const char *staff, const char *field)
{
	return pl_dataset__str(pl_dataset_get(r->ds, "staff", staff), field);
}

/* ---- by school, by category ---- */

/* Group the participations by a field of the participant's staff record
 * (`none` when unset): participants, PD entries, PLC attendances, hours,
 * credits in v[0..3] and who. */
static int group_by_staff(grps *G, const rep *r, const char *field, const char *none)
{
	for (size_t i = 0; i < r->nparts; i++) {
		const pl_dataset__part *p = &r->parts[i];
		const char *v = staff_field(r, p->staff, field);
		grp *g = grp_get(G, v ? v : none);
		if (!g)
			return oom();
		json_object_set_new(g->who, p->staff, json_true());
		g->v[!!strcmp(p->kind, "pd_entry")]++;
		g->v[2] += p->chours;
		g->v[3] += p->ccredits;
	}
	return 0;
}

/* Append the counts cells (participants, PD entries, PLC attendances,
 * hours, credits) to row. */
static json_t *count_cells(json_t *row, size_t who, long long pd, long long plc, long long ch,
                           long long cc)
{
	json_array_append_new(row, json_integer((json_int_t)who));
	json_array_append_new(row, json_integer(pd));
	json_array_append_new(row, json_integer(plc));
	json_array_append_new(row, hours(ch));
	json_array_append_new(row, hours(cc));
	return row;
}

static json_t *count_total(const rep *r, json_t *row)
{
	return count_cells(row, json_object_size(r->who), r->pd_entries,
	                   (long long)(r->nparts - (size_t)r->pd_entries), r->hours, r->credits);
}

static json_t *count_row(json_t *row, const grp *g)
{
	return count_cells(row, json_object_size(g->who), g->v[0], g->v[1], g->v[2], g->v[3]);
}

static int t_by_school(rep *r)
{
	static const col cols[] = {
		{ "school", "School", "text", 0, 1 }, { "name", "Name", "text", 0, 0 },
		{ "participants", "Participants", "int", 1, 0 }, { "pd_entries", "PD entries", "int", 1, 0 },
		{ "plc_attendances", "PLC attendances", "int", 1 }, { "hours", "Hours", "hours", 1 },
		{ "credits", "Credits", "hours", 1 },
	};
	grps G = { 0 };
	json_t *t = table_new("by_school", "Participation and hours by school",
	                      "Each staff member counts under the school of their staff record.",
	                      cols, sizeof(cols) / sizeof(cols[0]));
	const char *id;
	json_t *s;
	int rc = 0;

	/* every school, even one with no PL yet */
	json_object_foreach(pl_dataset_kind(r->ds, "school"), id, s)
		if (!rc && !grp_get(&G, id))
			rc = oom();
	if (!rc)
		rc = group_by_staff(&G, r, "school", "(no school)");
	for (size_t i = 0; !rc && i < G.n; i++) {
		const json_t *school = pl_dataset_get(r->ds, "school", G.g[i].key);
		const char *name = school ? pl_dataset__str(school, "name") : NULL;
		if (r->board && (!name || !*name))
			name = G.g[i].key; /* the board sees no code column: the code, or "(no school)" */
		row_add(t, count_row(json_pack("[s o]", G.g[i].key, text(name)), &G.g[i]));
	}
	total_set(t, count_total(r, json_pack("[s s]", "Total", "")));
	return table_done(r, t, &G, rc);
}

/* A staff category as the board reads it. */
static const char *category_label(const char *c)
{
	return !strcmp(c, "certified") ? "Certified staff" : !strcmp(c, "noninstructional") ?
	       "Non-instructional staff" : c;
}

static int t_by_category(rep *r)
{
	static const col cols[] = {
		{ "category", "Staff category", "text", 0 },
		{ "participants", "Participants", "int", 1 }, { "pd_entries", "PD entries", "int", 1 },
		{ "plc_attendances", "PLC attendances", "int", 1 }, { "hours", "Hours", "hours", 1 },
		{ "credits", "Credits", "hours", 1 },
	};
	grps G = { 0 };
	json_t *t = table_new("by_category", "Participation and hours by staff category", NULL,
	                      cols, sizeof(cols) / sizeof(cols[0]));
	int rc = 0;

	if (!grp_get(&G, "certified") || !grp_get(&G, "noninstructional"))
		rc = oom();
	if (!rc)
		rc = group_by_staff(&G, r, "category", "(unknown)");
	for (size_t i = 0; !rc && i < G.n; i++)
		row_add(t, count_row(json_pack("[s]", r->board ? category_label(G.g[i].key) : G.g[i].key), &G.g[i]));
	total_set(t, count_total(r, json_pack("[s]", "Total")));
	return table_done(r, t, &G, rc);
}

/* ---- by type ---- */

/* The types of PL in the table's order, with their labels. */
static const char *const types[][2] = {
	{ "conference", "Conference" }, { "workshop", "Workshop" }, { "seminar", "Seminar" },
	{ "course", "Course" }, { "institute", "Institute" }, { "network", "Network" },
	{ "training", "Training" }, { "plc", "PLC (logged as PD entry)" }, { "coaching", "Coaching" },
	{ "instructional_rounds", "Instructional rounds" }, { "plc_meeting", "PLC meetings" },
};
#define NTYPES (sizeof(types) / sizeof(types[0]))

/* The index of `type` in types[], or NTYPES. */
static size_t type_index(const char *type)
{
	size_t i = 0;
	while (i < NTYPES && !(type && !strcmp(types[i][0], type)))
		i++;
	return i;
}

static json_t *type_row(const grp *g)
{
	size_t k = type_index(g->key);
	return json_pack("[s s s I o o]", g->key, k < NTYPES ? types[k][1] : g->key,
	                 g->v[3] == g->v[0] ? "yes" : g->v[3] ? "partly" : "no",
	                 (json_int_t)g->v[0], hours(g->v[1]), hours(g->v[2]));
}

static int t_by_type(rep *r)
{
	static const col cols[] = {
		{ "type", "Type", "text", 0, 1 }, { "label", "Kind of PL", "text", 0, 0 },
		{ "job_embedded", "Job-embedded", "text", 0 },
		{ "participations", "Participations", "int", 1 }, { "hours", "Hours", "hours", 1 },
		{ "credits", "Credits", "hours", 1 },
	};
	grps G = { 0 };
	json_t *t = table_new("by_type", "Participation and hours by type of professional learning",
	                      "Job-embedded: PLCs, coaching and instructional rounds (Policy 4300.2), "
	                      "and PLC meetings, whose attendees' hours count as job-embedded PL.",
	                      cols, sizeof(cols) / sizeof(cols[0]));
	int rc = 0;

	for (size_t i = 0; !rc && i < r->nparts; i++) {
		const pl_dataset__part *p = &r->parts[i];
		grp *g = grp_get(&G, p->type ? p->type : "(no type)");
		if (!g) {
			rc = oom();
			break;
		}
		g->v[0]++;
		g->v[1] += p->chours;
		g->v[2] += p->ccredits;
		g->v[3] += p->job_embedded;
	}
	/* the known types in their order, then any other in the order met */
	for (size_t k = 0; !rc && k < NTYPES; k++) {
		grp *g = grp_find(&G, types[k][0]);
		if (g)
			row_add(t, type_row(g));
	}
	for (size_t i = 0; !rc && i < G.n; i++)
		if (type_index(G.g[i].key) == NTYPES)
			row_add(t, type_row(&G.g[i]));
	total_set(t, json_pack("[s s s I o o]", "Total", "", "", (json_int_t)r->nparts,
	                       hours(r->hours), hours(r->credits)));
	return table_done(r, t, &G, rc);
}

/* ---- by standard ---- */

int pl_report__standard_hours(long long *h, long long *cnt, const pl_dataset__part *parts,
                              size_t nparts, int set)
{
	const char *const *codes = pl_standard_codes(set);
	size_t ncodes = 0;

	while (codes[ncodes] && ncodes < PL_REPORT__MAX_CODES)
		ncodes++;
	memset(h, 0, (ncodes + 1) * sizeof(*h));
	memset(cnt, 0, (ncodes + 1) * sizeof(*cnt));
	for (size_t i = 0; i < nparts; i++) {
		const pl_dataset__part *p = &parts[i];
		int named[PL_REPORT__MAX_CODES] = { 0 };
		long long k = 0, share, rest;

		for (size_t c = 0; c < ncodes && c < PL_REPORT__MAX_CODES; c++)
			for (size_t j = 0; j < json_array_size(p->standards) && !named[c]; j++)
				if (!strcmp(codes[c], json_string_value(json_array_get(p->standards, j)) ?
				            json_string_value(json_array_get(p->standards, j)) : ""))
					named[c] = 1, k++;
		if (!k) {
			h[ncodes] += p->chours;
			cnt[ncodes]++;
			continue;
		}
		share = p->chours / k;
		rest = p->chours % k;
		for (size_t c = 0; c < ncodes && c < PL_REPORT__MAX_CODES; c++) {
			if (!named[c])
				continue;
			h[c] += share + (rest > 0);
			if (rest > 0)
				rest--;
			cnt[c]++;
		}
	}
	return (int)ncodes;
}

static int t_by_standard(rep *r, int set)
{
	static const col cols[] = {
		{ "code", "Code", "text", 0, 1 }, { "standard", "Standard", "text", 0, 0 },
		{ "participations", "Participations naming it", "int", 0, 0 },
		{ "hours", "Hours (shared)", "hours", 1, 0 },
	};
	const char *const *codes = pl_standard_codes(set);
	long long h[PL_REPORT__MAX_CODES + 1], cnt[PL_REPORT__MAX_CODES + 1], none, nonecnt;
	size_t ncodes = (size_t)pl_report__standard_hours(h, cnt, r->parts, r->nparts, set);
	char id[32], title[96], none_label[64];
	json_t *t;
	int rc;

	none = h[ncodes];
	nonecnt = cnt[ncodes];
	snprintf(id, sizeof(id), "by_standard_%d", set);
	snprintf(title, sizeof(title), "Hours by Learning Forward standard (%d standards)", set);
	t = table_new(id, title, "An entry naming several standards of this set shares its hours "
	              "equally among them, so the hours add up to the year's total; the "
	              "participations naming each standard are not added up.",
	              cols, sizeof(cols) / sizeof(cols[0]));
	for (size_t c = 0; c < ncodes; c++)
		row_add(t, json_pack("[s s I o]", codes[c], pl_standard_name(codes[c], set),
		                     (json_int_t)cnt[c], hours(h[c])));
	snprintf(none_label, sizeof(none_label), "(none of the %d standards)", set);
	row_add(t, json_pack("[s s I o]", "", none_label, (json_int_t)nonecnt, hours(none)));
	json_object_set_new(t, "unassigned", json_pack("{sI so}", "participations", (json_int_t)nonecnt,
	                                               "hours", hours(none)));
	total_set(t, json_pack("[s s n o]", "Total", "", hours(r->hours)));
	rc = table_push(r, t);
	return rc;
}

static json_t *goal_label(const json_t *g, long long number)
{
	char buf[512];
	const char *st = pl_dataset__str(g, "statement");
	if (number)
		snprintf(buf, sizeof(buf), "Goal %lld: %s", number, st ? st : "");
	else
		snprintf(buf, sizeof(buf), "%s", st ? st : "");
	return json_string(buf);
}

static int t_by_goal(rep *r, const goalref *gv, size_t ng)
{
	static const col cols[] = {
		{ "goal", "Goal id", "text", 0, 1 }, { "school", "School", "text", 0, 0 },
		{ "label", "Plan goal", "text", 0 }, { "participations", "Participations", "int", 1 },
		{ "hours", "Hours", "hours", 1 }, { "spent_cents", "Spent", "cents", 1 },
	};
	json_t *t = table_new("by_goal", "Participation and hours by plan goal",
	                      "PD linked to a goal directly or through one of its activities.",
	                      cols, sizeof(cols) / sizeof(cols[0]));
	long long cnt = 0, h = 0, spent = 0;

	for (size_t k = 0; k <= ng; k++) {
		const char *gid = k < ng ? gv[k].id : NULL;
		cnt = h = spent = 0;
		for (size_t i = 0; i < r->nparts; i++) {
			const pl_dataset__part *p = &r->parts[i];
			int linked = p->goal && pl_dataset_get(r->ds, "goal", p->goal);
			if (gid ? !(p->goal && !strcmp(p->goal, gid)) : linked)
				continue;
			cnt++;
			h += p->chours;
			spent += p->cost_cents;
		}
		if (gid)
			row_add(t, json_pack("[s o o I o I]", gid, pl_report__school_cell(r, gv[k].school),
			                     goal_label(pl_dataset_get(r->ds, "goal", gid), gv[k].number),
			                     (json_int_t)cnt, hours(h), (json_int_t)spent));
		else
			row_add(t, json_pack("[s s s I o I]", "", "", "(not linked to a plan goal)",
			                     (json_int_t)cnt, hours(h), (json_int_t)spent));
	}
	total_set(t, json_pack("[s s s I o I]", "Total", "", "", (json_int_t)r->nparts,
	                       hours(r->hours), (json_int_t)r->spent));
	return table_push(r, t);
}

/* ---- spending ---- */

static int funding_rank(const char *f)
{
	if (!strcmp(f, "local")) return 0;
	if (!strcmp(f, "state")) return 1;
	if (!strcmp(f, "federal:title-ii-a")) return 2;
	if (!strncmp(f, "federal:", 8)) return 3;
	if (!strncmp(f, "grant:", 6)) return 4;
	if (!strcmp(f, "other")) return 5;
	return 6;
}

static int cmp_grp_funding(const void *a, const void *b)
{
	const grp *p = a, *q = b;
	int c = funding_rank(p->key) - funding_rank(q->key);
	return c ? c : strcmp(p->key, q->key);
}

static int t_by_funding(rep *r, long long *t2a)
{
	static const col cols[] = {
		{ "funding", "Funding code", "text", 0, 1 }, { "label", "Funding source", "text", 0, 0 },
		{ "pd_entries", "PD entries", "int", 1 }, { "spent_cents", "Spent", "cents", 1 },
		{ "activities", "Plan activities", "int", 1 }, { "budget_cents", "Budgeted", "cents", 1 },
	};
	json_t *t = table_new("by_funding", "Spending by funding source",
	                      "Spent: cost of the year's completed PD entries. Budgeted: the budgets of "
	                      "the activities of the year's plans. Title II-A is shown on its own row.",
	                      cols, sizeof(cols) / sizeof(cols[0]));
	long long acts = 0, budget = 0;
	grps G = { 0 };
	const char *id;
	json_t *a;

	*t2a = 0;
	for (size_t i = 0; i < r->nparts; i++) {
		const pl_dataset__part *p = &r->parts[i];
		grp *g;
		if (strcmp(p->kind, "pd_entry"))
			continue;
		if (!(g = grp_get(&G, p->funding ? p->funding : "")))
			goto nomem;
		g->v[0]++;
		g->v[1] += p->cost_cents;
		if (p->funding && !strcmp(p->funding, "federal:title-ii-a"))
			*t2a += p->cost_cents;
	}
	json_object_foreach(pl_dataset_kind(r->ds, "activity"), id, a) {
		const json_t *goal = pl_dataset_get(r->ds, "goal", pl_dataset__str(a, "goal"));
		const json_t *plan = pl_dataset_get(r->ds, "plan", pl_dataset__str(goal, "plan"));
		const char *y = pl_dataset__str(plan, "year"), *f = pl_dataset__str(a, "funding");
		grp *g;
		if (!y || strcmp(y, r->year))
			continue;
		if (!(g = grp_get(&G, f ? f : "")))
			goto nomem;
		g->v[2]++;
		g->v[3] += pl_dataset__int(a, "budget_cents");
		acts++;
		budget += pl_dataset__int(a, "budget_cents");
	}
	if (G.n)
		qsort(G.g, G.n, sizeof(*G.g), cmp_grp_funding);
	for (size_t i = 0; i < G.n; i++)
		row_add(t, json_pack("[s o I I I I]", G.g[i].key, pl_report__funding_label(G.g[i].key),
		                     (json_int_t)G.g[i].v[0], (json_int_t)G.g[i].v[1],
		                     (json_int_t)G.g[i].v[2], (json_int_t)G.g[i].v[3]));
	total_set(t, json_pack("[s s I I I I]", "Total", "", (json_int_t)r->pd_entries,
	                       (json_int_t)r->spent, (json_int_t)acts, (json_int_t)budget));
	return table_done(r, t, &G, 0);
nomem:
	return table_done(r, t, &G, oom());
}

/* ---- evaluation ---- */

/* The rating 1..5 that participation p gave Guskey level `field`; 0 if none. */
static int rating(const pl_dataset__part *p, const char *field)
{
	json_t *v = json_object_get(p->evaluation, field);
	json_int_t x = json_is_integer(v) ? json_integer_value(v) : 0;
	return x >= 1 && x <= 5 ? (int)x : 0;
}

/* A row of the evaluation table: how many ratings of each value c[1..5]. */
static json_t *ratings_row(json_t *level, const char *name, const long long c[6])
{
	long long n = 0, sum = 0;

	for (int x = 1; x <= 5; x++) {
		n += c[x];
		sum += x * c[x];
	}
	return json_pack("[o s I I I I I I o]", level, name, (json_int_t)n, (json_int_t)c[1],
	                 (json_int_t)c[2], (json_int_t)c[3], (json_int_t)c[4], (json_int_t)c[5],
	                 n ? json_real((double)llround(sum * 100.0 / n) / 100.0) : json_null());
}

static int t_evaluation(rep *r)
{
	static const col cols[] = {
		{ "level", "Level", "int", 0 }, { "name", "Guskey level", "text", 0 },
		{ "responses", "Ratings", "int", 1 },
		{ "r1", "1", "int", 1 }, { "r2", "2", "int", 1 }, { "r3", "3", "int", 1 },
		{ "r4", "4", "int", 1 }, { "r5", "5", "int", 1 }, { "mean", "Mean (1-5)", "mean", 0 },
	};
	const pl_guskey_level *lv = pl_schema_guskey_levels();
	json_t *t = table_new("evaluation", "Evaluation results by Guskey level",
	                      "Ratings 1 (low) to 5 (high) recorded on completed PD entries of the year. "
	                      "The total's mean is over every rating.",
	                      cols, sizeof(cols) / sizeof(cols[0]));
	long long tot[6] = { 0 };

	for (int l = 0; lv[l].field; l++) {
		long long c[6] = { 0 };
		for (size_t i = 0; i < r->nparts; i++)
			c[rating(&r->parts[i], lv[l].field->name)]++;
		row_add(t, ratings_row(json_integer(lv[l].level), lv[l].title, c));
	}
	/* the total from the entries again, not from the rows */
	for (size_t i = 0; i < r->nparts; i++)
		for (int l = 0; lv[l].field; l++)
			tot[rating(&r->parts[i], lv[l].field->name)]++;
	total_set(t, ratings_row(json_string("Total"), "", tot));
	return table_push(r, t);
}

/* ---- required trainings ---- */

/* Compliance with each required training as of the report's day
 * (plsync/requirement.h), one row per requirement; only when the data has
 * requirements. */
static int t_compliance(rep *r)
{
	static const col cols[] = {
		{ "requirement", "Required training", "text", 0 }, { "staff", "Staff it applies to", "int", 1 },
		{ "done", "Done", "int", 1 }, { "due", "Due", "int", 1 }, { "due_soon", "Due soon", "int", 1 },
		{ "overdue", "Overdue", "int", 1 },
	};
	static const char *const states[] = { "done", "due", "due_soon", "overdue" };
	json_t *rows = NULL, *t, *x;
	grps G = { 0 };
	long long tot[5] = { 0 };
	size_t i;
	int rc;

	if (!json_object_size(pl_dataset_kind(r->ds, "requirement")))
		return 0;
	if ((rc = pl_compliance(&rows, r->ds, r->today, NULL, 30)))
		return rc;
	t = table_new("compliance", "Required trainings", "Each staff member's state for each required "
	              "training as of the report's date; due soon is within 30 days.", cols,
	              sizeof(cols) / sizeof(cols[0]));
	json_array_foreach(rows, i, x) {
		grp *g = grp_get(&G, pl_dataset__str(x, "title"));
		if (!g) {
			json_decref(t);
			rc = oom();
			goto cleanup;
		}
		g->v[0]++;
		tot[0]++;
		for (int k = 0; k < 4; k++)
			if (!strcmp(pl_dataset__str(x, "state"), states[k])) {
				g->v[k + 1]++;
				tot[k + 1]++;
			}
	}
	for (size_t k = 0; k < G.n; k++)
		row_add(t, json_pack("[o I I I I I]", text(G.g[k].key), G.g[k].v[0], G.g[k].v[1], G.g[k].v[2],
		                     G.g[k].v[3], G.g[k].v[4]));
	total_set(t, json_pack("[o I I I I I]", text("Total"), tot[0], tot[1], tot[2], tot[3], tot[4]));
	rc = table_push(r, t);
cleanup:
	grps_free(&G);
	json_decref(rows);
	return rc;
}

/* ---- PLC ---- */

static int t_plc(rep *r, long long *nmeet)
{
	static const col cols[] = {
		{ "group", "PLC group", "text", 0 }, { "school", "School", "text", 0 },
		{ "meetings", "Meetings", "int", 1 }, { "minutes", "Minutes", "int", 1 },
		{ "attendances", "Attendances", "int", 1 }, { "hours", "Attendee hours", "hours", 1 },
	};
	json_t *t = table_new("plc", "PLC activity",
	                      "Attendee hours: each attendee earns the meeting's minutes/60 hours of "
	                      "job-embedded professional learning.",
	                      cols, sizeof(cols) / sizeof(cols[0]));
	long long meetings = 0, minutes = 0, att = 0, h = 0;
	grps G = { 0 };
	const char *id;
	json_t *m;
	int rc = 0;

	json_object_foreach(pl_dataset_kind(r->ds, "plc_meeting"), id, m) {
		const char *date = pl_dataset__str(m, "date"), *school = pl_dataset__str(m, "school");
		char key[600];
		grp *g;
		if (!date || strncmp(date, r->from, 10) < 0 || strncmp(date, r->to, 10) > 0)
			continue;
		snprintf(key, sizeof(key), "%s%c%s", school ? school : "", 1, pl_dataset__str(m, "group") ? pl_dataset__str(m, "group") : "");
		if (!(g = grp_get(&G, key))) {
			rc = oom();
			goto cleanup;
		}
		g->v[0]++;
		g->v[1] += pl_dataset__int(m, "minutes");
		meetings++;
		minutes += pl_dataset__int(m, "minutes");
		/* attendances and hours from the participations of this meeting */
		for (size_t i = 0; i < r->nparts; i++)
			if (!strcmp(r->parts[i].kind, "plc_meeting") && !strcmp(r->parts[i].rec, id)) {
				g->v[2]++;
				g->v[3] += r->parts[i].chours;
			}
	}
	for (size_t i = 0; i < r->nparts; i++)
		if (!strcmp(r->parts[i].kind, "plc_meeting")) {
			att++;
			h += r->parts[i].chours;
		}
	for (size_t i = 0; i < G.n; i++) {
		const char *sep = strchr(G.g[i].key, 1);
		char school[300];
		snprintf(school, sizeof(school), "%.*s", (int)(sep - G.g[i].key), G.g[i].key);
		row_add(t, json_pack("[s o I I I o]", sep + 1, pl_report__school_cell(r, school[0] ? school : NULL),
		                     (json_int_t)G.g[i].v[0], (json_int_t)G.g[i].v[1],
		                     (json_int_t)G.g[i].v[2], hours(G.g[i].v[3])));
	}
	total_set(t, json_pack("[s s I I I o]", "Total", "", (json_int_t)meetings, (json_int_t)minutes,
	                       (json_int_t)att, hours(h)));
	*nmeet = meetings;
cleanup:
	return table_done(r, t, &G, rc);
}

/* ---- by month ---- */

static int t_by_month(rep *r)
{
	static const col cols[] = {
		{ "month", "Month (YYYY-MM)", "text", 0, 1 }, { "label", "Month", "text", 0, 0 },
		{ "participations", "Participations", "int", 1 }, { "hours", "Hours", "hours", 1 },
	};
	json_t *t = table_new("by_month", "Hours over the year", NULL, cols, sizeof(cols) / sizeof(cols[0]));
	int y0 = atoi(r->year);

	for (int k = 0; k < 12; k++) {
		char ym[8], label[32];
		long long n = 0, h = 0;
		int y = k < 6 ? y0 : y0 + 1, m = k < 6 ? k + 7 : k - 5;
		snprintf(ym, sizeof(ym), "%04d-%02d", y, m);
		snprintf(label, sizeof(label), "%s %d", months[k], y);
		for (size_t i = 0; i < r->nparts; i++)
			if (r->parts[i].date && !strncmp(r->parts[i].date, ym, 7)) {
				n++;
				h += r->parts[i].chours;
			}
		row_add(t, json_pack("[s s I o]", ym, label, (json_int_t)n, hours(h)));
	}
	total_set(t, json_pack("[s s I o]", "Total", "", (json_int_t)r->nparts, hours(r->hours)));
	return table_push(r, t);
}

/* ---- PL provided by staff (Rule 4370.2) ---- */

/* Each staff member presenting an offering with a session in the year:
 * offerings, sessions and hours presented (those sessions'), and the
 * participants whose entries for those offerings are completed. Without
 * staff shown, one row counts the presenters. */
static int t_presenters(rep *r)
{
	static const col cols[] = {
		{ "presenter", "Presenter", "text", 0, 0 }, { "school", "School", "text", 0, 0 },
		{ "offerings", "Offerings", "int", 1 }, { "sessions", "Sessions", "int", 1 },
		{ "hours", "Hours presented", "hours", 1 }, { "participants", "Participants completed", "int", 1 },
	};
	json_t *t = table_new("presenters", "Professional learning provided by staff",
	                      "Staff presenting offerings (Rule 4370.2): sessions in the year, and the "
	                      "participants who completed them.", cols, sizeof(cols) / sizeof(cols[0]));
	grps G = { 0 };
	long long tot[4] = { 0 };
	const char *oid, *eid;
	json_t *off, *e;
	int rc = 0;

	json_object_foreach(pl_dataset_kind(r->ds, "offering"), oid, off) {
		const json_t *pres = json_object_get(off, "presenters");
		pl_session *ss = NULL;
		size_t n = 0, nin = 0;
		long long ch = 0, done = 0;

		if (!json_array_size(pres) || pl_offering_sessions(&ss, &n, off))
			continue;   /* a bad session is the offering's own problem, not the report's */
		for (size_t i = 0; i < n; i++)
			if (strcmp(ss[i].date, r->from) >= 0 && strcmp(ss[i].date, r->to) <= 0) {
				nin++;
				ch += pl_session_centi(&ss[i]);
			}
		free(ss);
		if (!nin)
			continue;
		json_object_foreach(pl_dataset_kind(r->ds, "pd_entry"), eid, e) {
			const char *of = pl_dataset__str(e, "offering"), *st = pl_dataset__str(e, "status");
			done += of && !strcmp(of, oid) && st && !strcmp(st, "completed");
		}
		for (size_t k = 0; k < json_array_size(pres); k++) {
			const char *who = json_string_value(json_array_get(pres, k));
			grp *g = who ? grp_get(&G, who) : NULL;
			if (!g)
				return table_done(r, t, &G, who ? oom() : 0);
			g->v[0]++;
			g->v[1] += (long long)nin;
			g->v[2] += ch;
			g->v[3] += done;
		}
	}
	for (size_t i = 0; i < G.n; i++) {
		for (int k = 0; k < 4; k++)
			tot[k] += G.g[i].v[k];
		if (r->staff != PL_REPORT_STAFF_NONE)
			row_add(t, json_pack("[o o I I o I]", pl_report__staff_cell(r, G.g[i].key),
			                     pl_report__school_cell(r, staff_field(r, G.g[i].key, "school")),
			                     (json_int_t)G.g[i].v[0], (json_int_t)G.g[i].v[1], hours(G.g[i].v[2]),
			                     (json_int_t)G.g[i].v[3]));
	}
	if (r->staff == PL_REPORT_STAFF_NONE && G.n) {
		char label[64];
		snprintf(label, sizeof(label), "%zu staff presenter%s", G.n, G.n == 1 ? "" : "s");
		row_add(t, json_pack("[s s I I o I]", label, "", (json_int_t)tot[0], (json_int_t)tot[1],
		                     hours(tot[2]), (json_int_t)tot[3]));
	}
	total_set(t, json_pack("[s s I I o I]", "Total", "", (json_int_t)tot[0], (json_int_t)tot[1],
	                       hours(tot[2]), (json_int_t)tot[3]));
	return table_done(r, t, &G, rc);
}

/* ---- findings ---- */

static int t_findings(rep *r, const json_t *findings)
{
	static const col cols[] = {
		{ "rule", "Rule", "text", 0, 1 }, { "title", "Finding", "text", 0, 0 },
		{ "findings", "Findings", "int", 1 },
	};
	json_t *t = table_new("findings_by_rule", "Findings by rule",
	                      r->board ? "Computed from the records; the coordinator's report lists each "
	                      "with its record and the next step." :
	                      "Computed from the records; each is listed with its record, why and the next step.",
	                      cols, sizeof(cols) / sizeof(cols[0]));
	const pl_finding_rule *rl = pl_finding_rules();

	for (int i = 0; rl[i].name; i++) {
		long long n = 0;
		for (size_t k = 0; k < json_array_size(findings); k++)
			n += !strcmp(pl_dataset__str(json_array_get(findings, k), "rule"), rl[i].name);
		row_add(t, json_pack("[s s I]", rl[i].name, rl[i].title, (json_int_t)n));
	}
	total_set(t, json_pack("[s s I]", "Total", "", (json_int_t)json_array_size(findings)));
	return table_push(r, t);
}

/* The board's findings by person (only when staff may be shown): a row per
 * staff member a finding is about, in the order first met, then one for the
 * findings about no one person (goals, activities). */
static int t_findings_by_staff(rep *r, const json_t *findings)
{
	static const col cols[] = {
		{ "staff", "Staff member", "text", 0, 0 }, { "school", "School", "text", 0, 0 },
		{ "findings", "Findings", "int", 1, 0 },
	};
	json_t *t = table_new("findings_by_staff", "Findings by staff member",
	                      "Each finding about one person counts under that person.",
	                      cols, sizeof(cols) / sizeof(cols[0]));
	grps G = { 0 };
	long long nobody = 0;

	for (size_t k = 0; k < json_array_size(findings); k++) {
		const char *staff = pl_dataset__str(json_array_get(findings, k), "staff");
		grp *g;
		if (!staff) {
			nobody++;
			continue;
		}
		if (!(g = grp_get(&G, staff)))
			return table_done(r, t, &G, oom());
		g->v[0]++;
	}
	for (size_t i = 0; i < G.n; i++)
		row_add(t, json_pack("[o o I]", pl_report__staff_cell(r, G.g[i].key),
		                     pl_report__school_cell(r, staff_field(r, G.g[i].key, "school")),
		                     (json_int_t)G.g[i].v[0]));
	if (nobody)
		row_add(t, json_pack("[s s I]", "(about a plan goal or activity)", "", (json_int_t)nobody));
	total_set(t, json_pack("[s s I]", "Total", "", (json_int_t)json_array_size(findings)));
	return table_done(r, t, &G, 0);
}

/* ---- all of them ---- */

int pl_report__tables(rep *r, const goalref *gv, size_t ng, const json_t *findings,
                      long long *t2a, long long *nmeet)
{
	int rc;

	if ((rc = t_by_school(r)) || (rc = t_by_category(r)) || (rc = t_by_type(r)) ||
	    (rc = t_by_standard(r, 2011)) || (rc = t_by_standard(r, 2022)) ||
	    (rc = t_by_goal(r, gv, ng)) || (rc = t_by_funding(r, t2a)) ||
	    (rc = t_evaluation(r)) || (rc = t_plc(r, nmeet)) || (rc = t_presenters(r)) || (rc = t_by_month(r)) ||
	    (rc = t_findings(r, findings)) || (rc = t_compliance(r)))
		return rc;
	if (r->board && r->staff != PL_REPORT_STAFF_NONE && (rc = t_findings_by_staff(r, findings)))
		return rc;
	return 0;
}
