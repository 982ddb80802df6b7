/*
 * hints.c — the command-line text of the library's hints (enum pl_hint in
 * plsync/errors.h), in one table for every plsync program.
 *
 * A library message says what went wrong and ends where the next step
 * begins; the step itself, when it is a command or an option, is named here,
 * so the library never speaks of a program. Each entry is appended to the
 * message as it stands (with the prefixes added on the way up); the hint's
 * argument (a record id, a path), if the entry takes one, goes between its
 * two halves.
 */
#include <stdio.h>

#include "cli.h"
#include "plsync/errors.h"

struct hint_text {
	const char *before; /* appended to the message */
	const char *after;  /* after the hint's argument, or NULL: no argument */
};

static const struct hint_text hints[] = {
	[PL_HINT_INIT]          = { "; run 'plsync init --node CODE' first", NULL },
	[PL_HINT_SYNC]          = { "; run 'plsync sync' and try again", NULL },
	[PL_HINT_SYNC_RETRY]    = { ": retry 'plsync sync' when the link is up", NULL },
	[PL_HINT_SYNC_BUSY]     = { "; let it finish, then run 'plsync sync' again if needed", NULL },
	[PL_HINT_NEW_MIRROR]    = { " and run 'plsync sync' again to make a new mirror", NULL },
	[PL_HINT_SET_FIELD]     = { "; use 'plsync set ", " field=value' to change it" },
	[PL_HINT_CHECK]         = { "; run 'plsync check'", NULL },
	[PL_HINT_DISTRICT_INIT] = { "; create it with 'plsync-district init ", "'" },
	[PL_HINT_REMOTE_INIT]   = { ", or create the district repository with 'plsync-district init ", "'" },
	[PL_HINT_REMOTE_URL]    = { ": give --remote URL or set it with 'plsync config remote.url URL'", NULL },
	[PL_HINT_REBUILD_CACHE] = { "; run 'plsync-district merge --rebuild-cache'", NULL },
	[PL_HINT_AUDIT_VERIFY]  = { "; run 'plsync-audit verify'", NULL },
	[PL_HINT_BUNDLE_SINCE]  = { ": use --since to split the bundle", NULL },
	[PL_HINT_BUNDLE_CREATE] = { " (made with 'plsync bundle create')", NULL },
	[PL_HINT_DISTRICT_TRANSCRIPT] = { "; 'plsync-district transcript REPO ", "' after a merge covers every school" },
};

const char *cli_hint_text(enum pl_hint hint, const char *arg, char *buf, size_t size)
{
	const struct hint_text *h;

	buf[0] = '\0';
	if (hint <= PL_HINT_NONE || (size_t)hint >= sizeof(hints) / sizeof(hints[0]))
		return buf;
	h = &hints[hint];
	if (!h->before)
		return buf;
	if (h->after)
		snprintf(buf, size, "%s%s%s", h->before, arg ? arg : "", h->after);
	else
		snprintf(buf, size, "%s", h->before);
	return buf;
}

/* The hint's text for e ("" for PL_HINT_NONE), in buf; returns buf. */
static const char *hint_text(const pl_error *e, char *buf, size_t size)
{
	return cli_hint_text(e->hint, e->hint_arg, buf, size);
}

const char *cli_error_text(char *buf, size_t size)
{
	const pl_error *e = pl_error_last();
	char hint[PL_HINT_ARG_MAX + 256];

	snprintf(buf, size, "%s%s", e->message[0] ? e->message : "unknown error",
	         hint_text(e, hint, sizeof(hint)));
	return buf;
}
