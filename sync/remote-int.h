/*
 * remote-int.h — what every network operation shares (remote.c; private to
 * sync/): the remote callbacks and their state, turning libgit2's failures
 * into errors with advice, and a repository's pack settings.
 */
#ifndef PLSYNC_SYNC_REMOTE_INT_H
#define PLSYNC_SYNC_REMOTE_INT_H

#include <git2.h>

#include "plsync/sync.h"

/* Set up remote callbacks (credentials, certificates, progress, push status). */
struct pl_sync__cb {
	const pl_sync_options *opts;
	int    auth_tries;
	char   push_error[512];
	char   auth_error[512];  /* why a callback refused credentials or a host key */
	int    cancelled;
};
void pl_sync__callbacks(git_remote_callbacks *cb, struct pl_sync__cb *state);
/*
 * Translate a failed network call into an error with advice: PL_EAUTH
 * (credentials, certificate or host key refused: what to fix), PL_ENOTFOUND
 * (no repository at the URL), PL_ENET (dropped or unreachable: retry), the
 * progress callback's own code when it cancelled, else PL_ERROR.
 */
int pl_sync__net_error(int rc, const struct pl_sync__cb *s, const char *what, const char *url);
/*
 * Keep libgit2 and git from searching deltas between batch blobs (they are
 * distinct ops, deltas gain nothing and cost minutes on 16 MiB blobs): sets
 * core.bigFileThreshold (git) and pack.deltaCacheSize (libgit2 1.5 reads its
 * packbuilder's big-file threshold from that key) to 1 MiB, and bounds the
 * delta window's memory (pack.windowMemory, 64 MiB), in repo's config, each
 * only if unset. The caller must be the repository's only writer.
 */
int pl_sync__tune_repo(git_repository *repo);
/*
 * For a local remote (a path or file:// URL): PL_ENOTFOUND, saying how to
 * create it, unless a git repository is there. 0 for network URLs.
 */
int pl_sync__check_local(const char *url);
/*
 * An anonymous remote for `url` in repo, for a fetch or a push: the local
 * check above first (its error), then PL_EUSAGE if libgit2 cannot use the
 * URL. *out is the caller's, freed with git_remote_free.
 */
int pl_sync__remote_open(git_remote **out, git_repository *repo, const char *url);

#endif
