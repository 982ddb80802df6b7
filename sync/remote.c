/*
 * remote.c — what every network operation shares: credentials, certificate
 * checks, progress, and turning libgit2's failures into errors that say what
 * to do (retry later, check credentials, what the remote refused).
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <git2.h>

#include "plsync/errors.h"
#include "internal.h"

static int credentials(git_credential **out, const char *url, const char *user_from_url,
                       unsigned int allowed, void *payload)
{
	struct pl_sync__cb *s = payload;
	const pl_sync_options *o = s->opts;

	if (++s->auth_tries > 3)
		return GIT_EAUTH; /* give up instead of looping on a refused key */
	if (allowed & GIT_CREDENTIAL_SSH_KEY) {
		const char *user = user_from_url ? user_from_url : "git";
		if (o->ssh_key) {
			char pub[4096];
			snprintf(pub, sizeof(pub), "%s.pub", o->ssh_key);
			return git_credential_ssh_key_new(out, user, access(pub, R_OK) == 0 ? pub : NULL,
			                                  o->ssh_key, NULL);
		}
		if (s->auth_tries > 1)
			return GIT_EAUTH;
		return git_credential_ssh_key_from_agent(out, user);
	}
	if (allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT) {
		const char *user = o->http_user ? o->http_user : user_from_url;
		if (!user || !o->http_password || s->auth_tries > 1)
			return GIT_EAUTH;
		return git_credential_userpass_plaintext_new(out, user, o->http_password);
	}
	if (allowed & GIT_CREDENTIAL_USERNAME)
		return git_credential_username_new(out, user_from_url ? user_from_url : "git");
	(void)url;
	return GIT_PASSTHROUGH;
}

static int transfer_progress(const git_indexer_progress *st, void *payload)
{
	struct pl_sync__cb *s = payload;
	pl_progress p = { "fetching", st->received_objects, st->total_objects, st->received_bytes };

	if (!s->opts->progress)
		return 0;
	int rc = s->opts->progress(&p, s->opts->payload);
	if (rc < 0)
		s->cancelled = rc;
	return rc < 0 ? GIT_EUSER : 0;
}

static int push_progress(unsigned int current, unsigned int total, size_t bytes, void *payload)
{
	struct pl_sync__cb *s = payload;
	pl_progress p = { "pushing", current, total, bytes };

	if (!s->opts->progress)
		return 0;
	int rc = s->opts->progress(&p, s->opts->payload);
	if (rc < 0)
		s->cancelled = rc;
	return rc < 0 ? GIT_EUSER : 0;
}

static int push_update(const char *refname, const char *status, void *payload)
{
	struct pl_sync__cb *s = payload;
	if (status)
		snprintf(s->push_error, sizeof(s->push_error), "the remote refused to update %s: %s",
		         refname, status);
	return 0;
}

void pl_sync__callbacks(git_remote_callbacks *cb, struct pl_sync__cb *state)
{
	git_remote_init_callbacks(cb, GIT_REMOTE_CALLBACKS_VERSION);
	cb->credentials = credentials;
	cb->transfer_progress = transfer_progress;
	cb->push_transfer_progress = push_progress;
	cb->push_update_reference = push_update;
	cb->payload = state;
}

int pl_sync__net_error(int rc, const char *what, const char *url)
{
	const git_error *e = git_error_last();
	const char *msg = e && e->message ? e->message : "unknown error";

	if (rc == GIT_EAUTH || rc == GIT_ECERTIFICATE ||
	    (e && (strstr(msg, "authentication") || strstr(msg, "401") || strstr(msg, "403") ||
	           strstr(msg, "credentials") || strstr(msg, "certificate"))))
		return pl_error_set(PL_EAUTH, "%s %s: %s; check the credentials or the CA file in the config "
		                    "(plsync config sync.username / sync.password / sync.sshkey / sync.cafile)",
		                    what, url, msg);
	if (rc == GIT_EUSER)
		return pl_error_set(PL_EUSER, "%s %s: cancelled", what, url);
	if (e && (e->klass == GIT_ERROR_NET || e->klass == GIT_ERROR_SSH || e->klass == GIT_ERROR_HTTP ||
	          e->klass == GIT_ERROR_SSL || e->klass == GIT_ERROR_OS || strstr(msg, "connect") ||
	          strstr(msg, "early EOF") || strstr(msg, "unexpected")))
		return pl_error_set(PL_ENET, "%s %s: %s; nothing was lost: retry 'plsync sync' when the link is up",
		                    what, url, msg);
	return pl_error_set(PL_ERROR, "%s %s: %s", what, url, msg);
}
