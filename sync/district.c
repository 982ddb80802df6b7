/*
 * district.c — the district repository: a bare git repository that every
 * node pushes its ref to and the district merge reads. Creating it is
 * idempotent; a path holding anything else is refused.
 */
#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include <git2.h>

#include "plsync/errors.h"
#include "internal.h"

static int dir_is_empty(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int empty = 1;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			empty = 0;
	closedir(d);
	return empty;
}

int pl_district_init(const char *path)
{
	git_repository *repo = NULL;
	git_config *cfg = NULL;
	struct stat sb;
	int rc = 0, grc, is_ours = 0;

	if (stat(path, &sb) == 0) {
		if (!S_ISDIR(sb.st_mode))
			return pl_error_set(PL_EEXISTS, "%s exists and is not a directory", path);
		if (dir_is_empty(path) != 1) {
			if (git_repository_open_bare(&repo, path) < 0)
				return pl_error_set(PL_EEXISTS, "%s exists and is not a git repository; "
				                    "choose another path or empty it", path);
			if (git_repository_config(&cfg, repo) == 0 &&
			    git_config_get_bool(&is_ours, cfg, "plsync.district") == 0 && is_ours) {
				git_config_free(cfg);
				rc = pl_sync__tune_repo(repo); /* made by an older plsync: add what is missing */
				git_repository_free(repo);
				return rc; /* already ours */
			}
			git_config_free(cfg);
			git_repository_free(repo);
			return pl_error_set(PL_EEXISTS, "%s is a git repository but not a plsync district "
			                    "repository (no plsync.district in its config)", path);
		}
	} else if (errno != ENOENT) {
		return pl_error_from_errno(path);
	}
	{
		git_repository_init_options io = GIT_REPOSITORY_INIT_OPTIONS_INIT;
		io.flags = GIT_REPOSITORY_INIT_BARE | GIT_REPOSITORY_INIT_MKPATH;
		io.initial_head = "main";
		io.mode = GIT_REPOSITORY_INIT_SHARED_GROUP;
		if ((grc = git_repository_init_ext(&repo, path, &io)) < 0)
			return pl_error_from_git(grc, path);
	}
	if ((grc = git_repository_config(&cfg, repo)) < 0 ||
	    (grc = git_config_set_bool(cfg, "plsync.district", 1)) < 0 ||
	    /* nodes push fast-forward only; nothing is ever deleted */
	    (grc = git_config_set_bool(cfg, "receive.denyNonFastForwards", 1)) < 0 ||
	    (grc = git_config_set_bool(cfg, "receive.denyDeletes", 1)) < 0 ||
	    (grc = git_config_set_bool(cfg, "receive.fsckObjects", 1)) < 0 ||
	    (grc = git_config_set_bool(cfg, "http.receivepack", 1)) < 0 ||
	    (grc = git_config_set_bool(cfg, "gc.auto", 0)) < 0)
		rc = pl_error_from_git(grc, path);
	git_config_free(cfg);
	if (!rc)
		rc = pl_sync__tune_repo(repo);
	git_repository_free(repo);
	return rc;
}
