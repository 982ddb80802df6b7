/*
 * sign-int.h — signing inside sync/ (key.c, sign.c, enroll.c): the SSH wire
 * encoding (RFC 4251 string and uint32), signed commits, and the merge's
 * check of a node commit against the district's keyring.
 */
#ifndef PLSYNC_SYNC_SIGN_INT_H
#define PLSYNC_SYNC_SIGN_INT_H

#include <stddef.h>
#include <stdint.h>

#include <git2.h>

#include "plsync/key.h"

/* A growing byte buffer; on out of memory `oom` is set and later appends do nothing. */
struct wbuf {
	unsigned char *p;
	size_t         len, cap;
	int            oom;
};
void pl_sync__w_bytes(struct wbuf *b, const void *p, size_t n);
void pl_sync__w_u32(struct wbuf *b, uint32_t v);
void pl_sync__w_string(struct wbuf *b, const void *p, size_t n);
void pl_sync__w_cstring(struct wbuf *b, const char *s);

/* A reader over bytes; a read past the end sets `bad` and yields nothing. */
struct rbuf {
	const unsigned char *p;
	size_t               len, off;
	int                  bad;
};
uint32_t pl_sync__r_u32(struct rbuf *r);
/* The next string: *n bytes at the returned pointer (into the buffer), NULL if bad. */
const unsigned char *pl_sync__r_string(struct rbuf *r, size_t *n);
/* 1 if the next string equals s. */
int pl_sync__r_string_is(struct rbuf *r, const char *s);

/* The SSH key blob of an ed25519 public key: string "ssh-ed25519", string pk (51 bytes). */
#define PL_KEY_BLOB_LEN 51
void pl_sync__key_blob(unsigned char blob[PL_KEY_BLOB_LEN], const unsigned char pk[32]);

/*
 * A commit like git_commit_create's (update_ref NULL), signed with k
 * (SSHSIG, namespace "git") in its gpgsig header when k is not NULL.
 */
int pl_sync__commit_signed(git_oid *out, git_repository *repo, const pl_key *k, const git_signature *author,
                           const git_signature *committer, const char *msg, const git_tree *tree,
                           size_t nparents, const git_commit **parents);

/*
 * The key that signed `commit` (SSHSIG over its content, namespace "git"):
 * 0 and *signer; 1 and why (of sz bytes) if it is unsigned or the signature
 * is not valid; a negative PL_E* code on a failure to read.
 */
int pl_sync__commit_signer(pl_key *signer, char *why, size_t sz, git_repository *repo, const git_oid *commit);

/*
 * The keyring on `ref` of repo (empty if the ref does not exist), its tip
 * checked to be signed by `district` (if not NULL) or by the key with
 * fingerprint district_fp (if not NULL). PL_ECORRUPT if not.
 */
int pl_sync__keyring_read(pl_keyring *kr, git_repository *repo, const char *ref, const pl_key *district,
                          const char *district_fp);

/*
 * The merge's check of node commit `commit` of `node` (kr holds a key for
 * node): 0 if signed by a key enrolled for node and valid at the commit's
 * committer time; 1 with the reason in why; a negative PL_E* code on a
 * failure to read.
 */
int pl_sync__keyring_check(char *why, size_t sz, const pl_keyring *kr, const char *node, git_repository *repo,
                           const git_oid *commit);

#endif
