/*
 * meta.c — the callers' own keys in meta (x/<key>): sync's checkpoints,
 * the merge's carry index. Kept apart from the store's (node, schema,
 * hlc, seq/<node>) by the "x/" prefix.
 */
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include <lmdb.h>

#include "plsync/errors.h"
#include "store-int.h"

static int meta_key(char *buf, size_t sz, const char *key)
{
	if (snprintf(buf, sz, "x/%s", key) >= (int)sz)
		return pl_error_set(PL_EUSAGE, "meta key '%s' is too long", key);
	return 0;
}

int pl_store_meta_get(char **out, pl_store *st, const char *key)
{
	char k[256];
	MDB_txn *txn;
	MDB_val mk, v;
	int rc;

	*out = NULL;
	if ((rc = meta_key(k, sizeof(k), key)) || (rc = pl_store__rtxn_begin(st, &txn)))
		return rc;
	mk.mv_size = strlen(k);
	mk.mv_data = k;
	rc = mdb_get(txn, st->dbi[DB_META], &mk, &v);
	if (rc == MDB_NOTFOUND)
		rc = 0;
	else if (rc)
		rc = pl_error_from_mdb(rc, "meta");
	else if (!(*out = strndup(v.mv_data, v.mv_size)))
		rc = pl_error_set(PL_ERROR, "out of memory");
	mdb_txn_abort(txn);
	return rc;
}

int pl_write_meta_set(pl_write *w, const char *key, const char *value)
{
	char k[256];
	int rc;

	if (w->rc)
		return w->rc;
	if ((rc = meta_key(k, sizeof(k), key)))
		return w->rc = rc;
	if (!value)
		return pl_write__del(w, DB_META, k, strlen(k));
	return pl_write__put(w, DB_META, k, strlen(k), value, strlen(value), 0);
}

struct meta_set { const char *key, *value; };

static int meta_set_fn(pl_write *w, void *payload)
{
	struct meta_set *m = payload;
	return pl_write_meta_set(w, m->key, m->value);
}

int pl_store_meta_set(pl_store *st, const char *key, const char *value)
{
	struct meta_set m = { key, value };
	return pl_store_write(st, NULL, meta_set_fn, &m);
}

int pl_store_meta_floor(char **key_out, char **value_out, pl_store *st, const char *prefix,
                        const char *key)
{
	char k[256], p[256];
	MDB_txn *txn;
	MDB_cursor *cur = NULL;
	MDB_val mk, v;
	size_t plen;
	int rc, mrc;

	*key_out = *value_out = NULL;
	if ((rc = meta_key(k, sizeof(k), key)) || (rc = meta_key(p, sizeof(p), prefix)))
		return rc;
	plen = strlen(p);
	if ((rc = pl_store__rtxn_begin(st, &txn)))
		return rc;
	if ((mrc = mdb_cursor_open(txn, st->dbi[DB_META], &cur))) {
		rc = pl_error_from_mdb(mrc, "meta");
		goto cleanup;
	}
	mk.mv_size = strlen(k);
	mk.mv_data = k;
	mrc = mdb_cursor_get(cur, &mk, &v, MDB_SET_RANGE);
	if (mrc == 0 && (mk.mv_size != strlen(k) || memcmp(mk.mv_data, k, mk.mv_size)))
		mrc = mdb_cursor_get(cur, &mk, &v, MDB_PREV);      /* past it: step back */
	else if (mrc == MDB_NOTFOUND)
		mrc = mdb_cursor_get(cur, &mk, &v, MDB_LAST);
	if (mrc == 0 && mk.mv_size >= plen && !memcmp(mk.mv_data, p, plen)) {
		*key_out = strndup((char *)mk.mv_data + 2, mk.mv_size - 2);
		*value_out = strndup(v.mv_data, v.mv_size);
		if (!*key_out || !*value_out)
			rc = pl_error_set(PL_ERROR, "out of memory");
	} else if (mrc && mrc != MDB_NOTFOUND) {
		rc = pl_error_from_mdb(mrc, "meta");
	}
cleanup:
	mdb_cursor_close(cur);
	mdb_txn_abort(txn);
	return rc;
}
