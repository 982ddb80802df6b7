/*
 * mirror-int.h — the agent's mirror as sync's files see it (mirror.c;
 * private to sync/): the git repository behind a pl_mirror, and the last
 * seq a node commit holds (the mirror, bundles and the district read it).
 */
#ifndef PLSYNC_SYNC_MIRROR_INT_H
#define PLSYNC_SYNC_MIRROR_INT_H

#include <git2.h>

#include "plsync/sync.h"

struct pl_mirror {
	git_repository  *repo;
	git_odb_backend *mempack;  /* owned by the repo's odb; new objects go here */
	char            *path;
};

/*
 * The last seq of `node` in commit `commit`'s tree (0 if it has no
 * ops/<node>), read from the last batch name; *blob (if not NULL) gets that
 * batch's blob id. Git failures are named by `what`.
 */
int pl_sync__commit_last_seq(uint64_t *seq, git_oid *blob, git_repository *repo, const git_oid *commit,
                             const char *node, const char *what);

#endif
