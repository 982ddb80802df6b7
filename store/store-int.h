/*
 * store-int.h — what the files of the store share (not public).
 *
 * The store is one LMDB environment (env.c) of eight named databases:
 *
 *   meta     node, schema, hlc, seq/<node> -> seq + last op id, x/<key>
 *   ops      node \0 seq(be64) -> the op's bytes, as it arrived
 *   opids    op id (20 bytes) -> its ops key
 *   records  record id -> its state (rstate, encoded)
 *   bykind   kind \0 id -> "" for every visible record
 *   byref    target \0 kind \0 field \0 id -> "": who refers to target
 *   recops   id \0 hlc(be64) node \0 seq(be64) -> "": a record's ops in
 *            (hlc, node) order
 *   forks    id -> "" for every record with two heads or more: the only
 *            records that can have an open conflict (conflicts.c)
 *
 * and the files by concept, in the manner of Knot DNS's journal:
 *
 *   env.c       the environment: create, open, map growth, the lock file
 *   txn.c       the sticky write transaction (pl_write), put/del, the seq
 *               and clock meta, the state cache of a remote write
 *   rstate.c    a record's state and THE fold: decode, encode, apply an op
 *               ((hlc, node) wins per leaf path), materialise the fields
 *   fold.c      the fold as a public API (plsync/fold.h)
 *   index.c     what an applied op writes: op log, op id, recops, bykind,
 *               byref; reference checks
 *   owner.c     record ids (the generated form) and who may write a record
 *   local.c     this node's changes (pl_write_change)
 *   remote.c    other nodes' ops (pl_write_remote*): chain, base, ownership
 *   read.c      get, foreach, log, op bytes, ranges, stats
 *   verify.c    pl_store_verify: chains, ids, every record against its fold
 *   meta.c      the callers' meta keys (x/<key>)
 *   conflicts.c a record's concurrent heads, field by field; the records
 *               with open conflicts, from the forks index
 *
 * Every function here follows the store's rules: a pl_write call with w->rc
 * set does nothing and returns it; a failure sets w->rc (sticky).
 */
#ifndef PLSYNC_STORE_INT_H
#define PLSYNC_STORE_INT_H

#include <stdint.h>
#include <string.h>

#include <lmdb.h>
#include <msgpack.h>

#include "plsync/op.h"
#include "plsync/schema.h"
#include "plsync/store.h"

enum { DB_META, DB_OPS, DB_OPIDS, DB_RECORDS, DB_BYKIND, DB_BYREF, DB_RECOPS, DB_FORKS,
       DB_COUNT };
extern const char *const pl_store__db_names[DB_COUNT];

struct pl_store {
	MDB_env         *env;
	MDB_dbi          dbi[DB_COUNT];
	char             node[PL_NODE_MAX + 1];
	char            *dir;
	pl_store_options opts;
};

/* A record's per-field state, as stored in `records`. */
typedef struct rstate {
	char     kind[33];
	char     owner[PL_NODE_MAX + 1];
	uint64_t created, updated, put_hlc, del_hlc;
	size_t   nheads;
	pl_oid  *heads;
	size_t   nnamed;
	pl_oid  *named;    /* every op id some op of this record named in its base */
	/* the leaves: per dotted field path its value (msgpack bytes, as
	 * stored), hlc and node, sorted by path; they point into `stored` (the
	 * bytes it was decoded from), `blks` (what applying ops added) or, for
	 * a copy (pl_rstate__copy), into the original's memory */
	struct leaf   *lv;
	size_t         nlv, caplv;
	unsigned char *stored;
	struct blk    *blks;
	const json_t  *fresh; /* instead of leaves: a new record's create fields,
	                         all at (created, owner) (not owned) */
} rstate;

typedef struct leaf {
	const char          *path;   /* not NUL-terminated */
	size_t               plen;
	const unsigned char *val;    /* one msgpack value */
	size_t               vlen;
	uint64_t             hlc;
	const char          *node;   /* not NUL-terminated */
	size_t               nlen;
} leaf;

struct blk {
	struct blk   *next;
	unsigned char data[];
};

struct pl_write {
	pl_store   *st;
	MDB_txn    *txn;
	const char *actor;
	int         rc;       /* sticky PL_E* code */
	int         full;     /* the map filled: grow and replay */
	uint64_t    hlc;      /* the clock, flushed to meta at commit */
	uint64_t    seq;      /* this node's last seq */
	pl_oid      head;     /* this node's last op id */
	int         dirty;    /* meta needs writing */
	int         defer;    /* check references at the end (pl_write_defer_refs) */
	json_t     *pending;  /* deferred refs: [kind, id, where, rec, path] */
	const char *where;    /* the current change's label */
	const char *rec;      /* the current change's record id */
	const char *rkind;    /* the current change's kind */
	/* bykind keys found by reference checks in this write; emptied when a
	 * record is hidden (a bulk import names the same few records) */
	char        refc[4][PL_ID_MAX + 40];
	size_t      refn[4];
	unsigned    refnext;
	/* the state of the record a remote op last changed: the next op on it
	 * (a record's ops arrive together) takes it instead of decoding it
	 * again, and it is stored once, not once per op */
	int         no_append;   /* an ops put at the end failed: plain puts */
	int         cached;
	int         cache_dirty; /* not yet put: written back when evicted or
	                            before the commit */
	char        cache_id[PL_ID_MAX + 1];
	rstate      cache;
};

/* ---- keys ---- */

static inline void pl_store__put_be64(unsigned char *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (unsigned char)v;
}

static inline uint64_t pl_store__get_be64(const unsigned char *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

/* The ops key: node \0 seq(be64) into buf[PL_NODE_MAX + 9]; its length. */
static inline size_t pl_store__opkey(unsigned char *buf, const char *node, uint64_t seq)
{
	size_t n = strlen(node);
	memcpy(buf, node, n + 1);
	pl_store__put_be64(buf + n + 1, seq);
	return n + 9;
}

/* Join parts (up to four, ended by NULL) with \0 separators into buf; the
 * length (no trailing \0), 0 if they do not fit. */
size_t pl_store__join_key(char *buf, size_t sz, const char *a, const char *b, const char *c,
                          const char *d);

/* ---- env.c ---- */

/* "<dir>/store", malloc'd, or NULL. */
char *pl_store__path(const char *dir);
int pl_store__env_open(pl_store *st, const char *path, int create);
/* Grow the map after a write filled it (no transaction open). */
int pl_store__grow(pl_store *st);
/* A read transaction, retried on MDB_MAP_RESIZED and MDB_READERS_FULL. */
int pl_store__rtxn_begin(pl_store *st, MDB_txn **txn);
/* mdb_get of a meta key: an MDB code. */
int pl_store__meta_get(MDB_txn *txn, pl_store *st, const char *key, MDB_val *v);

/* ---- txn.c ---- */

int pl_write__fail_mdb(pl_write *w, int mrc, const char *what);
int pl_write__put(pl_write *w, int db, const void *k, size_t klen, const void *v, size_t vlen,
                  unsigned flags);
/* A del; a key that is not there is no failure. */
int pl_write__del(pl_write *w, int db, const void *k, size_t klen);
/* Node's last seq and op id (0 and zeroes if none) from meta. */
int pl_store__seq_get(uint64_t *seq, pl_oid *head, MDB_txn *txn, pl_store *st, const char *node);
int pl_write__seq_put(pl_write *w, const char *node, uint64_t seq, const pl_oid *head);
/* Record `id`'s state from `records` (w may be a stack pl_write with only
 * st set, for a read txn); *found 0 if there is none. */
int pl_rstate__load(rstate *s, int *found, pl_write *w, MDB_txn *txn, const char *id);
/* The kept state of `id` as it is, stored or not (the caller keeps it
 * again or fails the write); else pl_rstate__load. */
int pl_rstate__take(rstate *s, int *found, pl_write *w, const char *id);
/* Keep `s` (taken) as record `id`'s state for the next op on it; dirty: not
 * stored yet. What was kept before is stored first. */
int pl_write__cache_keep(pl_write *w, const char *id, rstate *s, int dirty);
/* Store the kept state if it is not yet. */
int pl_write__cache_flush(pl_write *w);
/* Forget the kept state. */
void pl_write__cache_drop(pl_write *w);

/* ---- rstate.c: a record's state and the fold ---- */

void pl_rstate__clear(rstate *s);
/* Decode a stored state (checked whole first); PL_ECORRUPT naming `id`. */
int pl_rstate__decode(rstate *s, const unsigned char *buf, size_t len, const char *id);
int pl_rstate__encode(msgpack_sbuffer *sb, const rstate *s);
/* A copy sharing src's leaf memory (valid while src is), with its own leaf
 * array, heads and named. */
int pl_rstate__copy(rstate *dst, const rstate *src);
/* Apply one op (id: its op id) to a record's state; found: s holds a
 * record already. Order-free: any order of the same ops gives the same
 * fields, clocks, owner and visibility (heads: the same set). */
int pl_rstate__apply(rstate *s, int found, const pl_op *op, const pl_oid *id);
int pl_rstate__visible(const rstate *s);
/* The nested visible fields, and if clocks_out the path -> [hlc, node]. */
json_t *pl_rstate__fields(const rstate *s, json_t **clocks_out);
/* The string value of leaf `name` into buf[sz], or NULL. */
const char *pl_rstate__leaf_str(const rstate *s, const char *name, char *buf, size_t sz);
/* (hlc, node) order: > 0 if a wins over b. */
int pl_rstate__clock_cmp(uint64_t ha, const char *na, uint64_t hb, const char *nb);

/* ---- index.c ---- */

/* Store op `enc` (id `id`, applied: `s` is the record's new state, `before`
 * what it was or NULL for a record new here), its indexes and, unless
 * defer, the state. taken: a record new here that exists already comes
 * back as *taken = 1 with nothing written. */
int pl_write__commit_applied(pl_write *w, const pl_op *op, const unsigned char *enc, size_t len,
                             const pl_oid *id, const rstate *before, const rstate *s, int *taken,
                             int defer);
/* Apply the op to `s` and pl_write__commit_applied. */
int pl_write__commit_op(pl_write *w, const pl_op *op, const unsigned char *enc, size_t len,
                        const pl_oid *id, rstate *s, int found, int defer);
/* A pl_ref_exists_fn for the schema (payload: the pl_write). */
int pl_write__ref_exists(const char *kind, const char *id, const char *path, void *payload);
/* The deferred references must all exist by the end of the write. */
int pl_write__check_pending(pl_write *w);

/* ---- conflicts.c ---- */

/* Fill forks from records, for a store made before it existed (txn: a
 * write txn, dbi[DB_FORKS] opened in it). An MDB code. */
int pl_store__forks_fill(pl_store *st, MDB_txn *txn);

/* ---- owner.c: ids and who may write a record ---- */

void pl_id__copy(char out[PL_ID_MAX + 1], const char *id);
/* NODE-XXXXX for (seq, attempt). */
void pl_id__make(char out[PL_ID_MAX + 1], const char *node, uint64_t seq, unsigned attempt);
int pl_id__valid(const char *id);

typedef enum pl_own {
	PL_OWN_OK = 0,
	PL_OWN_FOREIGN_FORM,  /* a create of an id of another node's generated form */
	PL_OWN_NOT_CREATED,   /* a change of a record no create has made here */
	PL_OWN_OTHERS         /* a change (or second create) of another node's record */
} pl_own;

/*
 * THE ownership rule: may `node` write record `id` (create: a put with an
 * empty base), whose owner is `owner` ("" no create seen; NULL: the record
 * is not judged, only the id's form)? A record belongs to the node whose
 * create made it; DISTRICT may change any, and create any id; no node
 * creates an id of another node's generated form. On a refusal `who` gets
 * the node concerned (the id form's node, or the owner).
 */
pl_own pl_store__may_write(char who[PL_NODE_MAX + 1], const char *node, int create, const char *owner,
                           const char *id);

/* ---- schema.c ---- */

/* "prefix.key" ("key" if prefix is empty) into out[sz], cut at sz - 1 bytes. */
void pl_schema__join_path(char *out, size_t sz, const char *prefix, const char *key);
/* The code of the i-th Learning Forward standard of either set (both sets,
 * each code once), NULL past the last. */
const char *pl_schema__standard(int i);

/* ---- read.c ---- */

/* A pl_record of state `s` (its heads are taken). */
int pl_store__record(pl_record **out, rstate *s, const char *id, int with_clocks);
int pl_store__get_in(pl_record **out, pl_store *st, MDB_txn *txn, const char *id, int with_clocks);
/* Decode the op at ops key `key`; its id into *oid if oid. */
int pl_store__op_at(pl_op **op, pl_oid *oid, pl_store *st, MDB_txn *txn, const void *key, size_t klen);

#endif
