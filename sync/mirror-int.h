/*
 * mirror-int.h — the agent's mirror as sync's files see it (mirror.c;
 * private to sync/): the git repository behind a pl_mirror.
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

#endif
