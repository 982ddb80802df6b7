/*
 * import-key.c — natural keys: which existing record a row without an id
 * is, so that importing one file twice creates nothing the second time.
 *
 *   school       code
 *   staff        email; without one, name + school
 *   plan         school + year
 *   goal         plan + number; without a number, plan + statement
 *   activity     goal + title
 *   pd_entry     staff + title + start
 *   plc_meeting  group + date
 *
 * A key applies when its first field has a value; the other fields may be
 * empty (an entry with no start date is keyed by staff + title + no date).
 * Values are compared in their stored form (dates, enums and numbers as
 * the schema keeps them), text with case and runs of spaces ignored
 * ("Fractions  workshop" is "fractions workshop").
 *
 * A small import into a big store must cost what its rows cost, not what
 * the store holds. When the first field of each of the kind's keys is a
 * reference (pd_entry: staff; plan: school; goal: plan; activity: goal),
 * a row is looked up through the store's reference index: the first time
 * a value of that field is seen (staff E100), the live records of the kind
 * that refer to it are read, and their keys go into a hash (a jansson
 * object: key -> id); later rows with that value cost one hash lookup. An
 * import reads the records of the staff (plans, goals) its rows name, not
 * every record of the kind. Other kinds (school, staff, plc_meeting, whose
 * keys start with a code, an email, a name or a group) read the store's
 * live records of the kind once, into the same hash. Records the index
 * finds are those whose reference is exactly the row's value; a key's
 * parts are compared folded, so a record whose reference differs from the
 * row's only in case (not a record a valid row can refer to) is not found.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "plsync/errors.h"
#include "plsync/store.h"
#include "import-int.h"

struct imp_keys {
	json_t            *by_key;   /* key -> id */
	pl_store          *st;
	const pl_kind_def *kind;
	int                by_ref;   /* 1: keys are read per reference value (groups) */
	json_t            *groups;   /* "field\x1fvalue" -> true: read already */
};

typedef struct nat_key {
	const char *kind;
	const char *alt[2][4];
	const char *what[2];
} nat_key;

static const nat_key keys[] = {
	{ "school", { { "code", NULL }, { NULL } }, { "code", NULL } },
	{ "staff", { { "email", NULL }, { "name", "school", NULL } }, { "email", "name + school" } },
	{ "plan", { { "school", "year", NULL }, { NULL } }, { "school + year", NULL } },
	{ "goal", { { "plan", "number", NULL }, { "plan", "statement", NULL } }, { "plan + number", "plan + statement" } },
	{ "activity", { { "goal", "title", NULL }, { NULL } }, { "goal + title", NULL } },
	{ "pd_entry", { { "staff", "title", "start", NULL }, { NULL } }, { "staff + title + start", NULL } },
	{ "plc_meeting", { { "group", "date", NULL }, { NULL } }, { "group + date", NULL } },
	{ NULL, { { NULL } }, { NULL } }
};

static const nat_key *key_of_kind(const char *kind)
{
	for (const nat_key *k = keys; k->kind; k++)
		if (!strcmp(k->kind, kind))
			return k;
	return NULL;
}

/* Append one part of a key: text folded, others as compact JSON. */
static int part(char **buf, size_t *len, const json_t *v)
{
	char *s = NULL, *nb;
	size_t n;

	if (!v || json_is_null(v)) {
		s = strdup("");
	} else if (json_is_string(v)) {
		const char *p = json_string_value(v);
		size_t o = 0;
		int sp = 0;
		if (!(s = malloc(strlen(p) + 1)))
			return PL_ERROR;
		for (; *p; p++) {
			if (isspace((unsigned char)*p)) {
				sp = 1;
				continue;
			}
			if (sp && o)
				s[o++] = ' ';
			sp = 0;
			s[o++] = (char)tolower((unsigned char)*p);
		}
		s[o] = '\0';
	} else {
		s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT | JSON_SORT_KEYS);
	}
	if (!s)
		return PL_ERROR;
	n = strlen(s);
	if (!(nb = realloc(*buf, *len + n + 2))) {
		free(s);
		return PL_ERROR;
	}
	nb[(*len)++] = '\x1f';
	memcpy(nb + *len, s, n + 1);
	*len += n;
	*buf = nb;
	free(s);
	return 0;
}

static char *key_alt(const nat_key *nk, int a, const json_t *fields)
{
	char *buf = NULL;
	size_t len = 0;
	const json_t *first = imp_get(fields, nk->alt[a][0]);

	if (!first || json_is_null(first) || (json_is_string(first) && !*json_string_value(first)))
		return NULL;
	if (!(buf = malloc(3)))
		return NULL;
	buf[0] = (char)('0' + a);
	buf[1] = '\0';
	len = 1;
	for (int i = 0; nk->alt[a][i]; i++)
		if (part(&buf, &len, imp_get(fields, nk->alt[a][i]))) {
			free(buf);
			return NULL;
		}
	return buf;
}

char *imp_key_of(const pl_kind_def *kind, const json_t *fields, const char **what)
{
	const nat_key *nk = key_of_kind(kind->name);

	*what = NULL;
	if (!nk)
		return NULL;
	for (int a = 0; a < 2 && nk->alt[a][0]; a++) {
		char *k = key_alt(nk, a, fields);
		if (k) {
			*what = nk->what[a];
			return k;
		}
	}
	return NULL;
}

struct load {
	imp_keys      *k;
	const nat_key *nk;
	const char    *field;   /* only the keys starting with this field; NULL: all */
};

static int load_cb(const pl_record *r, void *payload)
{
	struct load *l = payload;

	for (int a = 0; a < 2 && l->nk->alt[a][0]; a++) {
		char *key;
		if (l->field && strcmp(l->nk->alt[a][0], l->field))
			continue;
		key = key_alt(l->nk, a, r->fields);
		if (!key)
			continue;
		/* two records with one key (made before imports matched): the first, in id order */
		if (!json_object_get(l->k->by_key, key) && json_object_set_new(l->k->by_key, key, json_string(r->id))) {
			free(key);
			return pl_error_set(PL_ERROR, "out of memory");
		}
		free(key);
	}
	return 0;
}

/* Whether the first field of every key of the kind is a reference. */
static int keys_by_ref(const nat_key *nk, const pl_kind_def *kind)
{
	for (int a = 0; a < 2 && nk->alt[a][0]; a++) {
		const pl_field_def *f = pl_schema_field(kind, nk->alt[a][0]);
		if (!f || f->type != PL_T_REF)
			return 0;
	}
	return 1;
}

int imp_keys_load(imp_keys **out, pl_store *st, const pl_kind_def *kind)
{
	imp_keys *k = calloc(1, sizeof(*k));
	struct load l = { k, key_of_kind(kind->name), NULL };
	int rc;

	*out = NULL;
	if (!k || !(k->by_key = json_object()) || !(k->groups = json_object())) {
		imp_keys_free(k);
		return pl_error_set(PL_ERROR, "out of memory");
	}
	k->st = st;
	k->kind = kind;
	k->by_ref = l.nk && keys_by_ref(l.nk, kind);
	if (l.nk && !k->by_ref && (rc = pl_store_foreach(st, kind->name, NULL, NULL, load_cb, &l))) {
		imp_keys_free(k);
		return rc;
	}
	*out = k;
	return 0;
}

void imp_keys_free(imp_keys *k)
{
	if (!k)
		return;
	json_decref(k->by_key);
	json_decref(k->groups);
	free(k);
}

/* By reference: the keys of the records whose `field` is `value`, read once. */
static int load_group(imp_keys *k, const nat_key *nk, const char *field, const char *value)
{
	struct load l = { k, nk, field };
	char *g;
	int rc;

	if (asprintf(&g, "%s\x1f%s", field, value) < 0)
		return pl_error_set(PL_ERROR, "out of memory");
	if (json_object_get(k->groups, g)) {
		free(g);
		return 0;
	}
	rc = pl_store_foreach(k->st, k->kind->name, field, value, load_cb, &l);
	if (!rc && json_object_set_new(k->groups, g, json_true()))
		rc = pl_error_set(PL_ERROR, "out of memory");
	free(g);
	return rc;
}

int imp_keys_find(imp_keys *k, const char *key, const json_t *fields, const char **id)
{
	const nat_key *nk = key_of_kind(k->kind->name);

	*id = NULL;
	if (nk && k->by_ref && key[0] >= '0' && key[0] <= '1') {
		const char *field = nk->alt[key[0] - '0'][0];
		const json_t *v = field ? imp_get(fields, field) : NULL;
		int rc;
		if (v && json_is_string(v) && (rc = load_group(k, nk, field, json_string_value(v))))
			return rc;
	}
	*id = json_string_value(json_object_get(k->by_key, key));
	return 0;
}
