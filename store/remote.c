/*
 * remote.c — other nodes' ops: pl_write_remote and its parts.
 *
 * Rules kept here:
 *  - An op is decoded, its id computed and its fields checked by the
 *    schema outside the write (pl_remote_prepare, any thread); inside, the
 *    failures are raised in the order a plain pl_write_remote gives them.
 *  - A node's ops form a chain: seq follows seq, prev is the id of the op
 *    before; an op of a seq already held with another id is two histories.
 *  - An op's base names ops of its own record only.
 *  - The ownership rule (owner.c) when the caller asks for it; a create of
 *    an id of another node's form always.
 *  - Our own node's ops only in a restore (chk->restore): otherwise one we do
 *    not hold is a forgery.
 */
#include <stdio.h>
#include <string.h>

#include <lmdb.h>

#include "plsync/errors.h"
#include "store-int.h"

void pl_remote_prepare(pl_remote_op *r, pl_store *st, const unsigned char *enc, size_t len)
{
	memset(r, 0, sizeof(*r));
	if ((r->rc = pl_op_decode(&r->op, enc, len, &st->opts.limits))) {
		r->stage = PL_REMOTE_DECODE;
	} else if ((r->rc = pl_op_id(&r->id, enc, len))) {
		r->stage = PL_REMOTE_ID;
	} else if (!pl_schema_kind(r->op->kind)) {
		r->stage = PL_REMOTE_KIND;
		r->rc = pl_error_set(PL_ECORRUPT, "op %s/%llu: unknown kind '%s'", r->op->node,
		                     (unsigned long long)r->op->seq, r->op->kind);
	} else if ((r->rc = pl_schema_validate(pl_schema_kind(r->op->kind), r->op->fields, NULL, NULL, NULL))) {
		r->stage = PL_REMOTE_SCHEMA;
		pl_error_prefix("op %s/%llu", r->op->node, (unsigned long long)r->op->seq);
	}
	if (r->rc)
		snprintf(r->err, sizeof(r->err), "%s", pl_error_last()->message);
}

void pl_remote_op_clear(pl_remote_op *r)
{
	pl_op_free(r->op);
	memset(r, 0, sizeof(*r));
}

/* A failure pl_remote_prepare found, raised on this thread at stage `at`. */
static int prepared_fails(const pl_remote_op *r, int at)
{
	return r->rc && r->stage == at ? pl_error_set(r->rc, "%s", r->err) : 0;
}

static int oid_in(const pl_oid *list, size_t n, const pl_oid *id)
{
	for (size_t i = 0; i < n; i++)
		if (!memcmp(list[i].id, id->id, PL_OID_RAWSZ))
			return 1;
	return 0;
}

/*
 * An op of a seq this store already holds, with another id (the same id
 * was found as a duplicate before): two different histories of one node.
 * Named as such, with both ids, so that neither is taken for a gap.
 */
static int chain_conflict(pl_write *w, const pl_op *op, const pl_oid *oid)
{
	unsigned char key[PL_NODE_MAX + 9];
	char here[41] = "(unreadable)", there[41];
	MDB_val k, v;
	pl_oid have;

	k.mv_size = pl_store__opkey(key, op->node, op->seq);
	k.mv_data = key;
	if (mdb_get(w->txn, w->st->dbi[DB_OPS], &k, &v) == 0 && pl_op_id(&have, v.mv_data, v.mv_size) == 0)
		pl_oid_fmt(here, &have);
	pl_oid_fmt(there, oid);
	return pl_error_set(PL_ECONFLICT, "these ops of %s differ from ones already applied: %s/%llu is %.12s here, "
	                    "%.12s in what arrived (two histories of one node: one of them is forged or was rewritten)",
	                    op->node, op->node, (unsigned long long)op->seq, here, there);
}

/*
 * The ops an op's base names are ops of its record (state `s`): one of
 * another record is PL_ECORRUPT. One this store does not hold is counted
 * in *dangling (a store may hold only some nodes' ops). Every op of the
 * record held here is one of its heads or named by one of its ops, so only
 * a held id outside those is read to find its record.
 */
static int check_base(pl_write *w, const pl_op *op, const rstate *s, size_t *dangling)
{
	*dangling = 0;
	for (size_t b = 0; b < op->nbase; b++) {
		MDB_val k = { PL_OID_RAWSZ, (void *)op->base[b].id }, key, v;
		char kind[33], rec[PL_ID_MAX + 1], hex[PL_OID_HEXSZ + 1];
		int type, mrc;

		if ((mrc = mdb_get(w->txn, w->st->dbi[DB_OPIDS], &k, &key)) == MDB_NOTFOUND) {
			(*dangling)++;
			continue;
		}
		if (mrc)
			return pl_write__fail_mdb(w, mrc, pl_store__db_names[DB_OPIDS]);
		if (oid_in(s->heads, s->nheads, &op->base[b]) || oid_in(s->named, s->nnamed, &op->base[b]))
			continue;
		if ((mrc = mdb_get(w->txn, w->st->dbi[DB_OPS], &key, &v)))
			return pl_write__fail_mdb(w, mrc, pl_store__db_names[DB_OPS]);
		pl_oid_fmt(hex, &op->base[b]);
		if (pl_op_peek(&type, kind, rec, v.mv_data, v.mv_size))
			return pl_error_prefix("op %.12s, named in the base of op %s/%llu", hex, op->node,
			                       (unsigned long long)op->seq);
		if (strcmp(rec, op->rec))
			return pl_error_set(PL_ECORRUPT, "op %s/%llu on %s names in its base op %.12s, which is an op of "
			                    "record %s", op->node, (unsigned long long)op->seq, op->rec, hex, rec);
	}
	return 0;
}

static void fill_info(pl_remote_info *info, const pl_op *op, const pl_oid *oid)
{
	uint64_t wall = pl_hlc_wall_ms();

	info->ahead = (op->hlc >> 16) > wall + PL_HLC_AHEAD_MS;
	info->hlc = op->hlc;
	info->skew_ms = (int64_t)(op->hlc >> 16) - (int64_t)wall;
	info->id = *oid;
	info->dangling = 0;
	info->seq = op->seq;
	snprintf(info->node, sizeof(info->node), "%s", op->node);
	snprintf(info->rec, sizeof(info->rec), "%s", op->rec);
	snprintf(info->kind, sizeof(info->kind), "%s", op->kind);
}

/*
 * Where the op stands in its node's chain: 1 if it is here already (or,
 * with chk->no_dups, PL_ECORRUPT), 0 if it is the next one, else the error.
 */
static int chain_check(pl_write *w, const pl_op *op, const pl_oid *oid, const pl_remote_check *chk)
{
	MDB_val k = { PL_OID_RAWSZ, (void *)oid->id }, v;
	uint64_t seq;
	pl_oid last;
	int rc;

	if (mdb_get(w->txn, w->st->dbi[DB_OPIDS], &k, &v) == 0) {
		if (chk && chk->no_dups)
			return pl_error_set(PL_ECORRUPT, "op %s/%llu is already here (a replayed op)",
			                    op->node, (unsigned long long)op->seq);
		return 1; /* already have it */
	}
	if (!strcmp(op->node, w->st->node) && !(chk && chk->restore))
		return pl_error_set(PL_ECORRUPT, "op %s/%llu claims to be ours but we never made it",
		                    op->node, (unsigned long long)op->seq);
	if ((rc = pl_store__seq_get(&seq, &last, w->txn, w->st, op->node)))
		return rc;
	if (op->seq <= seq)
		return chain_conflict(w, op, oid);
	if (op->seq != seq + 1)
		return pl_error_set(PL_ECORRUPT, "op %s/%llu does not follow %s/%llu (gap or replay)",
		                    op->node, (unsigned long long)op->seq, op->node, (unsigned long long)seq);
	if (seq && memcmp(op->prev.id, last.id, PL_OID_RAWSZ))
		return pl_error_set(PL_ECORRUPT, "op %s/%llu: prev does not match the id of %s/%llu (broken chain)",
		                    op->node, (unsigned long long)op->seq, op->node, (unsigned long long)seq);
	return 0;
}

/*
 * The ownership rule (owner.c) for op on a record of state `s` (found: it
 * is here). owner == NULL: the record not looked at yet, only the id's
 * form is judged (refused always, whatever arrived first: never a way into
 * a record); else the owner too, if chk->ownership.
 */
static int owner_check(const pl_op *op, const rstate *s, int found, int judge_owner,
                       const pl_remote_check *chk)
{
	int create = op->type == PL_OP_PUT && op->nbase == 0;
	char who[PL_NODE_MAX + 1];

	if (judge_owner && !(chk && chk->ownership))
		return 0;
	switch (pl_store__may_write(who, op->node, create, judge_owner ? (found ? s->owner : "") : NULL,
	                            op->rec)) {
	case PL_OWN_FOREIGN_FORM:
		return pl_error_set(PL_EINVALID, "op %s/%llu creates %s %s, an id of node %s's form (only %s or "
		                    "DISTRICT may create it)", op->node, (unsigned long long)op->seq, op->kind,
		                    op->rec, who, who);
	case PL_OWN_OTHERS:
		/* a second create of an id by another node is a foreign write like
		 * any other: the first create owns the record */
		return pl_error_set(PL_EINVALID, "op %s/%llu %s %s %s, which belongs to %s (only %s or DISTRICT may "
		                    "change it)", op->node, (unsigned long long)op->seq,
		                    create ? "creates again" : "changes", op->kind, op->rec, who, who);
	case PL_OWN_NOT_CREATED:
		return pl_error_set(PL_EINVALID, "op %s/%llu changes %s %s, which no create has made here yet (only "
		                    "its creating node, after its create, or DISTRICT may change it)",
		                    op->node, (unsigned long long)op->seq, op->kind, op->rec);
	default:
		return 0;
	}
}

/* The op passed every check: apply it to `s` (kept for the next op on the
 * record), store it, and move the node's seq and our clock. */
static int remote_commit(pl_write *w, const pl_op *op, const unsigned char *enc, size_t len,
                         const pl_oid *oid, rstate *s, int found)
{
	int rc;

	if ((rc = pl_write__commit_op(w, op, enc, len, oid, s, found, 1)) ||
	    (rc = pl_write__cache_keep(w, op->rec, s, 1)))
		return rc;
	pl_write__seq_put(w, op->node, op->seq, oid);
	if (!strcmp(op->node, w->st->node)) { /* a restore: our own chain, which the write keeps too */
		w->seq = op->seq;
		w->head = *oid;
	}
	w->hlc = pl_hlc_recv_bounded(w->hlc, op->hlc, pl_hlc_wall_ms());
	w->dirty = 1;
	return w->rc;
}

int pl_write_remote_prepared(pl_write *w, pl_remote_op *r, const unsigned char *enc, size_t len,
                             const pl_remote_check *chk, pl_remote_info *info)
{
	pl_op *op = r->op;
	rstate s = { .lv = NULL };
	size_t dangling = 0;
	int found = 0, rc;

	if (w->rc)
		return w->rc;
	if ((rc = prepared_fails(r, PL_REMOTE_DECODE)))
		return rc;
	if (info)
		fill_info(info, op, &r->id);
	if (chk && chk->node && strcmp(op->node, chk->node)) {
		rc = pl_error_set(PL_ECORRUPT, "op %s/%llu claims node %s where only %s's ops belong",
		                  op->node, (unsigned long long)op->seq, op->node, chk->node);
		goto cleanup;
	}
	if ((rc = prepared_fails(r, PL_REMOTE_ID)) || (rc = chain_check(w, op, &r->id, chk)))
		goto cleanup;
	if ((rc = prepared_fails(r, PL_REMOTE_KIND)) || (rc = prepared_fails(r, PL_REMOTE_SCHEMA)) ||
	    (rc = owner_check(op, NULL, 0, 0, chk)))
		goto cleanup;
	if ((rc = pl_rstate__take(&s, &found, w, op->rec)))
		goto cleanup;
	if (found && strcmp(s.kind, op->kind)) {
		rc = pl_error_set(PL_ECORRUPT, "op %s/%llu changes %s as a %s, but it is a %s",
		                  op->node, (unsigned long long)op->seq, op->rec, op->kind, s.kind);
		goto cleanup;
	}
	if ((rc = owner_check(op, &s, found, 1, chk)) || (rc = check_base(w, op, &s, &dangling)))
		goto cleanup;
	if (info)
		info->dangling = dangling;
	rc = remote_commit(w, op, enc, len, &r->id, &s, found);

cleanup:
	pl_rstate__clear(&s);
	if (rc < 0 && !w->rc)
		w->rc = rc;
	return rc;
}

int pl_write_remote_ex(pl_write *w, const unsigned char *enc, size_t len, const pl_remote_check *chk,
                       pl_remote_info *info)
{
	pl_remote_op r;
	int rc;

	if (w->rc)
		return w->rc;
	pl_remote_prepare(&r, w->st, enc, len);
	rc = pl_write_remote_prepared(w, &r, enc, len, chk, info);
	pl_remote_op_clear(&r);
	return rc;
}

int pl_write_remote(pl_write *w, const unsigned char *enc, size_t len)
{
	return pl_write_remote_ex(w, enc, len, NULL, NULL);
}
