/*
 * netwatch.c — the watch over one fetch or push (see remote-int.h): a
 * thread that ends the call when the server is silent for sync.timeout
 * seconds, or when, while data flows, fewer than lowspeed_bytes pass in
 * lowspeed_time seconds.
 *
 * libgit2 1.5 has no timeout of its own (GIT_OPT_SET_SERVER_TIMEOUT came in
 * 1.7) and its libssh2 waits in poll() without one, so the watch ends a
 * blocked read the one way that works for git://, http(s) and ssh alike: it
 * shuts down the internet sockets the process opened since the watch began
 * (they are the call's: the library runs one network call at a time); the
 * read returns, libgit2 fails the call, and pl_sync__net_error names the
 * limit. A program may serve meanwhile (`plsync serve` syncs in a thread
 * beside its web server): the sockets a server listens on and the
 * connections it accepted are never cut. They are told apart by their local
 * port: an accepted connection's is the port a socket of this process listens
 * on (SO_ACCEPTCONN), while a connection the call made has an ephemeral port,
 * which the kernel never picks among the ports bound by a listener. A local path remote has
 * no socket: the next callback (progress of the copy) returns an error.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <unistd.h>

#include "plsync/errors.h"
#include "remote-int.h"

enum { DEFAULT_TIMEOUT = 30, DEFAULT_LOW_BYTES = 1024, DEFAULT_LOW_TIME = 60 };

static int limit(int v, int def)
{
	return v == 0 ? def : v < 0 ? 0 : v;
}

static double since(const struct timespec *a, const struct timespec *now)
{
	return (double)(now->tv_sec - a->tv_sec) + (double)(now->tv_nsec - a->tv_nsec) / 1e9;
}

/* An internet socket (not the ssh-agent's unix one): its inode, else 0. */
static ino_t inet_socket(int fd)
{
	struct sockaddr_storage sa;
	socklen_t len = sizeof(sa);
	struct stat st;

	if (fstat(fd, &st) || !S_ISSOCK(st.st_mode))
		return 0;
	if (getsockname(fd, (struct sockaddr *)&sa, &len) ||
	    (sa.ss_family != AF_INET && sa.ss_family != AF_INET6))
		return 0;
	return st.st_ino;
}

/*
 * Call fn on each open internet socket. Returns -1 when /proc/self/fd cannot
 * be read (then no socket is cut: only a callback ends the call).
 */
static int each_socket(void (*fn)(struct pl_sync__watch *, int, ino_t), struct pl_sync__watch *w)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;

	if (!d)
		return -1;
	while ((e = readdir(d)) != NULL) {
		char *end;
		long fd = strtol(e->d_name, &end, 10);
		ino_t ino;

		if (*end || end == e->d_name || fd == dirfd(d))
			continue;
		if ((ino = inet_socket((int)fd)) != 0)
			fn(w, (int)fd, ino);
	}
	closedir(d);
	return 0;
}

/* The local port of socket fd (0 if none); *listening = it is a listening socket. */
static unsigned local_port(int fd, int *listening)
{
	struct sockaddr_storage sa;
	socklen_t len = sizeof(sa), ol = sizeof(*listening);

	*listening = 0;
	if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, listening, &ol))
		*listening = 0;
	if (getsockname(fd, (struct sockaddr *)&sa, &len))
		return 0;
	if (sa.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&sa)->sin_port);
	if (sa.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&sa)->sin6_port);
	return 0;
}

/* The ports this process listens on, gathered before a cut. */
struct ports {
	unsigned port[32];
	size_t   n;
};

static void listening_of(struct pl_sync__watch *w, int fd, ino_t ino)
{
	struct ports *p = w->ports;
	int listening;
	unsigned port = local_port(fd, &listening);

	(void)ino;
	if (listening && port && p->n < sizeof(p->port) / sizeof(p->port[0]))
		p->port[p->n++] = port;
}

static void remember(struct pl_sync__watch *w, int fd, ino_t ino)
{
	ino_t *p = realloc(w->before, (w->nbefore + 1) * sizeof(*p));

	(void)fd;
	if (!p)
		return; /* then that socket may be cut too: the call is failing anyway */
	w->before = p;
	w->before[w->nbefore++] = ino;
}

static void cut(struct pl_sync__watch *w, int fd, ino_t ino)
{
	const struct ports *p = w->ports;
	int listening;
	unsigned port;

	for (size_t i = 0; i < w->nbefore; i++)
		if (w->before[i] == ino)
			return;
	port = local_port(fd, &listening);
	if (listening)
		return; /* a server's: never the call's */
	for (size_t i = 0; p && i < p->n; i++)
		if (p->port[i] == port)
			return; /* a connection a server of this process accepted */
	shutdown(fd, SHUT_RDWR); /* the owner (libgit2) still closes it */
}

/* Under w->mu: the limit hit at `now`, written to w->reason; 0 if none. */
static int limit_hit(struct pl_sync__watch *w, const struct timespec *now)
{
	if (!w->flowing && w->timeout && since(&w->last_life, now) >= w->timeout) {
		snprintf(w->reason, sizeof(w->reason), "the server said nothing for %d s (the limit sync.timeout)",
		         w->timeout);
		return 1;
	}
	if (w->flowing && w->low_bytes && since(&w->mark_time, now) >= w->low_time) {
		snprintf(w->reason, sizeof(w->reason), "the transfer stalled: fewer than %d bytes in %d s "
		         "(the limit sync.lowspeed = %d/%d)", w->low_bytes, w->low_time, w->low_bytes, w->low_time);
		return 1;
	}
	return 0;
}

static void *watch_main(void *arg)
{
	struct pl_sync__watch *w = arg;
	struct timespec now, tick;

	pthread_mutex_lock(&w->mu);
	while (!w->stop) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (limit_hit(w, &now)) {
			struct ports ports = { .n = 0 };
			w->fired = 1;
			w->ports = &ports;
			each_socket(listening_of, w);
			each_socket(cut, w);
			w->ports = NULL;
			break;
		}
		tick = now;
		tick.tv_nsec += 250 * 1000000L; /* a quarter of a second */
		if (tick.tv_nsec >= 1000000000L) {
			tick.tv_sec++;
			tick.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&w->cv, &w->mu, &tick);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

int pl_sync__watch_start(struct pl_sync__cb *s)
{
	struct pl_sync__watch *w = &s->watch;
	const pl_sync_options *o = s->opts;
	pthread_condattr_t ca;
	int err;

	memset(w, 0, sizeof(*w));
	w->timeout = limit(o->timeout, DEFAULT_TIMEOUT);
	w->low_bytes = limit(o->lowspeed_bytes, DEFAULT_LOW_BYTES);
	w->low_time = limit(o->lowspeed_time, DEFAULT_LOW_TIME);
	if (!w->low_time)
		w->low_bytes = 0;
	if (!w->timeout && !w->low_bytes)
		return 0; /* no limit: no watch */
	clock_gettime(CLOCK_MONOTONIC, &w->last_life);
	each_socket(remember, w);
	pthread_mutex_init(&w->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&w->cv, &ca);
	pthread_condattr_destroy(&ca);
	if ((err = pthread_create(&w->thread, NULL, watch_main, w)) != 0) {
		pthread_cond_destroy(&w->cv);
		pthread_mutex_destroy(&w->mu);
		free(w->before);
		w->before = NULL;
		return pl_error_set(PL_ERROR, "cannot start the watch over the network call: %s", strerror(err));
	}
	w->running = 1;
	return 0;
}

void pl_sync__watch_stop(struct pl_sync__cb *s)
{
	struct pl_sync__watch *w = &s->watch;

	if (!w->running)
		return;
	pthread_mutex_lock(&w->mu);
	w->stop = 1;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->thread, NULL);
	pthread_cond_destroy(&w->cv);
	pthread_mutex_destroy(&w->mu);
	free(w->before);
	w->before = NULL;
	w->running = 0;
}

int pl_sync__watch_alive(struct pl_sync__cb *s, size_t bytes, int done)
{
	struct pl_sync__watch *w = &s->watch;
	struct timespec now;
	int fired;

	if (!w->running)
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &now);
	pthread_mutex_lock(&w->mu);
	w->last_life = now;
	if (done || !bytes) {
		w->flowing = w->flowing && !done; /* all passed: silence is timed again */
	} else if (!w->flowing || bytes < w->mark_bytes || bytes - w->mark_bytes >= (size_t)w->low_bytes) {
		w->flowing = 1;
		w->mark_time = now;
		w->mark_bytes = bytes;
	}
	fired = w->fired;
	pthread_mutex_unlock(&w->mu);
	return fired;
}
