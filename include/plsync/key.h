/*
 * plsync/key.h — signing keys (Ed25519, libsodium), the SSH signature
 * format git checks (SSHSIG), and the district's enrolment of node keys
 * (docs/design.md, "Security" and "Git layout").
 *
 * Each data dir holds one private key, <dir>/node.key (mode 0600), in the
 * OpenSSH format (unencrypted openssh-key-v1), so ssh-keygen reads it too.
 * Every node commit the agent makes is signed with it as `ssh-keygen -Y
 * sign -n git` would sign it; `git verify-commit` with
 * gpg.format=ssh and gpg.ssh.allowedSignersFile accepts it.
 *
 * The district enrols each node's public key in an allowed_signers file
 * (principal = the node code), kept on refs/plsync/keys of the district
 * repository in commits signed by the district key (<repo>/plsync-district.key);
 * the merge checks every node commit against it (sign-int.h).
 */
#ifndef PLSYNC_KEY_H
#define PLSYNC_KEY_H

#include <stddef.h>
#include <stdint.h>

#define PL_KEY_FILE     "node.key"            /* in the data dir */
#define PL_KEY_DISTRICT "plsync-district.key" /* in the district repository */
#define PL_KEY_REF      "refs/plsync/keys"
#define PL_KEY_SIGNERS  "allowed_signers"     /* the file in that ref's tree */
#define PL_KEY_LINE_MAX 256                   /* a public line, with its NUL */
#define PL_KEY_FP_MAX   64                    /* "SHA256:" + 43, with its NUL */
#define PL_KEY_COMMENT_MAX 128

typedef struct pl_key {
	unsigned char pk[32];       /* the public key */
	unsigned char sk[64];       /* libsodium's secret key (seed, then pk); zero if public only */
	int           secret;       /* 1 if sk holds the secret key */
	char          comment[PL_KEY_COMMENT_MAX];
} pl_key;

/* A new key with `comment` (e.g. "plsync:LIN01"; cut to fit). */
int pl_key_generate(pl_key *k, const char *comment);
/*
 * Read an unencrypted OpenSSH ed25519 private key (openssh-key-v1, as
 * `ssh-keygen -t ed25519 -N ''` writes it). PL_ENOTFOUND if the file is
 * missing, PL_EINVALID if it is another key type, encrypted or damaged
 * (the message names the file and what is wrong).
 */
int pl_key_load(pl_key *k, const char *path);
/* Write k's private key to `path` in that format, mode 0600, by rename
 * (PL_EEXISTS if the file exists: a key is never overwritten). */
int pl_key_save(const pl_key *k, const char *path);
/* Parse a public key line "ssh-ed25519 AAAA... [comment]" (leading options
 * not allowed). PL_EINVALID naming what is wrong. */
int pl_key_parse_public(pl_key *k, const char *line);
/* "ssh-ed25519 AAAA... <comment>" (no newline) into buf (PL_KEY_LINE_MAX). */
void pl_key_public_line(char *buf, size_t sz, const pl_key *k);
/* "SHA256:<base64, unpadded>" as ssh-keygen -l prints it (PL_KEY_FP_MAX). */
void pl_key_fingerprint(char *buf, size_t sz, const pl_key *k);
/*
 * The key of the data dir `dir` (<dir>/node.key), made (comment
 * "plsync:<node>") if the dir has none; *made (if not NULL) says so.
 */
int pl_key_ensure(pl_key *k, int *made, const char *dir, const char *node);
/* Forget the secret (zeroed). */
void pl_key_clear(pl_key *k);

/* ---- SSHSIG (PROTOCOL.sshsig): hash sha512, armored ---- */

/*
 * Sign msg for namespace `ns` ("git" for commits): *armored gets the
 * "-----BEGIN SSH SIGNATURE-----" text (malloc'd, ends with a newline).
 * PL_EINVALID if k has no secret.
 */
int pl_sshsig_sign(char **armored, const pl_key *k, const char *ns, const void *msg, size_t len);
/*
 * Verify an armored SSHSIG over msg for namespace `ns`; *signer gets the
 * public key that made it (comment ""). PL_ECORRUPT, the message saying
 * why (not armored, bad encoding, another namespace, not ed25519, the
 * signature does not match the data).
 */
int pl_sshsig_verify(pl_key *signer, const char *armored, size_t alen, const char *ns, const void *msg,
                     size_t len);

/* ---- enrolment: the district's allowed_signers (refs/plsync/keys) ---- */

typedef struct pl_enrolled {
	char    node[33];
	pl_key  key;            /* public only; comment as enrolled */
	int64_t valid_after;    /* seconds since the epoch, 0: always */
	int64_t valid_before;   /* 0: not revoked; a commit at or after it is refused */
} pl_enrolled;

typedef struct pl_keyring {
	pl_enrolled *e;
	size_t       n;
	char         tip[41];   /* the keys ref's commit, "" if none */
} pl_keyring;

/*
 * Read the allowed_signers text (lines "<node> [namespaces=\"git\",]
 * [valid-after=\"YYYYMMDDhhmmssZ\",][valid-before=\"...\"] ssh-ed25519 AAAA...
 * [comment]"; '#' lines and blank lines skipped) into *kr (cleared first).
 * PL_EINVALID naming the line.
 */
int pl_keyring_parse(pl_keyring *kr, const char *text, size_t len);
/* The allowed_signers text of kr (malloc'd), one line per entry. */
char *pl_keyring_format(const pl_keyring *kr);
void pl_keyring_clear(pl_keyring *kr);

/*
 * The keyring of the district repository at repo_path: refs/plsync/keys'
 * allowed_signers, after checking that its tip commit is signed by the
 * district key (<repo>/plsync-district.key). An empty keyring (n = 0,
 * tip "") if the ref does not exist. PL_ECORRUPT if the tip is unsigned or
 * signed by another key: the enrolment cannot be trusted.
 */
int pl_keyring_load(pl_keyring *kr, const char *repo_path);
/* Whether any key is enrolled for `node` (enforcement starts then). */
int pl_keyring_has(const pl_keyring *kr, const char *node);
/*
 * Enrol `pub` (a public key line) for `node` in the district repository at
 * repo_path (valid_after 0: always), or (pub NULL) revoke node's keys from
 * `when` on (fp NULL: all of them, else only the one with that
 * fingerprint): a new commit on refs/plsync/keys signed by the district key
 * (made if the repository has none). PL_EEXISTS if the key is already
 * enrolled for the node, PL_ENOTFOUND if there is nothing to revoke,
 * PL_ECONFLICT if the key is another node's.
 */
int pl_keyring_enroll(const char *repo_path, const char *node, const char *pub, int64_t valid_after);
int pl_keyring_revoke(const char *repo_path, const char *node, const char *fp, int64_t when);
/* A time given by a user: "YYYY-MM-DD", "YYYY-MM-DDThh:mm:ssZ" or
 * "YYYYMMDD[hhmm[ss]]Z", UTC. PL_EUSAGE naming it. */
int pl_keyring_parse_time(int64_t *out, const char *s);
/* "YYYY-MM-DDThh:mm:ssZ" (32 bytes are enough). */
void pl_keyring_fmt_time(char *buf, size_t sz, int64_t t);
/* The district key of repo_path (made if missing; *made says so). */
int pl_keyring_district_key(pl_key *k, int *made, const char *repo_path);

#endif
