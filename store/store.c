/*
 * store.c — the LMDB store: op log, records, indexes, meta.
 *
 * Rules kept here:
 *  - A write is one LMDB write transaction: the op is appended, applied and
 *    indexed, and meta (seq, head, clock) updated, or none of it is.
 *  - Transactions are wrapped Knot-style in pl_write with a sticky code:
 *    after the first failure every call is a no-op and the write aborts.
 *  - MDB_MAP_FULL aborts the transaction; the map is doubled with no
 *    transaction active and the caller's whole write function replayed.
 *  - A record's state is kept per leaf field path as (value, hlc, node); the
 *    highest (hlc, node) wins, so applying the same ops in any order gives
 *    the same record. A null value is a tombstone that also hides older
 *    values below its path.
 *  - Data from mdb_get is decoded before the next write touches the txn.
 *  - Read transactions belong to the txn, not the thread (MDB_NOTLS), so a
 *    callback handed a record or an op may call back into the store.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <lmdb.h>
#include <msgpack.h>

#include "plsync/errors.h"
#include "plsync/json.h"
#include "plsync/schema.h"
#include "plsync/store.h"
#include "plsync/text.h"
#include "mpack.h"

#define DEFAULT_MAP (64u << 20)
#define MAX_MAP ((size_t)1 << 40)

enum { DB_META, DB_OPS, DB_OPIDS, DB_RECORDS, DB_BYKIND, DB_BYREF, DB_RECOPS, DB_COUNT };
static const char *const db_names[DB_COUNT] = {
	"meta", "ops", "opids", "records", "bykind", "byref", "recops"
};

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
	 * a copy (rstate_copy), into the original's memory */
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


static int txn_put(pl_write *w, int db, const void *k, size_t klen, const void *v, size_t vlen,
                   unsigned flags);
static int rstate_load(rstate *s, int *found, pl_write *w, MDB_txn *txn, const char *id);
static void rstate_clear(rstate *s);
static void cache_drop(pl_write *w);
static int cache_flush(pl_write *w);
static int check_pending(pl_write *w);

/* ---- keys ---- */

static void put_be64(unsigned char *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (unsigned char)v;
}

static uint64_t get_be64(const unsigned char *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

/* node \0 seq(be64) */
static size_t opkey(unsigned char *buf, const char *node, uint64_t seq)
{
	size_t n = strlen(node);
	memcpy(buf, node, n + 1);
	put_be64(buf + n + 1, seq);
	return n + 9;
}

/* Join parts with \0 separators into buf; returns length (no trailing \0). */
static size_t join_key(char *buf, size_t sz, const char *a, const char *b, const char *c, const char *d)
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

/* ---- environment ---- */

/*
 * LMDB sizes a new lock file with ftruncate and writes its reader table
 * through a shared map: on a full disk that write is a SIGBUS, not an error.
 * So the file's blocks are allocated first (LOCK_BYTES: the table of the
 * 126 readers env_open asks for), and a full disk is an error here.
 */
#define LOCK_BYTES 8192
static int lock_alloc(const char *path, const char *dir)
{
	char lock[4096];
	struct stat sb;
	int fd, e = 0;

	snprintf(lock, sizeof(lock), "%s/lock.mdb", path);
	if ((fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0)
		return errno == ENOSPC || errno == EDQUOT ? pl_error_disk_full(dir) : 0; /* else LMDB says why */
	if (fstat(fd, &sb) || sb.st_size < LOCK_BYTES)
		e = posix_fallocate(fd, 0, LOCK_BYTES);
	close(fd);
	if (e == 0 || e == EOPNOTSUPP || e == EINVAL)
		return 0; /* no fallocate here: as before */
	errno = e;
	return pl_error_from_errno(dir);
}

static int env_open(pl_store *st, const char *path, int create)
{
	MDB_txn *txn = NULL;
	int rc;

	if ((rc = lock_alloc(path, st->dir ? st->dir : path)))
		return rc;

	if ((rc = mdb_env_create(&st->env)))
		return pl_error_from_mdb(rc, path);
	mdb_env_set_maxdbs(st->env, DB_COUNT + 2);
	mdb_env_set_maxreaders(st->env, 126);
	if ((rc = mdb_env_set_mapsize(st->env, st->opts.map_size ? st->opts.map_size : DEFAULT_MAP)))
		return pl_error_from_mdb(rc, path);
	/* MDB_NOTLS: a callback of pl_store_foreach/pl_store_log may read the
	 * store again (a second read txn on the thread) */
	if ((rc = mdb_env_open(st->env, path, MDB_NOTLS | (st->opts.no_sync ? MDB_NOSYNC : 0), 0600)))
		return pl_error_from_mdb(rc, path);
	{
		int dead = 0;
		mdb_reader_check(st->env, &dead);
	}
	if ((rc = mdb_txn_begin(st->env, NULL, create ? 0 : MDB_RDONLY, &txn))) {
		if (rc == MDB_MAP_RESIZED) {
			mdb_env_set_mapsize(st->env, 0);
			rc = mdb_txn_begin(st->env, NULL, create ? 0 : MDB_RDONLY, &txn);
		}
		if (rc)
			return pl_error_from_mdb(rc, path);
	}
	for (int i = 0; i < DB_COUNT; i++) {
		if ((rc = mdb_dbi_open(txn, db_names[i], create ? MDB_CREATE : 0, &st->dbi[i]))) {
			mdb_txn_abort(txn);
			if (rc == MDB_NOTFOUND)
				return pl_error_set(PL_ECORRUPT, "%s: not a plsync store (no '%s' database)",
				                    path, db_names[i]);
			return pl_error_from_mdb(rc, path);
		}
	}
	if ((rc = mdb_txn_commit(txn)))
		return pl_error_from_mdb(rc, path);
	return 0;
}

static char *store_path(const char *dir)
{
	size_t n = strlen(dir) + 8;
	char *p = malloc(n);
	if (p)
		snprintf(p, n, "%s/store", dir);
	return p;
}

void pl_store_free(pl_store *st)
{
	if (!st)
		return;
	if (st->env)
		mdb_env_close(st->env);
	free(st->dir);
	free(st);
}

const char *pl_store_node(const pl_store *st)
{
	return st->node;
}

static int meta_get(MDB_txn *txn, pl_store *st, const char *key, MDB_val *v)
{
	MDB_val k = { strlen(key), (void *)key };
	return mdb_get(txn, st->dbi[DB_META], &k, v);
}

int pl_store_create(const char *dir, const char *node, const pl_store_options *opts)
{
	pl_store_options defaults = PL_STORE_OPTIONS_INIT;
	pl_store *st = NULL;
	char *path = NULL, datafile[4096];
	struct stat sb;
	pl_write w;
	int rc = 0;

	if (!pl_node_valid(node))
		return pl_error_set(PL_EINVALID, "node code '%s' is not valid: use 1-32 of A-Z, 0-9, '-', '_' (e.g. LIN01)", node);
	if (!(path = store_path(dir)))
		return pl_error_set(PL_ERROR, "out of memory");
	snprintf(datafile, sizeof(datafile), "%s/data.mdb", path);
	if (stat(datafile, &sb) == 0) {
		rc = pl_error_set(PL_EEXISTS, "%s already holds a plsync store", dir);
		goto cleanup;
	}
	if ((mkdir(dir, 0700) && errno != EEXIST) || (mkdir(path, 0700) && errno != EEXIST)) {
		rc = pl_error_from_errno(dir);
		goto cleanup;
	}
	/* the data dir holds the config (a password) and the store: the owner's alone,
	 * also when it existed before */
	if (stat(dir, &sb) == 0 && (sb.st_mode & 077) && chmod(dir, sb.st_mode & 07700)) {
		rc = pl_error_set(PL_EOS, "cannot make %s private (mode 0700): %s", dir, strerror(errno));
		goto cleanup;
	}
	if (!(st = calloc(1, sizeof(*st)))) {
		rc = pl_error_set(PL_ERROR, "out of memory");
		goto cleanup;
	}
	st->opts = opts ? *opts : defaults;
	if ((rc = env_open(st, path, 1)))
		goto cleanup;
	memset(&w, 0, sizeof(w));
	w.st = st;
	if ((rc = mdb_txn_begin(st->env, NULL, 0, &w.txn))) {
		rc = pl_error_from_mdb(rc, dir);
		goto cleanup;
	}
	{
		unsigned char ver[4] = { 0, 0, 0, PL_SCHEMA_VERSION };
		txn_put(&w, DB_META, "node", 4, node, strlen(node), 0);
		txn_put(&w, DB_META, "schema", 6, ver, 4, 0);
	}
	if (w.rc) {
		mdb_txn_abort(w.txn);
		rc = w.rc;
		goto cleanup;
	}
	if ((rc = mdb_txn_commit(w.txn)))
		rc = pl_error_from_mdb(rc, dir);

cleanup:
	pl_store_free(st);
	free(path);
	return rc;
}

int pl_store_open(pl_store **out, const char *dir, const pl_store_options *opts)
{
	pl_store_options defaults = PL_STORE_OPTIONS_INIT;
	pl_store *st = NULL;
	char *path = NULL, datafile[4096];
	MDB_txn *txn = NULL;
	MDB_val v;
	struct stat sb;
	int rc = 0;

	*out = NULL;
	if (!(path = store_path(dir)))
		return pl_error_set(PL_ERROR, "out of memory");
	snprintf(datafile, sizeof(datafile), "%s/data.mdb", path);
	if (stat(datafile, &sb) != 0) {
		rc = pl_error_set(PL_ENOTFOUND, "%s is not a plsync data dir (no store); run 'plsync init --node CODE' first", dir);
		goto cleanup;
	}
	if (!(st = calloc(1, sizeof(*st))) || !(st->dir = strdup(dir))) {
		rc = pl_error_set(PL_ERROR, "out of memory");
		goto cleanup;
	}
	st->opts = opts ? *opts : defaults;
	if ((rc = env_open(st, path, 0)))
		goto cleanup;
	if ((rc = mdb_txn_begin(st->env, NULL, MDB_RDONLY, &txn))) {
		rc = pl_error_from_mdb(rc, dir);
		goto cleanup;
	}
	if (meta_get(txn, st, "schema", &v) || v.mv_size != 4) {
		rc = pl_error_set(PL_ECORRUPT, "%s: store has no schema version", dir);
		goto cleanup;
	}
	if (((unsigned char *)v.mv_data)[3] > PL_SCHEMA_VERSION) {
		rc = pl_error_set(PL_ECORRUPT, "%s: store schema %u is newer than this plsync (%d); upgrade plsync",
		                  dir, ((unsigned char *)v.mv_data)[3], PL_SCHEMA_VERSION);
		goto cleanup;
	}
	if (meta_get(txn, st, "node", &v) || v.mv_size == 0 || v.mv_size > PL_NODE_MAX) {
		rc = pl_error_set(PL_ECORRUPT, "%s: store has no node id", dir);
		goto cleanup;
	}
	memcpy(st->node, v.mv_data, v.mv_size);
	st->node[v.mv_size] = '\0';

cleanup:
	if (txn)
		mdb_txn_abort(txn);
	if (rc) {
		pl_store_free(st);
		st = NULL;
	}
	free(path);
	*out = st;
	return rc;
}

/* ---- the sticky write wrapper ---- */

static int w_fail_mdb(pl_write *w, int mrc, const char *what)
{
	if (w->rc)
		return w->rc;
	if (mrc == MDB_MAP_FULL || mrc == MDB_TXN_FULL)
		w->full = 1;
	w->rc = pl_error_from_mdb(mrc, what);
	return w->rc;
}

static int txn_put(pl_write *w, int db, const void *k, size_t klen, const void *v, size_t vlen,
                   unsigned flags)
{
	MDB_val key = { klen, (void *)k }, val = { vlen, (void *)v };
	int rc;

	if (w->rc)
		return w->rc;
	if ((rc = mdb_put(w->txn, w->st->dbi[db], &key, &val, flags)))
		return w_fail_mdb(w, rc, db_names[db]);
	return 0;
}

static int txn_del(pl_write *w, int db, const void *k, size_t klen)
{
	MDB_val key = { klen, (void *)k };
	int rc;

	if (w->rc)
		return w->rc;
	if ((rc = mdb_del(w->txn, w->st->dbi[db], &key, NULL)) && rc != MDB_NOTFOUND)
		return w_fail_mdb(w, rc, db_names[db]);
	return 0;
}

static int seq_get(uint64_t *seq, pl_oid *head, MDB_txn *txn, pl_store *st, const char *node)
{
	char key[PL_NODE_MAX + 8];
	MDB_val v;
	int rc;

	snprintf(key, sizeof(key), "seq/%s", node);
	*seq = 0;
	memset(head, 0, sizeof(*head));
	if ((rc = meta_get(txn, st, key, &v)) == MDB_NOTFOUND)
		return 0;
	if (rc)
		return pl_error_from_mdb(rc, "meta");
	if (v.mv_size != 8 + PL_OID_RAWSZ)
		return pl_error_set(PL_ECORRUPT, "meta %s is damaged", key);
	*seq = get_be64(v.mv_data);
	memcpy(head->id, (unsigned char *)v.mv_data + 8, PL_OID_RAWSZ);
	return 0;
}

static int seq_put(pl_write *w, const char *node, uint64_t seq, const pl_oid *head)
{
	char key[PL_NODE_MAX + 8];
	unsigned char v[8 + PL_OID_RAWSZ];

	snprintf(key, sizeof(key), "seq/%s", node);
	put_be64(v, seq);
	memcpy(v + 8, head->id, PL_OID_RAWSZ);
	return txn_put(w, DB_META, key, strlen(key), v, sizeof(v), 0);
}

static int write_begin(pl_write *w)
{
	MDB_val v;
	int rc;

	for (int tries = 0;; tries++) {
		rc = mdb_txn_begin(w->st->env, NULL, 0, &w->txn);
		if (rc == MDB_MAP_RESIZED && tries < 3) {
			mdb_env_set_mapsize(w->st->env, 0);
			continue;
		}
		if (rc == MDB_READERS_FULL && tries < 3) {
			int dead;
			mdb_reader_check(w->st->env, &dead);
			continue;
		}
		break;
	}
	if (rc) {
		w->txn = NULL;
		return pl_error_from_mdb(rc, "starting a write");
	}
	w->hlc = 0;
	if (meta_get(w->txn, w->st, "hlc", &v) == 0 && v.mv_size == 8)
		w->hlc = get_be64(v.mv_data);
	if ((rc = seq_get(&w->seq, &w->head, w->txn, w->st, w->st->node)))
		return rc;
	return 0;
}

static int write_flush_meta(pl_write *w)
{
	unsigned char h[8];

	if (cache_flush(w))
		return w->rc;
	if (w->pending && check_pending(w))
		return w->rc;
	if (!w->dirty)
		return w->rc;
	put_be64(h, w->hlc);
	txn_put(w, DB_META, "hlc", 3, h, 8, 0);
	if (w->seq)
		seq_put(w, w->st->node, w->seq, &w->head);
	return w->rc;
}

/*
 * Grow the map after a write filled it. The write needed more than the room
 * that was left, by how much is unknown: give it four times that room and
 * never less than double the map. A big import into a young store then
 * replays once instead of once per doubling (the map is address space; the
 * file grows only as pages are written).
 */
static int grow(pl_store *st)
{
	MDB_envinfo info;
	MDB_stat ms;
	size_t next, used, room, psize;
	int rc;

	mdb_env_info(st->env, &info);
	mdb_env_stat(st->env, &ms);
	psize = ms.ms_psize ? ms.ms_psize : 4096;
	used = (info.me_last_pgno + 1) * psize;
	room = info.me_mapsize > used ? info.me_mapsize - used : 0;
	next = info.me_mapsize * 2;
	if (next > MAX_MAP)
		return pl_error_set(PL_EFULL, "store map cannot grow past %zu bytes", (size_t)MAX_MAP);
	if (room <= (MAX_MAP - used) / 4 && used + 4 * room > next)
		next = used + 4 * room;
	if (next > MAX_MAP)
		next = MAX_MAP;
	next = (next + psize - 1) / psize * psize;
	if ((rc = mdb_env_set_mapsize(st->env, next)))
		return pl_error_from_mdb(rc, "growing the store map");
	return 0;
}

/*
 * A commit that failed. LMDB gives ENOSPC for a write the disk refused, but
 * EIO for a short one (the disk filled part way): an EIO on a file system
 * with less than 1 MiB left is the disk being full too. Either way the
 * meta page was not written: the store is as it was before the write.
 */
static int commit_failed(const pl_store *st, int mrc)
{
	struct statvfs vfs;

	if (mrc == ENOSPC || mrc == EDQUOT ||
	    (mrc == EIO && statvfs(st->dir, &vfs) == 0 &&
	     (uint64_t)(geteuid() == 0 ? vfs.f_bfree : vfs.f_bavail) * vfs.f_frsize < (1u << 20)))
		return pl_error_disk_full(st->dir);
	return pl_error_from_mdb(mrc, "committing the write");
}

int pl_store_write(pl_store *st, const char *actor, pl_write_fn fn, void *payload)
{
	pl_write w;
	int rc;

	for (int attempt = 0; attempt < 40; attempt++) {
		memset(&w, 0, sizeof(w));
		w.st = st;
		w.actor = actor && *actor ? actor : "unknown";
		if ((rc = write_begin(&w))) {
			if (w.txn)
				mdb_txn_abort(w.txn);
			return rc;
		}
		rc = fn(&w, payload);
		if (!rc)
			rc = write_flush_meta(&w);
		json_decref(w.pending);
		w.pending = NULL;
		cache_drop(&w);
		if (rc && !w.full) {
			mdb_txn_abort(w.txn);
			return rc;
		}
		if (!w.full) {
			int mrc = mdb_txn_commit(w.txn);
			if (mrc == 0)
				return 0;
			if (mrc != MDB_MAP_FULL)
				return commit_failed(st, mrc);
		} else {
			mdb_txn_abort(w.txn);
		}
		/* the map filled: nothing was written; grow and replay */
		if ((rc = grow(st)))
			return rc;
	}
	return pl_error_set(PL_EFULL, "store map kept filling while growing");
}

/* ---- record state ---- */

/*
 * "prefix.key" (just "key" at the top) into path[PATH_MAX_LEN], cut at
 * PATH_MAX_LEN - 1 bytes exactly as snprintf would: the hot path of every
 * write, so no format parsing here.
 */
#define PATH_MAX_LEN 256
static void path_join(char path[PATH_MAX_LEN], const char *prefix, const char *key)
{
	size_t off = 0, n;

	if (*prefix) {
		n = strlen(prefix);
		off = n < PATH_MAX_LEN - 1 ? n : PATH_MAX_LEN - 1;
		memcpy(path, prefix, off);
		if (off < PATH_MAX_LEN - 1)
			path[off++] = '.';
	}
	n = strlen(key);
	if (n > PATH_MAX_LEN - 1 - off)
		n = PATH_MAX_LEN - 1 - off;
	memcpy(path + off, key, n);
	path[off + n] = '\0';
}

static void rstate_clear(rstate *s)
{
	free(s->heads);
	free(s->named);
	free(s->lv);
	free(s->stored);
	for (struct blk *b = s->blks, *nx; b; b = nx) {
		nx = b->next;
		free(b);
	}
	memset(s, 0, sizeof(*s));
}

/* Memory that lives as long as s (new leaf paths, values, nodes). */
static void *rstate_alloc(rstate *s, size_t n)
{
	struct blk *b = malloc(sizeof(*b) + n);
	if (!b)
		return NULL;
	b->next = s->blks;
	s->blks = b;
	return b->data;
}

/* Path order: bytewise, a prefix first (strcmp's order, as packing sorts). */
static int path_cmp(const char *a, size_t al, const char *b, size_t bl)
{
	int c = memcmp(a, b, al < bl ? al : bl);
	return c ? c : (al > bl) - (al < bl);
}

/* The leaf at `path`, or NULL; *at: where it is or would go. */
static leaf *leaf_find(const rstate *s, const char *path, size_t plen, size_t *at)
{
	size_t lo = 0, hi = s->nlv;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = path_cmp(s->lv[mid].path, s->lv[mid].plen, path, plen);
		if (c == 0) {
			if (at)
				*at = mid;
			return &s->lv[mid];
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (at)
		*at = lo;
	return NULL;
}

static leaf *leaf_insert(rstate *s, size_t at)
{
	if (s->nlv == s->caplv) {
		size_t cap = s->caplv ? s->caplv * 2 : 16;
		leaf *nl = realloc(s->lv, cap * sizeof(*nl));
		if (!nl)
			return NULL;
		s->lv = nl;
		s->caplv = cap;
	}
	memmove(s->lv + at + 1, s->lv + at, (s->nlv - at) * sizeof(*s->lv));
	s->nlv++;
	memset(&s->lv[at], 0, sizeof(s->lv[at]));
	return &s->lv[at];
}

static int copy_mstr(char *dst, size_t sz, pl_mp_rd *r)
{
	const char *p;
	size_t n;

	if (pl_mp__rd_str(r, &p, &n) || n >= sz)
		return -1;
	memcpy(dst, p, n);
	dst[n] = '\0';
	return 0;
}

static int read_oids(pl_oid **out, size_t *n, pl_mp_rd *r)
{
	uint64_t cnt;

	*out = NULL;
	*n = 0;
	if (pl_mp__rd_array(r, &cnt) || cnt > (uint64_t)(r->end - r->p))
		return -1;
	if (cnt && !(*out = calloc((size_t)cnt, sizeof(pl_oid))))
		return -1;
	for (uint64_t i = 0; i < cnt; i++) {
		const unsigned char *b;
		size_t bl;
		if (pl_mp__rd_bin(r, &b, &bl) || bl != PL_OID_RAWSZ)
			return -1;
		memcpy((*out)[i].id, b, PL_OID_RAWSZ);
	}
	*n = (size_t)cnt;
	return 0;
}

/*
 * [kind, owner, created, updated, put_hlc, del_hlc, [heads], {path: [value,
 * hlc, node]}, [named]]: checked whole first (a damaged store is hostile
 * input too), then read in place; the leaves keep pointing into a copy.
 */
static int rstate_decode(rstate *s, const unsigned char *buf, size_t len, const char *id)
{
	pl_op_limits lim = PL_OP_LIMITS_INIT;
	pl_mp_rd r;
	uint64_t n, nleaves;

	memset(s, 0, sizeof(*s));
	lim.max_depth = 16;
	if (pl_mp__check(buf, len, &lim))
		goto bad;
	if (!(s->stored = malloc(len ? len : 1))) {
		rstate_clear(s);
		return pl_error_set(PL_ERROR, "out of memory");
	}
	memcpy(s->stored, buf, len);
	r.p = s->stored;
	r.end = s->stored + len;
	if (pl_mp__rd_array(&r, &n) || (n != 8 && n != 9) || copy_mstr(s->kind, sizeof(s->kind), &r) ||
	    copy_mstr(s->owner, sizeof(s->owner), &r) || pl_mp__rd_uint(&r, &s->created) ||
	    pl_mp__rd_uint(&r, &s->updated) || pl_mp__rd_uint(&r, &s->put_hlc) || pl_mp__rd_uint(&r, &s->del_hlc) ||
	    read_oids(&s->heads, &s->nheads, &r) || pl_mp__rd_map(&r, &nleaves))
		goto bad;
	if (nleaves && !(s->lv = malloc((size_t)nleaves * sizeof(*s->lv))))
		goto bad;
	s->caplv = (size_t)nleaves;
	for (uint64_t i = 0; i < nleaves; i++) {
		leaf *l = &s->lv[i];
		uint64_t three;
		if (pl_mp__rd_str(&r, &l->path, &l->plen) || pl_mp__rd_array(&r, &three) || three != 3 ||
		    pl_mp__rd_skip(&r, &l->val, &l->vlen, 0) || pl_mp__rd_uint(&r, &l->hlc) ||
		    pl_mp__rd_str(&r, &l->node, &l->nlen) ||
		    (i && path_cmp(s->lv[i - 1].path, s->lv[i - 1].plen, l->path, l->plen) >= 0))
			goto bad;
		s->nlv++;
	}
	if (n == 9 && read_oids(&s->named, &s->nnamed, &r))
		goto bad;
	if (r.p != r.end)
		goto bad;
	return 0;
bad:
	rstate_clear(s);
	return pl_error_set(PL_ECORRUPT, "record %s: stored state is damaged; run 'plsync check'", id);
}

/*
 * A new record's leaves straight from its create's nested fields: every
 * non-object value under its dotted path, at the create's (hlc, node). The
 * same bytes as building the leaves object and packing it (paths sorted;
 * of two equal paths the first in field order, as apply_fields keeps), with
 * no object built: the bulk import path.
 */
struct fleaf {
	const char   *path;
	size_t        off;    /* of the path in the list's text */
	const json_t *v;
	size_t        order;
};

/* The leaves of one record's fields: a few dozen, kept on the stack. */
struct flist {
	struct fleaf *a;
	size_t        n, cap;
	char         *text;   /* the paths, each NUL-terminated */
	size_t        tlen, tcap;
	struct fleaf  a0[32];
	char          t0[1024];
};

static int flatten(struct flist *l, const char *prefix, const json_t *obj)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)obj, key, v) {
		char path[PATH_MAX_LEN];
		size_t plen;
		path_join(path, prefix, key);
		if (json_is_object(v)) {
			if (flatten(l, path, v))
				return -1;
			continue;
		}
		plen = strlen(path) + 1;
		if (l->n == l->cap) {
			size_t cap = l->cap * 2;
			struct fleaf *a = l->a == l->a0 ? malloc(cap * sizeof(*a)) : realloc(l->a, cap * sizeof(*a));
			if (!a)
				return -1;
			if (l->a == l->a0)
				memcpy(a, l->a0, sizeof(l->a0));
			l->a = a;
			l->cap = cap;
		}
		if (l->tlen + plen > l->tcap) {
			size_t cap = l->tcap * 2 + plen;
			char *t = l->text == l->t0 ? malloc(cap) : realloc(l->text, cap);
			if (!t)
				return -1;
			if (l->text == l->t0)
				memcpy(t, l->t0, l->tlen);
			l->text = t;
			l->tcap = cap;
		}
		memcpy(l->text + l->tlen, path, plen);
		l->a[l->n].off = l->tlen;
		l->tlen += plen;
		l->a[l->n].v = v;
		l->a[l->n].order = l->n;
		l->n++;
	}
	return 0;
}

static int cmp_fleaf(const void *a, const void *b)
{
	const struct fleaf *x = a, *y = b;
	int c = strcmp(x->path, y->path);
	return c ? c : (x->order > y->order) - (x->order < y->order);
}

static int pack_fresh(msgpack_packer *pk, const json_t *fields, uint64_t hlc, const char *node)
{
	struct flist l;
	size_t i, n = 0, nlen = strlen(node);
	int rc = 0;

	l.a = l.a0;
	l.cap = sizeof(l.a0) / sizeof(l.a0[0]);
	l.text = l.t0;
	l.tcap = sizeof(l.t0);
	l.n = l.tlen = 0;
	if (flatten(&l, "", fields)) {
		rc = pl_error_set(PL_ERROR, "out of memory");
		goto cleanup;
	}
	for (i = 0; i < l.n; i++)
		l.a[i].path = l.text + l.a[i].off;
	if (l.n <= 32) {
		for (i = 1; i < l.n; i++) {
			struct fleaf t = l.a[i];
			size_t b = i;
			for (; b > 0 && cmp_fleaf(&l.a[b - 1], &t) > 0; b--)
				l.a[b] = l.a[b - 1];
			l.a[b] = t;
		}
	} else {
		qsort(l.a, l.n, sizeof(*l.a), cmp_fleaf);
	}
	for (i = 0; i < l.n; i++)
		n += !i || strcmp(l.a[i].path, l.a[i - 1].path);
	msgpack_pack_map(pk, n);
	for (i = 0; i < l.n && !rc; i++) {
		size_t plen;
		if (i && !strcmp(l.a[i].path, l.a[i - 1].path))
			continue;
		plen = strlen(l.a[i].path);
		msgpack_pack_str(pk, plen);
		msgpack_pack_str_body(pk, l.a[i].path, plen);
		msgpack_pack_array(pk, 3);
		if ((rc = pl_mp__pack_json(pk, l.a[i].v)))
			break;
		msgpack_pack_int64(pk, (int64_t)hlc);
		msgpack_pack_str(pk, nlen);
		msgpack_pack_str_body(pk, node, nlen);
	}
cleanup:
	if (l.a != l.a0)
		free(l.a);
	if (l.text != l.t0)
		free(l.text);
	return rc;
}

static int rstate_encode(msgpack_sbuffer *sb, const rstate *s)
{
	msgpack_packer pk;
	int rc = 0;

	msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
	msgpack_pack_array(&pk, 9);
	msgpack_pack_str_with_body(&pk, s->kind, strlen(s->kind));
	msgpack_pack_str_with_body(&pk, s->owner, strlen(s->owner));
	msgpack_pack_uint64(&pk, s->created);
	msgpack_pack_uint64(&pk, s->updated);
	msgpack_pack_uint64(&pk, s->put_hlc);
	msgpack_pack_uint64(&pk, s->del_hlc);
	msgpack_pack_array(&pk, s->nheads);
	for (size_t i = 0; i < s->nheads; i++)
		msgpack_pack_bin_with_body(&pk, s->heads[i].id, PL_OID_RAWSZ);
	if (s->fresh) {
		if ((rc = pack_fresh(&pk, s->fresh, s->created, s->owner)))
			return rc;
	} else {
		msgpack_pack_map(&pk, s->nlv);
		for (size_t i = 0; i < s->nlv; i++) {
			const leaf *l = &s->lv[i];
			msgpack_pack_str_with_body(&pk, l->path, l->plen);
			msgpack_pack_array(&pk, 3);
			msgpack_sbuffer_write(sb, (const char *)l->val, l->vlen);
			msgpack_pack_int64(&pk, (int64_t)l->hlc);
			msgpack_pack_str_with_body(&pk, l->node, l->nlen);
		}
	}
	msgpack_pack_array(&pk, s->nnamed);
	for (size_t i = 0; i < s->nnamed; i++)
		msgpack_pack_bin_with_body(&pk, s->named[i].id, PL_OID_RAWSZ);
	return 0;
}

static int rstate_load(rstate *s, int *found, pl_write *w, MDB_txn *txn, const char *id)
{
	MDB_val k = { strlen(id), (void *)id }, v;
	int rc;

	memset(s, 0, sizeof(*s));
	*found = 0;
	if (w && txn == w->txn && w->cached && !strcmp(w->cache_id, id)) {
		/* stored first: the caller may drop what it loaded */
		if (w->cache_dirty && cache_flush(w))
			return w->rc;
		*s = w->cache;
		memset(&w->cache, 0, sizeof(w->cache));
		w->cached = 0;
		*found = 1;
		return 0;
	}
	rc = mdb_get(txn, w->st->dbi[DB_RECORDS], &k, &v);
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc)
		return w ? w_fail_mdb(w, rc, "records") : pl_error_from_mdb(rc, "records");
	*found = 1;
	return rstate_decode(s, v.mv_data, v.mv_size, id);
}

/* Forget the kept state (stored or not: a failed write aborts anyway). */
static void cache_drop(pl_write *w)
{
	rstate_clear(&w->cache);
	w->cached = 0;
	w->cache_dirty = 0;
}

/* Store the kept state if it is not yet. */
static int cache_flush(pl_write *w)
{
	msgpack_sbuffer sb;
	int rc;

	if (!w->cached || !w->cache_dirty || w->rc)
		return w->rc;
	pl_mp__sbuffer_init(&sb, 896);
	if ((rc = rstate_encode(&sb, &w->cache)) == 0)
		rc = txn_put(w, DB_RECORDS, w->cache_id, strlen(w->cache_id), sb.data, sb.size, 0);
	else if (!w->rc)
		w->rc = rc;
	msgpack_sbuffer_destroy(&sb);
	w->cache_dirty = 0;
	return w->rc;
}

/*
 * Keep `s`, record `id`'s state, for the next op on it (s is taken); dirty:
 * it is not stored yet. The state kept before is stored first.
 */
static int cache_keep(pl_write *w, const char *id, rstate *s, int dirty)
{
	size_t n = strlen(id);

	cache_flush(w);
	cache_drop(w);
	if (w->rc || n > PL_ID_MAX) {
		rstate_clear(s);
		return w->rc ? w->rc : pl_error_set(PL_EINVALID, "record id %.40s... is too long", id);
	}
	memcpy(w->cache_id, id, n + 1);
	w->cache = *s;
	w->cached = 1;
	w->cache_dirty = dirty;
	memset(s, 0, sizeof(*s));
	return 0;
}

/* Take the kept state of `id` as it is, stored or not: the caller keeps
 * it again or fails the write. Else rstate_load. */
static int rstate_take(rstate *s, int *found, pl_write *w, const char *id)
{
	if (w->cached && !strcmp(w->cache_id, id)) {
		*s = w->cache;
		memset(&w->cache, 0, sizeof(w->cache));
		w->cached = 0;
		w->cache_dirty = 0; /* the caller holds it now */
		*found = 1;
		return 0;
	}
	return rstate_load(s, found, w, w->txn, id);
}

/* (hlc, node) ordering: > 0 if a wins over b. */
static int clock_cmp(uint64_t ha, const char *na, uint64_t hb, const char *nb)
{
	if (ha != hb)
		return ha > hb ? 1 : -1;
	return strcmp(na, nb);
}

/* (hlc, node) of a leaf against an op's: > 0 if the op wins. */
static int leaf_cmp(uint64_t hlc, const char *node, size_t nlen, const leaf *cur)
{
	if (hlc != cur->hlc)
		return hlc > cur->hlc ? 1 : -1;
	return path_cmp(node, nlen, cur->node, cur->nlen);
}

/* What one op sets: its clock, and its node and values in s's memory. */
struct setter {
	rstate     *s;
	uint64_t    hlc;
	const char *node;
	size_t      nlen;
	msgpack_sbuffer sb;
	int         rc;
};

static void apply_fields(struct setter *st, const char *prefix, json_t *obj)
{
	const char *key;
	json_t *v;

	json_object_foreach(obj, key, v) {
		char path[PATH_MAX_LEN];
		size_t plen, at;
		leaf *cur;

		if (st->rc)
			return;
		path_join(path, prefix, key);
		if (json_is_object(v)) {
			apply_fields(st, path, v);
			continue;
		}
		plen = strlen(path);
		cur = leaf_find(st->s, path, plen, &at);
		if (cur && leaf_cmp(st->hlc, st->node, st->nlen, cur) <= 0)
			continue;
		{
			msgpack_packer pk;
			unsigned char *mem;
			st->sb.size = 0;
			msgpack_packer_init(&pk, &st->sb, msgpack_sbuffer_write);
			if ((st->rc = pl_mp__pack_json(&pk, v)))
				return;
			if (!(mem = rstate_alloc(st->s, st->sb.size + (cur ? 0 : plen)))) {
				st->rc = pl_error_set(PL_ERROR, "out of memory");
				return;
			}
			memcpy(mem, st->sb.data, st->sb.size);
			if (!cur) {
				if (!(cur = leaf_insert(st->s, at))) {
					st->rc = pl_error_set(PL_ERROR, "out of memory");
					return;
				}
				memcpy(mem + st->sb.size, path, plen);
				cur->path = (const char *)mem + st->sb.size;
				cur->plen = plen;
			}
			cur->val = mem;
			cur->vlen = st->sb.size;
			cur->hlc = st->hlc;
			cur->node = st->node;
			cur->nlen = st->nlen;
		}
	}
}

/* Apply one op to a record's state; order-free except for head tracking. */
static int rstate_apply(rstate *s, int found, const pl_op *op, const pl_oid *id)
{
	size_t i, j;

	if (!found) {
		snprintf(s->kind, sizeof(s->kind), "%s", op->kind);
		s->owner[0] = '\0'; /* unknown until its create arrives */
		s->created = 0;
	}
	if (op->type == PL_OP_PUT && op->nbase == 0 &&
	    (!s->owner[0] || clock_cmp(op->hlc, op->node, s->created, s->owner) < 0)) {
		/* the owner is the earliest create (a put that saw nothing): only
		 * creates decide it, so an edit can never take a record over */
		s->created = op->hlc;
		snprintf(s->owner, sizeof(s->owner), "%s", op->node);
	} else if (!s->owner[0] && (!s->created || op->hlc < s->created)) {
		s->created = op->hlc; /* an edit that arrived before its create */
	}
	if (op->hlc > s->updated)
		s->updated = op->hlc;
	if (op->type == PL_OP_PUT) {
		if (op->hlc > s->put_hlc)
			s->put_hlc = op->hlc;
		if (op->fields) {
			struct setter st = { s, op->hlc, NULL, strlen(op->node), { 0, NULL, 0 }, 0 };
			char *node = rstate_alloc(s, st.nlen + 1);
			if (!node)
				return pl_error_set(PL_ERROR, "out of memory");
			memcpy(node, op->node, st.nlen + 1);
			st.node = node;
			pl_mp__sbuffer_init(&st.sb, 256);
			apply_fields(&st, "", op->fields);
			msgpack_sbuffer_destroy(&st.sb);
			if (st.rc)
				return st.rc;
		}
	} else if (op->hlc > s->del_hlc) {
		s->del_hlc = op->hlc;
	}
	/* remember what this op saw, so that an op arriving after one that named
	 * it (ops of other nodes can arrive in any order) never becomes a head */
	for (size_t b = 0; b < op->nbase; b++) {
		int known = 0;
		for (i = 0; i < s->nnamed && !known; i++)
			known = !memcmp(s->named[i].id, op->base[b].id, PL_OID_RAWSZ);
		if (!known) {
			pl_oid *nn = realloc(s->named, (s->nnamed + 1) * sizeof(pl_oid));
			if (!nn)
				return pl_error_set(PL_ERROR, "out of memory");
			s->named = nn;
			s->named[s->nnamed++] = op->base[b];
		}
	}
	/* heads: drop those this op saw, add this op unless some op saw it */
	for (i = 0, j = 0; i < s->nheads; i++) {
		int seen = 0;
		for (size_t b = 0; b < op->nbase && !seen; b++)
			seen = !memcmp(op->base[b].id, s->heads[i].id, PL_OID_RAWSZ);
		if (!seen)
			s->heads[j++] = s->heads[i];
	}
	s->nheads = j;
	for (i = 0; i < s->nnamed; i++)
		if (!memcmp(s->named[i].id, id->id, PL_OID_RAWSZ))
			return 0;
	{
		pl_oid *nh = realloc(s->heads, (j + 1) * sizeof(pl_oid));
		if (!nh)
			return pl_error_set(PL_ERROR, "out of memory");
		s->heads = nh;
		s->heads[j] = *id;
		s->nheads = j + 1;
	}
	return 0;
}

static int rstate_visible(const rstate *s)
{
	return s->put_hlc > s->del_hlc;
}

/* A leaf's value is a tombstone (null). */
static int leaf_null(const leaf *l)
{
	return l->vlen == 1 && l->val[0] == 0xc0;
}

/* Materialise the nested current fields and the path -> [hlc,node] clocks. */
static json_t *rstate_fields(const rstate *s, json_t **clocks_out)
{
	json_t *out = json_object(), *clocks = clocks_out ? json_object() : NULL;

	for (size_t i = 0; i < s->nlv; i++) {
		const leaf *l = &s->lv[i];
		char buf[PATH_MAX_LEN], *p, *dot;
		size_t plen = l->plen < PATH_MAX_LEN - 1 ? l->plen : PATH_MAX_LEN - 1;
		json_t *obj = out, *v = NULL;
		int hidden = leaf_null(l);

		memcpy(buf, l->path, plen);
		buf[plen] = '\0';
		/* an ancestor tombstone newer than this leaf hides it */
		for (p = buf; !hidden && (dot = strchr(p, '.')); p = dot + 1) {
			const leaf *anc = leaf_find(s, buf, (size_t)(dot - buf), NULL);
			if (anc && leaf_null(anc) && leaf_cmp(anc->hlc, anc->node, anc->nlen, l) > 0)
				hidden = 1;
		}
		if (hidden)
			continue;
		if (pl_mp__bytes_to_json(&v, l->val, l->vlen))
			continue; /* checked when stored: cannot happen */
		if (clocks) {
			json_t *c = json_array();
			if (c && (json_array_append_new(c, json_integer((json_int_t)l->hlc)) ||
			          json_array_append_new(c, json_stringn(l->node, l->nlen)))) {
				json_decref(c);
				c = NULL;
			}
			json_object_set_new(clocks, buf, c);
		}
		for (p = buf; (dot = strchr(p, '.')); p = dot + 1) {
			json_t *child;
			*dot = '\0';
			child = json_object_get(obj, p);
			if (!json_is_object(child)) {
				child = json_object();
				json_object_set_new(obj, p, child);
			}
			obj = child;
		}
		json_object_set_new(obj, p, v);
	}
	if (clocks_out)
		*clocks_out = clocks;
	return out;
}

/* ---- indexes ---- */

/* The string value of leaf `name` into buf, or NULL (none, not a string,
 * too long: as a reference it then cannot name a record). */
static const char *leaf_str(const rstate *s, const char *name, char *buf, size_t sz)
{
	const leaf *l = leaf_find(s, name, strlen(name), NULL);
	pl_mp_rd r;
	const char *p;
	size_t n;

	if (!l)
		return NULL;
	r.p = l->val;
	r.end = l->val + l->vlen;
	if (pl_mp__rd_str(&r, &p, &n) || n >= sz || memchr(p, '\0', n))
		return NULL;
	memcpy(buf, p, n);
	buf[n] = '\0';
	return buf;
}

/*
 * A copy of src that shares its leaves' memory (valid as long as src is
 * and only grows: applying ops never frees): its own leaf array, heads
 * and named, so that applying to one leaves the other as it was.
 */
static int rstate_copy(rstate *dst, const rstate *src)
{
	*dst = *src;
	dst->stored = NULL;
	dst->blks = NULL;
	dst->lv = src->nlv ? malloc(src->nlv * sizeof(leaf)) : NULL;
	dst->caplv = src->nlv;
	dst->heads = src->nheads ? malloc(src->nheads * sizeof(pl_oid)) : NULL;
	dst->named = src->nnamed ? malloc(src->nnamed * sizeof(pl_oid)) : NULL;
	if ((src->nlv && !dst->lv) || (src->nheads && !dst->heads) || (src->nnamed && !dst->named)) {
		rstate_clear(dst);
		return pl_error_set(PL_ERROR, "out of memory");
	}
	if (src->nlv)
		memcpy(dst->lv, src->lv, src->nlv * sizeof(leaf));
	if (src->nheads)
		memcpy(dst->heads, src->heads, src->nheads * sizeof(pl_oid));
	if (src->nnamed)
		memcpy(dst->named, src->named, src->nnamed * sizeof(pl_oid));
	return 0;
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
		ov = before ? leaf_str(before, f->name, ob, sizeof(ob)) : NULL;
		if (after->fresh)
			nv = json_string_value(json_object_get(after->fresh, f->name));
		else
			nv = leaf_str(after, f->name, nb, sizeof(nb));
		if (ov && nv && !strcmp(ov, nv))
			continue;
		if (ov && (n = join_key(key, sizeof(key), ov, kind, f->name, id)))
			txn_del(w, DB_BYREF, key, n);
		if (nv && (n = join_key(key, sizeof(key), nv, kind, f->name, id)))
			txn_put(w, DB_BYREF, key, n, "", 0, 0);
	}
	return w->rc;
}

/*
 * Store the op, its id, index it and write the record's new state `s`, the
 * op already applied; `before` is the state it was applied to (NULL for a
 * record new to this store).
 */
static int commit_applied(pl_write *w, const pl_op *op, const unsigned char *enc, size_t len,
                          const pl_oid *id, const rstate *before, const rstate *s, int *taken, int defer)
{
	unsigned char key[PL_NODE_MAX + 9], rk[PL_ID_MAX + PL_NODE_MAX + 32];
	char kk[PL_ID_MAX + 40];
	size_t klen = opkey(key, op->node, op->seq), n, idlen = strlen(op->rec);
	msgpack_sbuffer sb;
	int was_visible = before && rstate_visible(before), rc;

	/* the record first: a record new here must not exist (a generated id
	 * that is taken comes back as *taken, nothing written, to try another) */
	if (w->rc)
		return w->rc;
	if (w->cached && !strcmp(w->cache_id, op->rec)) {
		if (cache_flush(w))
			return w->rc;
		cache_drop(w);
	}
	if (defer)
		goto rest; /* the caller keeps s, to be stored later (cache_keep) */
	pl_mp__sbuffer_init(&sb, 896);
	if ((rc = rstate_encode(&sb, s))) {
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
			return w_fail_mdb(w, mrc, db_names[DB_RECORDS]);
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
			w_fail_mdb(w, mrc, db_names[DB_OPS]);
	}
	if (w->no_append)
		txn_put(w, DB_OPS, key, klen, enc, len, MDB_NOOVERWRITE);
	txn_put(w, DB_OPIDS, id->id, PL_OID_RAWSZ, key, klen, MDB_NOOVERWRITE);

	/* recops: id \0 hlc(be64) node \0 seq(be64) */
	memcpy(rk, op->rec, idlen + 1);
	put_be64(rk + idlen + 1, op->hlc);
	memcpy(rk + idlen + 9, key, klen);
	txn_put(w, DB_RECOPS, rk, idlen + 9 + klen, "", 0, 0);

	n = join_key(kk, sizeof(kk), s->kind, op->rec, NULL, NULL);
	if (rstate_visible(s) && !was_visible)
		txn_put(w, DB_BYKIND, kk, n, "", 0, 0);
	else if (!rstate_visible(s) && was_visible) {
		txn_del(w, DB_BYKIND, kk, n);
		memset(w->refn, 0, sizeof(w->refn)); /* it may be a cached reference */
	}
	index_refs(w, op->rec, s->kind, before, s);
	return w->rc;
}

/* Apply the op to the record's state `s` and store it all (commit_applied). */
static int commit_op(pl_write *w, const pl_op *op, const unsigned char *enc, size_t len,
                     const pl_oid *id, rstate *s, int found, int defer)
{
	rstate before;
	int rc;

	/* what it was (visibility, references), sharing s's memory */
	if (found && (rc = rstate_copy(&before, s)))
		return rc;
	if ((rc = rstate_apply(s, found, op, id)) == 0)
		rc = commit_applied(w, op, enc, len, id, found ? &before : NULL, s, NULL, defer);
	if (found)
		rstate_clear(&before);
	return rc;
}

/* ---- local changes ---- */

static int ref_found(pl_write *w, const char *kind, const char *id)
{
	char kk[PL_ID_MAX + 40];
	size_t n = join_key(kk, sizeof(kk), kind, id, NULL, NULL);
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

static int ref_exists(const char *kind, const char *id, const char *path, void *payload)
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
static int check_pending(pl_write *w)
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

static void copy_id(char out[PL_ID_MAX + 1], const char *id)
{
	size_t n = strnlen(id, PL_ID_MAX);
	memcpy(out, id, n);
	out[n] = '\0';
}

static const char crockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/* NODE-XXXXX: a bijective scramble of (seq, attempt) in base32. */
static void make_id(char out[PL_ID_MAX + 1], const char *node, uint64_t seq, unsigned attempt)
{
	uint64_t x = seq + ((uint64_t)attempt << 40);
	int chars = 5, bits;
	uint64_t mask;
	char suf[16];

	while (chars < 13 && (x >> (5 * chars)))
		chars++;
	bits = 5 * chars;
	mask = bits >= 64 ? ~0ull : (1ull << bits) - 1;
	for (int r = 0; r < 3; r++) {
		x = (x * 0x9E3779B97F4A7C15ull) & mask;  /* odd multiplier: a bijection mod 2^bits */
		x ^= x >> (bits / 2 + 1);
	}
	for (int i = chars - 1; i >= 0; i--, x >>= 5)
		suf[i] = crockford[x & 31];
	suf[chars] = '\0';
	{
		size_t n = strlen(node); /* PL_NODE_MAX + 1 + 13 < PL_ID_MAX */
		memcpy(out, node, n);
		out[n] = '-';
		memcpy(out + n + 1, suf, (size_t)chars + 1);
	}
}

static int valid_id(const char *id)
{
	size_t n = strlen(id);
	if (n == 0 || n > PL_ID_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)id[i];
		if (c <= ' ' || c == '/' || c == '\\' || c == 127 || c == ',' || c == '"')
			return 0;
	}
	return id[0] != '.' && id[0] != '-' && pl_utf8_valid(id, n) && pl_text_control(id, n) < 0;
}

/*
 * The node whose generated-id form `id` has (NODE-XXXXX as make_id writes
 * it: a node code, '-', 5-13 base32 characters) into node, or 0 if it has
 * none. A node never creates an id of another node's form (DESIGN.md,
 * "Record ids"): that would be a way into a record before its owner made it.
 */
static int id_form_node(char node[PL_NODE_MAX + 1], const char *id)
{
	const char *dash = strrchr(id, '-');
	size_t n, sl;

	if (!dash || (n = (size_t)(dash - id)) == 0 || n > PL_NODE_MAX)
		return 0;
	sl = strlen(dash + 1);
	if (sl < 5 || sl > 13 || strspn(dash + 1, crockford) != sl)
		return 0;
	memcpy(node, id, n);
	node[n] = '\0';
	return pl_node_valid(node);
}

/* A create by `node` of `id` that has another node's generated form (DISTRICT may). */
static int foreign_form(char owner[PL_NODE_MAX + 1], const char *node, const char *id)
{
	return strcmp(node, PL_NODE_DISTRICT) && id_form_node(owner, id) && strcmp(owner, node);
}

/* Coerce every top-level field of a raw change through the schema. */
static int coerce_fields(json_t **out, const pl_kind_def *k, const json_t *raw)
{
	json_t *res = json_object();
	const char *key;
	json_t *v;
	int rc;

	*out = NULL;
	if (raw && !json_is_object(raw)) {
		json_decref(res);
		return pl_error_set(PL_EINVALID, "fields must be an object");
	}
	json_object_foreach((json_t *)raw, key, v) {
		json_t *c;
		if ((rc = pl_schema_coerce(&c, k, key, v))) {
			json_decref(res);
			return rc;
		}
		json_object_set_new(res, key, c);
	}
	*out = res;
	return 0;
}

/*
 * The next op of this node on record `id` (type, fields, note and base
 * already set in *op): stamped (version, node, seq, prev, clock, actor,
 * kind), encoded within the op size limit, and its id. *enc is malloc'd.
 * The clock is past `after` (the record's newest op clock), so a change
 * that saw the record's heads wins over them whatever their clocks (an op
 * from a clock years ahead pins a field only until the next change).
 */
static int local_op(pl_write *w, pl_op *op, const pl_kind_def *k, char *id, uint64_t after,
                    unsigned char **enc, size_t *len, pl_oid *oid)
{
	int rc;

	op->v = PL_OP_VERSION;
	op->node = w->st->node;
	op->seq = w->seq + 1;
	op->has_prev = w->seq > 0;
	op->prev = w->head;
	op->hlc = pl_hlc_next(w->hlc, pl_hlc_wall_ms());
	if (after && op->hlc <= after)
		op->hlc = after == UINT64_MAX ? after : after + 1;
	op->actor = (char *)w->actor;
	op->kind = (char *)k->name;
	op->rec = id;
	if ((rc = pl_op_encode(enc, len, op)))
		return rc;
	if (*len > w->st->opts.limits.max_op)
		return pl_error_set(PL_EINVALID, "%s %s: the change is %zu bytes, over the %zu-byte op limit",
		                    k->name, id, *len, w->st->opts.limits.max_op);
	return pl_op_id(oid, *enc, *len);
}

/* The op is stored: it is this node's last. */
static void local_done(pl_write *w, const pl_op *op, const pl_oid *oid)
{
	w->seq = op->seq;
	w->head = *oid;
	/* as far as a received op would move it: a change stamped past a
	 * record's far-future clock does not drag the node's clock there */
	w->hlc = pl_hlc_recv_bounded(w->hlc, op->hlc, pl_hlc_wall_ms());
	w->dirty = 1;
}

/*
 * Create a record new to this store (`given` is its id, else one is made
 * from the next seq): the op, validated, and its state straight from its
 * fields, with no record state built or looked up first.
 */
static int create_new(pl_write *w, const pl_kind_def *k, const pl_change *c, json_t *fields,
                      const char *given, char id_out[PL_ID_MAX + 1])
{
	for (unsigned attempt = 0;; attempt++) {
		char id[PL_ID_MAX + 1];
		rstate s = { .lv = NULL };
		unsigned char *enc = NULL;
		size_t len = 0;
		int taken = 0, rc;
		pl_op op;
		pl_oid oid;

		if (given)
			copy_id(id, given);
		else
			make_id(id, w->st->node, w->seq + 1, attempt);
		memset(&op, 0, sizeof(op));
		op.type = PL_OP_PUT;
		op.fields = fields;
		op.note = (char *)c->note;
		if ((rc = local_op(w, &op, k, id, 0, &enc, &len, &oid)) == 0) {
			/* a new record is its create's fields (a null there sets nothing) */
			w->where = c->where;
			w->rec = id;
			w->rkind = k->name;
			rc = pl_schema_validate_coerced(k, fields, fields, ref_exists, w);
		}
		if (!rc) {
			memcpy(s.kind, k->name, strlen(k->name) + 1);
			memcpy(s.owner, op.node, strlen(op.node) + 1);
			s.created = s.updated = s.put_hlc = op.hlc;
			s.nheads = 1;
			s.heads = &oid;
			s.fresh = fields;
			rc = commit_applied(w, &op, enc, len, &oid, NULL, &s, given ? NULL : &taken, 0);
		}
		free(enc);
		if (rc) {
			if (!w->rc)
				w->rc = rc;
			return rc;
		}
		if (taken)
			continue;
		local_done(w, &op, &oid);
		if (id_out)
			copy_id(id_out, id);
		return 0;
	}
}

int pl_write_change(pl_write *w, const pl_change *c, char id_out[PL_ID_MAX + 1])
{
	const pl_kind_def *k = NULL;
	rstate s = { .lv = NULL };
	pl_op op;
	pl_oid oid;
	char id[PL_ID_MAX + 1];
	unsigned char *enc = NULL;
	size_t len = 0;
	json_t *fields = NULL, *after = NULL;
	int found = 0, rc = 0;

	if (w->rc)
		return w->rc;
	/* never store what the decoder would refuse: it could not be read back,
	 * verified or synced (values are checked by the schema) */
	if (strlen(w->actor) > 256)
		return pl_error_set(PL_EINVALID, "the actor \"%.40s...\" is longer than 256 bytes; shorten user.name/user.email",
		                    w->actor);
	if (!pl_utf8_valid(w->actor, strlen(w->actor)))
		return pl_error_set(PL_EINVALID, "the actor name is not UTF-8 text; fix user.name/user.email");
	if (pl_text_control(w->actor, strlen(w->actor)) >= 0)
		return pl_error_set(PL_EINVALID, "the actor \"%s\" holds a control character (a tab, newline, "
		                    "escape...); an actor is one line of text: fix user.name/user.email", w->actor);
	if (c->note && !pl_utf8_valid(c->note, strlen(c->note)))
		return pl_error_set(PL_EINVALID, "the note is not UTF-8 text");
	if (c->note && strlen(c->note) > w->st->opts.limits.max_value)
		return pl_error_set(PL_EINVALID, "the note is %zu bytes, over the %zu-byte limit", strlen(c->note),
		                    w->st->opts.limits.max_value);
	memset(&op, 0, sizeof(op));
	if (c->type == PL_CHANGE_CREATE) {
		if (!c->kind || !(k = pl_schema_kind(c->kind)))
			return pl_error_set(PL_EINVALID, "unknown kind '%s'; kinds are: school, staff, plan, goal, activity, pd_entry, plc_meeting",
			                    c->kind ? c->kind : "");
		if (c->id) {
			if (!valid_id(c->id))
				return pl_error_set(PL_EINVALID, "'%s' is not a valid record id: use 1-64 printable UTF-8 characters without spaces, '/', ',' or quotes", c->id);
			char form[PL_NODE_MAX + 1];
			if (foreign_form(form, w->st->node, c->id))
				return pl_error_set(PL_EINVALID, "'%s' has the form of an id generated by node %s; only %s may "
				                    "create it: give another id, or leave the id out to have one made", c->id,
				                    form, form);
			copy_id(id, c->id);
			if ((rc = rstate_load(&s, &found, w, w->txn, id)))
				return rc;
			if (found) {
				rc = pl_error_set(PL_EEXISTS, "%s %s already exists; use 'plsync set %s field=value' to change it",
				                  s.kind, id, id);
				goto cleanup;
			}
		}
		if ((rc = coerce_fields(&fields, k, c->fields)) == 0)
			rc = create_new(w, k, c, fields, c->id ? id : NULL, id_out);
		goto cleanup;
	} else {
		if (!c->id)
			return pl_error_set(PL_EUSAGE, "a record id is needed");
		copy_id(id, c->id);
		if ((rc = rstate_load(&s, &found, w, w->txn, id)))
			return rc;
		if (!found || !rstate_visible(&s)) {
			rc = pl_error_set(PL_ENOTFOUND, "no record with id '%s'%s", id,
			                  found ? " (it was deleted)" : "");
			goto cleanup;
		}
		if (c->kind && strcmp(c->kind, s.kind)) {
			rc = pl_error_set(PL_EINVALID, "record %s is a %s, not a %s", id, s.kind, c->kind);
			goto cleanup;
		}
		if (!s.owner[0] && strcmp(w->st->node, PL_NODE_DISTRICT)) {
			rc = pl_error_set(PL_EINVALID, "record %s has not been created here yet (only later changes to it "
			                  "arrived); run 'plsync sync' and try again", id);
			goto cleanup;
		}
		if (s.owner[0] && strcmp(s.owner, w->st->node) && strcmp(w->st->node, PL_NODE_DISTRICT)) {
			rc = pl_error_set(PL_EINVALID, "record %s belongs to node %s; only %s or DISTRICT may change it",
			                  id, s.owner, s.owner);
			goto cleanup;
		}
		k = pl_schema_kind(s.kind);
		if (!k) {
			rc = pl_error_set(PL_ECORRUPT, "record %s has unknown kind '%s'", id, s.kind);
			goto cleanup;
		}
	}

	if (c->type != PL_CHANGE_DEL) {
		if ((rc = coerce_fields(&fields, k, c->fields)))
			goto cleanup;
		if (c->type == PL_CHANGE_SET && json_object_size(fields) == 0) {
			rc = pl_error_set(PL_EUSAGE, "nothing to set: give field=value pairs");
			goto cleanup;
		}
	}

	if (s.nheads > 256) {
		rc = pl_error_set(PL_EINVALID, "%s %s has %zu concurrent heads, more than one change can name (256); "
		                  "ask the district office to resolve it", k->name, id, s.nheads);
		goto cleanup;
	}
	op.nbase = s.nheads;
	op.base = s.heads;
	op.type = c->type == PL_CHANGE_DEL ? PL_OP_DEL : PL_OP_PUT;
	op.fields = fields;
	op.note = (char *)c->note;
	if ((rc = local_op(w, &op, k, id, s.updated, &enc, &len, &oid)))
		goto cleanup;
	/* op.base points into s.heads, which rstate_apply reallocs: copy first */
	if (op.nbase) {
		pl_oid *b = malloc(op.nbase * sizeof(pl_oid));
		if (!b) {
			rc = pl_error_set(PL_ERROR, "out of memory");
			goto cleanup;
		}
		memcpy(b, s.heads, op.nbase * sizeof(pl_oid));
		op.base = b;
	}
	if (c->type != PL_CHANGE_DEL) {
		/* apply to a copy and validate the record as it will be; if it
		 * passes, that copy is what gets stored (no second apply) */
		rstate probe;
		if ((rc = rstate_copy(&probe, &s)) == 0)
			rc = rstate_apply(&probe, found, &op, &oid);
		else
			memset(&probe, 0, sizeof(probe));
		if (rc == 0) {
			after = rstate_fields(&probe, NULL);
			w->where = c->where;
			w->rec = id;
			w->rkind = k->name;
			rc = pl_schema_validate_coerced(k, fields, after, ref_exists, w);
		}
		if (rc == 0)
			rc = commit_applied(w, &op, enc, len, &oid, &s, &probe, NULL, 0);
		rstate_clear(&probe);
		if (rc)
			goto cleanup;
	} else if ((rc = commit_op(w, &op, enc, len, &oid, &s, found, 0))) {
		goto cleanup;
	}
	local_done(w, &op, &oid);
	if (id_out)
		copy_id(id_out, id);

cleanup:
	if (op.base != s.heads)
		free(op.base);
	free(enc);
	json_decref(fields);
	json_decref(after);
	rstate_clear(&s);
	if (rc && !w->rc)
		w->rc = rc;
	return rc;
}

struct one_change {
	const pl_change *c;
	char *id_out;
};

static int one_change_fn(pl_write *w, void *payload)
{
	struct one_change *oc = payload;
	return pl_write_change(w, oc->c, oc->id_out);
}

int pl_store_change(pl_store *st, const char *actor, const pl_change *c, char id_out[PL_ID_MAX + 1])
{
	struct one_change oc = { c, id_out };
	return pl_store_write(st, actor, one_change_fn, &oc);
}

/* ---- remote ops ---- */

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

	k.mv_size = opkey(key, op->node, op->seq);
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
			return w_fail_mdb(w, mrc, db_names[DB_OPIDS]);
		if (oid_in(s->heads, s->nheads, &op->base[b]) || oid_in(s->named, s->nnamed, &op->base[b]))
			continue;
		if ((mrc = mdb_get(w->txn, w->st->dbi[DB_OPS], &key, &v)))
			return w_fail_mdb(w, mrc, db_names[DB_OPS]);
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

int pl_write_remote_prepared(pl_write *w, pl_remote_op *r, const unsigned char *enc, size_t len,
                             const pl_remote_check *chk, pl_remote_info *info)
{
	pl_op *op = r->op;
	pl_oid oid = r->id, last;
	uint64_t seq;
	rstate s = { .lv = NULL };
	MDB_val k, v;
	char form[PL_NODE_MAX + 1];
	size_t dangling = 0;
	int found = 0, rc;

	if (w->rc)
		return w->rc;
	if ((rc = prepared_fails(r, PL_REMOTE_DECODE)))
		return rc;
	if (info) {
		uint64_t wall = pl_hlc_wall_ms();
		info->ahead = (op->hlc >> 16) > wall + PL_HLC_AHEAD_MS;
		info->hlc = op->hlc;
		info->skew_ms = (int64_t)(op->hlc >> 16) - (int64_t)wall;
		info->id = oid;
		info->dangling = 0;
		info->seq = op->seq;
		snprintf(info->node, sizeof(info->node), "%s", op->node);
		snprintf(info->rec, sizeof(info->rec), "%s", op->rec);
		snprintf(info->kind, sizeof(info->kind), "%s", op->kind);
	}
	if (chk && chk->node && strcmp(op->node, chk->node)) {
		rc = pl_error_set(PL_ECORRUPT, "op %s/%llu claims node %s where only %s's ops belong",
		                  op->node, (unsigned long long)op->seq, op->node, chk->node);
		goto cleanup;
	}
	if ((rc = prepared_fails(r, PL_REMOTE_ID)))
		goto cleanup;
	k.mv_size = PL_OID_RAWSZ;
	k.mv_data = oid.id;
	if (mdb_get(w->txn, w->st->dbi[DB_OPIDS], &k, &v) == 0) {
		if (chk && chk->no_dups)
			rc = pl_error_set(PL_ECORRUPT, "op %s/%llu is already here (a replayed op)",
			                  op->node, (unsigned long long)op->seq);
		else
			rc = 1; /* already have it */
		goto cleanup;
	}
	if (!strcmp(op->node, w->st->node)) {
		rc = pl_error_set(PL_ECORRUPT, "op %s/%llu claims to be ours but we never made it",
		                  op->node, (unsigned long long)op->seq);
		goto cleanup;
	}
	if ((rc = seq_get(&seq, &last, w->txn, w->st, op->node)))
		goto cleanup;
	if (op->seq <= seq) {
		rc = chain_conflict(w, op, &oid);
		goto cleanup;
	}
	if (op->seq != seq + 1) {
		rc = pl_error_set(PL_ECORRUPT, "op %s/%llu does not follow %s/%llu (gap or replay)",
		                  op->node, (unsigned long long)op->seq, op->node, (unsigned long long)seq);
		goto cleanup;
	}
	if (seq && memcmp(op->prev.id, last.id, PL_OID_RAWSZ)) {
		rc = pl_error_set(PL_ECORRUPT, "op %s/%llu: prev does not match the id of %s/%llu (broken chain)",
		                  op->node, (unsigned long long)op->seq, op->node, (unsigned long long)seq);
		goto cleanup;
	}
	if ((rc = prepared_fails(r, PL_REMOTE_KIND)) || (rc = prepared_fails(r, PL_REMOTE_SCHEMA)))
		goto cleanup;
	if (op->type == PL_OP_PUT && op->nbase == 0 && foreign_form(form, op->node, op->rec)) {
		/* refused always, whatever arrived first: never a way into a record */
		rc = pl_error_set(PL_EINVALID, "op %s/%llu creates %s %s, an id of node %s's form (only %s or DISTRICT "
		                  "may create it)", op->node, (unsigned long long)op->seq, op->kind, op->rec, form, form);
		goto cleanup;
	}
	if ((rc = rstate_take(&s, &found, w, op->rec)))
		goto cleanup;
	if (found && strcmp(s.kind, op->kind)) {
		rc = pl_error_set(PL_ECORRUPT, "op %s/%llu changes %s as a %s, but it is a %s",
		                  op->node, (unsigned long long)op->seq, op->rec, op->kind, s.kind);
		goto cleanup;
	}
	/* a record belongs to the node that created it; DISTRICT may change any.
	 * A second create of an id (a put with an empty base) by another node is
	 * a foreign write like any other: the first create owns the record. */
	if (chk && chk->ownership && found && s.owner[0] && strcmp(s.owner, op->node) &&
	    strcmp(op->node, PL_NODE_DISTRICT)) {
		int create = op->type == PL_OP_PUT && op->nbase == 0;
		rc = pl_error_set(PL_EINVALID, "op %s/%llu %s %s %s, which belongs to %s (only %s or DISTRICT may change it)",
		                  op->node, (unsigned long long)op->seq, create ? "creates again" : "changes", op->kind,
		                  op->rec, s.owner, s.owner);
		goto cleanup;
	}
	/* an edit or delete of a record whose create has not arrived: only
	 * DISTRICT's may come first (a node's own create precedes its edits in
	 * its chain), or a node could change another's record by arriving
	 * before its create */
	if (chk && chk->ownership && (!found || !s.owner[0]) && strcmp(op->node, PL_NODE_DISTRICT) &&
	    !(op->type == PL_OP_PUT && op->nbase == 0)) {
		rc = pl_error_set(PL_EINVALID, "op %s/%llu changes %s %s, which no create has made here yet (only its "
		                  "creating node, after its create, or DISTRICT may change it)",
		                  op->node, (unsigned long long)op->seq, op->kind, op->rec);
		goto cleanup;
	}
	if ((rc = check_base(w, op, &s, &dangling)))
		goto cleanup;
	if (info)
		info->dangling = dangling;
	if ((rc = commit_op(w, op, enc, len, &oid, &s, found, 1)) || (rc = cache_keep(w, op->rec, &s, 1)))
		goto cleanup;
	seq_put(w, op->node, op->seq, &oid);
	w->hlc = pl_hlc_recv_bounded(w->hlc, op->hlc, pl_hlc_wall_ms());
	w->dirty = 1;
	rc = w->rc;

cleanup:
	rstate_clear(&s);
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

/* ---- reading ---- */

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

static int rtxn_begin(pl_store *st, MDB_txn **txn)
{
	int rc;
	for (int tries = 0;; tries++) {
		rc = mdb_txn_begin(st->env, NULL, MDB_RDONLY, txn);
		if (rc == MDB_MAP_RESIZED && tries < 3) {
			mdb_env_set_mapsize(st->env, 0);
			continue;
		}
		if (rc == MDB_READERS_FULL && tries < 3) {
			int dead;
			mdb_reader_check(st->env, &dead);
			continue;
		}
		break;
	}
	if (rc) {
		*txn = NULL;
		return pl_error_from_mdb(rc, "starting a read");
	}
	return 0;
}

static int record_from_state(pl_record **out, rstate *s, const char *id, int with_clocks)
{
	pl_record *r = calloc(1, sizeof(*r));

	*out = NULL;
	if (!r || !(r->id = strdup(id)) || !(r->kind = strdup(s->kind)) || !(r->owner = strdup(s->owner))) {
		pl_record_free(r);
		return pl_error_set(PL_ERROR, "out of memory");
	}
	r->deleted = !rstate_visible(s);
	r->fields = rstate_fields(s, with_clocks ? &r->clocks : NULL);
	r->created = s->created;
	r->updated = s->updated;
	r->nheads = s->nheads;
	r->heads = s->heads;
	s->heads = NULL;
	s->nheads = 0;
	*out = r;
	return 0;
}

static int get_in(pl_record **out, pl_store *st, MDB_txn *txn, const char *id, int with_clocks)
{
	rstate s;
	pl_write fake = { .st = st };
	int found, rc;

	*out = NULL;
	if ((rc = rstate_load(&s, &found, &fake, txn, id)))
		return rc;
	if (!found)
		return pl_error_set(PL_ENOTFOUND, "no record with id '%s'", id);
	rc = record_from_state(out, &s, id, with_clocks);
	rstate_clear(&s);
	return rc;
}

static int get_one(pl_record **out, pl_store *st, const char *id, int with_clocks)
{
	MDB_txn *txn;
	int rc;

	*out = NULL;
	if ((rc = rtxn_begin(st, &txn)))
		return rc;
	rc = get_in(out, st, txn, id, with_clocks);
	mdb_txn_abort(txn);
	return rc;
}

int pl_write_get(pl_record **out, pl_write *w, const char *id)
{
	*out = NULL;
	if (w->rc || cache_flush(w))
		return w->rc;
	return get_in(out, w->st, w->txn, id, 1);
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
		plen = join_key(prefix, sizeof(prefix), ref_id, kind, ref_field, "");
		plen++; /* include the separator before the record id */
	} else {
		db = DB_BYKIND;
		plen = join_key(prefix, sizeof(prefix), kind, "", NULL, NULL);
		plen++;
	}
	plen--; /* join_key wrote "...\0" + "" : the trailing \0 is at plen-1 */
	if ((rc = rtxn_begin(st, &txn)))
		return rc;
	if ((mrc = mdb_cursor_open(txn, st->dbi[db], &cur))) {
		rc = pl_error_from_mdb(mrc, db_names[db]);
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
		if ((rc = get_in(&r, st, txn, id, 1)))
			goto cleanup;
		if (!r->deleted && !strcmp(r->kind, kind))
			rc = cb(r, payload);
		pl_record_free(r);
		if (rc)
			goto cleanup;
	}
	if (mrc && mrc != MDB_NOTFOUND)
		rc = pl_error_from_mdb(mrc, db_names[db]);
cleanup:
	mdb_cursor_close(cur);
	mdb_txn_abort(txn);
	return rc;
}

static int op_at(pl_op **op, pl_oid *oid, pl_store *st, MDB_txn *txn, const void *key, size_t klen)
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

	if ((rc = rtxn_begin(st, &txn)))
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
			rc = op_at(&op, &oid, st, txn, (char *)k.mv_data + plen + 8, k.mv_size - plen - 8);
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

int pl_store_op_bytes(unsigned char **out, size_t *len, pl_store *st, const char *node, uint64_t seq)
{
	unsigned char key[PL_NODE_MAX + 9];
	MDB_txn *txn;
	MDB_val k, v;
	int rc;

	*out = NULL;
	*len = 0;
	k.mv_size = opkey(key, node, seq);
	k.mv_data = key;
	if ((rc = rtxn_begin(st, &txn)))
		return rc;
	rc = mdb_get(txn, st->dbi[DB_OPS], &k, &v);
	if (rc == MDB_NOTFOUND)
		rc = pl_error_set(PL_ENOTFOUND, "no op %s/%llu", node, (unsigned long long)seq);
	else if (rc)
		rc = pl_error_from_mdb(rc, "ops");
	else if (!(*out = malloc(v.mv_size ? v.mv_size : 1)))
		rc = pl_error_set(PL_ERROR, "out of memory");
	else {
		memcpy(*out, v.mv_data, v.mv_size);
		*len = v.mv_size;
	}
	mdb_txn_abort(txn);
	return rc;
}

int pl_store_node_seq(uint64_t *seq, pl_oid *last_id, pl_store *st, const char *node)
{
	MDB_txn *txn;
	pl_oid dummy;
	int rc;

	if ((rc = rtxn_begin(st, &txn)))
		return rc;
	rc = seq_get(seq, last_id ? last_id : &dummy, txn, st, node);
	mdb_txn_abort(txn);
	return rc;
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
	if ((rc = rtxn_begin(st, &txn)))
		return rc;
	if (meta_get(txn, st, "hlc", &v) == 0 && v.mv_size == 8)
		out->hlc = get_be64(v.mv_data);
	if ((rc = seq_get(&out->seq, &head, txn, st, st->node)))
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

/* ---- verification ---- */

struct fold {
	rstate s;
	int found;
};

int pl_store_verify(pl_store *st, uint64_t *nops, uint64_t *nrecords)
{
	MDB_txn *txn = NULL;
	MDB_cursor *cur = NULL, *rc2 = NULL;
	MDB_val k, v;
	char node[PL_NODE_MAX + 1] = "";
	uint64_t seq = 0, count = 0, recs = 0;
	pl_oid prev;
	int rc = 0, mrc;

	*nops = *nrecords = 0;
	if ((rc = rtxn_begin(st, &txn)))
		return rc;
	/* 1. chains and ids, per node, in (node, seq) order */
	if ((mrc = mdb_cursor_open(txn, st->dbi[DB_OPS], &cur))) {
		rc = pl_error_from_mdb(mrc, "ops");
		goto cleanup;
	}
	for (mrc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); mrc == 0;
	     mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		pl_op *op = NULL;
		pl_oid oid;
		MDB_val ik, iv;

		if ((rc = pl_op_decode(&op, v.mv_data, v.mv_size, &st->opts.limits)) ||
		    (rc = pl_op_id(&oid, v.mv_data, v.mv_size))) {
			pl_op_free(op);
			goto cleanup;
		}
		if (strcmp(op->node, node)) {
			snprintf(node, sizeof(node), "%s", op->node);
			seq = 0;
		}
		if (op->seq != seq + 1 || (seq && memcmp(op->prev.id, prev.id, PL_OID_RAWSZ))) {
			rc = pl_error_set(PL_ECORRUPT, "op log of %s breaks at seq %llu", node,
			                  (unsigned long long)op->seq);
			pl_op_free(op);
			goto cleanup;
		}
		ik.mv_size = PL_OID_RAWSZ;
		ik.mv_data = oid.id;
		if (mdb_get(txn, st->dbi[DB_OPIDS], &ik, &iv)) {
			rc = pl_error_set(PL_ECORRUPT, "op %s/%llu is not in the id index", node,
			                  (unsigned long long)op->seq);
			pl_op_free(op);
			goto cleanup;
		}
		seq = op->seq;
		prev = oid;
		count++;
		pl_op_free(op);
	}
	{
		pl_oid last;
		uint64_t mseq;
		if ((rc = seq_get(&mseq, &last, txn, st, st->node)))
			goto cleanup;
		/* meta's seq for this node must equal the log's */
		MDB_val pk;
		unsigned char key[PL_NODE_MAX + 9];
		pk.mv_size = opkey(key, st->node, mseq + 1);
		pk.mv_data = key;
		if (mdb_get(txn, st->dbi[DB_OPS], &pk, &v) == 0) {
			rc = pl_error_set(PL_ECORRUPT, "meta seq %llu of %s is behind the op log",
			                  (unsigned long long)mseq, st->node);
			goto cleanup;
		}
	}
	/* 2. every record equals the fold of its ops */
	mdb_cursor_close(cur);
	cur = NULL;
	if ((mrc = mdb_cursor_open(txn, st->dbi[DB_RECORDS], &cur)) ||
	    (mrc = mdb_cursor_open(txn, st->dbi[DB_RECOPS], &rc2))) {
		rc = pl_error_from_mdb(mrc, "records");
		goto cleanup;
	}
	for (mrc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); mrc == 0;
	     mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		char id[PL_ID_MAX + 2];
		rstate stored, fold;
		json_t *a, *b;
		MDB_val rk, rv;
		int ffound = 0, eq, r2;

		if (k.mv_size > PL_ID_MAX) {
			rc = pl_error_set(PL_ECORRUPT, "record key too long");
			goto cleanup;
		}
		memcpy(id, k.mv_data, k.mv_size);
		id[k.mv_size] = '\0';
		if ((rc = rstate_decode(&stored, v.mv_data, v.mv_size, id)))
			goto cleanup;
		memset(&fold, 0, sizeof(fold));
		rk.mv_size = k.mv_size + 1;
		rk.mv_data = id;
		for (r2 = mdb_cursor_get(rc2, &rk, &rv, MDB_SET_RANGE); r2 == 0;
		     r2 = mdb_cursor_get(rc2, &rk, &rv, MDB_NEXT)) {
			pl_op *op = NULL;
			pl_oid oid;
			if (rk.mv_size < k.mv_size + 10 || memcmp(rk.mv_data, id, k.mv_size + 1))
				break;
			if ((rc = op_at(&op, &oid, st, txn, (char *)rk.mv_data + k.mv_size + 9,
			                rk.mv_size - k.mv_size - 9)) ||
			    (rc = rstate_apply(&fold, ffound, op, &oid))) {
				pl_op_free(op);
				rstate_clear(&stored);
				rstate_clear(&fold);
				goto cleanup;
			}
			ffound = 1;
			pl_op_free(op);
		}
		a = rstate_fields(&stored, NULL);
		b = ffound ? rstate_fields(&fold, NULL) : NULL;
		eq = ffound && json_equal(a, b) && rstate_visible(&stored) == rstate_visible(&fold) &&
		     !strcmp(stored.kind, fold.kind);
		json_decref(a);
		json_decref(b);
		rstate_clear(&stored);
		rstate_clear(&fold);
		if (!eq) {
			rc = pl_error_set(PL_ECORRUPT, "record %s does not match the fold of its ops", id);
			goto cleanup;
		}
		recs++;
	}
	*nops = count;
	*nrecords = recs;
cleanup:
	mdb_cursor_close(rc2);
	mdb_cursor_close(cur);
	mdb_txn_abort(txn);
	return rc;
}

/* ---- ranges and meta, for sync ---- */

int pl_store_ops_range(pl_store *st, const char *node, uint64_t from, uint64_t to,
                       pl_bytes_cb cb, void *payload)
{
	unsigned char key[PL_NODE_MAX + 9];
	MDB_txn *txn;
	MDB_cursor *cur = NULL;
	MDB_val k, v;
	size_t nlen = strlen(node) + 1;
	int rc, mrc;

	if ((rc = rtxn_begin(st, &txn)))
		return rc;
	if ((mrc = mdb_cursor_open(txn, st->dbi[DB_OPS], &cur))) {
		rc = pl_error_from_mdb(mrc, "ops");
		goto cleanup;
	}
	k.mv_size = opkey(key, node, from);
	k.mv_data = key;
	for (mrc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); mrc == 0;
	     mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		uint64_t seq;
		if (k.mv_size != nlen + 8 || memcmp(k.mv_data, node, nlen))
			break;
		seq = get_be64((unsigned char *)k.mv_data + nlen);
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

static int meta_key(char *buf, size_t sz, const char *key)
{
	if (snprintf(buf, sz, "x/%s", key) >= (int)sz)
		return pl_error_set(PL_EUSAGE, "meta key '%s' is too long", key);
	return 0;
}

int pl_store_meta_get(char **out, pl_store *st, const char *key)
{
	char k[256];
	MDB_txn *txn;
	MDB_val mk, v;
	int rc;

	*out = NULL;
	if ((rc = meta_key(k, sizeof(k), key)) || (rc = rtxn_begin(st, &txn)))
		return rc;
	mk.mv_size = strlen(k);
	mk.mv_data = k;
	rc = mdb_get(txn, st->dbi[DB_META], &mk, &v);
	if (rc == MDB_NOTFOUND)
		rc = 0;
	else if (rc)
		rc = pl_error_from_mdb(rc, "meta");
	else if (!(*out = strndup(v.mv_data, v.mv_size)))
		rc = pl_error_set(PL_ERROR, "out of memory");
	mdb_txn_abort(txn);
	return rc;
}

int pl_write_meta_set(pl_write *w, const char *key, const char *value)
{
	char k[256];
	int rc;

	if (w->rc)
		return w->rc;
	if ((rc = meta_key(k, sizeof(k), key)))
		return w->rc = rc;
	if (!value)
		return txn_del(w, DB_META, k, strlen(k));
	return txn_put(w, DB_META, k, strlen(k), value, strlen(value), 0);
}

struct meta_set { const char *key, *value; };

static int meta_set_fn(pl_write *w, void *payload)
{
	struct meta_set *m = payload;
	return pl_write_meta_set(w, m->key, m->value);
}

int pl_store_meta_set(pl_store *st, const char *key, const char *value)
{
	struct meta_set m = { key, value };
	return pl_store_write(st, NULL, meta_set_fn, &m);
}

pl_store *pl_write_store(pl_write *w)
{
	return w->st;
}

/* ---- conflicts ---- */

int pl_store_op_by_id(unsigned char **out, size_t *len, pl_store *st, const pl_oid *id)
{
	MDB_txn *txn;
	MDB_val k = { PL_OID_RAWSZ, (void *)id->id }, v, ok;
	int rc;

	*out = NULL;
	*len = 0;
	if ((rc = rtxn_begin(st, &txn)))
		return rc;
	if ((rc = mdb_get(txn, st->dbi[DB_OPIDS], &k, &ok)) == 0)
		rc = mdb_get(txn, st->dbi[DB_OPS], &ok, &v);
	if (rc == MDB_NOTFOUND)
		rc = pl_error_set(PL_ENOTFOUND, "no op with that id");
	else if (rc)
		rc = pl_error_from_mdb(rc, "ops");
	else if (!(*out = malloc(v.mv_size ? v.mv_size : 1)))
		rc = pl_error_set(PL_ERROR, "out of memory");
	else {
		memcpy(*out, v.mv_data, v.mv_size);
		*len = v.mv_size;
	}
	mdb_txn_abort(txn);
	return rc;
}

static int cand_cmp(json_t *a, json_t *b)
{
	return clock_cmp((uint64_t)json_integer_value(json_object_get(a, "hlc")),
	                 json_string_value(json_object_get(a, "node")),
	                 (uint64_t)json_integer_value(json_object_get(b, "hlc")),
	                 json_string_value(json_object_get(b, "node")));
}

/*
 * A field's candidates by (hlc, node), highest first: not in head order,
 * which is arrival order, so that every replica (the merge, audit verify
 * folding in another order) writes the same conflicts file.
 */
static void cands_sort(json_t *cands)
{
	for (size_t i = 1; i < json_array_size(cands); i++) {
		json_t *c = json_incref(json_array_get(cands, i));
		size_t j = i;
		for (; j > 0 && cand_cmp(json_array_get(cands, j - 1), c) < 0; j--)
			json_array_set(cands, j, json_array_get(cands, j - 1));
		json_array_set(cands, j, c);
		json_decref(c);
	}
}

int pl_store_conflicts(json_t **out, pl_store *st, const pl_record *r)
{
	json_t *byfield = json_object(), *res = NULL;
	const char *path;
	json_t *cands;
	int rc = 0;

	*out = NULL;
	if (r->nheads < 2)
		goto done;
	for (size_t i = 0; i < r->nheads; i++) {
		unsigned char *buf = NULL;
		size_t len;
		pl_op *op = NULL;
		json_t *flat;
		const char *p;
		json_t *v;
		char hex[PL_OID_HEXSZ + 1], when[32];

		if ((rc = pl_store_op_by_id(&buf, &len, st, &r->heads[i])) ||
		    (rc = pl_op_decode(&op, buf, len, &st->opts.limits))) {
			free(buf);
			goto done;
		}
		free(buf);
		pl_oid_fmt(hex, &r->heads[i]);
		pl_hlc_fmt(when, op->hlc);
		flat = json_object();
		if (op->fields)
			pl_json_flatten(flat, op->fields);
		json_object_foreach(flat, p, v) {
			json_t *list = json_object_get(byfield, p);
			if (!list) {
				list = json_array();
				json_object_set_new(byfield, p, list);
			}
			json_array_append_new(list, json_pack("{sO ss ss ss ss sI}", "value", v, "op", hex,
			                                      "node", op->node, "actor", op->actor, "time", when,
			                                      "hlc", (json_int_t)op->hlc));
		}
		json_decref(flat);
		pl_op_free(op);
	}
	res = json_object();
	json_object_foreach(byfield, path, cands) {
		int differ = 0;
		for (size_t i = 1; i < json_array_size(cands); i++)
			if (!json_equal(json_object_get(json_array_get(cands, 0), "value"),
			                json_object_get(json_array_get(cands, i), "value")))
				differ = 1;
		if (!differ)
			continue;
		/* the winner is the state's value: highest (hlc, node), listed first */
		cands_sort(cands);
		for (size_t i = 0; i < json_array_size(cands); i++)
			json_object_set_new(json_array_get(cands, i), "winner", json_boolean(i == 0));
		json_object_set(res, path, cands);
	}
	if (!json_object_size(res)) {
		json_decref(res);
		res = NULL;
	}
done:
	json_decref(byfield);
	if (rc) {
		json_decref(res);
		return rc;
	}
	*out = res;
	return 0;
}

int pl_store_meta_floor(char **key_out, char **value_out, pl_store *st, const char *prefix,
                        const char *key)
{
	char k[256], p[256];
	MDB_txn *txn;
	MDB_cursor *cur = NULL;
	MDB_val mk, v;
	size_t plen;
	int rc, mrc;

	*key_out = *value_out = NULL;
	if ((rc = meta_key(k, sizeof(k), key)) || (rc = meta_key(p, sizeof(p), prefix)))
		return rc;
	plen = strlen(p);
	if ((rc = rtxn_begin(st, &txn)))
		return rc;
	if ((mrc = mdb_cursor_open(txn, st->dbi[DB_META], &cur))) {
		rc = pl_error_from_mdb(mrc, "meta");
		goto cleanup;
	}
	mk.mv_size = strlen(k);
	mk.mv_data = k;
	mrc = mdb_cursor_get(cur, &mk, &v, MDB_SET_RANGE);
	if (mrc == 0 && (mk.mv_size != strlen(k) || memcmp(mk.mv_data, k, mk.mv_size)))
		mrc = mdb_cursor_get(cur, &mk, &v, MDB_PREV);      /* past it: step back */
	else if (mrc == MDB_NOTFOUND)
		mrc = mdb_cursor_get(cur, &mk, &v, MDB_LAST);
	if (mrc == 0 && mk.mv_size >= plen && !memcmp(mk.mv_data, p, plen)) {
		*key_out = strndup((char *)mk.mv_data + 2, mk.mv_size - 2);
		*value_out = strndup(v.mv_data, v.mv_size);
		if (!*key_out || !*value_out)
			rc = pl_error_set(PL_ERROR, "out of memory");
	} else if (mrc && mrc != MDB_NOTFOUND) {
		rc = pl_error_from_mdb(mrc, "meta");
	}
cleanup:
	mdb_cursor_close(cur);
	mdb_txn_abort(txn);
	return rc;
}

int pl_store_reserve(pl_store *st, size_t bytes)
{
	MDB_envinfo info;
	MDB_stat ms;
	size_t used, want;
	int rc;

	mdb_env_info(st->env, &info);
	mdb_env_stat(st->env, &ms);
	used = (info.me_last_pgno + 1) * (size_t)ms.ms_psize;
	want = used + bytes;
	if (want <= info.me_mapsize)
		return 0;
	want = (want + (1u << 20) - 1) & ~(size_t)((1u << 20) - 1);
	if (want > MAX_MAP)
		return pl_error_set(PL_EFULL, "the store cannot grow to %zu bytes", want);
	if ((rc = mdb_env_set_mapsize(st->env, want)))
		return pl_error_from_mdb(rc, "growing the store map");
	return 0;
}

int pl_store_sync(pl_store *st)
{
	int rc = mdb_env_sync(st->env, 1);
	return rc ? pl_error_from_mdb(rc, "flushing the store") : 0;
}

int pl_store_release_pages(pl_store *st)
{
	MDB_envinfo info;
	size_t keep = st->opts.map_size;
	char *path = store_path(st->dir);
	int rc;

	/* LMDB does not say where its map is: closing the environment unmaps
	 * it (its pages stay in the page cache), reopening maps it again at
	 * the size it has grown to */
	if (!path)
		return pl_error_set(PL_ERROR, "out of memory");
	mdb_env_info(st->env, &info);
	mdb_env_close(st->env);
	st->env = NULL;
	st->opts.map_size = info.me_mapsize;
	rc = env_open(st, path, 0);
	st->opts.map_size = keep;
	free(path);
	return rc;
}
