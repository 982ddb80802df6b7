/*
 * merge.c — the district merge: every node's new range, verified, into one
 * merge commit on refs/heads/main.
 *
 * Rules kept here:
 *  - A node's new range is last merged tip..ref tip, and must fast-forward.
 *    It is verified and applied to the cache in one store transaction, so a
 *    range that fails anywhere is not applied at all: it is quarantined with
 *    a finding (node, commit, seq, reason) and the other nodes still merge.
 *  - Signatures first (merge-verify.c, enroll.c): once the district has
 *    enrolled a key for a node (refs/plsync/keys, signed by the district
 *    key), every commit of its range must be signed by a key enrolled for
 *    that node and valid at the commit's time, or the range is
 *    quarantined; a node with no enrolled key merges as before, reported.
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
 *  - Only on the main the merges made (merge-record.c): each merge records
 *    the commit it moved main to beside the cache, and refuses a main that
 *    no longer contains it or has commits on top no merge made.
 *  - One merge at a time (merge-lock.c): the cache and main are written
 *    under an flock of <repo>/plsync-merge.lock, held for the whole merge and
 *    for every check or rebuild of the cache by a reader.
 *
 * This file is the driver (every node ref in name order, one range each,
 * then the commit); the other merge-*.c files are listed in merge-int.h.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <git2.h>

#include "plsync/errors.h"
#include "plsync/json.h"
#include "plsync/merge.h"
#include "plsync/schema.h"
#include "plsync/store.h"
#include "district-int.h"
#include "merge-int.h"
#include "merge-record-int.h"
#include "tree-int.h"

static double mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Account the time since the last mark to phase `i` of the result. */
void pl_merge__mark(pl_merge_result *res, double *t0, int i)
{
	double t = mono();
	if (i >= 0)
		res->secs[i] += t - *t0;
	*t0 = t;
}

void pl_merge_result_clear(pl_merge_result *r)
{
	json_decref(r->merged);
	json_decref(r->findings);
	json_decref(r->reported);
	json_decref(r->unenrolled);
	memset(r, 0, sizeof(*r));
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
			pl_error_set(PL_ECORRUPT, "cache entry %s is damaged", key);
			rc = pl_error_hint(PL_HINT_REBUILD_CACHE, NULL);
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
	{
		char why[PL_ERROR_MSG_MAX];
		if ((rc = pl_merge__check_signatures(mg, why, sizeof(why))) == 1) {
			rc = finding(mg, node, mg->cur_commit, 0, why);
			goto cleanup;
		}
		if (rc)
			goto cleanup;
	}
	rc = pl_store_write(mg->cache, "plsync-district merge", pl_merge__range_fn, mg);
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
			if ((rc = pl_merge__updates_add(&mg->ups, mg->rups.paths[i], &mg->rups.u[i].id, 0)))
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

/* Refuse a main the merges did not make (merge-record.c), before anything is written. */
static int check_main(pl_merge_result *res, git_repository *repo, const char *repo_path, const git_oid *main_tip)
{
	char why[700], bad[41];
	int kind, rc;

	if ((rc = pl_merge__main_check(&kind, why, sizeof(why), bad, repo, repo_path, main_tip)) || kind == PL_MAIN_OK)
		return rc;
	res->main_refused = 1;
	return pl_error_set(PL_ECORRUPT, "%s; a merge builds only on the main the merges made, so nothing was "
	                    "merged or written", why);
}

int pl_merge(pl_merge_result *res, const char *repo_path, const pl_merge_options *opts)
{
	static const pl_merge_options defaults = PL_MERGE_OPTIONS_INIT;
	struct merge mg;
	git_repository *repo = NULL;
	git_commit *old_main = NULL;
	git_oid main_tip;
	json_t *refs = NULL;
	int has_main, rc, lock = -1;

	memset(res, 0, sizeof(*res));
	res->merged = json_array();
	res->findings = json_array();
	res->reported = json_array();
	res->unenrolled = json_array();
	memset(&mg, 0, sizeof(mg));
	mg.dangling = json_array();
	mg.opts = opts ? opts : &defaults;
	mg.res = res;
	mg.touched = json_object();
	mg.carry = json_array();
	pl_merge__mark(res, &mg.t0, -1);
	if ((rc = pl_sync__open_district(&repo, repo_path)) ||
	    (rc = pl_merge__lock(&lock, repo_path, mg.opts->wait_secs, "merging")) ||
	    (rc = pl_merge__clear_main_lock(res, repo_path)))
		goto cleanup;
	mg.repo = repo;
	mg.repo_path = repo_path;
	has_main = git_reference_name_to_id(&main_tip, repo, "refs/heads/main") == 0;
	if ((rc = check_main(res, repo, repo_path, has_main ? &main_tip : NULL)) ||
	    (rc = pl_keyring_load(&mg.keys, repo_path)))
		goto cleanup;
	if ((rc = pl_merge__cache_ready(&mg.cache, &res->rebuilt, repo, repo_path, has_main ? &main_tip : NULL,
	                      mg.opts->rebuild_cache)))
		goto cleanup;
	if (has_main) {
		if ((rc = git_commit_lookup(&old_main, repo, &main_tip)) < 0 || (rc = git_commit_tree(&mg.base, old_main)) < 0) {
			rc = pl_error_from_git(rc, "main");
			goto cleanup;
		}
		git_oid_tostr(res->main, sizeof(res->main), &main_tip);
		git_oid_tostr(res->tree, sizeof(res->tree), git_tree_id(mg.base));
		pl_sync__subtree(&mg.base_conflicts, repo, mg.base, "conflicts");
		res->open_conflicts = mg.base_conflicts ? git_tree_entrycount(mg.base_conflicts) : 0;
	}
	pl_merge__mark(res, &mg.t0, PL_MERGE_T_CACHE);
	if ((rc = pl_sync__node_refs(&refs, repo, 1)))
		goto cleanup;
	for (size_t i = 0; i < json_array_size(refs) && !rc; i++) {
		const char *name = json_string_value(json_array_get(refs, i)), *node = name + strlen("refs/heads/nodes/");
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
		rc = pl_merge__recheck_dangling(&mg);
	pl_merge__mark(res, &mg.t0, PL_MERGE_T_VERIFY);
	if (rc || !json_array_size(res->merged))
		goto cleanup; /* nothing new: no commit */
	if ((rc = pl_store_sync(mg.cache)) || (rc = pl_merge__commit(&mg, old_main)))
		goto cleanup;
	pl_merge__mark(res, &mg.t0, PL_MERGE_T_COMMIT);
	if ((rc = pl_merge__record_write(repo_path, res->main, NULL)) ||
	    (rc = pl_merge__carry_put(mg.cache, mg.carry, res->main)) ||
	    (rc = pl_store_meta_set(mg.cache, "merge.main", res->main)) ||
	    (rc = pl_store_meta_set(mg.cache, "merge.dirty", NULL)) || (rc = pl_store_sync(mg.cache)))
		goto cleanup;
cleanup:
	pl_keyring_clear(&mg.keys);
	json_decref(refs);
	pl_merge__updates_clear(&mg.ups);
	pl_merge__updates_clear(&mg.rups);
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
	pl_merge__unlock(lock); /* last: the cache is closed */
	return rc;
}

/* ---- status ---- */
