/*
 * fetch.c — fetch the followed nodes' refs and apply their new ops.
 *
 * Rules kept here: only the commits after the last applied one are read
 * (a revwalk hiding it), and of each only the blobs its diff adds under
 * ops/<node>/, so the cost grows with the new work, not with history. Every
 * op must be the followed node's own, continue its chain and match its id
 * (pl_write_remote checks). A node's new ops and the record of the applied
 * commit are one store transaction: applied whole or not at all.
 *
 * A restore (pl_sync_restore) is the same fetch with our own node's ref
 * too, applied first to a new, empty store in restore mode, then the
 * checkpoints a push would have left: the mirror's branch at the district's
 * tip and sync.pushed, sync.remote_tip, sync.last.
 *
 * With a pinned district key (opts->district_key) refs/plsync/keys comes
 * too, and a followed node's new commits are applied only if that key
 * signed the keys and every commit is signed by a key enrolled for the node.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <git2.h>

#include "plsync/errors.h"
#include "layout-int.h"
#include "mirror-int.h"
#include "remote-int.h"
#include "sign-int.h"
#include "tree-int.h"

struct apply {
	git_repository *repo;
	const char     *node;
	git_oid        *commits;
	size_t          ncommits;
	const char     *tip_hex;
	const pl_sync_options *opts;
	int             restore;   /* the node is our own (pl_sync_restore) */
	size_t          applied, skipped, ahead, dangling;
};

#define KEYS_REMOTE "refs/remotes/origin/plsync/keys"

/*
 * With a pinned district key: every new commit of `node` signed by a key
 * the district enrolled for it (refs/plsync/keys as fetched, signed by the
 * pinned key), or nothing of the node is applied.
 */
static int check_signed(git_repository *repo, const char *node, const git_oid *commits, size_t n,
                        const pl_sync_options *opts)
{
	pl_keyring kr;
	char why[PL_ERROR_MSG_MAX];
	int rc;

	if (!opts || !opts->district_key || !n)
		return 0;
	if ((rc = pl_sync__keyring_read(&kr, repo, KEYS_REMOTE, NULL, opts->district_key)))
		return rc;
	if (!kr.tip[0])
		rc = pl_error_set(PL_ECORRUPT, "the district repository has no %s, so nothing of nodes/%s can be "
		                  "checked against the pinned district key %s; nothing of it is applied", PL_KEY_REF, node,
		                  opts->district_key);
	else if (!pl_keyring_has(&kr, node))
		rc = pl_error_set(PL_ECORRUPT, "the district has enrolled no key for nodes/%s, so its commits cannot "
		                  "be checked; nothing of it is applied", node);
	for (size_t i = 0; i < n && !rc; i++)
		if ((rc = pl_sync__keyring_check(why, sizeof(why), &kr, node, repo, &commits[i])) == 1)
			rc = pl_error_set(PL_ECORRUPT, "nodes/%s: %s; nothing of it is applied", node, why);
	pl_keyring_clear(&kr);
	return rc;
}

static int apply_blob(pl_write *w, struct apply *a, const git_oid *blob_id, const char *path,
                      const char *commit_hex)
{
	static const pl_op_limits lim = PL_OP_LIMITS_INIT;
	git_blob *blob = NULL;
	const unsigned char *buf;
	size_t len, off = 0;
	int rc = 0, grc;

	if ((grc = git_blob_lookup(&blob, a->repo, blob_id)) < 0)
		return pl_error_from_git(grc, path);
	buf = git_blob_rawcontent(blob);
	len = (size_t)git_blob_rawsize(blob);
	if (len > lim.max_batch) {
		rc = pl_error_set(PL_ECORRUPT, "commit %.12s %s: batch of %zu bytes is over the %zu-byte limit",
		                  commit_hex, path, len, lim.max_batch);
		goto cleanup;
	}
	while (off < len) {
		size_t start = off;
		pl_op *op = NULL;
		if ((rc = pl_op_decode_next(&op, buf, len, &off, &lim))) {
			pl_error_prefix("commit %.12s %s", commit_hex, path);
			goto cleanup;
		}
		if (strcmp(op->node, a->node)) {
			rc = pl_error_set(PL_ECORRUPT, "commit %.12s %s: op %s/%" PRIu64 " claims node %s on nodes/%s",
			                  commit_hex, path, op->node, op->seq, op->node, a->node);
			pl_op_free(op);
			goto cleanup;
		}
		pl_op_free(op);
		pl_remote_info info = { 0 };
		pl_remote_check chk = { a->node, 1, 0, a->restore }; /* as the merge checks */
		rc = pl_write_remote_ex(w, buf + start, off - start, &chk, &info);
		if (rc == 0 && info.ahead)
			a->ahead++;
		if (rc == 0 && info.dangling)
			a->dangling++;
		if (rc < 0) {
			pl_error_prefix("commit %.12s %s", commit_hex, path);
			goto cleanup;
		}
		if (rc == 1)
			a->skipped++;
		else
			a->applied++;
		rc = 0;
	}
cleanup:
	git_blob_free(blob);
	return rc;
}

static int apply_fn(pl_write *w, void *payload)
{
	struct apply *a = payload;
	char prefix[PL_NODE_MAX + 8], key[PL_NODE_MAX + 24];
	int rc = 0;

	a->applied = a->skipped = a->ahead = a->dangling = 0;
	snprintf(prefix, sizeof(prefix), "ops/%s/", a->node);
	for (size_t i = 0; i < a->ncommits && !rc; i++) {
		pl_sync__deltas ds = { NULL, 0, 0, SIZE_MAX, 0 };
		char hex[41];

		git_oid_tostr(hex, sizeof(hex), &a->commits[i]);
		if (!(rc = pl_sync__commit_delta(&ds, a->repo, &a->commits[i], hex, 0))) {
			/* what this commit changed, by the subtrees whose ids differ:
			 * its own cost, not a read of every batch of the node */
			for (size_t d = 0; d < ds.n && !rc; d++) {
				const pl_sync__delta *dd = &ds.d[d];
				const char *path = dd->path;
				const char *name = strrchr(path, '/');
				uint64_t first, last;

				if (strncmp(path, prefix, strlen(prefix)))
					continue; /* another node's dir: not ours to apply from this ref */
				if (dd->status != GIT_DELTA_ADDED) {
					rc = pl_error_set(PL_ECORRUPT, "commit %.12s %s: an op batch was %s; "
					                  "batches are only ever added", hex, path,
					                  dd->status == GIT_DELTA_DELETED ? "deleted" : "changed");
					break;
				}
				if (!name || pl_sync__parse_blob_name(&first, &last, name + 1)) {
					rc = pl_error_set(PL_ECORRUPT, "commit %.12s: unexpected file %s", hex, path);
					break;
				}
				rc = apply_blob(w, a, &dd->id, path, hex);
			}
		}
		pl_sync__deltas_clear(&ds);
	}
	if (rc)
		return rc;
	snprintf(key, sizeof(key), "sync.applied/%s", a->node);
	return pl_write_meta_set(w, key, a->tip_hex);
}

static int apply_node(pl_sync_result *res, pl_mirror *m, pl_store *st, const char *node,
                      const pl_sync_options *opts, int restore)
{
	struct apply a = { m->repo, node };
	git_reference *ref = NULL;
	git_revwalk *walk = NULL;
	git_oid tip, applied, oid;
	char refname[PL_NODE_MAX + 32], key[PL_NODE_MAX + 24], tip_hex[41], *applied_hex = NULL;
	size_t cap = 0;
	int rc = 0, grc;

	snprintf(refname, sizeof(refname), "refs/remotes/origin/nodes/%s", node);
	if ((grc = git_reference_lookup(&ref, m->repo, refname)) == GIT_ENOTFOUND)
		return 0; /* the remote has nothing of that node yet */
	if (grc < 0)
		return pl_error_from_git(grc, refname);
	tip = *git_reference_target(ref);
	git_oid_tostr(tip_hex, sizeof(tip_hex), &tip);
	snprintf(key, sizeof(key), "sync.applied/%s", node);
	if ((rc = pl_store_meta_get(&applied_hex, st, key)))
		goto cleanup;
	if (applied_hex && !strcmp(applied_hex, tip_hex))
		goto cleanup;
	if (applied_hex) {
		if (git_oid_fromstr(&applied, applied_hex) < 0) {
			rc = pl_error_set(PL_ECORRUPT, "store meta %s is damaged", key);
			goto cleanup;
		}
		if (git_graph_descendant_of(m->repo, &tip, &applied) != 1) {
			rc = pl_error_set(PL_ECONFLICT, "nodes/%s on the remote no longer contains commit %.12s that was "
			                  "applied here: its history was rewritten; ask the district office", node, applied_hex);
			goto cleanup;
		}
	}
	if ((grc = git_revwalk_new(&walk, m->repo)) < 0 ||
	    (grc = git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE)) < 0 ||
	    (grc = git_revwalk_push(walk, &tip)) < 0 ||
	    (applied_hex && (grc = git_revwalk_hide(walk, &applied)) < 0)) {
		rc = pl_error_from_git(grc, refname);
		goto cleanup;
	}
	while ((grc = git_revwalk_next(&oid, walk)) == 0) {
		if (a.ncommits == cap) {
			git_oid *n = realloc(a.commits, (cap = cap ? cap * 2 : 64) * sizeof(git_oid));
			if (!n) {
				rc = pl_error_set(PL_ERROR, "out of memory");
				goto cleanup;
			}
			a.commits = n;
		}
		a.commits[a.ncommits++] = oid;
	}
	if (grc != GIT_ITEROVER) {
		rc = pl_error_from_git(grc, refname);
		goto cleanup;
	}
	a.tip_hex = tip_hex;
	a.opts = opts;
	a.restore = restore;
	if ((rc = check_signed(m->repo, node, a.commits, a.ncommits, opts)) ||
	    (rc = pl_store_write(st, NULL, apply_fn, &a)))
		goto cleanup;
	if (res) {
		res->applied += a.applied;
		res->skipped += a.skipped;
		res->ahead += a.ahead;
		res->dangling += a.dangling;
	}
cleanup:
	free(a.commits);
	free(applied_hex);
	git_revwalk_free(walk);
	git_reference_free(ref);
	return rc;
}

/*
 * Fetch the followed nodes' refs (and, with `self`, our own node's) into
 * refs/remotes/origin/nodes/<node>; applies nothing.
 */
static int fetch_refs(pl_mirror *m, pl_store *st, const pl_sync_options *opts, int self)
{
	static const char *const district[] = { PL_NODE_DISTRICT };
	const char *const *follow = opts && opts->follow ? opts->follow : district;
	size_t nfollow = opts && opts->follow ? opts->nfollow : 1, n = 0;
	struct pl_sync__cb cbstate = { opts };
	git_fetch_options fo = GIT_FETCH_OPTIONS_INIT;
	git_remote *remote = NULL;
	char **specs = NULL, buf[2 * PL_NODE_MAX + 64];
	git_strarray refspecs;
	int rc = 0, grc;

	if (!opts || !opts->url || !*opts->url) {
		pl_error_set(PL_EUSAGE, "no remote");
		return pl_error_hint(PL_HINT_REMOTE_URL, NULL);
	}
	if (!(specs = calloc(nfollow + 3, sizeof(char *))))
		return pl_error_set(PL_ERROR, "out of memory");
	if (opts->district_key && !(specs[n++] = strdup("+" PL_KEY_REF ":" KEYS_REMOTE))) {
		rc = pl_error_set(PL_ERROR, "out of memory");
		goto cleanup;
	}
	for (size_t i = 0; i < nfollow + (self != 0); i++) {
		const char *node = i < nfollow ? follow[i] : pl_store_node(st);
		if (!pl_node_valid(node)) {
			rc = pl_error_set(PL_EUSAGE, "sync.follow: '%s' is not a node code", node);
			goto cleanup;
		}
		if (i < nfollow && !strcmp(node, pl_store_node(st)))
			continue;
		snprintf(buf, sizeof(buf), "+refs/heads/nodes/%s:refs/remotes/origin/nodes/%s", node, node);
		if (!(specs[n] = strdup(buf))) {
			rc = pl_error_set(PL_ERROR, "out of memory");
			goto cleanup;
		}
		n++;
	}
	if (n == (opts->district_key != NULL))
		goto cleanup; /* no node ref to fetch */
	refspecs.strings = specs;
	refspecs.count = n;
	if ((rc = pl_sync__remote_open(&remote, m->repo, opts->url)))
		goto cleanup;
	pl_sync__callbacks(&fo.callbacks, &cbstate);
	fo.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
	fo.update_fetchhead = 0;
	if ((rc = pl_sync__watch_start(&cbstate)))
		goto cleanup;
	grc = git_remote_fetch(remote, &refspecs, &fo, "plsync sync");
	pl_sync__watch_stop(&cbstate);
	if (grc < 0)
		rc = pl_sync__net_error(grc, &cbstate, "fetching from", opts->url);
cleanup:
	for (size_t i = 0; i < n; i++)
		free(specs[i]);
	free(specs);
	git_remote_free(remote);
	return rc;
}

/* Apply the followed nodes' fetched refs (ours is never one of them). */
static int apply_followed(pl_sync_result *res, pl_mirror *m, pl_store *st, const pl_sync_options *opts)
{
	static const char *const district[] = { PL_NODE_DISTRICT };
	const char *const *follow = opts->follow ? opts->follow : district;
	size_t nfollow = opts->follow ? opts->nfollow : 1;
	int rc = 0;

	for (size_t i = 0; i < nfollow && !rc; i++)
		if (strcmp(follow[i], pl_store_node(st)))
			rc = apply_node(res, m, st, follow[i], opts, 0);
	return rc;
}

int pl_sync_fetch(pl_sync_result *res, pl_mirror *m, pl_store *st, const pl_sync_options *opts)
{
	int rc;

	if ((rc = fetch_refs(m, st, opts, 0)))
		return rc;
	return apply_followed(res, m, st, opts);
}

/* A git lock file, or a pack libgit2 was still writing ("pack_git2_*"). */
static int unlink_stale(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	size_t n = strlen(path);
	(void)sb;
	if (flag == FTW_F && ((n > 5 && !strcmp(path + n - 5, ".lock")) ||
	                      !strncmp(path + ftw->base, "pack_git2_", 10)))
		unlink(path);
	return 0;
}

/*
 * One sync at a time per mirror: an flock on <mirror>/plsync-sync.lock, which
 * the kernel releases even when the process is killed. Only a sync writes
 * the mirror, so once we hold it any "*.lock" file git left there (a sync
 * killed while moving a ref) and any half-written pack are stale, and are
 * removed: otherwise one kill at the wrong moment would stop every later sync.
 * Then the mirror's pack options are set (pl_sync__tune_repo).
 */
static int sync_lock(int *fd, pl_mirror *m)
{
	char path[4096];
	static const char *const top[] = { "packed-refs.lock", "config.lock", "HEAD.lock", "shallow.lock" };
	int rc;

	snprintf(path, sizeof(path), "%s/plsync-sync.lock", m->path);
	if ((*fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) < 0)
		return pl_error_from_errno(path);
	if (flock(*fd, LOCK_EX | LOCK_NB)) {
		int err = errno;
		close(*fd);
		*fd = -1;
		if (err == EWOULDBLOCK) {
			pl_error_set(PL_EEXISTS, "another sync is running on this data dir");
			return pl_error_hint(PL_HINT_SYNC_BUSY, NULL);
		}
		errno = err;
		return pl_error_from_errno(path);
	}
	for (size_t i = 0; i < sizeof(top) / sizeof(top[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", m->path, top[i]);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/refs", m->path);
	nftw(path, unlink_stale, 16, FTW_PHYS);
	snprintf(path, sizeof(path), "%s/objects/pack", m->path);
	nftw(path, unlink_stale, 4, FTW_PHYS);
	if ((rc = pl_sync__tune_repo(m->repo))) {
		close(*fd);
		*fd = -1;
	}
	return rc;
}

int pl_sync_run(pl_sync_result *res, pl_mirror *m, pl_store *st, const pl_sync_options *opts)
{
	int rc, fd = -1;

	if (res)
		memset(res, 0, sizeof(*res));
	if ((rc = sync_lock(&fd, m)))
		return rc;
	if ((rc = pl_mirror_commit(res ? &res->committed_from : &(uint64_t){ 0 },
	                           res ? &res->committed_to : &(uint64_t){ 0 }, m, st, opts)) ||
	    (rc = pl_sync_push(res, m, st, opts)))
		goto cleanup;
	rc = pl_sync_fetch(res, m, st, opts);
cleanup:
	close(fd); /* releases the lock */
	return rc;
}

/*
 * After our own ops were taken back: the store's last seq must be the last
 * one the ref's tree holds, then the mirror's branch is set to the ref's
 * tip and the push checkpoints to what the district has, so that the next
 * commit continues that branch and the next push is a fast-forward.
 */
static int restore_checkpoints(pl_sync_result *res, pl_mirror *m, pl_store *st, const git_oid *tip)
{
	const char *node = pl_store_node(st);
	char remote[PL_NODE_MAX + 32], refname[PL_NODE_MAX + 24], hex[41];
	git_reference *ref = NULL;
	uint64_t last, seq;
	pl_oid lid;
	int rc, grc;

	snprintf(remote, sizeof(remote), "refs/remotes/origin/nodes/%s", node);
	pl_sync__node_ref(refname, sizeof(refname), node);
	if ((rc = pl_mirror_last_seq(&last, m, remote, node)) || (rc = pl_store_node_seq(&seq, &lid, st, node)))
		return rc;
	git_oid_tostr(hex, sizeof(hex), tip);
	if (seq != last)
		return pl_error_set(PL_ECORRUPT, "nodes/%s at commit %.12s holds ops up to %" PRIu64 " but only %"
		                    PRIu64 " of them were found in its commits: the ref does not verify", node, hex,
		                    last, seq);
	if ((grc = git_reference_create(&ref, m->repo, refname, tip, 0, "plsync restore")) < 0)
		return pl_error_from_git(grc, refname);
	git_reference_free(ref);
	if ((rc = pl_sync__record_pushed(st, seq, hex)))
		return rc;
	if (res) {
		res->pushed_seq = seq;
		snprintf(res->tip, sizeof(res->tip), "%s", hex);
	}
	return 0;
}

int pl_sync_restore(pl_sync_result *res, pl_mirror *m, pl_store *st, const pl_sync_options *opts)
{
	const char *node = pl_store_node(st);
	char remote[PL_NODE_MAX + 32];
	pl_sync_result own = { 0 };
	uint64_t seq;
	pl_oid lid;
	git_oid tip;
	int rc, fd = -1;

	if (res)
		memset(res, 0, sizeof(*res));
	if ((rc = pl_store_node_seq(&seq, &lid, st, node)))
		return rc;
	if (seq)
		return pl_error_set(PL_EEXISTS, "this store already holds %" PRIu64 " ops of node %s: a restore "
		                    "rebuilds a new, empty store only", seq, node);
	if ((rc = sync_lock(&fd, m)) || (rc = fetch_refs(m, st, opts, 1)))
		goto cleanup;
	snprintf(remote, sizeof(remote), "refs/remotes/origin/nodes/%s", node);
	if (git_reference_name_to_id(&tip, m->repo, remote) < 0) {
		rc = pl_error_set(PL_ENOTFOUND, "the district repository has no nodes/%s: no op of node %s ever "
		                  "reached it (check the node code)", node, node);
		goto cleanup;
	}
	if ((rc = apply_node(&own, m, st, node, opts, 1))) {
		pl_error_prefix("nodes/%s does not verify, nothing was restored", node);
		goto cleanup;
	}
	if ((rc = restore_checkpoints(res, m, st, &tip)))
		goto cleanup;
	rc = apply_followed(res, m, st, opts);
cleanup:
	if (fd >= 0)
		close(fd);
	return rc;
}

int pl_sync_status_get(pl_sync_status *out, pl_mirror *m, pl_store *st)
{
	const char *node = pl_store_node(st);
	char refname[PL_NODE_MAX + 24], *pushed = NULL, *tip = NULL, *last = NULL;
	git_revwalk *walk = NULL;
	git_oid oid, t;
	pl_oid lid;
	int rc;

	memset(out, 0, sizeof(*out));
	pl_sync__node_ref(refname, sizeof(refname), node);
	if ((rc = pl_store_node_seq(&out->seq, &lid, st, node)) ||
	    (rc = pl_mirror_last_seq(&out->committed, m, refname, node)) ||
	    (rc = pl_store_meta_get(&pushed, st, "sync.pushed")) ||
	    (rc = pl_store_meta_get(&tip, st, "sync.remote_tip")) ||
	    (rc = pl_store_meta_get(&last, st, "sync.last")))
		goto cleanup;
	out->pushed = pushed ? strtoull(pushed, NULL, 10) : 0;
	snprintf(out->remote_tip, sizeof(out->remote_tip), "%s", tip ? tip : "");
	snprintf(out->last_sync, sizeof(out->last_sync), "%s", last ? last : "");
	if (git_reference_name_to_id(&oid, m->repo, refname) == 0 && git_revwalk_new(&walk, m->repo) == 0) {
		git_revwalk_push(walk, &oid);
		if (tip && git_oid_fromstr(&t, tip) == 0)
			git_revwalk_hide(walk, &t);
		while (git_revwalk_next(&oid, walk) == 0)
			out->unpushed_commits++;
	}
cleanup:
	git_revwalk_free(walk);
	free(pushed);
	free(tip);
	free(last);
	return rc;
}
