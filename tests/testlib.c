/*
 * testlib.c — the C tests' shared helpers (testlib.h): temporary
 * directories, fresh stores, crafted remote ops and their apply, and
 * tampering with a store's LMDB behind its back.
 */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lmdb.h>

#include "testlib.h"
#include "tap.h"   /* bail and diag only: the TAP counters are the test's */

void tl_tmpdir(char *tmpl)
{
	if (!mkdtemp(tmpl))
		bail("mkdtemp %s", tmpl);
}

char *tl_tmpdir_shm(char *buf, size_t sz, const char *name)
{
	snprintf(buf, sz, "/dev/shm/%s-XXXXXX", name);
	if (access("/dev/shm", W_OK) == 0 && mkdtemp(buf))
		return buf;
	snprintf(buf, sz, "/tmp/%s-XXXXXX", name);
	return mkdtemp(buf);
}

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

int tl_rm_rf(const char *path)
{
	if (access(path, F_OK) != 0)
		return 0;
	if (nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS) != 0) {
		diag("could not remove %s", path);
		return -1;
	}
	return 0;
}

static struct {
	const char *dir;
	pl_store  **st;
} scratch;

static void scratch_cleanup(void)
{
	tl_store_done(*scratch.st, scratch.dir);
}

void tl_fuzz_scratch(char *dir, size_t dsz, char *store_dir, size_t ssz, pl_store **st, const char *name)
{
	if (pl_init() || !tl_tmpdir_shm(dir, dsz, name))
		abort();
	snprintf(store_dir, ssz, "%s/store", dir);
	scratch.dir = dir;
	scratch.st = st;
	atexit(scratch_cleanup);
}

int tl_store_make(pl_store **st, const char *dir, const char *node)
{
	pl_store_options o = PL_STORE_OPTIONS_INIT;
	int rc;

	o.no_sync = 1;
	*st = NULL;
	if ((rc = pl_store_create(dir, node, &o)))
		return rc;
	return pl_store_open(st, dir, &o);
}

pl_store *tl_store(const char *dir, const char *node)
{
	pl_store *st;

	if (tl_store_make(&st, dir, node))
		bail("store %s: %s", dir, pl_error_last()->message);
	return st;
}

pl_store *tl_fresh_store(char *tmpl, const char *node)
{
	tl_tmpdir(tmpl);
	return tl_store(tmpl, node);
}

int tl_store_remake(pl_store **st, const char *dir, const char *node)
{
	pl_store_free(*st);
	*st = NULL;
	if (tl_rm_rf(dir))
		return pl_error_set(PL_ERROR, "cannot remove %s", dir);
	return tl_store_make(st, dir, node);
}

void tl_store_done(pl_store *st, const char *dir)
{
	pl_store_free(st);
	tl_rm_rf(dir);
}

struct tl_blob tl_op_encode(const struct tl_op *spec)
{
	struct tl_blob b = { NULL, 0, { { 0 } } };
	json_error_t err;
	pl_op op;

	memset(&op, 0, sizeof(op));
	op.v = PL_OP_VERSION;
	op.node = (char *)spec->node;
	op.seq = spec->seq;
	op.has_prev = spec->prev != NULL;
	if (spec->prev)
		op.prev = *spec->prev;
	op.hlc = spec->hlc;
	op.actor = (char *)(spec->actor ? spec->actor : "Remote Person <r@example.org>");
	op.kind = (char *)(spec->kind ? spec->kind : "staff");
	op.rec = (char *)spec->rec;
	op.type = spec->type ? spec->type : PL_OP_PUT;
	op.base = (pl_oid *)spec->base;
	op.nbase = spec->nbase;
	if (spec->fields)
		op.fields = json_incref(spec->fields);
	else
		op.fields = spec->json ? json_loads(spec->json, 0, &err) : json_object();
	if (!op.fields)
		bail("bad test json: %s", err.text);
	if (pl_op_encode(&b.enc, &b.len, &op))
		bail("encode: %s", pl_error_last()->message);
	json_decref(op.fields);
	pl_op_id(&b.id, b.enc, b.len);
	return b;
}

struct tl_blob tl_chain_next(struct tl_chain *c, struct tl_op spec)
{
	struct tl_blob b;

	spec.node = c->node;
	spec.seq = c->seq + 1;
	spec.prev = c->seq ? &c->last : NULL;
	b = tl_op_encode(&spec);
	c->seq++;
	c->last = b.id;
	return b;
}

struct apply {
	const struct tl_blob  *ops;
	size_t                 n;
	const pl_remote_check *chk;
	pl_remote_info        *info;
	int                    last;
};

static int apply_fn(pl_write *w, void *payload)
{
	struct apply *a = payload;

	for (size_t i = 0; i < a->n; i++) {
		a->last = pl_write_remote_ex(w, a->ops[i].enc, a->ops[i].len, a->chk, i + 1 == a->n ? a->info : NULL);
		if (a->last < 0)
			return a->last;
	}
	return 0;
}

int tl_apply(pl_store *st, const char *why, const struct tl_blob *ops, size_t n, const pl_remote_check *chk,
             pl_remote_info *info)
{
	struct apply a = { ops, n, chk, info, 0 };
	int rc = pl_store_write(st, why, apply_fn, &a);

	return rc ? rc : a.last;
}

int tl_store_tamper(const char *dir, const char *db, int (*fn)(MDB_txn *txn, MDB_dbi dbi))
{
	char path[4096];
	MDB_env *env = NULL;
	MDB_txn *txn = NULL;
	MDB_dbi dbi;
	int rc;

	snprintf(path, sizeof(path), "%s/store", dir);
	if ((rc = mdb_env_create(&env)) || (rc = mdb_env_set_maxdbs(env, 16)) ||
	    (rc = mdb_env_open(env, path, 0, 0600)) || (rc = mdb_txn_begin(env, NULL, 0, &txn)) ||
	    (rc = mdb_dbi_open(txn, db, 0, &dbi)) || (rc = fn(txn, dbi))) {
		diag("tamper: %s", mdb_strerror(rc));
		if (txn)
			mdb_txn_abort(txn);
	} else {
		rc = mdb_txn_commit(txn);
	}
	mdb_env_close(env);
	return rc;
}
