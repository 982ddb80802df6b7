/*
 * sync.h — the background sync of `plsync serve` (sync.c): the sync loop
 * (agent/sync-loop.h) in its own thread, on the server's store under the
 * server's store lock, its state as the sentence every page shows, and
 * "Sync now".
 */
#ifndef PLSYNC_WEB_SYNC_H
#define PLSYNC_WEB_SYNC_H

#include "web.h"

typedef struct web_sync web_sync;

/*
 * Make the loop for data dir `dir` and its open store `st` (borrowed), and
 * hook it into cfg (status line, "Sync now"), before web_start. PL_EUSAGE
 * (a bad sync.* value, no remote), PL_EEXISTS (another loop syncs the data
 * dir). *out is the caller's (web_sync_free).
 */
int web_sync_new(web_sync **out, const char *dir, pl_store *st, web_config *cfg);
/* Start syncing in a thread, under srv's store lock. PL_EOS if no thread. */
int web_sync_start(web_sync *ws, web_server *srv);
/* Stop the loop and wait for its thread (before web_stop). NULL is fine. */
void web_sync_free(web_sync *ws);

#endif
