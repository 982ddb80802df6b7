/*
 * env.c — the store's LMDB environment: create, open, close, the lock
 * file, and the map's size.
 *
 * Rules kept here:
 *  - All named databases are opened once, at open, in one transaction.
 *  - MDB_NOTLS: read transactions belong to the txn, not the thread, so a
 *    callback handed a record or an op may call back into the store.
 *  - The map grows with no transaction active (pl_store__grow, after a
 *    write filled it; pl_store_reserve, before a big one); it is address
 *    space, the file grows only as pages are written.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <lmdb.h>

#include "plsync/errors.h"
#include "store-int.h"

#define DEFAULT_MAP (64u << 20)
#define MAX_MAP ((size_t)1 << 40)

const char *const pl_store__db_names[DB_COUNT] = {
	"meta", "ops", "opids", "records", "bykind", "byref", "recops", "forks"
};

/*
 * LMDB sizes a new lock file with ftruncate and writes its reader table
 * through a shared map: on a full disk that write is a SIGBUS, not an error.
 * So the file's blocks are allocated first (LOCK_BYTES: the table of the
 * 126 readers pl_store__env_open asks for), and a full disk is an error here.
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

int pl_store__env_open(pl_store *st, const char *path, int create)
{
	MDB_txn *txn = NULL;
	int rc, forks_missing = 0;

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
		rc = mdb_dbi_open(txn, pl_store__db_names[i], create ? MDB_CREATE : 0, &st->dbi[i]);
		if (rc == MDB_NOTFOUND && i == DB_FORKS) {
			forks_missing = 1; /* a store made before it: filled below */
			continue;
		}
		if (rc) {
			mdb_txn_abort(txn);
			if (rc == MDB_NOTFOUND)
				return pl_error_set(PL_ECORRUPT, "%s: not a plsync store (no '%s' database)",
				                    path, pl_store__db_names[i]);
			return pl_error_from_mdb(rc, path);
		}
	}
	if ((rc = mdb_txn_commit(txn)))
		return pl_error_from_mdb(rc, path);
	if (forks_missing) {
		if ((rc = mdb_txn_begin(st->env, NULL, 0, &txn)))
			return pl_error_from_mdb(rc, path);
		if ((rc = mdb_dbi_open(txn, pl_store__db_names[DB_FORKS], MDB_CREATE, &st->dbi[DB_FORKS])) ||
		    (rc = pl_store__forks_fill(st, txn))) {
			mdb_txn_abort(txn);
			return pl_error_from_mdb(rc, path);
		}
		if ((rc = mdb_txn_commit(txn)))
			return pl_error_from_mdb(rc, path);
	}
	return 0;
}

char *pl_store__path(const char *dir)
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

int pl_store__meta_get(MDB_txn *txn, pl_store *st, const char *key, MDB_val *v)
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
	if (!(path = pl_store__path(dir)))
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
	if ((rc = pl_store__env_open(st, path, 1)))
		goto cleanup;
	memset(&w, 0, sizeof(w));
	w.st = st;
	if ((rc = mdb_txn_begin(st->env, NULL, 0, &w.txn))) {
		rc = pl_error_from_mdb(rc, dir);
		goto cleanup;
	}
	{
		unsigned char ver[4] = { 0, 0, 0, PL_SCHEMA_VERSION };
		pl_write__put(&w, DB_META, "node", 4, node, strlen(node), 0);
		pl_write__put(&w, DB_META, "schema", 6, ver, 4, 0);
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
	if (!(path = pl_store__path(dir)))
		return pl_error_set(PL_ERROR, "out of memory");
	snprintf(datafile, sizeof(datafile), "%s/data.mdb", path);
	if (stat(datafile, &sb) != 0) {
		pl_error_set(PL_ENOTFOUND, "%s is not a plsync data dir (no store)", dir);
		rc = pl_error_hint(PL_HINT_INIT, NULL);
		goto cleanup;
	}
	if (!(st = calloc(1, sizeof(*st))) || !(st->dir = strdup(dir))) {
		rc = pl_error_set(PL_ERROR, "out of memory");
		goto cleanup;
	}
	st->opts = opts ? *opts : defaults;
	if ((rc = pl_store__env_open(st, path, 0)))
		goto cleanup;
	if ((rc = mdb_txn_begin(st->env, NULL, MDB_RDONLY, &txn))) {
		rc = pl_error_from_mdb(rc, dir);
		goto cleanup;
	}
	if (pl_store__meta_get(txn, st, "schema", &v) || v.mv_size != 4) {
		rc = pl_error_set(PL_ECORRUPT, "%s: store has no schema version", dir);
		goto cleanup;
	}
	if (((unsigned char *)v.mv_data)[3] > PL_SCHEMA_VERSION) {
		rc = pl_error_set(PL_ECORRUPT, "%s: store schema %u is newer than this plsync (%d); upgrade plsync",
		                  dir, ((unsigned char *)v.mv_data)[3], PL_SCHEMA_VERSION);
		goto cleanup;
	}
	if (pl_store__meta_get(txn, st, "node", &v) || v.mv_size == 0 || v.mv_size > PL_NODE_MAX) {
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

/*
 * Grow the map after a write filled it. The write needed more than the room
 * that was left, by how much is unknown: give it four times that room and
 * never less than double the map. A big import into a young store then
 * replays once instead of once per doubling (the map is address space; the
 * file grows only as pages are written).
 */
int pl_store__grow(pl_store *st)
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
	char *path = pl_store__path(st->dir);
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
	rc = pl_store__env_open(st, path, 0);
	st->opts.map_size = keep;
	free(path);
	return rc;
}

int pl_store__rtxn_begin(pl_store *st, MDB_txn **txn)
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
