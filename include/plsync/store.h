/*
 * plsync/store.h — the local store: one LMDB environment per data dir.
 *
 * Named databases: `ops` (node,seq -> op bytes), `opids` (op id -> node,seq),
 * `records` (id -> per-field state), `bykind` and `byref` (indexes),
 * `recops` (id,hlc,node,seq: a record's history) and `meta` (node id,
 * clock, schema version, last seq). A write — validate, stamp the clock,
 * append the op, apply it per field (highest (hlc, node) wins), index — is
 * one write transaction: it commits whole or not at all. A full map is grown
 * and the whole write replayed.
 *
 * One pl_store per thread. Several processes may open one data dir at once;
 * LMDB serialises their writes, so seq stays gapless.
 */
#ifndef PLSYNC_STORE_H
#define PLSYNC_STORE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "plsync/op.h"

typedef struct pl_store pl_store;
typedef struct pl_write pl_write;

typedef struct pl_store_options {
	unsigned int version;
	size_t map_size;   /* initial map size in bytes; 0 = 64 MiB (grows as needed) */
	int    no_sync;    /* 1 = don't fsync each commit (tests, benches only) */
	pl_op_limits limits;
} pl_store_options;
#define PL_STORE_OPTIONS_VERSION 1
#define PL_STORE_OPTIONS_INIT { PL_STORE_OPTIONS_VERSION, 0, 0, PL_OP_LIMITS_INIT }

#define PL_SCHEMA_VERSION 1

/*
 * Create the store in directory `dir` (created if missing, mode 0700; an
 * existing one loses its group and other permissions) for node `node`. Errors: PL_EEXISTS if `dir` already holds a store;
 * PL_EINVALID for a bad node code; PL_EOS/PL_EFULL from the file system.
 */
int pl_store_create(const char *dir, const char *node, const pl_store_options *opts);

/*
 * Open the store in `dir`. *out is owned by the caller (pl_store_free).
 * Errors: PL_ENOTFOUND if `dir` holds no store (hint PL_HINT_INIT);
 * PL_ECORRUPT if the files are not a plsync store or of a newer schema.
 */
int pl_store_open(pl_store **out, const char *dir, const pl_store_options *opts);
void pl_store_free(pl_store *st);

/* The node code of this store. Valid until pl_store_free. */
const char *pl_store_node(const pl_store *st);

/* ---- writing ---- */

enum pl_change_type { PL_CHANGE_CREATE = 1, PL_CHANGE_SET, PL_CHANGE_DEL };

typedef struct pl_change {
	int         type;    /* PL_CHANGE_* */
	const char *kind;    /* CREATE: the kind; SET/DEL: NULL or checked */
	const char *id;      /* CREATE: NULL to generate NODE-XXXXX; else required */
	json_t     *fields;  /* nested object of raw values (strings are parsed
	                        by the schema); null unsets; borrowed */
	const char *note;    /* optional reason, NULL for none */
	const char *where;   /* optional label for errors ("pd.csv line 14") */
} pl_change;

/*
 * Run `fn` inside one write transaction as `actor` ("Name <email>"); `fn`
 * calls pl_write_change() any number of times. If `fn` returns non-zero the
 * transaction is aborted and that code returned; nothing is written. If the
 * map fills, the transaction is aborted, the map grown and `fn` run again
 * from the start, so `fn` must depend only on its payload and the store.
 * Errors: whatever `fn` returns; PL_EFULL if the disk is full.
 */
typedef int (*pl_write_fn)(pl_write *w, void *payload);
int pl_store_write(pl_store *st, const char *actor, pl_write_fn fn, void *payload);

/*
 * Validate and apply one change inside a write. On success the record's id
 * is copied to id_out (may be NULL). Errors: PL_EINVALID (schema, refs),
 * PL_ENOTFOUND (SET/DEL of a missing record), PL_EEXISTS (CREATE of an id in
 * use), PL_EINVALID (CREATE of an id of another node's generated form,
 * NODE-XXXXX, unless this node is DISTRICT), PL_EUSER... all leave the
 * transaction usable only for aborting: the caller's fn should return the
 * code. A SET or DEL is stamped past the record's newest clock, so it wins
 * over every op it saw whatever their clocks.
 */
int pl_write_change(pl_write *w, const pl_change *c, char id_out[PL_ID_MAX + 1]);

/*
 * Check references at the end of this write instead of at each change, so
 * that one import can add records that refer to each other in any order.
 * A reference still missing at the end fails the whole write, naming the
 * change's `where`, the record and the field.
 */
void pl_write_defer_refs(pl_write *w);

/* One change in its own durable transaction (the `plsync add` path). */
int pl_store_change(pl_store *st, const char *actor, const pl_change *c,
                    char id_out[PL_ID_MAX + 1]);

/*
 * Apply an op made by another node (from sync or a bundle) inside a write:
 * the op is decoded with the store's limits, its id computed; an op already
 * present is skipped (returns 1), otherwise it must continue its node's chain
 * (seq = last + 1, prev = last id) or PL_ECORRUPT. Returns 0 when applied.
 */
int pl_write_remote(pl_write *w, const unsigned char *enc, size_t len);

/* What pl_write_remote_ex checks beyond the chain. */
typedef struct pl_remote_check {
	const char *node;       /* the op must be this node's (NULL: any) */
	int         ownership;  /* refuse any op (an edit, a delete, a second create)
	                           on a record another node created, unless made by
	                           DISTRICT: PL_EINVALID. A create of an id of another
	                           node's generated form (NODE-XXXXX) is refused
	                           whatever this says. */
	int         no_dups;    /* an op already here is PL_ECORRUPT, not a skip */
	int         restore;    /* the ops may be this store's own node's: a store
	                           rebuilt from the district repository takes back the
	                           chain its node made (chain, id and ownership checked
	                           as for any node). Without it an op of our own node
	                           that we do not hold is PL_ECORRUPT. */
} pl_remote_check;

/* What the op was, filled even when it is refused (once decoded). */
typedef struct pl_remote_info {
	int      ahead;      /* its clock is more than a day (PL_HLC_AHEAD_MS) ahead of
	                        our wall clock: accepted but worth reporting */
	uint64_t seq;
	char     node[PL_NODE_MAX + 1];
	char     rec[PL_ID_MAX + 1];
	char     kind[33];
	uint64_t hlc;        /* its clock */
	int64_t  skew_ms;    /* its clock's wall time minus ours, in ms */
	pl_oid   id;         /* its id */
	size_t   dangling;   /* ids in its base that name no op this store holds
	                        (normal where a store holds only some nodes' ops;
	                        at the merge, once all are in, a finding). A base
	                        id naming an op of another record is PL_ECORRUPT. */
} pl_remote_info;

/* pl_write_remote with extra checks (chk may be NULL) and the op's identity. */
int pl_write_remote_ex(pl_write *w, const unsigned char *enc, size_t len, const pl_remote_check *chk,
                       pl_remote_info *info);

/*
 * pl_write_remote_ex in two steps, so that the first can run on another
 * thread ahead of the writer: pl_remote_prepare does the op's own checks
 * (decoded with st's limits, id, kind, fields valid) with no transaction;
 * what fails is kept in r and raised by pl_write_remote_prepared exactly
 * where pl_write_remote_ex would, with the same message. enc must stay
 * valid until then; free r with pl_remote_op_clear (on any thread).
 */
enum { PL_REMOTE_DECODE = 1, PL_REMOTE_ID, PL_REMOTE_KIND, PL_REMOTE_SCHEMA };
typedef struct pl_remote_op {
	pl_op *op;
	pl_oid id;
	int    rc;         /* 0, or the first failure */
	int    stage;      /* PL_REMOTE_*: which check failed */
	char   err[640];
} pl_remote_op;
void pl_remote_prepare(pl_remote_op *r, pl_store *st, const unsigned char *enc, size_t len);
int pl_write_remote_prepared(pl_write *w, pl_remote_op *r, const unsigned char *enc, size_t len,
                             const pl_remote_check *chk, pl_remote_info *info);
void pl_remote_op_clear(pl_remote_op *r);

/* ---- reading ---- */

typedef struct pl_record {
	char     *id;
	char     *kind;
	char     *owner;     /* node that created it */
	int       deleted;
	json_t   *fields;    /* nested object of current values */
	json_t   *clocks;    /* object: dotted path -> [hlc, node] that set it */
	uint64_t  created;   /* hlc of the first op */
	uint64_t  updated;   /* hlc of the last op */
	size_t    nheads;
	pl_oid   *heads;
} pl_record;

void pl_record_free(pl_record *r);

/* Errors: PL_ENOTFOUND if no such record (a deleted one is returned with deleted = 1). */
int pl_store_get(pl_record **out, pl_store *st, const char *id);
/* pl_store_get without the clocks (r->clocks is NULL): cheaper, for a
 * record's current state alone. */
int pl_store_get_state(pl_record **out, pl_store *st, const char *id);

/*
 * pl_store_get inside a write: the record as this write has left it so far,
 * so that a rule checked on it and the change it allows commit together (a
 * second writer waits for this one and then sees its change).
 */
int pl_write_get(pl_record **out, pl_write *w, const char *id);

/*
 * Call cb for each live record of `kind`, in id order. If `ref_field` and
 * `ref_id` are given (a PL_T_REF field such as pd_entry.staff), only records
 * whose field names that id, found through the index. A non-zero return
 * from cb stops the walk and is returned. The records come without their
 * clocks (r->clocks is NULL, as pl_store_get_state gives them): a walk
 * lists, counts or matches fields; pl_store_get gives one record's clocks.
 */
typedef int (*pl_record_cb)(const pl_record *r, void *payload);
int pl_store_foreach(pl_store *st, const char *kind, const char *ref_field,
                     const char *ref_id, pl_record_cb cb, void *payload);

/*
 * Call cb for each op, in (node, seq) order, or, when `id` is given, each op
 * on that record in (hlc, node) order. `opid` is the op's id. The op is
 * valid only during the call.
 */
typedef int (*pl_op_cb)(const pl_op *op, const pl_oid *opid, void *payload);
int pl_store_log(pl_store *st, const char *id, pl_op_cb cb, void *payload);

/* Read op bytes of (node, seq) into a malloc'd buffer. PL_ENOTFOUND if absent. */
int pl_store_op_bytes(unsigned char **out, size_t *len, pl_store *st,
                      const char *node, uint64_t seq);

/*
 * Call cb with the bytes of each op of `node` with from <= seq <= to, in seq
 * order. The bytes are valid only during the call.
 */
typedef int (*pl_bytes_cb)(uint64_t seq, const void *bytes, size_t len, void *payload);
int pl_store_ops_range(pl_store *st, const char *node, uint64_t from, uint64_t to,
                       pl_bytes_cb cb, void *payload);

/*
 * Small string values kept beside the data (sync checkpoints). get: *out
 * malloc'd, NULL when unset. set: value NULL deletes. pl_write_meta_set
 * makes the change part of a write, so it commits with that write's ops.
 */
int pl_store_meta_get(char **out, pl_store *st, const char *key);
int pl_store_meta_set(pl_store *st, const char *key, const char *value);
int pl_write_meta_set(pl_write *w, const char *key, const char *value);
/*
 * The meta entry with the greatest key <= `key` among keys starting with
 * `prefix` (both *out malloc'd; NULL, NULL if none).
 */
int pl_store_meta_floor(char **key_out, char **value_out, pl_store *st, const char *prefix,
                        const char *key);
/*
 * Make room for about `bytes` more before a big write (an import), so that
 * it does not fill the map and replay. Call with no write running.
 */
int pl_store_reserve(pl_store *st, size_t bytes);
/* Flush the store to disk (for stores opened with no_sync). */
int pl_store_sync(pl_store *st);
/*
 * Unmap the store's pages from this process (they stay in the page cache
 * and come back on the next read): a long pass over a big store keeps its
 * resident set to what it touches between two calls. Nothing is lost.
 * Call with no read or write running (it reopens the environment).
 */
int pl_store_release_pages(pl_store *st);
/* The store a write belongs to. */
pl_store *pl_write_store(pl_write *w);

/* The bytes of the op with id `id` (malloc'd). PL_ENOTFOUND if absent. */
int pl_store_op_by_id(unsigned char **out, size_t *len, pl_store *st, const pl_oid *id);

/*
 * The open conflicts of record `r`: concurrent heads (ops no other op saw)
 * that set one field to different values. *out is NULL when there is none,
 * else an object: field path -> array of {value, op, node, actor, time, hlc,
 * winner}, highest (hlc, node) first (the same on every replica, whatever
 * order its ops arrived in); the winner, first, is the value in r->fields.
 * A change made here names every head in its base, so it resolves them.
 */
int pl_store_conflicts(json_t **out, pl_store *st, const pl_record *r);

/*
 * The ids of the live records that have an open conflict (pl_store_conflicts
 * gives non-NULL), in strcmp order, as a new JSON array into *out (the
 * caller's), leaving out every id in `except` (an array of ids in strcmp
 * order, as this function gives them, or NULL). So a caller that saved the
 * list before a write learns the records that had no open conflict then and
 * have one now. It reads only the records with two heads or more (an index
 * every write keeps), not the log: the cost grows with those, not with
 * history.
 */
int pl_store_conflicted(json_t **out, pl_store *st, const json_t *except);
/* The number of live records with an open conflict (pl_store_conflicted). */
int pl_store_conflict_count(size_t *n, pl_store *st);

typedef struct pl_store_stats {
	char     node[PL_NODE_MAX + 1];
	uint64_t seq;          /* this node's last seq */
	uint64_t hlc;          /* the clock */
	uint64_t ops;          /* ops in the log, all nodes */
	uint64_t records;      /* live records */
	uint64_t by_kind[16];  /* live records per kind, in pl_schema_kinds() order */
	size_t   map_size;     /* current LMDB map size, bytes */
	size_t   map_used;     /* bytes in use */
} pl_store_stats;
int pl_store_stats_get(pl_store_stats *out, pl_store *st);

/* Last seq of `node` in this store (0 if none). */
int pl_store_node_seq(uint64_t *seq, pl_oid *last_id, pl_store *st, const char *node);
/*
 * The last op of `node` in this store: its seq and its clock (both 0 if the
 * store holds none of that node's ops), for what a report says it knows.
 */
int pl_store_node_last(uint64_t *seq, uint64_t *hlc, pl_store *st, const char *node);

/*
 * Check the store from its op log: every node's chain is gapless with ids
 * matching content, every op is indexed, and every record equals the fold
 * of its ops. Errors: PL_ECORRUPT with the first problem found.
 */
int pl_store_verify(pl_store *st, uint64_t *nops, uint64_t *nrecords);

#endif
