/*
 * offering.c — a PD offering: its sessions, their hours, and the sign-in
 * code of each session (plsync/offering.h).
 *
 * Rules kept here:
 *  - a session is "YYYY-MM-DD HH:MM-HH:MM [PLACE]", a real date, and ends
 *    after it starts on the same day;
 *  - an offering's hours are, unless given, the total of its sessions;
 *  - an offering's results are counted from the entries registered for
 *    it, and its evaluation from the completed ones, level by level;
 *  - a session's sign-in code is a function of the offering's signin_key,
 *    its id and the session's number alone, so every node checks it
 *    offline and the same code is shown on every node.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <git2.h>

#include "plsync/calendar.h"
#include "plsync/errors.h"
#include "plsync/offering.h"
#include "plsync/schema.h"

static const char crockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

int pl_offering_sessions(pl_session **out, size_t *n, const json_t *fields)
{
	const json_t *list = json_object_get(fields, "sessions");
	size_t k = json_array_size(list);
	pl_session *v;

	*out = NULL;
	*n = 0;
	if (!k)
		return 0;
	if (!(v = calloc(k, sizeof(*v))))
		return pl_error_set(PL_ERROR, "out of memory");
	for (size_t i = 0; i < k; i++) {
		int rc = pl_session_parse(&v[i], json_string_value(json_array_get(list, i)));
		if (rc) {
			free(v);
			return pl_error_prefix("offering.sessions[%zu]", i + 1);
		}
	}
	*out = v;
	*n = k;
	return 0;
}

int pl_offering_code(char out[PL_SIGNIN_CODE_SIZE], const char *id, const json_t *fields, size_t session)
{
	const char *key = json_string_value(json_object_get(fields, "signin_key"));
	size_t n = json_array_size(json_object_get(fields, "sessions"));
	char buf[512];
	git_oid oid;
	unsigned long long bits = 0;
	int len;

	out[0] = '\0';
	if (!key || !*key)
		return pl_error_set(PL_EINVALID, "offering %s has no signin_key: its sessions have no "
		                    "sign-in code", id);
	if (session < 1 || session > n)
		return pl_error_set(PL_EINVALID, "offering %s has %zu session%s; there is no session %zu",
		                    id, n, n == 1 ? "" : "s", session);
	len = snprintf(buf, sizeof(buf), "plsync-signin\n%s\n%s\n%zu", key, id, session);
	if (len < 0 || (size_t)len >= sizeof(buf))
		return pl_error_set(PL_EINVALID, "offering %s: signin_key too long", id);
	if (git_odb_hash(&oid, buf, (size_t)len, GIT_OBJECT_BLOB))
		return pl_error_set(PL_ERROR, "hashing the sign-in code failed");
	for (int i = 0; i < 4; i++)
		bits = bits << 8 | oid.id[i];
	for (int i = 0; i < 6; i++)
		out[i] = crockford[(bits >> (27 - 5 * i)) & 31];   /* 30 of the 32 bits */
	out[6] = '\0';
	return 0;
}

int pl_offering_code_ok(const char *id, const json_t *fields, size_t session, const char *given)
{
	char want[PL_SIGNIN_CODE_SIZE], got[PL_SIGNIN_CODE_SIZE];
	size_t n = 0;

	if (!given || pl_offering_code(want, id, fields, session))
		return 0;
	for (const char *p = given; *p; p++) {
		int c = toupper((unsigned char)*p);
		if (c == ' ' || c == '-' || c == '\t')
			continue;
		if (c == 'O')
			c = '0';
		else if (c == 'I' || c == 'L')
			c = '1';
		if (n == 6)
			return 0;
		got[n++] = (char)c;
	}
	got[n] = '\0';
	return n == 6 && !strcmp(got, want);
}

int pl_offering_create(pl_store *st, const char *actor, const char *id, const json_t *fields,
                       char id_out[PL_ID_MAX + 1])
{
	pl_change ch = { PL_CHANGE_CREATE, "offering", id, NULL, "offering published" };
	pl_session *ss = NULL;
	size_t n = 0;
	json_t *f = NULL, *list;
	int rc;

	if (!json_is_object(fields))
		return pl_error_set(PL_EUSAGE, "an offering needs its fields: title, type, sessions ...");
	if (!(f = json_deep_copy(fields)))
		return pl_error_set(PL_ERROR, "out of memory");
	/* sessions as the schema will store them (a comma-separated string is a list) */
	list = json_object_get(f, "sessions");
	if (json_is_string(list)) {
		json_t *v = NULL;
		if ((rc = pl_schema_coerce(&v, pl_schema_kind("offering"), "sessions", list)))
			goto cleanup;
		json_object_set_new(f, "sessions", v);
	}
	if ((rc = pl_offering_sessions(&ss, &n, f)))
		goto cleanup;
	if (n && !json_object_get(f, "hours")) {
		long long c = 0;
		char buf[32];
		for (size_t i = 0; i < n; i++)
			c += pl_session_centi(&ss[i]);
		snprintf(buf, sizeof(buf), "%lld.%02lld", c / 100, c % 100);
		json_object_set_new(f, "hours", json_string(buf));
	}
	if (!json_object_get(f, "signin_key")) {
		unsigned char raw[16];
		char hex[33];
		if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw)) {
			rc = pl_error_set(PL_ERROR, "no random bytes for the sign-in key");
			goto cleanup;
		}
		for (int i = 0; i < 16; i++)
			snprintf(hex + 2 * i, 3, "%02x", raw[i]);
		json_object_set_new(f, "signin_key", json_string(hex));
	}
	ch.fields = f;
	rc = pl_store_change(st, actor, &ch, id_out);
cleanup:
	free(ss);
	json_decref(f);
	return rc;
}

/* ---- results ---- */

struct results {
	long long reg, wait, cancel, done, evals;
	long long n[5], sum[5];
};

static int results_cb(const pl_record *r, void *payload)
{
	struct results *x = payload;
	const char *reg = json_string_value(json_object_get(r->fields, "registration"));
	const char *st = json_string_value(json_object_get(r->fields, "status"));
	const json_t *ev = json_object_get(r->fields, "evaluation");
	const pl_guskey_level *lv = pl_schema_guskey_levels();
	int any = 0;

	if (!reg)
		return 0;
	x->reg += !strcmp(reg, "registered");
	x->wait += !strcmp(reg, "waitlisted");
	x->cancel += !strcmp(reg, "cancelled");
	if (!st || strcmp(st, "completed"))
		return 0;
	x->done++;
	for (int i = 0; i < 5 && lv[i].field; i++) {
		const json_t *v = json_object_get(ev, lv[i].field->name);
		if (json_is_integer(v)) {
			x->n[i]++;
			x->sum[i] += json_integer_value(v);
			any = 1;
		}
	}
	x->evals += any;
	return 0;
}

int pl_offering_results(json_t **out, pl_store *st, const char *id)
{
	const pl_guskey_level *lv = pl_schema_guskey_levels();
	struct results x = { 0 };
	pl_record *r = NULL;
	json_t *o = NULL, *levels;
	int rc;

	*out = NULL;
	if ((rc = pl_store_get_state(&r, st, id)))
		return rc;
	if (r->deleted || strcmp(r->kind, "offering")) {
		rc = pl_error_set(PL_EINVALID, "%s is %s, not an offering", id, r->deleted ? "deleted" : r->kind);
		goto cleanup;
	}
	if ((rc = pl_store_foreach(st, "pd_entry", "offering", id, results_cb, &x)))
		goto cleanup;
	if (!(levels = json_array()) ||
	    !(o = json_pack("{sI sI sI sI sI so}", "registered", (json_int_t)x.reg, "waitlisted",
	                    (json_int_t)x.wait, "cancelled", (json_int_t)x.cancel, "completed",
	                    (json_int_t)x.done, "evaluations", (json_int_t)x.evals, "levels", levels))) {
		rc = pl_error_set(PL_ERROR, "out of memory");
		goto cleanup;
	}
	for (int i = 0; i < 5 && lv[i].field; i++) {
		json_t *mean = x.n[i] ? json_real((double)((x.sum[i] * 100 + x.n[i] / 2) / x.n[i]) / 100.0) : json_null();
		json_array_append_new(levels, json_pack("{si ss ss sI so}", "level", lv[i].level, "field",
		                                        lv[i].field->name, "title", lv[i].title, "n",
		                                        (json_int_t)x.n[i], "mean", mean));
	}
	*out = o;
	o = NULL;
cleanup:
	json_decref(o);
	pl_record_free(r);
	return rc;
}
