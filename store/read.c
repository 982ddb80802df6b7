/*
 * read.c — reading the store: one record, the records of a kind or that
 * refer to one, a record's ops or all, one op's bytes, a node's ops by
 * seq, and the figures (pl_store_stats_get).
 *
 * Each read is its own read transaction (read.c never writes), except
 * pl_write_get, which reads inside a write: what the write did so far.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lmdb.h>

#include "plsync/errors.h"
#include "plsync/schema.h"
#include "store-int.h"

void pl_record_free(pl_record *r)
{
	if (!r)
		return;
	free(r->id);
	free(r->kind);
	free(r->owner);
	json_decref(r->fields);
	json_decref(r->clocks);
	free(r->heads);
	free(r);
}

int pl_store__record(pl_record **out, rstate *s, const char *id, int with_clocks)
{
	pl_record *r = calloc(1, sizeof(*r));

	*out = NULL;
	if (!r || !(r->id = strdup(id)) || !(r->kind = strdup(s->kind)) || !(r->owner = strdup(s->owner))) {
		pl_record_free(r);
		return pl_error_set(PL_ERROR, "out of memory");
	}
	r->deleted = !pl_rstate__visible(s);
	r->fields = pl_rstate__fields(s, with_clocks ? &r->clocks : NULL);
	r->created = s->created;
	r->updated = s->updated;
	r->nheads = s->nheads;
	r->heads = s->heads;
	s->heads = NULL;
	s->nheads = 0;
	*out = r;
	return 0;
}

int pl_store__get_in(pl_record **out, pl_store *st, MDB_txn *txn, const char *id, int with_clocks)
{
	rstate s;
	pl_write fake = { .st = st };
	int found, rc;

	*out = NULL;
	if ((rc = pl_rstate__load(&s, &found, &fake, txn, id)))
		return rc;
	if (!found)
		return pl_error_set(PL_ENOTFOUND, "no record with id '%s'", id);
	rc = pl_store__record(out, &s, id, with_clocks);
	pl_rstate__clear(&s);
	return rc;
}

static int get_one(pl_record **out, pl_store *st, const char *id, int with_clocks)
{
	MDB_txn *txn;
	int rc;

	*out = NULL;
	if ((rc = pl_store__rtxn_begin(st, &txn)))
		return rc;
	rc = pl_store__get_in(out, st, txn, id, with_clocks);
	mdb_txn_abort(txn);
	return rc;
}

int pl_write_get(pl_record **out, pl_write *w, const char *id)
{
	*out = NULL;
	if (w->rc || pl_write__cache_flush(w))
		return w->rc;
	return pl_store__get_in(out, w->st, w->txn, id, 1);
}

int pl_store_get(pl_record **out, pl_store *st, const char *id)
{
	return get_one(out, st, id, 1);
}

int pl_store_get_state(pl_record **out, pl_store *st, const char *id)
{
	return get_one(out, st, id, 0);
}

int pl_store_foreach(pl_store *st, const char *kind, const char *ref_field, const char *ref_id,
                     pl_record_cb cb, void *payload)
{
	MDB_txn *txn = NULL;
	MDB_cursor *cur = NULL;
	MDB_val k, v;
	char prefix[512];
	size_t plen;
	int db, rc, mrc;

	if (ref_field && ref_id) {
		db = DB_BYREF;
		plen = pl_store__join_key(prefix, sizeof(prefix), ref_id, kind, ref_field, "");
		plen++; /* include the separator before the record id */
	} else {
		db = DB_BYKIND;
		plen = pl_store__join_key(prefix, sizeof(prefix), kind, "", NULL, NULL);
		plen++;
	}
	plen--; /* pl_store__join_key wrote "...\0" + "" : the trailing \0 is at plen-1 */
	if ((rc = pl_store__rtxn_begin(st, &txn)))
		return rc;
	if ((mrc = mdb_cursor_open(txn, st->dbi[db], &cur))) {
		rc = pl_error_from_mdb(mrc, pl_store__db_names[db]);
		goto cleanup;
	}
	k.mv_size = plen;
	k.mv_data = prefix;
	for (mrc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); mrc == 0;
	     mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		char id[PL_ID_MAX + 1];
		pl_record *r = NULL;
		size_t idlen;

		if (k.mv_size < plen || memcmp(k.mv_data, prefix, plen))
			break;
		idlen = k.mv_size - plen;
		if (idlen == 0 || idlen > PL_ID_MAX)
			continue;
		memcpy(id, (char *)k.mv_data + plen, idlen);
		id[idlen] = '\0';
		/* no clocks: a walk reads fields (a fifth less work per record) */
		if ((rc = pl_store__get_in(&r, st, txn, id, 0)))
			goto cleanup;
		if (!r->deleted && !strcmp(r->kind, kind))
			rc = cb(r, payload);
		pl_record_free(r);
		if (rc)
			goto cleanup;
	}
	if (mrc && mrc != MDB_NOTFOUND)
		rc = pl_error_from_mdb(mrc, pl_store__db_names[db]);
cleanup:
	mdb_cursor_close(cur);
	mdb_txn_abort(txn);
	return rc;
}

int pl_store__op_at(pl_op **op, pl_oid *oid, pl_store *st, MDB_txn *txn, const void *key, size_t klen)
{
	MDB_val k = { klen, (void *)key }, v;
	int rc;

	if ((rc = mdb_get(txn, st->dbi[DB_OPS], &k, &v)))
		return rc == MDB_NOTFOUND ? pl_error_set(PL_ECORRUPT, "op log entry missing") :
		                            pl_error_from_mdb(rc, "ops");
	if ((rc = pl_op_decode(op, v.mv_data, v.mv_size, &st->opts.limits)))
		return rc;
	return oid ? pl_op_id(oid, v.mv_data, v.mv_size) : 0;
}

int pl_store_log(pl_store *st, const char *id, pl_op_cb cb, void *payload)
{
	MDB_txn *txn = NULL;
	MDB_cursor *cur = NULL;
	MDB_val k, v;
	size_t plen = id ? strlen(id) + 1 : 0;
	int rc, mrc;

	if ((rc = pl_store__rtxn_begin(st, &txn)))
		return rc;
	if ((mrc = mdb_cursor_open(txn, st->dbi[id ? DB_RECOPS : DB_OPS], &cur))) {
		rc = pl_error_from_mdb(mrc, "log");
		goto cleanup;
	}
	k.mv_size = plen;
	k.mv_data = (void *)id;
	for (mrc = mdb_cursor_get(cur, &k, &v, id ? MDB_SET_RANGE : MDB_FIRST); mrc == 0;
	     mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		pl_op *op = NULL;
		pl_oid oid;

		if (id) {
			if (k.mv_size < plen + 9 || memcmp(k.mv_data, id, plen))
				break;
			rc = pl_store__op_at(&op, &oid, st, txn, (char *)k.mv_data + plen + 8, k.mv_size - plen - 8);
		} else {
			rc = pl_op_decode(&op, v.mv_data, v.mv_size, &st->opts.limits);
			if (!rc)
				rc = pl_op_id(&oid, v.mv_data, v.mv_size);
		}
		if (!rc)
			rc = cb(op, &oid, payload);
		pl_op_free(op);
		if (rc)
			goto cleanup;
	}
	if (mrc && mrc != MDB_NOTFOUND)
		rc = pl_error_from_mdb(mrc, "log");
	else if (id && mrc == MDB_NOTFOUND)
		rc = 0;
cleanup:
	mdb_cursor_close(cur);
	mdb_txn_abort(txn);
	return rc;
}

/* An op's bytes as mdb_get found them (mrc 0) into *out, malloc'd. */
static int copy_op(unsigned char **out, size_t *len, int mrc, const MDB_val *v)
{
	if (mrc)
		return pl_error_from_mdb(mrc, "ops");
	if (!(*out = malloc(v->mv_size ? v->mv_size : 1)))
		return pl_error_set(PL_ERROR, "out of memory");
	memcpy(*out, v->mv_data, v->mv_size);
	*len = v->mv_size;
	return 0;
}

int pl_store_op_bytes(unsigned char **out, size_t *len, pl_store *st, const char *node, uint64_t seq)
{
	unsigned char key[PL_NODE_MAX + 9];
	MDB_txn *txn;
	MDB_val k, v;
	int rc;

	*out = NULL;
	*len = 0;
	k.mv_size = pl_store__opkey(key, node, seq);
	k.mv_data = key;
	if ((rc = pl_store__rtxn_begin(st, &txn)))
		return rc;
	rc = mdb_get(txn, st->dbi[DB_OPS], &k, &v);
	if (rc == MDB_NOTFOUND)
		rc = pl_error_set(PL_ENOTFOUND, "no op %s/%llu", node, (unsigned long long)seq);
	else
		rc = copy_op(out, len, rc, &v);
	mdb_txn_abort(txn);
	return rc;
}

int pl_store_node_seq(uint64_t *seq, pl_oid *last_id, pl_store *st, const char *node)
{
	MDB_txn *txn;
	pl_oid dummy;
	int rc;

	if ((rc = pl_store__rtxn_begin(st, &txn)))
		return rc;
	rc = pl_store__seq_get(seq, last_id ? last_id : &dummy, txn, st, node);
	mdb_txn_abort(txn);
	return rc;
}

int pl_store_node_last(uint64_t *seq, uint64_t *hlc, pl_store *st, const char *node)
{
	unsigned char *buf = NULL;
	size_t len = 0;
	pl_op *op = NULL;
	int rc;

	*hlc = 0;
	if ((rc = pl_store_node_seq(seq, NULL, st, node)) || !*seq)
		return rc;
	if ((rc = pl_store_op_bytes(&buf, &len, st, node, *seq)) ||
	    (rc = pl_op_decode(&op, buf, len, &st->opts.limits))) {
		free(buf);
		return rc;
	}
	*hlc = op->hlc;
	pl_op_free(op);
	free(buf);
	return 0;
}

int pl_store_stats_get(pl_store_stats *out, pl_store *st)
{
	const pl_kind_def *const *kinds = pl_schema_kinds();
	MDB_txn *txn;
	MDB_stat ms;
	MDB_envinfo info;
	MDB_val v;
	pl_oid head;
	int rc;

	memset(out, 0, sizeof(*out));
	snprintf(out->node, sizeof(out->node), "%s", st->node);
	if ((rc = pl_store__rtxn_begin(st, &txn)))
		return rc;
	if (pl_store__meta_get(txn, st, "hlc", &v) == 0 && v.mv_size == 8)
		out->hlc = pl_store__get_be64(v.mv_data);
	if ((rc = pl_store__seq_get(&out->seq, &head, txn, st, st->node)))
		goto cleanup;
	mdb_stat(txn, st->dbi[DB_OPS], &ms);
	out->ops = ms.ms_entries;
	for (int i = 0; kinds[i] && i < 16; i++) {
		MDB_cursor *cur;
		MDB_val k;
		char prefix[40];
		size_t plen = strlen(kinds[i]->name) + 1;
		int mrc;

		memcpy(prefix, kinds[i]->name, plen);
		k.mv_size = plen;
		k.mv_data = prefix;
		if (mdb_cursor_open(txn, st->dbi[DB_BYKIND], &cur))
			continue;
		for (mrc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); mrc == 0;
		     mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
			if (k.mv_size < plen || memcmp(k.mv_data, prefix, plen))
				break;
			out->by_kind[i]++;
		}
		mdb_cursor_close(cur);
		out->records += out->by_kind[i];
	}
	mdb_env_info(st->env, &info);
	mdb_env_stat(st->env, &ms);
	out->map_size = info.me_mapsize;
	out->map_used = (info.me_last_pgno + 1) * (size_t)ms.ms_psize;
cleanup:
	mdb_txn_abort(txn);
	return rc;
}

int pl_store_ops_range(pl_store *st, const char *node, uint64_t from, uint64_t to,
                       pl_bytes_cb cb, void *payload)
{
	unsigned char key[PL_NODE_MAX + 9];
	MDB_txn *txn;
	MDB_cursor *cur = NULL;
	MDB_val k, v;
	size_t nlen = strlen(node) + 1;
	int rc, mrc;

	if ((rc = pl_store__rtxn_begin(st, &txn)))
		return rc;
	if ((mrc = mdb_cursor_open(txn, st->dbi[DB_OPS], &cur))) {
		rc = pl_error_from_mdb(mrc, "ops");
		goto cleanup;
	}
	k.mv_size = pl_store__opkey(key, node, from);
	k.mv_data = key;
	for (mrc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); mrc == 0;
	     mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		uint64_t seq;
		if (k.mv_size != nlen + 8 || memcmp(k.mv_data, node, nlen))
			break;
		seq = pl_store__get_be64((unsigned char *)k.mv_data + nlen);
		if (seq > to)
			break;
		if ((rc = cb(seq, v.mv_data, v.mv_size, payload)))
			goto cleanup;
	}
	if (mrc && mrc != MDB_NOTFOUND)
		rc = pl_error_from_mdb(mrc, "ops");
cleanup:
	mdb_cursor_close(cur);
	mdb_txn_abort(txn);
	return rc;
}

int pl_store_op_by_id(unsigned char **out, size_t *len, pl_store *st, const pl_oid *id)
{
	MDB_txn *txn;
	MDB_val k = { PL_OID_RAWSZ, (void *)id->id }, v, ok;
	int rc;

	*out = NULL;
	*len = 0;
	if ((rc = pl_store__rtxn_begin(st, &txn)))
		return rc;
	if ((rc = mdb_get(txn, st->dbi[DB_OPIDS], &k, &ok)) == 0)
		rc = mdb_get(txn, st->dbi[DB_OPS], &ok, &v);
	if (rc == MDB_NOTFOUND)
		rc = pl_error_set(PL_ENOTFOUND, "no op with that id");
	else
		rc = copy_op(out, len, rc, &v);
	mdb_txn_abort(txn);
	return rc;
}
