/*
 * testlib.h — what plsync's C tests (and the fuzz harnesses) repeat:
 * temporary directories, fresh stores, remote ops crafted field by field
 * and applied as a fetch or the merge applies them. Linked into every C
 * test and fuzz target (GNUmakefile: ctest_rule, the fuzz rules). Setup that
 * cannot go on bails ("Bail out!", exit 255) unless the function says it
 * returns an error; nothing here counts as a TAP test.
 *
 * Directories
 *   tl_tmpdir(tmpl)               mkdtemp(tmpl) or bail; tmpl is
 *                                 "/tmp/NAME-XXXXXX", changed in place
 *   tl_tmpdir_shm(buf, sz, name)  a new dir NAME-XXXXXX in /dev/shm where
 *                                 it is writable, else in /tmp; NULL when
 *                                 neither works (no bail). For the fuzz
 *                                 harnesses: their store is made anew after
 *                                 every input it took, and on a shared disk
 *                                 that, not the code under test, would set
 *                                 the pace.
 *   tl_rm_rf(path)                remove a tree; 0, or -1 after a diag
 *
 *   tl_fuzz_scratch(dir, dsz, store_dir, ssz, &st, name)
 *                                 a fuzz harness's setup: pl_init, dir from
 *                                 tl_tmpdir_shm, store_dir = dir/store (not
 *                                 made yet), and at exit st freed and dir
 *                                 removed; abort() on failure
 *
 * Stores (node `node`, no fsync)
 *   tl_store_make(&st, dir, node) pl_store_create + pl_store_open: an error
 *                                 code, the error filled
 *   tl_store(dir, node)           the same, bailing on failure
 *   tl_fresh_store(tmpl, node)    tl_tmpdir(tmpl), then tl_store there
 *   tl_store_remake(&st, dir, node)
 *                                 free *st, remove dir, tl_store_make there
 *                                 (a fuzz harness's store, made anew)
 *   tl_store_done(st, dir)        pl_store_free(st), then tl_rm_rf(dir)
 *
 * Ops
 *   struct tl_op                  what an op holds; unset members take the
 *                                 defaults below (designated initialisers)
 *   tl_op_encode(&spec)           encode it: a tl_blob (enc is the caller's
 *                                 to free), its id computed
 *   tl_chain_next(&chain, spec)   the chain's next op: node, seq (last + 1)
 *                                 and prev (the last id, none for seq 1)
 *                                 come from the chain, which moves on
 *   tl_apply(st, why, ops, n, chk, info)
 *                                 apply ops[0..n) in one write with
 *                                 pl_write_remote_ex (chk, info as there,
 *                                 info for the last op); the write's error,
 *                                 else the last op's result (1: skipped)
 *
 * Tampering
 *   tl_store_tamper(dir, db, fn)  open the LMDB of the store in dir directly
 *                                 (no store open on it) and run fn on its
 *                                 database `db` in a write txn, committed if
 *                                 fn gives 0; an MDB code (0: done), after a
 *                                 diag on failure
 */
#ifndef PLSYNC_TESTS_TESTLIB_H
#define PLSYNC_TESTS_TESTLIB_H

#include <stddef.h>
#include <stdint.h>

#include "plsync/plsync.h"

/* 2026-01-01T00:00:00Z as an HLC, counter 0: the clock crafted ops start at. */
#define TL_H (1767225600000ull << 16)

void  tl_tmpdir(char *tmpl);
char *tl_tmpdir_shm(char *buf, size_t sz, const char *name);
int   tl_rm_rf(const char *path);
void  tl_fuzz_scratch(char *dir, size_t dsz, char *store_dir, size_t ssz, pl_store **st, const char *name);

int       tl_store_make(pl_store **st, const char *dir, const char *node);
pl_store *tl_store(const char *dir, const char *node);
pl_store *tl_fresh_store(char *tmpl, const char *node);
int       tl_store_remake(pl_store **st, const char *dir, const char *node);
void      tl_store_done(pl_store *st, const char *dir);

struct tl_op {
	const char   *node;
	uint64_t      seq;
	const pl_oid *prev;    /* NULL: none (seq 1) */
	uint64_t      hlc;
	const char   *actor;   /* NULL: "Remote Person <r@example.org>" */
	const char   *kind;    /* NULL: "staff" */
	const char   *rec;
	int           type;    /* 0: PL_OP_PUT */
	const pl_oid *base;
	size_t        nbase;
	const char   *json;    /* the fields as JSON text; NULL (and no fields): {} */
	json_t       *fields;  /* or the fields themselves (borrowed), before json */
};

struct tl_blob {
	unsigned char *enc;
	size_t         len;
	pl_oid         id;
};

struct tl_chain {
	const char *node;
	uint64_t    seq;       /* the last op's seq, 0 before the first */
	pl_oid      last;      /* the last op's id */
};

struct tl_blob tl_op_encode(const struct tl_op *spec);
struct tl_blob tl_chain_next(struct tl_chain *c, struct tl_op spec);
int            tl_apply(pl_store *st, const char *why, const struct tl_blob *ops, size_t n,
                        const pl_remote_check *chk, pl_remote_info *info);

/* lmdb.h's MDB_txn and MDB_dbi, so that a test need not include it */
struct MDB_txn;
int tl_store_tamper(const char *dir, const char *db, int (*fn)(struct MDB_txn *txn, unsigned int dbi));

#endif
