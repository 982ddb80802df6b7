/*
 * verify.c — pl_store_verify: the store checked against its op log.
 *
 * 1. Every node's ops run gapless from seq 1, each prev the id of the op
 *    before, every op in the id index; this node's meta seq is not behind.
 * 2. Every stored record equals the fold (rstate.c) of its ops, read from
 *    recops: fields, visibility and kind; the forks index holds exactly
 *    the records with two heads or more.
 */
#include <stdio.h>
#include <string.h>

#include <lmdb.h>

#include "plsync/errors.h"
#include "store-int.h"

/* 1. chains and ids, per node, in (node, seq) order; the op count */
static int verify_chains(uint64_t *count, pl_store *st, MDB_txn *txn)
{
	MDB_cursor *cur = NULL;
	MDB_val k, v;
	char node[PL_NODE_MAX + 1] = "";
	uint64_t seq = 0;
	pl_oid prev;
	int rc = 0, mrc;

	*count = 0;
	if ((mrc = mdb_cursor_open(txn, st->dbi[DB_OPS], &cur)))
		return pl_error_from_mdb(mrc, "ops");
	for (mrc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); mrc == 0 && !rc;
	     mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		pl_op *op = NULL;
		pl_oid oid;
		MDB_val ik = { PL_OID_RAWSZ, oid.id }, iv;

		if ((rc = pl_op_decode(&op, v.mv_data, v.mv_size, &st->opts.limits)) ||
		    (rc = pl_op_id(&oid, v.mv_data, v.mv_size))) {
			pl_op_free(op);
			break;
		}
		if (strcmp(op->node, node)) {
			snprintf(node, sizeof(node), "%s", op->node);
			seq = 0;
		}
		if (op->seq != seq + 1 || (seq && memcmp(op->prev.id, prev.id, PL_OID_RAWSZ)))
			rc = pl_error_set(PL_ECORRUPT, "op log of %s breaks at seq %llu", node,
			                  (unsigned long long)op->seq);
		else if (mdb_get(txn, st->dbi[DB_OPIDS], &ik, &iv))
			rc = pl_error_set(PL_ECORRUPT, "op %s/%llu is not in the id index", node,
			                  (unsigned long long)op->seq);
		seq = op->seq;
		prev = oid;
		(*count)++;
		pl_op_free(op);
	}
	mdb_cursor_close(cur);
	return rc;
}

/* meta's seq for this node must equal the log's */
static int verify_own_seq(pl_store *st, MDB_txn *txn)
{
	unsigned char key[PL_NODE_MAX + 9];
	MDB_val pk, v;
	pl_oid last;
	uint64_t mseq;
	int rc;

	if ((rc = pl_store__seq_get(&mseq, &last, txn, st, st->node)))
		return rc;
	pk.mv_size = pl_store__opkey(key, st->node, mseq + 1);
	pk.mv_data = key;
	if (mdb_get(txn, st->dbi[DB_OPS], &pk, &v) == 0)
		return pl_error_set(PL_ECORRUPT, "meta seq %llu of %s is behind the op log",
		                    (unsigned long long)mseq, st->node);
	return 0;
}

/* The fold of record `id`'s ops (recops, cursor `ops`) into *fold; *any:
 * it has some. */
static int fold_record_ops(rstate *fold, int *any, pl_store *st, MDB_txn *txn, MDB_cursor *ops,
                           const char *id, size_t idlen)
{
	MDB_val rk = { idlen + 1, (void *)id }, rv;
	int rc = 0, r2;

	memset(fold, 0, sizeof(*fold));
	*any = 0;
	for (r2 = mdb_cursor_get(ops, &rk, &rv, MDB_SET_RANGE); r2 == 0 && !rc;
	     r2 = mdb_cursor_get(ops, &rk, &rv, MDB_NEXT)) {
		pl_op *op = NULL;
		pl_oid oid;
		if (rk.mv_size < idlen + 10 || memcmp(rk.mv_data, id, idlen + 1))
			break;
		if ((rc = pl_store__op_at(&op, &oid, st, txn, (char *)rk.mv_data + idlen + 9,
		                          rk.mv_size - idlen - 9)) == 0 &&
		    (rc = pl_rstate__apply(fold, *any, op, &oid)) == 0)
			*any = 1;
		pl_op_free(op);
	}
	return rc;
}

/* One stored record against the fold of its ops. */
static int verify_record(pl_store *st, MDB_txn *txn, MDB_cursor *ops, const MDB_val *k, const MDB_val *v,
                         uint64_t *forked)
{
	char id[PL_ID_MAX + 2];
	rstate stored, fold;
	json_t *a, *b;
	MDB_val fk = *k, fv;
	int any = 0, eq, rc, indexed;
	size_t nheads;

	if (k->mv_size > PL_ID_MAX)
		return pl_error_set(PL_ECORRUPT, "record key too long");
	memcpy(id, k->mv_data, k->mv_size);
	id[k->mv_size] = '\0';
	if ((rc = pl_rstate__decode(&stored, v->mv_data, v->mv_size, id)))
		return rc;
	if ((rc = fold_record_ops(&fold, &any, st, txn, ops, id, k->mv_size))) {
		pl_rstate__clear(&stored);
		pl_rstate__clear(&fold);
		return rc;
	}
	a = pl_rstate__fields(&stored, NULL);
	b = any ? pl_rstate__fields(&fold, NULL) : NULL;
	eq = any && json_equal(a, b) && pl_rstate__visible(&stored) == pl_rstate__visible(&fold) &&
	     !strcmp(stored.kind, fold.kind);
	nheads = stored.nheads;
	json_decref(a);
	json_decref(b);
	pl_rstate__clear(&stored);
	pl_rstate__clear(&fold);
	if (!eq)
		return pl_error_set(PL_ECORRUPT, "record %s does not match the fold of its ops", id);
	indexed = mdb_get(txn, st->dbi[DB_FORKS], &fk, &fv) == 0;
	if (indexed != (nheads > 1))
		return pl_error_set(PL_ECORRUPT, "record %s has %zu head%s but is %sin the forks index", id,
		                    nheads, nheads == 1 ? "" : "s", indexed ? "" : "not ");
	*forked += indexed;
	return 0;
}

int pl_store_verify(pl_store *st, uint64_t *nops, uint64_t *nrecords)
{
	MDB_txn *txn = NULL;
	MDB_cursor *cur = NULL, *ops = NULL;
	MDB_val k, v;
	uint64_t count = 0, recs = 0, forked = 0;
	MDB_stat fs;
	int rc = 0, mrc;

	*nops = *nrecords = 0;
	if ((rc = pl_store__rtxn_begin(st, &txn)))
		return rc;
	if ((rc = verify_chains(&count, st, txn)) || (rc = verify_own_seq(st, txn)))
		goto cleanup;
	/* 2. every record equals the fold of its ops */
	if ((mrc = mdb_cursor_open(txn, st->dbi[DB_RECORDS], &cur)) ||
	    (mrc = mdb_cursor_open(txn, st->dbi[DB_RECOPS], &ops))) {
		rc = pl_error_from_mdb(mrc, "records");
		goto cleanup;
	}
	for (mrc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); mrc == 0;
	     mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		if ((rc = verify_record(st, txn, ops, &k, &v, &forked)))
			goto cleanup;
		recs++;
	}
	if ((mrc = mdb_stat(txn, st->dbi[DB_FORKS], &fs))) {
		rc = pl_error_from_mdb(mrc, "forks");
		goto cleanup;
	}
	if (fs.ms_entries != forked) {
		rc = pl_error_set(PL_ECORRUPT, "the forks index names %zu records that do not exist",
		                  (size_t)(fs.ms_entries - forked));
		goto cleanup;
	}
	*nops = count;
	*nrecords = recs;
cleanup:
	mdb_cursor_close(ops);
	mdb_cursor_close(cur);
	mdb_txn_abort(txn);
	return rc;
}
