/*
 * index.c — what one applied op writes besides its record's state: the op
 * log (ops), its id (opids), the record's op list (recops), the visible
 * records per kind (bykind), the references (byref) and the records with
 * more than one head (forks); and the checks
 * that a reference names a record that exists.
 *
 * Rules kept here:
 *  - ops keys are (node, seq): a node's own writes go at the end of the
 *    log with MDB_APPEND, plain puts once another key sorts after.
 *  - A deferred reference (pl_write_defer_refs) must exist by the end of
 *    the write, else the whole write fails.
 */
#include <string.h>

#include <lmdb.h>

#include "plsync/errors.h"
#include "mpack.h"
#include "store-int.h"

/* Join parts with \0 separators into buf; returns length (no trailing \0). */
size_t pl_store__join_key(char *buf, size_t sz, const char *a, const char *b, const char *c, const char *d)
{
	const char *parts[4] = { a, b, c, d };
	size_t off = 0;
	for (int i = 0; i < 4 && parts[i]; i++) {
		size_t n = strlen(parts[i]);
		if (off + n + 1 > sz)
			return 0;
		if (i)
			buf[off++] = '\0';
		memcpy(buf + off, parts[i], n);
		off += n;
	}
	return off;
}

static int index_refs(pl_write *w, const char *id, const char *kind, const rstate *before,
                      const rstate *after)
{
	const pl_kind_def *k = pl_schema_kind(kind);

	if (!k)
		return 0;
	for (const pl_field_def *f = k->fields; f->name; f++) {
		const char *ov = NULL, *nv = NULL;
		char key[512], ob[256], nb[256];
		size_t n;

		if (f->type != PL_T_REF)
			continue;
		ov = before ? pl_rstate__leaf_str(before, f->name, ob, sizeof(ob)) : NULL;
		if (after->fresh)
			nv = json_string_value(json_object_get(after->fresh, f->name));
		else
			nv = pl_rstate__leaf_str(after, f->name, nb, sizeof(nb));
		if (ov && nv && !strcmp(ov, nv))
			continue;
		if (ov && (n = pl_store__join_key(key, sizeof(key), ov, kind, f->name, id)))
			pl_write__del(w, DB_BYREF, key, n);
		if (nv && (n = pl_store__join_key(key, sizeof(key), nv, kind, f->name, id)))
			pl_write__put(w, DB_BYREF, key, n, "", 0, 0);
	}
	return w->rc;
}

/*
 * Store the op, its id, index it and write the record's new state `s`, the
 * op already applied; `before` is the state it was applied to (NULL for a
 * record new to this store).
 */
int pl_write__commit_applied(pl_write *w, const pl_op *op, const unsigned char *enc, size_t len,
                             const pl_oid *id, const rstate *before, const rstate *s, int *taken, int defer)
{
	unsigned char key[PL_NODE_MAX + 9], rk[PL_ID_MAX + PL_NODE_MAX + 32];
	char kk[PL_ID_MAX + 40];
	size_t klen = pl_store__opkey(key, op->node, op->seq), n, idlen = strlen(op->rec);
	msgpack_sbuffer sb;
	int was_visible = before && pl_rstate__visible(before), rc;

	/* the record first: a record new here must not exist (a generated id
	 * that is taken comes back as *taken, nothing written, to try another) */
	if (w->rc)
		return w->rc;
	if (w->cached && !strcmp(w->cache_id, op->rec)) {
		if (pl_write__cache_flush(w))
			return w->rc;
		pl_write__cache_drop(w);
	}
	if (defer)
		goto rest; /* the caller keeps s, to be stored later (pl_write__cache_keep) */
	pl_mp__sbuffer_init(&sb, 896);
	if ((rc = pl_rstate__encode(&sb, s))) {
		msgpack_sbuffer_destroy(&sb);
		return rc;
	}
	{
		MDB_val rkey = { idlen, (void *)op->rec }, rval = { sb.size, sb.data };
		int mrc = mdb_put(w->txn, w->st->dbi[DB_RECORDS], &rkey, &rval, before ? 0 : MDB_NOOVERWRITE);
		msgpack_sbuffer_destroy(&sb);
		if (mrc == MDB_KEYEXIST && taken) {
			*taken = 1;
			return 0;
		}
		if (mrc)
			return pl_write__fail_mdb(w, mrc, pl_store__db_names[DB_RECORDS]);
	}
rest:
	/* ops keys are (node, seq): a node's own writes usually go at the end
	 * of the log, where MDB_APPEND skips the search; once a later key is
	 * there (another node's, sorting after ours) it is a plain put */
	if (!w->rc && !w->no_append) {
		MDB_val ok = { klen, key }, ov = { len, (void *)enc };
		int mrc = mdb_put(w->txn, w->st->dbi[DB_OPS], &ok, &ov, MDB_APPEND);
		if (mrc == MDB_KEYEXIST)
			w->no_append = 1;
		else if (mrc)
			pl_write__fail_mdb(w, mrc, pl_store__db_names[DB_OPS]);
	}
	if (w->no_append)
		pl_write__put(w, DB_OPS, key, klen, enc, len, MDB_NOOVERWRITE);
	pl_write__put(w, DB_OPIDS, id->id, PL_OID_RAWSZ, key, klen, MDB_NOOVERWRITE);

	/* recops: id \0 hlc(be64) node \0 seq(be64) */
	memcpy(rk, op->rec, idlen + 1);
	pl_store__put_be64(rk + idlen + 1, op->hlc);
	memcpy(rk + idlen + 9, key, klen);
	pl_write__put(w, DB_RECOPS, rk, idlen + 9 + klen, "", 0, 0);

	n = pl_store__join_key(kk, sizeof(kk), s->kind, op->rec, NULL, NULL);
	if (pl_rstate__visible(s) && !was_visible)
		pl_write__put(w, DB_BYKIND, kk, n, "", 0, 0);
	else if (!pl_rstate__visible(s) && was_visible) {
		pl_write__del(w, DB_BYKIND, kk, n);
		memset(w->refn, 0, sizeof(w->refn)); /* it may be a cached reference */
	}
	index_refs(w, op->rec, s->kind, before, s);
	/* forks: the records with two heads or more, for pl_store_conflicted */
	if (s->nheads > 1 && (!before || before->nheads < 2))
		pl_write__put(w, DB_FORKS, op->rec, idlen, "", 0, 0);
	else if (s->nheads < 2 && before && before->nheads > 1)
		pl_write__del(w, DB_FORKS, op->rec, idlen);
	return w->rc;
}

/* Apply the op to the record's state `s` and store it all (pl_write__commit_applied). */
int pl_write__commit_op(pl_write *w, const pl_op *op, const unsigned char *enc, size_t len,
                        const pl_oid *id, rstate *s, int found, int defer)
{
	rstate before;
	int rc;

	/* what it was (visibility, references), sharing s's memory */
	if (found && (rc = pl_rstate__copy(&before, s)))
		return rc;
	if ((rc = pl_rstate__apply(s, found, op, id)) == 0)
		rc = pl_write__commit_applied(w, op, enc, len, id, found ? &before : NULL, s, NULL, defer);
	if (found)
		pl_rstate__clear(&before);
	return rc;
}

/* ---- references ---- */

static int ref_found(pl_write *w, const char *kind, const char *id)
{
	char kk[PL_ID_MAX + 40];
	size_t n = pl_store__join_key(kk, sizeof(kk), kind, id, NULL, NULL);
	MDB_val k = { n, kk }, v;
	unsigned slot;

	if (!n)
		return 0;
	for (slot = 0; slot < 4; slot++)
		if (w->refn[slot] == n && !memcmp(w->refc[slot], kk, n))
			return 1;
	if (mdb_get(w->txn, w->st->dbi[DB_BYKIND], &k, &v))
		return 0;
	slot = w->refnext++ % 4;
	memcpy(w->refc[slot], kk, n);
	w->refn[slot] = n;
	return 1;
}

int pl_write__ref_exists(const char *kind, const char *id, const char *path, void *payload)
{
	pl_write *w = payload;

	if (ref_found(w, kind, id))
		return 1;
	if (!w->defer)
		return 0;
	{
		/* kept as given (a file name in `where` need not be UTF-8); if it
		 * cannot be kept the write fails rather than skip the check */
		const char *parts[6] = { kind, id, w->where ? w->where : "", w->rec, path, w->rkind };
		json_t *p = json_array();
		int bad = !p;
		if (!w->pending && !(w->pending = json_array()))
			bad = 1;
		for (int i = 0; i < 6 && !bad; i++)
			bad = json_array_append_new(p, json_string_nocheck(parts[i])) != 0;
		if (bad || json_array_append_new(w->pending, p)) {
			if (bad)
				json_decref(p);
			if (!w->rc)
				w->rc = pl_error_set(PL_ERROR, "out of memory keeping a reference check");
			return 0;
		}
	}
	return 1;
}

void pl_write_defer_refs(pl_write *w)
{
	w->defer = 1;
}

/* The references deferred during this write must all exist by its end. */
int pl_write__check_pending(pl_write *w)
{
	for (size_t i = 0; !w->rc && i < json_array_size(w->pending); i++) {
		json_t *p = json_array_get(w->pending, i);
		const char *kind = json_string_value(json_array_get(p, 0));
		const char *id = json_string_value(json_array_get(p, 1));
		const char *where = json_string_value(json_array_get(p, 2));
		const char *rec = json_string_value(json_array_get(p, 3));
		const char *path = json_string_value(json_array_get(p, 4));
		const char *rkind = json_string_value(json_array_get(p, 5));

		if (ref_found(w, kind, id))
			continue;
		w->rc = pl_error_set(PL_EINVALID, "%s%s%s.%s of %s: no %s record with id \"%s\"; add it first",
		                     where, *where ? ": " : "", rkind, path, rec, kind, id);
	}
	return w->rc;
}
