/*
 * layout-int.h — the names sync gives things in a repository (layout.c;
 * private to sync/): a node's ref and its op batch files, read and written
 * the same way by the node's mirror, the fetch, the merge and verify.
 */
#ifndef PLSYNC_SYNC_LAYOUT_INT_H
#define PLSYNC_SYNC_LAYOUT_INT_H

#include <stddef.h>
#include <stdint.h>

/* "refs/heads/nodes/<node>" into buf. */
void pl_sync__node_ref(char *buf, size_t sz, const char *node);
/* "ops/<node>/<a>/<b>/<first>-<last>.msgpack" into buf. */
void pl_sync__blob_path(char *buf, size_t sz, const char *node, uint64_t first, uint64_t last);
/* Parse a blob file name "<first>-<last>.msgpack", 12 decimal digits each and
 * nothing else (one name per batch: the one pl_sync__blob_path makes). 0 on
 * success, -1 for anything else. */
int pl_sync__parse_blob_name(uint64_t *first, uint64_t *last, const char *name);
/* Remove a file or a directory tree (a half-made mirror, the merge's cache,
 * verify's temporary fold); a missing path is not an error. */
int pl_sync__rm_rf(const char *path);

#endif
