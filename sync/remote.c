/*
 * remote.c — what every network operation shares: credentials, certificate
 * and host-key checks, progress, and turning libgit2's failures into errors
 * that say what to do (retry later, fix the credentials, the CA file or the
 * known hosts file, check the URL, what the remote refused).
 *
 * Rules kept here: a refused credential or host key is reported with our own
 * message (libgit2 often leaves a stale or no error behind a callback's
 * refusal); credentials are offered once, never in a loop; an ssh host key is
 * accepted only when it is in the known hosts file (sync.knownhosts, else
 * ~/.ssh/known_hosts) — a TLS certificate is left to libgit2, which checks it
 * against the CA locations the program set (sync.cafile).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <git2.h>

#include "plsync/errors.h"
#include "remote-int.h"

static int credentials(git_credential **out, const char *url, const char *user_from_url,
                       unsigned int allowed, void *payload);
static int certificate_check(git_cert *cert, int valid, const char *host, void *payload);

static int credentials(git_credential **out, const char *url, const char *user_from_url,
                       unsigned int allowed, void *payload)
{
	struct pl_sync__cb *s = payload;
	const pl_sync_options *o = s->opts;

	pl_sync__watch_alive(s, 0, 0);
	if (allowed & (GIT_CREDENTIAL_SSH_KEY | GIT_CREDENTIAL_USERPASS_PLAINTEXT))
		s->auth_tries++; /* the user name alone (ssh asks it first) is not a try */
	if (allowed & GIT_CREDENTIAL_SSH_KEY) {
		const char *user = user_from_url ? user_from_url : "git";
		if (o->ssh_key) {
			char pub[4096];
			if (s->auth_tries > 1) {
				snprintf(s->auth_error, sizeof(s->auth_error), "the server refused ssh key %s for user '%s': "
				         "check the credentials: sync.sshkey, and that %s.pub is in the server's "
				         "authorized_keys", o->ssh_key, user, o->ssh_key);
				return GIT_EAUTH;
			}
			if (access(o->ssh_key, R_OK)) {
				snprintf(s->auth_error, sizeof(s->auth_error), "cannot read the ssh key %s (sync.sshkey): %s",
				         o->ssh_key, strerror(errno));
				return GIT_EAUTH;
			}
			snprintf(pub, sizeof(pub), "%s.pub", o->ssh_key);
			return git_credential_ssh_key_new(out, user, access(pub, R_OK) == 0 ? pub : NULL,
			                                  o->ssh_key, NULL);
		}
		if (s->auth_tries > 1) {
			snprintf(s->auth_error, sizeof(s->auth_error), "the server refused the ssh-agent's keys for user "
			         "'%s': check the credentials: set sync.sshkey to a private key the server accepts", user);
			return GIT_EAUTH;
		}
		return git_credential_ssh_key_from_agent(out, user);
	}
	if (allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT) {
		const char *user = o->http_user ? o->http_user : user_from_url;
		if (!user || !o->http_password) {
			snprintf(s->auth_error, sizeof(s->auth_error), "the server asks for a user name and password: "
			         "check the credentials: set sync.username and sync.password (or the PLSYNC_PASSWORD "
			         "environment variable)");
			return GIT_EAUTH;
		}
		if (s->auth_tries > 1) {
			snprintf(s->auth_error, sizeof(s->auth_error), "the server refused user '%s' and its password: "
			         "check the credentials: sync.username and sync.password (or PLSYNC_PASSWORD)", user);
			return GIT_EAUTH;
		}
		return git_credential_userpass_plaintext_new(out, user, o->http_password);
	}
	if (allowed & GIT_CREDENTIAL_USERNAME)
		return git_credential_username_new(out, user_from_url ? user_from_url : "git");
	snprintf(s->auth_error, sizeof(s->auth_error), "the server asks for a kind of credentials plsync "
	         "does not offer (0x%x)", allowed);
	(void)url;
	return GIT_EAUTH;
}

/* ---- ssh host keys: an OpenSSH known_hosts file ---- */

static int b64_value(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	return c == '+' ? 62 : c == '/' ? 63 : -1;
}

/* Decode base64 text (len chars, '=' padding allowed at the end) into out. */
static int b64_decode(unsigned char *out, size_t cap, size_t *outlen, const char *in, size_t len)
{
	unsigned int acc = 0;
	size_t n = 0;
	int bits = 0;

	while (len && in[len - 1] == '=')
		len--;
	for (size_t i = 0; i < len; i++) {
		int v = b64_value((unsigned char)in[i]);
		if (v < 0)
			return -1;
		acc = (acc << 6) | (unsigned int)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n == cap)
				return -1;
			out[n++] = (unsigned char)(acc >> bits);
		}
	}
	*outlen = n;
	return 0;
}

/* base64 without padding, as OpenSSH prints SHA256 fingerprints. */
static void b64_encode(char *out, size_t cap, const unsigned char *in, size_t len)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	unsigned int acc = 0;
	size_t n = 0;
	int bits = 0;

	for (size_t i = 0; i < len; i++) {
		acc = (acc << 8) | in[i];
		bits += 8;
		while (bits >= 6 && n + 1 < cap) {
			bits -= 6;
			out[n++] = tab[(acc >> bits) & 63];
		}
	}
	if (bits && n + 1 < cap)
		out[n++] = tab[(acc << (6 - bits)) & 63];
	out[n] = '\0';
}

/* OpenSSH host patterns: '*' and '?' wildcards. */
static int glob_match(const char *p, const char *s)
{
	for (; *p; p++, s++) {
		if (*p == '*') {
			for (;; s++) {
				if (glob_match(p + 1, s))
					return 1;
				if (!*s)
					return 0;
			}
		}
		if (!*s || (*p != '?' && tolower((unsigned char)*p) != tolower((unsigned char)*s)))
			return 0;
	}
	return !*s;
}

/* 1 if the comma-separated pattern list names `name` (a '!' pattern vetoes). */
static int hosts_match(const char *list, size_t len, const char *name)
{
	int hit = 0;

	while (len) {
		const char *comma = memchr(list, ',', len);
		size_t n = comma ? (size_t)(comma - list) : len;
		char pat[256];
		int neg = n && list[0] == '!';

		if (n - (size_t)neg < sizeof(pat)) {
			memcpy(pat, list + neg, n - (size_t)neg);
			pat[n - (size_t)neg] = '\0';
			if (glob_match(pat, name)) {
				if (neg)
					return 0;
				hit = 1;
			}
		}
		if (!comma)
			break;
		len -= n + 1;
		list += n + 1;
	}
	return hit;
}

/* The port of an ssh URL (ssh://[user@]host[:port]/path, or scp-like user@host:path: 22). */
static int url_port(const char *url)
{
	const char *p = strstr(url, "://"), *at, *slash;

	if (!p)
		return 22;
	p += 3;
	slash = strchr(p, '/');
	if ((at = strchr(p, '@')) && (!slash || at < slash))
		p = at + 1;
	if (*p == '[' && (p = strchr(p, ']')) == NULL)
		return 22;
	while (*p && *p != ':' && *p != '/')
		p++;
	return *p == ':' ? atoi(p + 1) : 22;
}

/* The key type name inside an ssh public key blob ("ssh-ed25519"), into buf. */
static void key_type(char *buf, size_t sz, const unsigned char *key, size_t len)
{
	size_t n;

	snprintf(buf, sz, "unknown");
	if (len < 4)
		return;
	n = (size_t)key[0] << 24 | (size_t)key[1] << 16 | (size_t)key[2] << 8 | key[3];
	if (n && n < sz && n <= len - 4) {
		memcpy(buf, key + 4, n);
		buf[n] = '\0';
	}
}

/* "ssh-keyscan [-p PORT] HOST", the command that prints a server's keys. */
static void keyscan_cmd(char *buf, size_t sz, const char *host, int port)
{
	if (port == 22)
		snprintf(buf, sz, "ssh-keyscan %s", host);
	else
		snprintf(buf, sz, "ssh-keyscan -p %d %s", port, host);
}

static int check_host_key(struct pl_sync__cb *s, const git_cert_hostkey *hk, int valid, const char *host)
{
	const char *file = s->opts->ssh_known_hosts;
	char deffile[4096], name[300], type[64], fp[64] = "", scan[340], *line = NULL;
	size_t cap = 0;
	int port = url_port(s->opts->url ? s->opts->url : ""), lineno = 0, mismatch = 0, found = 0, hashed = 0;
	FILE *f;

	if (!file) {
		const char *home = getenv("HOME");
		snprintf(deffile, sizeof(deffile), "%s/.ssh/known_hosts", home && *home ? home : ".");
		file = deffile;
	}
	if (port == 22)
		snprintf(name, sizeof(name), "%s", host);
	else
		snprintf(name, sizeof(name), "[%s]:%d", host, port);
	keyscan_cmd(scan, sizeof(scan), host, port);
	if (!(hk->type & GIT_CERT_SSH_RAW)) {
		snprintf(s->auth_error, sizeof(s->auth_error), "the ssh library did not give %s's host key; "
		         "cannot check it against the known hosts file %s", name, file);
		return GIT_ECERTIFICATE;
	}
	key_type(type, sizeof(type), (const unsigned char *)hk->hostkey, hk->hostkey_len);
	if (hk->type & GIT_CERT_SSH_SHA256) {
		memcpy(fp, "SHA256:", 7);
		b64_encode(fp + 7, sizeof(fp) - 7, hk->hash_sha256, sizeof(hk->hash_sha256));
	}
	if (!(f = fopen(file, "r"))) {
		snprintf(s->auth_error, sizeof(s->auth_error), "cannot read the known hosts file %s (%s), so the "
		         "ssh host key of %s (%s %s) cannot be checked: check the known hosts file: set "
		         "sync.knownhosts to a file holding the district server's key (%s > FILE, after "
		         "checking the fingerprint with the district office)", file, strerror(errno), name, type, fp, scan);
		return GIT_ECERTIFICATE;
	}
	while (getline(&line, &cap, f) > 0) { /* to the end: a @revoked line may follow a match */
		char *p = line, *hosts, *ktype, *key;
		unsigned char raw[8192];
		size_t hlen, rawlen;
		int revoked = 0;

		lineno++;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '#' || *p == '\n' || !*p)
			continue;
		if (*p == '@') { /* a marker */
			revoked = !strncmp(p, "@revoked", 8);
			if (!revoked)
				continue; /* @cert-authority: certificates are not offered by libssh2 */
			p += strcspn(p, " \t");
			p += strspn(p, " \t");
		}
		hosts = p;
		hlen = strcspn(p, " \t\n");
		p += hlen;
		p += strspn(p, " \t");
		ktype = p;
		p += strcspn(p, " \t\n");
		if (*p)
			*p++ = '\0';
		p += strspn(p, " \t");
		key = p;
		p += strcspn(p, " \t\r\n");
		*p = '\0';
		if (hlen > 3 && !strncmp(hosts, "|1|", 3)) {
			hashed++; /* a hashed host name: not read here (libgit2 reads ~/.ssh/known_hosts's) */
			continue;
		}
		if (!*ktype || !*key)
			continue;
		if (!hosts_match(hosts, hlen, name))
			continue;
		if (b64_decode(raw, sizeof(raw), &rawlen, key, strlen(key)))
			continue;
		if (rawlen == hk->hostkey_len && !memcmp(raw, hk->hostkey, rawlen)) {
			if (revoked) {
				snprintf(s->auth_error, sizeof(s->auth_error), "the ssh host key of %s (%s %s) is marked "
				         "@revoked in %s line %d: ask the district office for the server's new key",
				         name, type, fp, file, lineno);
				fclose(f);
				free(line);
				return GIT_ECERTIFICATE;
			}
			found = 1;
		} else if (!revoked && !strcmp(ktype, type) && !mismatch) {
			mismatch = lineno;
		}
	}
	fclose(f);
	free(line);
	if (found)
		return 0;
	if (!s->opts->ssh_known_hosts && valid)
		return 0; /* libgit2 found it in ~/.ssh/known_hosts itself (a hashed entry) */
	if (mismatch)
		snprintf(s->auth_error, sizeof(s->auth_error), "the ssh host key of %s (%s %s) does NOT match the "
		         "one in %s line %d: the server's key changed or someone is in between; check the known hosts "
		         "file: confirm the new fingerprint with the district office before replacing that line",
		         name, type, fp, file, mismatch);
	else
		snprintf(s->auth_error, sizeof(s->auth_error), "the ssh host key of %s (%s %s) is not in the known "
		         "hosts file %s: check the fingerprint with the district office, then add it "
		         "(%s >> %s, or set sync.knownhosts)%s", name, type, fp, file, scan, file,
		         hashed && s->opts->ssh_known_hosts ? "; its hashed entries are not read: write plain host "
		         "names (ssh-keyscan without -H)" : "");
	return GIT_ECERTIFICATE;
}

static int certificate_check(git_cert *cert, int valid, const char *host, void *payload)
{
	struct pl_sync__cb *s = payload;

	pl_sync__watch_alive(s, 0, 0);
	if (cert->cert_type == GIT_CERT_HOSTKEY_LIBSSH2)
		return check_host_key(s, (const git_cert_hostkey *)cert, valid, host);
	/* TLS: libgit2 verifies the chain against the CA locations (sync.cafile) */
	return GIT_PASSTHROUGH;
}

/* Progress p to the caller's callback; its negative return cancels (kept in s). */
static int progress(struct pl_sync__cb *s, const pl_progress *p)
{
	if (!s->opts->progress)
		return 0;
	int rc = s->opts->progress(p, s->opts->payload);
	if (rc < 0)
		s->cancelled = rc;
	return rc < 0 ? GIT_EUSER : 0;
}

static int transfer_progress(const git_indexer_progress *st, void *payload)
{
	pl_progress p = { "fetching", st->received_objects, st->total_objects, st->received_bytes };
	int done = st->total_objects && st->received_objects == st->total_objects;

	if (pl_sync__watch_alive(payload, st->received_bytes, done))
		return GIT_EUSER; /* a limit was hit: end the call */
	return progress(payload, &p);
}

static int push_progress(unsigned int current, unsigned int total, size_t bytes, void *payload)
{
	pl_progress p = { "pushing", current, total, bytes };

	if (pl_sync__watch_alive(payload, bytes, total && current == total))
		return GIT_EUSER;
	return progress(payload, &p);
}

/* The server's own progress lines ("Counting objects"), and building the push's pack: signs of life. */
static int sideband_progress(const char *str, int len, void *payload)
{
	(void)str;
	(void)len;
	return pl_sync__watch_alive(payload, 0, 0) ? GIT_EUSER : 0;
}

static int pack_progress(int stage, uint32_t current, uint32_t total, void *payload)
{
	(void)stage;
	(void)current;
	(void)total;
	return pl_sync__watch_alive(payload, 0, 0) ? GIT_EUSER : 0;
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
	cb->certificate_check = certificate_check;
	cb->transfer_progress = transfer_progress;
	cb->push_transfer_progress = push_progress;
	cb->sideband_progress = sideband_progress;
	cb->pack_progress = pack_progress;
	cb->push_update_reference = push_update;
	cb->payload = state;
}

int pl_sync__tune_repo(git_repository *repo)
{
	static const char *const keys[] = { "core.bigFileThreshold", "pack.deltaCacheSize", "pack.windowMemory" };
	git_config *cfg = NULL;
	int64_t v;
	int grc = 0;

	if ((grc = git_repository_config(&cfg, repo)) < 0)
		return pl_error_from_git(grc, "the repository's config");
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]) && grc >= 0; i++)
		if ((grc = git_config_get_int64(&v, cfg, keys[i])) == GIT_ENOTFOUND)
			grc = git_config_set_int64(cfg, keys[i], (int64_t)(i == 2 ? 64 : 1) << 20);
	git_config_free(cfg);
	return grc < 0 ? pl_error_from_git(grc, "setting the repository's pack options") : 0;
}

int pl_sync__check_local(const char *url)
{
	const char *path = url;
	git_repository *repo = NULL;
	int grc;

	if (!strncmp(url, "file://", 7))
		path = url + 7;
	else if (strstr(url, "://") || (strchr(url, ':') && url[0] != '/' && url[0] != '.'))
		return 0; /* a network URL, or scp-like host:path */
	if ((grc = git_repository_open_bare(&repo, path)) < 0) {
		pl_error_set(PL_ENOTFOUND, "there is no git repository at %s (%s): check remote.url", path,
		             git_error_last() && git_error_last()->message ? git_error_last()->message : "not found");
		return pl_error_hint(PL_HINT_REMOTE_INIT, path);
	}
	git_repository_free(repo);
	return 0;
}

int pl_sync__remote_open(git_remote **out, git_repository *repo, const char *url)
{
	int rc;

	*out = NULL;
	if ((rc = pl_sync__check_local(url)))
		return rc;
	if (git_remote_create_anonymous(out, repo, url) < 0)
		return pl_error_set(PL_EUSAGE, "'%s' is not a usable remote URL: %s", url,
		                    git_error_last() ? git_error_last()->message : "?");
	return 0;
}

/* A dropped, silent or stalled link: nothing changed, a later sync goes on. */
static int net_lost(const char *what, const char *url, const char *msg)
{
	pl_error_set(PL_ENET, "%s %s: %s; nothing was lost", what, url, msg);
	return pl_error_hint(PL_HINT_SYNC_RETRY, NULL);
}

int pl_sync__net_error(int rc, const struct pl_sync__cb *s, const char *what, const char *url)
{
	const git_error *e = git_error_last();
	const char *msg = e && e->message ? e->message : "unknown error";

	if (s && s->cancelled)
		return pl_error_set(s->cancelled, "%s %s: cancelled", what, url);
	if (s && s->watch.fired) /* whatever libgit2 made of the cut socket: the limit is why */
		return net_lost(what, url, s->watch.reason);
	if (s && s->auth_error[0]) /* we refused a credential or a host key: that is why */
		return pl_error_set(PL_EAUTH, "%s %s: %s", what, url, s->auth_error);
	if (rc == GIT_ECERTIFICATE || (e && e->klass == GIT_ERROR_SSL) || strstr(msg, "certificate"))
		return pl_error_set(PL_EAUTH, "%s %s: the server's certificate is not trusted (%s): check the CA file: "
		                    "set sync.cafile to the PEM file of the CA that signed it", what, url, msg);
	if (rc == GIT_EAUTH || strstr(msg, "authentication") || strstr(msg, "401") || strstr(msg, "403") ||
	    strstr(msg, "credentials"))
		return pl_error_set(PL_EAUTH, "%s %s: %s; check the credentials in the config (sync.username, "
		                    "sync.password or PLSYNC_PASSWORD, sync.sshkey)", what, url, msg);
	if (rc == GIT_EUSER)
		return pl_error_set(PL_EUSER, "%s %s: cancelled", what, url);
	if (strstr(msg, "not exported") || strstr(msg, "does not appear to be a git repository") ||
	    strstr(msg, "not found") || strstr(msg, "404") || strstr(msg, "could not find repository"))
		return pl_error_set(PL_ENOTFOUND, "%s %s: %s; no district repository there: check remote.url",
		                    what, url, msg);
	if (e && (e->klass == GIT_ERROR_NET || e->klass == GIT_ERROR_SSH || e->klass == GIT_ERROR_HTTP ||
	          e->klass == GIT_ERROR_OS || strstr(msg, "connect") || strstr(msg, "early EOF") ||
	          strstr(msg, "unexpected") || strstr(msg, "timed out") || strstr(msg, "reset")))
		return net_lost(what, url, msg);
	return pl_error_set(PL_ERROR, "%s %s: %s", what, url, msg);
}
