/*
 * audit.c — what an auditor asks of one record: its whole history, who set
 * each field, and what it held at a past time (verify is audit-verify.c).
 *
 * Rules kept here:
 *  - Everything is read from the merge's cache (every merged op, indexed by
 *    record; the carry index names the node commit and the merge commit of
 *    each batch). One record costs O(its ops), whatever the district's size.
 *  - A record is folded by the store's own fold (plsync/fold.h), its ops
 *    in (hlc, node) order (the recops order), so that what an op changed is
 *    the record just before it against just after it. The fold is in
 *    memory: one record's ops only.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "plsync/audit.h"
#include "plsync/errors.h"
#include "plsync/fold.h"
#include "plsync/json.h"
#include "plsync/store.h"

/* ---- what one op changed ---- */

static int is_below(const char *path, const char *top)
{
	size_t n = strlen(top);
	return !strncmp(path, top, n) && path[n] == '.';
}

/*
 * Append to `changes` {field, before, after} for every leaf path the put
 * `op` set or unset (a null also unsets the paths below it), changed or
 * not: the log shows what each op did. `before` and `after` are the
 * record's visible leaves (flattened) around the op.
 */
static int op_changes(json_t *changes, const pl_op *op, const json_t *before, const json_t *after)
{
	json_t *leaves = json_object(), *touched = json_object(), *v, *old;
	const char *path, *k;
	int rc = 0;

	if (!leaves || !touched) {
		rc = pl_error_set(PL_ERROR, "out of memory");
		goto cleanup;
	}
	if (op->type != PL_OP_PUT)
		goto cleanup;
	pl_json_flatten(leaves, op->fields);
	json_object_foreach(leaves, path, v) {
		json_object_foreach((json_t *)before, k, old) {
			if ((!strcmp(k, path) || (json_is_null(v) && is_below(k, path))) && !json_object_get(touched, k))
				json_object_set(touched, k, old);
		}
		if (!json_object_get(touched, path))
			json_object_set_new(touched, path, json_null());
	}
	json_object_foreach(touched, k, old) {
		json_t *now = json_object_get(after, k);
		json_array_append_new(changes, json_pack("{ss sO sO}", "field", k, "before", old,
		                                         "after", now ? now : json_null()));
	}
cleanup:
	json_decref(leaves);
	json_decref(touched);
	return rc;
}

static int cmp_change(const void *a, const void *b)
{
	return strcmp(json_string_value(json_object_get(*(json_t *const *)a, "field")),
	              json_string_value(json_object_get(*(json_t *const *)b, "field")));
}

static void sort_changes(json_t *changes)
{
	size_t n = json_array_size(changes);
	json_t **v;

	if (n < 2 || !(v = malloc(n * sizeof(*v))))
		return;
	for (size_t i = 0; i < n; i++)
		v[i] = json_incref(json_array_get(changes, i));
	qsort(v, n, sizeof(*v), cmp_change);
	json_array_clear(changes);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(changes, v[i]);
	free(v);
}

/* ---- the carry index ---- */

/* The node commit that carried op node/seq and the merge that took it. */
static int carry_of(json_t **commit, json_t **merge, pl_store *cache, const char *node, uint64_t seq)
{
	char prefix[PL_NODE_MAX + 16], key[PL_NODE_MAX + 40], c[41], m[41];
	char *k = NULL, *v = NULL;
	unsigned long long last;
	int rc;

	*commit = *merge = NULL;
	snprintf(prefix, sizeof(prefix), "carry/%s/", node);
	snprintf(key, sizeof(key), "carry/%s/%012" PRIu64, node, seq);
	if ((rc = pl_store_meta_floor(&k, &v, cache, prefix, key)))
		return rc;
	if (v && sscanf(v, "%llu %40s %40s", &last, c, m) == 3 && seq <= last) {
		*commit = json_string(c);
		*merge = json_string(m);
	}
	free(k);
	free(v);
	return 0;
}

static int record_in_main(pl_record **r, pl_store *cache, const char *id)
{
	int rc = pl_store_get(r, cache, id);
	if (rc == PL_ENOTFOUND)
		return pl_error_set(PL_ENOTFOUND, "no record '%s' in main: no merged op ever touched it "
		                    "(check the id; ops not yet merged are not in main)", id);
	return rc;
}

/* ---- log ---- */

struct log_ctx {
	pl_store *cache;
	pl_fold  *f;
	json_t   *ops;
	json_t   *flat;      /* the visible leaves before the next op */
	int       visible;   /* the record was visible before the next op */
};

static int log_cb(const pl_op *op, const pl_oid *opid, void *payload)
{
	struct log_ctx *x = payload;
	json_t *o = NULL, *changes = json_array(), *base = json_array(), *commit = NULL, *merge = NULL;
	json_t *flat = json_object();
	pl_record *r = NULL;
	const char *effect;
	char hex[PL_OID_HEXSZ + 1], when[32];
	int was_visible = x->visible, first = pl_fold_count(x->f) == 0, rc;

	if (!flat) {
		rc = pl_error_set(PL_ERROR, "out of memory");
		goto cleanup;
	}
	if ((rc = pl_fold_apply(x->f, op, opid)) || (rc = pl_fold_record(&r, x->f, op->rec)))
		goto cleanup;
	pl_json_flatten(flat, r->fields);
	x->visible = !r->deleted;
	if ((rc = op_changes(changes, op, x->flat, flat)))
		goto cleanup;
	json_decref(x->flat);
	x->flat = flat;
	flat = NULL;
	sort_changes(changes);
	if (op->type == PL_OP_DEL)
		effect = "delete";
	else if (first)
		effect = "create";
	else if (!was_visible && x->visible)
		effect = "restore";
	else
		effect = "update";
	for (size_t b = 0; b < op->nbase; b++) {
		char bh[PL_OID_HEXSZ + 1];
		pl_oid_fmt(bh, &op->base[b]);
		json_array_append_new(base, json_string(bh));
	}
	if ((rc = carry_of(&commit, &merge, x->cache, op->node, op->seq)))
		goto cleanup;
	pl_oid_fmt(hex, opid);
	pl_hlc_fmt(when, op->hlc);
	o = json_pack("{ss ss sI sI ss ss ss sO ss sO so* so*}", "op", hex, "node", op->node,
	              "seq", (json_int_t)op->seq, "hlc", (json_int_t)op->hlc, "time", when, "actor", op->actor,
	              "type", op->type == PL_OP_PUT ? "put" : "del", "base", base, "effect", effect,
	              "changes", changes, "commit", commit ? commit : json_null(),
	              "merge", merge ? merge : json_null());
	commit = merge = NULL;
	if (!o) {
		rc = pl_error_set(PL_ERROR, "out of memory");
		goto cleanup;
	}
	if (op->note)
		json_object_set_new(o, "note", json_string(op->note));
	json_array_append_new(x->ops, o);
cleanup:
	pl_record_free(r);
	json_decref(flat);
	json_decref(commit);
	json_decref(merge);
	json_decref(changes);
	json_decref(base);
	return rc;
}

int pl_audit_log(json_t **out, pl_store *cache, const char *id)
{
	struct log_ctx x = { cache, NULL, json_array(), json_object(), 0 };
	pl_record *r = NULL;
	int rc;

	*out = NULL;
	if (!x.ops || !x.flat) {
		rc = pl_error_set(PL_ERROR, "out of memory");
		goto cleanup;
	}
	if ((rc = pl_fold_new(&x.f)) || (rc = record_in_main(&r, cache, id)) ||
	    (rc = pl_store_log(cache, id, log_cb, &x)))
		goto cleanup;
	if (!(*out = json_pack("{ss ss ss sb sO}", "id", id, "kind", r->kind, "owner", r->owner,
	                       "deleted", r->deleted, "ops", x.ops)))
		rc = pl_error_set(PL_ERROR, "out of memory");
cleanup:
	pl_record_free(r);
	pl_fold_free(x.f);
	json_decref(x.flat);
	json_decref(x.ops);
	return rc;
}

/* ---- blame ---- */

struct blame_ctx {
	pl_store *cache;
	json_t   *byclock;   /* "hlc node" -> op summary */
};

static int blame_cb(const pl_op *op, const pl_oid *opid, void *payload)
{
	struct blame_ctx *x = payload;
	json_t *o, *commit = NULL, *merge = NULL;
	char key[PL_NODE_MAX + 32], hex[PL_OID_HEXSZ + 1], when[32];
	int rc;

	if ((rc = carry_of(&commit, &merge, x->cache, op->node, op->seq)))
		return rc;
	pl_oid_fmt(hex, opid);
	pl_hlc_fmt(when, op->hlc);
	o = json_pack("{ss ss sI sI ss ss so* so*}", "op", hex, "node", op->node, "seq", (json_int_t)op->seq,
	              "hlc", (json_int_t)op->hlc, "time", when, "actor", op->actor,
	              "commit", commit ? commit : json_null(), "merge", merge ? merge : json_null());
	if (!o)
		return pl_error_set(PL_ERROR, "out of memory");
	if (op->note)
		json_object_set_new(o, "note", json_string(op->note));
	snprintf(key, sizeof(key), "%" PRIu64 " %s", op->hlc, op->node);
	json_object_set_new(x->byclock, key, o);
	return 0;
}

int pl_audit_blame(json_t **out, pl_store *cache, const char *id)
{
	struct blame_ctx x = { cache, json_object() };
	json_t *flat = json_object(), *fields = json_object(), *clock;
	pl_record *r = NULL;
	const char *path;
	int rc;

	*out = NULL;
	if ((rc = record_in_main(&r, cache, id)) || (rc = pl_store_log(cache, id, blame_cb, &x)))
		goto cleanup;
	pl_json_flatten(flat, r->fields);
	json_object_foreach(r->clocks, path, clock) {
		char key[PL_NODE_MAX + 32];
		json_t *who, *e;
		snprintf(key, sizeof(key), "%" PRIu64 " %s", (uint64_t)json_integer_value(json_array_get(clock, 0)),
		         json_string_value(json_array_get(clock, 1)));
		if (!(who = json_object_get(x.byclock, key))) {
			pl_error_set(PL_ECORRUPT, "%s.%s was set at %s by %s, but no op of the record has that clock: "
			             "the cache is damaged", id, path, key, json_string_value(json_array_get(clock, 1)));
			rc = pl_error_hint(PL_HINT_REBUILD_CACHE, NULL);
			goto cleanup;
		}
		e = json_deep_copy(who);
		json_object_set(e, "value", json_object_get(flat, path) ? json_object_get(flat, path) : json_null());
		json_object_set_new(fields, path, e);
	}
	if (!(*out = json_pack("{ss ss ss sb sO}", "id", id, "kind", r->kind, "owner", r->owner,
	                       "deleted", r->deleted, "fields", fields)))
		rc = pl_error_set(PL_ERROR, "out of memory");
cleanup:
	pl_record_free(r);
	json_decref(x.byclock);
	json_decref(flat);
	json_decref(fields);
	return rc;
}

/* ---- show --at ---- */

struct show_ctx {
	uint64_t  at_ms;
	pl_fold  *f;
	uint64_t  first_hlc;
};

static int show_cb(const pl_op *op, const pl_oid *opid, void *payload)
{
	struct show_ctx *x = payload;

	if (!x->first_hlc)
		x->first_hlc = op->hlc;
	if ((op->hlc >> 16) > x->at_ms)
		return 0; /* too late (and so is every op after it, in hlc order) */
	return pl_fold_apply(x->f, op, opid);
}

int pl_audit_show(pl_record **out, pl_store *cache, const char *id, uint64_t at_ms)
{
	struct show_ctx x = { at_ms, NULL, 0 };
	pl_record *now = NULL;
	int rc;

	*out = NULL;
	if ((rc = pl_fold_new(&x.f)) || (rc = record_in_main(&now, cache, id)) ||
	    (rc = pl_store_log(cache, id, show_cb, &x)))
		goto cleanup;
	if (!pl_fold_count(x.f)) {
		char when[32], first[32];
		pl_hlc_fmt(when, at_ms << 16);
		pl_hlc_fmt(first, x.first_hlc);
		rc = pl_error_set(PL_ENOTFOUND, "record '%s' did not exist yet at %s: its first op is at %s", id, when,
		                  first);
		goto cleanup;
	}
	rc = pl_fold_record(out, x.f, id);
cleanup:
	pl_record_free(now);
	pl_fold_free(x.f);
	return rc;
}

static int digits(const char **p, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++, (*p)++) {
		if (**p < '0' || **p > '9')
			return -1;
		v = v * 10 + (**p - '0');
	}
	*out = v;
	return 0;
}

int pl_audit_parse_time(uint64_t *ms, const char *text)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	const char *p = text;
	int y, mo, d, h = 23, mi = 59, s = 59, frac = 999, off = 0;
	struct tm tm;
	time_t t;

	if (digits(&p, 4, &y) || *p++ != '-' || digits(&p, 2, &mo) || *p++ != '-' || digits(&p, 2, &d))
		goto bad;
	if (mo < 1 || mo > 12 || d < 1 ||
	    d > mdays[mo - 1] + (mo == 2 && ((y % 4 == 0 && y % 100) || y % 400 == 0)))
		goto bad;
	if (*p) {
		if ((*p != 'T' && *p != 't' && *p != ' ') || (p++, digits(&p, 2, &h)) || *p++ != ':' ||
		    digits(&p, 2, &mi) || *p++ != ':' || digits(&p, 2, &s) || h > 23 || mi > 59 || s > 60)
			goto bad;
		frac = 0;
		if (*p == '.') {
			int scale = 100, any = 0;
			for (p++; *p >= '0' && *p <= '9'; p++, any = 1) {
				frac += (*p - '0') * scale;
				scale /= 10;
			}
			if (!any)
				goto bad;
		}
		if (*p == 'Z' || *p == 'z') {
			p++;
		} else if (*p == '+' || *p == '-') {
			int sign = *p++ == '-' ? -1 : 1, oh, om;
			if (digits(&p, 2, &oh) || *p++ != ':' || digits(&p, 2, &om) || oh > 23 || om > 59)
				goto bad;
			off = sign * (oh * 60 + om);
		} else {
			goto bad;
		}
		if (*p)
			goto bad;
	}
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s > 59 ? 59 : s;
	t = timegm(&tm) - (time_t)off * 60;
	if (t < 0)
		goto bad;
	*ms = (uint64_t)t * 1000 + (uint64_t)frac;
	return 0;
bad:
	return pl_error_set(PL_EUSAGE, "'%s' is not a time: give RFC 3339 (2026-09-14T10:30:00Z, "
	                    "2026-09-14T10:30:00.250-05:00) or a date (2026-09-14: the end of that day, UTC)", text);
}
