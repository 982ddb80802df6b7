/*
 * schema-check.c — the checks every write passes, against the tables of
 * schema.c. A field value is checked for type, enum, range and calendar;
 * strings from CSV and the command line are parsed into the stored type
 * here, so every input path (add, set, import) stores the same thing; one
 * call (pl_schema_prepare) coerces and validates a change, and checks the
 * record after a local one makes sense (a pd_entry's dates, hours and
 * status agree, and its approvals are not dated before its request). A refusal names the kind, the field, the value and
 * what is allowed or how to fix it.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plsync/errors.h"
#include "plsync/session.h"
#include "plsync/schema.h"
#include "store-int.h"

static int is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int valid_date(const char *s)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, m, d;

	if (strlen(s) < 10)
		return 0;
	for (int i = 0; i < 10; i++)
		if ((i == 4 || i == 7) ? s[i] != '-' : !isdigit((unsigned char)s[i]))
			return 0;
	y = atoi(s);
	m = atoi(s + 5);
	d = atoi(s + 8);
	if (y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1)
		return 0;
	return d <= mdays[m - 1] + (m == 2 && is_leap(y));
}

static int valid_time(const char *s)
{
	size_t n = strlen(s);
	if (!valid_date(s))
		return 0;
	if (n == 10)
		return 1;
	/* YYYY-MM-DDTHH:MM:SSZ or with .mmm before Z */
	if (n != 20 && n != 24)
		return 0;
	if (s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[n - 1] != 'Z')
		return 0;
	if (n == 24 && s[19] != '.')
		return 0;
	for (size_t i = 11; i < n - 1; i++)
		if (i != 13 && i != 16 && i != 19 && !isdigit((unsigned char)s[i]))
			return 0;
	return atoi(s + 11) < 24 && atoi(s + 14) < 60 && atoi(s + 17) < 61;
}

static int valid_year(const char *s)
{
	if (strlen(s) != 9 || s[4] != '-')
		return 0;
	for (int i = 0; i < 9; i++)
		if (i != 4 && !isdigit((unsigned char)s[i]))
			return 0;
	return atoi(s + 5) == atoi(s) + 1 && atoi(s) >= 1900;
}

static int valid_slug(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s) || *s == '-' || *s == '_'))
			return 0;
	return 1;
}

static int valid_funding(const char *s)
{
	if (!strcmp(s, "local") || !strcmp(s, "state") || !strcmp(s, "other"))
		return 1;
	if (!strncmp(s, "federal:", 8))
		return valid_slug(s + 8);
	if (!strncmp(s, "grant:", 6))
		return valid_slug(s + 6);
	return 0;
}

static int valid_email(const char *s)
{
	const char *at = strchr(s, '@');
	return at && at != s && strchr(at + 1, '.') && !strchr(at + 1, '@') && !strpbrk(s, " \t<>,");
}

static int valid_std(const char *s)
{
	return pl_standard_in_set(s, 2011) || pl_standard_in_set(s, 2022);
}

static void join_enums(char *buf, size_t sz, const char *const *e)
{
	size_t off = 0;
	buf[0] = '\0';
	for (; *e && off < sz; e++)
		off += snprintf(buf + off, sz - off, "%s%s", off ? ", " : "", *e);
}

static int refuse(const pl_kind_def *k, const char *path, const json_t *v,
                  const pl_field_def *f, const char *why)
{
	char shown[96], allowed[700];
	char *dump = json_is_string(v) ? NULL : json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
	const char *txt = json_is_string(v) ? json_string_value(v) : dump ? dump : "?";

	snprintf(shown, sizeof(shown), "%s%.80s%s%s", json_is_string(v) ? "\"" : "", txt,
	         strlen(txt) > 80 ? "..." : "", json_is_string(v) ? "\"" : "");
	free(dump);
	if (f->type == PL_T_ENUM) {
		join_enums(allowed, sizeof(allowed), f->enums);
	} else if (f->type == PL_T_STDLIST) {
		size_t off = 0;
		allowed[0] = '\0';
		for (int i = 0; pl_schema__standard(i) && off < sizeof(allowed); i++)
			off += snprintf(allowed + off, sizeof(allowed) - off, "%s%s", i ? ", " : "",
			                pl_schema__standard(i));
	} else if (f->type == PL_T_INT && f->max) {
		snprintf(allowed, sizeof(allowed), "a whole number from %lld to %lld", f->min, f->max);
	} else {
		snprintf(allowed, sizeof(allowed), "%s", pl_schema_type_name(f));
	}
	return pl_error_set(PL_EINVALID, "%s.%s: %s %s; allowed: %s", k->name, path, shown, why, allowed);
}

/* A NUL inside a string would reach the op, which no decoder reads back. */
#define NUL_WHY "holds a NUL byte (not text)"

static int parse_num(double *out, const char *s)
{
	char *end;
	errno = 0;
	while (isspace((unsigned char)*s))
		s++;
	if (!*s)
		return 0;
	*out = strtod(s, &end);
	while (isspace((unsigned char)*end))
		end++;
	return !errno && !*end && isfinite(*out);
}

/* Split "a, b,c" into a JSON array of trimmed, non-empty strings. */
static json_t *split_list(const char *s)
{
	json_t *a = json_array();
	while (a && *s) {
		const char *comma = strchr(s, ',');
		const char *e = comma ? comma : s + strlen(s);
		const char *b = s;
		while (b < e && isspace((unsigned char)*b))
			b++;
		while (e > b && isspace((unsigned char)e[-1]))
			e--;
		if (e > b)
			json_array_append_new(a, json_stringn(b, (size_t)(e - b)));
		s = comma ? comma + 1 : s + strlen(s);
	}
	return a;
}

static int coerce_scalar(json_t **out, const pl_kind_def *k, const char *path,
                         const pl_field_def *f, const json_t *in)
{
	const char *s = json_is_string(in) ? json_string_value(in) : NULL;
	double d;

	*out = NULL;
	if (s && strlen(s) != json_string_length(in))
		return refuse(k, path, in, f, NUL_WHY);
	switch (f->type) {
	case PL_T_INT: {
		long long v;
		if (json_is_integer(in)) {
			v = json_integer_value(in);
		} else if (json_is_real(in) && json_real_value(in) == floor(json_real_value(in)) &&
		           fabs(json_real_value(in)) < 9e15) {
			v = (long long)json_real_value(in);
		} else if (s && parse_num(&d, s) && d == floor(d) && fabs(d) < 9e15) {
			v = (long long)d;
		} else {
			return refuse(k, path, in, f, "is not a whole number");
		}
		if (v < f->min || (f->max && v > f->max))
			return refuse(k, path, in, f, f->min >= 0 && v < 0 ? "is negative" : "is out of range");
		*out = json_integer(v);
		return 0;
	}
	case PL_T_NUM:
		if (json_is_number(in))
			d = json_number_value(in);
		else if (!s || !parse_num(&d, s))
			return refuse(k, path, in, f, "is not a number");
		if (d < 0)
			return refuse(k, path, in, f, "is negative");
		if (d > 1e9)
			return refuse(k, path, in, f, "is implausibly large");
		*out = json_real(d);
		return 0;
	case PL_T_BOOL:
		if (json_is_boolean(in)) {
			*out = json_incref((json_t *)in);
			return 0;
		}
		if (s && (!strcasecmp(s, "true") || !strcasecmp(s, "yes") || !strcmp(s, "1") || !strcasecmp(s, "y")))
			*out = json_true();
		else if (s && (!strcasecmp(s, "false") || !strcasecmp(s, "no") || !strcmp(s, "0") || !strcasecmp(s, "n")))
			*out = json_false();
		else
			return refuse(k, path, in, f, "is not true or false");
		return 0;
	default:
		break;
	}
	if (!s)
		return refuse(k, path, in, f, "is not text");
	if (!*s)
		return refuse(k, path, in, f, "is empty");
	if (strlen(s) > 16 * 1024)
		return refuse(k, path, in, f, "is over the 16 KiB limit for one value");
	switch (f->type) {
	case PL_T_DATE:
		if (!valid_date(s) || strlen(s) != 10)
			return refuse(k, path, in, f, "is not a valid date");
		break;
	case PL_T_TIME:
		if (!valid_time(s))
			return refuse(k, path, in, f, "is not a valid date or time");
		break;
	case PL_T_YEAR:
		if (!valid_year(s))
			return refuse(k, path, in, f, "is not a school year");
		break;
	case PL_T_ENUM: {
		const char *const *e = f->enums;
		while (*e && strcmp(*e, s))
			e++;
		if (!*e)
			return refuse(k, path, in, f, "is not a known value");
		break;
	}
	case PL_T_FUNDING:
		if (!valid_funding(s))
			return refuse(k, path, in, f, "is not a funding source");
		break;
	case PL_T_EMAIL:
		if (!valid_email(s))
			return refuse(k, path, in, f, "is not an email address");
		break;
	case PL_T_REF:
	case PL_T_REFLIST:
		if (strlen(s) > 64 || strchr(s, '/') || strpbrk(s, " \t\n"))
			return refuse(k, path, in, f, "is not a record id");
		break;
	case PL_T_STDLIST:
		if (!valid_std(s))
			return refuse(k, path, in, f, "is not a Learning Forward standard");
		break;
	default:
		break;
	}
	*out = json_incref((json_t *)in);
	return 0;
}

int pl_schema_coerce(json_t **out, const pl_kind_def *k, const char *path, const json_t *in)
{
	const pl_field_def *f = pl_schema_field(k, path);
	json_t *list = NULL, *res = NULL;
	size_t i;
	int rc;

	*out = NULL;
	if (!f) {
		char names[700];
		size_t off = 0;
		const char *dot = strrchr(path, '.');
		const pl_field_def *defs = k->fields;
		if (dot) {
			char parent[256];
			snprintf(parent, sizeof(parent), "%.*s", (int)(dot - path), path);
			const pl_field_def *pf = pl_schema_field(k, parent);
			defs = pf && pf->type == PL_T_MAP ? pf->sub : NULL;
		}
		names[0] = '\0';
		for (; defs && defs->name && off < sizeof(names); defs++)
			off += snprintf(names + off, sizeof(names) - off, "%s%s", off ? ", " : "", defs->name);
		return pl_error_set(PL_EINVALID, "%s: unknown field '%s'%s%s", k->name, path,
		                    names[0] ? "; fields are: " : "", names);
	}
	if (json_is_null(in)) {
		*out = json_null();
		return 0;
	}
	if (f->type == PL_T_MAP) {
		const char *key;
		json_t *v;
		if (!json_is_object(in))
			return refuse(k, path, in, f, "is not a map (set its parts with dots, e.g. approvals.supervisor.by=ID)");
		res = json_object();
		json_object_foreach((json_t *)in, key, v) {
			char sub[256];
			json_t *c;
			snprintf(sub, sizeof(sub), "%s.%s", path, key);
			if ((rc = pl_schema_coerce(&c, k, sub, v))) {
				json_decref(res);
				return rc;
			}
			json_object_set_new(res, key, c);
		}
		*out = res;
		return 0;
	}
	if (f->type == PL_T_STRLIST || f->type == PL_T_STDLIST || f->type == PL_T_REFLIST) {
		if (json_is_string(in) && strlen(json_string_value(in)) != json_string_length(in))
			return refuse(k, path, in, f, NUL_WHY);
		if (json_is_string(in))
			list = split_list(json_string_value(in));
		else if (json_is_array(in))
			list = json_incref((json_t *)in);
		else
			return refuse(k, path, in, f, "is not a list");
		res = json_array();
		for (i = 0; i < json_array_size(list); i++) {
			json_t *c;
			if ((rc = coerce_scalar(&c, k, path, f, json_array_get(list, i)))) {
				json_decref(list);
				json_decref(res);
				return rc;
			}
			json_array_append_new(res, c);
		}
		json_decref(list);
		*out = res;
		return 0;
	}
	return coerce_scalar(out, k, path, f, in);
}

/*
 * "prefix.key" ("key" if prefix is empty) into out[sz], cut at sz - 1 bytes
 * exactly as snprintf would, without parsing a format: check_change and the
 * fold (rstate.c) run it for every field of every write.
 */
void pl_schema__join_path(char *out, size_t sz, const char *prefix, const char *key)
{
	size_t off = 0, n = strlen(prefix);

	if (n) {
		off = n < sz - 1 ? n : sz - 1;
		memcpy(out, prefix, off);
		if (off < sz - 1)
			out[off++] = '.';
	}
	n = strlen(key);
	if (n > sz - 1 - off)
		n = sz - 1 - off;
	memcpy(out + off, key, n);
	out[off + n] = '\0';
}

static int check_change(const pl_kind_def *k, const char *prefix, const json_t *change,
                        pl_ref_exists_fn exists, void *payload, int coerced)
{
	const char *key;
	json_t *v;
	int rc;

	json_object_foreach((json_t *)change, key, v) {
		char path[256];
		const pl_field_def *f;
		json_t *c = NULL;

		pl_schema__join_path(path, sizeof(path), prefix, key);
		if (!(f = pl_schema_field(k, path)))
			return pl_schema_coerce(&c, k, path, v); /* sets the unknown-field error */
		if (json_is_null(v)) {
			if (f->required && !*prefix)
				return pl_error_set(PL_EINVALID, "%s.%s is required and cannot be unset",
				                    k->name, path);
			continue;
		}
		if (f->type == PL_T_MAP) {
			if (!json_is_object(v))
				return refuse(k, path, v, f, "is not a map");
			if ((rc = check_change(k, path, v, exists, payload, coerced)))
				return rc;
			continue;
		}
		if (!coerced) {
			if ((rc = pl_schema_coerce(&c, k, path, v)))
				return rc;
			/* the stored form must already be the coerced one */
			if (!json_equal(c, v) || json_typeof(c) != json_typeof(v)) {
				json_decref(c);
				return refuse(k, path, v, f, "is not in its stored form");
			}
			json_decref(c);
		}
		if (exists && f->type == PL_T_REF && !exists(f->ref, json_string_value(v), path, payload))
			return pl_error_set(PL_EINVALID, "%s.%s: no %s record with id \"%s\"; add it first",
			                    k->name, path, f->ref, json_string_value(v));
		if (exists && f->type == PL_T_REFLIST) {
			for (size_t i = 0; i < json_array_size(v); i++) {
				const char *id = json_string_value(json_array_get(v, i));
				if (!exists(f->ref, id, path, payload))
					return pl_error_set(PL_EINVALID, "%s.%s: no %s record with id \"%s\"; add it first",
					                    k->name, path, f->ref, id);
			}
		}
	}
	return 0;
}

static int validate(const pl_kind_def *k, const json_t *change, const json_t *after, const json_t *under,
                    pl_ref_exists_fn exists, void *payload, int coerced)
{
	int rc;

	if (change && (rc = check_change(k, "", change, exists, payload, coerced)))
		return rc;
	if (after) {
		for (const pl_field_def *f = k->fields; f->name; f++) {
			json_t *v = json_object_get(after, f->name);
			if (!v && under)
				v = json_object_get(under, f->name);
			if (f->required && (!v || json_is_null(v)))
				return pl_error_set(PL_EINVALID, "%s.%s is required (%s: %s)", k->name,
				                    f->name, f->help, pl_schema_type_name(f));
		}
	}
	return 0;
}

/* ---- sense: the rules a local pd_entry keeps across its fields ---- */

/* Days since 1970-01-01 of a checked "YYYY-MM-DD" (Howard Hinnant's days_from_civil). */
static long day_number(const char *s)
{
	long y = atoi(s), m = atoi(s + 5), d = atoi(s + 8);
	y -= m <= 2;
	long era = (y >= 0 ? y : y - 399) / 400;
	long yoe = y - era * 400;
	long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

/* Field `name` of the record after the change: the change's (null: unset), else now's. */
static const json_t *after_get(const json_t *change, const json_t *current, const char *name)
{
	const json_t *v = json_object_get(change, name);
	if (!v)
		v = current ? json_object_get(current, name) : NULL;
	return json_is_null(v) ? NULL : v;
}

/*
 * Leaf `path` ("approvals.supervisor.at") of the record after the change:
 * the change's where it names the leaf, NULL where it unsets the leaf or a
 * map above it, else the current record's.
 */
static const json_t *after_path(const json_t *change, const json_t *current, const char *path)
{
	char buf[128], *seg, *dot;

	snprintf(buf, sizeof(buf), "%s", path);
	for (seg = buf;; seg = dot + 1) {
		const json_t *cv;
		if ((dot = strchr(seg, '.')))
			*dot = '\0';
		cv = json_is_object(change) ? json_object_get(change, seg) : NULL;
		if (cv && json_is_null(cv))
			return NULL;
		change = cv;
		current = json_is_object(current) ? json_object_get(current, seg) : NULL;
		if (!dot)
			break;
	}
	if (change)
		return change;
	return json_is_null(current) ? NULL : current;
}

/*
 * Approvals are given after the request (Rule 4370.1: permission is asked,
 * then given). Times compare to the second, or by the date alone when
 * either is a date: an approval on the day of the request is never early.
 */
static int approvals_after_request(const char *id, const json_t *change, const json_t *current)
{
	static const char *const roles[] = { "supervisor", "budget", "principal", "federal_programs", "district_pd",
	                                     "superintendent", NULL };   /* every step of pd_entry.approvals */
	const char *req = json_string_value(after_get(change, current, "requested_at"));

	if (!req)
		return 0;
	for (int i = 0; roles[i]; i++) {
		char path[64];
		const char *at;
		size_t n;

		snprintf(path, sizeof(path), "approvals.%s.at", roles[i]);
		if (!(at = json_string_value(after_path(change, current, path))))
			continue;
		n = strlen(at) == 10 || strlen(req) == 10 ? 10 : 19;
		if (strncmp(at, req, n) < 0)
			return pl_error_set(PL_EINVALID, "pd_entry %s: %s %s is before requested_at %s (an approval "
			                    "comes after the request); fix %s or requested_at", id, path, at, req, path);
	}
	return 0;
}

/* An offering's sessions each parse (plsync/offering.h). */
static int offering_sense(const char *id, const json_t *sessions)
{
	for (size_t i = 0; i < json_array_size(sessions); i++) {
		pl_session s;
		if (pl_session_parse(&s, json_string_value(json_array_get(sessions, i))))
			return pl_error_prefix("offering %s: sessions item %zu", id, i + 1);
	}
	return 0;
}

static int sense(const pl_kind_def *k, const json_t *change, const json_t *current, const pl_sense *at)
{
	const char *id = at && at->id ? at->id : "(new)";
	const char *start, *end, *status;
	const json_t *hours;
	long days = 1;
	int rc;

	if (!strcmp(k->name, "offering"))
		return offering_sense(id, after_get(change, current, "sessions"));
	if (strcmp(k->name, "pd_entry"))
		return 0;
	start = json_string_value(after_get(change, current, "start"));
	end = json_string_value(after_get(change, current, "end"));
	status = json_string_value(after_get(change, current, "status"));
	hours = after_get(change, current, "hours");
	if (start && end) {
		if (strcmp(end, start) < 0)
			return pl_error_set(PL_EINVALID, "pd_entry %s: end %s is before start %s; fix end or start",
			                    id, end, start);
		days = day_number(end) - day_number(start) + 1;
	}
	if (json_is_number(hours) && json_number_value(hours) > 24.0 * days)
		return pl_error_set(PL_EINVALID, "pd_entry %s: hours %g is more than 24 a day for %ld day%s "
		                    "(%s to %s); fix hours, start or end", id, json_number_value(hours), days,
		                    days == 1 ? "" : "s", start ? start : "?", end ? end : start ? start : "?");
	if ((rc = approvals_after_request(id, change, current)))
		return rc;
	if (at && at->today && status && !strcmp(status, "completed")) {
		const char *late = end && strcmp(end, at->today) > 0 ? "end" : start && strcmp(start, at->today) > 0 ? "start" : NULL;
		if (late)
			return pl_error_set(PL_EINVALID, "pd_entry %s: status completed but %s %s is after today (%s); "
			                    "fix %s or status", id, late, !strcmp(late, "end") ? end : start,
			                    at->today, late);
	}
	return 0;
}

int pl_schema_prepare(json_t **out, const pl_kind_def *k, const json_t *raw, const json_t *current,
                      const pl_sense *at, pl_ref_exists_fn exists, void *payload)
{
	json_t *res = NULL;
	const char *key;
	json_t *v;
	int rc = 0;

	*out = NULL;
	if (raw && !json_is_object(raw))
		return pl_error_set(PL_EINVALID, "fields must be an object");
	if (!(res = json_object()))
		return pl_error_set(PL_ERROR, "out of memory");
	json_object_foreach((json_t *)raw, key, v) {
		json_t *c;
		if ((rc = pl_schema_coerce(&c, k, key, v)))
			goto cleanup;
		json_object_set_new(res, key, c);
	}
	/* the record after it: a field the change does not name is as it is
	 * now (the change cannot unset a required one: check_change refuses) */
	if (!(rc = validate(k, res, res, current, exists, payload, 1)))
		rc = sense(k, res, current, at);
cleanup:
	if (rc)
		json_decref(res);
	else
		*out = res;
	return rc;
}

int pl_schema_validate(const pl_kind_def *k, const json_t *change, const json_t *after,
                       pl_ref_exists_fn exists, void *payload)
{
	return validate(k, change, after, NULL, exists, payload, 0);
}

