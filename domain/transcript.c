/*
 * transcript.c — one staff member's PL record for a year or all years, with
 * totals, and their license renewal position.
 *
 * The rows come from the same participations the report counts (dataset.c),
 * so a staff member's transcript total for a year is exactly their share of
 * the report's hours. Hours are hundredths until they are written out.
 *
 * Each row names the school that recorded it: the node that created the
 * record (node code = school code), which a dataset does not carry, so the
 * program gathers it from the store first (pl_transcript_sources). Over
 * one store's data the transcript says when it may be short, from what the
 * store can tell: the district office's store, a staff record of another
 * school, a school changed, entries recorded elsewhere. It cannot know of
 * entries that never reached it, so it never claims to be complete.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "plsync/credit.h"
#include "plsync/errors.h"
#include "plsync/requirement.h"
#include "plsync/json.h"
#include "plsync/op.h"
#include "plsync/render.h"
#include "plsync/store.h"
#include "plsync/transcript.h"
#include "dataset-int.h"

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

/* ---- sources: who recorded what ---- */

static int names_staff(const json_t *list, const char *staff)
{
	for (size_t i = 0; i < json_array_size(list); i++)
		if (json_is_string(json_array_get(list, i)) &&
		    !strcmp(json_string_value(json_array_get(list, i)), staff))
			return 1;
	return 0;
}

/* records[id] = the node that created record `id`, if the store holds it. */
static int source_of(json_t *records, pl_store *st, const char *id)
{
	pl_record *r = NULL;
	int rc = pl_store_get_state(&r, st, id);

	if (rc == PL_ENOTFOUND)
		return 0;
	if (!rc && r->owner && json_object_set_new(records, id, json_string(r->owner)))
		rc = pl_error_set(PL_ERROR, "out of memory");
	pl_record_free(r);
	return rc;
}

int pl_transcript_sources(json_t **out, pl_store *st, const json_t *ds, const char *staff)
{
	json_t *src = NULL, *records = json_object(), *r, *clock;
	pl_record *s = NULL;
	const char *id;
	int rc = 0;

	*out = NULL;
	if (!records)
		return pl_error_set(PL_ERROR, "out of memory");
	json_object_foreach(pl_dataset_kind(ds, "pd_entry"), id, r) {
		const char *who = pl_dataset__str(r, "staff");
		if (who && !strcmp(who, staff) && (rc = source_of(records, st, id)))
			goto cleanup;
	}
	json_object_foreach(pl_dataset_kind(ds, "plc_meeting"), id, r)
		if (names_staff(json_object_get(r, "attendees"), staff) && (rc = source_of(records, st, id)))
			goto cleanup;
	src = json_pack("{ss sO sn sn}", "node", pl_store_node(st), "records", records, "staff_owner",
	                "school_changed");
	if (!src) {
		rc = pl_error_set(PL_ERROR, "out of memory");
		goto cleanup;
	}
	if ((rc = pl_store_get(&s, st, staff))) {
		if (rc == PL_ENOTFOUND)
			rc = 0;
		goto cleanup;
	}
	if (s->owner)
		json_object_set_new(src, "staff_owner", json_string(s->owner));
	/* the school set by a later op than the record's create: they moved */
	clock = json_object_get(s->clocks, "school");
	if (json_is_integer(json_array_get(clock, 0)) &&
	    (uint64_t)json_integer_value(json_array_get(clock, 0)) > s->created) {
		char when[32];
		pl_hlc_fmt(when, (uint64_t)json_integer_value(json_array_get(clock, 0)));
		when[10] = '\0';
		json_object_set_new(src, "school_changed", json_string(when));
	}
cleanup:
	pl_record_free(s);
	json_decref(records);
	if (rc)
		json_decref(src);
	else
		*out = src;
	return rc;
}

/* ---- scope: what one store's transcript may miss ---- */

/* The node code of school record `id`: its code, else its id. */
static const char *school_code(const json_t *ds, const char *id)
{
	const char *code = pl_dataset__str(pl_dataset_get(ds, "school", id), "code");
	return code ? code : id;
}

/* Append "node" to the ", "-separated list in buf unless it is there. */
static void add_node(char *buf, size_t sz, const char *node)
{
	size_t n = strlen(node);

	for (const char *p = buf; (p = strstr(p, node)); p += n)
		if ((p == buf || p[-1] == ' ') && (p[n] == ',' || !p[n]))
			return;
	pl_dataset__cat(buf, sz, "%s%s", *buf ? ", " : "", node);
}

/*
 * Why the transcript of `staff` over the store of node `node` may miss
 * PL, into why ("" if nothing says so).
 */
static void scope_why(char *why, size_t sz, const json_t *ds, const json_t *staff_rec, const char *staff,
                      const char *node, const json_t *src)
{
	const char *school = pl_dataset__str(staff_rec, "school");
	const char *owner = pl_dataset__str(src, "staff_owner");
	const char *changed = pl_dataset__str(src, "school_changed");
	char elsewhere[256] = "";
	const char *id;
	json_t *n;

	why[0] = '\0';
	if (!strcmp(node, PL_NODE_DISTRICT)) {   /* every school is elsewhere: the rest says no more */
		pl_dataset__cat(why, sz, "; this is the district office's store, which holds its own records and "
		                "those of the nodes it follows, not the schools' own");
		return;
	}
	if (school && strcmp(school_code(ds, school), node))
		pl_dataset__cat(why, sz, "; %s's staff record names school %s", staff, school_code(ds, school));
	if (owner && strcmp(owner, node) && strcmp(owner, PL_NODE_DISTRICT))
		pl_dataset__cat(why, sz, "; %s's staff record was made at %s", staff, owner);
	if (changed)
		pl_dataset__cat(why, sz, "; %s's school was changed on %s", staff, changed);
	json_object_foreach(json_object_get(src, "records"), id, n) {
		const char *by = json_string_value(n);
		if (by && strcmp(by, node) && strcmp(by, PL_NODE_DISTRICT))
			add_node(elsewhere, sizeof(elsewhere), by);
	}
	if (*elsewhere)
		pl_dataset__cat(why, sz, "; some of %s's entries were recorded at %s, and only those that "
		                "reached this store are here", staff, elsewhere);
}

static int scope_set(json_t *t, const json_t *ds, const json_t *staff_rec, const char *staff,
                     const pl_transcript_options *opts)
{
	const char *node = opts->sources ? pl_dataset__str(opts->sources, "node") : NULL;
	char why[1200], msg[1400];
	json_t *scope;

	scope = json_pack("{ss so sn}", "data", opts->consolidated ? "consolidated" : "store",
	                  "node", str_or_null(opts->consolidated ? NULL : node), "warning");
	if (!scope || json_object_set_new(t, "scope", scope))
		return pl_error_set(PL_ERROR, "out of memory");
	if (opts->consolidated || !node)
		return 0;
	scope_why(why, sizeof(why), ds, staff_rec, staff, node, opts->sources);
	if (!why[0])
		return 0;
	snprintf(msg, sizeof(msg), "this transcript counts only the records this store (%s) holds, and %s may "
	         "have PL recorded elsewhere: %s. The district's consolidated data holds every school's "
	         "records", node, staff, why + 2);
	json_object_set_new(scope, "warning", json_string(msg));
	return 0;
}

const char *pl_transcript_warning(const json_t *t, enum pl_hint *hint)
{
	const char *w = pl_dataset__str(t, "scope.warning");

	if (hint)
		*hint = w ? PL_HINT_DISTRICT_TRANSCRIPT : PL_HINT_NONE;
	return w;
}

/* by_school: entries and hours per school of the rows that name one, in
 * the order of each school's first row (jansson objects keep insertion order). */
static json_t *by_school(const json_t *rows)
{
	json_t *acc = json_object(), *out = json_array(), *v;
	const char *school;

	for (size_t i = 0; acc && i < json_array_size(rows); i++) {
		const json_t *r = json_array_get(rows, i);
		const char *sc = pl_dataset__str(r, "school");
		json_t *e;
		if (!sc)
			continue;
		if (!(e = json_object_get(acc, sc)))
			json_object_set_new(acc, sc, e = json_pack("[II]", (json_int_t)0, (json_int_t)0));
		if (!e)
			break;
		json_array_set_new(e, 0, json_integer(json_integer_value(json_array_get(e, 0)) + 1));
		json_array_set_new(e, 1, json_integer(json_integer_value(json_array_get(e, 1)) +
		                                      pl_dataset__centi_at(r, "hours")));
	}
	json_object_foreach(acc, school, v)
		json_array_append_new(out, json_pack("{ss sI so}", "school", school, "entries",
		                                     json_integer_value(json_array_get(v, 0)), "hours",
		                                     pl_dataset__centi_json(json_integer_value(json_array_get(v, 1)))));
	json_decref(acc);
	return out;
}

/* credit_totals (plsync/credit.h) and compliance (plsync/requirement.h). */
static int extras_set(json_t *t, const json_t *ds, const char *staff, const char *today)
{
	json_t *credits = NULL, *comp = NULL;
	int rc;

	if ((rc = pl_credit_totals(&credits, ds, json_object_get(t, "rows"))))
		return rc;
	if ((rc = pl_compliance(&comp, ds, today, staff, 30))) {
		json_decref(credits);
		return rc;
	}
	if (json_object_set_new(t, "credit_totals", credits) || json_object_set_new(t, "compliance", comp))
		return pl_error_set(PL_ERROR, "out of memory");
	return 0;
}

int pl_transcript_build(json_t **out, const json_t *ds, const char *staff, const char *year,
                        const char *today, const pl_transcript_options *opts)
{
	pl_transcript_options defaults = PL_TRANSCRIPT_OPTIONS_INIT;
	const json_t *s = pl_dataset_get(ds, "staff", staff);
	char from[11], to[11];
	pl_dataset__part *parts = NULL;
	pl_dataset__renewal rn;
	json_t *t = NULL, *rows = NULL;
	long long h = 0, cr = 0;
	size_t n = 0;
	long td, exp;
	int rc;

	*out = NULL;
	if (!opts)
		opts = &defaults;
	if (opts->version == 1) {   /* version 1 has no sources: read it as such */
		defaults.renewal_cycle_years = opts->renewal_cycle_years;
		opts = &defaults;
	} else if (opts->version != PL_TRANSCRIPT_OPTIONS_VERSION) {
		return pl_error_set(PL_EUSAGE, "pl_transcript_build: options version %u, expected 1 or %u",
		                    opts->version, PL_TRANSCRIPT_OPTIONS_VERSION);
	}
	if (!s)
		return pl_error_set(PL_ENOTFOUND, "no staff record with id \"%s\"", staff);
	if (year && (rc = pl_school_year_bounds(from, to, year)))
		return rc;
	if ((rc = pl_date_days(&td, today)))
		return pl_error_prefix("today");
	if ((rc = pl_dataset__parts(&parts, &n, ds, year ? from : NULL, year ? to : NULL, staff)))
		return rc;
	if ((rc = pl_dataset__renewal_of(&rn, ds, staff, opts->renewal_cycle_years)))
		goto cleanup;
	rows = json_array();
	for (size_t i = 0; i < n; i++) {
		const pl_dataset__part *p = &parts[i];
		const char *school = opts->sources ? pl_dataset__str(json_object_get(opts->sources, "records"), p->rec)
		                                   : NULL;
		const char *ctype = strcmp(p->kind, "pd_entry") ? NULL :
		                    pl_dataset__str(pl_dataset_get(ds, "pd_entry", p->rec), "credit_type");
		json_t *r = json_pack("{so ss ss so so sb so so sO so so}", "date", str_or_null(p->date),
		                      "kind", p->kind, "record", p->rec, "title", str_or_null(p->title),
		                      "type", str_or_null(p->type), "job_embedded", p->job_embedded,
		                      "hours", pl_dataset__centi_json(p->chours), "credits", pl_dataset__centi_json(p->ccredits),
		                      "standards", p->standards ? p->standards : json_null(),
		                      "school", str_or_null(school), "credit_type", str_or_null(ctype));
		if (!r || json_array_append_new(rows, r)) {
			rc = pl_error_set(PL_ERROR, "out of memory");
			goto cleanup;
		}
		h += p->chours;
		cr += p->ccredits;
	}
	t = json_pack("{ss so so so so so so so so ss sO sI so so}", "staff", staff,
	              "name", str_or_null(pl_dataset__str(s, "name")), "school", str_or_null(pl_dataset__str(s, "school")),
	              "category", str_or_null(pl_dataset__str(s, "category")),
	              "license_number", str_or_null(pl_dataset__str(s, "license_number")),
	              "license_expires", str_or_null(pl_dataset__str(s, "license_expires")),
	              "year", str_or_null(year), "from", str_or_null(year ? from : NULL),
	              "to", str_or_null(year ? to : NULL), "as_of", today, "rows", rows,
	              "entries", (json_int_t)n, "total_hours", pl_dataset__centi_json(h),
	              "total_credits", pl_dataset__centi_json(cr));
	if (!t || json_object_set_new(t, "by_school", by_school(rows))) {
		rc = pl_error_set(PL_ERROR, "out of memory");
		goto cleanup;
	}
	if ((rc = scope_set(t, ds, s, staff, opts)) || (rc = extras_set(t, ds, staff, today)))
		goto cleanup;
	if (rn.applies && !pl_date_days(&exp, rn.to))
		json_object_set_new(t, "renewal",
		                    json_pack("{ss ss so so so sI}", "cycle_from", rn.from, "cycle_to", rn.to,
		                              "required", pl_dataset__centi_json(rn.required),
		                              "completed", pl_dataset__centi_json(rn.done),
		                              "short", pl_dataset__centi_json(rn.done < rn.required ? rn.required - rn.done : 0),
		                              "days_to_expiry", (json_int_t)(exp - td)));
	else
		json_object_set_new(t, "renewal", json_null());
	*out = t;
	t = NULL;
cleanup:
	json_decref(t);
	json_decref(rows);
	free(parts);
	return rc;
}

/* ---- writing ---- */

static long long centi(const json_t *v)
{
	return json_is_number(v) ? llround(json_number_value(v) * 100.0) : 0;
}

static void fixed2(char out[32], const json_t *v)
{
	long long c = centi(v);
	snprintf(out, 32, "%lld.%02lld", c / 100, c % 100);
}

static void join_std(char *out, size_t sz, const json_t *a)
{
	out[0] = '\0';
	for (size_t i = 0; i < json_array_size(a); i++)
		pl_dataset__cat(out, sz, "%s%s", i ? "," : "", json_string_value(json_array_get(a, i)));
}

static const char *s_or(const json_t *o, const char *k, const char *dflt)
{
	const char *s = pl_dataset__str(o, k);
	return s ? s : dflt;
}

static void renewal_line(FILE *f, const json_t *t, int md)
{
	const json_t *rn = json_object_get(t, "renewal");
	char req[32], done[32], gap[32];
	long long days;

	if (!json_is_object(rn)) {
		fprintf(f, "%sLicense renewal: not tracked (needs category certified, license_expires and "
		        "renewal_hours_required on the staff record).\n", md ? "\n" : "");
		return;
	}
	fixed2(req, json_object_get(rn, "required"));
	fixed2(done, json_object_get(rn, "completed"));
	fixed2(gap, json_object_get(rn, "short"));
	days = json_integer_value(json_object_get(rn, "days_to_expiry"));
	char *number = pl_term_escape(s_or(t, "license_number", "(no number)"));
	fprintf(f, "%sLicense %s expires %s (%s%lld days%s). Renewal requires %s hours; completed in "
	        "the cycle %s to %s: %s (%s%s).\n", md ? "\n" : "", number ? number : "?",
	        s_or(rn, "cycle_to", ""), days < 0 ? "" : "in ", days < 0 ? -days : days,
	        days < 0 ? " ago" : "", req, s_or(rn, "cycle_from", ""), s_or(rn, "cycle_to", ""), done,
	        centi(json_object_get(rn, "short")) > 0 ? gap : "requirement met",
	        centi(json_object_get(rn, "short")) > 0 ? " hours short" : "");
	free(number);
}

/* The cells of a row that every layout writes the same way. */
typedef struct cells {
	char h[32], c[32], std[512];
} cells;

static void cells_of(cells *x, const json_t *row)
{
	fixed2(x->h, json_object_get(row, "hours"));
	fixed2(x->c, json_object_get(row, "credits"));
	join_std(x->std, sizeof(x->std), json_object_get(row, "standards"));
}

static void totals_of(cells *x, const json_t *t)
{
	fixed2(x->h, json_object_get(t, "total_hours"));
	fixed2(x->c, json_object_get(t, "total_credits"));
	x->std[0] = '\0';
}

/* "School year Y (FROM to TO), as of D", or "All years, as of D". */
static void period_line(FILE *f, const json_t *t, const char *before, const char *after)
{
	if (pl_dataset__str(t, "year"))
		fprintf(f, "%sSchool year %s (%s to %s), as of %s%s", before, pl_dataset__str(t, "year"),
		        pl_dataset__str(t, "from"), pl_dataset__str(t, "to"), pl_dataset__str(t, "as_of"), after);
	else
		fprintf(f, "%sAll years, as of %s%s", before, pl_dataset__str(t, "as_of"), after);
}

/* "By school: LIN01 9.75 hours (3 entries), WAS02 5.00 hours (1 entry).",
 * when the rows come from more than one school. */
static void by_school_line(FILE *f, const json_t *t, int md)
{
	const json_t *bs = json_object_get(t, "by_school");

	if (json_array_size(bs) < 2)
		return;
	fputs(md ? "\nBy school: " : "By school: ", f);
	for (size_t i = 0; i < json_array_size(bs); i++) {
		const json_t *e = json_array_get(bs, i);
		long long n = json_integer_value(json_object_get(e, "entries"));
		char h[32];
		fixed2(h, json_object_get(e, "hours"));
		if (i)
			fputs(", ", f);
		if (md)
			pl_md_cell(f, s_or(e, "school", "?"));
		else
			pl_term_fputs(f, s_or(e, "school", "?"));
		fprintf(f, " %s hours (%lld entr%s)", h, n, n == 1 ? "y" : "ies");
	}
	fputs(".\n", f);
}

/* "Credits: 24.00 Contact hours, 2.40 CEU, 3.00 Graduate credits." */
static void credits_line(FILE *f, const json_t *t, int md)
{
	const json_t *ct = json_object_get(t, "credit_totals");

	fputs(md ? "\nCredits by type: " : "Credits by type: ", f);
	for (size_t i = 0; i < json_array_size(ct); i++) {
		const json_t *c = json_array_get(ct, i);
		char v[32];
		fixed2(v, json_object_get(c, "total"));
		fprintf(f, "%s%s ", i ? ", " : "", v);
		if (md)
			pl_md_cell(f, s_or(c, "name", "?"));
		else
			pl_term_fputs(f, s_or(c, "name", "?"));
	}
	fputs(".\n", f);
}

/* "Required trainings: Mandated reporter training: overdue (due 2025-12-15)." */
static void compliance_lines(FILE *f, const json_t *t, int md)
{
	const json_t *rows = json_object_get(t, "compliance");

	if (!json_array_size(rows))
		return;
	fputs(md ? "\n**Required trainings**\n\n" : "\nRequired trainings:\n", f);
	for (size_t i = 0; i < json_array_size(rows); i++) {
		const json_t *r = json_array_get(rows, i);
		fputs(md ? "- " : "  ", f);
		if (md)
			pl_md_cell(f, s_or(r, "title", "?"));
		else
			pl_term_fputs(f, s_or(r, "title", "?"));
		fprintf(f, ": %s", pl_compliance_state_title(s_or(r, "state", "")));
		if (pl_dataset__str(r, "due"))
			fprintf(f, " (due %s)", pl_dataset__str(r, "due"));
		if (pl_dataset__str(r, "last"))
			fprintf(f, ", last done %s", pl_dataset__str(r, "last"));
		fputc('\n', f);
	}
}

static void write_text(FILE *f, const json_t *t)
{
	const json_t *rows = json_object_get(t, "rows");
	cells x;

	/* names, ids and titles may come from any node: escaped for the terminal */
	fputs("Transcript of ", f);
	pl_term_fputs(f, s_or(t, "name", "?"));
	fputs(" (", f);
	pl_term_fputs(f, s_or(t, "staff", "?"));
	fputc(')', f);
	if (pl_dataset__str(t, "school")) {
		fputs(", ", f);
		pl_term_fputs(f, pl_dataset__str(t, "school"));
	}
	if (pl_dataset__str(t, "category"))
		fprintf(f, ", %s", pl_dataset__str(t, "category"));
	period_line(f, t, "\n", "\n\n");
	if (pl_transcript_warning(t, NULL)) {
		fputs("Warning: ", f);
		pl_term_fputs(f, pl_transcript_warning(t, NULL));
		fputs(".\n\n", f);
	}
	fprintf(f, "%-10s  %7s  %7s  %-8s  %-20s  %-40s  %s\n", "date", "hours", "credits", "school", "type",
	        "title", "standards");
	for (size_t i = 0; i < json_array_size(rows); i++) {
		const json_t *r = json_array_get(rows, i);
		cells_of(&x, r);
		char *title = pl_term_escape(s_or(r, "title", ""));
		char *school = pl_term_escape(s_or(r, "school", ""));
		char tc[256], sc[256]; /* aligned by display width: "García", CJK */
		fprintf(f, "%-10s  %7s  %7s  %s  %-20s  %s  %s\n", s_or(r, "date", "(undated)"), x.h, x.c,
		        pl_term_cell(sc, sizeof(sc), school ? school : "?", 8, 0), s_or(r, "type", ""),
		        pl_term_cell(tc, sizeof(tc), title ? title : "?", 40, 1), x.std);
		free(title);
		free(school);
	}
	totals_of(&x, t);
	fprintf(f, "%-10s  %7s  %7s  %lld entr%s\n", "Total", x.h, x.c,
	        (long long)json_integer_value(json_object_get(t, "entries")),
	        json_integer_value(json_object_get(t, "entries")) == 1 ? "y" : "ies");
	by_school_line(f, t, 0);
	credits_line(f, t, 0);
	fputc('\n', f);
	renewal_line(f, t, 0);
	compliance_lines(f, t, 0);
}

static void write_csv(FILE *f, const json_t *t, int excel)
{
	static const char *const head[] = { "date", "staff", "record", "kind", "type", "job_embedded",
		"title", "hours", "credits", "standards", "school", NULL };
	const json_t *rows = json_object_get(t, "rows");
	cells x;

	pl_csv_begin(f, excel);
	for (int k = 0; head[k]; k++)
		pl_csv_cell(f, head[k], !k);
	pl_csv_row_end(f, excel);
	for (size_t i = 0; i < json_array_size(rows); i++) {
		const json_t *r = json_array_get(rows, i);
		cells_of(&x, r);
		pl_csv_cell(f, pl_dataset__str(r, "date"), 1);
		pl_csv_cell(f, pl_dataset__str(t, "staff"), 0);
		pl_csv_cell(f, pl_dataset__str(r, "record"), 0);
		pl_csv_cell(f, pl_dataset__str(r, "kind"), 0);
		pl_csv_cell(f, pl_dataset__str(r, "type"), 0);
		pl_csv_cell(f, json_is_true(json_object_get(r, "job_embedded")) ? "yes" : "no", 0);
		pl_csv_cell(f, pl_dataset__str(r, "title"), 0);
		pl_csv_cell(f, x.h, 0);
		pl_csv_cell(f, x.c, 0);
		pl_csv_cell(f, x.std, 0);
		pl_csv_cell(f, pl_dataset__str(r, "school"), 0);
		pl_csv_row_end(f, excel);
	}
	totals_of(&x, t);
	pl_csv_cell(f, "Total", 1);
	pl_csv_cell(f, pl_dataset__str(t, "staff"), 0);
	for (int k = 0; k < 5; k++)
		pl_csv_cell(f, NULL, 0);
	pl_csv_cell(f, x.h, 0);
	pl_csv_cell(f, x.c, 0);
	pl_csv_cell(f, NULL, 0);
	pl_csv_cell(f, NULL, 0);
	pl_csv_row_end(f, excel);
	if (pl_transcript_warning(t, NULL)) {   /* the text in the title column */
		pl_csv_cell(f, "Warning", 1);
		pl_csv_cell(f, pl_dataset__str(t, "staff"), 0);
		for (int k = 0; k < 4; k++)
			pl_csv_cell(f, NULL, 0);
		pl_csv_cell(f, pl_transcript_warning(t, NULL), 0);
		for (int k = 0; k < 4; k++)
			pl_csv_cell(f, NULL, 0);
		pl_csv_row_end(f, excel);
	}
}

static void write_md(FILE *f, const json_t *t)
{
	const json_t *rows = json_object_get(t, "rows");
	cells x;

	fprintf(f, "# Transcript of ");
	pl_md_cell(f, s_or(t, "name", "?"));
	fprintf(f, " (%s)\n\n", s_or(t, "staff", "?"));
	if (pl_dataset__str(t, "school"))
		fprintf(f, "School %s. ", pl_dataset__str(t, "school"));
	period_line(f, t, "", ".\n\n");
	if (pl_transcript_warning(t, NULL)) {
		fputs("**Warning:** ", f);
		pl_md_cell(f, pl_transcript_warning(t, NULL));
		fputs(".\n\n", f);
	}
	fprintf(f, "| Date | Title | Type | Hours | Credits | Standards | School |\n|---|---|---|---:|---:|---|---|\n");
	for (size_t i = 0; i < json_array_size(rows); i++) {
		const json_t *r = json_array_get(rows, i);
		cells_of(&x, r);
		fprintf(f, "| %s | ", s_or(r, "date", "(undated)"));
		pl_md_cell(f, s_or(r, "title", ""));
		fprintf(f, " | %s | %s | %s | ", s_or(r, "type", ""), x.h, x.c);
		pl_md_cell(f, x.std);
		fputs(" | ", f);
		pl_md_cell(f, s_or(r, "school", ""));
		fprintf(f, " |\n");
	}
	totals_of(&x, t);
	fprintf(f, "| **Total** | %lld entries | | **%s** | **%s** | | |\n",
	        (long long)json_integer_value(json_object_get(t, "entries")), x.h, x.c);
	by_school_line(f, t, 1);
	credits_line(f, t, 1);
	renewal_line(f, t, 1);
	compliance_lines(f, t, 1);
}

int pl_transcript_write(FILE *f, const json_t *t, const char *format, int excel)
{
	if (!format || !strcmp(format, "text"))
		write_text(f, t);
	else if (!strcmp(format, "csv"))
		write_csv(f, t, excel);
	else if (!strcmp(format, "md"))
		write_md(f, t);
	else if (!strcmp(format, "json"))
		return pl_json_write(f, t);
	else
		return pl_error_set(PL_EUSAGE, "transcript format '%s' is not known; use text, csv, md or json",
		                    format);
	if (fflush(f) || ferror(f))
		return pl_error_from_errno("writing the transcript");
	return 0;
}
