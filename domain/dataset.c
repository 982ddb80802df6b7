/*
 * dataset.c — records as plain JSON by kind and id, the school-year
 * calendar, and the counting rules that findings, reports and transcripts
 * share.
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
#include <time.h>


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

/* ---- calendar ---- */

static long days_from_civil(long y, unsigned m, unsigned d)
{
	y -= m <= 2;
	long era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long)doe - 719468;
}

static int is_leap(long y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int parse_ymd(long *y, int *m, int *d, const char *s)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (!s || strlen(s) < 10)
		return 0;
	for (int i = 0; i < 10; i++)
		if ((i == 4 || i == 7) ? s[i] != '-' : (s[i] < '0' || s[i] > '9'))
			return 0;
	*y = atol(s);
	*m = atoi(s + 5);
	*d = atoi(s + 8);
	if (*m < 1 || *m > 12 || *d < 1)
		return 0;
	return *d <= mdays[*m - 1] + (*m == 2 && is_leap(*y));
}

int pl_date_days(long *days, const char *date)
{
	long y;
	int m, d;

	if (!parse_ymd(&y, &m, &d, date))
		return pl_error_set(PL_EINVALID, "\"%s\" is not a date; write YYYY-MM-DD",
		                    date ? date : "(none)");
	*days = days_from_civil(y, (unsigned)m, (unsigned)d);
	return 0;
}

void pl_date_fmt(char out[11], long z)
{
	z += 719468;
	long era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long y = (long)yoe + era * 400;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	unsigned d = doy - (153 * mp + 2) / 5 + 1;
	unsigned m = mp < 10 ? mp + 3 : mp - 9;
	snprintf(out, 11, "%04ld-%02u-%02u", y + (m <= 2), m, d);
}

int pl_school_year_of(char out[10], const char *date)
{
	long y;
	int m, d;

	if (!parse_ymd(&y, &m, &d, date))
		return pl_error_set(PL_EINVALID, "\"%s\" is not a date; write YYYY-MM-DD",
		                    date ? date : "(none)");
	if (m < 7)
		y--;
	snprintf(out, 10, "%04ld-%04ld", y % 10000, (y + 1) % 10000);
	return 0;
}

int pl_school_year_bounds(char from[11], char to[11], const char *year)
{
	int ok = year && strlen(year) == 9 && year[4] == '-';

	for (int i = 0; ok && i < 9; i++)
		if (i != 4 && (year[i] < '0' || year[i] > '9'))
			ok = 0;
	if (!ok || atoi(year + 5) != atoi(year) + 1)
		return pl_error_set(PL_EINVALID, "\"%s\" is not a school year; write it like 2026-2027 "
		                    "(July 1 to June 30)", year ? year : "(none)");
	snprintf(from, 11, "%.4s-07-01", year);
	snprintf(to, 11, "%.4s-06-30", year + 5);
	return 0;
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
	long y, start;
	int m, d, rc;

	memset(out, 0, sizeof(*out));
	out->required = pl_dataset__centi_at(s, "renewal_hours_required");
	if (!cat || strcmp(cat, "certified") || !exp || out->required <= 0 || !parse_ymd(&y, &m, &d, exp))
		return 0;
	if (cycle_years <= 0)
		cycle_years = 5;
	/* the cycle: the day after the same date cycle_years earlier .. expiry */
	if (m == 2 && d == 29 && !is_leap(y - cycle_years))
		d = 28;
	start = days_from_civil(y - cycle_years, (unsigned)m, (unsigned)d) + 1;
	pl_date_fmt(out->from, start);
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

int pl_date_today(char out[11], const char *given)
{
	const char *env = getenv("PLSYNC_TODAY");
	const char *day = given && *given ? given : env && *env ? env : NULL;
	long d;

	if (day) {
		if (strlen(day) != 10 || pl_date_days(&d, day))
			return pl_error_set(PL_EUSAGE, "%s \"%s\" is not a date; write YYYY-MM-DD",
			                    given && *given ? "--today" : "PLSYNC_TODAY", day);
		memcpy(out, day, 11);
		return 0;
	}
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	snprintf(out, 11, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
	return 0;
}
