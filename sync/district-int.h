/*
 * district-int.h — the district repository as the merge, its cache and
 * verify read it (district.c; private to sync/).
 */
#ifndef PLSYNC_SYNC_DISTRICT_INT_H
#define PLSYNC_SYNC_DISTRICT_INT_H

#include <stddef.h>

#include <git2.h>
#include <jansson.h>

/*
 * Open the bare district repository at `path`. PL_ENOTFOUND if it is not a
 * git repository, PL_EINVALID if it has no plsync.district config.
 */
int pl_sync__open_district(git_repository **repo, const char *path);
/*
 * The node whose ops node commit `commit` carries: the one directory under
 * its tree's ops/. PL_ENOTFOUND if there is not exactly one.
 */
int pl_sync__node_of(char *out, size_t sz, git_repository *repo, const git_oid *commit);
/*
 * The names of the node refs (refs/heads/nodes/<any>, valid node codes or
 * not) into *out, a new JSON array of strings: in name order if `sorted`,
 * else in libgit2's order. PL_ERROR when out of memory.
 */
int pl_sync__node_refs(json_t **out, git_repository *repo, int sorted);

#endif
