/*
 * audit-verify.c — pl_audit_verify: the district repository checked from
 * git alone.
 *
 * Rules kept here:
 *  - The cache is never opened. Node refs and main are re-read from the
 *    object database, one blob at a time; main's ops are folded into a
 *    temporary store (LMDB, in small transactions, removed afterwards) and
 *    every state/ and conflicts/ file compared with what the merge renders
 *    from that fold (pl_merge_state_json, pl_merge_conflicts_json: one
 *    renderer, never a second one here).
 *  - A problem is a finding, not an error: it is reported (one line each,
 *    naming the git revision:path, node, seq and what is wrong) and the
 *    verify goes on, resynchronising after a broken chain so that one
 *    forgery gives one line where it can. Only a failure to read at all is
 *    an error.
 *  - Where main's own record is kept (REPO/plsync-last-merge, merge-record.c),
 *    a main that no longer contains the last merge is a problem; a state or
 *    conflicts file that differs is named at the commit on main since which
 *    it is what it is ("<commit>:<path>").
 *  - What main merged is derived from git: parents 1.. of each commit on
 *    main's first-parent chain are node tips (merge-commit.c's root commit
 *    makes that true of the first merge too).
 *
 * Steps 1 to 4 are here, step 5 (state/ and conflicts/) in
 * audit-verify-state.c, signatures and main's witnesses (6, 7) in
 * audit-verify-sign.c.
 */
#include <errno.h>
#include <ftw.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <git2.h>

#include "plsync/audit.h"
#include "plsync/errors.h"
#include "plsync/json.h"
#include "plsync/merge.h"
#include "plsync/schema.h"
#include "plsync/store.h"
#include "audit-verify-int.h"
#include "district-int.h"
#include "layout-int.h"
#include "merge-record-int.h"
#include "tree-int.h"


int pl_audit__problem(struct verify *v, const char *where, const char *node, uint64_t seq, const char *commit,
                          const char *fmt, ...)
{
	pl_audit_problem p = { where, node, seq, commit, NULL };
	char what[1024];
	va_list ap;
	int rc = 0;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	p.what = what;
	v->res->problems++;
	if (v->opts->problem && (rc = v->opts->problem(&p, v->opts->payload)) < 0 && !v->rc)
		v->rc = rc;
	return rc;
}

/*
 * Check one batch blob of `node`'s chain (on its ref, or in main): the name
 * matches the seqs, the ops claim the node, continue the chain and hash to
 * the ids their successors name. `rev` prefixes the path in problems. If
 * `blob_out` is given, the blob read (or NULL) is handed to the caller.
 */
static int check_batch(struct verify *v, const char *rev, const char *path, const git_tree_entry *e,
                       uint64_t *nops, git_blob **blob_out)
{
	const pl_op_limits *lim = &v->opts->limits;
	char where[600], want[256];
	const char *name = strrchr(path, '/');
	uint64_t first, last;
	git_blob *blob = NULL;
	const unsigned char *buf;
	size_t len, off = 0;
	int grc;

	snprintf(where, sizeof(where), "%s:%s", rev, path);
	if (git_tree_entry_type(e) != GIT_OBJECT_BLOB || git_tree_entry_filemode(e) != GIT_FILEMODE_BLOB)
		return pl_audit__problem(v, where, v->node, 0, NULL, "not a plain file: only op batch blobs belong under ops/%s/",
		               v->node);
	if (!name || pl_sync__parse_blob_name(&first, &last, name + 1))
		return pl_audit__problem(v, where, v->node, 0, NULL, "not an op batch name (<first>-<last>.msgpack, 12 digits each)");
	pl_sync__blob_path(want, sizeof(want), v->node, first, last);
	if (strcmp(want, path))
		pl_audit__problem(v, where, v->node, first, NULL, "misplaced: a batch of seqs %" PRIu64 "..%" PRIu64 " belongs at %s",
		        first, last, want);
	if (first != v->expect) {
		pl_audit__problem(v, where, v->node, first, NULL, "starts at seq %" PRIu64 " but seq %" PRIu64 " is next: %s",
		        first, v->expect, first > v->expect ? "ops are missing (a gap)" : "seqs overlap (a replay)");
		v->expect = first;
		v->prev_known = 0;
	}
	if ((grc = git_blob_lookup(&blob, v->repo, git_tree_entry_id(e))) < 0) {
		blob = NULL;
		pl_audit__problem(v, where, v->node, first, NULL, "the blob cannot be read: %s",
		        git_error_last() ? git_error_last()->message : "missing object");
		v->prev_known = 0;
		v->expect = last + 1;
		goto cleanup;
	}
	buf = git_blob_rawcontent(blob);
	len = (size_t)git_blob_rawsize(blob);
	if (len > lim->max_batch) {
		pl_audit__problem(v, where, v->node, first, NULL, "%zu bytes, over the %zu-byte batch limit", len, lim->max_batch);
		v->prev_known = 0;
		v->expect = last + 1;
		goto cleanup;
	}
	while (off < len) {
		size_t start = off;
		pl_op *op = NULL;
		pl_oid id;

		if (pl_op_decode_next(&op, buf, len, &off, lim)) {
			pl_audit__problem(v, where, v->node, v->expect, NULL, "the op at byte %zu (seq %" PRIu64 " expected) is not a "
			        "valid op: %s", start, v->expect, pl_error_last()->message);
			v->prev_known = 0;
			v->expect = last + 1;
			goto cleanup;
		}
		pl_op_id(&id, buf + start, off - start);
		if (strcmp(op->node, v->node)) {
			/* a forgery: the rest of this blob is not the node's chain */
			pl_audit__problem(v, where, v->node, v->expect, NULL, "op seq %" PRIu64 " claims node %s, but this is %s's "
			        "chain: a node's ref and directory hold only its own ops", op->seq, op->node, v->node);
			pl_op_free(op);
			v->prev_known = 0;
			v->expect = last + 1;
			goto cleanup;
		}
		if (op->seq != v->expect)
			pl_audit__problem(v, where, v->node, op->seq, NULL, "op seq %" PRIu64 " where seq %" PRIu64 " was expected",
			        op->seq, v->expect);
		else if (op->seq == 1 && op->has_prev)
			pl_audit__problem(v, where, v->node, 1, NULL, "op 1 names a prev: the chain must start at seq 1");
		else if (op->seq > 1 && v->prev_known && (!op->has_prev || memcmp(op->prev.id, v->prev.id, PL_OID_RAWSZ)))
			pl_audit__problem(v, where, v->node, op->seq, NULL, "op %s/%" PRIu64 ": prev is not the id of op %" PRIu64
			        " (the chain is broken: an op before it was altered or replaced)", v->node, op->seq,
			        op->seq - 1);
		(*nops)++;
		v->expect = op->seq + 1;
		v->prev = id;
		v->prev_known = 1;
		pl_op_free(op);
		if (v->rc)
			goto cleanup;
	}
	if (v->expect != last + 1) {
		pl_audit__problem(v, where, v->node, last, NULL, "named for seqs %" PRIu64 "..%" PRIu64 " but holds up to %" PRIu64,
		        first, last, v->expect - 1);
		v->expect = last + 1;
		v->prev_known = 0;
	}
cleanup:
	if (blob_out)
		*blob_out = blob;
	else
		git_blob_free(blob);
	return v->rc;
}


static int walk_cb(const char *root, const git_tree_entry *e, void *payload)
{
	struct walk *w = payload;
	char path[600];

	if (git_tree_entry_type(e) == GIT_OBJECT_TREE)
		return 0;
	snprintf(path, sizeof(path), "%s%s%s", w->top, root, git_tree_entry_name(e));
	return w->fn(w, path, e) || w->v->rc ? -1 : 0;
}

int pl_audit__walk_tree(struct walk *w, git_tree *t)
{
	git_tree_walk(t, GIT_TREEWALK_PRE, walk_cb, w);
	return w->v->rc;
}

/* 1. a node's ref: its chain, from its tip's tree alone */
static int ref_batch(struct walk *w, const char *path, const git_tree_entry *e)
{
	return check_batch(w->v, w->rev, path, e, &w->nops, NULL);
}

static int verify_node_ref(struct verify *v, const char *refname, const char *node)
{
	git_oid tip;
	git_commit *c = NULL;
	git_tree *ops = NULL, *mine = NULL;
	char rev[PL_NODE_MAX + 8], top[PL_NODE_MAX + 8], hex[41];
	struct walk w = { v, rev, top, ref_batch, 0 };

	snprintf(rev, sizeof(rev), "nodes/%s", node);
	snprintf(top, sizeof(top), "ops/%s/", node);
	if (git_reference_name_to_id(&tip, v->repo, refname) < 0 || git_commit_lookup(&c, v->repo, &tip) < 0 ||
	    git_commit_tree(&v->ref_tree, c) < 0) {
		pl_audit__problem(v, refname, node, 0, NULL, "does not point to a readable commit");
		goto cleanup;
	}
	git_oid_tostr(hex, sizeof(hex), &tip);
	if (pl_audit__sign_node(v, node, &tip))
		goto cleanup;
	for (size_t i = 0; i < git_tree_entrycount(v->ref_tree); i++) {
		const char *n = git_tree_entry_name(git_tree_entry_byindex(v->ref_tree, i));
		if (strcmp(n, "ops"))
			pl_audit__problem(v, refname, node, 0, hex, "tip %.12s holds '%s': a node's commits hold only ops/%s/", hex, n,
			        node);
	}
	if (pl_sync__subtree(&ops, v->repo, v->ref_tree, "ops") == 0) {
		for (size_t i = 0; i < git_tree_entrycount(ops); i++) {
			const char *n = git_tree_entry_name(git_tree_entry_byindex(ops, i));
			if (strcmp(n, node))
				pl_audit__problem(v, refname, node, 0, hex, "tip %.12s holds ops/%s/: a node writes only its own ops/%s/",
				        hex, n, node);
		}
	}
	v->node = node;
	v->expect = 1;
	v->prev_known = 1;
	if (pl_sync__subtree(&mine, v->repo, v->ref_tree, top) == 0)
		pl_audit__walk_tree(&w, mine);
	v->res->node_ops += w.nops;
cleanup:
	git_tree_free(mine);
	git_tree_free(ops);
	git_commit_free(c);
	git_tree_free(v->ref_tree);
	v->ref_tree = NULL;
	return v->rc;
}

/* 2. main's first-parent chain: what each merge merged */
static int verify_history(struct verify *v, const git_oid *main_tip)
{
	git_commit *c = NULL;
	int rc = 0;

	if (git_commit_lookup(&c, v->repo, main_tip) < 0)
		return pl_error_from_git(-1, "main");
	while (c && !v->rc) {
		git_commit *next = NULL;
		char mhex[41];
		unsigned np = git_commit_parentcount(c);

		git_oid_tostr(mhex, sizeof(mhex), git_commit_id(c));
		if (pl_audit__sign_merge(v, c))
			break;
		if (np == 0) {
			git_tree *t = NULL;
			if (git_commit_tree(&t, c) == 0 && git_tree_entrycount(t))
				pl_audit__problem(v, mhex, NULL, 0, mhex, "main's root commit has a non-empty tree: it is not the root "
				        "a merge writes");
			git_tree_free(t);
			break;
		}
		v->res->merges++;
		for (unsigned p = 1; p < np && !v->rc; p++) {
			const git_oid *pid = git_commit_parent_id(c, p);
			char node[PL_NODE_MAX + 1], where[64], phex[41];
			json_t *e;

			git_oid_tostr(phex, sizeof(phex), pid);
			snprintf(where, sizeof(where), "%s^%u", mhex, p + 1);
			if (pl_sync__node_of(node, sizeof(node), v->repo, pid)) {
				pl_audit__problem(v, where, NULL, 0, mhex, "merge %.12s: parent %.12s is not a node commit (its tree must "
				        "hold exactly one ops/<node>/)", mhex, phex);
				continue;
			}
			if (!(e = json_object_get(v->tips, node))) {
				json_object_set_new(v->tips, node, json_pack("{ss ss ss}", "tip", phex, "merge", mhex,
				                                             "older", phex));
				continue;
			}
			/* an older merge of this node: its tip must be in the later one's history */
			{
				git_oid later;
				git_oid_fromstr(&later, json_string_value(json_object_get(e, "older")));
				if (git_oid_cmp(&later, pid) && git_graph_descendant_of(v->repo, &later, pid) != 1)
					pl_audit__problem(v, where, node, 0, mhex, "merge %.12s merged nodes/%s at %.12s, which is not in "
					        "the history of the tip a later merge took (%.12s): the node's history was "
					        "rewritten between merges", mhex, node, phex,
					        json_string_value(json_object_get(e, "older")));
				json_object_set_new(e, "older", json_string(phex));
			}
		}
		if (git_commit_parent(&next, c, 0) < 0) {
			pl_audit__problem(v, mhex, NULL, 0, mhex, "the first parent of %.12s cannot be read", mhex);
			next = NULL;
		}
		git_commit_free(c);
		c = next;
	}
	git_commit_free(c);
	if (v->rc)
		return v->rc;
	/* the last merged tip of each node must still be in its ref */
	{
		const char *node;
		json_t *e;
		json_object_foreach(v->tips, node, e) {
			char ref[PL_NODE_MAX + 24];
			const char *thex = json_string_value(json_object_get(e, "tip"));
			git_oid cur, t;

			pl_sync__node_ref(ref, sizeof(ref), node);
			git_oid_fromstr(&t, thex);
			if (git_reference_name_to_id(&cur, v->repo, ref) < 0)
				rc = pl_audit__problem(v, ref, node, 0, thex, "is gone, but merge %.12s merged its commit %.12s",
				             json_string_value(json_object_get(e, "merge")), thex);
			else if (git_oid_cmp(&cur, &t) && git_graph_descendant_of(v->repo, &cur, &t) != 1)
				rc = pl_audit__problem(v, ref, node, 0, thex, "was rewritten: it no longer contains %.12s, which merge "
				             "%.12s merged (a force-push or a replaced ref)", thex,
				             json_string_value(json_object_get(e, "merge")));
			if (rc < 0)
				break;
		}
	}
	return v->rc;
}

/* 3 and 4. main's ops: the node's blobs, folded into the temporary store */
/*
 * Ops per fold transaction: an LMDB write transaction keeps its dirty pages
 * in memory until it commits, so a 16 MiB batch folded in one would cost
 * some hundred MiB; chunks keep the fold's memory small and constant.
 */
#define FOLD_CHUNK 2048

struct fold_blob {
	struct verify        *v;
	const unsigned char  *buf;
	size_t                len;
	size_t                off;     /* folded (committed) up to here */
	size_t                next;    /* this chunk ends here */
	uint64_t              nops;    /* ops in this chunk */
};

/*
 * Fold the next chunk of a batch blob of main, from fb->off (replayed from
 * there if the map grows); fb->next is where it stopped.
 */
static int fold_blob_fn(pl_write *w, void *payload)
{
	struct fold_blob *fb = payload;
	size_t off = fb->off;
	int rc = 0;

	fb->nops = 0;
	while (off < fb->len && !rc && fb->nops < FOLD_CHUNK) {
		size_t start = off;
		pl_op *op = NULL;
		if ((rc = pl_op_decode_next(&op, fb->buf, fb->len, &off, &fb->v->opts->limits)))
			break;
		if (strcmp(op->node, fb->v->node))
			rc = pl_error_set(PL_ECORRUPT, "op %s/%" PRIu64 " is under ops/%s/", op->node, op->seq, fb->v->node);
		else if ((rc = pl_write_remote(w, fb->buf + start, off - start)) == 1)
			rc = pl_error_set(PL_ECORRUPT, "op %s/%" PRIu64 " is in main twice (a replayed op)", op->node, op->seq);
		pl_op_free(op);
		fb->nops++;
	}
	fb->next = off;
	return rc;
}

static int main_batch(struct walk *w, const char *path, const git_tree_entry *e)
{
	struct verify *v = w->v;
	char where[600], want[41], got[41];
	git_oid ref_id, tip_id;
	git_blob *blob = NULL;
	size_t before;
	int in_ref, in_tip;

	snprintf(where, sizeof(where), "main:%s", path);
	git_oid_tostr(got, sizeof(got), git_tree_entry_id(e));
	/* the same blob at the same path in the node's own ref */
	in_ref = pl_sync__tree_entry_id(&ref_id, v->ref_tree, path);
	in_tip = pl_sync__tree_entry_id(&tip_id, v->tip_tree, path);
	if (!v->ref_tree) {
		/* reported once for the whole directory */
	} else if (!in_ref) {
		pl_audit__problem(v, where, v->node, 0, NULL, "not in nodes/%s: the node never pushed an op batch at this path "
		        "(forged in main, or the ref was rewritten)", v->node);
	} else if (git_oid_cmp(&ref_id, git_tree_entry_id(e))) {
		git_oid_tostr(want, sizeof(want), &ref_id);
		if (in_tip && !git_oid_cmp(&tip_id, git_tree_entry_id(e)))
			pl_audit__problem(v, where, v->node, 0, NULL, "blob %.12s differs from nodes/%s:%s (%.12s), though the merged "
			        "tip had main's blob: the node's ref was rewritten", got, v->node, path, want);
		else
			pl_audit__problem(v, where, v->node, 0, NULL, "blob %.12s differs from nodes/%s:%s (%.12s): the ops in main "
			        "were altered", got, v->node, path, want);
	} else if (v->tip_tree && !in_tip) {
		pl_audit__problem(v, where, v->node, 0, NULL, "not in the last merged tip of nodes/%s: no merge commit names the "
		        "node commit that carried it", v->node);
	}
	if (v->rc)
		return v->rc;
	/* the chain in main; a blob that breaks it stops this node's fold (the
	 * store would refuse every op after it anyway) */
	before = v->res->problems;
	if (check_batch(v, "main", path, e, &w->nops, &blob))
		goto cleanup;
	if (v->res->problems != before)
		v->broken = 1;
	if (v->broken)
		goto cleanup;
	/* the fold: one blob at a time, FOLD_CHUNK ops per transaction */
	if (blob) {
		struct fold_blob fb = { v, git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob), 0, 0, 0 };
		while (fb.off < fb.len && fb.len <= v->opts->limits.max_batch) {
			if (pl_store_write(v->fold, "plsync-audit verify", fold_blob_fn, &fb)) {
				if (pl_error_last()->code != PL_ECORRUPT && pl_error_last()->code != PL_EINVALID)
					v->rc = pl_error_last()->code;
				else
					pl_audit__problem(v, where, v->node, 0, NULL, "cannot be folded: %s (ops/%s/ is folded no further)",
					        pl_error_last()->message, v->node);
				v->broken = 1;
				break;
			}
			v->res->main_ops += fb.nops;
			fb.off = fb.next;
		}
	} else {
		v->broken = 1;
	}
cleanup:
	git_blob_free(blob);
	return v->rc;
}

static int verify_main_ops(struct verify *v)
{
	git_tree *ops = NULL;

	for (size_t i = 0; i < git_tree_entrycount(v->main_tree); i++) {
		const char *n = git_tree_entry_name(git_tree_entry_byindex(v->main_tree, i));
		if (strcmp(n, "ops") && strcmp(n, "state") && strcmp(n, "conflicts")) {
			char where[300];
			snprintf(where, sizeof(where), "main:%s", n);
			pl_audit__problem(v, where, NULL, 0, NULL, "main holds only ops/, state/ and conflicts/");
		}
	}
	if (pl_sync__subtree(&ops, v->repo, v->main_tree, "ops"))
		return v->rc;
	for (size_t i = 0; i < git_tree_entrycount(ops) && !v->rc; i++) {
		const git_tree_entry *ne = git_tree_entry_byindex(ops, i);
		const char *node = git_tree_entry_name(ne);
		char ref[PL_NODE_MAX + 24], top[PL_NODE_MAX + 8], where[PL_NODE_MAX + 16];
		struct walk w = { v, "main", top, main_batch, 0 };
		json_t *e = json_object_get(v->tips, node);
		git_tree *mine = NULL;
		git_commit *c = NULL;
		git_oid oid;

		snprintf(top, sizeof(top), "ops/%s/", node);
		snprintf(where, sizeof(where), "main:ops/%s", node);
		if (!pl_node_valid(node) || !strcmp(node, PL_MERGE_CACHE_NODE) ||
		    git_tree_entry_type(ne) != GIT_OBJECT_TREE) {
			pl_audit__problem(v, where, NULL, 0, NULL, "'%s' is not a node's directory", node);
			continue;
		}
		v->node = node;
		v->expect = 1;
		v->prev_known = 1;
		v->broken = 0;
		v->ref_tree = v->tip_tree = NULL;
		pl_sync__node_ref(ref, sizeof(ref), node);
		if (git_reference_name_to_id(&oid, v->repo, ref) == 0 && git_commit_lookup(&c, v->repo, &oid) == 0)
			git_commit_tree(&v->ref_tree, c);
		git_commit_free(c);
		c = NULL;
		if (!v->ref_tree)
			pl_audit__problem(v, where, node, 0, NULL, "main holds ops of %s, but there is no readable %s to compare "
			        "them with", node, ref);
		if (!e)
			pl_audit__problem(v, where, node, 0, NULL, "main holds ops of %s, but no merge commit on main's first-parent "
			        "chain merged a commit of nodes/%s", node, node);
		else if (git_oid_fromstr(&oid, json_string_value(json_object_get(e, "tip"))) == 0 &&
		         git_commit_lookup(&c, v->repo, &oid) == 0)
			git_commit_tree(&v->tip_tree, c);
		git_commit_free(c);
		if (git_tree_lookup(&mine, v->repo, git_tree_entry_id(ne)) == 0)
			pl_audit__walk_tree(&w, mine);
		git_tree_free(mine);
		git_tree_free(v->ref_tree);
		git_tree_free(v->tip_tree);
		v->ref_tree = v->tip_tree = NULL;
	}
	git_tree_free(ops);
	return v->rc;
}

/* 3. everything the last merge of a node took is still in main */
static int tip_batch(struct walk *w, const char *path, const git_tree_entry *e)
{
	struct verify *v = w->v;
	json_t *t = json_object_get(v->tips, v->node);
	char where[600];
	git_oid in_main;

	if (pl_sync__tree_entry_id(&in_main, v->main_tree, path))
		return 0; /* present; a different blob is reported by the walk of main */
	snprintf(where, sizeof(where), "main:%s", path);
	return pl_audit__problem(v, where, v->node, 0, json_string_value(json_object_get(t, "merge")),
	               "missing: main merged nodes/%s up to commit %.12s (merge %.12s), which holds it",
	               v->node, json_string_value(json_object_get(t, "tip")),
	               json_string_value(json_object_get(t, "merge")));
}

static int verify_merged_present(struct verify *v)
{
	const char *node;
	json_t *e;

	json_object_foreach(v->tips, node, e) {
		char top[PL_NODE_MAX + 8];
		struct walk w = { v, "main", top, tip_batch, 0 };
		git_commit *c = NULL;
		git_tree *root = NULL, *mine = NULL;
		git_oid oid;

		snprintf(top, sizeof(top), "ops/%s/", node);
		v->node = node;
		if (git_oid_fromstr(&oid, json_string_value(json_object_get(e, "tip"))) == 0 &&
		    git_commit_lookup(&c, v->repo, &oid) == 0 && git_commit_tree(&root, c) == 0 &&
		    pl_sync__subtree(&mine, v->repo, root, top) == 0)
			pl_audit__walk_tree(&w, mine);
		git_tree_free(mine);
		git_tree_free(root);
		git_commit_free(c);
		if (v->rc)
			break;
	}
	return v->rc;
}

/* 2. main against the record of the last merge (merge-record.c), if one is kept */
static int verify_record(struct verify *v, const char *repo_path, const git_oid *main_tip)
{
	char why[700], bad[41];
	int kind;

	if (pl_merge__main_check(&kind, why, sizeof(why), bad, v->repo, repo_path, main_tip)) {
		if (pl_error_last()->code != PL_ECORRUPT)
			return v->rc = pl_error_last()->code;
		return pl_audit__problem(v, repo_path, NULL, 0, NULL, "%s", pl_error_last()->message);
	}
	/* commits on top are named where they changed a file (step 5) */
	if (kind == PL_MAIN_LOST)
		pl_audit__problem(v, "refs/heads/main", NULL, 0, bad, "%s", why);
	return v->rc;
}

/* First-parent steps pl_audit__since looks back at most. */
#define SINCE_MAX 100000

void pl_audit__since(struct verify *v, char *where, size_t sz, char since[41], const char *path)
{
	git_commit *c = NULL;
	git_oid now, then;
	int has = pl_sync__tree_entry_id(&now, v->main_tree, path);
	char hex[41] = "main";

	git_oid_tostr(since, 41, &v->main_tip);
	if (git_commit_lookup(&c, v->repo, &v->main_tip) == 0) {
		for (long i = 0; i < SINCE_MAX; i++) {
			git_commit *p = NULL;
			git_tree *pt = NULL;
			int same = 0;
			if (git_commit_parentcount(c) > 0 && git_commit_parent(&p, c, 0) == 0 &&
			    git_commit_parentcount(p) > 0 && git_commit_tree(&pt, p) == 0) {
				int had = pl_sync__tree_entry_id(&then, pt, path);
				same = had == has && (!has || git_oid_equal(&then, &now));
			}
			git_tree_free(pt);
			if (!same) {
				git_commit_free(p);
				break;
			}
			git_commit_free(c);
			c = p;
		}
		git_oid_tostr(since, 41, git_commit_id(c));
		snprintf(hex, sizeof(hex), "%.12s", since);
		git_commit_free(c);
	}
	snprintf(where, sz, "%s:%s", hex, path);
}

int pl_audit_verify(pl_audit_verify_result *res, const char *repo_path, const pl_audit_verify_options *opts)
{
	static const pl_audit_verify_options defaults = PL_AUDIT_VERIFY_OPTIONS_INIT;
	pl_store_options so = PL_STORE_OPTIONS_INIT;
	struct verify v;
	json_t *refs = NULL;
	git_commit *mc = NULL;
	git_oid main_tip;
	char tmp[4096] = "";
	const char *parent;
	int has_main;

	memset(res, 0, sizeof(*res));
	memset(&v, 0, sizeof(v));
	v.opts = opts ? opts : &defaults;
	v.res = res;
	v.tips = json_object();
	if (!v.tips) {
		v.rc = pl_error_set(PL_ERROR, "out of memory");
		goto cleanup;
	}
	if ((v.rc = pl_sync__open_district(&v.repo, repo_path)))
		goto cleanup;
	if (pl_audit__sign_setup(&v, repo_path))
		goto cleanup;

	/* 1. every node ref, in name order */
	if ((v.rc = pl_sync__node_refs(&refs, v.repo, 1)))
		goto cleanup;
	for (size_t i = 0; i < json_array_size(refs) && !v.rc; i++) {
		const char *name = json_string_value(json_array_get(refs, i)), *node = name + strlen("refs/heads/nodes/");
		if (!pl_node_valid(node) || !strcmp(node, PL_MERGE_CACHE_NODE)) {
			pl_audit__problem(&v, name, NULL, 0, NULL, "'%s' is not a valid node code: the merge ignores this ref", node);
			continue;
		}
		res->nodes++;
		verify_node_ref(&v, name, node);
	}
	if (v.rc)
		goto cleanup;

	has_main = git_reference_name_to_id(&main_tip, v.repo, "refs/heads/main") == 0;
	if (verify_record(&v, repo_path, has_main ? &main_tip : NULL) ||
	    pl_audit__witnesses(&v, has_main ? &main_tip : NULL) || !has_main)
		goto cleanup; /* nothing merged yet: the node refs were all there is */
	git_oid_tostr(res->main, sizeof(res->main), &main_tip);
	v.main_tip = main_tip;
	if (git_commit_lookup(&mc, v.repo, &main_tip) < 0 || git_commit_tree(&v.main_tree, mc) < 0) {
		v.rc = pl_error_from_git(-1, "main");
		goto cleanup;
	}

	/* 2. what each merge merged, and whether the node refs still hold it */
	if (verify_history(&v, &main_tip))
		goto cleanup;

	/* 3, 4. main's ops against the node refs, folded into a temporary store */
	parent = v.opts->tmpdir ? v.opts->tmpdir : getenv("TMPDIR");
	snprintf(tmp, sizeof(tmp), "%s/plsync-verify-XXXXXX", parent && *parent ? parent : "/tmp");
	if (!mkdtemp(tmp)) {
		v.rc = pl_error_from_errno(tmp);
		tmp[0] = '\0';
		goto cleanup;
	}
	so.no_sync = 1;
	so.limits = v.opts->limits;
	if ((v.rc = pl_store_create(tmp, PL_MERGE_CACHE_NODE, &so)) || (v.rc = pl_store_open(&v.fold, tmp, &so)))
		goto cleanup;
	if (verify_main_ops(&v) || verify_merged_present(&v))
		goto cleanup;

	/* 5. state/ and conflicts/ */
	pl_audit__verify_state(&v);
cleanup:
	pl_audit__sign_free(&v);
	pl_store_free(v.fold);
	if (tmp[0])
		pl_sync__rm_rf(tmp);
	git_tree_free(v.main_tree);
	git_commit_free(mc);
	json_decref(refs);
	json_decref(v.tips);
	git_repository_free(v.repo);
	return v.rc;
}
