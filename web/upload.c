/*
 * upload.c — files uploaded to the import page, kept in memory between
 * its steps (map the columns, preview, commit) under a random id, each
 * tied to the session that sent it: another session (another person, or
 * the same after logging out) never finds it, and the client names only
 * the id, never a path. At most UPLOADS_MAX at once; the oldest (or one
 * older than UPLOAD_TTL) gives its place to a new one. Program state of
 * the one server: a table behind its own mutex (pages also run under the
 * store lock).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "web.h"

#define UPLOADS_MAX 16
#define UPLOAD_TTL  3600

struct slot {
	char    id[WEB_UPLOAD_ID + 1];
	char    token[WEB_TOKEN_HEX + 1];
	char    kind[33];
	char    file[256];
	char   *data;
	size_t  len;
	json_t *map;       /* column -> field ("" ignores it) */
	time_t  at;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct slot slots[UPLOADS_MAX];

static void slot_clear(struct slot *s)
{
	free(s->data);
	json_decref(s->map);
	memset(s, 0, sizeof(*s));
}

static struct slot *find(const web_req *r, const char *id)
{
	for (int i = 0; i < UPLOADS_MAX; i++)
		if (slots[i].id[0] && id && !strcmp(slots[i].id, id) && !strcmp(slots[i].token, r->user.token))
			return &slots[i];
	return NULL;
}

int web_upload_put(const web_req *r, const char *kind, const char *file, const char *data, size_t len,
                   char id[WEB_UPLOAD_ID + 1])
{
	struct slot *s = NULL;
	time_t now = time(NULL);
	char *copy = malloc(len + 1);

	if (!copy)
		return -1;
	memcpy(copy, data, len);
	copy[len] = 0;
	pthread_mutex_lock(&mu);
	for (int i = 0; i < UPLOADS_MAX; i++)
		if (slots[i].id[0] && now - slots[i].at > UPLOAD_TTL)
			slot_clear(&slots[i]);
	for (int i = 0; i < UPLOADS_MAX && !s; i++)   /* a free place, */
		if (!slots[i].id[0])
			s = &slots[i];
	if (!s) {                                      /* else the oldest's */
		s = &slots[0];
		for (int i = 1; i < UPLOADS_MAX; i++)
			if (slots[i].at < s->at)
				s = &slots[i];
	}
	slot_clear(s);
	web_random_hex(s->id, WEB_UPLOAD_ID / 2);
	snprintf(s->token, sizeof(s->token), "%s", r->user.token);
	snprintf(s->kind, sizeof(s->kind), "%s", kind);
	snprintf(s->file, sizeof(s->file), "%s", file);
	s->data = copy;
	s->len = len;
	s->map = json_object();
	s->at = now;
	snprintf(id, WEB_UPLOAD_ID + 1, "%s", s->id);
	pthread_mutex_unlock(&mu);
	return 0;
}

int web_upload_get(const web_req *r, const char *id, web_upload *out)
{
	struct slot *s;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&mu);
	if ((s = find(r, id)) && (out->data = malloc(s->len + 1))) {
		memcpy(out->data, s->data, s->len + 1);
		out->len = s->len;
		out->map = json_deep_copy(s->map);
		snprintf(out->kind, sizeof(out->kind), "%s", s->kind);
		snprintf(out->file, sizeof(out->file), "%s", s->file);
		snprintf(out->id, sizeof(out->id), "%s", s->id);
		rc = 0;
	}
	pthread_mutex_unlock(&mu);
	return rc;
}

void web_upload_done(web_upload *u)
{
	free(u->data);
	json_decref(u->map);
	memset(u, 0, sizeof(*u));
}

int web_upload_set_map(const web_req *r, const char *id, const json_t *map)
{
	struct slot *s;
	int rc = -1;

	pthread_mutex_lock(&mu);
	if ((s = find(r, id))) {
		json_decref(s->map);
		s->map = json_deep_copy(map);
		rc = 0;
	}
	pthread_mutex_unlock(&mu);
	return rc;
}

void web_upload_drop(const web_req *r, const char *id)
{
	struct slot *s;

	pthread_mutex_lock(&mu);
	if ((s = find(r, id)))
		slot_clear(s);
	pthread_mutex_unlock(&mu);
}
