/*
 * config.c — the agent's configuration: <dir>/config in git-config format,
 * read and written through libgit2's config API, so `git config -f` reads it
 * too. Every key the programs read is in config_keys[] below, with its
 * default and meaning: `plsync help config`, the man page plsync-config(5)
 * and the shell completion are made from (or checked against) that table.
 *
 * The file may hold sync.password (and remote.url a password): it is the
 * owner's alone, mode 0600, from its creation (written with umask 077) and
 * after every rewrite; an older file with wider modes is narrowed when it
 * is next opened.
 */
#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <git2.h>

#include "agent.h"

const config_key config_keys[] = {
	{ "core.node", "(set by init)", "the node code of this data dir (a school's code, or DISTRICT); "
	  "fixed for life at init", 0 },
	{ "core.name", "(none)", "the school's name, shown by status", 0 },
	{ "user.name", "$USER", "the name recorded as the actor of every op and as the author of sync commits", 0 },
	{ "user.email", "$USER@host", "the email beside user.name", 0 },
	{ "remote.url", "(none)", "the district repository: a path or file:// URL to a bare repository, "
	  "git://, http(s):// or ssh://", 0 },
	{ "sync.follow", "(none)", "more nodes to fetch besides DISTRICT; repeatable (git config -f DIR/config "
	  "--add sync.follow LIN01)", 1 },
	{ "sync.username", "(none)", "the http(s) basic-auth user (or in the URL)", 0 },
	{ "sync.password", "$PLSYNC_PASSWORD", "the http(s) password; the config file is kept mode 0600", 0 },
	{ "sync.cafile", "(the system's CAs)", "PEM file of the CA that signed the https server's certificate", 0 },
	{ "sync.sshkey", "(ssh-agent)", "private key file for ssh:// (KEY.pub beside it)", 0 },
	{ "sync.knownhosts", "~/.ssh/known_hosts", "the known_hosts file the ssh:// server's host key must be in, "
	  "under \"[host]:port\" for a port other than 22", 0 },
	{ "sync.timeout", "30", "seconds the server may say nothing, to connect and answer; 0: no limit", 0 },
	{ "sync.lowspeed", "1024/60", "BYTES/SECONDS: fail when, while data flows, fewer than BYTES pass in "
	  "SECONDS; 0: no limit", 0 },
	{ "sync.interval", "15m", "the time between two syncs of sync --watch (and serve) while all is well "
	  "(a duration: seconds, or a number with s, m, h or d)", 0 },
	{ "sync.backoff", "30s", "the bound of sync --watch's (and serve's) first retry after a failed "
	  "sync; it doubles with each failure in a row (each wait drawn at random under it)", 0 },
	{ "sync.backoffmax", "1h", "the cap of that bound (sync --watch and serve)", 0 },
	{ "import.dates", "mdy", "how import reads a date like 03/04/2026: mdy (March 4) or dmy (3 April)", 0 },
	{ "remind.from", "user.name <user.email>", "the From of the messages remind --format eml writes", 0 },
	{ "remind.sendmail", "(none)", "a sendmail program (e.g. /usr/sbin/sendmail) remind --format eml hands "
	  "each message to, as `sendmail -t -i`, when no --out is given", 0 },
	{ NULL, NULL, NULL, 0 }
};

int config_duration(int *out, const char *text)
{
	return cli_duration(out, text);
}

/* Narrow path to the owner (no group or other bits), if it exists. */
static int make_private(const char *path)
{
	struct stat sb;

	if (stat(path, &sb) || !(sb.st_mode & 077))
		return 0;
	if (chmod(path, sb.st_mode & 0700))
		return pl_error_set(PL_EOS, "cannot make %s private (mode 0600; it may hold sync.password): %s",
		                    path, strerror(errno));
	return 0;
}

const char *config_system_path(void)
{
	const char *env = getenv("PLSYNC_SYSCONFIG");
	return env && *env ? env : "/etc/plsync/config";
}

/*
 * The data dir's config over the system-wide one (config_system_path(),
 * read if it exists): a key set in <dir>/config wins; writes go to
 * <dir>/config, the highest level.
 */
static int open_cfg(git_config **cfg, const char *dir)
{
	const char *sys = config_system_path();
	char path[4096];
	int rc;

	snprintf(path, sizeof(path), "%s/config", dir);
	make_private(path); /* reading a file we may not own: a failure is not fatal here */
	if ((rc = git_config_new(cfg)) < 0)
		return pl_error_from_git(rc, path);
	if (access(sys, F_OK) == 0 &&
	    (rc = git_config_add_file_ondisk(*cfg, sys, GIT_CONFIG_LEVEL_SYSTEM, NULL, 0)) < 0) {
		git_config_free(*cfg);
		*cfg = NULL;
		return pl_error_from_git(rc, sys);
	}
	if ((rc = git_config_add_file_ondisk(*cfg, path, GIT_CONFIG_LEVEL_LOCAL, NULL, 0)) < 0) {
		git_config_free(*cfg);
		*cfg = NULL;
		return pl_error_from_git(rc, path);
	}
	return 0;
}

/*
 * libgit2 rewrites the file through a lock file renamed over it, created
 * with mode 0666 less the umask: with umask 077 around the write it is 0600
 * from its first byte; then the mode is checked.
 */
static int write_cfg(const char *dir, const char *key, const char *value, int add)
{
	git_config *cfg = NULL;
	char path[4096];
	mode_t old;
	int rc;

	if ((rc = open_cfg(&cfg, dir)))
		return rc;
	old = umask(077);
	if (add)
		rc = git_config_set_multivar(cfg, key, "^$", value); /* "^$" matches no value: adds */
	else
		rc = git_config_set_string(cfg, key, value);
	umask(old);
	git_config_free(cfg);
	if (rc < 0)
		return pl_error_from_git(rc, key);
	snprintf(path, sizeof(path), "%s/config", dir);
	return make_private(path);
}

int config_set(const char *dir, const char *key, const char *value)
{
	return write_cfg(dir, key, value, 0);
}

int config_get(char **out, const char *dir, const char *key)
{
	git_config *cfg = NULL;
	git_buf b = { 0 };
	int rc;

	*out = NULL;
	if ((rc = open_cfg(&cfg, dir)))
		return rc;
	rc = git_config_get_string_buf(&b, cfg, key);
	git_config_free(cfg);
	if (rc == GIT_ENOTFOUND)
		return 0;
	if (rc < 0)
		return pl_error_from_git(rc, key);
	*out = strdup(b.ptr);
	git_buf_dispose(&b);
	return 0;
}

/* "Ann Lee <ann@x.org>" -> name, email. Returns 0 or PL_EUSAGE. */
static int split_user(char *name, size_t nsz, char *email, size_t esz, const char *user)
{
	const char *lt = strchr(user, '<'), *gt = strrchr(user, '>');
	size_t n;

	if (!lt || !gt || gt < lt || gt[1] != '\0' || lt == user)
		return pl_error_set(PL_EUSAGE, "--user must look like \"Name <email>\", got \"%s\"", user);
	n = (size_t)(lt - user);
	while (n && user[n - 1] == ' ')
		n--;
	if (!n || n >= nsz || (size_t)(gt - lt - 1) >= esz || gt - lt - 1 == 0)
		return pl_error_set(PL_EUSAGE, "--user must look like \"Name <email>\", got \"%s\"", user);
	memcpy(name, user, n);
	name[n] = '\0';
	memcpy(email, lt + 1, (size_t)(gt - lt - 1));
	email[gt - lt - 1] = '\0';
	return 0;
}

int config_write_init(const char *dir, const char *node, const char *name,
                      const char *user, const char *remote)
{
	char uname[128], email[128];
	int rc;

	if (user && (rc = split_user(uname, sizeof(uname), email, sizeof(email), user)))
		return rc;
	if ((rc = config_set(dir, "core.node", node)))
		return rc;
	if (name && (rc = config_set(dir, "core.name", name)))
		return rc;
	if (user && ((rc = config_set(dir, "user.name", uname)) || (rc = config_set(dir, "user.email", email))))
		return rc;
	if (remote && (rc = config_set(dir, "remote.url", remote)))
		return rc;
	return 0;
}

void config_actor(char *buf, size_t sz, const char *dir)
{
	char *name = NULL, *email = NULL;

	config_get(&name, dir, "user.name");
	config_get(&email, dir, "user.email");
	if (name && email) {
		snprintf(buf, sz, "%s <%s>", name, email);
	} else {
		const char *u = getenv("USER");
		char host[128] = "localhost";
		gethostname(host, sizeof(host) - 1);
		snprintf(buf, sz, "%s <%s@%s>", name ? name : u ? u : "unknown", u ? u : "unknown", host);
	}
	free(name);
	free(email);
}

static int collect(const git_config_entry *e, void *payload)
{
	json_array_append_new(payload, json_string(e->value));
	return 0;
}

int config_get_all(json_t **out, const char *dir, const char *key)
{
	git_config *cfg = NULL;
	json_t *arr = json_array();
	int rc;

	*out = NULL;
	if ((rc = open_cfg(&cfg, dir))) {
		json_decref(arr);
		return rc;
	}
	rc = git_config_get_multivar_foreach(cfg, key, NULL, collect, arr);
	git_config_free(cfg);
	if (rc < 0 && rc != GIT_ENOTFOUND) {
		json_decref(arr);
		return pl_error_from_git(rc, key);
	}
	*out = arr;
	return 0;
}

int config_add(const char *dir, const char *key, const char *value)
{
	return write_cfg(dir, key, value, 1);
}

const config_key *config_key_find(const char *name)
{
	for (const config_key *k = config_keys; k->name; k++)
		if (!strcasecmp(k->name, name))
			return k;
	return NULL;
}

static int list_one(const git_config_entry *e, void *payload)
{
	json_t *arr = payload, *o = json_pack("{ss ss ss}", "key", e->name, "value", e->value, "origin",
	                                      e->level == GIT_CONFIG_LEVEL_SYSTEM ? "system" : "dir");
	if (!o || json_array_append_new(arr, o))
		return -1;
	return 0;
}

int config_list(json_t **out, const char *dir)
{
	git_config *cfg = NULL;
	json_t *arr = json_array();
	int rc;

	*out = NULL;
	if (!arr)
		return pl_error_set(PL_ERROR, "out of memory");
	if ((rc = open_cfg(&cfg, dir))) {
		json_decref(arr);
		return rc;
	}
	rc = git_config_foreach(cfg, list_one, arr);
	git_config_free(cfg);
	if (rc < 0) {
		json_decref(arr);
		return rc == -1 ? pl_error_set(PL_ERROR, "out of memory") : pl_error_from_git(rc, dir);
	}
	*out = arr;
	return 0;
}
