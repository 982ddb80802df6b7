/*
 * sigcost.h — the cost of signed history, for bench/merge and bench/sync.
 *
 * Node commits are signed as the agent signs them (SSHSIG, namespace "git",
 * in the gpgsig header, over the commit without that header) and checked
 * as the merge checks them (git_commit_extract_signature, then the SSHSIG
 * check). The time of each signature and each check is summed here, so a
 * benchmark prints them per commit and in total beside its own figures.
 * Only the public API (plsync/key.h) and libgit2 are used.
 */
#ifndef PLSYNC_BENCH_SIGCOST_H
#define PLSYNC_BENCH_SIGCOST_H

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <git2.h>

#include "plsync/key.h"

struct sigcost {
	size_t signed_n, checked_n;
	double sign_secs, verify_secs;
};

static inline double sc_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* git_commit_create's commit (no ref update), signed with k; 0 or -1. */
static inline int sc_commit_signed(git_oid *out, git_repository *repo, const pl_key *k, const git_signature *who,
                            const char *msg, const git_tree *tree, size_t np, const git_commit **parents,
                            struct sigcost *sc)
{
	git_buf buf = GIT_BUF_INIT;
	char *sig = NULL;
	int rc = -1;

	if (git_commit_create_buffer(&buf, repo, who, who, NULL, msg, tree, np, parents) < 0)
		return -1;
	double t = sc_now();
	if (pl_sshsig_sign(&sig, k, "git", buf.ptr, buf.size) == 0) {
		sc->sign_secs += sc_now() - t;
		sc->signed_n++;
		size_t n = strlen(sig);
		while (n && sig[n - 1] == '\n')
			sig[--n] = '\0';
		rc = git_commit_create_with_signature(out, repo, buf.ptr, sig, NULL) < 0 ? -1 : 0;
	}
	free(sig);
	git_buf_dispose(&buf);
	return rc;
}

/* Check the signature of every commit reachable from `ref`; the number of
 * commits that were not signed by a valid SSHSIG is returned (0: all good).
 * With `resign`, each commit's signed content is also signed again with
 * that key, timed: the signing cost of commits another process made. */
static inline size_t sc_check_ref(git_repository *repo, const char *ref, struct sigcost *sc, const pl_key *resign)
{
	git_revwalk *w = NULL;
	git_oid id;
	size_t bad = 0;

	if (git_revwalk_new(&w, repo) < 0 || git_revwalk_push_ref(w, ref) < 0) {
		git_revwalk_free(w);
		return 1;
	}
	while (git_revwalk_next(&id, w) == 0) {
		git_buf sig = GIT_BUF_INIT, data = GIT_BUF_INIT;
		pl_key signer;
		if (git_commit_extract_signature(&sig, &data, repo, &id, NULL) < 0) {
			bad++;
			continue;
		}
		double t = sc_now();
		if (pl_sshsig_verify(&signer, sig.ptr, sig.size, "git", data.ptr, data.size))
			bad++;
		sc->verify_secs += sc_now() - t;
		sc->checked_n++;
		if (resign) {
			char *again = NULL;
			t = sc_now();
			if (pl_sshsig_sign(&again, resign, "git", data.ptr, data.size) == 0) {
				sc->sign_secs += sc_now() - t;
				sc->signed_n++;
			}
			free(again);
		}
		git_buf_dispose(&sig);
		git_buf_dispose(&data);
	}
	git_revwalk_free(w);
	return bad;
}

/* "signing: N commits, X us each, Y ms in all (Z% of `whole` s)" and the same for the check. */
static inline void sc_print(const char *indent, const struct sigcost *sc, double whole)
{
	if (sc->signed_n)
		printf("%ssigning      %8zu commits %8.1f us/commit %9.2f ms in all (%.2f%% of %.2f s)\n", indent,
		       sc->signed_n, sc->sign_secs / sc->signed_n * 1e6, sc->sign_secs * 1e3,
		       whole > 0 ? sc->sign_secs / whole * 100 : 0, whole);
	if (sc->checked_n)
		printf("%sverification %8zu commits %8.1f us/commit %9.2f ms in all (%.2f%% of %.2f s)\n", indent,
		       sc->checked_n, sc->verify_secs / sc->checked_n * 1e6, sc->verify_secs * 1e3,
		       whole > 0 ? sc->verify_secs / whole * 100 : 0, whole);
}

#endif
