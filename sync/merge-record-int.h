/*
 * merge-record-int.h — the record of the last merge (merge-record.c;
 * private to sync/): REPO/plsync-last-merge, kept beside the cache and
 * written by every merge, read by the merge and by verify to tell a main
 * the merges made from one moved back or built on by hand.
 */
#ifndef PLSYNC_SYNC_MERGE_RECORD_INT_H
#define PLSYNC_SYNC_MERGE_RECORD_INT_H

#include <stddef.h>

#include <git2.h>

/* What pl_merge__main_check found. */
enum {
	PL_MAIN_OK,       /* main is the last merge (or no record is kept yet) */
	PL_MAIN_FOREIGN,  /* main has commits on top that no merge made */
	PL_MAIN_LOST      /* main no longer contains the last merge (moved back, replaced, gone) */
};

/*
 * The record of repo_path: `last` the last merge commit a merge moved main
 * to, `next` ("" if none) the one a merge was moving main to when it wrote
 * the record (the merge may have died before or after the ref update).
 * Both "" when there is no record. PL_ECORRUPT if it is damaged.
 */
int pl_merge__record_read(char last[41], char next[41], const char *repo_path);
/* Write the record (next may be NULL) atomically: a new file, fsync, rename. */
int pl_merge__record_write(const char *repo_path, const char *last, const char *next);
/*
 * Check main (main_tip, NULL if there is no main) against the record:
 * *kind is one of PL_MAIN_*, `why` a one-line description naming the
 * commits when it is not PL_MAIN_OK, `bad` the commit it names first (main's
 * first foreign commit, or main itself). A main that is the record's `next`
 * is the last merge (a merge died after moving main). Without a record,
 * only main's tip is checked (a non-root commit with one parent is not a
 * merge). Errors only when the repository cannot be read.
 */
int pl_merge__main_check(int *kind, char *why, size_t sz, char bad[41], git_repository *repo,
                         const char *repo_path, const git_oid *main_tip);

#endif
