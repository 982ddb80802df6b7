/*
 * merge.c — the district merge: every node's new range, verified, into one
 * merge commit on refs/heads/main.
 *
 * Rules kept here:
 *  - A node's new range is last merged tip..ref tip, and must fast-forward.
 *    It is verified and applied to the cache in one store transaction, so a
 *    range that fails anywhere is not applied at all: it is quarantined with
 *    a finding (node, commit, seq, reason) and the other nodes still merge.
 *  - Verification: node commits have one parent and only add batch blobs
 *    under ops/<node>/, named for the seqs they hold; every op is the node's,
 *    continues its chain (seq, prev, id: pl_write_remote), is well-formed
 *    and schema-valid, within the size limits, and changes only records the
 *    node created (DISTRICT may change any; another node's second create of
 *    an id, or a create of an id of another node's generated form, is a
 *    foreign write). Ops more than a day ahead of the merge's clock, and
 *    base ids no merged op has, are merged but reported (res->reported).
 *  - The tree is a function of the merged ops alone: same refs in, same tree
 *    out, whatever the order or the number of merges that got there.
 *  - A merge commit's parents are the old main and the merged node tips;
 *    the first merge's "old main" is a parentless root with the empty tree,
 *    so that walking main's first parents finds merges only, and parents
 *    1.. of each are node tips (what was merged is derivable from git).
 *  - The cache (a plsync store beside the repository) is only an
 *    accelerator: if it does not match main (or a merge died half way) it is
 *    rebuilt from git before anything else.
 *  - One merge at a time (merge_lock): the cache and main are written under
 *    an flock of <repo>/plsync-merge.lock, held for the whole merge and for
 *    every check or rebuild of the cache by a reader.
 */
#include <dirent.h>
#include <pthread.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <git2.h>
#include <git2/sys/mempack.h>
#include <git2/sys/odb_backend.h>

#include "plsync/errors.h"
#include "plsync/json.h"
#include "plsync/merge.h"
#include "plsync/schema.h"
#include "plsync/store.h"
#include "internal.h"

#include <time.h>
static double mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Account the time since the last mark to phase `i` of the result. */
static void mark(pl_merge_result *res, double *t0, int i)
{
	double t = mono();
	if (i >= 0)
		res->secs[i] += t - *t0;
	*t0 = t;
}

struct updates {
	git_tree_update *u;
	char           **paths;
	size_t           n, cap;
};

#define STATE_CHUNK 32768
struct chunk {
	pl_sync__zobj *o;
	size_t         n;
};

struct merge {
	git_repository          *repo;
	pl_store                *cache;
	const pl_merge_options  *opts;
	pl_merge_result         *res;
	double                   t0;        /* for the phase timings */
	git_tree                *base;      /* main's tree before, or NULL */
	git_tree                *base_conflicts; /* its conflicts/, or NULL */
	struct updates           ups;       /* all merged ranges */
	json_t                  *touched;   /* id -> kind, all merged ranges */
	json_t                  *carry;     /* [[node, first, last, commit]] */
	struct chunk             ck;        /* state files not yet on disk: they go
	                                       in the merge commit's pack */
	/* the range being verified (reset when the write replays) */
	const char              *node;
	git_oid                 *commits;
	size_t                   ncommits;
	char                     tip[41];
	struct updates           rups;
	json_t                  *rtouched, *rcarry;
	char                     cur_commit[41];
	uint64_t                 cur_seq;
	size_t                   rops;
	/* reported, not quarantined (issue 9, D7, D13): this range's clock
	 * findings and [node, seq] of its ops with base ids not held yet; the
	 * merge's, once their ranges are in */
	json_t                  *rreported, *rdangling, *dangling;
};

static void updates_clear(struct updates *u)
{
	for (size_t i = 0; i < u->n; i++)
		free(u->paths[i]);
	free(u->paths);
	free(u->u);
	memset(u, 0, sizeof(*u));
}

static int updates_add(struct updates *u, const char *path, const git_oid *id, int remove)
{
	if (u->n == u->cap) {
		size_t cap = u->cap ? u->cap * 2 : 64;
		git_tree_update *nu = realloc(u->u, cap * sizeof(*nu));
		if (!nu)
			return pl_error_set(PL_ERROR, "out of memory");
		u->u = nu;
		char **np = realloc(u->paths, cap * sizeof(*np));
		if (!np)
			return pl_error_set(PL_ERROR, "out of memory");
		u->paths = np;
		u->cap = cap;
	}
	if (!(u->paths[u->n] = strdup(path)))
		return pl_error_set(PL_ERROR, "out of memory");
	memset(&u->u[u->n], 0, sizeof(git_tree_update));
	u->u[u->n].action = remove ? GIT_TREE_UPDATE_REMOVE : GIT_TREE_UPDATE_UPSERT;
	if (id)
		u->u[u->n].id = *id;
	u->u[u->n].filemode = GIT_FILEMODE_BLOB;
	u->u[u->n].path = u->paths[u->n];
	u->n++;
	return 0;
}

int pl_merge_state_path(char *buf, size_t sz, const char *kind, const char *id)
{
	git_oid h;
	char hex[41];
	int rc;

	if ((rc = git_odb_hash(&h, id, strlen(id), GIT_OBJECT_BLOB)) < 0)
		return pl_error_from_git(rc, "hashing an id");
	git_oid_tostr(hex, sizeof(hex), &h);
	snprintf(buf, sz, "state/%s/%.2s/%.2s/%s.json", kind, hex, hex + 2, id);
	return 0;
}

void pl_merge_result_clear(pl_merge_result *r)
{
	json_decref(r->merged);
	json_decref(r->findings);
	json_decref(r->reported);
	memset(r, 0, sizeof(*r));
}

int pl_sync__open_district(git_repository **repo, const char *path)
{
	git_config *cfg = NULL;
	int ours = 0, grc;

	if ((grc = git_repository_open_bare(repo, path)) < 0)
		return pl_error_set(PL_ENOTFOUND, "%s is not a git repository; create it with 'plsync-district init %s'",
		                    path, path);
	if (git_repository_config(&cfg, *repo) == 0)
		git_config_get_bool(&ours, cfg, "plsync.district");
	git_config_free(cfg);
	if (!ours) {
		git_repository_free(*repo);
		*repo = NULL;
		return pl_error_set(PL_EINVALID, "%s is not a plsync district repository (no plsync.district in its config)", path);
	}
	return 0;
}

static void cache_dir(char *buf, size_t sz, const char *repo)
{
	snprintf(buf, sz, "%s/plsync-cache", repo);
}

/* ---- one merge at a time ---- */

/*
 * An flock, like sync's plsync-sync.lock: the kernel drops it when the file
 * is closed, which a process that dies (kill -9 included) always does, so it
 * can never be stale and needs no clearing. flock rather than fcntl's POSIX
 * locks: those are per process, so a second pl_merge in the same process
 * (bench, a server) would not be excluded. The text "pid N since TIME" is
 * written by the holder for the message of the one that waits, never read
 * as the truth. The file is never removed (removing it races the next open).
 */
#define LOCK_POLL_MS 100

static void lock_holder(char *buf, size_t sz, int fd)
{
	ssize_t n = pread(fd, buf, sz - 1, 0);

	buf[n > 0 ? n : 0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	pl_utf8_scrub(buf);
	if (!buf[0])
		snprintf(buf, sz, "holder unknown");
}

/* Take the merge lock of repo_path into *fd, waiting up to wait_secs (-1: no limit). */
static int merge_lock(int *fd, const char *repo_path, int wait_secs, const char *what)
{
	char path[4096], text[160], when[32];
	long waited = 0;
	int r;

	snprintf(path, sizeof(path), "%s/plsync-merge.lock", repo_path);
	if ((*fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) < 0)
		return pl_error_from_errno(path);
	while ((r = flock(*fd, wait_secs < 0 ? LOCK_EX : LOCK_EX | LOCK_NB)) != 0) {
		struct timespec ts = { 0, LOCK_POLL_MS * 1000000L };
		int err = errno;
		if (err == EINTR)
			continue;
		if (err != EWOULDBLOCK || waited >= (long)wait_secs * 1000) {
			if (err == EWOULDBLOCK)
				lock_holder(text, sizeof(text), *fd);
			close(*fd);
			*fd = -1;
			if (err == EWOULDBLOCK)
				return pl_error_set(PL_ECONFLICT, "another merge of %s is running (%s)%s", repo_path, text,
				                    wait_secs > 0 ? ", still after the wait" : "");
			errno = err;
			return pl_error_from_errno(path);
		}
		nanosleep(&ts, NULL);
		waited += LOCK_POLL_MS;
	}
	pl_hlc_fmt(when, (uint64_t)time(NULL) * 1000 << 16);
	snprintf(text, sizeof(text), "pid %ld since %s, %s\n", (long)getpid(), when, what);
	/* the text is only for a waiting merge's message: not writing it fails nothing */
	if (ftruncate(*fd, 0) == 0)
		(void)!pwrite(*fd, text, strlen(text), 0);
	return 0;
}

static void merge_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}

/*
 * refs/heads/main.lock, git's lock of main, under our merge lock: only a
 * merge writes main, so one that stays is a dead merge's. It is given
 * MAIN_LOCK_STALE seconds (by its age, waiting if younger) in case a git
 * process (pack-refs during gc, or a push that should not be there) holds it
 * for its usual instant, then removed; otherwise one kill at the wrong moment
 * would make every later merge fail.
 */
#define MAIN_LOCK_STALE 10

static int clear_main_lock(pl_merge_result *res, const char *repo_path)
{
	char path[4096];
	struct stat st;
	long age = 0;

	snprintf(path, sizeof(path), "%s/refs/heads/main.lock", repo_path);
	for (int i = 0;; i++) {
		struct timespec ts = { 0, 200 * 1000000L };
		if (lstat(path, &st) < 0)
			return errno == ENOENT ? 0 : pl_error_from_errno(path);
		age = (long)(time(NULL) - st.st_mtime);
		if (age >= MAIN_LOCK_STALE || i >= MAIN_LOCK_STALE * 5) /* *5: 200 ms steps; a clock skew ends too */
			break;
		nanosleep(&ts, NULL);
	}
	if (unlink(path) < 0 && errno != ENOENT)
		return pl_error_from_errno(path);
	res->lock_cleared = 1;
	res->lock_age = age;
	return 0;
}

int pl_sync__node_of(char *out, size_t sz, git_repository *repo, const git_oid *commit)
{
	git_commit *c = NULL;
	git_tree *t = NULL, *ops = NULL;
	git_tree_entry *e = NULL;
	int rc = PL_ENOTFOUND;

	if (git_commit_lookup(&c, repo, commit) == 0 && git_commit_tree(&t, c) == 0 &&
	    git_tree_entry_bypath(&e, t, "ops") == 0 && git_tree_lookup(&ops, repo, git_tree_entry_id(e)) == 0 &&
	    git_tree_entrycount(ops) == 1) {
		snprintf(out, sz, "%s", git_tree_entry_name(git_tree_entry_byindex(ops, 0)));
		rc = 0;
	}
	git_tree_free(ops);
	git_tree_entry_free(e);
	git_tree_free(t);
	git_commit_free(c);
	return rc;
}

/* ---- verifying and applying one node's range ---- */

static int range_fail(struct merge *mg, int rc)
{
	(void)mg;
	return rc ? rc : PL_ECORRUPT;
}

/*
 * A batch's ops are prepared (decoded, hashed, schema-checked: their own
 * checks, pl_remote_prepare) on a second thread while this one applies
 * them in order. They pass in groups of GROUP through NGROUP slots: the
 * worker fills a free slot, this thread applies it and hands it back, and
 * the worker frees what it allocated (frees on the allocating thread keep
 * malloc's arenas uncontended). Small batches stay on one thread.
 */
#define GROUP     64
#define NGROUP    4
#define PIPE_MIN  256

enum { SLOT_FREE, SLOT_READY, SLOT_DONE };

struct pipe {
	pl_store            *st;
	const unsigned char *buf;
	const size_t        *at;     /* op i is buf[at[i] .. at[i + 1]) */
	size_t               n;
	pl_remote_op         op[NGROUP][GROUP];
	size_t               count[NGROUP];
	int                  state[NGROUP];
	int                  stop;
	pthread_mutex_t      mu;
	pthread_cond_t       cv;
};

static void slot_clear(struct pipe *p, int g)
{
	for (size_t k = 0; k < p->count[g]; k++)
		pl_remote_op_clear(&p->op[g][k]);
	p->count[g] = 0;
}

static void *pipe_run(void *arg)
{
	struct pipe *p = arg;

	for (size_t first = 0, j = 0; first < p->n; first += GROUP, j++) {
		int g = (int)(j % NGROUP), st;
		size_t cnt = p->n - first < GROUP ? p->n - first : GROUP;

		pthread_mutex_lock(&p->mu);
		while (p->state[g] == SLOT_READY && !p->stop)
			pthread_cond_wait(&p->cv, &p->mu);
		st = p->state[g];
		if (p->stop) {
			pthread_mutex_unlock(&p->mu);
			break;
		}
		pthread_mutex_unlock(&p->mu);
		if (st == SLOT_DONE)
			slot_clear(p, g);
		for (size_t k = 0; k < cnt; k++)
			pl_remote_prepare(&p->op[g][k], p->st, p->buf + p->at[first + k],
			                  p->at[first + k + 1] - p->at[first + k]);
		p->count[g] = cnt;
		pthread_mutex_lock(&p->mu);
		p->state[g] = SLOT_READY;
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
	}
	return NULL;
}

/* ---- reported findings: accepted, merged, never silent ---- */

/* One reported finding, its text made terminal-safe (the rec id is the node's). */
static int report(json_t *list, const char *type, const char *node, uint64_t seq, const pl_oid *op,
                  const char *rec, json_t *extra, const char *reason)
{
	char hex[PL_OID_HEXSZ + 1], *why = strdup(reason), *r = strdup(rec);
	json_t *f = NULL;

	pl_oid_fmt(hex, op);
	if (why && r) {
		for (char *p = why; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				*p = '?';
		for (char *p = r; *p; p++) /* a hostile op's id may hold control bytes */
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				*p = '?';
		pl_utf8_scrub(r);
		f = json_pack("{ss ss sI ss ss ss}", "type", type, "node", node, "seq", (json_int_t)seq, "op", hex,
		              "rec", r, "reason", why);
	}
	free(why);
	free(r);
	if (!f || (extra && json_object_update(f, extra)) || json_array_append_new(list, f)) {
		json_decref(extra);
		return pl_error_set(PL_ERROR, "out of memory recording a finding");
	}
	json_decref(extra);
	return 0;
}

/* An op just applied that is more than a day ahead, or names bases not here yet. */
static int note_reported(struct merge *mg, const pl_remote_info *info)
{
	if (info->ahead) {
		char when[32], why[200];
		pl_hlc_fmt(when, info->hlc);
		snprintf(why, sizeof(why), "its clock (%s) is %.1f days ahead of the merge's", when,
		         (double)info->skew_ms / 86400000.0);
		if (report(mg->rreported, "clock_ahead", info->node, info->seq, &info->id, info->rec,
		           json_pack("{sI ss}", "skew_ms", (json_int_t)info->skew_ms, "time", when), why))
			return PL_ERROR;
	}
	if (info->dangling &&
	    json_array_append_new(mg->rdangling, json_pack("[sI]", info->node, (json_int_t)info->seq)))
		return pl_error_set(PL_ERROR, "out of memory");
	return 0;
}

/* Each base id of op (node, seq) that no merged op has, now that every node is in. */
static int recheck_base(struct merge *mg, const char *node, uint64_t seq)
{
	unsigned char *bytes = NULL, *named = NULL;
	size_t len = 0, nlen = 0;
	pl_op *op = NULL;
	pl_oid id;
	int rc;

	if ((rc = pl_store_op_bytes(&bytes, &len, mg->cache, node, seq)) ||
	    (rc = pl_op_decode(&op, bytes, len, &mg->opts->limits)) || (rc = pl_op_id(&id, bytes, len)))
		goto cleanup;
	for (size_t b = 0; b < op->nbase && !rc; b++) {
		char hex[PL_OID_HEXSZ + 1], why[200];
		rc = pl_store_op_by_id(&named, &nlen, mg->cache, &op->base[b]);
		free(named);
		named = NULL;
		if (rc != PL_ENOTFOUND)
			continue;
		pl_oid_fmt(hex, &op->base[b]);
		snprintf(why, sizeof(why), "its base names op %.12s, which no merged node has (a dangling base)", hex);
		rc = report(mg->res->reported, "dangling_base", node, seq, &id, op->rec, json_pack("{ss}", "missing", hex),
		            why);
	}
cleanup:
	pl_op_free(op);
	free(bytes);
	return rc;
}

static int recheck_dangling(struct merge *mg)
{
	int rc = 0;
	for (size_t i = 0; i < json_array_size(mg->dangling) && !rc; i++) {
		json_t *e = json_array_get(mg->dangling, i);
		rc = recheck_base(mg, json_string_value(json_array_get(e, 0)),
		                  (uint64_t)json_integer_value(json_array_get(e, 1)));
	}
	return rc;
}

static int apply_blob(pl_write *w, struct merge *mg, const char *path, const git_oid *blob_id,
                      uint64_t first, uint64_t last, uint64_t *expect)
{
	const pl_op_limits *lim = &mg->opts->limits;
	git_blob *blob = NULL;
	const unsigned char *buf;
	size_t len, off = 0, n = 0, *at = NULL, cap = 0, i;
	struct pipe *p = NULL;
	pthread_t th;
	int rc = 0, grc, split_rc = 0, threaded = 0;
	char split_err[640] = "";

	if ((grc = git_blob_lookup(&blob, mg->repo, blob_id)) < 0)
		return pl_error_from_git(grc, path);
	buf = git_blob_rawcontent(blob);
	len = (size_t)git_blob_rawsize(blob);
	if (len > lim->max_batch) {
		rc = pl_error_set(PL_ECORRUPT, "%s: batch of %zu bytes is over the %zu-byte limit", path, len, lim->max_batch);
		goto cleanup;
	}
	if (first != *expect) {
		rc = pl_error_set(PL_ECORRUPT, "%s starts at seq %" PRIu64 " but seq %" PRIu64 " is next (gap or replay)",
		                  path, first, *expect);
		goto cleanup;
	}
	/* where each op starts; a malformed one ends the list, and its error
	 * is raised once the ops before it are applied, as they would be */
	while (off < len) {
		size_t start = off;
		if (n + 2 > cap) {
			size_t *na = realloc(at, (cap = cap ? cap * 2 : 1024) * sizeof(*at));
			if (!na) {
				rc = pl_error_set(PL_ERROR, "out of memory");
				goto cleanup;
			}
			at = na;
		}
		if ((split_rc = pl_op_skip(buf, len, &off, lim))) {
			snprintf(split_err, sizeof(split_err), "%s", pl_error_last()->message);
			break;
		}
		at[n++] = start;
		at[n] = off;
	}
	if (!(p = calloc(1, sizeof(*p)))) {
		rc = pl_error_set(PL_ERROR, "out of memory");
		goto cleanup;
	}
	p->st = mg->cache;
	p->buf = buf;
	p->at = at;
	p->n = n;
	if (n >= PIPE_MIN && pthread_mutex_init(&p->mu, NULL) == 0) {
		if (pthread_cond_init(&p->cv, NULL) == 0) {
			threaded = pthread_create(&th, NULL, pipe_run, p) == 0;
			if (!threaded)
				pthread_cond_destroy(&p->cv);
		}
		if (!threaded)
			pthread_mutex_destroy(&p->mu);
	}
	for (i = 0; i < n && !rc; i++) {
		pl_remote_check chk = { mg->node, 1, 1 };
		pl_remote_info info = { 0 };
		int g = (int)((i / GROUP) % NGROUP);
		size_t k = i % GROUP;
		pl_remote_op *r = &p->op[threaded ? g : 0][threaded ? k : 0];

		if (!threaded) {
			pl_remote_prepare(r, p->st, buf + at[i], at[i + 1] - at[i]);
		} else if (k == 0) {
			pthread_mutex_lock(&p->mu);
			while (p->state[g] != SLOT_READY)
				pthread_cond_wait(&p->cv, &p->mu);
			pthread_mutex_unlock(&p->mu);
		}
		mg->cur_seq = *expect;
		rc = pl_write_remote_prepared(w, r, buf + at[i], at[i + 1] - at[i], &chk, &info);
		if (!threaded)
			pl_remote_op_clear(r);
		else if (k + 1 == p->count[g]) {
			pthread_mutex_lock(&p->mu);
			p->state[g] = SLOT_DONE;
			pthread_cond_broadcast(&p->cv);
			pthread_mutex_unlock(&p->mu);
		}
		if (info.seq)
			mg->cur_seq = info.seq;
		if (rc) {
			pl_error_prefix("%s", path);
			break;
		}
		if (info.seq != *expect || info.seq > last) {
			rc = pl_error_set(PL_ECORRUPT, "%s: op seq %" PRIu64 " where %" PRIu64 " was expected", path,
			                  info.seq, *expect);
			break;
		}
		if (json_object_set_new(mg->rtouched, info.rec, json_string(info.kind))) {
			rc = pl_error_set(PL_ERROR, "%s: out of memory listing record %s", path, info.rec);
			break;
		}
		(*expect)++;
		mg->rops++;
		if ((info.ahead || info.dangling) && (rc = note_reported(mg, &info)))
			break;
	}
	if (threaded) {
		pthread_mutex_lock(&p->mu);
		p->stop = 1;
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
		pthread_join(th, NULL);
		for (int g = 0; g < NGROUP; g++)
			slot_clear(p, g);
		pthread_cond_destroy(&p->cv);
		pthread_mutex_destroy(&p->mu);
	}
	if (!rc && split_rc) {
		mg->cur_seq = *expect;
		rc = pl_error_set(split_rc, "%s", split_err);
		pl_error_prefix("%s", path);
	}
	if (!rc && *expect != last + 1)
		rc = pl_error_set(PL_ECORRUPT, "%s is named for seqs %" PRIu64 "..%" PRIu64 " but holds up to %" PRIu64,
		                  path, first, last, *expect - 1);
cleanup:
	free(p);
	free(at);
	git_blob_free(blob);
	return rc;
}

static int range_fn(pl_write *w, void *payload)
{
	struct merge *mg = payload;
	char prefix[PL_NODE_MAX + 8], key[PL_NODE_MAX + 32];
	uint64_t expect;
	pl_oid lastid;
	int rc = 0;

	updates_clear(&mg->rups);
	json_decref(mg->rtouched);
	json_decref(mg->rcarry);
	mg->rtouched = json_object();
	mg->rcarry = json_array();
	json_decref(mg->rreported);
	json_decref(mg->rdangling);
	mg->rreported = json_array();
	mg->rdangling = json_array();
	mg->rops = 0;
	mg->cur_commit[0] = '\0';
	mg->cur_seq = 0;
	if ((rc = pl_store_node_seq(&expect, &lastid, mg->cache, mg->node)))
		return rc;
	expect++;
	snprintf(prefix, sizeof(prefix), "ops/%s/", mg->node);
	for (size_t i = 0; i < mg->ncommits && !rc; i++) {
		git_commit *c = NULL, *parent = NULL;
		git_tree *tree = NULL, *ptree = NULL;
		pl_sync__deltas ds = { NULL, 0, 0, mg->opts->max_blobs, 0 };
		int grc;

		git_oid_tostr(mg->cur_commit, sizeof(mg->cur_commit), &mg->commits[i]);
		if ((grc = git_commit_lookup(&c, mg->repo, &mg->commits[i])) < 0 ||
		    (grc = git_commit_tree(&tree, c)) < 0) {
			rc = pl_error_from_git(grc, mg->cur_commit);
			goto next;
		}
		if (git_commit_parentcount(c) > 1) {
			rc = pl_error_set(PL_ECORRUPT, "commit is a merge: node history must be linear");
			goto next;
		}
		if (git_commit_parentcount(c) == 1 &&
		    ((grc = git_commit_parent(&parent, c, 0)) < 0 || (grc = git_commit_tree(&ptree, parent)) < 0)) {
			rc = pl_error_from_git(grc, mg->cur_commit);
			goto next;
		}
		if ((rc = pl_sync__tree_delta(&ds, mg->repo, "", ptree, tree, 0)))
			goto next;
		if (ds.over) {
			rc = pl_error_set(PL_ECORRUPT, "commit adds more than %zu files, over the limit of %zu",
			                  mg->opts->max_blobs, mg->opts->max_blobs);
			goto next;
		}
		for (size_t d = 0; d < ds.n && !rc; d++) {
			const pl_sync__delta *dd = &ds.d[d];
			const char *path = dd->path;
			const char *name = strrchr(path, '/');
			char want[256];
			uint64_t first, last;

			if (strncmp(path, prefix, strlen(prefix))) {
				rc = pl_error_set(PL_ECORRUPT, "%s is outside ops/%s/: a node writes only its own ops", path, mg->node);
				break;
			}
			if (dd->status != GIT_DELTA_ADDED) {
				rc = pl_error_set(PL_ECORRUPT, "%s was %s: merged history is never rewritten", path,
				                  dd->status == GIT_DELTA_DELETED ? "deleted" : "changed");
				break;
			}
			if (!name || pl_sync__parse_blob_name(&first, &last, name + 1)) {
				rc = pl_error_set(PL_ECORRUPT, "%s is not an op batch name", path);
				break;
			}
			pl_sync__blob_path(want, sizeof(want), mg->node, first, last);
			if (strcmp(want, path) || dd->mode != GIT_FILEMODE_BLOB) {
				rc = pl_error_set(PL_ECORRUPT, "%s should be %s", path, want);
				break;
			}
			if ((rc = apply_blob(w, mg, path, &dd->id, first, last, &expect)))
				break;
			if ((rc = updates_add(&mg->rups, path, &dd->id, 0)))
				break;
			json_array_append_new(mg->rcarry, json_pack("[sIIs]", mg->node, (json_int_t)first,
			                                            (json_int_t)last, mg->cur_commit));
		}
	next:
		pl_sync__deltas_clear(&ds);
		git_tree_free(ptree);
		git_tree_free(tree);
		git_commit_free(parent);
		git_commit_free(c);
	}
	if (rc)
		return range_fail(mg, rc);
	snprintf(key, sizeof(key), "merge.tip/%s", mg->node);
	pl_write_meta_set(w, key, mg->tip);
	snprintf(key, sizeof(key), "merge.q/%s", mg->node);
	pl_write_meta_set(w, key, NULL);
	return pl_write_meta_set(w, "merge.dirty", "1");
}

static int finding(struct merge *mg, const char *node, const char *commit, uint64_t seq, const char *reason)
{
	/* node (from a ref name) and reason (may quote hostile bytes) as
	 * UTF-8 text, or the finding could not be kept */
	char *n = strdup(node), *why = strdup(reason);
	json_t *f = NULL;
	char key[PL_NODE_MAX + 32], *dump;
	int rc;

	if (n && why) {
		pl_utf8_scrub(n);
		pl_utf8_scrub(why);
		f = json_pack("{ss ss sI ss}", "node", n, "commit", commit, "seq", (json_int_t)seq, "reason", why);
	}
	free(n);
	free(why);
	if (!f)
		return pl_error_set(PL_ERROR, "out of memory recording a finding");
	json_array_append(mg->res->findings, f);
	snprintf(key, sizeof(key), "merge.q/%s", node);
	dump = json_dumps(f, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(f);
	if (!dump)
		return pl_error_set(PL_ERROR, "out of memory recording a finding");
	rc = pl_store_meta_set(mg->cache, key, dump);
	free(dump);
	return rc;
}

static int merge_node(struct merge *mg, const char *node, const git_oid *tip)
{
	git_revwalk *walk = NULL;
	git_oid last, oid;
	char key[PL_NODE_MAX + 32], *last_hex = NULL;
	size_t cap = 0;
	int rc = 0, grc;

	mg->node = node;
	mg->ncommits = 0;
	git_oid_tostr(mg->tip, sizeof(mg->tip), tip);
	snprintf(key, sizeof(key), "merge.tip/%s", node);
	if ((rc = pl_store_meta_get(&last_hex, mg->cache, key)))
		return rc;
	if (last_hex && !strcmp(last_hex, mg->tip))
		goto cleanup;
	if (last_hex) {
		if (git_oid_fromstr(&last, last_hex) < 0) {
			rc = pl_error_set(PL_ECORRUPT, "cache entry %s is damaged; run with --rebuild-cache", key);
			goto cleanup;
		}
		if (git_graph_descendant_of(mg->repo, tip, &last) != 1) {
			char why[300];
			snprintf(why, sizeof(why), "nodes/%s was rewritten: it no longer contains merged commit %.12s "
			         "(a force-push); nothing of it is merged", node, last_hex);
			rc = finding(mg, node, mg->tip, 0, why);
			goto cleanup;
		}
	}
	if ((grc = git_revwalk_new(&walk, mg->repo)) < 0 ||
	    (grc = git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE)) < 0 ||
	    (grc = git_revwalk_push(walk, tip)) < 0 || (last_hex && (grc = git_revwalk_hide(walk, &last)) < 0)) {
		rc = pl_error_from_git(grc, node);
		goto cleanup;
	}
	while ((grc = git_revwalk_next(&oid, walk)) == 0) {
		if (mg->ncommits == cap) {
			git_oid *n = realloc(mg->commits, (cap = cap ? cap * 2 : 64) * sizeof(git_oid));
			if (!n) {
				rc = pl_error_set(PL_ERROR, "out of memory");
				goto cleanup;
			}
			mg->commits = n;
		}
		mg->commits[mg->ncommits++] = oid;
	}
	if (grc != GIT_ITEROVER) {
		/* an unreadable node history is that node's problem: quarantine it */
		char why[600];
		snprintf(why, sizeof(why), "nodes/%s cannot be walked: %s", node,
		         git_error_last() ? git_error_last()->message : "unknown error");
		rc = finding(mg, node, mg->tip, 0, why);
		goto cleanup;
	}
	rc = pl_store_write(mg->cache, "plsync-district merge", range_fn, mg);
	if (rc == PL_EFULL || rc == PL_EOS)
		goto cleanup; /* this machine's trouble (disk, map), not the node's: stop */
	if (rc) {
		/* quarantined: record why, keep going with the other nodes */
		rc = finding(mg, node, mg->cur_commit, mg->cur_seq, pl_error_last()->message);
		goto cleanup;
	}
	/* resident: what one node touched, not all of them */
	if ((rc = pl_store_release_pages(mg->cache)))
		goto cleanup;
	{
		const char *id;
		json_t *v;
		uint64_t from, to;
		pl_oid lid;
		json_object_foreach(mg->rtouched, id, v)
			json_object_set(mg->touched, id, v);
		json_array_extend(mg->carry, mg->rcarry);
		json_array_extend(mg->res->reported, mg->rreported);
		json_array_extend(mg->dangling, mg->rdangling);
		for (size_t i = 0; i < mg->rups.n; i++)
			if ((rc = updates_add(&mg->ups, mg->rups.paths[i], &mg->rups.u[i].id, 0)))
				goto cleanup;
		pl_store_node_seq(&to, &lid, mg->cache, node);
		from = to - mg->rops + 1;
		json_array_append_new(mg->res->merged, json_pack("{ss sI sI ss}", "node", node, "from",
		                                                 (json_int_t)from, "to", (json_int_t)to, "tip", mg->tip));
		mg->res->ops += mg->rops;
	}
cleanup:
	git_revwalk_free(walk);
	free(last_hex);
	return rc;
}

/* ---- the merge commit ---- */

static int tree_has(git_tree *t, const char *path)
{
	git_tree_entry *e = NULL;
	int found;
	if (!t)
		return 0;
	found = git_tree_entry_bypath(&e, t, path) == 0;
	git_tree_entry_free(e);
	return found;
}

/* The state file's object: o (r's fields, taken) with the record's own keys. */
static json_t *state_json_of(json_t *o, const pl_record *r)
{
	char when[32];

	if (!o)
		return NULL;
	json_object_set_new(o, "_id", json_string(r->id));
	json_object_set_new(o, "_kind", json_string(r->kind));
	json_object_set_new(o, "_owner", json_string(r->owner));
	pl_hlc_fmt(when, r->updated);
	json_object_set_new(o, "_updated", json_string(when));
	return o;
}

json_t *pl_merge_state_json(const pl_record *r)
{
	return state_json_of(json_deep_copy(r->fields), r);
}

int pl_merge_conflicts_json(json_t **out, pl_store *st, const pl_record *r)
{
	json_t *conf = NULL;
	int rc;

	*out = NULL;
	if (r->deleted)
		return 0;
	if ((rc = pl_store_conflicts(&conf, st, r)) || !conf)
		return rc;
	if (!(*out = json_pack("{ss ss so}", "id", r->id, "kind", r->kind, "fields", conf)))
		return pl_error_set(PL_ERROR, "out of memory");
	return 0;
}

/*
 * State files written since the last chunk went to disk. A first merge
 * writes one per record: they go to disk as a pack every STATE_CHUNK files
 * rather than all held in the mempack until the commit.
 */

/* Take a file made (hashed and compressed) by a worker into the chunk. */
static void chunk_take(struct chunk *ck, pl_sync__zobj *o)
{
	ck->o[ck->n++] = *o;
	o->z = NULL;
}

/* The chunk's files to disk as one pack. */
static int chunk_flush(struct merge *mg, struct chunk *ck)
{
	int rc = pl_sync__write_zpack(mg->repo, ck->o, ck->n);
	for (size_t i = 0; i < ck->n; i++)
		free(ck->o[i].z);
	ck->n = 0;
	return rc ? rc : pl_store_release_pages(mg->cache);
}

/*
 * One record's files, made by a worker thread from the cache alone (read
 * transactions, its own JSON and zlib stream; errors come back as text,
 * pl_error being per thread): hashed and compressed, ready for a pack. The
 * main thread then puts them in the tree, in order, so the result does not
 * depend on the threads. Nothing writes the cache (or reopens it:
 * chunk_flush) while workers read it.
 */
struct sfile {
	const char   *id, *kind;
	int           rc, deleted;
	pl_sync__zobj state, conf;  /* conf.z NULL: no conflicts */
	char          err[600];
};

static int file_of(pl_sync__zobj *o, z_stream *z, const json_t *v)
{
	char *s = v ? pl_json_canonical(v) : NULL;
	int rc;

	if (!s)
		return pl_error_set(PL_ERROR, "out of memory");
	rc = pl_sync__zobj_make(o, z, GIT_OBJECT_BLOB, s, strlen(s));
	free(s);
	return rc;
}

static void sfile_make(pl_store *cache, z_stream *z, struct sfile *f)
{
	pl_record *r = NULL;
	json_t *sj = NULL, *conf = NULL;

	if ((f->rc = pl_store_get_state(&r, cache, f->id)))
		goto done;
	f->deleted = r->deleted;
	if (!r->deleted) {
		/* r's fields become the file's object (no copy); the conflicts
		 * below read only r's heads */
		sj = state_json_of(r->fields, r);
		r->fields = NULL;
		if ((f->rc = file_of(&f->state, z, sj)))
			goto done;
	}
	if ((f->rc = pl_merge_conflicts_json(&conf, cache, r)) == 0 && conf)
		f->rc = file_of(&f->conf, z, conf);
done:
	if (f->rc)
		snprintf(f->err, sizeof(f->err), "%s", pl_error_last()->message);
	json_decref(conf);
	json_decref(sj);
	pl_record_free(r);
}

struct sworker {
	pl_store     *cache;
	struct sfile *f;
	size_t        from, to;
	pthread_t     th;
};

static void *sworker_run(void *arg)
{
	struct sworker *wk = arg;
	z_stream z;
	int zrc = pl_sync__zstream_init(&z);

	for (size_t i = wk->from; i < wk->to; i++) {
		if (zrc) {
			wk->f[i].rc = zrc;
			snprintf(wk->f[i].err, sizeof(wk->f[i].err), "zlib: cannot start a deflate stream");
			continue;
		}
		sfile_make(wk->cache, &z, &wk->f[i]);
	}
	if (!zrc)
		deflateEnd(&z);
	return NULL;
}

/* Make files f[0..n) on up to `nth` threads, this one included. */
static void sfiles_make(pl_store *cache, struct sfile *f, size_t n, int nth)
{
	struct sworker wk[8];
	int started[8] = { 0 };

	if (nth > 8)
		nth = 8;
	for (int t = 0; t < nth; t++) {
		wk[t].cache = cache;
		wk[t].f = f;
		wk[t].from = n * (size_t)t / (size_t)nth;
		wk[t].to = n * (size_t)(t + 1) / (size_t)nth;
		/* a thread that cannot start leaves its share to this one */
		if (t > 0)
			started[t] = pthread_create(&wk[t].th, NULL, sworker_run, &wk[t]) == 0;
	}
	sworker_run(&wk[0]);
	for (int t = 1; t < nth; t++) {
		if (started[t])
			pthread_join(wk[t].th, NULL);
		else
			sworker_run(&wk[t]);
	}
}

#define STATE_BATCH 4096

static int state_updates(struct merge *mg)
{
	struct chunk ck = { NULL, 0 };
	struct sfile *f = NULL;
	void *it = json_object_iter(mg->touched);
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int nth = ncpu > 1 ? (int)(ncpu < 4 ? ncpu : 4) : 1, rc = 0;

	if (!(ck.o = malloc((STATE_CHUNK + 2 * STATE_BATCH) * sizeof(*ck.o))) ||
	    !(f = calloc(STATE_BATCH, sizeof(*f)))) {
		free(ck.o);
		return pl_error_set(PL_ERROR, "out of memory");
	}
	while (it && !rc) {
		size_t n = 0;

		for (; it && n < STATE_BATCH; it = json_object_iter_next(mg->touched, it), n++) {
			memset(&f[n], 0, sizeof(f[n]));
			f[n].id = json_object_iter_key(it);
			f[n].kind = json_string_value(json_object_iter_value(it));
		}
		sfiles_make(mg->cache, f, n, nth);
		for (size_t i = 0; i < n; i++) {
			char spath[512], cpath[512];

			if (!rc && f[i].rc)
				rc = pl_error_set(f[i].rc, "%s", f[i].err);
			if (!rc)
				rc = pl_merge_state_path(spath, sizeof(spath), f[i].kind, f[i].id);
			snprintf(cpath, sizeof(cpath), "conflicts/%s.json", f[i].id);
			if (!rc && f[i].deleted) {
				if (tree_has(mg->base, spath))
					rc = updates_add(&mg->ups, spath, NULL, 1);
			} else if (!rc) {
				chunk_take(&ck, &f[i].state);
				rc = updates_add(&mg->ups, spath, &ck.o[ck.n - 1].id, 0);
			}
			if (!rc)
				mg->res->records++;
			if (!rc && f[i].conf.z) {
				chunk_take(&ck, &f[i].conf);
				rc = updates_add(&mg->ups, cpath, &ck.o[ck.n - 1].id, 0);
				mg->res->conflicts++;
			} else if (!rc && mg->base_conflicts &&
			           git_tree_entry_byname(mg->base_conflicts, cpath + strlen("conflicts/"))) {
				rc = updates_add(&mg->ups, cpath, NULL, 1);
			}
			free(f[i].state.z);
			free(f[i].conf.z);
		}
		if (!rc && ck.n >= STATE_CHUNK)
			rc = chunk_flush(mg, &ck);
	}
	free(f);
	/* the last chunk goes in the commit's pack (one pack for a small merge) */
	mg->ck = ck;
	return rc;
}

static char *merge_message(struct merge *mg)
{
	size_t cap = 4096 + 200 * (json_array_size(mg->res->merged) + json_array_size(mg->res->findings)) +
	             400 * json_array_size(mg->res->reported), off = 0;
	char *msg = malloc(cap);

	if (!msg)
		return NULL;
	off += snprintf(msg + off, cap - off, "merge: %zu node range%s, %zu op%s\n\n",
	                json_array_size(mg->res->merged), json_array_size(mg->res->merged) == 1 ? "" : "s",
	                mg->res->ops, mg->res->ops == 1 ? "" : "s");
	for (size_t i = 0; i < json_array_size(mg->res->merged); i++) {
		json_t *m = json_array_get(mg->res->merged, i);
		off += snprintf(msg + off, cap - off, "nodes/%s seq %" PRIu64 "..%" PRIu64 " at %s\n",
		                json_string_value(json_object_get(m, "node")),
		                (uint64_t)json_integer_value(json_object_get(m, "from")),
		                (uint64_t)json_integer_value(json_object_get(m, "to")),
		                json_string_value(json_object_get(m, "tip")));
	}
	if (json_array_size(mg->res->findings))
		off += snprintf(msg + off, cap - off, "\nQuarantined:\n");
	for (size_t i = 0; i < json_array_size(mg->res->findings) && off < cap; i++) {
		json_t *f = json_array_get(mg->res->findings, i);
		off += snprintf(msg + off, cap - off, "nodes/%s commit %.12s seq %" PRIu64 ": %.300s\n",
		                json_string_value(json_object_get(f, "node")),
		                json_string_value(json_object_get(f, "commit")),
		                (uint64_t)json_integer_value(json_object_get(f, "seq")),
		                json_string_value(json_object_get(f, "reason")));
	}
	if (json_array_size(mg->res->reported))
		off += snprintf(msg + off, cap - off, "\nReported:\n");
	for (size_t i = 0; i < json_array_size(mg->res->reported) && off < cap; i++) {
		json_t *f = json_array_get(mg->res->reported, i);
		off += snprintf(msg + off, cap - off, "nodes/%s seq %" PRIu64 " op %.12s on %.80s: %.200s\n",
		                json_string_value(json_object_get(f, "node")),
		                (uint64_t)json_integer_value(json_object_get(f, "seq")),
		                json_string_value(json_object_get(f, "op")), json_string_value(json_object_get(f, "rec")),
		                json_string_value(json_object_get(f, "reason")));
	}
	return msg;
}

/*
 * The first merge's first parent: a parentless commit with the empty tree,
 * written straight to the object database (two small loose objects).
 * With it every commit on main's first-parent chain but this root is a merge
 * whose parents after the first are node tips, on the first merge too (whose
 * parents would otherwise all be node tips, parent 0 indistinguishable from
 * an old main).
 */
static int root_commit(git_commit **out, git_repository *repo, const git_signature *sig)
{
	git_treebuilder *tb = NULL;
	git_tree *empty = NULL;
	git_oid tid, cid;
	int rc = 0, grc;

	if ((grc = git_treebuilder_new(&tb, repo, NULL)) < 0 || (grc = git_treebuilder_write(&tid, tb)) < 0 ||
	    (grc = git_tree_lookup(&empty, repo, &tid)) < 0 ||
	    (grc = git_commit_create(&cid, repo, NULL, sig, sig, NULL,
	                             "district history begins\n\nThe first merge's first parent: every later commit on\n"
	                             "main's first-parent chain is a merge whose other parents are node tips.\n",
	                             empty, 0, NULL)) < 0 ||
	    (grc = git_commit_lookup(out, repo, &cid)) < 0)
		rc = pl_error_from_git(grc, "writing main's root commit");
	git_tree_free(empty);
	git_treebuilder_free(tb);
	return rc;
}

static int make_commit(struct merge *mg, git_commit *old_main)
{
	git_odb_backend *mempack = NULL;
	git_commit *root = NULL;
	git_tree *tree = NULL;
	git_signature *sig = NULL;
	git_oid tree_id, commit_id;
	const git_commit **parents = NULL;
	git_commit **tips = NULL;
	size_t np = 0, nm = json_array_size(mg->res->merged), nwritten = 0;
	git_oid *written = NULL;
	char *msg = NULL;
	int rc = 0, grc;

	if ((grc = git_signature_now(&sig, mg->opts->name ? mg->opts->name : "plsync-district",
	                             mg->opts->email ? mg->opts->email : "plsync-district@localhost")) < 0)
		return pl_error_from_git(grc, "the merge author");
	/* before the mempack: the flush writes only the merge commit's tree */
	if (!old_main && (rc = root_commit(&root, mg->repo, sig)))
		goto cleanup;
	if ((rc = pl_sync__add_mempack(&mempack, mg->repo)))
		goto cleanup;
	if ((rc = state_updates(mg)))
		goto cleanup;
	mark(mg->res, &mg->t0, PL_MERGE_T_STATE);
	if ((rc = pl_sync__tree_update(&tree_id, &written, &nwritten, mg->repo, mempack, mg->base, mg->ups.u,
	                               mg->ups.n)))
		goto cleanup;
	if ((grc = git_tree_lookup(&tree, mg->repo, &tree_id)) < 0) {
		rc = pl_error_from_git(grc, "building the merged tree");
		goto cleanup;
	}
	mark(mg->res, &mg->t0, PL_MERGE_T_TREE);
	if (!(parents = calloc(nm + 1, sizeof(*parents))) || !(tips = calloc(nm + 1, sizeof(*tips)))) {
		rc = pl_error_set(PL_ERROR, "out of memory");
		goto cleanup;
	}
	parents[np++] = old_main ? old_main : root;
	for (size_t i = 0; i < nm; i++) {
		git_oid t;
		git_oid_fromstr(&t, json_string_value(json_object_get(json_array_get(mg->res->merged, i), "tip")));
		if ((grc = git_commit_lookup(&tips[i], mg->repo, &t)) < 0) {
			rc = pl_error_from_git(grc, "a node tip");
			goto cleanup;
		}
		parents[np++] = tips[i];
	}
	if (!(msg = merge_message(mg))) {
		rc = pl_error_set(PL_ERROR, "out of memory");
		goto cleanup;
	}
	if ((grc = git_commit_create(&commit_id, mg->repo, NULL, sig, sig, NULL, msg, tree, np, parents)) < 0) {
		rc = pl_error_from_git(grc, "writing the merge commit");
		goto cleanup;
	}
	{
		/* the new trees and the commit: all that is in the mempack */
		git_oid *all = realloc(written, (nwritten + 1) * sizeof(*all));
		if (!all) {
			rc = pl_error_set(PL_ERROR, "out of memory");
			goto cleanup;
		}
		written = all;
		/* a merge retried within the second of one whose ref update failed
		 * makes the very same commit, already on disk: not in the mempack */
		if (mempack->exists(mempack, &commit_id))
			git_oid_cpy(&written[nwritten++], &commit_id);
		if ((rc = pl_sync__write_pack_with(mg->repo, mempack, written, nwritten, mg->ck.o, mg->ck.n)))
			goto cleanup;
		git_mempack_reset(mempack);
	}
	mark(mg->res, &mg->t0, PL_MERGE_T_PACK);
	{
		git_reference *ref = NULL;
		if (old_main)
			grc = git_reference_create_matching(&ref, mg->repo, "refs/heads/main", &commit_id, 1,
			                                    git_commit_id(old_main), "plsync-district merge");
		else
			grc = git_reference_create(&ref, mg->repo, "refs/heads/main", &commit_id, 0, "plsync-district merge");
		git_reference_free(ref);
		if (grc == GIT_ELOCKED) {
			rc = pl_error_set(PL_ECONFLICT, "refs/heads/main is locked (refs/heads/main.lock): a git process is "
			                  "writing it; nothing was changed, merge again");
			goto cleanup;
		}
		if (grc < 0) {
			/* merges exclude each other (merge_lock): main was written by something else */
			rc = pl_error_set(PL_ECONFLICT, "main moved while merging: refs/heads/main was written by something "
			                  "other than a merge (%s); nothing was changed, merge again",
			                  git_error_last() ? git_error_last()->message : "it is not the main this merge read");
			goto cleanup;
		}
	}
	mg->res->committed = 1;
	git_oid_tostr(mg->res->main, sizeof(mg->res->main), &commit_id);
	git_oid_tostr(mg->res->tree, sizeof(mg->res->tree), &tree_id);
cleanup:
	for (size_t i = 0; i < mg->ck.n; i++)
		free(mg->ck.o[i].z);
	free(mg->ck.o);
	memset(&mg->ck, 0, sizeof(mg->ck));
	free(written);
	free(msg);
	git_signature_free(sig);
	for (size_t i = 0; tips && i < nm; i++)
		git_commit_free(tips[i]);
	free(tips);
	free(parents);
	git_commit_free(root);
	git_tree_free(tree);
	if (mempack)
		git_mempack_reset(mempack); /* on failure: the objects are simply dropped */
	return rc;
}

/* ---- the cache ---- */

static int carry_put(pl_store *cache, json_t *carry, const char *merge_hex)
{
	for (size_t i = 0; i < json_array_size(carry); i++) {
		json_t *c = json_array_get(carry, i);
		char key[PL_NODE_MAX + 40], val[128];
		snprintf(key, sizeof(key), "carry/%s/%012" PRIu64, json_string_value(json_array_get(c, 0)),
		         (uint64_t)json_integer_value(json_array_get(c, 1)));
		snprintf(val, sizeof(val), "%" PRIu64 " %s %s", (uint64_t)json_integer_value(json_array_get(c, 2)),
		         json_string_value(json_array_get(c, 3)), merge_hex);
		int rc = pl_store_meta_set(cache, key, val);
		if (rc)
			return rc;
	}
	return 0;
}

struct rebuild_node {
	git_repository *repo;
	git_tree       *ops;      /* ops/<node> of main's tree */
	const char     *node;
	const char     *tip;
	int             rc;
	pl_write       *w;
};

static int rebuild_walk(const char *root, const git_tree_entry *e, void *payload)
{
	struct rebuild_node *rn = payload;
	git_blob *blob = NULL;
	const unsigned char *buf;
	size_t len, off = 0;

	if (git_tree_entry_type(e) != GIT_OBJECT_BLOB)
		return 0;
	if (git_blob_lookup(&blob, rn->repo, git_tree_entry_id(e)) < 0) {
		rn->rc = pl_error_from_git(-1, git_tree_entry_name(e));
		return -1;
	}
	buf = git_blob_rawcontent(blob);
	len = (size_t)git_blob_rawsize(blob);
	while (off < len) {
		size_t start = off;
		pl_op *op = NULL;
		if ((rn->rc = pl_op_decode_next(&op, buf, len, &off, NULL))) {
			pl_error_prefix("main: ops/%s/%s%s", rn->node, root, git_tree_entry_name(e));
			break;
		}
		pl_op_free(op);
		if ((rn->rc = pl_write_remote(rn->w, buf + start, off - start)) < 0) {
			pl_error_prefix("main: ops/%s/%s%s", rn->node, root, git_tree_entry_name(e));
			break;
		}
		rn->rc = 0;
	}
	git_blob_free(blob);
	return rn->rc ? -1 : 0;
}

static int rebuild_fn(pl_write *w, void *payload)
{
	struct rebuild_node *rn = payload;
	char key[PL_NODE_MAX + 32];

	rn->w = w;
	rn->rc = 0;
	git_tree_walk(rn->ops, GIT_TREEWALK_PRE, rebuild_walk, rn);
	if (rn->rc)
		return rn->rc;
	snprintf(key, sizeof(key), "merge.tip/%s", rn->node);
	return pl_write_meta_set(w, key, rn->tip);
}

/* Carry index: which node commit brought each batch, and which merge took it. */
static int rebuild_carry(git_repository *repo, pl_store *cache, const git_oid *main_tip)
{
	git_revwalk *walk = NULL;
	git_oid oid;
	json_t *merges = json_array(), *prev = json_object();
	int rc = 0, grc;

	/* first-parent chain of main, oldest first */
	if ((grc = git_revwalk_new(&walk, repo)) < 0 || (grc = git_revwalk_simplify_first_parent(walk)) < 0 ||
	    (grc = git_revwalk_push(walk, main_tip)) < 0) {
		rc = pl_error_from_git(grc, "main");
		goto cleanup;
	}
	while (git_revwalk_next(&oid, walk) == 0) {
		char hex[41];
		git_oid_tostr(hex, sizeof(hex), &oid);
		json_array_insert_new(merges, 0, json_string(hex));
	}
	for (size_t i = 0; i < json_array_size(merges) && !rc; i++) {
		git_commit *mc = NULL;
		git_oid mo;
		git_oid_fromstr(&mo, json_string_value(json_array_get(merges, i)));
		if (git_commit_lookup(&mc, repo, &mo) < 0)
			continue;
		for (unsigned p = 1; p < git_commit_parentcount(mc) && !rc; p++) {
			const git_oid *tip = git_commit_parent_id(mc, p);
			char node[PL_NODE_MAX + 1], hex[41];
			git_revwalk *rw = NULL;
			git_oid c, pt;
			json_t *carry = json_array();

			if (pl_sync__node_of(node, sizeof(node), repo, tip))
				continue;
			git_revwalk_new(&rw, repo);
			git_revwalk_sorting(rw, GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE);
			git_revwalk_push(rw, tip);
			if (json_object_get(prev, node) && git_oid_fromstr(&pt, json_string_value(json_object_get(prev, node))) == 0)
				git_revwalk_hide(rw, &pt);
			while (git_revwalk_next(&c, rw) == 0) {
				git_commit *cc = NULL, *pc = NULL;
				git_tree *t = NULL, *ptree = NULL;
				pl_sync__deltas ds = { NULL, 0, 0, SIZE_MAX, 0 };
				git_oid_tostr(hex, sizeof(hex), &c);
				if (git_commit_lookup(&cc, repo, &c) == 0 && git_commit_tree(&t, cc) == 0 &&
				    (git_commit_parentcount(cc) == 0 ||
				     (git_commit_parent(&pc, cc, 0) == 0 && git_commit_tree(&ptree, pc) == 0)) &&
				    pl_sync__tree_delta(&ds, repo, "", ptree, t, 0) == 0) {
					for (size_t d = 0; d < ds.n; d++) {
						const char *path = ds.d[d].path;
						const char *name = strrchr(path, '/');
						uint64_t first, last;
						if (name && !pl_sync__parse_blob_name(&first, &last, name + 1))
							json_array_append_new(carry, json_pack("[sIIs]", node, (json_int_t)first,
							                                       (json_int_t)last, hex));
					}
				}
				pl_sync__deltas_clear(&ds);
				git_tree_free(ptree);
				git_tree_free(t);
				git_commit_free(pc);
				git_commit_free(cc);
			}
			git_revwalk_free(rw);
			rc = carry_put(cache, carry, json_string_value(json_array_get(merges, i)));
			json_decref(carry);
			git_oid_tostr(hex, sizeof(hex), tip);
			json_object_set_new(prev, node, json_string(hex));
		}
		git_commit_free(mc);
	}
cleanup:
	git_revwalk_free(walk);
	json_decref(merges);
	json_decref(prev);
	return rc;
}

static int cache_rebuild(pl_store **cache, git_repository *repo, const char *repo_path, const git_oid *main_tip)
{
	pl_store_options so = PL_STORE_OPTIONS_INIT;
	char dir[4096], hex[41];
	git_commit *mc = NULL;
	git_tree *tree = NULL;
	git_revwalk *walk = NULL;
	json_t *tips = json_object();
	int rc;

	pl_store_free(*cache);
	*cache = NULL;
	cache_dir(dir, sizeof(dir), repo_path);
	so.no_sync = 1;
	if ((rc = pl_sync__rm_rf(dir)) || (rc = pl_store_create(dir, PL_MERGE_CACHE_NODE, &so)) || (rc = pl_store_open(cache, dir, &so)))
		goto cleanup;
	if (!main_tip) {
		rc = pl_store_meta_set(*cache, "merge.main", "");
		goto cleanup;
	}
	/* the last merged tip of each node: the newest merge parent of that node */
	{
		git_oid oid;
		git_revwalk_new(&walk, repo);
		git_revwalk_simplify_first_parent(walk);
		git_revwalk_push(walk, main_tip);
		while (git_revwalk_next(&oid, walk) == 0) {
			git_commit *c = NULL;
			if (git_commit_lookup(&c, repo, &oid) < 0)
				continue;
			for (unsigned p = 1; p < git_commit_parentcount(c); p++) {
				char node[PL_NODE_MAX + 1];
				if (pl_sync__node_of(node, sizeof(node), repo, git_commit_parent_id(c, p)) == 0 && !json_object_get(tips, node)) {
					git_oid_tostr(hex, sizeof(hex), git_commit_parent_id(c, p));
					json_object_set_new(tips, node, json_string(hex));
				}
			}
			git_commit_free(c);
		}
	}
	if ((rc = git_commit_lookup(&mc, repo, main_tip)) < 0 || (rc = git_commit_tree(&tree, mc)) < 0) {
		rc = pl_error_from_git(rc, "main");
		goto cleanup;
	}
	{
		const char *node;
		json_t *tip;
		json_object_foreach(tips, node, tip) {
			char path[PL_NODE_MAX + 8];
			git_tree_entry *e = NULL;
			struct rebuild_node rn = { repo, NULL, node, json_string_value(tip), 0, NULL };
			snprintf(path, sizeof(path), "ops/%s", node);
			if (git_tree_entry_bypath(&e, tree, path) < 0 || git_tree_lookup(&rn.ops, repo, git_tree_entry_id(e)) < 0) {
				git_tree_entry_free(e);
				rc = pl_error_set(PL_ECORRUPT, "main merged nodes/%s but has no %s", node, path);
				goto cleanup;
			}
			git_tree_entry_free(e);
			rc = pl_store_write(*cache, "plsync-district rebuild", rebuild_fn, &rn);
			git_tree_free(rn.ops);
			if (rc) {
				pl_error_prefix("rebuilding the cache from main (main itself is damaged: run plsync-audit verify)");
				goto cleanup;
			}
		}
	}
	if ((rc = rebuild_carry(repo, *cache, main_tip)))
		goto cleanup;
	git_oid_tostr(hex, sizeof(hex), main_tip);
	rc = pl_store_meta_set(*cache, "merge.main", hex);
cleanup:
	git_revwalk_free(walk);
	git_tree_free(tree);
	git_commit_free(mc);
	json_decref(tips);
	return rc;
}

/* Open the cache, rebuilding it if it does not describe main. */
static int cache_ready(pl_store **cache, int *rebuilt, git_repository *repo, const char *repo_path,
                       const git_oid *main_tip, int force)
{
	pl_store_options so = PL_STORE_OPTIONS_INIT;
	char dir[4096], hex[41] = "", *cmain = NULL, *dirty = NULL;
	int rc;

	*rebuilt = 0;
	so.no_sync = 1;
	cache_dir(dir, sizeof(dir), repo_path);
	if (main_tip)
		git_oid_tostr(hex, sizeof(hex), main_tip);
	if (!force && pl_store_open(cache, dir, &so) == 0 && pl_store_meta_get(&cmain, *cache, "merge.main") == 0 &&
	    pl_store_meta_get(&dirty, *cache, "merge.dirty") == 0 && cmain && !strcmp(cmain, hex) && !dirty) {
		free(cmain);
		return 0;
	}
	free(cmain);
	free(dirty);
	*rebuilt = 1;
	rc = cache_rebuild(cache, repo, repo_path, main_tip);
	return rc;
}

int pl_merge_cache_open(pl_store **out, const char *repo_path)
{
	git_repository *repo = NULL;
	git_oid main_tip;
	int has_main, rebuilt, rc, lock = -1;

	*out = NULL;
	if ((rc = pl_sync__open_district(&repo, repo_path)))
		return rc;
	if ((rc = merge_lock(&lock, repo_path, -1, "reading the cache")) == 0) {
		has_main = git_reference_name_to_id(&main_tip, repo, "refs/heads/main") == 0;
		rc = cache_ready(out, &rebuilt, repo, repo_path, has_main ? &main_tip : NULL, 0);
	}
	merge_unlock(lock);
	git_repository_free(repo);
	return rc;
}

static int collect_ref(const char *name, void *payload)
{
	json_array_append_new(payload, json_string(name));
	return 0;
}

static int cmp_json_str(const void *a, const void *b)
{
	return strcmp(json_string_value(*(json_t *const *)a), json_string_value(*(json_t *const *)b));
}

int pl_merge(pl_merge_result *res, const char *repo_path, const pl_merge_options *opts)
{
	static const pl_merge_options defaults = PL_MERGE_OPTIONS_INIT;
	struct merge mg;
	git_repository *repo = NULL;
	git_commit *old_main = NULL;
	git_oid main_tip;
	json_t *refs = json_array();
	json_t **sorted = NULL;
	int has_main, rc, lock = -1;

	memset(res, 0, sizeof(*res));
	res->merged = json_array();
	res->findings = json_array();
	res->reported = json_array();
	memset(&mg, 0, sizeof(mg));
	mg.dangling = json_array();
	mg.opts = opts ? opts : &defaults;
	mg.res = res;
	mg.touched = json_object();
	mg.carry = json_array();
	mark(res, &mg.t0, -1);
	if ((rc = pl_sync__open_district(&repo, repo_path)) ||
	    (rc = merge_lock(&lock, repo_path, mg.opts->wait_secs, "merging")) ||
	    (rc = clear_main_lock(res, repo_path)))
		goto cleanup;
	mg.repo = repo;
	has_main = git_reference_name_to_id(&main_tip, repo, "refs/heads/main") == 0;
	if ((rc = cache_ready(&mg.cache, &res->rebuilt, repo, repo_path, has_main ? &main_tip : NULL,
	                      mg.opts->rebuild_cache)))
		goto cleanup;
	if (has_main) {
		if ((rc = git_commit_lookup(&old_main, repo, &main_tip)) < 0 || (rc = git_commit_tree(&mg.base, old_main)) < 0) {
			rc = pl_error_from_git(rc, "main");
			goto cleanup;
		}
		git_oid_tostr(res->main, sizeof(res->main), &main_tip);
		git_oid_tostr(res->tree, sizeof(res->tree), git_tree_id(mg.base));
		{
			git_tree_entry *ce = NULL;
			if (git_tree_entry_bypath(&ce, mg.base, "conflicts") == 0)
				git_tree_lookup(&mg.base_conflicts, repo, git_tree_entry_id(ce));
			git_tree_entry_free(ce);
		}
	}
	mark(res, &mg.t0, PL_MERGE_T_CACHE);
	git_reference_foreach_glob(repo, "refs/heads/nodes/*", collect_ref, refs);
	if (json_array_size(refs) && !(sorted = malloc(json_array_size(refs) * sizeof(json_t *)))) {
		rc = pl_error_set(PL_ERROR, "out of memory");
		goto cleanup;
	}
	for (size_t i = 0; i < json_array_size(refs); i++)
		sorted[i] = json_array_get(refs, i);
	if (sorted)
		qsort(sorted, json_array_size(refs), sizeof(json_t *), cmp_json_str);
	for (size_t i = 0; i < json_array_size(refs) && !rc; i++) {
		const char *name = json_string_value(sorted[i]), *node = name + strlen("refs/heads/nodes/");
		git_oid tip;
		if (!pl_node_valid(node) || !strcmp(node, PL_MERGE_CACHE_NODE)) {
			rc = finding(&mg, node, "", 0, "not a valid node code: ref ignored");
			continue;
		}
		if (git_reference_name_to_id(&tip, repo, name) < 0)
			continue;
		rc = merge_node(&mg, node, &tip);
	}
	if (!rc)
		rc = recheck_dangling(&mg);
	mark(res, &mg.t0, PL_MERGE_T_VERIFY);
	if (rc || !json_array_size(res->merged))
		goto cleanup; /* nothing new: no commit */
	if ((rc = pl_store_sync(mg.cache)) || (rc = make_commit(&mg, old_main)))
		goto cleanup;
	mark(res, &mg.t0, PL_MERGE_T_COMMIT);
	if ((rc = carry_put(mg.cache, mg.carry, res->main)) ||
	    (rc = pl_store_meta_set(mg.cache, "merge.main", res->main)) ||
	    (rc = pl_store_meta_set(mg.cache, "merge.dirty", NULL)) || (rc = pl_store_sync(mg.cache)))
		goto cleanup;
cleanup:
	free(sorted);
	json_decref(refs);
	updates_clear(&mg.ups);
	updates_clear(&mg.rups);
	json_decref(mg.touched);
	json_decref(mg.carry);
	json_decref(mg.rtouched);
	json_decref(mg.rcarry);
	json_decref(mg.rreported);
	json_decref(mg.rdangling);
	json_decref(mg.dangling);
	free(mg.commits);
	git_tree_free(mg.base_conflicts);
	git_tree_free(mg.base);
	git_commit_free(old_main);
	pl_store_free(mg.cache);
	git_repository_free(repo);
	merge_unlock(lock); /* last: the cache is closed */
	return rc;
}

/* ---- status ---- */

int pl_merge_status(json_t **out, const char *repo_path)
{
	git_repository *repo = NULL;
	pl_store *cache = NULL;
	json_t *refs = json_array(), *nodes = json_object(), *o = NULL;
	git_oid main_tip;
	size_t nconf = 0;
	int has_main, rebuilt, rc, lock = -1;

	*out = NULL;
	if ((rc = pl_sync__open_district(&repo, repo_path)))
		goto cleanup;
	if ((rc = merge_lock(&lock, repo_path, -1, "reading the cache")))
		goto cleanup;
	has_main = git_reference_name_to_id(&main_tip, repo, "refs/heads/main") == 0;
	rc = cache_ready(&cache, &rebuilt, repo, repo_path, has_main ? &main_tip : NULL, 0);
	merge_unlock(lock); /* the cache describes main: a merge may go on, we read a snapshot */
	if (rc)
		goto cleanup;
	git_reference_foreach_glob(repo, "refs/heads/nodes/*", collect_ref, refs);
	for (size_t i = 0; i < json_array_size(refs); i++) {
		const char *name = json_string_value(json_array_get(refs, i)), *node = name + strlen("refs/heads/nodes/");
		git_oid tip;
		git_commit *c = NULL;
		uint64_t pushed = 0, merged = 0;
		pl_oid lid;
		char key[PL_NODE_MAX + 32], *q = NULL, when[32] = "";
		json_t *qj = NULL;
		pl_mirror m = { repo, NULL, NULL };

		if (!pl_node_valid(node) || git_reference_name_to_id(&tip, repo, name) < 0)
			continue;
		pl_mirror_last_seq(&pushed, &m, name, node);
		if (git_commit_lookup(&c, repo, &tip) == 0) {
			pl_hlc_fmt(when, (uint64_t)git_commit_time(c) * 1000 << 16);
			git_commit_free(c);
		}
		pl_store_node_seq(&merged, &lid, cache, node);
		snprintf(key, sizeof(key), "merge.q/%s", node);
		pl_store_meta_get(&q, cache, key);
		if (q)
			qj = json_loads(q, 0, NULL);
		free(q);
		json_object_set_new(nodes, node, json_pack("{ss sI sI sI so}", "last_push", when,
		                    "pushed_seq", (json_int_t)pushed, "merged_seq", (json_int_t)merged,
		                    "lag", (json_int_t)(pushed > merged ? pushed - merged : 0),
		                    "quarantined", qj ? qj : json_null()));
	}
	if (has_main) {
		git_commit *mc = NULL;
		git_tree *t = NULL;
		git_tree_entry *e = NULL;
		git_tree *ct = NULL;
		if (git_commit_lookup(&mc, repo, &main_tip) == 0 && git_commit_tree(&t, mc) == 0 &&
		    git_tree_entry_bypath(&e, t, "conflicts") == 0 && git_tree_lookup(&ct, repo, git_tree_entry_id(e)) == 0)
			nconf = git_tree_entrycount(ct);
		git_tree_free(ct);
		git_tree_entry_free(e);
		git_tree_free(t);
		git_commit_free(mc);
	}
	{
		char hex[41] = "";
		if (has_main)
			git_oid_tostr(hex, sizeof(hex), &main_tip);
		o = json_pack("{ss sO sI}", "main", hex, "nodes", nodes, "conflicts", (json_int_t)nconf);
	}
	*out = o;
cleanup:
	json_decref(refs);
	json_decref(nodes);
	pl_store_free(cache);
	git_repository_free(repo);
	return rc;
}
