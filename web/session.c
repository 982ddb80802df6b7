/*
 * session.c — the web app's sessions and login rate limits, in memory
 * (a restart logs everyone out).
 *
 * A session is a 32-byte random token (libsodium randombytes_buf), sent as
 * the cookie `plsync_session`, with its own random CSRF token that every
 * form of the session carries. It ends at logout, after IDLE seconds
 * unused, or MAX seconds after login, whichever is first.
 *
 * Rate limits: failed logins are counted per account and per client
 * address over WINDOW seconds; past the limit the key waits until the
 * window of its first failure ends. A good login clears its account's count.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "web.h"

#define IDLE    (30 * 60)
#define MAX     (12 * 60 * 60)
#define WINDOW  (15 * 60)
#define SESSIONS_MAX 4096
#define KEYS_MAX     4096

struct session {
	web_user u;
	time_t   created, used;
};

struct failures {
	char     key[96];
	time_t   first;
	unsigned n;
};

struct web_sessions {
	pthread_mutex_t mu;
	struct session *s;
	size_t          n;
	struct failures *f;
	size_t          nf;
	unsigned        user_max, addr_max;
};

void web_random_hex(char *out, size_t n)
{
	unsigned char buf[64];

	if (n > sizeof(buf))
		n = sizeof(buf);
	randombytes_buf(buf, n);
	sodium_bin2hex(out, 2 * n + 1, buf, n);
	sodium_memzero(buf, sizeof(buf));
}

int web_sessions_new(web_sessions **out, unsigned user_max, unsigned addr_max)
{
	web_sessions *ss = calloc(1, sizeof(*ss));

	*out = NULL;
	if (!ss || sodium_init() < 0) {
		free(ss);
		return -1;
	}
	ss->s = calloc(SESSIONS_MAX, sizeof(*ss->s));
	ss->f = calloc(KEYS_MAX, sizeof(*ss->f));
	if (!ss->s || !ss->f) {
		web_sessions_free(ss);
		return -1;
	}
	pthread_mutex_init(&ss->mu, NULL);
	ss->user_max = user_max ? user_max : 5;
	ss->addr_max = addr_max ? addr_max : 20;
	*out = ss;
	return 0;
}

void web_sessions_free(web_sessions *ss)
{
	if (!ss)
		return;
	if (ss->s)
		sodium_memzero(ss->s, SESSIONS_MAX * sizeof(*ss->s));
	free(ss->s);
	free(ss->f);
	pthread_mutex_destroy(&ss->mu);
	free(ss);
}

static int expired(const struct session *s, time_t now)
{
	return now - s->used > IDLE || now - s->created > MAX;
}

/* Drop the expired sessions (mu held). */
static void sweep(web_sessions *ss, time_t now)
{
	size_t i = 0;

	while (i < ss->n) {
		if (expired(&ss->s[i], now)) {
			ss->s[i] = ss->s[--ss->n];
			sodium_memzero(&ss->s[ss->n], sizeof(ss->s[ss->n]));
		} else {
			i++;
		}
	}
}

int web_session_open(web_sessions *ss, web_user *u)
{
	time_t now = time(NULL);
	int rc = -1;

	web_random_hex(u->token, 32);
	web_random_hex(u->csrf, 32);
	pthread_mutex_lock(&ss->mu);
	sweep(ss, now);
	if (ss->n < SESSIONS_MAX) {
		ss->s[ss->n].u = *u;
		ss->s[ss->n].created = ss->s[ss->n].used = now;
		ss->n++;
		rc = 0;
	}
	pthread_mutex_unlock(&ss->mu);
	return rc;
}

/* The index of token's session, or -1 (mu held). */
static long find(web_sessions *ss, const char *token)
{
	if (!token || strlen(token) != WEB_TOKEN_HEX)
		return -1;
	for (size_t i = 0; i < ss->n; i++)
		if (!sodium_memcmp(ss->s[i].u.token, token, WEB_TOKEN_HEX))
			return (long)i;
	return -1;
}

int web_session_find(web_sessions *ss, const char *token, web_user *u)
{
	time_t now = time(NULL);
	long i;

	pthread_mutex_lock(&ss->mu);
	sweep(ss, now);
	if ((i = find(ss, token)) >= 0) {
		ss->s[i].used = now;
		*u = ss->s[i].u;
	}
	pthread_mutex_unlock(&ss->mu);
	return i >= 0 ? 0 : -1;
}

void web_session_close(web_sessions *ss, const char *token)
{
	long i;

	pthread_mutex_lock(&ss->mu);
	if ((i = find(ss, token)) >= 0) {
		ss->s[i] = ss->s[--ss->n];
		sodium_memzero(&ss->s[ss->n], sizeof(ss->s[ss->n]));
	}
	pthread_mutex_unlock(&ss->mu);
}

/* The failure count of key, made when `make` (mu held); NULL if none. */
static struct failures *failures_of(web_sessions *ss, const char *key, time_t now, int make)
{
	size_t i = 0;

	while (i < ss->nf) {
		if (now - ss->f[i].first > WINDOW) {
			ss->f[i] = ss->f[--ss->nf];
			continue;
		}
		if (!strcmp(ss->f[i].key, key))
			return &ss->f[i];
		i++;
	}
	if (!make || ss->nf == KEYS_MAX)
		return NULL;
	memset(&ss->f[ss->nf], 0, sizeof(ss->f[ss->nf]));
	snprintf(ss->f[ss->nf].key, sizeof(ss->f[ss->nf].key), "%s", key);
	ss->f[ss->nf].first = now;
	return &ss->f[ss->nf++];
}

static unsigned limit_of(const web_sessions *ss, const char *key)
{
	return !strncmp(key, "user:", 5) ? ss->user_max : ss->addr_max;
}

unsigned web_login_wait(web_sessions *ss, const char *key)
{
	time_t now = time(NULL);
	struct failures *f;
	unsigned wait = 0;

	pthread_mutex_lock(&ss->mu);
	f = failures_of(ss, key, now, 0);
	if (f && f->n >= limit_of(ss, key))
		wait = (unsigned)(WINDOW - (now - f->first)) + 1;
	/* the table full: everyone waits rather than nobody */
	if (!f && ss->nf == KEYS_MAX)
		wait = 60;
	pthread_mutex_unlock(&ss->mu);
	return wait;
}

void web_login_failed(web_sessions *ss, const char *key)
{
	struct failures *f;

	pthread_mutex_lock(&ss->mu);
	if ((f = failures_of(ss, key, time(NULL), 1)))
		f->n++;
	pthread_mutex_unlock(&ss->mu);
}

void web_login_cleared(web_sessions *ss, const char *key)
{
	struct failures *f;

	pthread_mutex_lock(&ss->mu);
	if ((f = failures_of(ss, key, time(NULL), 0)))
		*f = ss->f[--ss->nf];
	pthread_mutex_unlock(&ss->mu);
}
