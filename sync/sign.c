/*
 * sign.c — SSH signatures (OpenSSH's PROTOCOL.sshsig) over commits, as
 * `ssh-keygen -Y sign -n git` makes them and `git verify-commit` checks
 * them (gpg.format = ssh): an Ed25519 signature over "SSHSIG", the
 * namespace, a reserved string, the hash's name and the SHA-512 of the
 * message, sent as base64 between "-----BEGIN SSH SIGNATURE-----" lines
 * with the signer's public key inside. A signed commit holds it in its
 * gpgsig header (git_commit_create_with_signature); the message signed is
 * the commit without that header.
 *
 * Rules kept here: every length is checked against the bytes left; only
 * ssh-ed25519 keys, hash sha512 (or sha256, which ssh-keygen may also
 * make), version 1 and the namespace asked for are accepted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "plsync/errors.h"
#include "plsync/key.h"
#include "sign-int.h"

#define SIG_BEGIN "-----BEGIN SSH SIGNATURE-----"
#define SIG_END   "-----END SSH SIGNATURE-----"
#define SIG_MAGIC "SSHSIG"
#define SIG_MAX   4096

/* The bytes the key signs: magic, namespace, reserved, hash name, H(msg). */
static void signed_data(struct wbuf *b, const char *ns, const char *hash, const void *msg, size_t len)
{
	unsigned char h[crypto_hash_sha512_BYTES];
	size_t hl;

	if (!strcmp(hash, "sha256")) {
		crypto_hash_sha256(h, msg, len);
		hl = crypto_hash_sha256_BYTES;
	} else {
		crypto_hash_sha512(h, msg, len);
		hl = crypto_hash_sha512_BYTES;
	}
	pl_sync__w_bytes(b, SIG_MAGIC, 6);
	pl_sync__w_cstring(b, ns);
	pl_sync__w_cstring(b, "");
	pl_sync__w_cstring(b, hash);
	pl_sync__w_string(b, h, hl);
}

int pl_sshsig_sign(char **armored, const pl_key *k, const char *ns, const void *msg, size_t len)
{
	struct wbuf data = { 0 }, sigb = { 0 }, blob = { 0 };
	unsigned char sig[crypto_sign_BYTES], kb[PL_KEY_BLOB_LEN];
	char *b64 = NULL, *out = NULL;
	size_t b64len, cap, off = 0;
	int rc = 0;

	*armored = NULL;
	if (!k->secret)
		return pl_error_set(PL_EINVALID, "the key has no secret: it cannot sign");
	if (sodium_init() < 0)
		return pl_error_set(PL_ERROR, "libsodium could not be initialised");
	signed_data(&data, ns, "sha512", msg, len);
	if (data.oom) {
		rc = pl_error_set(PL_ERROR, "out of memory");
		goto cleanup;
	}
	crypto_sign_detached(sig, NULL, data.p, data.len, k->sk);
	pl_sync__w_cstring(&sigb, "ssh-ed25519");
	pl_sync__w_string(&sigb, sig, sizeof(sig));
	pl_sync__key_blob(kb, k->pk);
	pl_sync__w_bytes(&blob, SIG_MAGIC, 6);
	pl_sync__w_u32(&blob, 1);
	pl_sync__w_string(&blob, kb, sizeof(kb));
	pl_sync__w_cstring(&blob, ns);
	pl_sync__w_cstring(&blob, "");
	pl_sync__w_cstring(&blob, "sha512");
	pl_sync__w_string(&blob, sigb.p, sigb.len);
	if (sigb.oom || blob.oom) {
		rc = pl_error_set(PL_ERROR, "out of memory");
		goto cleanup;
	}
	b64len = sodium_base64_ENCODED_LEN(blob.len, sodium_base64_VARIANT_ORIGINAL);
	cap = b64len + b64len / 70 + sizeof(SIG_BEGIN) + sizeof(SIG_END) + 8;
	if (!(b64 = malloc(b64len)) || !(out = malloc(cap))) {
		rc = pl_error_set(PL_ERROR, "out of memory");
		goto cleanup;
	}
	sodium_bin2base64(b64, b64len, blob.p, blob.len, sodium_base64_VARIANT_ORIGINAL);
	off += snprintf(out + off, cap - off, "%s\n", SIG_BEGIN);
	for (size_t i = 0, n = strlen(b64); i < n; i += 70)
		off += snprintf(out + off, cap - off, "%.70s\n", b64 + i);
	snprintf(out + off, cap - off, "%s\n", SIG_END);
	*armored = out;
	out = NULL;
cleanup:
	free(out);
	free(b64);
	free(data.p);
	free(sigb.p);
	free(blob.p);
	return rc;
}

static int bad(const char *why)
{
	return pl_error_set(PL_ECORRUPT, "bad SSH signature: %s", why);
}

int pl_sshsig_verify(pl_key *signer, const char *armored, size_t alen, const char *ns, const void *msg,
                     size_t len)
{
	unsigned char bin[SIG_MAX];
	size_t binlen = 0, n, kn, sn, hn;
	const char *b, *e;
	const unsigned char *kb, *sb, *hash, *p;
	char hashname[8];
	struct rbuf r, kr, sr;
	struct wbuf data = { 0 };
	int rc;

	memset(signer, 0, sizeof(*signer));
	if (!(b = memmem(armored, alen, SIG_BEGIN, strlen(SIG_BEGIN))))
		return bad("no \"" SIG_BEGIN "\" line");
	b += strlen(SIG_BEGIN);
	if (!(e = memmem(b, alen - (size_t)(b - armored), SIG_END, strlen(SIG_END))))
		return bad("no \"" SIG_END "\" line");
	if (sodium_base642bin(bin, sizeof(bin), b, (size_t)(e - b), " \t\r\n", &binlen, NULL,
	                      sodium_base64_VARIANT_ORIGINAL))
		return bad("damaged base64");
	if (binlen < 6 || memcmp(bin, SIG_MAGIC, 6))
		return bad("no SSHSIG magic");
	r = (struct rbuf){ bin, binlen, 6, 0 };
	if (pl_sync__r_u32(&r) != 1)
		return bad("not version 1");
	kb = pl_sync__r_string(&r, &kn);
	if (!kb)
		return bad("truncated");
	kr = (struct rbuf){ kb, kn, 0, 0 };
	if (!pl_sync__r_string_is(&kr, "ssh-ed25519") || !(p = pl_sync__r_string(&kr, &n)) || n != 32 ||
	    kr.off != kr.len)
		return bad("not made by an ssh-ed25519 key");
	memcpy(signer->pk, p, 32);
	if (!pl_sync__r_string_is(&r, ns))
		return pl_error_set(PL_ECORRUPT, "bad SSH signature: not made for namespace \"%s\"", ns);
	pl_sync__r_string(&r, &n); /* reserved */
	hash = pl_sync__r_string(&r, &hn);
	sb = pl_sync__r_string(&r, &sn);
	if (r.bad || !hash || !sb || r.off != r.len)
		return bad("truncated or trailing bytes");
	if (!((hn == 6 && !memcmp(hash, "sha512", 6)) || (hn == 6 && !memcmp(hash, "sha256", 6))))
		return bad("hash is neither sha512 nor sha256");
	memcpy(hashname, hash, 6);
	hashname[6] = '\0';
	sr = (struct rbuf){ sb, sn, 0, 0 };
	if (!pl_sync__r_string_is(&sr, "ssh-ed25519") || !(p = pl_sync__r_string(&sr, &n)) || n != crypto_sign_BYTES ||
	    sr.off != sr.len)
		return bad("not an ssh-ed25519 signature");
	if (sodium_init() < 0)
		return pl_error_set(PL_ERROR, "libsodium could not be initialised");
	signed_data(&data, ns, hashname, msg, len);
	if (data.oom) {
		free(data.p);
		return pl_error_set(PL_ERROR, "out of memory");
	}
	rc = crypto_sign_verify_detached(p, data.p, data.len, signer->pk) ? bad("it does not match the signed data")
	                                                                   : 0;
	free(data.p);
	return rc;
}

/* ---- signed commits ---- */

int pl_sync__commit_signed(git_oid *out, git_repository *repo, const pl_key *k, const git_signature *author,
                           const git_signature *committer, const char *msg, const git_tree *tree,
                           size_t nparents, const git_commit **parents)
{
	git_buf buf = GIT_BUF_INIT;
	char *sig = NULL;
	size_t n;
	int rc = 0, grc;

	if (!k)
		return (grc = git_commit_create(out, repo, NULL, author, committer, NULL, msg, tree, nparents,
		                                parents)) < 0 ? pl_error_from_git(grc, "writing the commit") : 0;
	if ((grc = git_commit_create_buffer(&buf, repo, author, committer, NULL, msg, tree, nparents, parents)) < 0)
		return pl_error_from_git(grc, "writing the commit");
	if ((rc = pl_sshsig_sign(&sig, k, "git", buf.ptr, buf.size)))
		goto cleanup;
	/* no trailing newline: git stores the armor's lines without an empty last one */
	n = strlen(sig);
	while (n && sig[n - 1] == '\n')
		sig[--n] = '\0';
	if ((grc = git_commit_create_with_signature(out, repo, buf.ptr, sig, NULL)) < 0)
		rc = pl_error_from_git(grc, "writing the signed commit");
cleanup:
	free(sig);
	git_buf_dispose(&buf);
	return rc;
}

int pl_sync__commit_signer(pl_key *signer, char *why, size_t sz, git_repository *repo, const git_oid *commit)
{
	git_buf sig = GIT_BUF_INIT, data = GIT_BUF_INIT;
	int grc, rc;

	grc = git_commit_extract_signature(&sig, &data, repo, (git_oid *)commit, NULL);
	if (grc == GIT_ENOTFOUND) {
		snprintf(why, sz, "unsigned commit");
		return 1;
	}
	if (grc < 0)
		return pl_error_from_git(grc, "reading a commit's signature");
	rc = pl_sshsig_verify(signer, sig.ptr, sig.size, "git", data.ptr, data.size);
	if (rc == PL_ECORRUPT) {
		snprintf(why, sz, "%s", pl_error_last()->message);
		rc = 1;
	}
	git_buf_dispose(&sig);
	git_buf_dispose(&data);
	return rc;
}
