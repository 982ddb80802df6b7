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
 * The store's live records of the kind are read once per import into a
 * hash (a jansson object: key -> id), so each row costs one lookup.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "plsync/errors.h"
#include "plsync/store.h"
#include "import-int.h"

struct imp_keys {
	json_t *by_key;   /* key -> id */
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
	imp_keys     *k;
	const nat_key *nk;
};

static int load_cb(const pl_record *r, void *payload)
{
	struct load *l = payload;

	for (int a = 0; a < 2 && l->nk->alt[a][0]; a++) {
		char *key = key_alt(l->nk, a, r->fields);
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

int imp_keys_load(imp_keys **out, pl_store *st, const pl_kind_def *kind)
{
	imp_keys *k = calloc(1, sizeof(*k));
	struct load l;
	int rc;

	*out = NULL;
	if (!k || !(k->by_key = json_object())) {
		free(k);
		return pl_error_set(PL_ERROR, "out of memory");
	}
	l.k = k;
	l.nk = key_of_kind(kind->name);
	if (l.nk && (rc = pl_store_foreach(st, kind->name, NULL, NULL, load_cb, &l))) {
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
	free(k);
}

const char *imp_keys_find(const imp_keys *k, const char *key)
{
	return json_string_value(json_object_get(k->by_key, key));
}
