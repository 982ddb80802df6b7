/*
 * merge-int.h — the district merge's files (private to sync/):
 *
 *   merge.c         the driver: every node ref, one range each, then the commit
 *   merge-verify.c  verifying and applying one node's range to the cache (and
 *                   its thread pipeline); reported findings
 *   merge-state.c   rendering state/ and conflicts/ files, compressed on threads
 *   merge-commit.c  the tree updates, the merge commit and its pack, main
 *   merge-cache.c   the cache beside the repository and its rebuild from main
 *   merge-lock.c    one merge at a time; a dead merge's main.lock
 *   merge-record.c  the record of the last merge (merge-record-int.h), the
 *                   check of main against it, and pl_merge_reset
 *   merge-status.c  pl_merge_status
 *
 * The rules they keep are at the top of merge.c.
 */
#ifndef PLSYNC_SYNC_MERGE_INT_H
#define PLSYNC_SYNC_MERGE_INT_H

#include <stddef.h>
#include <stdint.h>

#include <git2.h>
#include <jansson.h>

#include "plsync/key.h"
#include "plsync/merge.h"
#include "plsync/store.h"
#include "pack-int.h"

/* Path updates for the merge commit's tree (one path each, owned). */
struct updates {
	git_tree_update *u;
	char           **paths;
	size_t           n, cap;
};

/* State files made but not yet on disk (merge-state.c). */
struct chunk {
	pl_sync__zobj *o;
	size_t         n;
};

/* One merge, from the lock to the new main. */
struct merge {
	git_repository          *repo;
	const char              *repo_path;
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
	pl_keyring               keys;      /* the enrolled node keys (refs/plsync/keys) */
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

/* Account the time since the last mark to phase `i` of res (-1: none, only start). */
void pl_merge__mark(pl_merge_result *res, double *t0, int i);

/* ---- merge-commit.c ---- */

void pl_merge__updates_clear(struct updates *u);
/* Add an upsert of path to blob `id`, or its removal (remove, id NULL). */
int pl_merge__updates_add(struct updates *u, const char *path, const git_oid *id, int remove);
/*
 * The state files of every touched record (pl_merge__state_updates), the
 * new tree, the merge commit (parents: old_main, or a new root commit, then
 * the merged tips) and its pack, and refs/heads/main moved to it
 * (PL_ECONFLICT if it is locked or moved meanwhile). Fills res->main,
 * res->tree and res->committed.
 */
int pl_merge__commit(struct merge *mg, git_commit *old_main);

/* ---- merge-verify.c ---- */

/*
 * The store write of one node's range mg->node, mg->commits (pl_store_write
 * callback; replayed from scratch if the write is): every commit verified
 * and its batches applied, mg->rups, rtouched, rcarry, rreported and
 * rdangling filled, merge.tip/<node> set. An error quarantines the range:
 * mg->cur_commit and cur_seq say where.
 */
int pl_merge__range_fn(pl_write *w, void *payload);
/*
 * The signatures of mg->commits, the range of mg->node: 0 if the node has
 * no enrolled key (reported: its signatures are not checked) or every
 * commit is signed by a key enrolled for it and valid then; 1 with the
 * first bad commit in mg->cur_commit and the reason in why (the range is
 * quarantined); a negative PL_E* code on a failure to read.
 */
int pl_merge__check_signatures(struct merge *mg, char *why, size_t sz);
/* Report each base id of the ops in mg->dangling that no merged op has. */
int pl_merge__recheck_dangling(struct merge *mg);

/* ---- merge-state.c ---- */

/*
 * The state/ and conflicts/ files of every record in mg->touched, made on
 * threads, into mg->ups; written to disk as packs of STATE_CHUNK, the last
 * ones left in mg->ck for the commit's pack.
 */
int pl_merge__state_updates(struct merge *mg);

/* ---- merge-cache.c ---- */

/*
 * Open the cache of the repository at repo_path into *cache, rebuilding it
 * from main (main_tip, NULL: no main yet) if it does not describe main, was
 * left dirty, or `force`; *rebuilt says whether it was. Call under the lock.
 */
int pl_merge__cache_ready(pl_store **cache, int *rebuilt, git_repository *repo, const char *repo_path,
                          const git_oid *main_tip, int force);
/* The same for the cache store in `dir` (a reader's own, merge-reader.c). */
int pl_merge__cache_ready_at(pl_store **cache, int *rebuilt, git_repository *repo, const char *dir,
                             const git_oid *main_tip, int force);
/* Record, for each [node, first, last, commit] of carry, the merge that took it. */
int pl_merge__carry_put(pl_store *cache, json_t *carry, const char *merge_hex);

/* ---- merge-lock.c ---- */

/* Take the merge lock of repo_path into *fd, waiting up to wait_secs (-1: no
 * limit); `what` is said to the merge that waits. PL_ECONFLICT if it is held. */
int pl_merge__lock(int *fd, const char *repo_path, int wait_secs, const char *what);
/* The same lock on the file `path` (a reader's own cache's); repo_path is for the message. */
int pl_merge__lock_at(int *fd, const char *path, const char *repo_path, int wait_secs, const char *what);
void pl_merge__unlock(int fd);
/* Remove a dead merge's refs/heads/main.lock (res->lock_cleared, lock_age). */
int pl_merge__clear_main_lock(pl_merge_result *res, const char *repo_path);

#endif
