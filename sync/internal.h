/*
 * internal.h — shared inside sync/ (not public).
 */
#ifndef PLSYNC_SYNC_INTERNAL_H
#define PLSYNC_SYNC_INTERNAL_H

#include <git2.h>

#include "plsync/sync.h"

struct pl_mirror {
	git_repository  *repo;
	git_odb_backend *mempack;  /* owned by the repo's odb; new objects go here */
	char            *path;
};

/* "refs/heads/nodes/<node>" into buf. */
void pl_sync__node_ref(char *buf, size_t sz, const char *node);
/* "ops/<node>/<a>/<b>/<first>-<last>.msgpack" into buf. */
void pl_sync__blob_path(char *buf, size_t sz, const char *node, uint64_t first, uint64_t last);
/* Parse a blob file name "<first>-<last>.msgpack". 0 on success. */
int pl_sync__parse_blob_name(uint64_t *first, uint64_t *last, const char *name);
/* Set up remote callbacks (credentials, certificates, progress, push status). */
struct pl_sync__cb {
	const pl_sync_options *opts;
	int    auth_tries;
	char   push_error[512];
	int    cancelled;
};
void pl_sync__callbacks(git_remote_callbacks *cb, struct pl_sync__cb *state);
/* Add a mempack backend (highest priority: new objects go there) to repo. */
int pl_sync__add_mempack(git_odb_backend **out, git_repository *repo);
/* Write every object of the mempack to disk as one pack, then empty it. */
int pl_sync__flush_mempack(git_repository *repo, git_odb_backend *mempack);
/* Translate a failed network call into PL_ENET/PL_EAUTH with advice. */
int pl_sync__net_error(int rc, const char *what, const char *url);

#endif
