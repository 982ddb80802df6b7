/*
 * audit-verify-int.h — pl_audit_verify's two files (private to sync/):
 * audit-verify.c (the driver; node refs, main's history and ops against
 * them, folded into a temporary store) and audit-verify-state.c (main's
 * state/ and conflicts/ against that fold, each problem named at the commit
 * that made the file what it is).
 */
#ifndef PLSYNC_SYNC_AUDIT_VERIFY_INT_H
#define PLSYNC_SYNC_AUDIT_VERIFY_INT_H

#include <stddef.h>
#include <stdint.h>

#include <git2.h>
#include <jansson.h>

#include "plsync/audit.h"
#include "plsync/key.h"
#include "plsync/op.h"
#include "plsync/store.h"

/* One verify. */
struct verify {
	git_repository                *repo;
	const pl_audit_verify_options *opts;
	pl_audit_verify_result        *res;
	pl_store                      *fold;
	git_tree                      *main_tree;
	git_oid                        main_tip;
	json_t                        *tips;     /* node -> {tip, merge, older} */
	/* the node being checked */
	const char                    *node;
	git_tree                      *ref_tree; /* nodes/<node> tip's root tree, or NULL */
	git_tree                      *tip_tree; /* the last merged tip's root tree, or NULL */
	/* a chain being walked */
	uint64_t                       expect;
	int                            prev_known;
	pl_oid                         prev;
	int                            broken;   /* main's fold of this node stopped */
	int                            rc;       /* a hard error (or the callback's stop) */
	/* signatures (audit-verify-sign.c) */
	pl_keyring                     keys;     /* refs/plsync/keys, as the district key signed it */
	pl_key                         district; /* its public part */
	int                            has_district;
	json_t                        *seen;     /* "<sha> <node>" -> {node, commit, seen}: each witness */
};

/* A walk of one tree's files (under `top`), fn called for each. */
struct walk {
	struct verify *v;
	const char    *rev;      /* "nodes/LIN01", "main" */
	const char    *top;      /* "ops/LIN01/", "state/", "conflicts/" */
	int          (*fn)(struct walk *w, const char *path, const git_tree_entry *e);
	uint64_t       nops;
};

/* Report one problem (where, node, seq, commit may be NULL/0) to the
 * caller's callback; its negative return stops the verify (v->rc). */
int pl_audit__problem(struct verify *v, const char *where, const char *node, uint64_t seq, const char *commit,
                      const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* w->fn for each file of t; v->rc. */
int pl_audit__walk_tree(struct walk *w, git_tree *t);
/* Where a problem with main's file `path` is named: "<commit>:<path>" into
 * where, the commit (12 hex digits; in full into since) the first on main's
 * first-parent chain since which the file is what it is in main (or absent):
 * the merge that wrote it, or the hand commit that changed it. */
void pl_audit__since(struct verify *v, char *where, size_t sz, char since[41], const char *path);
/* 5. Every file of main's state/ and conflicts/ against what the merge
 * renders from v->fold, and every live record of the fold has its file. */
int pl_audit__verify_state(struct verify *v);

/* 6, 7: signatures and witnesses (audit-verify-sign.c). */
/* The district key and the keyring; problems if they cannot be trusted. */
int pl_audit__sign_setup(struct verify *v, const char *repo_path);
/* Every commit of nodes/<node> (tip `tip`): signed as item 6 says; the
 * witnesses of validly signed ones kept in v->seen. */
int pl_audit__sign_node(struct verify *v, const char *node, const git_oid *tip);
/* A commit of main's first-parent chain: signed by the district key. */
int pl_audit__sign_merge(struct verify *v, const git_commit *c);
/* Every witnessed main tip against main (NULL: there is no main). */
int pl_audit__witnesses(struct verify *v, const git_oid *main_tip);
void pl_audit__sign_free(struct verify *v);

#endif
