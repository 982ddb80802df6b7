/*
 * bundle-int.h — a bundle file as sync's files read it (bundle.c; private
 * to sync/): the agent's apply and the district's (bundle-district.c) share
 * one reader, so both check the same sizes and the same checksum.
 */
#ifndef PLSYNC_SYNC_BUNDLE_INT_H
#define PLSYNC_SYNC_BUNDLE_INT_H

#include <stddef.h>
#include <stdint.h>

#include <git2.h>

#include "plsync/op.h"

typedef struct pl_sync__bundle {
	unsigned char       *file;      /* the whole file, malloc'd */
	size_t               flen;
	int                  version;   /* 1 (ops only) or 2 (ops and the node's commits) */
	char                 node[PL_NODE_MAX + 1];
	uint64_t             first, last;
	size_t               count, rawsize;
	const unsigned char *z;         /* the compressed ops, inside file */
	size_t               zlen;
	const unsigned char *pack;      /* version 2: a git pack of the commits, inside file */
	size_t               packlen;
	git_oid              tip;       /* version 2: the node's commit the pack ends at */
	git_oid              base;      /* version 2: the commit it builds on, if has_base */
	int                  has_base;
} pl_sync__bundle;

/*
 * Read and check `path`: magic, header, sizes, the checksum. Nothing is
 * decompressed or parsed beyond the header. PL_EINVALID (not a bundle, too
 * large), PL_ECORRUPT (damaged); free with pl_sync__bundle_free either way.
 */
int pl_sync__bundle_read(pl_sync__bundle *b, const char *path);
void pl_sync__bundle_free(pl_sync__bundle *b);

#endif
