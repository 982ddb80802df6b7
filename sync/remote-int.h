/*
 * remote-int.h — what every network operation shares (remote.c; private to
 * sync/): the remote callbacks and their state, turning libgit2's failures
 * into errors with advice, and a repository's pack settings.
 */
#ifndef PLSYNC_SYNC_REMOTE_INT_H
#define PLSYNC_SYNC_REMOTE_INT_H

#include <pthread.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include <git2.h>

#include "plsync/sync.h"

/*
 * The watch over one network call (netwatch.c): a thread that fails the call
 * when the server stays silent longer than opts->timeout (before the data
 * flows, and again after it has all passed) or when, while it flows, fewer
 * than opts->lowspeed_bytes pass in opts->lowspeed_time seconds. It fails the
 * call by shutting down the internet sockets opened since the watch started
 * (found in /proc/self/fd), so a read blocked in libgit2 or libssh2 returns,
 * and by making the next callback return an error (a local path remote has
 * no socket). Only its start and stop touch it from outside netwatch.c.
 */
struct pl_sync__watch {
	pthread_t       thread;
	pthread_mutex_t mu;
	pthread_cond_t  cv;
	int             running, stop, fired, flowing;
	int             timeout, low_bytes, low_time;  /* limits in force; 0 = none */
	struct timespec last_life, mark_time;         /* CLOCK_MONOTONIC */
	size_t          mark_bytes;
	ino_t          *before;                        /* socket inodes open at the start */
	size_t          nbefore;
	void           *ports;                         /* while cutting: the ports listened on (netwatch.c) */
	char            reason[200];                   /* the limit that was hit */
};

/* Set up remote callbacks (credentials, certificates, progress, push status). */
struct pl_sync__cb {
	const pl_sync_options *opts;
	int    auth_tries;
	char   push_error[512];
	char   auth_error[512];  /* why a callback refused credentials or a host key */
	int    cancelled;
	struct pl_sync__watch watch;
};
void pl_sync__callbacks(git_remote_callbacks *cb, struct pl_sync__cb *state);
/*
 * Start the watch of s->opts's limits (the defaults for 0, none for a
 * negative value) just before git_remote_fetch or git_remote_push; stop it
 * (always, once started) just after, before pl_sync__net_error reads it.
 * Start fails only when no thread can be made (PL_ERROR).
 */
int pl_sync__watch_start(struct pl_sync__cb *s);
void pl_sync__watch_stop(struct pl_sync__cb *s);
/*
 * From a callback: the server is alive. bytes is the count passed so far when
 * known (0 otherwise); done says all of them have passed. Non-zero once the
 * watch has fired: the callback then returns an error to end the call.
 */
int pl_sync__watch_alive(struct pl_sync__cb *s, size_t bytes, int done);
/*
 * Translate a failed network call into an error with advice: PL_EAUTH
 * (credentials, certificate or host key refused: what to fix), PL_ENOTFOUND
 * (no repository at the URL), PL_ENET (dropped or unreachable, or a limit of
 * the watch hit, named: retry), the progress callback's own code when it
 * cancelled, else PL_ERROR.
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

/*
 * The remote holds our ref at commit `tip` (hex) with our ops up to `seq`
 * (a push it confirmed, or a restore that fetched it): record sync.pushed,
 * sync.remote_tip and sync.last (now) in the store (push.c).
 */
int pl_sync__record_pushed(pl_store *st, uint64_t seq, const char *tip);
/* Take (lock 1) or give back (0) the caller's store lock, if it gave one
 * (pl_sync_options.store_lock). */
static inline void pl_sync__store_hold(const pl_sync_options *o, int lock)
{
	if (o && o->store_lock)
		o->store_lock(o->store_lock_ctx, lock);
}

#endif
