/*
 * report.c — the annual professional learning report, computed as JSON.
 *
 * One pass collects the year's participations (dataset.c: completed PD
 * entries and PLC attendances) and their totals; the tables
 * (report-tables.c) then group them one way each, and the goals section
 * lists the plan goals of the year with their activities and the PL that
 * served them. What the report knows of each school (the coverage table
 * and the warnings) is report-coverage.c; the layouts (HTML, Markdown,
 * CSV) are report-write.c.
 */
#include <stdlib.h>
#include <string.h>

#include "plsync/errors.h"
#include "plsync/report.h"
#include "report-int.h"

typedef pl_report__ctx rep;
typedef pl_report__goal goalref;

static int oom(void)
{
	return pl_error_set(PL_ERROR, "out of memory");
}

/* ---- the goals of the year ---- */

static int cmp_goalref(const void *a, const void *b)
{
	const goalref *p = a, *q = b;
	int c = strcmp(p->school ? p->school : "", q->school ? q->school : "");
	if (!c)
		c = strcmp(p->plan ? p->plan : "", q->plan ? q->plan : "");
	if (!c)
		c = p->number < q->number ? -1 : p->number > q->number;
	if (!c)
		c = strcmp(p->id, q->id);
	return c;
}

/* Goals of the year's plans, then any other goal that PL of the year served. */
static int year_goals(rep *r, goalref **out, size_t *n)
{
	json_t *goals = pl_dataset_kind(r->ds, "goal");
	goalref *v = calloc(json_object_size(goals) + 1, sizeof(*v));
	const char *id;
	json_t *g;

	*out = NULL;
	*n = 0;
	if (!v)
		return oom();
	json_object_foreach(goals, id, g) {
		const json_t *plan = pl_dataset_get(r->ds, "plan", pl_dataset__str(g, "plan"));
		const char *y = pl_dataset__str(plan, "year");
		int served = 0;

		for (size_t i = 0; i < r->nparts && !served; i++)
			served = r->parts[i].goal && !strcmp(r->parts[i].goal, id);
		if (!served && (!y || strcmp(y, r->year)))
			continue;
		v[*n].id = id;
		v[*n].plan = pl_dataset__str(g, "plan");
		v[*n].school = pl_dataset__str(plan, "school");
		v[*n].number = pl_dataset__int(g, "number");
		(*n)++;
	}
	qsort(v, *n, sizeof(*v), cmp_goalref);
	*out = v;
	return 0;
}

/* An activity as the board reads it: no id, standards and funding by name. */
static int board_activity(json_t *a)
{
	const json_t *st = json_object_get(a, "standards");
	json_t *names = json_array();
	const char *f = pl_dataset__str(a, "funding");

	if (!names)
		return -1;
	for (size_t i = 0; i < json_array_size(st); i++)
		json_array_append_new(names, json_string(pl_report__standard_name(json_string_value(json_array_get(st, i)))));
	if (!pl_dataset__str(a, "title"))
		json_object_set_new(a, "title", json_string("(untitled activity)"));
	json_object_del(a, "id");
	json_object_set_new(a, "standards", names);
	if (f)
		json_object_set_new(a, "funding", pl_report__funding_label(f));
	return 0;
}

static int goals_section(rep *r, const goalref *gv, size_t ng)
{
	static const char *const fields[] = {
		"statement", "rationale", "student_impact", "measure", "frequency", "outcome",
		"outcome_y1", "outcome_y2", "outcome_y3", NULL
	};
	json_t *arr = json_array();

	for (size_t k = 0; k < ng; k++) {
		const json_t *g = pl_dataset_get(r->ds, "goal", gv[k].id);
		const json_t *plan = pl_dataset_get(r->ds, "plan", gv[k].plan);
		json_t *o = r->board
			? json_pack("{ss? ss? sI}", "school", gv[k].school ? pl_report__school_name(r, gv[k].school) : NULL,
			            "year", pl_dataset__str(plan, "year"), "number", (json_int_t)gv[k].number)
			: json_pack("{ss ss? ss? ss? sI}", "goal", gv[k].id, "plan", gv[k].plan,
			            "school", gv[k].school, "year", pl_dataset__str(plan, "year"),
			            "number", (json_int_t)gv[k].number);
		json_t *acts = json_array();
		long long cnt = 0, h = 0;
		const char *aid;
		json_t *a;

		for (int f = 0; fields[f]; f++)
			json_object_set_new(o, fields[f], pl_dataset__str(g, fields[f]) ? json_string(pl_dataset__str(g, fields[f])) : json_null());
		for (size_t i = 0; i < r->nparts; i++)
			if (r->parts[i].goal && !strcmp(r->parts[i].goal, gv[k].id)) {
				cnt++;
				h += r->parts[i].chours;
			}
		json_object_set_new(o, "participations", json_integer(cnt));
		json_object_set_new(o, "hours", pl_dataset__centi_json(h));
		json_object_foreach(pl_dataset_kind(r->ds, "activity"), aid, a) {
			const char *ag = pl_dataset__str(a, "goal");
			long long acnt = 0, ah = 0;
			json_t *ao;
			if (!ag || strcmp(ag, gv[k].id))
				continue;
			for (size_t i = 0; i < r->nparts; i++)
				if (r->parts[i].activity && !strcmp(r->parts[i].activity, aid)) {
					acnt++;
					ah += r->parts[i].chours;
				}
			ao = json_pack("{ss sO sO ss? ss? ss? sO sI sI so}", "id", aid,
			               "initial", json_object_get(a, "initial") ? json_object_get(a, "initial") : json_null(),
			               "followup", json_object_get(a, "followup") ? json_object_get(a, "followup") : json_null(),
			               "title", pl_dataset__str(a, "title"), "duration", pl_dataset__str(a, "duration"),
			               "funding", pl_dataset__str(a, "funding"),
			               "standards", json_object_get(a, "standards") ? json_object_get(a, "standards") : json_null(),
			               "budget_cents", (json_int_t)pl_dataset__int(a, "budget_cents"),
			               "participations", (json_int_t)acnt, "hours", pl_dataset__centi_json(ah));
			if (r->board && board_activity(ao)) {
				json_decref(ao);
				json_decref(acts);
				json_decref(o);
				json_decref(arr);
				return oom();
			}
			json_array_append_new(acts, ao);
		}
		json_object_set_new(o, "activities", acts);
		json_array_append_new(arr, o);
	}
	return json_object_set_new(r->out, "goals", arr) ? oom() : 0;
}

/* ---- the findings as the audience reads them ---- */

/* The coordinator's findings: each with its next step in words and its
 * staff member as r->staff shows them; the board gets none one by one
 * (they are counted by rule, and by person when staff may be shown). */
static int findings_for(rep *r, const json_t *all, json_t **out)
{
	json_t *v = json_array();

	*out = NULL;
	if (!v)
		return oom();
	for (size_t i = 0; !r->board && i < json_array_size(all); i++) {
		json_t *f = json_deep_copy(json_array_get(all, i));
		if (!f || json_array_append_new(v, f)) {
			json_decref(v);
			return oom();
		}
		json_object_set_new(f, "next", json_string(pl_finding_next_step(pl_finding_action_of(f))));
		if (r->staff != PL_REPORT_STAFF_IDS)
			json_object_set_new(f, "staff", pl_report__staff_cell(r, pl_dataset__str(f, "staff")));
	}
	*out = v;
	return 0;
}

pl_report_audience pl_report_audience_of(const char *s)
{
	return !s ? 0 : !strcmp(s, "board") ? PL_REPORT_BOARD : !strcmp(s, "coordinator") ? PL_REPORT_COORDINATOR : 0;
}

pl_report_staff pl_report_staff_of(const char *s)
{
	if (!s)
		return 0;
	return !strcmp(s, "none") ? PL_REPORT_STAFF_NONE : !strcmp(s, "ids") ? PL_REPORT_STAFF_IDS :
	       !strcmp(s, "names") ? PL_REPORT_STAFF_NAMES : 0;
}

/* ---- driver ---- */

int pl_report_build(json_t **out, const json_t *ds, const char *year, const char *today,
                    const pl_report_options *opts)
{
	pl_report_options defaults = PL_REPORT_OPTIONS_INIT;
	pl_findings_options fo = PL_FINDINGS_OPTIONS_INIT;
	rep r = { .ds = ds, .year = year };
	goalref *gv = NULL;
	json_t *findings = NULL, *shown = NULL;
	const json_t *coverage;
	long long t2a = 0, nmeet = 0;
	size_t ng = 0;
	long d;
	int rc;

	*out = NULL;
	if (!opts)
		opts = &defaults;
	if (opts->version != PL_REPORT_OPTIONS_VERSION && opts->version != 1 && opts->version != 2)
		return pl_error_set(PL_EUSAGE, "pl_report_build: options version %u, expected %u",
		                    opts->version, PL_REPORT_OPTIONS_VERSION);
	coverage = opts->version >= 2 ? opts->coverage : NULL;
	r.board = opts->version >= 3 && opts->audience != PL_REPORT_COORDINATOR; /* 1, 2: as they were */
	r.staff = opts->version >= 3 && opts->staff ? opts->staff : r.board ? PL_REPORT_STAFF_NONE : PL_REPORT_STAFF_IDS;
	if (opts->version >= 3 && ((opts->audience && opts->audience != PL_REPORT_BOARD &&
	                            opts->audience != PL_REPORT_COORDINATOR) ||
	                           (unsigned)opts->staff > PL_REPORT_STAFF_NAMES))
		return pl_error_set(PL_EUSAGE, "pl_report_build: audience %d or staff %d is not known",
		                    (int)opts->audience, (int)opts->staff);
	if ((rc = pl_school_year_bounds(r.from, r.to, year)))
		return rc;
	if ((rc = pl_date_days(&d, today)))
		return pl_error_prefix("today");
	if (opts->findings)
		fo = *opts->findings;
	fo.year = year;
	if ((rc = pl_findings(&findings, ds, today, &fo)))
		return rc;
	if ((rc = pl_dataset__parts(&r.parts, &r.nparts, ds, r.from, r.to, NULL)))
		goto cleanup;
	r.today = today;
	r.who = json_object();
	r.tables = json_array();
	r.out = json_pack("{ss ss ss ss ss ss ss ss}", "title", opts->title ? opts->title : "Professional Learning Report",
	                  "scope", opts->scope ? opts->scope : "All schools", "year", year,
	                  "from", r.from, "to", r.to, "as_of", today,
	                  "audience", r.board ? "board" : "coordinator",
	                  "staff", r.staff == PL_REPORT_STAFF_NONE ? "none" : r.staff == PL_REPORT_STAFF_IDS ? "ids" : "names");
	if (!r.who || !r.tables || !r.out) {
		rc = oom();
		goto cleanup;
	}
	for (size_t i = 0; i < r.nparts; i++) {
		json_object_set_new(r.who, r.parts[i].staff, json_true());
		r.hours += r.parts[i].chours;
		r.credits += r.parts[i].ccredits;
		r.spent += r.parts[i].cost_cents;
		r.pd_entries += !strcmp(r.parts[i].kind, "pd_entry");
	}
	if ((rc = year_goals(&r, &gv, &ng)) || (rc = pl_report__coverage(&r, coverage, today)) ||
	    (rc = pl_report__compare(&r)) ||
	    (rc = pl_report__tables(&r, gv, ng, findings, &t2a, &nmeet)) ||
	    (rc = goals_section(&r, gv, ng)) || (rc = findings_for(&r, findings, &shown)))
		goto cleanup;
	for (size_t i = 0; r.board && i < json_array_size(r.tables); i++)
		pl_report__strip_keys(json_array_get(r.tables, i));
	json_object_set_new(r.out, "summary",
	                    json_pack("{sI sI sI sI so so sI sI sI}",
	                              "participants", (json_int_t)json_object_size(r.who),
	                              "pd_entries", (json_int_t)r.pd_entries,
	                              "plc_meetings", (json_int_t)nmeet,
	                              "participations", (json_int_t)r.nparts,
	                              "hours", pl_dataset__centi_json(r.hours), "credits", pl_dataset__centi_json(r.credits),
	                              "spent_cents", (json_int_t)r.spent,
	                              "title_ii_a_cents", (json_int_t)t2a,
	                              "findings", (json_int_t)json_array_size(findings)));
	json_object_set(r.out, "tables", r.tables);
	json_object_set(r.out, "findings", shown);
	*out = r.out;
	r.out = NULL;
cleanup:
	free(gv);
	free(r.parts);
	json_decref(r.who);
	json_decref(r.tables);
	json_decref(r.out);
	json_decref(findings);
	json_decref(shown);
	return rc;
}
