/*
 * merge-record.c — the record of the last merge, and the one way back.
 *
 * REPO/plsync-last-merge holds "last <hex>\n", the merge commit the last
 * merge moved main to, and while a merge moves main "next <hex>\n" too (so
 * that a merge that dies on either side of the ref update leaves a record
 * that still describes main). It sits beside the cache, not in it: a cache
 * rebuilt from a tampered main would otherwise believe that main. Only a
 * merge and pl_merge_reset write it, under the merge lock, atomically.
 *
 * With it, a main that no longer contains the last merge (moved back by
 * hand, replaced) and a main with commits on top that no merge made (a hand
 * commit editing a state file) are told apart from the main the merges
 * made, and the merge refuses to build on them. pl_merge_reset is the
 * recorded way back: it moves main to one of the merges the record's
 * history holds and appends the decision to REPO/plsync-resets.log.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <git2.h>

#include "plsync/errors.h"
#include "plsync/merge.h"
#include "plsync/op.h"
#include "district-int.h"
#include "merge-int.h"
#include "merge-record-int.h"

#define RECORD_FILE "plsync-last-merge"
#define RESETS_FILE "plsync-resets.log"

static int is_hex40(const char *s)
{
	return strlen(s) == 40 && strspn(s, "0123456789abcdef") == 40;
}

int pl_merge__record_read(char last[41], char next[41], const char *repo_path)
{
	char path[4096], line[128];
	FILE *f;
	int rc = 0;

	last[0] = next[0] = '\0';
	snprintf(path, sizeof(path), "%s/" RECORD_FILE, repo_path);
	if (!(f = fopen(path, "r")))
		return errno == ENOENT ? 0 : pl_error_from_errno(path);
	while (!rc && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!strncmp(line, "last ", 5) && is_hex40(line + 5))
			memcpy(last, line + 5, 41);
		else if (!strncmp(line, "next ", 5) && is_hex40(line + 5))
			memcpy(next, line + 5, 41);
		else
			rc = pl_error_set(PL_ECORRUPT, "%s is damaged: a line is neither \"last <commit>\" nor "
			                  "\"next <commit>\"", path);
	}
	fclose(f);
	if (!rc && !last[0])
		rc = pl_error_set(PL_ECORRUPT, "%s is damaged: it names no last merge", path);
	return rc;
}

int pl_merge__record_write(const char *repo_path, const char *last, const char *next)
{
	char path[4096], tmp[4200];
	FILE *f;
	int fd;

	snprintf(path, sizeof(path), "%s/" RECORD_FILE, repo_path);
	snprintf(tmp, sizeof(tmp), "%s.new-%ld", path, (long)getpid());
	if (!(f = fopen(tmp, "w")))
		return pl_error_from_errno(tmp);
	fprintf(f, "last %s\n", last);
	if (next && *next)
		fprintf(f, "next %s\n", next);
	if (fflush(f) || fsync(fileno(f))) {
		int rc = pl_error_from_errno(tmp);
		fclose(f);
		unlink(tmp);
		return rc;
	}
	if (fclose(f) || rename(tmp, path)) {
		int rc = pl_error_from_errno(path);
		unlink(tmp);
		return rc;
	}
	if ((fd = open(repo_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		fsync(fd); /* the rename itself */
		close(fd);
	}
	return 0;
}

/* s as UTF-8 text on one line: control bytes replaced by `with`. */
static void printable(char *s, char with)
{
	pl_utf8_scrub(s);
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = with;
}

/* "<hex12> (\"subject\" by name)" of commit c into buf: printable text only. */
static void describe(char *buf, size_t sz, git_commit *c)
{
	char hex[41], subj[64], who[48];
	const char *s = git_commit_summary(c), *n = git_commit_author(c)->name;

	git_oid_tostr(hex, sizeof(hex), git_commit_id(c));
	snprintf(subj, sizeof(subj), "%s", s ? s : "");
	snprintf(who, sizeof(who), "%s", n ? n : "");
	printable(subj, '?');
	printable(who, '?');
	snprintf(buf, sz, "%.12s (\"%s\" by %s)", hex, subj, who);
}

/* A node's commit: its tree holds ops/<node>/ and nothing else. */
static int is_node_commit(git_repository *repo, const git_oid *oid)
{
	git_commit *c = NULL;
	git_tree *t = NULL;
	char node[64];
	int yes = 0;

	if (git_commit_lookup(&c, repo, oid) == 0 && git_commit_tree(&t, c) == 0 && git_tree_entrycount(t) == 1 &&
	    !strcmp(git_tree_entry_name(git_tree_entry_byindex(t, 0)), "ops"))
		yes = pl_sync__node_of(node, sizeof(node), repo, oid) == 0;
	git_tree_free(t);
	git_commit_free(c);
	return yes;
}

/* The commits of main (tip) on top of `base` that are not node commits: their number, the oldest. */
static int foreign_commits(size_t *n, git_commit **oldest, git_repository *repo, const git_oid *tip,
                           const git_oid *base)
{
	git_revwalk *walk = NULL;
	git_oid oid, first;
	int grc;

	*n = 0;
	*oldest = NULL;
	if ((grc = git_revwalk_new(&walk, repo)) < 0 || (grc = git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL)) < 0 ||
	    (grc = git_revwalk_push(walk, tip)) < 0 || (grc = git_revwalk_hide(walk, base)) < 0) {
		git_revwalk_free(walk);
		return pl_error_from_git(grc, "main");
	}
	while ((grc = git_revwalk_next(&oid, walk)) == 0) {
		if (!is_node_commit(repo, &oid)) {
			first = oid; /* children come first: the last one is the oldest */
			(*n)++;
		}
	}
	git_revwalk_free(walk);
	if (grc != GIT_ITEROVER)
		return pl_error_from_git(grc, "main");
	if (*n && (grc = git_commit_lookup(oldest, repo, &first)) < 0)
		return pl_error_from_git(grc, "main");
	return 0;
}

int pl_merge__main_check(int *kind, char *why, size_t sz, char bad[41], git_repository *repo,
                         const char *repo_path, const git_oid *main_tip)
{
	char last[41], next[41], mhex[41] = "", desc[200];
	git_oid base;
	git_commit *tipc = NULL, *oldest = NULL;
	size_t n = 0;
	int rc;

	*kind = PL_MAIN_OK;
	why[0] = bad[0] = '\0';
	if ((rc = pl_merge__record_read(last, next, repo_path)))
		return rc;
	if (main_tip)
		git_oid_tostr(mhex, sizeof(mhex), main_tip);
	if (!last[0]) {
		/* no record yet (no merge, or one before the record was kept): main's tip */
		if (!main_tip)
			return 0;
		if ((rc = git_commit_lookup(&tipc, repo, main_tip)) < 0)
			return pl_error_from_git(rc, "main");
		if (git_commit_parentcount(tipc) == 1) {
			describe(desc, sizeof(desc), tipc);
			*kind = PL_MAIN_FOREIGN;
			memcpy(bad, mhex, 41);
			snprintf(why, sz, "main's tip %s is not a merge commit: a merge's parents are the old main and "
			         "the node tips it merged", desc);
		}
		git_commit_free(tipc);
		return 0;
	}
	if (!main_tip) {
		*kind = PL_MAIN_LOST;
		memcpy(bad, last, 41);
		snprintf(why, sz, "refs/heads/main is gone, but the last merge made here was %.12s", last);
		return 0;
	}
	if (!strcmp(mhex, last) || !strcmp(mhex, next))
		return 0;
	/* the base: the later of last and next that main contains */
	if (next[0] && git_oid_fromstr(&base, next) == 0 && git_graph_descendant_of(repo, main_tip, &base) == 1)
		memcpy(last, next, 41);
	if (git_oid_fromstr(&base, last) < 0 || git_graph_descendant_of(repo, main_tip, &base) != 1) {
		*kind = PL_MAIN_LOST;
		memcpy(bad, mhex, 41);
		snprintf(why, sz, "main is %.12s, which does not contain %.12s, the last merge made here: main was "
		         "moved back or replaced by hand", mhex, last);
		return 0;
	}
	if ((rc = foreign_commits(&n, &oldest, repo, main_tip, &base)))
		return rc;
	if (n) {
		char ohex[41];
		describe(desc, sizeof(desc), oldest);
		git_oid_tostr(ohex, sizeof(ohex), git_commit_id(oldest));
		*kind = PL_MAIN_FOREIGN;
		memcpy(bad, ohex, 41);
		snprintf(why, sz, "main (%.12s) has %zu commit%s on top of the last merge %.12s that no merge made, "
		         "the first %s", mhex, n, n == 1 ? "" : "s", last, desc);
	} else {
		/* only node commits on top: still not a merge's doing */
		*kind = PL_MAIN_FOREIGN;
		memcpy(bad, mhex, 41);
		snprintf(why, sz, "main (%.12s) is not the last merge %.12s, and no merge made it", mhex, last);
	}
	git_commit_free(oldest);
	return 0;
}

/* ---- the way back ---- */

/* target on the first-parent chain from `from`, and a merge commit (not the root)? */
static int on_merge_chain(git_repository *repo, const git_oid *from, const git_oid *target)
{
	git_commit *c = NULL;
	int found = 0;

	if (git_commit_lookup(&c, repo, from) < 0)
		return 0;
	while (c && !found) {
		git_commit *p = NULL;
		if (git_oid_equal(git_commit_id(c), target))
			found = git_commit_parentcount(c) >= 2;
		else if (git_commit_parentcount(c) == 0 || git_commit_parent(&p, c, 0) < 0)
			p = NULL;
		git_commit_free(c);
		c = found ? NULL : p;
	}
	git_commit_free(c);
	return found;
}

static int log_reset(const char *repo_path, const char *old_main, const char *last, const char *target,
                     const char *reason)
{
	char path[4096], when[32], text[256];
	time_t now = time(NULL);
	struct tm tm;
	FILE *f;

	snprintf(path, sizeof(path), "%s/" RESETS_FILE, repo_path);
	snprintf(text, sizeof(text), "%s", reason ? reason : "");
	printable(text, ' ');
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (!(f = fopen(path, "a")))
		return pl_error_from_errno(path);
	fprintf(f, "%s main %s -> %s (last merge was %s)%s%s\n", when, old_main[0] ? old_main : "(none)", target,
	        last[0] ? last : "(none)", text[0] ? ": " : "", text);
	if (fflush(f) || fsync(fileno(f))) {
		int rc = pl_error_from_errno(path);
		fclose(f);
		return rc;
	}
	return fclose(f) ? pl_error_from_errno(path) : 0;
}

int pl_merge_reset(char old_main[41], const char *repo_path, const char *rev, const char *reason)
{
	git_repository *repo = NULL;
	git_object *obj = NULL;
	git_reference *ref = NULL;
	git_oid main_tip, from, target;
	char last[41], next[41], thex[41];
	int has_main, rc, grc, lock = -1;

	old_main[0] = '\0';
	if ((rc = pl_sync__open_district(&repo, repo_path)) || (rc = pl_merge__lock(&lock, repo_path, -1, "resetting")) ||
	    (rc = pl_merge__record_read(last, next, repo_path)))
		goto cleanup;
	has_main = git_reference_name_to_id(&main_tip, repo, "refs/heads/main") == 0;
	if (has_main)
		git_oid_tostr(old_main, 41, &main_tip);
	if ((grc = git_revparse_single(&obj, repo, rev)) < 0) {
		rc = pl_error_set(PL_ENOTFOUND, "%s: not a commit of the district repository", rev);
		goto cleanup;
	}
	if (git_object_type(obj) != GIT_OBJECT_COMMIT) {
		rc = pl_error_set(PL_EUSAGE, "%s: not a commit", rev);
		goto cleanup;
	}
	target = *git_object_id(obj);
	git_oid_tostr(thex, sizeof(thex), &target);
	/* a merge this repository made: on the first-parent chain of the
	 * record's last merge (or of main, before any record was kept) */
	if (last[0] ? git_oid_fromstr(&from, last) < 0 : !has_main) {
		rc = pl_error_set(PL_ENOTFOUND, "nothing was merged here yet: there is no merge to go back to");
		goto cleanup;
	}
	if (!last[0])
		from = main_tip;
	if (!on_merge_chain(repo, &from, &target)) {
		rc = pl_error_set(PL_EUSAGE, "%.12s is not one of the merges made here (the first-parent history of the "
		                  "last merge %.12s): main can only go back to a merge", thex, last[0] ? last : old_main);
		goto cleanup;
	}
	if ((rc = log_reset(repo_path, old_main, last, thex, reason)))
		goto cleanup;
	if ((grc = git_reference_create(&ref, repo, "refs/heads/main", &target, 1, "plsync-district reset")) < 0) {
		rc = pl_error_from_git(grc, "moving refs/heads/main");
		goto cleanup;
	}
	/* the cache no longer describes main: the next merge rebuilds it */
	rc = pl_merge__record_write(repo_path, thex, NULL);
cleanup:
	git_reference_free(ref);
	git_object_free(obj);
	git_repository_free(repo);
	pl_merge__unlock(lock);
	return rc;
}
