/*
 * page-sync.c — POST /sync, the "Sync now" button every page has while the
 * background sync runs (web/sync.c): it wakes the sync (which runs on its
 * own thread, so the answer does not wait for it) and goes back to the page
 * the button was on, or home.
 */
#include <string.h>

#include "web.h"

int page_sync_now(web_req *r)
{
	const char *back = web_arg(r, "back");

	if (!r->cfg->sync_now)
		return web_error(r, 404, "This server does not sync: there is no remote (remote.url) in its data dir.");
	r->cfg->sync_now(r->cfg->status_ctx);
	/* only a path of this site: never "//host" or a URL elsewhere */
	if (!back || back[0] != '/' || back[1] == '/' || back[1] == '\\' || strpbrk(back, "\r\n"))
		back = "/";
	return web_redirect(r, back);
}
