/*
 * write.c — how fast plsync writes, next to raw LMDB doing the same puts.
 *
 * Two workloads, each run through plsync and then through bare LMDB in the
 * same run, on the same file system:
 *
 *  - bulk import: N pd_entry rows created in one pl_store_write transaction,
 *    one pl_write_change per row with raw string values, as `plsync import`
 *    does with a CSV file; three rounds, plsync and the references taking
 *    turns, each into fresh stores (times add up; each round's ratio is
 *    printed too);
 *  - durable single writes: M pl_store_change calls, each its own
 *    transaction with the default options (fsync on every commit).
 *
 * The raw reference is measured, not guessed: after the plsync run the
 * resulting data.mdb is opened with the LMDB API and every named database
 * walked with a cursor; the entries the workload added (and the existing
 * ones it changed, such as meta's clock) are the puts plsync made. A fresh
 * environment then gets the same puts — the same key bytes, values of the
 * same sizes, into as many named databases — in one transaction (bulk) or
 * one transaction per row (singles), with the same environment flags.
 * Keys of `ops` are (node, seq) and plsync appends them in order; every
 * other database is keyed by a hash or a scrambled id, so plsync's inserts
 * land in random order and the reference shuffles them with a fixed seed.
 * A second, simpler reference does one put per row: the op's key and size.
 * A third is what a district would pick instead: SQLite (its C library,
 * linked into this benchmark only) inserting the same rows into a table
 * with a primary key and an index on staff, WAL, synchronous=FULL, in one
 * transaction and committing every 1,000 rows; its file after a WAL
 * checkpoint gives the bytes per record plsync is compared with.
 * For single writes the puts come from a calibration run (same code, no
 * fsync, not timed), and plsync and the two references then take turns in
 * five rounds, so that fsync latency drifting on a shared disk weighs on
 * all three alike.
 *
 * Each measured phase runs in its own child process so that its peak RSS
 * (ru_maxrss from wait4) is its own. Timings are printed, never asserted.
 *
 *   build/bench/write [--rows N] [--singles M]
 */
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <lmdb.h>
#include <sqlite3.h>

#include "plsync/plsync.h"

#define BENCH_NAME "bench/write"
#include "bench.h"

#define NODE      "BENCH"
#define STAFF_ID  "E1001"
#define ACTOR     "Bench Runner <bench@example.org>"
#define NDB_MAX   16
#define RAW_MAP   ((size_t)8 << 30)

/* One put of the reference: db index, key bytes at keys[koff], value size. */
typedef struct put {
	size_t   koff;
	uint32_t klen;
	uint32_t vlen;
	int      db;
} put;

/* What a plsync run wrote, as a list of puts to replay. */
typedef struct putlist {
	char    names[NDB_MAX][64];
	int     ndb;
	int     ops_db;                  /* index of "ops", -1 if none */
	size_t  rows;
	put    *row;                     /* row i's puts: row[start[i] .. start[i+1]) */
	size_t *start;
	size_t  nrow;
	put    *txn;                     /* existing entries changed once per transaction */
	size_t  ntxn;
	put    *one;                     /* the 1-put reference: one op per row */
	size_t  none;
	unsigned char *keys;
	size_t  keys_len, keys_cap;
	size_t  max_vlen;
	/* per db: entries added, and their total key and value bytes */
	size_t  n_new[NDB_MAX], kb_new[NDB_MAX], vb_new[NDB_MAX];
	size_t  n_chg[NDB_MAX], kb_chg[NDB_MAX], vb_chg[NDB_MAX];
} putlist;

/* One entry of a walked database. */
typedef struct entry {
	int            db;
	unsigned char *k, *v;
	size_t         klen, vlen;
} entry;

typedef struct snapshot {
	char   names[NDB_MAX][64];
	int    ndb;
	entry *e;
	size_t n, cap;
} snapshot;

/* A child's report through the pipe. */
typedef struct result {
	int    rc;
	double secs;
	size_t attempts;                 /* plsync bulk: how often fn ran (map grows replay it) */
	size_t map_size;
	long   rss_start_kib;            /* resident at the phase's start (inherited) */
	size_t file_bytes;               /* SQLite: the database file after a checkpoint */
	char   err[PL_ERROR_MSG_MAX + 64];
} result;

/* What a phase is measured as. */
typedef struct phase {
	result res;
	double cpu_secs;                 /* user + system time of the phase's process */
	long   maxrss_kib;
	double mdb_mib;
	int    ran;
} phase;

typedef struct bulk_payload {
	size_t rows;
	size_t attempts;
} bulk_payload;

static int setup_store(const char *dir);
static int snapshot_take(snapshot *s, const char *envdir);
static void snapshot_free(snapshot *s);
static int putlist_build(putlist *pl, const snapshot *before, const char *envdir, size_t rows);
static void putlist_free(putlist *pl);
static int run_phase(phase *ph, int (*fn)(result *r, void *arg), void *arg, const char *mdbdir);

/* ---- helpers ---- */

static void fail(void)
{
	remove_root();
	exit(1);
}

static void die(const char *what)
{
	fprintf(stderr, "bench/write: %s: %s\n", what, pl_error_last()->message);
	fail();
}

static char *path_join(const char *a, const char *b)
{
	size_t n = strlen(a) + strlen(b) + 2;
	char *p = malloc(n);
	if (!p) {
		fprintf(stderr, "bench/write: out of memory\n");
		fail();
	}
	snprintf(p, n, "%s/%s", a, b);
	return p;
}

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint64_t rng(void)
{
	uint64_t x = rng_state;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return rng_state = x;
}

static double file_mib(const char *dir)
{
	char *p = path_join(dir, "data.mdb");
	struct stat sb;
	double r = stat(p, &sb) == 0 ? (double)sb.st_size / (1024.0 * 1024.0) : -1;
	free(p);
	return r;
}

/* ---- the plsync side ---- */

/*
 * One CSV-like row: raw strings, as `plsync import` hands them to the store
 * (one json_object_set_new per column of the parsed CSV record).
 */
static json_t *row_fields(size_t i)
{
	static const char *const cols[][2] = {
		{ "staff", STAFF_ID }, { "title", NULL }, { "type", "workshop" },
		{ "start", "2026-09-14" }, { "hours", "6.5" }, { "cost_cents", "12000" },
		{ "funding", "local" }, { "standards", "learning_designs,implementation" },
		{ "location", "in_district" }, { "status", "completed" }
	};
	json_t *f = json_object();
	char title[64];

	snprintf(title, sizeof(title), "Reading workshop %zu", i + 1);
	for (size_t c = 0; f && c < sizeof(cols) / sizeof(cols[0]); c++)
		json_object_set_new(f, cols[c][0], json_string(cols[c][1] ? cols[c][1] : title));
	return f;
}

static int setup_store(const char *dir)
{
	pl_store *st = NULL;
	json_t *f = NULL;
	int rc;

	if ((rc = pl_store_create(dir, NODE, NULL)) || (rc = pl_store_open(&st, dir, NULL)))
		return rc;
	f = json_pack("{ss ss ss}", "code", NODE, "name", "Bench Elementary", "level", "elementary");
	pl_change school = { PL_CHANGE_CREATE, "school", NODE, f, NULL, NULL };
	if ((rc = pl_store_change(st, ACTOR, &school, NULL)))
		goto cleanup;
	json_decref(f);
	f = json_pack("{ss ss ss ss}", "name", "Ann Bench", "category", "certified",
	              "school", NODE, "email", "ann@example.org");
	pl_change staff = { PL_CHANGE_CREATE, "staff", STAFF_ID, f, NULL, NULL };
	rc = pl_store_change(st, ACTOR, &staff, NULL);
cleanup:
	json_decref(f);
	pl_store_free(st);
	return rc;
}

static int bulk_fn(pl_write *w, void *payload)
{
	bulk_payload *bp = payload;
	int rc = 0;

	bp->attempts++;
	pl_write_defer_refs(w); /* as the import does: rows may refer to later rows */
	for (size_t i = 0; i < bp->rows && rc == 0; i++) {
		char where[64], id[PL_ID_MAX + 1];
		json_t *f = row_fields(i);
		pl_change c = { PL_CHANGE_CREATE, "pd_entry", NULL, f, NULL, where };
		snprintf(where, sizeof(where), "pd_entry.csv line %zu", i + 2);
		rc = pl_write_change(w, &c, id);
		json_decref(f);
	}
	return rc;
}

struct plsync_arg {
	const char *dir;
	size_t      from, to;   /* rows [from, to) */
	int         no_sync;    /* 1 for the calibration run only */
};

static void result_err(result *r, int rc, const char *what)
{
	r->rc = rc;
	snprintf(r->err, sizeof(r->err), "%s: %s", what, pl_error_last()->message);
}

/*
 * The map size recorded in the environment in `envdir` (LMDB keeps it in
 * the meta page). Read by the driver after a phase, not by the phase
 * itself: reading the store would count its pages into the phase's RSS.
 */
static size_t env_map_size(const char *envdir)
{
	MDB_env *env = NULL;
	MDB_envinfo info;
	size_t sz = 0;

	if (mdb_env_create(&env) == 0 && mdb_env_set_maxdbs(env, NDB_MAX) == 0 &&
	    mdb_env_open(env, envdir, MDB_RDONLY, 0600) == 0 && mdb_env_info(env, &info) == 0)
		sz = info.me_mapsize;
	if (env)
		mdb_env_close(env);
	return sz;
}

static int plsync_bulk(result *r, void *arg)
{
	struct plsync_arg *a = arg;
	bulk_payload bp = { a->to, 0 };
	pl_store *st = NULL;
	double t0;
	int rc;

	if ((rc = pl_store_open(&st, a->dir, NULL))) {
		result_err(r, rc, "opening the store");
		return rc;
	}
	t0 = now();
	/* as `plsync import` does: room for 12x the CSV (rows of ~150 bytes) */
	rc = pl_store_reserve(st, (size_t)a->to * 150 * 12);
	if (!rc)
		rc = pl_store_write(st, ACTOR, bulk_fn, &bp);
	r->secs = now() - t0;
	r->attempts = bp.attempts;
	if (rc)
		result_err(r, rc, "bulk import");
	pl_store_free(st);
	return rc;
}

static int plsync_singles(result *r, void *arg)
{
	struct plsync_arg *a = arg;
	pl_store_options o = PL_STORE_OPTIONS_INIT;
	pl_store *st = NULL;
	double t0;
	int rc = 0;

	o.no_sync = a->no_sync;
	if ((rc = pl_store_open(&st, a->dir, &o))) {
		result_err(r, rc, "opening the store");
		return rc;
	}
	t0 = now();
	for (size_t i = a->from; i < a->to && rc == 0; i++) {
		json_t *f = row_fields(i);
		pl_change c = { PL_CHANGE_CREATE, "pd_entry", NULL, f, NULL, NULL };
		rc = pl_store_change(st, ACTOR, &c, NULL);
		json_decref(f);
	}
	r->secs = now() - t0;
	r->attempts = a->to - a->from;
	if (rc)
		result_err(r, rc, "single write");
	pl_store_free(st);
	return rc;
}

/* ---- walking a data.mdb ---- */

typedef int (*walk_cb)(int db, const MDB_val *k, const MDB_val *v, void *payload);

/*
 * Call cb for every entry of every named db of the environment in `envdir`,
 * db by db, in key order; names[] gets the db names (the main db's keys).
 * The map is unmapped again before returning, so the walk leaves no pages
 * resident for later phases to inherit.
 */
static int walk_env(char names[NDB_MAX][64], int *ndb, const char *envdir, walk_cb cb, void *payload)
{
	MDB_env *env = NULL;
	MDB_txn *txn = NULL;
	MDB_cursor *cur = NULL;
	MDB_dbi main_dbi, dbi;
	MDB_val k, v;
	int rc;

	*ndb = 0;
	if ((rc = mdb_env_create(&env)) || (rc = mdb_env_set_maxdbs(env, NDB_MAX)) ||
	    (rc = mdb_env_open(env, envdir, MDB_RDONLY, 0600)) ||
	    (rc = mdb_txn_begin(env, NULL, MDB_RDONLY, &txn)) ||
	    (rc = mdb_dbi_open(txn, NULL, 0, &main_dbi)) ||
	    (rc = mdb_cursor_open(txn, main_dbi, &cur)))
		goto cleanup;
	while ((rc = mdb_cursor_get(cur, &k, &v, *ndb ? MDB_NEXT : MDB_FIRST)) == 0) {
		if (*ndb == NDB_MAX || k.mv_size >= 64) {
			rc = EINVAL;
			goto cleanup;
		}
		memcpy(names[*ndb], k.mv_data, k.mv_size);
		names[*ndb][k.mv_size] = '\0';
		(*ndb)++;
	}
	if (rc != MDB_NOTFOUND)
		goto cleanup;
	mdb_cursor_close(cur);
	cur = NULL;
	for (int d = 0; d < *ndb; d++) {
		if ((rc = mdb_dbi_open(txn, names[d], 0, &dbi)) || (rc = mdb_cursor_open(txn, dbi, &cur)))
			goto cleanup;
		for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
		     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT))
			if ((rc = cb(d, &k, &v, payload)))
				goto cleanup;
		if (rc != MDB_NOTFOUND)
			goto cleanup;
		mdb_cursor_close(cur);
		cur = NULL;
	}
	rc = 0;
cleanup:
	if (cur)
		mdb_cursor_close(cur);
	if (txn)
		mdb_txn_abort(txn);
	if (env)
		mdb_env_close(env);
	if (rc)
		fprintf(stderr, "bench/write: walking %s: %s\n", envdir, mdb_strerror(rc));
	return rc;
}

/* A full copy of a (small) store: the state before a workload. */
static int snapshot_cb(int db, const MDB_val *k, const MDB_val *v, void *payload)
{
	snapshot *s = payload;
	entry *e;

	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		entry *ne = realloc(s->e, cap * sizeof(*ne));
		if (!ne)
			return ENOMEM;
		s->e = ne;
		s->cap = cap;
	}
	e = &s->e[s->n];
	e->db = db;
	e->klen = k->mv_size;
	e->vlen = v->mv_size;
	if (!(e->k = malloc(k->mv_size + 1)) || !(e->v = malloc(v->mv_size + 1))) {
		free(e->k);
		return ENOMEM;
	}
	memcpy(e->k, k->mv_data, k->mv_size);
	memcpy(e->v, v->mv_data, v->mv_size);
	s->n++;
	return 0;
}

static int snapshot_take(snapshot *s, const char *envdir)
{
	memset(s, 0, sizeof(*s));
	return walk_env(s->names, &s->ndb, envdir, snapshot_cb, s);
}

static void snapshot_free(snapshot *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->e[i].k);
		free(s->e[i].v);
	}
	free(s->e);
	memset(s, 0, sizeof(*s));
}

/* The entry of `before` in the db named `name` with key k, or NULL. Small: linear. */
static const entry *snapshot_find(const snapshot *before, const char *name, const MDB_val *k)
{
	for (size_t i = 0; i < before->n; i++) {
		const entry *e = &before->e[i];
		if (e->klen == k->mv_size && !memcmp(e->k, k->mv_data, e->klen) &&
		    !strcmp(before->names[e->db], name))
			return e;
	}
	return NULL;
}

/* ---- the put list ---- */

static int keys_push(putlist *pl, put *p, const void *k, size_t klen)
{
	if (pl->keys_len + klen > pl->keys_cap) {
		size_t cap = pl->keys_cap ? pl->keys_cap * 2 : 1 << 20;
		unsigned char *nk;
		while (cap < pl->keys_len + klen)
			cap *= 2;
		if (!(nk = realloc(pl->keys, cap)))
			return ENOMEM;
		pl->keys = nk;
		pl->keys_cap = cap;
	}
	memcpy(pl->keys + pl->keys_len, k, klen);
	p->koff = pl->keys_len;
	p->klen = (uint32_t)klen;
	pl->keys_len += klen;
	return 0;
}

static int put_append(put **arr, size_t *n, size_t *cap, const put *p)
{
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 1024;
		put *na = realloc(*arr, c * sizeof(*na));
		if (!na)
			return ENOMEM;
		*arr = na;
		*cap = c;
	}
	(*arr)[(*n)++] = *p;
	return 0;
}

struct classify {
	putlist        *pl;
	const snapshot *before;
	char            names[NDB_MAX][64];
	put            *added[NDB_MAX];   /* per db, in key order */
	size_t          nadded[NDB_MAX], cap[NDB_MAX], txncap;
};

/* Each entry of the store after the workload: added, changed or as before. */
static int classify_cb(int db, const MDB_val *k, const MDB_val *v, void *payload)
{
	struct classify *c = payload;
	putlist *pl = c->pl;
	const entry *b = snapshot_find(c->before, c->names[db], k);
	put p = { 0, 0, (uint32_t)v->mv_size, db };

	if (v->mv_size > pl->max_vlen)
		pl->max_vlen = v->mv_size;
	if (b && b->vlen == v->mv_size && !memcmp(b->v, v->mv_data, b->vlen))
		return 0;
	if (keys_push(pl, &p, k->mv_data, k->mv_size))
		return ENOMEM;
	if (!b) {
		pl->n_new[db]++;
		pl->kb_new[db] += k->mv_size;
		pl->vb_new[db] += v->mv_size;
		return put_append(&c->added[db], &c->nadded[db], &c->cap[db], &p);
	}
	pl->n_chg[db]++;
	pl->kb_chg[db] += k->mv_size;
	pl->vb_chg[db] += v->mv_size;
	return put_append(&pl->txn, &pl->ntxn, &c->txncap, &p);
}

/*
 * The puts that turned the store in `envdir` from `before` into what it is
 * now: entries added are spread over `rows` rows in the order plsync made
 * them (ops: key order; the rest: shuffled); existing entries whose value
 * changed are once-per-transaction puts. Entries deleted would be missed,
 * but creates delete nothing.
 */
static int putlist_build(putlist *pl, const snapshot *before, const char *envdir, size_t rows)
{
	struct classify c;
	int rc;

	memset(pl, 0, sizeof(*pl));
	memset(&c, 0, sizeof(c));
	pl->rows = rows;
	pl->ops_db = -1;
	c.pl = pl;
	c.before = before;
	if ((rc = walk_env(c.names, &pl->ndb, envdir, classify_cb, &c)))
		goto cleanup;
	memcpy(pl->names, c.names, sizeof(pl->names));
	rc = ENOMEM;
	for (int d = 0; d < pl->ndb; d++) {
		if (!strcmp(pl->names[d], "ops")) {
			pl->ops_db = d;
			continue;
		}
		for (size_t i = c.nadded[d]; i > 1; i--) {
			size_t j = (size_t)(rng() % i);
			put t = c.added[d][i - 1];
			c.added[d][i - 1] = c.added[d][j];
			c.added[d][j] = t;
		}
	}
	for (int d = 0; d < pl->ndb; d++)
		pl->nrow += c.nadded[d];
	if (!(pl->row = malloc((pl->nrow + 1) * sizeof(put))) ||
	    !(pl->start = malloc((rows + 1) * sizeof(size_t))))
		goto cleanup;
	{
		size_t n = 0;
		for (size_t r = 0; r < rows; r++) {
			pl->start[r] = n;
			for (int d = 0; d < pl->ndb; d++)
				for (size_t j = r * c.nadded[d] / rows; j < (r + 1) * c.nadded[d] / rows; j++)
					pl->row[n++] = c.added[d][j];
		}
		pl->start[rows] = n;
	}
	/* the 1-put reference: each new op, its key and size, into "ops" */
	if (pl->ops_db >= 0 && c.nadded[pl->ops_db]) {
		pl->one = c.added[pl->ops_db];
		pl->none = c.nadded[pl->ops_db];
		c.added[pl->ops_db] = NULL;
	}
	rc = 0;
cleanup:
	for (int d = 0; d < NDB_MAX; d++)
		free(c.added[d]);
	if (rc) {
		fprintf(stderr, "bench/write: building the put list failed\n");
		putlist_free(pl);
	}
	return rc;
}

/* Free the lists; the counts stay for printing. */
static void putlist_free(putlist *pl)
{
	free(pl->row);
	free(pl->start);
	free(pl->txn);
	free(pl->one);
	free(pl->keys);
	pl->row = pl->txn = pl->one = NULL;
	pl->start = NULL;
	pl->keys = NULL;
}

/* ---- the raw LMDB side ---- */

struct raw_arg {
	const char    *dir;      /* empty at the first run */
	const putlist *pl;
	int            one_put;  /* 1: the 1-put-per-op reference */
	int            per_row;  /* 1: one durable transaction per row */
	size_t         from, to; /* rows [from, to) */
};

static int raw_put(MDB_txn *txn, const MDB_dbi *dbi, const putlist *pl, const put *p,
                   unsigned char *vbuf)
{
	MDB_val k = { p->klen, pl->keys + p->koff }, v = { p->vlen, vbuf };
	return mdb_put(txn, dbi[p->db], &k, &v, 0);
}

/* The puts of row r (or its 1-put op), plus the per-transaction ones if `meta`. */
static int raw_row(MDB_txn *txn, const MDB_dbi *dbi, const struct raw_arg *a, size_t r,
                   unsigned char *vbuf)
{
	const putlist *pl = a->pl;
	int rc = 0;

	if (a->one_put)
		return r < pl->none ? raw_put(txn, dbi, pl, &pl->one[r], vbuf) : 0;
	for (size_t i = pl->start[r]; i < pl->start[r + 1] && rc == 0; i++)
		rc = raw_put(txn, dbi, pl, &pl->row[i], vbuf);
	return rc;
}

static int raw_txn_tail(MDB_txn *txn, const MDB_dbi *dbi, const struct raw_arg *a,
                        unsigned char *vbuf)
{
	int rc = 0;
	if (a->one_put)
		return 0;
	for (size_t i = 0; i < a->pl->ntxn && rc == 0; i++)
		rc = raw_put(txn, dbi, a->pl, &a->pl->txn[i], vbuf);
	return rc;
}

static int raw_run(result *r, void *arg)
{
	const struct raw_arg *a = arg;
	const putlist *pl = a->pl;
	MDB_env *env = NULL;
	MDB_txn *txn = NULL;
	MDB_dbi dbi[NDB_MAX];
	unsigned char *vbuf = NULL;
	size_t rows = a->one_put ? pl->none : pl->rows, to = a->to < rows ? a->to : rows;
	double t0;
	int rc;

	if (!(vbuf = calloc(1, pl->max_vlen + 1))) {
		rc = ENOMEM;
		goto cleanup;
	}
	for (size_t i = 0; i <= pl->max_vlen; i++)
		vbuf[i] = (unsigned char)(rng() >> 56);
	/* the same flags as the store: default (fsync on), as many named dbs */
	if ((rc = mdb_env_create(&env)) || (rc = mdb_env_set_maxdbs(env, NDB_MAX)) ||
	    (rc = mdb_env_set_mapsize(env, RAW_MAP)) ||
	    (rc = mdb_env_open(env, a->dir, 0, 0600)) ||
	    (rc = mdb_txn_begin(env, NULL, 0, &txn)))
		goto cleanup;
	for (int d = 0; d < pl->ndb; d++)
		if ((rc = mdb_dbi_open(txn, pl->names[d], MDB_CREATE, &dbi[d])))
			goto cleanup;
	rc = mdb_txn_commit(txn);
	txn = NULL;
	if (rc)
		goto cleanup;

	t0 = now();
	if (!a->per_row) {
		if ((rc = mdb_txn_begin(env, NULL, 0, &txn)))
			goto cleanup;
		for (size_t i = a->from; i < to && rc == 0; i++)
			rc = raw_row(txn, dbi, a, i, vbuf);
		if (rc || (rc = raw_txn_tail(txn, dbi, a, vbuf)))
			goto cleanup;
		rc = mdb_txn_commit(txn);
		txn = NULL;
	} else {
		for (size_t i = a->from; i < to && rc == 0; i++) {
			if ((rc = mdb_txn_begin(env, NULL, 0, &txn)))
				goto cleanup;
			if ((rc = raw_row(txn, dbi, a, i, vbuf)) || (rc = raw_txn_tail(txn, dbi, a, vbuf)))
				goto cleanup;
			rc = mdb_txn_commit(txn);
			txn = NULL;
		}
	}
	r->secs = now() - t0;
	r->attempts = to - a->from;
	{
		MDB_envinfo info;
		mdb_env_info(env, &info);
		r->map_size = info.me_mapsize;
	}
cleanup:
	if (txn)
		mdb_txn_abort(txn);
	if (env)
		mdb_env_close(env);
	free(vbuf);
	if (rc) {
		r->rc = rc;
		snprintf(r->err, sizeof(r->err), "raw LMDB: %s", mdb_strerror(rc));
	}
	return rc;
}

/* ---- the SQLite reference ---- */

/*
 * What a district would pick instead: the same rows, through SQLite's C
 * library, into an ordinary (rowid) table with a TEXT primary key on the
 * id and an index on staff (as plsync keeps a reference index on it), WAL,
 * synchronous=FULL, SQLite's default page cache (2 MiB).
 * Ids are scrambled like plsync's (inserts land in random key order).
 * `batch` 0: all rows in one transaction; else a durable commit every
 * `batch` rows.
 */
struct sqlite_arg {
	const char *path;
	size_t      rows;
	size_t      batch;
};

static int sq_exec(sqlite3 *db, const char *sql, result *r)
{
	char *err = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &err) == SQLITE_OK)
		return 0;
	r->rc = -1;
	snprintf(r->err, sizeof(r->err), "sqlite: %s: %s", sql, err ? err : "?");
	sqlite3_free(err);
	return -1;
}

static int sqlite_run(result *r, void *arg)
{
	const struct sqlite_arg *a = arg;
	sqlite3 *db = NULL;
	sqlite3_stmt *ins = NULL;
	struct stat sb;
	double t0;
	int rc = -1;

	if (sqlite3_open(a->path, &db) != SQLITE_OK)
		goto fail;
	if (sq_exec(db, "PRAGMA journal_mode=WAL", r) || sq_exec(db, "PRAGMA synchronous=FULL", r) ||
	    sq_exec(db, "CREATE TABLE pd_entry (id TEXT PRIMARY KEY, staff TEXT NOT NULL, title TEXT,"
	                " type TEXT, start TEXT, hours REAL, cost_cents INTEGER, funding TEXT,"
	                " standards TEXT, location TEXT, status TEXT)", r) ||
	    sq_exec(db, "CREATE INDEX pd_entry_staff ON pd_entry (staff)", r))
		goto out;
	if (sqlite3_prepare_v2(db, "INSERT INTO pd_entry VALUES (?,?,?,?,?,?,?,?,?,?,?)", -1, &ins,
	                       NULL) != SQLITE_OK)
		goto fail;
	t0 = now();
	for (size_t i = 0; i < a->rows; i++) {
		char id[32], title[64];
		/* a scrambled id, as plsync's ids are: NODE-xxxxxxxx */
		uint64_t h = ((uint64_t)i + 1) * 0x9E3779B97F4A7C15ull;
		if ((a->batch ? i % a->batch == 0 : i == 0) && sq_exec(db, "BEGIN", r))
			goto out;
		snprintf(id, sizeof(id), "%s-%010llX", NODE, (unsigned long long)(h >> 24));
		snprintf(title, sizeof(title), "Reading workshop %zu", i + 1);
		sqlite3_bind_text(ins, 1, id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(ins, 2, STAFF_ID, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 3, title, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(ins, 4, "workshop", -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 5, "2026-09-14", -1, SQLITE_STATIC);
		sqlite3_bind_double(ins, 6, 6.5);
		sqlite3_bind_int(ins, 7, 12000);
		sqlite3_bind_text(ins, 8, "local", -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 9, "learning_designs,implementation", -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 10, "in_district", -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 11, "completed", -1, SQLITE_STATIC);
		if (sqlite3_step(ins) != SQLITE_DONE)
			goto fail;
		sqlite3_reset(ins);
		if ((a->batch ? (i + 1) % a->batch == 0 || i + 1 == a->rows : i + 1 == a->rows) &&
		    sq_exec(db, "COMMIT", r))
			goto out;
	}
	r->secs = now() - t0;
	r->attempts = a->rows;
	sqlite3_finalize(ins);
	ins = NULL;
	/* its bytes on disk once the WAL is folded into the database file */
	if (sq_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", r))
		goto out;
	if (stat(a->path, &sb) == 0)
		r->file_bytes = (size_t)sb.st_size;
	rc = 0;
	goto out;
fail:
	r->rc = -1;
	snprintf(r->err, sizeof(r->err), "sqlite: %s", db ? sqlite3_errmsg(db) : "cannot open");
out:
	sqlite3_finalize(ins);
	sqlite3_close(db);
	return rc;
}

/* ---- phases in child processes ---- */

static int run_phase(phase *ph, int (*fn)(result *r, void *arg), void *arg, const char *mdbdir)
{
	struct rusage ru;
	int fds[2], status = 0;
	pid_t pid;
	ssize_t n;

	memset(ph, 0, sizeof(*ph));
	fflush(stdout);
	fflush(stderr);
	if (pipe(fds))
		return pl_error_from_errno("pipe");
	if ((pid = fork()) < 0)
		return pl_error_from_errno("fork");
	if (pid == 0) {
		result r;
		FILE *f = fopen("/proc/self/statm", "r");
		long pages = 0, rss = 0;
		memset(&r, 0, sizeof(r));
		if (f && fscanf(f, "%ld %ld", &pages, &rss) == 2)
			r.rss_start_kib = rss * (sysconf(_SC_PAGESIZE) / 1024);
		if (f)
			fclose(f);
		close(fds[0]);
		fn(&r, arg);
		if (write(fds[1], &r, sizeof(r)) != (ssize_t)sizeof(r))
			_exit(2);
		_exit(0);
	}
	close(fds[1]);
	n = read(fds[0], &ph->res, sizeof(ph->res));
	close(fds[0]);
	if (wait4(pid, &status, 0, &ru) < 0)
		return pl_error_from_errno("wait4");
	if (n != (ssize_t)sizeof(ph->res) || !WIFEXITED(status) || WEXITSTATUS(status)) {
		ph->res.rc = -1;
		snprintf(ph->res.err, sizeof(ph->res.err), "the phase's process died (status %d)", status);
	}
	if (ph->res.rc)
		return pl_error_set(PL_ERROR, "%s", ph->res.err);
	ph->maxrss_kib = ru.ru_maxrss;
	ph->cpu_secs = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	               (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
	ph->mdb_mib = file_mib(mdbdir);
	ph->ran = 1;
	return 0;
}

/* ---- printing ---- */

static double ops_per_s(const phase *ph, size_t n)
{
	return ph->ran && ph->res.secs > 0 ? (double)n / ph->res.secs : 0;
}

static void print_row(const char *label, size_t n, const phase *ps, const phase *rs, const phase *r1)
{
	double p = ops_per_s(ps, n), r = ops_per_s(rs, n), o = ops_per_s(r1, n);

	printf("  %-30s %10.0f %15.0f %7.3f %13.0f %7.3f\n", label, p, r, r > 0 ? p / r : 0, o,
	       o > 0 ? p / o : 0);
}

static void print_puts(const char *label, const putlist *pl)
{
	printf("  %s, measured per row:", label);
	for (int d = 0; d < pl->ndb; d++) {
		if (!pl->n_new[d])
			continue;
		printf(" %s %.2f (k %.0f B, v %.0f B)", pl->names[d], (double)pl->n_new[d] / (double)pl->rows,
		       (double)pl->kb_new[d] / (double)pl->n_new[d], (double)pl->vb_new[d] / (double)pl->n_new[d]);
	}
	printf("\n  %*s per transaction:", (int)strlen(label), "");
	for (int d = 0; d < pl->ndb; d++)
		if (pl->n_chg[d])
			printf(" %s %zu (k %zu B, v %zu B total)", pl->names[d], pl->n_chg[d], pl->kb_chg[d],
			       pl->vb_chg[d]);
	printf("\n");
}

static double mib_kib(long kib)
{
	return (double)kib / 1024.0;
}

static double mib(size_t b)
{
	return (double)b / (1024.0 * 1024.0);
}

static void rss_cell(char out[32], const phase *ph)
{
	snprintf(out, 32, "%.1f (%.1f)", mib_kib(ph->maxrss_kib), mib_kib(ph->res.rss_start_kib));
}

/* ---- one workload: plsync, then the two raw references ---- */

struct workload {
	const char *name;          /* "bulk" or "singles" */
	size_t      n;
	int         per_row;
	phase       ps, rs, r1;
	phase       sq, sqb;       /* bulk: SQLite one transaction, and batches of SQLITE_BATCH */
	putlist     pl;
	int         rounds;        /* bulk: rounds run, and each one's ratio */
	double      round_ratio[8];
};

/* Add one round of a phase to its total: times add up, peaks take the max. */
static void phase_add(phase *total, const phase *round)
{
	if (!total->ran)
		total->res.rss_start_kib = round->res.rss_start_kib;
	total->res.secs += round->res.secs;
	total->cpu_secs += round->cpu_secs;
	total->res.attempts += round->res.attempts;
	total->res.map_size = round->res.map_size;
	total->res.file_bytes = round->res.file_bytes;
	if (round->maxrss_kib > total->maxrss_kib)
		total->maxrss_kib = round->maxrss_kib;
	total->mdb_mib = round->mdb_mib;
	total->ran = 1;
}

/*
 * Bulk: the plsync import, then the raw references of the puts it made.
 * Singles: a calibration run (no fsync, not timed) gives the puts; then
 * plsync and the raw references take turns in ROUNDS rounds, so that a
 * disk that is slower for a while (fsync latency drifts on a shared
 * machine) weighs on all three alike.
 */
#define ROUNDS 5
#define BULK_ROUNDS 3
#define SQLITE_BATCH 1000
static void run_workload(struct workload *wl, const char *root)
{
	char sub[64];
	char *pdir, *pstore, *cdir = NULL, *cstore = NULL, *rdir, *r1dir;
	snapshot before;
	struct plsync_arg pa = { NULL, 0, wl->n, 0 };
	struct raw_arg ra, r1a;

	snprintf(sub, sizeof(sub), "%s-plsync", wl->name);
	pdir = path_join(root, sub);
	pstore = path_join(pdir, "store");
	snprintf(sub, sizeof(sub), "%s-raw-same", wl->name);
	rdir = path_join(root, sub);
	snprintf(sub, sizeof(sub), "%s-raw-1put", wl->name);
	r1dir = path_join(root, sub);
	if (mkdir(rdir, 0700) || mkdir(r1dir, 0700))
		die("mkdir");
	if (setup_store(pdir))
		die("setting up the store");

	if (!wl->per_row) {
		/* BULK_ROUNDS rounds taking turns, each into fresh stores: the
		 * puts are those of the first round's import */
		for (int r = 0; r < BULK_ROUNDS; r++) {
			phase ph, pr, p1;
			char *pd = pdir, *ps = pstore, *rd = rdir, *r1d = r1dir;
			if (r > 0) {
				snprintf(sub, sizeof(sub), "%s-plsync-%d", wl->name, r);
				pd = path_join(root, sub);
				ps = path_join(pd, "store");
				snprintf(sub, sizeof(sub), "%s-raw-same-%d", wl->name, r);
				rd = path_join(root, sub);
				snprintf(sub, sizeof(sub), "%s-raw-1put-%d", wl->name, r);
				r1d = path_join(root, sub);
				if (mkdir(rd, 0700) || mkdir(r1d, 0700) || setup_store(pd))
					die("setting up a bulk round");
			}
			if (r == 0 && snapshot_take(&before, ps))
				fail();
			pa.dir = pd;
			if (run_phase(&ph, plsync_bulk, &pa, ps))
				die("plsync bulk import");
			ph.res.map_size = env_map_size(ps);
			phase_add(&wl->ps, &ph);
			if (r == 0) {
				if (putlist_build(&wl->pl, &before, ps, wl->n))
					fail();
				snapshot_free(&before);
				malloc_trim(0);
			}
			ra = (struct raw_arg){ rd, &wl->pl, 0, 0, 0, wl->n };
			if (run_phase(&pr, raw_run, &ra, rd))
				die("raw LMDB, same puts");
			phase_add(&wl->rs, &pr);
			r1a = (struct raw_arg){ r1d, &wl->pl, 1, 0, 0, wl->n };
			if (run_phase(&p1, raw_run, &r1a, r1d))
				die("raw LMDB, 1 put per op");
			phase_add(&wl->r1, &p1);
			{
				phase sq;
				char *sqp;
				snprintf(sub, sizeof(sub), "%s-sqlite-%d.db", wl->name, r);
				sqp = path_join(root, sub);
				struct sqlite_arg sa = { sqp, wl->n, 0 };
				if (run_phase(&sq, sqlite_run, &sa, root))
					die("SQLite, one transaction");
				phase_add(&wl->sq, &sq);
				free(sqp);
				snprintf(sub, sizeof(sub), "%s-sqlite-batch-%d.db", wl->name, r);
				sqp = path_join(root, sub);
				sa = (struct sqlite_arg){ sqp, wl->n, SQLITE_BATCH };
				if (run_phase(&sq, sqlite_run, &sa, root))
					die("SQLite, batches");
				phase_add(&wl->sqb, &sq);
				free(sqp);
			}
			wl->round_ratio[r] = ph.res.secs > 0 ? pr.res.secs / ph.res.secs : 0;
			wl->rounds++;
			if (r > 0) {
				free(pd);
				free(ps);
				free(rd);
				free(r1d);
			}
		}
	} else {
		phase ph;
		snprintf(sub, sizeof(sub), "%s-calibration", wl->name);
		cdir = path_join(root, sub);
		cstore = path_join(cdir, "store");
		if (setup_store(cdir))
			die("setting up the calibration store");
		if (snapshot_take(&before, cstore))
			fail();
		pa.dir = cdir;
		pa.no_sync = 1;
		if (run_phase(&ph, plsync_singles, &pa, cstore))
			die("plsync calibration run");
		if (putlist_build(&wl->pl, &before, cstore, wl->n))
			fail();
		snapshot_free(&before);
		malloc_trim(0);
		for (size_t r = 0; r < ROUNDS; r++) {
			size_t from = r * wl->n / ROUNDS, to = (r + 1) * wl->n / ROUNDS;
			if (from == to)
				continue;
			pa = (struct plsync_arg){ pdir, from, to, 0 };
			if (run_phase(&ph, plsync_singles, &pa, pstore))
				die("plsync single writes");
			phase_add(&wl->ps, &ph);
			ra = (struct raw_arg){ rdir, &wl->pl, 0, 1, from, to };
			if (run_phase(&ph, raw_run, &ra, rdir))
				die("raw LMDB, same puts");
			phase_add(&wl->rs, &ph);
			r1a = (struct raw_arg){ r1dir, &wl->pl, 1, 1, from, to };
			if (run_phase(&ph, raw_run, &r1a, r1dir))
				die("raw LMDB, 1 put per op");
			phase_add(&wl->r1, &ph);
		}
	}
	putlist_free(&wl->pl);
	malloc_trim(0);
	free(pdir);
	free(pstore);
	free(cdir);
	free(cstore);
	free(rdir);
	free(r1dir);
}

static void print_rss(const char *label, const struct workload *wl)
{
	char a[32], b[32], c[32];

	rss_cell(a, &wl->ps);
	rss_cell(b, &wl->rs);
	rss_cell(c, &wl->r1);
	printf("  %-30s %14s %15s %14s\n", label, a, b, c);
}

static void usage(void)
{
	fprintf(stderr, "usage: build/bench/write [--rows N] [--singles M]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct workload bulk = { .name = "bulk", .n = 100000 };
	struct workload singles = { .name = "singles", .n = 2000, .per_row = 1 };
	const char *tmp = getenv("TMPDIR");
	char *root = bench_root;
	struct statfs sfs;
	struct rusage self;

	for (int i = 1; i < argc; i++) {
		char *end;
		size_t *dst;
		if (!strcmp(argv[i], "--rows"))
			dst = &bulk.n;
		else if (!strcmp(argv[i], "--singles"))
			dst = &singles.n;
		else
			usage();
		if (++i == argc)
			usage();
		errno = 0;
		*dst = strtoull(argv[i], &end, 10);
		if (errno || *end || argv[i][0] == '-')
			usage();
	}
	if (pl_init())
		die("pl_init");
	snprintf(root, sizeof(bench_root), "%s/plsync-bench-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(root)) {
		perror("bench/write: mkdtemp");
		return 1;
	}
	statfs(root, &sfs);
	printf("plsync bench/write: %zu bulk rows, %zu durable single writes, in %s (fs magic 0x%lx), lmdb %s,"
	       " sqlite %s\n", bulk.n, singles.n, root, (unsigned long)sfs.f_type, mdb_version(NULL, NULL, NULL),
	       sqlite3_libversion());
	print_load("at start");

	if (bulk.n)
		run_workload(&bulk, root);
	if (singles.n)
		run_workload(&singles, root);

	printf("\n  %-30s %10s %15s %7s %13s %7s\n", "ops/s", "plsync", "raw-same-puts", "ratio",
	       "raw-1-put", "ratio");
	if (bulk.n) {
		char label[64];
		snprintf(label, sizeof(label), "bulk import %zu pd_entry", bulk.n);
		print_row(label, bulk.n * (size_t)bulk.rounds, &bulk.ps, &bulk.rs, &bulk.r1);
	}
	if (singles.n) {
		char label[64];
		snprintf(label, sizeof(label), "durable single writes %zu", singles.n);
		print_row(label, singles.n, &singles.ps, &singles.rs, &singles.r1);
	}
	printf("  (ratio = plsync ops/s / raw ops/s; goals: bulk >= 0.25 of raw-1-put, "
	       "singles >= 0.8 of raw-1-put)\n\n");
	if (bulk.n) {
		size_t n = bulk.n * (size_t)bulk.rounds;
		double p = ops_per_s(&bulk.ps, n), q = ops_per_s(&bulk.sq, n), b = ops_per_s(&bulk.sqb, n);
		double pb = bulk.ps.mdb_mib * 1024.0 * 1024.0 / (double)bulk.n;
		double qb = (double)bulk.sq.res.file_bytes / (double)bulk.n;
		printf("  %-44s %10s %10s %7s %8s\n", "against SQLite (PK + staff index, WAL, FULL)",
		       "plsync", "SQLite", "ratio", "goal");
		printf("  %-44s %10.0f %10.0f %7.3f %8s\n", "bulk rows/s, one transaction", p, q,
		       q > 0 ? p / q : 0, ">= 0.5");
		printf("  %-44s %10.0f %10.0f %7.3f %8s\n", "bulk rows/s, SQLite commits every 1,000", p, b,
		       b > 0 ? p / b : 0, "");
		printf("  %-44s %10.0f %10.0f %7.2f %8s\n", "bytes per record on disk", pb, qb,
		       qb > 0 ? pb / qb : 0, "<= 3");
		printf("  (bytes: data.mdb / rows, SQLite's file after a WAL checkpoint / rows; ratio = plsync/SQLite)\n"
		       "  SQLite seconds, all rounds: one transaction %.3f, batches %.3f; peak RSS %.1f / %.1f MiB\n\n",
		       bulk.sq.res.secs, bulk.sqb.res.secs, mib_kib(bulk.sq.maxrss_kib), mib_kib(bulk.sqb.maxrss_kib));
	}

	if (bulk.n) {
		print_puts("bulk", &bulk.pl);
		printf("  bulk: %d rounds taking turns, each into fresh stores; ratio per round:", bulk.rounds);
		for (int r = 0; r < bulk.rounds; r++)
			printf(" %.3f", bulk.round_ratio[r]);
		printf("\n  bulk: plsync ran the import %zu time(s) in %d rounds; its map ended at %.0f MiB (it "
		       "starts at 64 MiB, and each growth replays the whole write)\n",
		       bulk.ps.res.attempts, bulk.rounds, mib(bulk.ps.res.map_size));
		printf("  bulk seconds, all rounds: plsync %.3f  raw-same-puts %.3f  raw-1-put %.3f\n",
		       bulk.ps.res.secs, bulk.rs.res.secs, bulk.r1.res.secs);
		printf("  bulk cpu seconds (whole process): plsync %.3f  raw-same-puts %.3f  raw-1-put %.3f"
		       " (cpu ratio %.3f)\n", bulk.ps.cpu_secs, bulk.rs.cpu_secs, bulk.r1.cpu_secs,
		       bulk.ps.cpu_secs > 0 ? bulk.rs.cpu_secs / bulk.ps.cpu_secs : 0);
	}
	if (singles.n) {
		print_puts("singles", &singles.pl);
		printf("  singles seconds, %d rounds taking turns: plsync %.3f  raw-same-puts %.3f  raw-1-put %.3f\n"
		       "  (per write: %.3f / %.3f / %.3f ms)\n", ROUNDS,
		       singles.ps.res.secs, singles.rs.res.secs, singles.r1.res.secs,
		       1e3 * singles.ps.res.secs / (double)singles.n,
		       1e3 * singles.rs.res.secs / (double)singles.n,
		       1e3 * singles.r1.res.secs / (double)singles.n);
		printf("  singles cpu seconds (whole processes): plsync %.3f  raw-same-puts %.3f  raw-1-put %.3f\n",
		       singles.ps.cpu_secs, singles.rs.cpu_secs, singles.r1.cpu_secs);
	}

	printf("\n  %-30s %14s %15s %14s\n", "peak RSS MiB (at start)", "plsync", "raw-same-puts",
	       "raw-1-put");
	if (bulk.n)
		print_rss("bulk import", &bulk);
	if (singles.n)
		print_rss("durable single writes", &singles);
	getrusage(RUSAGE_SELF, &self);
	printf("  (ru_maxrss of each phase's own process, from wait4; \"at start\" is what it inherited,\n"
	       "   for the raw ones including the put list: keys %.1f MiB bulk, %.1f MiB singles;\n"
	       "   the bench driver that walked the stores peaked at %.1f MiB)\n",
	       mib(bulk.pl.keys_len), mib(singles.pl.keys_len), mib_kib(self.ru_maxrss));

	printf("\n  %-30s %14s %15s %14s\n", "data.mdb size (MiB)", "plsync", "raw-same-puts",
	       "raw-1-put");
	if (bulk.n)
		printf("  %-30s %14.1f %15.1f %14.1f\n", "bulk import", bulk.ps.mdb_mib, bulk.rs.mdb_mib,
		       bulk.r1.mdb_mib);
	if (singles.n)
		printf("  %-30s %14.1f %15.1f %14.1f\n", "durable single writes", singles.ps.mdb_mib,
		       singles.rs.mdb_mib, singles.r1.mdb_mib);

	print_load("at end");
	putlist_free(&bulk.pl);
	putlist_free(&singles.pl);
	remove_root();
	pl_shutdown();
	return 0;
}
