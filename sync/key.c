/*
 * key.c — a node's (or the district's) Ed25519 key: made with libsodium,
 * kept in the OpenSSH private key format (openssh-key-v1, unencrypted: what
 * `ssh-keygen -t ed25519 -N ''` writes, so either tool reads the other's),
 * shown as an OpenSSH public line and its SHA256 fingerprint. Also the SSH
 * wire encoding (RFC 4251 uint32 and string) that the key formats and
 * SSHSIG (sign.c) share.
 *
 * Rules kept here: a key file is written once, mode 0600, by rename, and
 * never overwritten; every read checks every length against the bytes
 * left, and that the public key is the one the secret makes.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "plsync/errors.h"
#include "plsync/key.h"
#include "sign-int.h"

#define KEYTYPE    "ssh-ed25519"
#define PRIV_BEGIN "-----BEGIN OPENSSH PRIVATE KEY-----"
#define PRIV_END   "-----END OPENSSH PRIVATE KEY-----"
#define AUTH_MAGIC "openssh-key-v1"
#define KEYFILE_MAX 16384

/* ---- the wire encoding ---- */

void pl_sync__w_bytes(struct wbuf *b, const void *p, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		unsigned char *np;
		while (cap < b->len + n)
			cap *= 2;
		if (!(np = realloc(b->p, cap))) {
			b->oom = 1;
			return;
		}
		b->p = np;
		b->cap = cap;
	}
	if (n)
		memcpy(b->p + b->len, p, n);
	b->len += n;
}

void pl_sync__w_u32(struct wbuf *b, uint32_t v)
{
	unsigned char x[4] = { (unsigned char)(v >> 24), (unsigned char)(v >> 16), (unsigned char)(v >> 8),
	                       (unsigned char)v };
	pl_sync__w_bytes(b, x, 4);
}

void pl_sync__w_string(struct wbuf *b, const void *p, size_t n)
{
	pl_sync__w_u32(b, (uint32_t)n);
	pl_sync__w_bytes(b, p, n);
}

void pl_sync__w_cstring(struct wbuf *b, const char *s)
{
	pl_sync__w_string(b, s, strlen(s));
}

uint32_t pl_sync__r_u32(struct rbuf *r)
{
	const unsigned char *p;
	if (r->bad || r->len - r->off < 4) {
		r->bad = 1;
		return 0;
	}
	p = r->p + r->off;
	r->off += 4;
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

const unsigned char *pl_sync__r_string(struct rbuf *r, size_t *n)
{
	uint32_t len = pl_sync__r_u32(r);
	const unsigned char *p;

	*n = 0;
	if (r->bad || len > r->len - r->off) {
		r->bad = 1;
		return NULL;
	}
	p = r->p + r->off;
	r->off += len;
	*n = len;
	return p;
}

int pl_sync__r_string_is(struct rbuf *r, const char *s)
{
	size_t n;
	const unsigned char *p = pl_sync__r_string(r, &n);
	return p && n == strlen(s) && !memcmp(p, s, n);
}

void pl_sync__key_blob(unsigned char blob[PL_KEY_BLOB_LEN], const unsigned char pk[32])
{
	static const unsigned char head[] = { 0, 0, 0, 11, 's', 's', 'h', '-', 'e', 'd', '2', '5', '5', '1', '9',
	                                      0, 0, 0, 32 };
	memcpy(blob, head, sizeof(head));
	memcpy(blob + sizeof(head), pk, 32);
}

/* ---- keys ---- */

static void set_comment(pl_key *k, const char *comment, size_t n)
{
	if (n >= sizeof(k->comment))
		n = sizeof(k->comment) - 1;
	memcpy(k->comment, comment, n);
	k->comment[n] = '\0';
	for (char *p = k->comment; *p; p++) /* one line of text */
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
}

int pl_key_generate(pl_key *k, const char *comment)
{
	memset(k, 0, sizeof(*k));
	if (sodium_init() < 0)
		return pl_error_set(PL_ERROR, "libsodium could not be initialised");
	crypto_sign_keypair(k->pk, k->sk);
	k->secret = 1;
	set_comment(k, comment ? comment : "", comment ? strlen(comment) : 0);
	return 0;
}

void pl_key_clear(pl_key *k)
{
	sodium_memzero(k, sizeof(*k));
}

static int bad_key(const char *path, const char *what)
{
	return pl_error_set(PL_EINVALID, "%s: %s", path, what);
}

/* The private section of an openssh-key-v1 file, already decoded. */
static int parse_private(pl_key *k, const char *path, const unsigned char *bin, size_t n)
{
	struct rbuf r = { bin, n, 0, 0 };
	size_t pubn, privn, pkn, skn, cn;
	const unsigned char *pub, *priv, *pk, *sk, *cm;
	unsigned char chk[32], chksk[64];

	if (n < sizeof(AUTH_MAGIC) || memcmp(bin, AUTH_MAGIC, sizeof(AUTH_MAGIC)))
		return bad_key(path, "not an OpenSSH private key (no openssh-key-v1 header)");
	r.off = sizeof(AUTH_MAGIC);
	if (!pl_sync__r_string_is(&r, "none") || !pl_sync__r_string_is(&r, "none"))
		return bad_key(path, "the key is encrypted (a passphrase): plsync needs an unencrypted key "
		               "(ssh-keygen -p -N '' -f FILE removes the passphrase of a copy)");
	pl_sync__r_string(&r, &cn); /* kdf options: none */
	if (pl_sync__r_u32(&r) != 1)
		return bad_key(path, "holds more than one key, or none");
	pub = pl_sync__r_string(&r, &pubn);
	priv = pl_sync__r_string(&r, &privn);
	if (r.bad || !pub || !priv)
		return bad_key(path, "truncated key");
	{
		struct rbuf pr = { pub, pubn, 0, 0 };
		if (!pl_sync__r_string_is(&pr, KEYTYPE))
			return bad_key(path, "not an ed25519 key (plsync signs with ssh-ed25519 keys only)");
	}
	r = (struct rbuf){ priv, privn, 0, 0 };
	if (pl_sync__r_u32(&r) != pl_sync__r_u32(&r) || r.bad)
		return bad_key(path, "damaged private section (check bytes differ)");
	if (!pl_sync__r_string_is(&r, KEYTYPE))
		return bad_key(path, "not an ed25519 key (plsync signs with ssh-ed25519 keys only)");
	pk = pl_sync__r_string(&r, &pkn);
	sk = pl_sync__r_string(&r, &skn);
	cm = pl_sync__r_string(&r, &cn);
	if (r.bad || pkn != 32 || skn != 64)
		return bad_key(path, "damaged ed25519 key");
	/* padding 1, 2, 3, ... */
	for (size_t i = 1; r.off < r.len; i++, r.off++)
		if (r.p[r.off] != (unsigned char)i)
			return bad_key(path, "damaged private section (padding)");
	if (sodium_init() < 0)
		return pl_error_set(PL_ERROR, "libsodium could not be initialised");
	crypto_sign_seed_keypair(chk, chksk, sk);
	if (memcmp(chk, pk, 32) || memcmp(sk + 32, pk, 32) || pubn != PL_KEY_BLOB_LEN ||
	    memcmp(pub + PL_KEY_BLOB_LEN - 32, pk, 32)) {
		sodium_memzero(chksk, sizeof(chksk));
		return bad_key(path, "the public key is not the one its secret makes");
	}
	memset(k, 0, sizeof(*k));
	memcpy(k->pk, pk, 32);
	memcpy(k->sk, chksk, 64);
	sodium_memzero(chksk, sizeof(chksk));
	k->secret = 1;
	set_comment(k, (const char *)cm, cn);
	return 0;
}

int pl_key_load(pl_key *k, const char *path)
{
	char *text = NULL, *b, *e;
	unsigned char *bin = NULL;
	size_t n = 0, binlen = 0;
	FILE *f;
	int rc;

	memset(k, 0, sizeof(*k));
	if (!(f = fopen(path, "rb"))) {
		if (errno == ENOENT)
			return pl_error_set(PL_ENOTFOUND, "%s: no such key file", path);
		return pl_error_from_errno(path);
	}
	if (!(text = malloc(KEYFILE_MAX + 1))) {
		fclose(f);
		return pl_error_set(PL_ERROR, "out of memory");
	}
	n = fread(text, 1, KEYFILE_MAX + 1, f);
	rc = ferror(f);
	fclose(f);
	if (rc) {
		free(text);
		return pl_error_from_errno(path);
	}
	if (n > KEYFILE_MAX) {
		free(text);
		return bad_key(path, "too big for a key file");
	}
	text[n] = '\0';
	if (!(b = strstr(text, PRIV_BEGIN)) || !(e = strstr(b, PRIV_END))) {
		int pem = strstr(text, "BEGIN") != NULL;
		free(text);
		return bad_key(path, pem ? "not an OpenSSH private key (only the "
		               "\"-----BEGIN OPENSSH PRIVATE KEY-----\" format is read)" : "not a private key file");
	}
	b += strlen(PRIV_BEGIN);
	if (!(bin = malloc(n))) {
		free(text);
		return pl_error_set(PL_ERROR, "out of memory");
	}
	if (sodium_base642bin(bin, n, b, (size_t)(e - b), " \t\r\n", &binlen, NULL, sodium_base64_VARIANT_ORIGINAL))
		rc = bad_key(path, "damaged base64 in the key");
	else
		rc = parse_private(k, path, bin, binlen);
	sodium_memzero(bin, n);
	sodium_memzero(text, n);
	free(bin);
	free(text);
	return rc;
}

int pl_key_save(const pl_key *k, const char *path)
{
	struct wbuf priv = { 0 }, file = { 0 };
	unsigned char blob[PL_KEY_BLOB_LEN];
	uint32_t check;
	char tmp[4200] = "", *b64 = NULL;
	size_t b64len;
	int fd = -1, rc = 0;
	FILE *f = NULL;

	if (!k->secret)
		return pl_error_set(PL_EINVALID, "no secret key to save");
	if (access(path, F_OK) == 0)
		return pl_error_set(PL_EEXISTS, "%s exists: a key file is never overwritten", path);
	if (sodium_init() < 0)
		return pl_error_set(PL_ERROR, "libsodium could not be initialised");
	pl_sync__key_blob(blob, k->pk);
	check = randombytes_random();
	pl_sync__w_u32(&priv, check);
	pl_sync__w_u32(&priv, check);
	pl_sync__w_cstring(&priv, KEYTYPE);
	pl_sync__w_string(&priv, k->pk, 32);
	pl_sync__w_string(&priv, k->sk, 64);
	pl_sync__w_cstring(&priv, k->comment);
	for (unsigned char i = 1; priv.len % 8; i++)
		pl_sync__w_bytes(&priv, &i, 1);
	pl_sync__w_bytes(&file, AUTH_MAGIC, sizeof(AUTH_MAGIC));
	pl_sync__w_cstring(&file, "none");
	pl_sync__w_cstring(&file, "none");
	pl_sync__w_cstring(&file, "");
	pl_sync__w_u32(&file, 1);
	pl_sync__w_string(&file, blob, sizeof(blob));
	pl_sync__w_string(&file, priv.p, priv.len);
	if (priv.oom || file.oom) {
		rc = pl_error_set(PL_ERROR, "out of memory");
		goto cleanup;
	}
	b64len = sodium_base64_ENCODED_LEN(file.len, sodium_base64_VARIANT_ORIGINAL);
	if (!(b64 = malloc(b64len))) {
		rc = pl_error_set(PL_ERROR, "out of memory");
		goto cleanup;
	}
	sodium_bin2base64(b64, b64len, file.p, file.len, sodium_base64_VARIANT_ORIGINAL);
	snprintf(tmp, sizeof(tmp), "%s.new-%ld", path, (long)getpid());
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600)) < 0 || !(f = fdopen(fd, "w"))) {
		rc = pl_error_from_errno(tmp);
		goto cleanup;
	}
	fd = -1;
	fprintf(f, "%s\n", PRIV_BEGIN);
	for (size_t off = 0, len = strlen(b64); off < len; off += 70)
		fprintf(f, "%.70s\n", b64 + off);
	fprintf(f, "%s\n", PRIV_END);
	if (fflush(f) || fsync(fileno(f))) {
		rc = pl_error_from_errno(tmp);
		goto cleanup;
	}
	if (fclose(f)) {
		f = NULL;
		rc = pl_error_from_errno(tmp);
		goto cleanup;
	}
	f = NULL;
	if (link(tmp, path)) { /* never over an existing key */
		rc = errno == EEXIST ? pl_error_set(PL_EEXISTS, "%s exists: a key file is never overwritten", path)
		                     : pl_error_from_errno(path);
		goto cleanup;
	}
cleanup:
	if (f)
		fclose(f);
	if (fd >= 0)
		close(fd);
	if (tmp[0])
		unlink(tmp);
	if (b64) {
		sodium_memzero(b64, b64len);
		free(b64);
	}
	if (priv.p)
		sodium_memzero(priv.p, priv.cap);
	if (file.p)
		sodium_memzero(file.p, file.cap);
	free(priv.p);
	free(file.p);
	return rc;
}

int pl_key_parse_public(pl_key *k, const char *line)
{
	unsigned char bin[128];
	size_t binlen = 0, n;
	const char *p = line, *b64, *end;
	struct rbuf r;
	const unsigned char *pk;

	memset(k, 0, sizeof(*k));
	while (*p == ' ' || *p == '\t')
		p++;
	if (strncmp(p, KEYTYPE " ", strlen(KEYTYPE) + 1) && strncmp(p, KEYTYPE "\t", strlen(KEYTYPE) + 1))
		return pl_error_set(PL_EINVALID, "not an ssh-ed25519 public key line (it must start with "
		                    "\"ssh-ed25519 AAAA\")");
	p += strlen(KEYTYPE);
	while (*p == ' ' || *p == '\t')
		p++;
	b64 = p;
	while (*p && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
		p++;
	end = p;
	if (sodium_base642bin(bin, sizeof(bin), b64, (size_t)(end - b64), NULL, &binlen, NULL,
	                      sodium_base64_VARIANT_ORIGINAL))
		return pl_error_set(PL_EINVALID, "the public key's base64 is damaged");
	r = (struct rbuf){ bin, binlen, 0, 0 };
	if (!pl_sync__r_string_is(&r, KEYTYPE) || !(pk = pl_sync__r_string(&r, &n)) || n != 32 || r.off != r.len)
		return pl_error_set(PL_EINVALID, "the public key is not an ed25519 key blob");
	memcpy(k->pk, pk, 32);
	while (*p == ' ' || *p == '\t')
		p++;
	n = strcspn(p, "\r\n");
	while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	set_comment(k, p, n);
	return 0;
}

void pl_key_public_line(char *buf, size_t sz, const pl_key *k)
{
	unsigned char blob[PL_KEY_BLOB_LEN];
	char b64[sodium_base64_ENCODED_LEN(PL_KEY_BLOB_LEN, sodium_base64_VARIANT_ORIGINAL)];

	pl_sync__key_blob(blob, k->pk);
	sodium_bin2base64(b64, sizeof(b64), blob, sizeof(blob), sodium_base64_VARIANT_ORIGINAL);
	snprintf(buf, sz, "%s %s%s%s", KEYTYPE, b64, k->comment[0] ? " " : "", k->comment);
}

void pl_key_fingerprint(char *buf, size_t sz, const pl_key *k)
{
	unsigned char blob[PL_KEY_BLOB_LEN], h[crypto_hash_sha256_BYTES];
	char b64[sodium_base64_ENCODED_LEN(crypto_hash_sha256_BYTES, sodium_base64_VARIANT_ORIGINAL_NO_PADDING)];

	pl_sync__key_blob(blob, k->pk);
	crypto_hash_sha256(h, blob, sizeof(blob));
	sodium_bin2base64(b64, sizeof(b64), h, sizeof(h), sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
	snprintf(buf, sz, "SHA256:%s", b64);
}

int pl_key_ensure(pl_key *k, int *made, const char *dir, const char *node)
{
	char path[4096], comment[64];
	int rc;

	if (made)
		*made = 0;
	snprintf(path, sizeof(path), "%s/%s", dir, PL_KEY_FILE);
	if ((rc = pl_key_load(k, path)) != PL_ENOTFOUND)
		return rc;
	snprintf(comment, sizeof(comment), "plsync:%s", node);
	if ((rc = pl_key_generate(k, comment)))
		return rc;
	if ((rc = pl_key_save(k, path)) == PL_EEXISTS) /* another process made it first */
		return pl_key_load(k, path);
	if (rc) {
		pl_key_clear(k);
		return rc;
	}
	if (made)
		*made = 1;
	return 0;
}
