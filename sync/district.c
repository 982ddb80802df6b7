/*
 * district.c — the district repository: a bare git repository that every
 * node pushes its ref to and the district merge reads. Creating it is
 * idempotent; a path holding anything else is refused. Also what the merge,
 * its cache and verify all read of it: opening it (only a repository marked
 * plsync.district), the node refs, and which node a node commit belongs to.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <git2.h>

#include "plsync/errors.h"
#include "plsync/sync.h"
#include "district-int.h"
#include "remote-int.h"

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

/*
 * gc.auto = 0: no git command starts a gc of its own in the repository (a
 * push, a merge's git, an admin's), so gc runs only when the admin says.
 * An integer: git reads gc.auto as a number, and an older plsync's init
 * wrote "false", which git 2.39 refuses ("bad numeric config value") in
 * every gc and every push into the repository. A value git cannot read as
 * a number, or none, is set to 0 and said in `fixed`; a number the admin
 * chose is kept.
 */
static int gc_auto(git_config *cfg, char *fixed, size_t sz)
{
	git_buf old = GIT_BUF_INIT;
	int32_t v;
	int grc = git_config_get_int32(&v, cfg, "gc.auto");

	if (grc == 0)
		return 0;
	if (grc != GIT_ENOTFOUND && git_config_get_string_buf(&old, cfg, "gc.auto") == 0)
		snprintf(fixed, sz, "gc.auto was '%s', which git cannot read as a number: set to 0", old.ptr);
	else
		snprintf(fixed, sz, "gc.auto was not set: set to 0");
	git_buf_dispose(&old);
	return git_config_set_int32(cfg, "gc.auto", 0);
}

int pl_district_init(const char *path)
{
	char fixed[256];

	return pl_district_init_fix(path, fixed, sizeof(fixed));
}

int pl_district_init_fix(const char *path, char *fixed, size_t sz)
{
	git_repository *repo = NULL;
	git_config *cfg = NULL;
	struct stat sb;
	int rc = 0, grc, is_ours = 0;
	char scratch[256];

	fixed[0] = '\0';
	if (stat(path, &sb) == 0) {
		if (!S_ISDIR(sb.st_mode))
			return pl_error_set(PL_EEXISTS, "%s exists and is not a directory", path);
		if (dir_is_empty(path) != 1) {
			if (git_repository_open_bare(&repo, path) < 0)
				return pl_error_set(PL_EEXISTS, "%s exists and is not a git repository; "
				                    "choose another path or empty it", path);
			if (git_repository_config(&cfg, repo) == 0 &&
			    git_config_get_bool(&is_ours, cfg, "plsync.district") == 0 && is_ours) {
				/* made by an older plsync: repair and add what is missing */
				if ((grc = gc_auto(cfg, fixed, sz)) < 0)
					rc = pl_error_from_git(grc, path);
				git_config_free(cfg);
				if (!rc)
					rc = pl_sync__tune_repo(repo);
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
	    (grc = gc_auto(cfg, scratch, sizeof(scratch))) < 0) /* a new repository: nothing to tell */
		rc = pl_error_from_git(grc, path);
	git_config_free(cfg);
	if (!rc)
		rc = pl_sync__tune_repo(repo);
	git_repository_free(repo);
	return rc;
}

/* ---- what the merge, its cache and verify read ---- */

int pl_sync__open_district(git_repository **repo, const char *path)
{
	git_config *cfg = NULL;
	int ours = 0, grc;

	if ((grc = git_repository_open_bare(repo, path)) < 0) {
		pl_error_set(PL_ENOTFOUND, "%s is not a git repository", path);
		return pl_error_hint(PL_HINT_DISTRICT_INIT, path);
	}
	if (git_repository_config(&cfg, *repo) == 0)
		git_config_get_bool(&ours, cfg, "plsync.district");
	git_config_free(cfg);
	if (!ours) {
		git_repository_free(*repo);
		*repo = NULL;
		return pl_error_set(PL_EINVALID, "%s is not a plsync district repository (no plsync.district in its config)", path);
	}
	return 0;
}

int pl_sync__node_of(char *out, size_t sz, git_repository *repo, const git_oid *commit)
{
	git_commit *c = NULL;
	git_tree *t = NULL, *ops = NULL;
	git_tree_entry *e = NULL;
	int rc = PL_ENOTFOUND;

	if (git_commit_lookup(&c, repo, commit) == 0 && git_commit_tree(&t, c) == 0 &&
	    git_tree_entry_bypath(&e, t, "ops") == 0 && git_tree_lookup(&ops, repo, git_tree_entry_id(e)) == 0 &&
	    git_tree_entrycount(ops) == 1) {
		snprintf(out, sz, "%s", git_tree_entry_name(git_tree_entry_byindex(ops, 0)));
		rc = 0;
	}
	git_tree_free(ops);
	git_tree_entry_free(e);
	git_tree_free(t);
	git_commit_free(c);
	return rc;
}

/* The ref names met so far (malloc'd, owned by the list). */
struct names {
	char  **v;
	size_t  n, cap;
	int     oom;
};

static int collect_ref(const char *name, void *payload)
{
	struct names *l = payload;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		char **nv = realloc(l->v, cap * sizeof(*nv));
		if (!nv) {
			l->oom = 1;
			return 0;
		}
		l->v = nv;
		l->cap = cap;
	}
	if (!(l->v[l->n] = strdup(name)))
		l->oom = 1;
	else
		l->n++;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int pl_sync__node_refs(json_t **out, git_repository *repo, int sorted)
{
	struct names l = { NULL, 0, 0, 0 };
	json_t *refs = json_array();
	int rc = 0;

	*out = NULL;
	git_reference_foreach_glob(repo, "refs/heads/nodes/*", collect_ref, &l);
	if (sorted && l.n > 1)
		qsort(l.v, l.n, sizeof(*l.v), cmp_str);
	for (size_t i = 0; i < l.n && refs && !l.oom; i++)
		if (json_array_append_new(refs, json_string(l.v[i])))
			l.oom = 1;
	if (!refs || l.oom) {
		json_decref(refs);
		rc = pl_error_set(PL_ERROR, "out of memory");
	} else {
		*out = refs;
	}
	for (size_t i = 0; i < l.n; i++)
		free(l.v[i]);
	free(l.v);
	return rc;
}
