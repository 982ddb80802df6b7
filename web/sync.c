/*
 * sync.c — the background sync of `plsync serve` (sync.h).
 *
 * The loop (agent/sync-loop.c) runs in its own thread with the server's
 * store lock as its store lock: each stretch of a sync that uses the store
 * (committing to the mirror, recording a push, applying fetched ops) holds
 * it, as a page does, and no network call does. So a map growth or a
 * pl_store_release_pages never runs beside a page's transaction, and pages
 * keep answering while a sync waits for the network.
 *
 * What the pages show is kept here, under mu, by the loop's callback (on
 * the loop's thread): since when the syncs fail, the last success (the
 * state file's from before this server, until the loop has one), the last
 * error. The count of changes waiting is read from the store when a page
 * asks (it holds the store lock then): this node's last seq less the seq
 * the remote confirmed.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "plsync/errors.h"
#include "../agent/sync-loop.h"
#include "sync.h"

struct web_sync {
	sync_loop      *loop;
	web_server     *srv;
	pthread_mutex_t mu;
	int             syncing;
	int             rc;            /* the last sync's, 0 before any */
	time_t          failing_since; /* first failure of the failures in a row, 0 = none */
	time_t          last_ok;       /* last success (this loop's, or the state file's) */
	time_t          next_try;
	char            error[300];    /* the last failure's message, its first line */
};

/* "10:42", or "Dec 1 10:42" when not today. */
static void when(char *buf, size_t sz, time_t t)
{
	struct tm tm, now_tm;
	time_t now = time(NULL);

	localtime_r(&t, &tm);
	localtime_r(&now, &now_tm);
	strftime(buf, sz, tm.tm_yday == now_tm.tm_yday && tm.tm_year == now_tm.tm_year ? "%H:%M" : "%b %e %H:%M",
	         &tm);
}

static void on_state(const sync_loop_state *s, void *payload)
{
	web_sync *ws = payload;

	pthread_mutex_lock(&ws->mu);
	ws->syncing = s->phase == SYNC_LOOP_SYNCING;
	ws->next_try = s->next_try;
	if (s->phase == SYNC_LOOP_WAITING && s->last_try) {
		if (!s->rc) {
			ws->failing_since = 0;
			ws->last_ok = s->last_ok;
			ws->error[0] = '\0';
			ws->rc = 0;
		} else if (s->rc != PL_EEXISTS) { /* a busy data dir (a CLI sync running) is not a failure */
			if (!ws->failing_since)
				ws->failing_since = s->last_try;
			ws->rc = s->rc;
			snprintf(ws->error, sizeof(ws->error), "%.*s", (int)strcspn(s->error, "\n"), s->error);
		}
	}
	pthread_mutex_unlock(&ws->mu);
}

/* The changes made here that the remote has not confirmed: seq - sync.pushed. */
static uint64_t waiting(pl_store *st)
{
	uint64_t seq = 0, pushed = 0;
	char *v = NULL;
	pl_oid lid;

	if (pl_store_node_seq(&seq, &lid, st, pl_store_node(st)) || pl_store_meta_get(&v, st, "sync.pushed")) {
		pl_error_clear();
		free(v);
		return 0;
	}
	pushed = v ? strtoull(v, NULL, 10) : 0;
	free(v);
	return seq > pushed ? seq - pushed : 0;
}

static size_t status(void *ctx, pl_store *st, char *buf, size_t size)
{
	web_sync *ws = ctx;
	uint64_t n = waiting(st);
	char since[32], ok[32], next[32], changes[96];
	size_t conflicts = 0, off;

	if (pl_store_conflict_count(&conflicts, st))
		pl_error_clear();
	snprintf(changes, sizeof(changes), "%" PRIu64 " change%s saved on this computer", n, n == 1 ? "" : "s");
	pthread_mutex_lock(&ws->mu);
	when(since, sizeof(since), ws->failing_since);
	when(ok, sizeof(ok), ws->last_ok);
	when(next, sizeof(next), ws->next_try);
	if (ws->failing_since && ws->rc == PL_ENET)
		off = (size_t)snprintf(buf, size, "Offline since %s — %s%s", since, n ? changes : "nothing waits to be sent",
		                       n ? ", they will be sent when the network is back." : ".");
	else if (ws->failing_since)
		off = (size_t)snprintf(buf, size, "Sending has failed since %s: %s. %s%s", since, ws->error,
		                       n ? changes : "Nothing waits to be sent", n ? " wait to be sent." : ".");
	else if (ws->last_ok)
		off = (size_t)snprintf(buf, size, "Last sent %s.%s%s", ok, n ? " " : " Everything is sent.",
		                       n ? changes : "");
	else
		off = (size_t)snprintf(buf, size, "Not sent yet: %s.", n ? changes : "nothing saved here yet");
	if (ws->last_ok && n && !ws->failing_since && off < size)
		off += (size_t)snprintf(buf + off, size - off, " since, to be sent by %s.", next);
	if (ws->syncing && off < size)
		snprintf(buf + off, size - off, " Sending now…");
	else if (ws->failing_since && ws->next_try && off < size)
		snprintf(buf + off, size - off, " Next try at %s.", next);
	pthread_mutex_unlock(&ws->mu);
	return conflicts;
}

static void sync_now(void *ctx)
{
	web_sync *ws = ctx;

	sync_loop_wake(ws->loop);
}

static void hold(void *ctx, int lock)
{
	web_sync *ws = ctx;

	if (lock)
		web_store_lock(ws->srv);
	else
		web_store_unlock(ws->srv);
}

int web_sync_new(web_sync **out, const char *dir, pl_store *st, web_config *cfg)
{
	sync_loop_options o = SYNC_LOOP_OPTIONS_INIT;
	web_sync *ws;
	sync_state f;
	int rc;

	*out = NULL;
	if (!(ws = calloc(1, sizeof(*ws))))
		return pl_error_set(PL_ERROR, "out of memory");
	pthread_mutex_init(&ws->mu, NULL);
	if (sync_state_read(&f, dir) == 0)
		ws->last_ok = (time_t)f.last_ok;
	pl_error_clear();
	o.dir = dir;
	o.store = st;
	o.cb = on_state;
	o.payload = ws;
	o.store_lock = hold;
	o.store_lock_ctx = ws;
	if ((rc = sync_loop_new(&ws->loop, &o))) {
		web_sync_free(ws);
		return rc;
	}
	cfg->status = status;
	cfg->sync_now = sync_now;
	cfg->status_ctx = ws;
	*out = ws;
	return 0;
}

int web_sync_start(web_sync *ws, web_server *srv)
{
	ws->srv = srv;
	return sync_loop_start(ws->loop);
}

void web_sync_free(web_sync *ws)
{
	if (!ws)
		return;
	sync_loop_free(ws->loop); /* stops it and joins its thread */
	pthread_mutex_destroy(&ws->mu);
	free(ws);
}
