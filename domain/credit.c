/*
 * credit.c — totals per credit type (plsync/credit.h). Amounts are in
 * hundredths, as everywhere in domain/, so totals are exact sums; a
 * conversion divides the summed hours once, rounding half up.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "plsync/credit.h"
#include "plsync/errors.h"
#include "dataset-int.h"

static long long centi(const json_t *v)
{
	return json_is_number(v) ? llround(json_number_value(v) * 100.0) : 0;
}

static const char *type_of(const json_t *row)
{
	return pl_dataset__str(row, "credit_type");
}

/* One converting type: rows of its type with credits count those, the
 * others their hours / per (hundredths). */
static long long converted(const json_t *rows, const char *code, long long per)
{
	long long own = 0, hours = 0;
	size_t i;
	json_t *r;

	json_array_foreach(rows, i, r) {
		const char *t = type_of(r);
		if (t && !strcasecmp(t, code) && centi(json_object_get(r, "credits")))
			own += centi(json_object_get(r, "credits"));
		else
			hours += centi(json_object_get(r, "hours"));
	}
	return own + (per > 0 ? (hours * 100 + per / 2) / per : 0);
}

static int push(json_t *out, const char *type, const char *name, long long total, long long per, int always)
{
	json_t *o;

	if (!total && !always)
		return 0;
	o = json_pack("{ss ss so so}", "type", type, "name", name, "total", pl_dataset__centi_json(total),
	              "per_hours", per ? pl_dataset__centi_json(per) : json_null());
	return !o || json_array_append_new(out, o) ? pl_error_set(PL_ERROR, "out of memory") : 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int pl_credit_totals(json_t **out, const json_t *ds, const json_t *rows)
{
	const json_t *types = pl_dataset_kind(ds, "credit_type"), *ct;
	json_t *res = json_array(), *others = json_object(), *r;
	long long hours = 0, plain = 0;
	const char **codes = NULL, *id, *k;
	size_t i, nc = 0;
	int rc = 0;

	*out = NULL;
	if (!res || !others || !(codes = calloc(json_object_size(types) + json_array_size(rows) + 1, sizeof(*codes)))) {
		rc = pl_error_set(PL_ERROR, "out of memory");
		goto cleanup;
	}
	json_array_foreach(rows, i, r)
		hours += centi(json_object_get(r, "hours"));
	rc = push(res, "hours", "Contact hours", hours, 0, 1);
	if (!rc)
		rc = push(res, "ceu", "CEU", converted(rows, "ceu", 1000), 1000, 0);
	/* the district's converting types, by code */
	json_object_foreach((json_t *)types, id, ct)
		if (pl_dataset__str(ct, "code") && strcmp(pl_dataset__str(ct, "code"), "ceu") &&
		    strcmp(pl_dataset__str(ct, "code"), "hours"))
			codes[nc++] = id;
	for (size_t a = 1; a < nc; a++)
		for (size_t b = a; b > 0 && strcmp(pl_dataset__str(json_object_get(types, codes[b - 1]), "code"),
		                                   pl_dataset__str(json_object_get(types, codes[b]), "code")) > 0; b--) {
			const char *t = codes[b];
			codes[b] = codes[b - 1];
			codes[b - 1] = t;
		}
	for (size_t a = 0; a < nc && !rc; a++) {
		const json_t *t = json_object_get(types, codes[a]);
		const char *code = pl_dataset__str(t, "code");
		long long per = pl_dataset__centi_at(t, "hours_per_unit");
		json_object_set_new(others, code, json_true());   /* counted: not among the others */
		rc = push(res, code, pl_dataset__str(t, "name") ? pl_dataset__str(t, "name") : code,
		          converted(rows, code, per), per, 0);
	}
	/* the types that do not convert: their entries' credits */
	nc = 0;
	json_array_foreach(rows, i, r) {
		const char *t = type_of(r);
		long long c = centi(json_object_get(r, "credits"));
		json_t *sum;

		if (!t) {
			plain += c;
			continue;
		}
		if (!strcasecmp(t, "ceu") || json_is_true(json_object_get(others, t)))
			continue;
		if (!(sum = json_object_get(others, t))) {
			json_object_set_new(others, t, json_integer(0));
			sum = json_object_get(others, t);
			codes[nc++] = json_object_iter_key(json_object_iter_at(others, t));
		}
		json_integer_set(sum, json_integer_value(sum) + c);
	}
	qsort(codes, nc, sizeof(*codes), cmp_str);
	for (size_t a = 0; a < nc && !rc; a++) {
		k = codes[a];
		rc = push(res, k, !strcasecmp(k, "graduate") ? "Graduate credits" : k,
		          json_integer_value(json_object_get(others, k)), 0, 0);
	}
	if (!rc)
		rc = push(res, "credits", "Credits (type not given)", plain, 0, 0);
	if (!rc) {
		*out = res;
		res = NULL;
	}
cleanup:
	free(codes);
	json_decref(others);
	json_decref(res);
	return rc;
}
