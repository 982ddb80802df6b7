/*
 * tree-int.h — trees (tree.c; private to sync/): a new tree from a base and
 * path updates, and the files a commit changed, read by the subtrees that
 * differ.
 */
#ifndef PLSYNC_SYNC_TREE_INT_H
#define PLSYNC_SYNC_TREE_INT_H

#include <git2.h>

/*
 * The tree of `base` (NULL: empty) with `ups` applied: the same tree
 * git_tree_create_updated makes, its new tree objects written to the
 * mempack and listed in *written (malloc'd, n of them) for the pack.
 */
int pl_sync__tree_update(git_oid *out, git_oid **written, size_t *nwritten, git_repository *repo,
                         git_odb_backend *mempack, const git_tree *base, git_tree_update *ups, size_t n);

/*
 * The files that differ between a node commit's parent tree and its own, in
 * git's order, as git_diff_tree_to_tree would list them, but walking only
 * the subtrees whose ids differ, level by level (both entry lists are
 * sorted): a commit costs what it changes (a few fan-out levels), not the
 * size of ops/<node>/, which a full diff reads whole for every commit.
 * Collects at most ds->max files (ds->over says there were more); a tree
 * nested deeper than 16 levels is listed as a file of mode tree, which no
 * batch name fits. Call with dir "" and depth 0; free ds's paths with
 * pl_sync__deltas_clear.
 */
typedef struct pl_sync__delta {
	char          *path;
	git_delta_t    status;   /* ADDED, DELETED or MODIFIED */
	git_filemode_t mode;     /* the new file's (the old one's if deleted) */
	git_oid        id;
} pl_sync__delta;

typedef struct pl_sync__deltas {
	pl_sync__delta *d;
	size_t          n, cap, max;
	int             over;
} pl_sync__deltas;

int pl_sync__tree_delta(pl_sync__deltas *ds, git_repository *repo, const char *dir, git_tree *a, git_tree *b,
                        int depth);
/*
 * pl_sync__tree_delta of commit `id` against its first parent (a root
 * commit: against nothing), for the fetch, the merge and the cache rebuild.
 * A git failure is named by `hex` (the commit's id as text). With `linear`,
 * a commit of more than one parent is PL_ECORRUPT ("node history must be
 * linear") before any parent is read.
 */
int pl_sync__commit_delta(pl_sync__deltas *ds, git_repository *repo, const git_oid *id, const char *hex,
                          int linear);
void pl_sync__deltas_clear(pl_sync__deltas *ds);

/* 1 if t (NULL: none) has an entry at path, its id in *out; else 0. */
int pl_sync__tree_entry_id(git_oid *out, git_tree *t, const char *path);
/* The subtree of t (NULL: none) at path into *out (NULL if none): 0, or -1
 * when there is no tree there or it cannot be read. */
int pl_sync__subtree(git_tree **out, git_repository *repo, git_tree *t, const char *path);

/* dir followed by name, malloc'd, with room for one more byte (a '/');
 * NULL when out of memory (used by pack.c). */
char *pl_sync__path_join(const char *dir, const char *name);

#endif
