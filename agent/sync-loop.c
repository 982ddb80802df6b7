/*
 * sync-loop.c — the loop that syncs a data dir by itself (sync-loop.h):
 * `plsync sync --watch` runs it in the main thread, `plsync serve` in one
 * of its own.
 *
 * Rules kept here:
 *  - One sync at a time: the loop's syncs follow one another on its thread,
 *    and pl_sync_run's lock on the mirror keeps out any other process's
 *    (PL_EEXISTS: not a failure, tried again after sync.backoff). One loop
 *    per data dir: the flock on <dir>/plsync-watch.lock, held for the
 *    loop's life and dropped by the kernel if the process dies.
 *  - The schedule: after a success, sync.interval; after the n-th failure
 *    in a row, a delay drawn uniformly (full jitter) under
 *    min(sync.backoffmax, sync.backoff * 2^(n-1)), at least 1 s. A link
 *    coming up or a wake ends a backoff wait at once (a link event while
 *    all is well changes nothing).
 *  - Stopping never loses anything: pl_sync_run records a push only once
 *    the remote confirmed it and applies fetched ops in one transaction, so
 *    a sync abandoned at a progress callback leaves the data dir as a
 *    dropped link would.
 *  - All waiting is one poll(): the wake pipe (sync_loop_wake/stop write a
 *    byte, which is all a signal handler may do) and the netlink socket.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>

#include "agent.h"
#include "sync-loop.h"

struct sync_loop {
	sync_loop_options o;
	char           *dir;
	char           *remote;
	int             interval, backoff, backoff_max;
	int             lock_fd;      /* the watch lock, held */
	int             pipe_fd[2];   /* wake pipe: [0] polled, [1] written */
	int             nl_fd;        /* netlink route socket, or -1 */
	atomic_int      stop, wake;
	pthread_t       thread;
	int             has_thread;
	pthread_mutex_t mu;           /* guards st for sync_loop_state_get */
	sync_loop_state st;
};

static double now_mono(void);
static void   next_after(sync_loop *l, int rc);

double sync_loop_ceiling(unsigned n, int base, int max)
{
	double c = (double)base;

	for (unsigned i = 1; i < n && c < max; i++)
		c *= 2;
	return c > max ? (double)max : c;
}

double sync_loop_jitter(double ceiling)
{
	uint32_t r = 0;
	double lo = ceiling < 1 ? ceiling : 1;

	if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r))
		r = (uint32_t)rand();
	return lo + (ceiling - lo) * ((double)r / 4294967295.0);
}

/* sync.interval and the like: a duration (900, 30s, 15m, 1h, 1d) in seconds into *out, or def if unset. */
static int duration(int *out, const char *dir, const char *key, int def)
{
	char *v = NULL;
	int rc;

	*out = def;
	if ((rc = config_get(&v, dir, key)) || !v)
		return rc;
	if (config_duration(out, v) || *out < 1)
		rc = pl_error_set(PL_EUSAGE, "%s is '%s': give a duration of at least 1 s: seconds (900), or a number "
		                  "with s, m, h or d (30s, 15m, 1h)", key, v);
	free(v);
	return rc;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* The watch lock: exclusive, non-blocking; our pid written into it for the next one's message. */
static int watch_lock(sync_loop *l)
{
	char path[4096], buf[32] = "";
	ssize_t n;

	snprintf(path, sizeof(path), "%s/plsync-watch.lock", l->dir);
	if ((l->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0)
		return pl_error_from_errno(path);
	if (flock(l->lock_fd, LOCK_EX | LOCK_NB)) {
		int err = errno;
		if ((n = pread(l->lock_fd, buf, sizeof(buf) - 1, 0)) > 0)
			buf[n] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		close_fd(&l->lock_fd);
		if (err == EWOULDBLOCK)
			return pl_error_set(PL_EEXISTS, "the data dir %s is already synced by itself (process %s holds "
			                    "%s): one loop per data dir", l->dir, buf[0] ? buf : "?", path);
		errno = err;
		return pl_error_from_errno(path);
	}
	n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (ftruncate(l->lock_fd, 0) || pwrite(l->lock_fd, buf, (size_t)n, 0) != n)
		return pl_error_from_errno(path);
	return 0;
}

/* A netlink socket told of links and addresses; -1 (no wake-ups on link up) if there is none. */
static int netlink_open(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK,
	                          .nl_groups = RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);

	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Drain the socket; 1 if a link came up (RUNNING) or an address was added. */
static int netlink_link_up(int fd)
{
	char buf[8192] __attribute__((aligned(NLMSG_ALIGNTO)));
	int up = 0;
	ssize_t n;

	while ((n = recv(fd, buf, sizeof(buf), 0)) > 0) {
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type == RTM_NEWADDR)
				up = 1;
			else if (h->nlmsg_type == RTM_NEWLINK && h->nlmsg_len >= NLMSG_LENGTH(sizeof(struct ifinfomsg))) {
				const struct ifinfomsg *ifi = NLMSG_DATA(h);
				if ((ifi->ifi_flags & IFF_RUNNING) && !(ifi->ifi_flags & IFF_LOOPBACK))
					up = 1;
			}
		}
	}
	return up;
}

int sync_loop_new(sync_loop **out, const sync_loop_options *o)
{
	sync_loop *l = NULL;
	char *url = NULL;
	int rc;

	*out = NULL;
	if (!o || !o->dir || !o->store)
		return pl_error_set(PL_EUSAGE, "the sync loop needs a data dir and its store");
	if (!(l = calloc(1, sizeof(*l))))
		return pl_error_set(PL_ERROR, "out of memory");
	l->o = *o;
	l->lock_fd = l->nl_fd = l->pipe_fd[0] = l->pipe_fd[1] = -1;
	pthread_mutex_init(&l->mu, NULL);
	if (!(l->dir = strdup(o->dir)) || (o->remote && !(l->remote = strdup(o->remote)))) {
		rc = pl_error_set(PL_ERROR, "out of memory");
		goto fail;
	}
	l->o.dir = l->dir;
	l->o.remote = l->remote;
	if ((rc = duration(&l->interval, l->dir, "sync.interval", SYNC_INTERVAL_DEFAULT)) ||
	    (rc = duration(&l->backoff, l->dir, "sync.backoff", SYNC_BACKOFF_DEFAULT)) ||
	    (rc = duration(&l->backoff_max, l->dir, "sync.backoffmax", SYNC_BACKOFFMAX_DEFAULT)))
		goto fail;
	if (o->interval > 0)
		l->interval = o->interval;
	if (o->backoff > 0)
		l->backoff = o->backoff;
	if (o->backoff_max > 0)
		l->backoff_max = o->backoff_max;
	if (l->backoff_max < l->backoff)
		l->backoff_max = l->backoff;
	if (!l->remote) {
		if ((rc = config_get(&url, l->dir, "remote.url")))
			goto fail;
		if (!url) {
			rc = pl_error_set(PL_EUSAGE, "there is no remote to sync with: set remote.url");
			goto fail;
		}
		free(url);
	}
	if (pipe2(l->pipe_fd, O_CLOEXEC | O_NONBLOCK)) {
		rc = pl_error_from_errno("pipe");
		goto fail;
	}
	if ((rc = watch_lock(l)))
		goto fail;
	if (!o->no_netlink)
		l->nl_fd = netlink_open();
	l->st.phase = SYNC_LOOP_WAITING;
	l->st.interval = l->interval;
	l->st.backoff = l->backoff;
	l->st.backoff_max = l->backoff_max;
	l->st.next_try = time(NULL);
	l->st.reason = "start";
	*out = l;
	return 0;
fail:
	sync_loop_free(l);
	return rc;
}

static void poke(sync_loop *l)
{
	ssize_t n = write(l->pipe_fd[1], "x", 1); /* a full pipe is a poke already pending */
	(void)n;
}

void sync_loop_wake(sync_loop *l)
{
	atomic_store(&l->wake, 1);
	poke(l);
}

void sync_loop_stop(sync_loop *l)
{
	atomic_store(&l->stop, 1);
	poke(l);
}

void sync_loop_state_get(sync_loop_state *out, sync_loop *l)
{
	pthread_mutex_lock(&l->mu);
	*out = l->st;
	pthread_mutex_unlock(&l->mu);
}

/* Tell the callback; st is read on this thread, which alone writes it. */
static void tell(sync_loop *l)
{
	if (l->o.cb)
		l->o.cb(&l->st, l->o.payload);
}

/* The sync's progress: a stop abandons it (the negative return cancels). */
static int loop_progress(const pl_progress *p, void *payload)
{
	sync_loop *l = payload;
	(void)p;
	return atomic_load(&l->stop) ? PL_EUSER : 0;
}

/* One sync, as `plsync sync` does it; the result and error text into l->st. */
static int sync_once(sync_loop *l)
{
	pl_sync_result res = { 0 };
	pl_mirror *m = NULL;
	sync_cfg sc;
	int rc;

	pl_error_clear();
	if (!(rc = sync_cfg_load(&sc, l->dir, l->remote))) {
		sc.opts.progress = loop_progress;
		sc.opts.payload = l;
		sc.opts.store_lock = l->o.store_lock;
		sc.opts.store_lock_ctx = l->o.store_lock_ctx;
		if (!(rc = pl_mirror_open(&m, l->dir)))
			rc = pl_sync_run(&res, m, l->o.store, &sc.opts);
	}
	pl_mirror_free(m);
	sync_cfg_free(&sc);
	pthread_mutex_lock(&l->mu);
	l->st.res = res;
	l->st.rc = rc;
	if (rc)
		cli_error_text(l->st.error, sizeof(l->st.error));
	else
		l->st.error[0] = '\0';
	pthread_mutex_unlock(&l->mu);
	return rc;
}

/* After a sync that returned rc: the next try, the failure count. */
static void next_after(sync_loop *l, int rc)
{
	sync_loop_state *s = &l->st;
	time_t now = time(NULL);

	pthread_mutex_lock(&l->mu);
	s->last_try = now;
	s->syncs++;
	if (!rc) {
		s->failures = 0;
		s->last_ok = now;
		s->ceiling = 0;
		s->delay = l->interval;
	} else if (rc == PL_EEXISTS) { /* another sync holds the data dir: soon again, not a failure */
		s->ceiling = 0;
		s->delay = l->backoff;
	} else {
		s->failures++;
		s->ceiling = sync_loop_ceiling(s->failures, l->backoff, l->backoff_max);
		s->delay = sync_loop_jitter(s->ceiling);
	}
	s->next_try = now + (time_t)ceil(s->delay);
	s->phase = SYNC_LOOP_WAITING;
	pthread_mutex_unlock(&l->mu);
}

static void write_state(sync_loop *l)
{
	sync_state f;

	if (sync_state_read(&f, l->dir))
		memset(&f, 0, sizeof(f));
	f.last_try = l->st.last_try;
	if (l->st.last_ok)
		f.last_ok = l->st.last_ok;
	f.failures = l->st.failures;
	if (l->st.rc && l->st.rc != PL_EEXISTS) {
		f.last_error_at = l->st.last_try;
		snprintf(f.last_error, sizeof(f.last_error), "%s", l->st.error);
	}
	f.next_try = l->st.next_try;
	f.ceiling = l->st.ceiling;
	sync_state_write(l->dir, &f); /* bookkeeping: a failure here must not stop the syncs */
}

static double now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Wait until the next try (wall clock: next_try is what status shows), a
 * wake, a link up during a backoff, or a stop. Returns the reason the next
 * sync runs, or NULL on stop.
 */
static const char *wait_next(sync_loop *l)
{
	struct pollfd p[2] = { { .fd = l->pipe_fd[0], .events = POLLIN }, { .fd = l->nl_fd, .events = POLLIN } };
	const char *reason = l->st.failures ? "retry" : "interval";
	char drain[64];

	for (;;) {
		time_t now = time(NULL);
		int ms;

		if (atomic_load(&l->stop))
			return NULL;
		if (atomic_exchange(&l->wake, 0))
			return "wake";
		if (now >= l->st.next_try)
			return reason;
		ms = (l->st.next_try - now) > 3600 ? 3600 * 1000 : (int)(l->st.next_try - now) * 1000;
		if (poll(p, l->nl_fd >= 0 ? 2 : 1, ms) < 0 && errno != EINTR)
			return reason; /* cannot wait: try now rather than spin */
		if (p[0].revents & POLLIN)
			while (read(l->pipe_fd[0], drain, sizeof(drain)) > 0)
				;
		if (l->nl_fd >= 0 && (p[1].revents & POLLIN) && netlink_link_up(l->nl_fd) && l->st.failures) {
			/* a second for the route and the resolver to settle */
			double until = now_mono() + 1;
			while (!atomic_load(&l->stop) && now_mono() < until)
				nanosleep(&(struct timespec){ 0, 100 * 1000 * 1000 }, NULL);
			return "link up";
		}
	}
}

int sync_loop_run(sync_loop *l)
{
	const char *reason = "start";

	while (!atomic_load(&l->stop)) {
		int rc;

		pthread_mutex_lock(&l->mu);
		l->st.reason = reason;
		l->st.phase = SYNC_LOOP_SYNCING;
		pthread_mutex_unlock(&l->mu);
		tell(l);
		rc = sync_once(l);
		if (atomic_load(&l->stop) && rc)
			break; /* abandoned (or failed) while stopping: not a failure to count */
		next_after(l, rc);
		write_state(l);
		tell(l);
		if (!(reason = wait_next(l)))
			break;
	}
	/* the next try is no one's now */
	pthread_mutex_lock(&l->mu);
	l->st.next_try = 0;
	l->st.phase = SYNC_LOOP_STOPPED;
	pthread_mutex_unlock(&l->mu);
	{
		sync_state f;
		if (sync_state_read(&f, l->dir) == 0) {
			f.next_try = 0;
			f.ceiling = 0;
			sync_state_write(l->dir, &f);
		}
	}
	tell(l);
	return 0;
}

static void *thread_main(void *arg)
{
	sigset_t all;

	/* signals are the program's main thread's to take */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	sync_loop_run(arg);
	return NULL;
}

int sync_loop_start(sync_loop *l)
{
	int e;

	if (l->has_thread)
		return pl_error_set(PL_EUSAGE, "the sync loop runs already");
	if ((e = pthread_create(&l->thread, NULL, thread_main, l))) {
		errno = e;
		return pl_error_from_errno("the sync loop's thread");
	}
	l->has_thread = 1;
	return 0;
}

void sync_loop_free(sync_loop *l)
{
	if (!l)
		return;
	if (l->has_thread) {
		sync_loop_stop(l);
		pthread_join(l->thread, NULL);
	}
	close_fd(&l->nl_fd);
	close_fd(&l->pipe_fd[0]);
	close_fd(&l->pipe_fd[1]);
	close_fd(&l->lock_fd); /* releases the watch lock */
	pthread_mutex_destroy(&l->mu);
	free(l->dir);
	free(l->remote);
	free(l);
}
