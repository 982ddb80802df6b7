/*
 * report-coverage.c — what the report knows of each school: the data
 * coverage table (last push, last merged op, days since, the year's
 * participations, a status) and the warnings for a school whose figures
 * may be missing rather than zero (report-int.h); and pl_report_coverage,
 * which reads the per-school facts from a store for a program that has no
 * better ones.
 *
 * The facts come in through the report's options, never from sync/: the
 * district's program knows when each school's batches reached it, an
 * agent only what its store holds.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "plsync/calendar.h"
#include "plsync/errors.h"
#include "plsync/op.h"
#include "plsync/report.h"
#include "plsync/store.h"
#include "report-int.h"

static int oom(void)
{
	return pl_error_set(PL_ERROR, "out of memory");
}

/* The node code of a school record: its code, else its id. */
static const char *school_code(const char *id, const json_t *school)
{
	const char *code = pl_dataset__str(school, "code");
	return code ? code : id;
}

int pl_report_coverage(json_t **out, pl_store *st, const json_t *ds)
{
	json_t *o = json_object(), *s;
	const char *id;
	int rc = 0;

	*out = NULL;
	if (!o)
		return oom();
	json_object_foreach(pl_dataset_kind(ds, "school"), id, s) {
		const char *code = school_code(id, s);
		uint64_t seq = 0, hlc = 0;
		char when[32];
		json_t *e;

		if (pl_node_valid(code) && (rc = pl_store_node_last(&seq, &hlc, st, code)))
			break;
		if (!(e = json_pack("{sI}", "merged_seq", (json_int_t)seq)) || json_object_set_new(o, code, e)) {
			rc = oom();
			break;
		}
		if (!seq)
			continue;
		pl_hlc_fmt(when, hlc);
		json_object_set_new(e, "merged_at", json_string(when));
		json_object_set_new(e, "last_push", json_string(when));
	}
	if (rc) {
		json_decref(o);
		return rc;
	}
	*out = o;
	return 0;
}

/* ---- the table ---- */

/* "2026-11-26T05:40:42.123Z" as "2026-11-26 05:40"; NULL if not a time. */
static json_t *time_cell(const char *t)
{
	char buf[17];

	if (!t || strlen(t) < 16 || t[10] != 'T')
		return json_null();
	memcpy(buf, t, 16);
	buf[10] = ' ';
	buf[16] = '\0';
	return json_string(buf);
}

/* What the report can say of one school. */
typedef struct cov {
	const char *newest;       /* the newer of its last push and last merged op, or NULL */
	long        days;         /* from newest to today (days since it was last heard from) */
	long long   parts;        /* its participations in the year */
	const char *status;
	char        why[512];
} cov;

static void judge(cov *c, const pl_report__ctx *r, const json_t *facts, int known, long today)
{
	const char *push = pl_dataset__str(facts, "last_push"), *merged = pl_dataset__str(facts, "merged_at");
	char day[11] = "";
	long d;

	c->newest = push && (!merged || strcmp(push, merged) > 0) ? push : merged;
	c->days = 0;
	if (c->newest && strlen(c->newest) >= 10) {
		memcpy(day, c->newest, 10);
		if (pl_date_days(&d, day) == 0)
			c->days = today - d;
		else
			c->newest = NULL;
	} else {
		c->newest = NULL;
	}
	c->status = "ok";
	c->why[0] = '\0';
	if (known && !c->newest) {
		c->status = "nothing received";
		snprintf(c->why, sizeof(c->why), "nothing from this school is in the data this report was "
		         "made from: its figures for %s are missing, not zero", r->year);
	} else if (known && !merged) {
		c->status = "nothing merged";
		snprintf(c->why, sizeof(c->why), "its last push arrived on %s, but none of its ops is in the "
		         "merged data: its figures for %s are missing, not zero", day, r->year);
	} else if (merged && strncmp(merged, r->from, 10) < 0) {
		c->status = "no data in the year";
		snprintf(c->why, sizeof(c->why), "the newest of its ops in the data is from %.10s, before the "
		         "year began on %s (last heard from on %s, %ld day%s ago): its figures for %s are "
		         "missing, not zero", merged, r->from, day, c->days, c->days == 1 ? "" : "s", r->year);
	} else if (!c->parts) {
		c->status = "no PL recorded";
		if (c->newest)
			snprintf(c->why, sizeof(c->why), "data from this school arrived up to %s, but none of it is "
			         "PL counted in %s: check that its PL has been entered", day, r->year);
		else
			snprintf(c->why, sizeof(c->why), "no PL of this school is counted in %s: check that its "
			         "data has arrived and its PL has been entered", r->year);
	}
}

/* The year's participations of staff whose staff record is of school `id`. */
static long long school_parts(const pl_report__ctx *r, const char *id)
{
	long long n = 0;

	for (size_t i = 0; i < r->nparts; i++) {
		const char *s = pl_dataset__str(pl_dataset_get(r->ds, "staff", r->parts[i].staff), "school");
		n += s && !strcmp(s, id);
	}
	return n;
}

static json_t *coverage_table(void)
{
	static const struct {
		const char *id, *label, *type;
		int         key;
	} cols[] = {
		{ "school", "School", "text", 1 }, { "name", "Name", "text", 0 },
		{ "last_push", "Last push (UTC)", "text", 0 }, { "merged_seq", "Last merged op", "int", 1 },
		{ "merged_at", "Merged op time (UTC)", "text", 0 }, { "days_since", "Days since", "int", 0 },
		{ "participations", "Participations", "int", 0 }, { "status", "Status", "text", 0 },
	};
	json_t *c = json_array();

	for (size_t i = 0; i < sizeof(cols) / sizeof(cols[0]); i++)
		json_array_append_new(c, json_pack("{ss ss ss sb sb}", "id", cols[i].id, "label", cols[i].label,
		                                   "type", cols[i].type, "sum", 0, "key", cols[i].key));
	return json_pack("{ss ss ss so s[] s[]}", "id", "coverage", "title", "Data coverage by school",
	                 "note", "What reached the data this report was made from: each school's last push, "
	                 "the last of its ops in the data (seq and time) and the days since the newer of "
	                 "the two. A school whose data is missing counts zero in every table: see its status.",
	                 "columns", c, "rows", "total");
}

int pl_report__coverage(pl_report__ctx *r, const json_t *coverage, const char *today)
{
	json_t *t = coverage_table(), *warn = json_array(), *s;
	const char *id;
	long now;
	int rc = 0;

	if (!t || !warn || json_array_append(r->tables, t) || json_object_set(r->out, "warnings", warn)) {
		rc = oom();
		goto cleanup;
	}
	if ((rc = pl_date_days(&now, today)))
		goto cleanup;
	json_object_foreach(pl_dataset_kind(r->ds, "school"), id, s) {
		const char *name = pl_dataset__str(s, "name");
		const json_t *facts = json_object_get(coverage, school_code(id, s));
		cov c = { .parts = school_parts(r, id) };
		json_t *row;

		judge(&c, r, facts, coverage != NULL, now);
		if (r->board && (!name || !*name))
			name = id; /* the board sees no code column */
		row = json_pack("[s s o o o o I s]", id, name ? name : "",
		                time_cell(pl_dataset__str(facts, "last_push")),
		                coverage ? json_integer(pl_dataset__int(facts, "merged_seq")) : json_null(),
		                time_cell(pl_dataset__str(facts, "merged_at")),
		                c.newest ? json_integer(c.days) : json_null(), (json_int_t)c.parts, c.status);
		if (!row || json_array_append_new(json_object_get(t, "rows"), row) ||
		    (c.why[0] && json_array_append_new(warn, json_pack("{ss? ss ss ss}", "school", r->board ? NULL : id, "name",
		                                                       name ? name : "", "status", c.status,
		                                                       "why", c.why)))) {
			rc = oom();
			break;
		}
	}
cleanup:
	json_decref(t);
	json_decref(warn);
	return rc;
}
