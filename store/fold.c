/*
 * fold.c — the store's fold (rstate.c) as a public API (plsync/fold.h): one
 * record's state in memory, ops applied one by one, read as a pl_record.
 * No second fold anywhere: audit's history folds through here.
 */
#include <stdlib.h>
#include <string.h>

#include "plsync/errors.h"
#include "plsync/fold.h"
#include "store-int.h"

struct pl_fold {
	rstate s;
	size_t n;
};

int pl_fold_new(pl_fold **out)
{
	if (!(*out = calloc(1, sizeof(**out))))
		return pl_error_set(PL_ERROR, "out of memory");
	return 0;
}

int pl_fold_apply(pl_fold *f, const pl_op *op, const pl_oid *id)
{
	int rc = pl_rstate__apply(&f->s, f->n > 0, op, id);
	if (!rc)
		f->n++;
	return rc;
}

size_t pl_fold_count(const pl_fold *f)
{
	return f->n;
}

int pl_fold_record(pl_record **out, const pl_fold *f, const char *id)
{
	rstate view = f->s; /* shares the fold's memory; the heads are copied */
	int rc;

	*out = NULL;
	if (!f->n)
		return pl_error_set(PL_ENOTFOUND, "no op of record '%s' was folded", id);
	view.heads = NULL;
	if (view.nheads && !(view.heads = malloc(view.nheads * sizeof(pl_oid))))
		return pl_error_set(PL_ERROR, "out of memory");
	if (view.nheads)
		memcpy(view.heads, f->s.heads, view.nheads * sizeof(pl_oid));
	rc = pl_store__record(out, &view, id, 1);
	free(view.heads); /* NULL once the record took it */
	return rc;
}

void pl_fold_free(pl_fold *f)
{
	if (!f)
		return;
	pl_rstate__clear(&f->s);
	free(f);
}
