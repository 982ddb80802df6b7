/*
 * requirement.c — required trainings and compliance with them
 * (plsync/requirement.h): which requirements apply to whom, which completed
 * PD satisfies them, and the state as of a day. A pure function of the
 * dataset and "today".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "plsync/calendar.h"
#include "plsync/errors.h"
#include "plsync/requirement.h"
#include "dataset-int.h"

typedef struct req_ctx {
	const json_t *ds;
	const char   *today;
	long          today_days;
	int           soon;
	json_t       *out;
} req_ctx;

const char *pl_compliance_state_title(const char *state)
{
	if (state && !strcmp(state, "due_soon"))
		return "due soon";
	return state ? state : "";
}

static int contains_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; hay && *hay; hay++)
		if (!strncasecmp(hay, needle, n))
			return 1;
	return 0;
}

static int applies(const json_t *req, const json_t *staff)
{
	const char *role = pl_dataset__str(req, "role"), *cat = pl_dataset__str(req, "category");
	const char *school = pl_dataset__str(req, "school"), *v;

	if (role && (!(v = pl_dataset__str(staff, "role")) || strcasecmp(v, role)))
		return 0;
	if (cat && (!(v = pl_dataset__str(staff, "category")) || strcmp(v, cat)))
		return 0;
	if (school && (!(v = pl_dataset__str(staff, "school")) || strcmp(v, school)))
		return 0;
	return 1;
}

static int in_list(const json_t *list, const char *s)
{
	size_t i;
	json_t *v;

	json_array_foreach(list, i, v)
		if (s && json_string_value(v) && !strcmp(json_string_value(v), s))
			return 1;
	return 0;
}

/* A completed pd_entry satisfies the requirement. */
static int matches(const json_t *req, const pl_dataset__part *p, const json_t *entry)
{
	const char *title = pl_dataset__str(req, "match_title"), *type = pl_dataset__str(req, "match_type");
	const json_t *stds = json_object_get(req, "match_standards"), *offs = json_object_get(req, "offerings");
	size_t i;
	json_t *v;

	if (!title && !type && !json_array_size(stds) && !json_array_size(offs))
		return contains_ci(p->title, pl_dataset__str(req, "title"));
	if (title && contains_ci(p->title, title))
		return 1;
	if (type && p->type && !strcmp(p->type, type))
		return 1;
	json_array_foreach(stds, i, v)
		if (in_list(p->standards, json_string_value(v)))
			return 1;
	return in_list(offs, pl_dataset__str(entry, "offering"));
}

/* "YYYY-MM-DD" of year y and "MM-DD" md; 02-29 in a common year is 02-28. */
static void day_of(char out[11], int y, const char *md)
{
	long d;

	snprintf(out, 11, "%04d-%.5s", y, md);
	if (pl_date_days(&d, out) && !strcmp(md, "02-29"))
		snprintf(out, 11, "%04d-02-28", y);
}

static int valid_md(const char *md)
{
	char probe[11];
	long d;

	if (!md || strlen(md) != 5 || md[2] != '-')
		return 0;
	snprintf(probe, sizeof(probe), "2000-%s", md);   /* a leap year: 02-29 is valid */
	return !pl_date_days(&d, probe);
}

/* Matching hours (x100) completed in (from, to] (from NULL: open), and the last date. */
static long long done_in(const req_ctx *x, const json_t *req, const pl_dataset__part *parts, size_t n,
                         const char *from, const char *to, const char **last)
{
	long long c = 0;
	int any = 0;

	for (size_t i = 0; i < n; i++) {
		const pl_dataset__part *p = &parts[i];
		if (strcmp(p->kind, "pd_entry") || !p->date)
			continue;
		if ((from && strncmp(p->date, from, 10) <= 0) || strncmp(p->date, to, 10) > 0)
			continue;
		if (!matches(req, p, pl_dataset_get(x->ds, "pd_entry", p->rec)))
			continue;
		c += p->chours;
		any = 1;
		if (last && (!*last || strncmp(p->date, *last, 10) > 0))
			*last = p->date;
	}
	return any ? (c ? c : 1) : 0;   /* an entry with no hours still counts as one completion */
}

static int enough(const json_t *req, long long c)
{
	long long need = pl_dataset__centi_at(req, "hours");
	return c > 0 && c >= need;
}

/* due - today within the soon window: due_soon, else due. */
static const char *by_due(const req_ctx *x, const char *due)
{
	long d;

	if (pl_date_days(&d, due))
		return "overdue";
	if (d < x->today_days)
		return "overdue";
	return d - x->today_days <= x->soon ? "due_soon" : "due";
}

static int row(req_ctx *x, const char *rid, const json_t *req, const char *sid, const json_t *staff)
{
	const char *freq = pl_dataset__str(req, "frequency"), *state, *last = NULL;
	pl_dataset__part *parts = NULL;
	char due[11] = "", a[11], b[11], c[11];
	long long hours = 0;
	size_t n = 0;
	json_t *r;
	int rc;

	if ((rc = pl_dataset__parts(&parts, &n, x->ds, NULL, NULL, sid)))
		return rc;
	if (freq && !strcmp(freq, "yearly")) {
		const char *md = pl_dataset__str(req, "due");
		int y = atoi(x->today);

		if (!valid_md(md)) {
			free(parts);
			return pl_error_set(PL_EINVALID, "requirement %s: due: '%s' is not a day MM-DD (a yearly "
			                    "requirement needs it)", rid, md ? md : "");
		}
		day_of(b, y, md);                       /* the last due day, b <= today */
		if (strncmp(b, x->today, 10) > 0)
			day_of(b, --y, md);
		day_of(a, y - 1, md);                   /* the one before */
		day_of(c, y + 1, md);                   /* the next */
		hours = done_in(x, req, parts, n, b, x->today, &last);
		if (enough(req, hours)) {
			state = "done";
			snprintf(due, sizeof(due), "%s", c);
		} else if (enough(req, done_in(x, req, parts, n, a, b, &last))) {
			snprintf(due, sizeof(due), "%s", c);
			state = by_due(x, due);
		} else {
			snprintf(due, sizeof(due), "%s", b);
			state = "overdue";
		}
	} else if (freq && !strcmp(freq, "every_n_years")) {
		long long years = pl_dataset__int(req, "years");
		long from;

		if (years < 1) {
			free(parts);
			return pl_error_set(PL_EINVALID, "requirement %s: years: an every_n_years requirement needs "
			                    "the number of years", rid);
		}
		hours = done_in(x, req, parts, n, NULL, x->today, &last);
		if (!last) {
			state = "overdue";
		} else {
			/* the period is the `years` up to the last completion */
			pl_date_years_back(&from, last, (int)years);
			pl_date_fmt(a, from);
			hours = done_in(x, req, parts, n, a, last, NULL);
			snprintf(due, sizeof(due), "%04d%.6s", atoi(last) + (int)years, last + 4);
			if (!strcmp(due + 4, "-02-29"))
				day_of(due, atoi(due), "02-29");
			state = !enough(req, hours) ? "overdue" : by_due(x, due);
			if (!strcmp(state, "due"))
				state = "done";
		}
	} else {
		const char *dd = pl_dataset__str(req, "due_date");

		hours = done_in(x, req, parts, n, NULL, x->today, &last);
		if (dd)
			snprintf(due, sizeof(due), "%.10s", dd);
		state = enough(req, hours) ? "done" : dd ? by_due(x, dd) : "overdue";
	}
	free(parts);
	if (hours == 1 && !pl_dataset__centi_at(req, "hours"))
		hours = 0;
	r = json_pack("{ss ss ss? ss ss ss ss? ss? so}", "staff", sid, "name", pl_dataset__str(staff, "name") ?
	              pl_dataset__str(staff, "name") : sid, "school", pl_dataset__str(staff, "school"),
	              "requirement", rid, "title", pl_dataset__str(req, "title") ? pl_dataset__str(req, "title") : rid,
	              "state", state, "due", *due ? due : NULL, "last", last, "hours", pl_dataset__centi_json(hours));
	if (r && pl_dataset__centi_at(req, "hours"))
		json_object_set_new(r, "hours_required", pl_dataset__centi_json(pl_dataset__centi_at(req, "hours")));
	else if (r)
		json_object_set_new(r, "hours_required", json_null());
	if (!r || json_array_append_new(x->out, r))
		return pl_error_set(PL_ERROR, "out of memory");
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The ids of a kind, sorted (malloc'd; *n set). */
static const char **ids_of(const json_t *kind, size_t *n)
{
	const char **v = calloc(json_object_size(kind) + 1, sizeof(*v)), *id;
	json_t *r;

	*n = 0;
	if (!v)
		return NULL;
	json_object_foreach((json_t *)kind, id, r)
		v[(*n)++] = id;
	qsort(v, *n, sizeof(*v), cmp_str);
	return v;
}

int pl_compliance(json_t **out, const json_t *ds, const char *today, const char *staff, int soon_days)
{
	req_ctx x = { ds, today, 0, soon_days > 0 ? soon_days : 30, NULL };
	const json_t *reqs = pl_dataset_kind(ds, "requirement"), *people = pl_dataset_kind(ds, "staff");
	const char **rids = NULL, **sids = NULL;
	size_t nr = 0, ns = 0;
	int rc = 0;

	*out = NULL;
	if (pl_date_days(&x.today_days, today))
		return pl_error_prefix("today");
	if (!(x.out = json_array()) || !(rids = ids_of(reqs, &nr)) || !(sids = ids_of(people, &ns))) {
		rc = pl_error_set(PL_ERROR, "out of memory");
		goto cleanup;
	}
	for (size_t s = 0; s < ns && !rc; s++) {
		const json_t *who = json_object_get(people, sids[s]);
		if (staff && strcmp(staff, sids[s]))
			continue;
		for (size_t i = 0; i < nr && !rc; i++) {
			const json_t *req = json_object_get(reqs, rids[i]);
			if (applies(req, who))
				rc = row(&x, rids[i], req, sids[s], who);
		}
	}
	if (!rc) {
		*out = x.out;
		x.out = NULL;
	}
cleanup:
	free(rids);
	free(sids);
	json_decref(x.out);
	return rc;
}
