/*
 * conflicts.c — a record's open conflicts: for each field its concurrent
 * heads set to different values, the candidates listed by (hlc, node),
 * highest (the winner) first, so that every replica lists them alike; and
 * the records that have one, found from the forks index (the records with
 * two heads or more, kept by every write in index.c), so that counting them
 * costs what the forked records cost, never what the log holds.
 */
#include <stdlib.h>
#include <string.h>

#include <lmdb.h>

#include "plsync/errors.h"
#include "plsync/json.h"
#include "store-int.h"

static int cand_cmp(json_t *a, json_t *b)
{
	return pl_rstate__clock_cmp((uint64_t)json_integer_value(json_object_get(a, "hlc")),
	                            json_string_value(json_object_get(a, "node")),
	                            (uint64_t)json_integer_value(json_object_get(b, "hlc")),
	                            json_string_value(json_object_get(b, "node")));
}

/*
 * A field's candidates by (hlc, node), highest first: not in head order,
 * which is arrival order, so that every replica (the merge, audit verify
 * folding in another order) writes the same conflicts file.
 */
static void cands_sort(json_t *cands)
{
	for (size_t i = 1; i < json_array_size(cands); i++) {
		json_t *c = json_incref(json_array_get(cands, i));
		size_t j = i;
		for (; j > 0 && cand_cmp(json_array_get(cands, j - 1), c) < 0; j--)
			json_array_set(cands, j, json_array_get(cands, j - 1));
		json_array_set(cands, j, c);
		json_decref(c);
	}
}

int pl_store_conflicts(json_t **out, pl_store *st, const pl_record *r)
{
	json_t *byfield = json_object(), *res = NULL;
	const char *path;
	json_t *cands;
	int rc = 0;

	*out = NULL;
	if (r->nheads < 2)
		goto done;
	for (size_t i = 0; i < r->nheads; i++) {
		unsigned char *buf = NULL;
		size_t len;
		pl_op *op = NULL;
		json_t *flat;
		const char *p;
		json_t *v;
		char hex[PL_OID_HEXSZ + 1], when[32];

		if ((rc = pl_store_op_by_id(&buf, &len, st, &r->heads[i])) ||
		    (rc = pl_op_decode(&op, buf, len, &st->opts.limits))) {
			free(buf);
			goto done;
		}
		free(buf);
		pl_oid_fmt(hex, &r->heads[i]);
		pl_hlc_fmt(when, op->hlc);
		flat = json_object();
		if (op->fields)
			pl_json_flatten(flat, op->fields);
		json_object_foreach(flat, p, v) {
			json_t *list = json_object_get(byfield, p);
			if (!list) {
				list = json_array();
				json_object_set_new(byfield, p, list);
			}
			json_array_append_new(list, json_pack("{sO ss ss ss ss sI}", "value", v, "op", hex,
			                                      "node", op->node, "actor", op->actor, "time", when,
			                                      "hlc", (json_int_t)op->hlc));
		}
		json_decref(flat);
		pl_op_free(op);
	}
	res = json_object();
	json_object_foreach(byfield, path, cands) {
		int differ = 0;
		for (size_t i = 1; i < json_array_size(cands); i++)
			if (!json_equal(json_object_get(json_array_get(cands, 0), "value"),
			                json_object_get(json_array_get(cands, i), "value")))
				differ = 1;
		if (!differ)
			continue;
		/* the winner is the state's value: highest (hlc, node), listed first */
		cands_sort(cands);
		for (size_t i = 0; i < json_array_size(cands); i++)
			json_object_set_new(json_array_get(cands, i), "winner", json_boolean(i == 0));
		json_object_set(res, path, cands);
	}
	if (!json_object_size(res)) {
		json_decref(res);
		res = NULL;
	}
done:
	json_decref(byfield);
	if (rc) {
		json_decref(res);
		return rc;
	}
	*out = res;
	return 0;
}

int pl_store__forks_fill(pl_store *st, MDB_txn *txn)
{
	MDB_cursor *cur = NULL;
	MDB_val k, v;
	int mrc;

	if ((mrc = mdb_cursor_open(txn, st->dbi[DB_RECORDS], &cur)))
		return mrc;
	for (mrc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); mrc == 0;
	     mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		char id[PL_ID_MAX + 1];
		rstate s;
		int forked;

		if (k.mv_size == 0 || k.mv_size > PL_ID_MAX)
			continue;
		memcpy(id, k.mv_data, k.mv_size);
		id[k.mv_size] = '\0';
		if (pl_rstate__decode(&s, v.mv_data, v.mv_size, id))
			continue; /* pl_store_verify names it */
		forked = s.nheads > 1;
		pl_rstate__clear(&s);
		if (forked && (mrc = mdb_put(txn, st->dbi[DB_FORKS], &k, &(MDB_val){ 0, "" }, 0)))
			break;
	}
	mdb_cursor_close(cur);
	return mrc == MDB_NOTFOUND ? 0 : mrc;
}

/* Is `id` in `sorted` (an array of ids in strcmp order, or NULL)? */
static int listed(const json_t *sorted, const char *id)
{
	size_t lo = 0, hi = json_array_size(sorted);

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(json_string_value(json_array_get(sorted, mid)), id);
		if (!c)
			return 1;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

int pl_store_conflicted(json_t **out, pl_store *st, const json_t *except)
{
	MDB_txn *txn = NULL;
	MDB_cursor *cur = NULL;
	MDB_val k, v;
	json_t *ids = json_array();
	int rc = 0, mrc;

	*out = NULL;
	if (!ids)
		return pl_error_set(PL_ERROR, "out of memory");
	if ((rc = pl_store__rtxn_begin(st, &txn)))
		goto done;
	if ((mrc = mdb_cursor_open(txn, st->dbi[DB_FORKS], &cur))) {
		rc = pl_error_from_mdb(mrc, pl_store__db_names[DB_FORKS]);
		goto done;
	}
	/* keys in byte order: the ids come out in strcmp order */
	for (mrc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); mrc == 0;
	     mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		char id[PL_ID_MAX + 1];
		pl_record *r = NULL;
		json_t *c = NULL;

		if (k.mv_size == 0 || k.mv_size > PL_ID_MAX)
			continue;
		memcpy(id, k.mv_data, k.mv_size);
		id[k.mv_size] = '\0';
		if (listed(except, id))
			continue;
		if ((rc = pl_store__get_in(&r, st, txn, id, 0)) == 0 && !r->deleted)
			rc = pl_store_conflicts(&c, st, r);
		pl_record_free(r);
		if (rc)
			goto done;
		if (c && json_array_append_new(ids, json_string(id))) {
			json_decref(c);
			rc = pl_error_set(PL_ERROR, "out of memory");
			goto done;
		}
		json_decref(c);
	}
	if (mrc != MDB_NOTFOUND)
		rc = pl_error_from_mdb(mrc, pl_store__db_names[DB_FORKS]);
done:
	mdb_cursor_close(cur);
	if (txn)
		mdb_txn_abort(txn);
	if (rc)
		json_decref(ids);
	else
		*out = ids;
	return rc;
}

int pl_store_conflict_count(size_t *n, pl_store *st)
{
	json_t *ids = NULL;
	int rc;

	*n = 0;
	if ((rc = pl_store_conflicted(&ids, st, NULL)))
		return rc;
	*n = json_array_size(ids);
	json_decref(ids);
	return 0;
}
