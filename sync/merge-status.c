/*
 * merge-status.c — pl_merge_status: for each node ref, its last push, the
 * seq it pushed and the seq merged, the lag and its quarantine; main and its
 * number of open conflicts. The cache is made to describe main under the
 * merge lock, then read as a snapshot without it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <git2.h>

#include "plsync/errors.h"
#include "plsync/merge.h"
#include "plsync/op.h"
#include "plsync/store.h"
#include "plsync/sync.h"
#include "district-int.h"
#include "merge-int.h"
#include "mirror-int.h"
#include "tree-int.h"

int pl_merge_status(json_t **out, const char *repo_path)
{
	git_repository *repo = NULL;
	pl_store *cache = NULL;
	json_t *refs = NULL, *nodes = json_object(), *o = NULL;
	git_oid main_tip;
	size_t nconf = 0;
	int has_main, rebuilt, rc, lock = -1;

	*out = NULL;
	if ((rc = pl_sync__open_district(&repo, repo_path)))
		goto cleanup;
	if ((rc = pl_merge__lock(&lock, repo_path, -1, "reading the cache")))
		goto cleanup;
	has_main = git_reference_name_to_id(&main_tip, repo, "refs/heads/main") == 0;
	rc = pl_merge__cache_ready(&cache, &rebuilt, repo, repo_path, has_main ? &main_tip : NULL, 0);
	pl_merge__unlock(lock); /* the cache describes main: a merge may go on, we read a snapshot */
	if (rc)
		goto cleanup;
	if ((rc = pl_sync__node_refs(&refs, repo, 0)))
		goto cleanup;
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
		git_tree *ct = NULL;
		if (git_commit_lookup(&mc, repo, &main_tip) == 0 && git_commit_tree(&t, mc) == 0 &&
		    pl_sync__subtree(&ct, repo, t, "conflicts") == 0)
			nconf = git_tree_entrycount(ct);
		git_tree_free(ct);
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
