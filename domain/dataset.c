/*
 * dataset.c — records as plain JSON by kind and id, and the counting rules
 * that findings, reports and transcripts share (the calendar they count
 * by is calendar.c).
 *
 * What counts as professional learning done, everywhere:
 *  - a pd_entry whose status is `completed`, dated by its end (else start);
 *  - each attendee of a plc_meeting, minutes/60 hours, job-embedded.
 * Hours and credits are kept in hundredths so that sums are exact.
 */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "plsync/errors.h"
#include "plsync/schema.h"
#include "plsync/store.h"
#include "dataset-int.h"

json_t *pl_dataset_new(void)
{
	return json_object();
}

int pl_dataset_put(json_t *ds, const char *kind, const char *id, json_t *fields)
{
	json_t *byid;

	if (!pl_schema_kind(kind))
		return pl_error_set(PL_EINVALID, "dataset: unknown kind '%s'", kind);
	if (!json_is_object(fields))
		return pl_error_set(PL_EINVALID, "dataset: %s %s: fields are not an object", kind, id);
	if (!(byid = json_object_get(ds, kind))) {
		if (json_object_set_new(ds, kind, byid = json_object()))
			return pl_error_set(PL_ERROR, "out of memory");
	}
	if (json_object_set(byid, id, fields))
		return pl_error_set(PL_ERROR, "out of memory");
	return 0;
}

json_t *pl_dataset_kind(const json_t *ds, const char *kind)
{
	json_t *k = json_object_get(ds, kind);
	return json_is_object(k) ? k : NULL;
}

json_t *pl_dataset_get(const json_t *ds, const char *kind, const char *id)
{
	json_t *r;
	if (!id)
		return NULL;
	r = json_object_get(pl_dataset_kind(ds, kind), id);
	return json_is_object(r) ? r : NULL;
}

/* ---- small helpers ---- */

const char *pl_dataset__str(const json_t *obj, const char *path)
{
	char buf[256], *p, *dot;
	const char *s;

	snprintf(buf, sizeof(buf), "%s", path);
	for (p = buf; (dot = strchr(p, '.')); p = dot + 1) {
		*dot = '\0';
		obj = json_object_get(obj, p);
		if (!json_is_object(obj))
			return NULL;
	}
	s = json_string_value(json_object_get(obj, p));
	return s && *s ? s : NULL;
}

long long pl_dataset__centi_at(const json_t *obj, const char *path)
{
	char buf[256], *p, *dot;
	json_t *v;

	snprintf(buf, sizeof(buf), "%s", path);
	for (p = buf; (dot = strchr(p, '.')); p = dot + 1) {
		*dot = '\0';
		obj = json_object_get(obj, p);
		if (!json_is_object(obj))
			return 0;
	}
	v = json_object_get(obj, p);
	if (!json_is_number(v) || !isfinite(json_number_value(v)))
		return 0;
	return llround(json_number_value(v) * 100.0);
}

long long pl_dataset__int(const json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	return json_is_integer(v) ? (long long)json_integer_value(v) : 0;
}

void pl_dataset__centi_fmt(char out[32], long long c)
{
	const char *sign = c < 0 ? "-" : "";
	long long a = c < 0 ? -c : c;

	if (a % 100 == 0)
		snprintf(out, 32, "%s%lld", sign, a / 100);
	else if (a % 10 == 0)
		snprintf(out, 32, "%s%lld.%lld", sign, a / 100, (a % 100) / 10);
	else
		snprintf(out, 32, "%s%lld.%02lld", sign, a / 100, a % 100);
}

json_t *pl_dataset__centi_json(long long c)
{
	if (c % 100 == 0)
		return json_integer(c / 100);
	return json_real((double)c / 100.0);
}

int pl_dataset__job_embedded(const char *type, const char *delivery)
{
	static const char *const je[] = { "plc", "coaching", "instructional_rounds", "plc_meeting", NULL };

	if (delivery && !strcmp(delivery, "job_embedded"))
		return 1;
	for (int i = 0; type && je[i]; i++)
		if (!strcmp(type, je[i]))
			return 1;
	return 0;
}

void pl_dataset__cat(char *buf, size_t sz, const char *fmt, ...)
{
	size_t n = strlen(buf);
	va_list ap;

	if (n + 1 >= sz)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + n, sz - n, fmt, ap);
	va_end(ap);
}

int pl_dataset__approved_by(char *why, size_t sz, const json_t *entry, const json_t *staff,
                    const char *role)
{
	char path[64];
	const char *by, *decision, *recorded;
	const char *title = !strcmp(role, "budget") ? "budget manager" : "supervisor";

	snprintf(path, sizeof(path), "approvals.%s.by", role);
	by = pl_dataset__str(entry, path);
	snprintf(path, sizeof(path), "approvals.%s.decision", role);
	decision = pl_dataset__str(entry, path);
	recorded = pl_dataset__str(staff, !strcmp(role, "budget") ? "budget_manager" : "supervisor");
	why[0] = '\0';
	if (!by) {
		snprintf(why, sz, "no %s approval", title);
		return 0;
	}
	if (decision && !strcmp(decision, "rejected")) {
		snprintf(why, sz, "the %s (%s) rejected it", title, by);
		return 0;
	}
	if (recorded && strcmp(recorded, by)) {
		snprintf(why, sz, "%s approval by %s, who is not the recorded %s (%s)", title, by,
		         title, recorded);
		return 0;
	}
	return 1;
}

/* ---- participation ---- */

struct parts {
	pl_dataset__part *v;
	size_t    n, cap;
};

static int parts_push(struct parts *p, const pl_dataset__part *x)
{
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 64;
		pl_dataset__part *nv = realloc(p->v, cap * sizeof(*nv));
		if (!nv)
			return pl_error_set(PL_ERROR, "out of memory");
		p->v = nv;
		p->cap = cap;
	}
	p->v[p->n++] = *x;
	return 0;
}

static int in_range(const char *date, const char *from, const char *to)
{
	if (!from && !to)
		return 1;
	if (!date)
		return 0;
	if (from && strncmp(date, from, 10) < 0)
		return 0;
	if (to && strncmp(date, to, 10) > 0)
		return 0;
	return 1;
}

static int cmp_part(const void *a, const void *b)
{
	const pl_dataset__part *x = a, *y = b;
	int c = strcmp(x->date ? x->date : "", y->date ? y->date : "");
	if (!c)
		c = strcmp(x->staff, y->staff);
	if (!c)
		c = strcmp(x->rec, y->rec);
	return c;
}

int pl_dataset__parts(pl_dataset__part **out, size_t *n, const json_t *ds, const char *from,
                      const char *to, const char *staff)
{
	struct parts p = { 0 };
	const char *id;
	json_t *r;
	int rc;

	*out = NULL;
	*n = 0;
	json_object_foreach(pl_dataset_kind(ds, "pd_entry"), id, r) {
		const char *st = pl_dataset__str(r, "status"), *who = pl_dataset__str(r, "staff");
		pl_dataset__part x = { 0 };

		if (!st || strcmp(st, "completed") || !who || (staff && strcmp(who, staff)))
			continue;
		x.date = pl_dataset__str(r, "end") ? pl_dataset__str(r, "end") : pl_dataset__str(r, "start");
		if (!in_range(x.date, from, to))
			continue;
		x.staff = who;
		x.kind = "pd_entry";
		x.rec = id;
		x.title = pl_dataset__str(r, "title");
		x.type = pl_dataset__str(r, "type");
		x.funding = pl_dataset__str(r, "funding");
		x.activity = pl_dataset__str(r, "activity");
		x.goal = pl_dataset__str(r, "goal");
		if (!x.goal && x.activity)
			x.goal = pl_dataset__str(pl_dataset_get(ds, "activity", x.activity), "goal");
		x.standards = json_is_array(json_object_get(r, "standards")) ? json_object_get(r, "standards") : NULL;
		x.evaluation = json_is_object(json_object_get(r, "evaluation")) ? json_object_get(r, "evaluation") : NULL;
		x.chours = pl_dataset__centi_at(r, "hours");
		x.ccredits = pl_dataset__centi_at(r, "credits");
		x.cost_cents = json_is_integer(json_object_get(r, "cost_cents"))
			? (long long)json_integer_value(json_object_get(r, "cost_cents")) : 0;
		x.job_embedded = pl_dataset__job_embedded(x.type, pl_dataset__str(r, "delivery"));
		if ((rc = parts_push(&p, &x)))
			goto fail;
	}
	json_object_foreach(pl_dataset_kind(ds, "plc_meeting"), id, r) {
		json_t *att = json_object_get(r, "attendees"), *mins = json_object_get(r, "minutes");
		const char *date = pl_dataset__str(r, "date");
		long long ch = json_is_integer(mins) ? llround((double)json_integer_value(mins) * 100.0 / 60.0) : 0;

		if (!in_range(date, from, to))
			continue;
		for (size_t i = 0; i < json_array_size(att); i++) {
			const char *who = json_string_value(json_array_get(att, i));
			pl_dataset__part x = { 0 };
			if (!who || (staff && strcmp(who, staff)))
				continue;
			x.staff = who;
			x.kind = "plc_meeting";
			x.rec = id;
			x.date = date;
			x.title = pl_dataset__str(r, "group");
			x.type = "plc_meeting";
			x.standards = json_is_array(json_object_get(r, "standards")) ? json_object_get(r, "standards") : NULL;
			x.chours = ch;
			x.job_embedded = 1;
			if ((rc = parts_push(&p, &x)))
				goto fail;
		}
	}
	if (p.n)
		qsort(p.v, p.n, sizeof(*p.v), cmp_part);
	*out = p.v;
	*n = p.n;
	return 0;
fail:
	free(p.v);
	return rc;
}

int pl_dataset__renewal_of(pl_dataset__renewal *out, const json_t *ds, const char *staff_id, int cycle_years)
{
	const json_t *s = pl_dataset_get(ds, "staff", staff_id);
	const char *cat = pl_dataset__str(s, "category"), *exp = pl_dataset__str(s, "license_expires");
	pl_dataset__part *parts = NULL;
	size_t n;
	long start;
	int rc;

	memset(out, 0, sizeof(*out));
	out->required = pl_dataset__centi_at(s, "renewal_hours_required");
	if (cycle_years <= 0)
		cycle_years = 5;
	/* the cycle: the day after the same date cycle_years earlier .. expiry */
	if (!cat || strcmp(cat, "certified") || !exp || out->required <= 0 ||
	    pl_date_years_back(&start, exp, cycle_years))
		return 0;
	pl_date_fmt(out->from, start + 1);
	snprintf(out->to, sizeof(out->to), "%.10s", exp);
	out->applies = 1;
	if ((rc = pl_dataset__parts(&parts, &n, ds, out->from, out->to, staff_id)))
		return rc;
	for (size_t i = 0; i < n; i++)
		out->done += parts[i].chours;
	free(parts);
	return 0;
}

static int load_cb(const pl_record *r, void *payload)
{
	return pl_dataset_put(payload, r->kind, r->id, r->fields);
}

int pl_dataset_load(json_t **out, pl_store *st)
{
	const pl_kind_def *const *kinds = pl_schema_kinds();
	json_t *ds = pl_dataset_new();
	int rc;

	*out = NULL;
	if (!ds)
		return pl_error_set(PL_ERROR, "out of memory");
	for (int i = 0; kinds[i]; i++)
		if ((rc = pl_store_foreach(st, kinds[i]->name, NULL, NULL, load_cb, ds))) {
			json_decref(ds);
			return rc;
		}
	*out = ds;
	return 0;
}
