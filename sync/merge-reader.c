/*
 * merge-reader.c — pl_merge_cache_open: the merge's cache for a reader
 * (plsync-audit log, blame, show). A reader who can write the repository
 * uses its cache (<repo>/plsync-cache) under the merge lock, as the merge
 * does. One who cannot (an auditor with read-only access) gets a cache of
 * their own: $XDG_CACHE_HOME/plsync/<repo name>-<hash of the repository's
 * real path> (~/.cache/plsync/... without XDG_CACHE_HOME), built from main
 * and checked against main exactly as the repository's is, under a lock of
 * its own beside it (<dir>.lock). It is only ever one the user built: the
 * plsync dir must be the user's and writable by no one else.
 */
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <git2.h>

#include "plsync/errors.h"
#include "plsync/merge.h"
#include "plsync/store.h"
#include "district-int.h"
#include "merge-int.h"

/* Can the user write what a check or a rebuild of the repository's cache writes? */
static int repo_cache_writable(const char *repo_path)
{
	static const char *const paths[] = { "", "/plsync-merge.lock", "/plsync-cache", "/plsync-cache/store",
		                             "/plsync-cache/store/data.mdb", "/plsync-cache/store/lock.mdb" };
	char p[PATH_MAX + 64];
	struct stat sb;

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", repo_path, paths[i]);
		if (lstat(p, &sb) < 0) {
			if (i && errno == ENOENT)
				continue; /* made by the first rebuild, in a dir we can write */
			return 0;
		}
		if (access(p, R_OK | W_OK | (S_ISDIR(sb.st_mode) ? X_OK : 0)) < 0)
			return 0;
	}
	return 1;
}

/* mkdir -p with mode 0700 for what it makes. */
static int mkdirs(char *path)
{
	for (char *s = path + 1;; s++) {
		if (*s && *s != '/')
			continue;
		char c = *s;
		*s = '\0';
		int r = mkdir(path, 0700);
		*s = c;
		if (r < 0 && errno != EEXIST)
			return pl_error_from_errno(path);
		if (!c)
			return 0;
	}
}

/*
 * The user's cache dir for the repository at repo_path into buf: under
 * $XDG_CACHE_HOME (when absolute, as the XDG spec says) or ~/.cache, a
 * plsync dir that must be the user's alone, then the repository's base name
 * (filename characters only) and 16 hex digits of the SHA-1 of its real path.
 */
static int user_cache_dir(char *buf, size_t sz, const char *repo_path)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME"), *base;
	char real[PATH_MAX], name[41], hex[GIT_OID_HEXSZ + 1];
	struct passwd *pw;
	struct stat sb;
	git_oid h;
	size_t n = 0;
	int rc;

	if (!realpath(repo_path, real))
		return pl_error_from_errno(repo_path);
	if ((!home || home[0] != '/') && (pw = getpwuid(getuid())))
		home = pw->pw_dir;
	if (xdg && xdg[0] == '/')
		snprintf(buf, sz, "%s/plsync", xdg);
	else if (home && home[0] == '/')
		snprintf(buf, sz, "%s/.cache/plsync", home);
	else
		return pl_error_set(PL_EOS, "cannot write %s, and there is no cache dir of yours for a copy of its "
		                    "cache (neither XDG_CACHE_HOME nor HOME is an absolute path)", repo_path);
	if ((rc = mkdirs(buf)))
		return rc;
	if (lstat(buf, &sb) < 0)
		return pl_error_from_errno(buf);
	if (!S_ISDIR(sb.st_mode) || sb.st_uid != getuid() || (sb.st_mode & 022))
		return pl_error_set(PL_EINVALID, "%s is not a directory of yours that only you can write: "
		                    "a cache there could hold what someone else wrote, so it is not used", buf);
	base = strrchr(real, '/');
	for (base = base && base[1] ? base + 1 : "repo"; *base && n < sizeof(name) - 1; base++)
		name[n++] = (strchr("-_.", *base) || (*base >= '0' && *base <= '9') || (*base >= 'a' && *base <= 'z') ||
		             (*base >= 'A' && *base <= 'Z')) ? *base : '_';
	name[n] = '\0';
	if (git_odb_hash(&h, real, strlen(real), GIT_OBJECT_BLOB) < 0)
		return pl_error_from_git(-1, "hashing the repository's path");
	git_oid_tostr(hex, sizeof(hex), &h);
	hex[16] = '\0';
	snprintf(buf + strlen(buf), sz - strlen(buf), "/%s-%s", name, hex);
	if (lstat(buf, &sb) == 0 && (!S_ISDIR(sb.st_mode) || sb.st_uid != getuid()))
		return pl_error_set(PL_EINVALID, "%s is not a directory of yours: it is not used as a cache", buf);
	return 0;
}

int pl_merge_cache_open(pl_store **out, const char *repo_path)
{
	git_repository *repo = NULL;
	git_oid main_tip;
	char dir[PATH_MAX + 64], lock_path[PATH_MAX + 80];
	int has_main, rebuilt, rc, lock = -1, own = !repo_cache_writable(repo_path);

	*out = NULL;
	if ((rc = pl_sync__open_district(&repo, repo_path)))
		return rc;
	if (own && !(rc = user_cache_dir(dir, sizeof(dir), repo_path))) {
		snprintf(lock_path, sizeof(lock_path), "%s.lock", dir);
		rc = pl_merge__lock_at(&lock, lock_path, repo_path, -1, "reading the cache");
	} else if (!own) {
		rc = pl_merge__lock(&lock, repo_path, -1, "reading the cache");
	}
	if (!rc) {
		/* main is read once: a merge running now moves it to a whole new commit, or not yet */
		has_main = git_reference_name_to_id(&main_tip, repo, "refs/heads/main") == 0;
		if (own)
			rc = pl_merge__cache_ready_at(out, &rebuilt, repo, dir, has_main ? &main_tip : NULL, 0);
		else
			rc = pl_merge__cache_ready(out, &rebuilt, repo, repo_path, has_main ? &main_tip : NULL, 0);
	}
	pl_merge__unlock(lock);
	git_repository_free(repo);
	return rc;
}
