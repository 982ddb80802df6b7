/*
 * plsync/fold.h — THE fold: what a set of ops makes of one record, the
 * store's own rule offered to whoever folds ops outside a store (audit's
 * history: log, show --at).
 *
 * The rule (the store keeps every record by it, pl_store_verify checks it):
 *  - per leaf field path (dotted, "approvals.supervisor.by") the value of
 *    the op with the highest (hlc, node) wins; a null is a tombstone that
 *    unsets the path and hides every older value below it;
 *  - visible (not deleted) while the newest put is newer than the newest
 *    del;
 *  - the owner is the node of the earliest create (a put with an empty
 *    base), "" while no create was folded; created is that create's hlc
 *    (until then the earliest op's), updated the newest op's;
 *  - heads are the folded ops no other folded op named in its base.
 * Any order of the same ops gives the same record (heads: the same set,
 * in the order they were folded).
 */
#ifndef PLSYNC_FOLD_H
#define PLSYNC_FOLD_H

#include <stddef.h>

#include "plsync/op.h"
#include "plsync/store.h"

typedef struct pl_fold pl_fold;

/* An empty fold into *out (pl_fold_free). Errors: PL_ERROR (memory). */
int pl_fold_new(pl_fold **out);

/*
 * Fold one op (`id`: its op id, pl_op_id) in. The op's kind is the record's
 * when it is the first; nothing here checks chains, kinds or ownership
 * (the store does, before it folds). The op is not kept: it may be freed
 * after the call. Errors: PL_ERROR (memory), PL_EINVALID for a value that
 * cannot be packed; the fold is then as it was or partly applied: free it.
 */
int pl_fold_apply(pl_fold *f, const pl_op *op, const pl_oid *id);

/* How many ops were folded. */
size_t pl_fold_count(const pl_fold *f);

/*
 * The record as folded so far, as pl_store_get gives it (fields, clocks,
 * kind, owner, created, updated, heads, deleted), into *out
 * (pl_record_free); `id` is its id. Errors: PL_ENOTFOUND if no op was
 * folded; PL_ERROR (memory).
 */
int pl_fold_record(pl_record **out, const pl_fold *f, const char *id);

/* Free the fold; NULL is fine. */
void pl_fold_free(pl_fold *f);

#endif
