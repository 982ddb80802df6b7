/*
 * transcript.c — one staff member's PL record for a year or all years, with
 * totals, and their license renewal position.
 *
 * The rows come from the same participations the report counts (dataset.c),
 * so a staff member's transcript total for a year is exactly their share of
 * the report's hours. Hours are hundredths until they are written out.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "plsync/errors.h"
#include "plsync/json.h"
#include "plsync/render.h"
#include "plsync/transcript.h"
#include "dataset-int.h"

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
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
	if (opts->version != PL_TRANSCRIPT_OPTIONS_VERSION)
		return pl_error_set(PL_EUSAGE, "pl_transcript_build: options version %u, expected %u",
		                    opts->version, PL_TRANSCRIPT_OPTIONS_VERSION);
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
		json_t *r = json_pack("{so ss ss so so sb so so sO}", "date", str_or_null(p->date),
		                      "kind", p->kind, "record", p->rec, "title", str_or_null(p->title),
		                      "type", str_or_null(p->type), "job_embedded", p->job_embedded,
		                      "hours", pl_dataset__centi_json(p->chours), "credits", pl_dataset__centi_json(p->ccredits),
		                      "standards", p->standards ? p->standards : json_null());
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
	if (!t) {
		rc = pl_error_set(PL_ERROR, "out of memory");
		goto cleanup;
	}
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
	fprintf(f, "%-10s  %7s  %7s  %-20s  %-40s  %s\n", "date", "hours", "credits", "type", "title", "standards");
	for (size_t i = 0; i < json_array_size(rows); i++) {
		const json_t *r = json_array_get(rows, i);
		cells_of(&x, r);
		char *title = pl_term_escape(s_or(r, "title", ""));
		fprintf(f, "%-10s  %7s  %7s  %-20s  %-40.40s  %s\n", s_or(r, "date", "(undated)"), x.h, x.c,
		        s_or(r, "type", ""), title ? title : "?", x.std);
		free(title);
	}
	totals_of(&x, t);
	fprintf(f, "%-10s  %7s  %7s  %lld entr%s\n\n", "Total", x.h, x.c,
	        (long long)json_integer_value(json_object_get(t, "entries")),
	        json_integer_value(json_object_get(t, "entries")) == 1 ? "y" : "ies");
	renewal_line(f, t, 0);
}

static void write_csv(FILE *f, const json_t *t)
{
	const json_t *rows = json_object_get(t, "rows");
	cells x;

	fprintf(f, "date,staff,record,kind,type,job_embedded,title,hours,credits,standards\n");
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
		fprintf(f, "\n");
	}
	totals_of(&x, t);
	pl_csv_cell(f, "Total", 1);
	pl_csv_cell(f, pl_dataset__str(t, "staff"), 0);
	for (int k = 0; k < 5; k++)
		pl_csv_cell(f, NULL, 0);
	pl_csv_cell(f, x.h, 0);
	pl_csv_cell(f, x.c, 0);
	pl_csv_cell(f, NULL, 0);
	fputc('\n', f);
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
	fprintf(f, "| Date | Title | Type | Hours | Credits | Standards |\n|---|---|---|---:|---:|---|\n");
	for (size_t i = 0; i < json_array_size(rows); i++) {
		const json_t *r = json_array_get(rows, i);
		cells_of(&x, r);
		fprintf(f, "| %s | ", s_or(r, "date", "(undated)"));
		pl_md_cell(f, s_or(r, "title", ""));
		fprintf(f, " | %s | %s | %s | ", s_or(r, "type", ""), x.h, x.c);
		pl_md_cell(f, x.std);
		fprintf(f, " |\n");
	}
	totals_of(&x, t);
	fprintf(f, "| **Total** | %lld entries | | **%s** | **%s** | |\n",
	        (long long)json_integer_value(json_object_get(t, "entries")), x.h, x.c);
	renewal_line(f, t, 1);
}

int pl_transcript_write(FILE *f, const json_t *t, const char *format)
{
	if (!format || !strcmp(format, "text"))
		write_text(f, t);
	else if (!strcmp(format, "csv"))
		write_csv(f, t);
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
