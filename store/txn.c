/*
 * txn.c — the write transaction: pl_write, wrapped Knot-style.
 *
 * Rules kept here:
 *  - A write is one LMDB write transaction: the op is appended, applied and
 *    indexed, and meta (seq, head, clock) updated, or none of it is.
 *  - The code is sticky: after the first failure every call is a no-op and
 *    the write aborts.
 *  - MDB_MAP_FULL aborts the transaction; the map is grown with no
 *    transaction active and the caller's whole write function replayed.
 *  - Data from mdb_get is decoded before the next write touches the txn.
 *  - The state of the record a remote op last changed is kept (the cache)
 *    and stored once, when another record's op comes or before the commit.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <lmdb.h>

#include "plsync/errors.h"
#include "mpack.h"
#include "store-int.h"

int pl_write__fail_mdb(pl_write *w, int mrc, const char *what)
{
	if (w->rc)
		return w->rc;
	if (mrc == MDB_MAP_FULL || mrc == MDB_TXN_FULL)
		w->full = 1;
	w->rc = pl_error_from_mdb(mrc, what);
	return w->rc;
}

int pl_write__put(pl_write *w, int db, const void *k, size_t klen, const void *v, size_t vlen,
                  unsigned flags)
{
	MDB_val key = { klen, (void *)k }, val = { vlen, (void *)v };
	int rc;

	if (w->rc)
		return w->rc;
	if ((rc = mdb_put(w->txn, w->st->dbi[db], &key, &val, flags)))
		return pl_write__fail_mdb(w, rc, pl_store__db_names[db]);
	return 0;
}

int pl_write__del(pl_write *w, int db, const void *k, size_t klen)
{
	MDB_val key = { klen, (void *)k };
	int rc;

	if (w->rc)
		return w->rc;
	if ((rc = mdb_del(w->txn, w->st->dbi[db], &key, NULL)) && rc != MDB_NOTFOUND)
		return pl_write__fail_mdb(w, rc, pl_store__db_names[db]);
	return 0;
}

int pl_store__seq_get(uint64_t *seq, pl_oid *head, MDB_txn *txn, pl_store *st, const char *node)
{
	char key[PL_NODE_MAX + 8];
	MDB_val v;
	int rc;

	snprintf(key, sizeof(key), "seq/%s", node);
	*seq = 0;
	memset(head, 0, sizeof(*head));
	if ((rc = pl_store__meta_get(txn, st, key, &v)) == MDB_NOTFOUND)
		return 0;
	if (rc)
		return pl_error_from_mdb(rc, "meta");
	if (v.mv_size != 8 + PL_OID_RAWSZ)
		return pl_error_set(PL_ECORRUPT, "meta %s is damaged", key);
	*seq = pl_store__get_be64(v.mv_data);
	memcpy(head->id, (unsigned char *)v.mv_data + 8, PL_OID_RAWSZ);
	return 0;
}

int pl_write__seq_put(pl_write *w, const char *node, uint64_t seq, const pl_oid *head)
{
	char key[PL_NODE_MAX + 8];
	unsigned char v[8 + PL_OID_RAWSZ];

	snprintf(key, sizeof(key), "seq/%s", node);
	pl_store__put_be64(v, seq);
	memcpy(v + 8, head->id, PL_OID_RAWSZ);
	return pl_write__put(w, DB_META, key, strlen(key), v, sizeof(v), 0);
}

static int write_begin(pl_write *w)
{
	MDB_val v;
	int rc;

	for (int tries = 0;; tries++) {
		rc = mdb_txn_begin(w->st->env, NULL, 0, &w->txn);
		if (rc == MDB_MAP_RESIZED && tries < 3) {
			mdb_env_set_mapsize(w->st->env, 0);
			continue;
		}
		if (rc == MDB_READERS_FULL && tries < 3) {
			int dead;
			mdb_reader_check(w->st->env, &dead);
			continue;
		}
		break;
	}
	if (rc) {
		w->txn = NULL;
		return pl_error_from_mdb(rc, "starting a write");
	}
	w->hlc = 0;
	if (pl_store__meta_get(w->txn, w->st, "hlc", &v) == 0 && v.mv_size == 8)
		w->hlc = pl_store__get_be64(v.mv_data);
	if ((rc = pl_store__seq_get(&w->seq, &w->head, w->txn, w->st, w->st->node)))
		return rc;
	return 0;
}

static int write_flush_meta(pl_write *w)
{
	unsigned char h[8];

	if (pl_write__cache_flush(w))
		return w->rc;
	if (w->pending && pl_write__check_pending(w))
		return w->rc;
	if (!w->dirty)
		return w->rc;
	pl_store__put_be64(h, w->hlc);
	pl_write__put(w, DB_META, "hlc", 3, h, 8, 0);
	if (w->seq)
		pl_write__seq_put(w, w->st->node, w->seq, &w->head);
	return w->rc;
}

/*
 * A commit that failed. LMDB gives ENOSPC for a write the disk refused, but
 * EIO for a short one (the disk filled part way): an EIO on a file system
 * with less than 1 MiB left is the disk being full too. Either way the
 * meta page was not written: the store is as it was before the write.
 */
static int commit_failed(const pl_store *st, int mrc)
{
	struct statvfs vfs;

	if (mrc == ENOSPC || mrc == EDQUOT ||
	    (mrc == EIO && statvfs(st->dir, &vfs) == 0 &&
	     (uint64_t)(geteuid() == 0 ? vfs.f_bfree : vfs.f_bavail) * vfs.f_frsize < (1u << 20)))
		return pl_error_disk_full(st->dir);
	return pl_error_from_mdb(mrc, "committing the write");
}

int pl_store_write(pl_store *st, const char *actor, pl_write_fn fn, void *payload)
{
	pl_write w;
	int rc;

	for (int attempt = 0; attempt < 40; attempt++) {
		memset(&w, 0, sizeof(w));
		w.st = st;
		w.actor = actor && *actor ? actor : "unknown";
		if ((rc = write_begin(&w))) {
			if (w.txn)
				mdb_txn_abort(w.txn);
			return rc;
		}
		rc = fn(&w, payload);
		if (!rc)
			rc = write_flush_meta(&w);
		json_decref(w.pending);
		w.pending = NULL;
		pl_write__cache_drop(&w);
		if (rc && !w.full) {
			mdb_txn_abort(w.txn);
			return rc;
		}
		if (!w.full) {
			int mrc = mdb_txn_commit(w.txn);
			if (mrc == 0)
				return 0;
			if (mrc != MDB_MAP_FULL)
				return commit_failed(st, mrc);
		} else {
			mdb_txn_abort(w.txn);
		}
		/* the map filled: nothing was written; grow and replay */
		if ((rc = pl_store__grow(st)))
			return rc;
	}
	return pl_error_set(PL_EFULL, "store map kept filling while growing");
}

int pl_rstate__load(rstate *s, int *found, pl_write *w, MDB_txn *txn, const char *id)
{
	MDB_val k = { strlen(id), (void *)id }, v;
	int rc;

	memset(s, 0, sizeof(*s));
	*found = 0;
	if (w && txn == w->txn && w->cached && !strcmp(w->cache_id, id)) {
		/* stored first: the caller may drop what it loaded */
		if (w->cache_dirty && pl_write__cache_flush(w))
			return w->rc;
		*s = w->cache;
		memset(&w->cache, 0, sizeof(w->cache));
		w->cached = 0;
		*found = 1;
		return 0;
	}
	rc = mdb_get(txn, w->st->dbi[DB_RECORDS], &k, &v);
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc)
		return w ? pl_write__fail_mdb(w, rc, "records") : pl_error_from_mdb(rc, "records");
	*found = 1;
	return pl_rstate__decode(s, v.mv_data, v.mv_size, id);
}

/* Forget the kept state (stored or not: a failed write aborts anyway). */
void pl_write__cache_drop(pl_write *w)
{
	pl_rstate__clear(&w->cache);
	w->cached = 0;
	w->cache_dirty = 0;
}

/* Store the kept state if it is not yet. */
int pl_write__cache_flush(pl_write *w)
{
	msgpack_sbuffer sb;
	int rc;

	if (!w->cached || !w->cache_dirty || w->rc)
		return w->rc;
	pl_mp__sbuffer_init(&sb, 896);
	if ((rc = pl_rstate__encode(&sb, &w->cache)) == 0)
		rc = pl_write__put(w, DB_RECORDS, w->cache_id, strlen(w->cache_id), sb.data, sb.size, 0);
	else if (!w->rc)
		w->rc = rc;
	msgpack_sbuffer_destroy(&sb);
	w->cache_dirty = 0;
	return w->rc;
}

/*
 * Keep `s`, record `id`'s state, for the next op on it (s is taken); dirty:
 * it is not stored yet. The state kept before is stored first.
 */
int pl_write__cache_keep(pl_write *w, const char *id, rstate *s, int dirty)
{
	size_t n = strlen(id);

	pl_write__cache_flush(w);
	pl_write__cache_drop(w);
	if (w->rc || n > PL_ID_MAX) {
		pl_rstate__clear(s);
		return w->rc ? w->rc : pl_error_set(PL_EINVALID, "record id %.40s... is too long", id);
	}
	memcpy(w->cache_id, id, n + 1);
	w->cache = *s;
	w->cached = 1;
	w->cache_dirty = dirty;
	memset(s, 0, sizeof(*s));
	return 0;
}

/* Take the kept state of `id` as it is, stored or not: the caller keeps
 * it again or fails the write. Else pl_rstate__load. */
int pl_rstate__take(rstate *s, int *found, pl_write *w, const char *id)
{
	if (w->cached && !strcmp(w->cache_id, id)) {
		*s = w->cache;
		memset(&w->cache, 0, sizeof(w->cache));
		w->cached = 0;
		w->cache_dirty = 0; /* the caller holds it now */
		*found = 1;
		return 0;
	}
	return pl_rstate__load(s, found, w, w->txn, id);
}

pl_store *pl_write_store(pl_write *w)
{
	return w->st;
}
