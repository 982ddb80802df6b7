/*
 * plsync/session.h — one session of an offering (kind `offering`, field
 * `sessions`): the text "YYYY-MM-DD HH:MM-HH:MM [PLACE]" a person types,
 * parsed. The store checks every session of a local write with it (a sense
 * rule, plsync/schema.h's pl_schema_prepare); the offering, registration
 * and attendance code (plsync/offering.h) reads sessions back with it.
 */
#ifndef PLSYNC_SESSION_H
#define PLSYNC_SESSION_H

/* One session of an offering, parsed. */
typedef struct pl_session {
	char date[11];       /* YYYY-MM-DD */
	char start[6];       /* HH:MM */
	char end[6];         /* HH:MM, after start */
	int  minutes;        /* end - start */
	char place[128];     /* "" when none was given (cut at 127 bytes) */
} pl_session;

/*
 * Parse one session "YYYY-MM-DD HH:MM-HH:MM [PLACE]" into *out.
 * Errors: PL_EINVALID naming the text and what a session looks like.
 */
int pl_session_parse(pl_session *out, const char *text);

/* Minutes of sessions, as hours in hundredths (90 minutes: 150). */
long long pl_session_centi(const pl_session *s);

#endif
