/*
 * merge-commit.c — the merge commit: the tree updates of the merged ranges
 * and the state files, the new tree (tree.c), the commit whose parents are
 * the old main (or, on the first merge, a parentless root with the empty
 * tree) and the merged node tips, signed by the district key (SSHSIG, as
 * node commits are), its objects to disk as one pack, and refs/heads/main
 * moved to it only if it is still the main this merge read.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <git2.h>
#include <git2/sys/mempack.h>
#include <git2/sys/odb_backend.h>

#include "plsync/errors.h"
#include "plsync/merge.h"
#include "merge-int.h"
#include "sign-int.h"
#include "merge-record-int.h"
#include "pack-int.h"
#include "tree-int.h"

void pl_merge__updates_clear(struct updates *u)
{
	for (size_t i = 0; i < u->n; i++)
		free(u->paths[i]);
	free(u->paths);
	free(u->u);
	memset(u, 0, sizeof(*u));
}

int pl_merge__updates_add(struct updates *u, const char *path, const git_oid *id, int remove)
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

/* A title and one line per finding of list (quarantined, or reported) at msg + off; the new off. */
static size_t message_section(char *msg, size_t off, size_t cap, json_t *list, const char *title, int reported)
{
	if (json_array_size(list))
		off += snprintf(msg + off, cap - off, "%s", title);
	for (size_t i = 0; i < json_array_size(list) && off < cap; i++) {
		json_t *f = json_array_get(list, i);
		const char *node = json_string_value(json_object_get(f, "node"));
		uint64_t seq = (uint64_t)json_integer_value(json_object_get(f, "seq"));
		const char *why = json_string_value(json_object_get(f, "reason"));

		if (reported)
			off += snprintf(msg + off, cap - off, "nodes/%s seq %" PRIu64 " op %.12s on %.80s: %.200s\n", node,
			                seq, json_string_value(json_object_get(f, "op")),
			                json_string_value(json_object_get(f, "rec")), why);
		else
			off += snprintf(msg + off, cap - off, "nodes/%s commit %.12s seq %" PRIu64 ": %.300s\n", node,
			                json_string_value(json_object_get(f, "commit")), seq, why);
	}
	return off;
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
	off = message_section(msg, off, cap, mg->res->findings, "\nQuarantined:\n", 0);
	off = message_section(msg, off, cap, mg->res->reported, "\nReported:\n", 1);
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
static int root_commit(git_commit **out, git_repository *repo, const git_signature *sig, const pl_key *dk)
{
	git_treebuilder *tb = NULL;
	git_tree *empty = NULL;
	git_oid tid, cid;
	int rc = 0, grc;

	if ((grc = git_treebuilder_new(&tb, repo, NULL)) < 0 || (grc = git_treebuilder_write(&tid, tb)) < 0 ||
	    (grc = git_tree_lookup(&empty, repo, &tid)) < 0)
		rc = pl_error_from_git(grc, "writing main's root commit");
	else if (!(rc = pl_sync__commit_signed(&cid, repo, dk, sig, sig,
	                                       "district history begins\n\nThe first merge's first parent: every later "
	                                       "commit on\nmain's first-parent chain is a merge whose other parents are "
	                                       "node tips.\n", empty, 0, NULL)) &&
	         (grc = git_commit_lookup(out, repo, &cid)) < 0)
		rc = pl_error_from_git(grc, "writing main's root commit");
	git_tree_free(empty);
	git_treebuilder_free(tb);
	return rc;
}

int pl_merge__commit(struct merge *mg, git_commit *old_main)
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
	pl_key dk = { 0 };
	int rc = 0, grc;

	if ((grc = git_signature_now(&sig, mg->opts->name ? mg->opts->name : "plsync-district",
	                             mg->opts->email ? mg->opts->email : "plsync-district@localhost")) < 0)
		return pl_error_from_git(grc, "the merge author");
	/* signed by the district key (made here for a repository older than keys) */
	if ((rc = pl_keyring_district_key(&dk, NULL, mg->repo_path)))
		goto cleanup;
	/* before the mempack: the flush writes only the merge commit's tree */
	if (!old_main && (rc = root_commit(&root, mg->repo, sig, &dk)))
		goto cleanup;
	if ((rc = pl_sync__add_mempack(&mempack, mg->repo)))
		goto cleanup;
	if ((rc = pl_merge__state_updates(mg)))
		goto cleanup;
	pl_merge__mark(mg->res, &mg->t0, PL_MERGE_T_STATE);
	if ((rc = pl_sync__tree_update(&tree_id, &written, &nwritten, mg->repo, mempack, mg->base, mg->ups.u,
	                               mg->ups.n)))
		goto cleanup;
	if ((grc = git_tree_lookup(&tree, mg->repo, &tree_id)) < 0) {
		rc = pl_error_from_git(grc, "building the merged tree");
		goto cleanup;
	}
	pl_merge__mark(mg->res, &mg->t0, PL_MERGE_T_TREE);
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
	if ((rc = pl_sync__commit_signed(&commit_id, mg->repo, &dk, sig, sig, msg, tree, np, parents)))
		goto cleanup;
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
	pl_merge__mark(mg->res, &mg->t0, PL_MERGE_T_PACK);
	{
		git_reference *ref = NULL;
		char chex[41];
		/* the record names the commit main is moving to, whichever side of
		 * the ref update this merge dies on */
		git_oid_tostr(chex, sizeof(chex), &commit_id);
		if (old_main && mg->res->main[0] && (rc = pl_merge__record_write(mg->repo_path, mg->res->main, chex)))
			goto cleanup;
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
	pl_key_clear(&dk);
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
