/*
 * sync-loop.h — syncing by itself: the loop behind `plsync sync --watch`,
 * and the one `plsync serve` runs in a thread.
 *
 * The loop syncs at once, then every sync.interval; after a failure it
 * retries on an exponential backoff with full jitter: the n-th retry in a
 * row waits a uniformly random time in [1 s, min(sync.backoffmax,
 * sync.backoff * 2^(n-1))]. A link coming up (netlink: a new address, or an
 * interface turning RUNNING) or sync_loop_wake() ends a backoff wait at once.
 * A sync that finds another running on the data dir (the mirror's sync lock,
 * pl_sync_run's PL_EEXISTS) is not a failure: it is tried again after
 * sync.backoff. One loop per data dir: sync_loop_new takes an flock on
 * <dir>/plsync-watch.lock (PL_EEXISTS when another process or loop holds it).
 *
 * Every attempt is written to the state file <dir>/sync-state (sync-state.c),
 * which `plsync status` reads: last try, last success, last error,
 * consecutive failures, the next try.
 *
 * Threads: the loop runs in the thread that calls sync_loop_run, or in its
 * own (sync_loop_start). The store handle is the caller's, borrowed: LMDB's
 * environment is shared by the process's threads (store.h: a second
 * pl_store of the same data dir in one process would break LMDB's locks).
 * The loop opens its own mirror (one git_repository per thread) for each
 * sync. When other threads use the store too, the caller gives the lock
 * they use it under (store_lock): the sync holds it for each stretch that
 * touches the store, so a map growth or pl_store_release_pages never runs
 * beside another thread's transaction. sync_loop_wake and sync_loop_stop only set a flag and write a byte
 * to a pipe: they are async-signal-safe.
 *
 * Program code (agent/): it reads the config and prints nothing; the state
 * callback says what happened.
 */
#ifndef PLSYNC_SYNC_LOOP_H
#define PLSYNC_SYNC_LOOP_H

#include <stdint.h>
#include <time.h>

#include "plsync/errors.h"
#include "plsync/store.h"
#include "plsync/sync.h"

typedef struct sync_loop sync_loop;

/* Defaults, in seconds (config keys sync.interval, sync.backoff, sync.backoffmax). */
#define SYNC_INTERVAL_DEFAULT   (15 * 60)
#define SYNC_BACKOFF_DEFAULT    30
#define SYNC_BACKOFFMAX_DEFAULT 3600

typedef enum sync_loop_phase {
	SYNC_LOOP_WAITING = 0, /* until next_try */
	SYNC_LOOP_SYNCING,     /* a sync is running */
	SYNC_LOOP_STOPPED      /* the loop has ended */
} sync_loop_phase;

/* What the loop did last, handed to the callback and by sync_loop_state_get. */
typedef struct sync_loop_state {
	sync_loop_phase phase;
	int            rc;          /* the last sync: 0, PL_E*; PL_EEXISTS = another sync ran */
	char           error[PL_ERROR_MSG_MAX + PL_HINT_ARG_MAX + 256]; /* its message with hint, or "" */
	unsigned       failures;    /* failed syncs in a row (a busy data dir is not one) */
	unsigned       syncs;       /* syncs attempted by this loop */
	time_t         last_try;    /* 0: not yet */
	time_t         last_ok;     /* 0: no success in this loop */
	time_t         next_try;    /* when the loop syncs next */
	double         delay;       /* seconds from last_try to next_try, as drawn */
	double         ceiling;     /* the backoff bound it was drawn under; 0 after a success */
	const char    *reason;      /* why the last sync ran: "start", "interval", "retry",
	                               "link up", "wake" (static strings) */
	pl_sync_result res;         /* the last sync's result */
	int            interval, backoff, backoff_max; /* the loop's timings, seconds */
} sync_loop_state;

/*
 * Called on the loop's thread after every sync (phase WAITING, or STOPPED
 * for the last call) and when a sync starts (phase SYNCING). It must not
 * call back into the loop except sync_loop_wake/sync_loop_stop.
 */
typedef void (*sync_loop_cb)(const sync_loop_state *s, void *payload);

typedef struct sync_loop_options {
	unsigned int version;
	const char  *dir;         /* the data dir (required) */
	pl_store    *store;       /* its open store, borrowed (required) */
	const char  *remote;      /* URL instead of remote.url, or NULL */
	int          interval;    /* seconds; 0 = sync.interval (default 15 min) */
	int          backoff;     /* seconds; 0 = sync.backoff (default 30 s) */
	int          backoff_max; /* seconds; 0 = sync.backoffmax (default 1 h) */
	int          no_netlink;  /* 1: do not watch links coming up */
	sync_loop_cb cb;
	void        *payload;
	/* the store is shared with other threads (serve's pages): the sync takes
	   this lock for each of its store steps, never across a network call
	   (pl_sync_options.store_lock); NULL = the store is the loop's alone */
	void       (*store_lock)(void *ctx, int lock);
	void        *store_lock_ctx;
} sync_loop_options;
#define SYNC_LOOP_OPTIONS_VERSION 1
#define SYNC_LOOP_OPTIONS_INIT { SYNC_LOOP_OPTIONS_VERSION }

/*
 * Make a loop: read the timings from the config (a bad value is PL_EUSAGE
 * naming the key), check that there is a remote (PL_EUSAGE if neither
 * o->remote nor remote.url) and take the data dir's watch lock (PL_EEXISTS,
 * naming the pid that holds it). *out is the caller's (sync_loop_free).
 */
int sync_loop_new(sync_loop **out, const sync_loop_options *o);

/* Run the loop in this thread until sync_loop_stop. Returns 0. */
int sync_loop_run(sync_loop *l);

/* Run the loop in a new thread. PL_EOS if it cannot be made. */
int sync_loop_start(sync_loop *l);

/* Sync now (a backoff or interval wait ends). Async-signal-safe. */
void sync_loop_wake(sync_loop *l);

/*
 * Stop: a wait ends at once; a running sync is abandoned at its next
 * progress callback (or ends by itself, bounded by sync.timeout). Nothing
 * is lost either way (pl_sync_run records only what the remote confirmed).
 * Async-signal-safe.
 */
void sync_loop_stop(sync_loop *l);

/* A copy of the loop's state, from any thread. */
void sync_loop_state_get(sync_loop_state *out, sync_loop *l);

/* Stop the loop, wait for its thread, release the watch lock. NULL is fine. */
void sync_loop_free(sync_loop *l);

/*
 * The bound on the n-th retry in a row (n >= 1): min(max, base * 2^(n-1)),
 * and one delay drawn under it, uniform in [min(1, bound), bound] seconds.
 */
double sync_loop_ceiling(unsigned n, int base, int max);
double sync_loop_jitter(double ceiling);

/* ---- the state file, <dir>/sync-state (sync-state.c) ---- */

typedef struct sync_state {
	int64_t  last_try, last_ok, next_try; /* seconds since the epoch, 0 = none */
	unsigned failures;                    /* failed syncs in a row */
	char     last_error[PL_ERROR_MSG_MAX + PL_HINT_ARG_MAX + 256]; /* of the last failure, "" */
	int64_t  last_error_at;               /* when it happened, 0 = none */
	long     watch_pid;                   /* a running loop's pid (live: see below), else 0 */
	double   ceiling;                     /* the backoff bound of the next try, 0 = none */
} sync_state;

/* Read <dir>/sync-state into *s (all zero when there is none). watch_pid is
 * the pid of a loop that holds the watch lock now, else 0. */
int sync_state_read(sync_state *s, const char *dir);
/* Write *s to <dir>/sync-state, whole (a temporary file renamed over it). */
int sync_state_write(const char *dir, const sync_state *s);
/* Record one sync's outcome (rc, and the error text when rc != 0) in the
 * state file: what `plsync sync` does, with or without a loop. */
int sync_state_note(const char *dir, int rc, const char *error, time_t when);

/* "2026-12-02T05:40:00Z" (UTC) into buf (at least 32 bytes), or "" for 0. */
void sync_state_time(char *buf, size_t sz, int64_t t);

#endif
