/*
 * merge-cache.c — the merge's cache: a plsync store beside the district
 * repository (<repo>/plsync-cache) holding every merged op, each node's last
 * merged tip (merge.tip/<node>), its quarantine finding (merge.q/<node>) and
 * the carry index (carry/<node>/<first>: the node commit and the merge
 * commit of each batch). Only an accelerator: when it does not describe main
 * (merge.main) or a merge died half way (merge.dirty) it is rebuilt from
 * main's ops and first-parent history before anything reads it. Where a
 * reader's cache lives (the repository's or the user's) is merge-reader.c's.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <git2.h>

#include "plsync/errors.h"
#include "plsync/merge.h"
#include "plsync/store.h"
#include "district-int.h"
#include "layout-int.h"
#include "merge-int.h"
#include "tree-int.h"

static void cache_dir(char *buf, size_t sz, const char *repo)
{
	snprintf(buf, sz, "%s/plsync-cache", repo);
}

int pl_merge__carry_put(pl_store *cache, json_t *carry, const char *merge_hex)
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

/*
 * [node, first, last, commit] into carry for each batch file the commits of
 * nodes/<node> from `prev` (hex, NULL: the start) to `tip` added; a commit
 * that cannot be read adds nothing.
 */
static void node_carry(json_t *carry, git_repository *repo, const char *node, const git_oid *tip, const char *prev)
{
	git_revwalk *rw = NULL;
	git_oid c, pt;
	char hex[41];

	git_revwalk_new(&rw, repo);
	git_revwalk_sorting(rw, GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE);
	git_revwalk_push(rw, tip);
	if (prev && git_oid_fromstr(&pt, prev) == 0)
		git_revwalk_hide(rw, &pt);
	while (git_revwalk_next(&c, rw) == 0) {
		pl_sync__deltas ds = { NULL, 0, 0, SIZE_MAX, 0 };
		git_oid_tostr(hex, sizeof(hex), &c);
		if (pl_sync__commit_delta(&ds, repo, &c, hex, 0) == 0) {
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
	}
	git_revwalk_free(rw);
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
			json_t *carry;

			if (pl_sync__node_of(node, sizeof(node), repo, tip))
				continue;
			if (!(carry = json_array())) {
				rc = pl_error_set(PL_ERROR, "out of memory");
				break;
			}
			node_carry(carry, repo, node, tip, json_string_value(json_object_get(prev, node)));
			rc = pl_merge__carry_put(cache, carry, json_string_value(json_array_get(merges, i)));
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

static int cache_rebuild(pl_store **cache, git_repository *repo, const char *dir, const git_oid *main_tip)
{
	pl_store_options so = PL_STORE_OPTIONS_INIT;
	char hex[41];
	git_commit *mc = NULL;
	git_tree *tree = NULL;
	git_revwalk *walk = NULL;
	json_t *tips = json_object();
	int rc;

	pl_store_free(*cache);
	*cache = NULL;
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
			struct rebuild_node rn = { repo, NULL, node, json_string_value(tip), 0, NULL };
			snprintf(path, sizeof(path), "ops/%s", node);
			if (pl_sync__subtree(&rn.ops, repo, tree, path) < 0) {
				rc = pl_error_set(PL_ECORRUPT, "main merged nodes/%s but has no %s", node, path);
				goto cleanup;
			}
			rc = pl_store_write(*cache, "plsync-district rebuild", rebuild_fn, &rn);
			git_tree_free(rn.ops);
			if (rc) {
				pl_error_prefix("rebuilding the cache from main (main itself is damaged)");
				pl_error_hint(PL_HINT_AUDIT_VERIFY, NULL);
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

int pl_merge__cache_ready(pl_store **cache, int *rebuilt, git_repository *repo, const char *repo_path,
                       const git_oid *main_tip, int force)
{
	char dir[4096];

	cache_dir(dir, sizeof(dir), repo_path);
	return pl_merge__cache_ready_at(cache, rebuilt, repo, dir, main_tip, force);
}

int pl_merge__cache_ready_at(pl_store **cache, int *rebuilt, git_repository *repo, const char *dir,
                             const git_oid *main_tip, int force)
{
	pl_store_options so = PL_STORE_OPTIONS_INIT;
	char hex[41] = "", *cmain = NULL, *dirty = NULL;

	*rebuilt = 0;
	so.no_sync = 1;
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
	return cache_rebuild(cache, repo, dir, main_tip);
}
