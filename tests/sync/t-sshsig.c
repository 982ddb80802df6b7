/*
 * SSHSIG (sync/sign.c) and OpenSSH key files (sync/key.c) against OpenSSH
 * itself: a signature made here is accepted by `ssh-keygen -Y verify` and
 * one ssh-keygen made is accepted here; a flipped byte in the message or in
 * the signature, another namespace or another key is refused both ways.
 * Keys: ssh-keygen reads the file pl_key_save writes, pl_key_load reads
 * ssh-keygen's, and the fingerprint is ssh-keygen -l's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "plsync/plsync.h"
#include "plsync/key.h"
#include "../tap.h"
#include "../testlib.h"

static char dir[256];

static void write_file(const char *name, const void *p, size_t n)
{
	char path[512];
	FILE *f;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (!(f = fopen(path, "wb")) || fwrite(p, 1, n, f) != n || fclose(f))
		bail("cannot write %s", path);
}

static char *read_file(const char *name, size_t *n)
{
	char path[512], *buf = malloc(65536);
	FILE *f;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (!buf || !(f = fopen(path, "rb")))
		bail("cannot read %s", path);
	*n = fread(buf, 1, 65535, f);
	buf[*n] = '\0';
	fclose(f);
	return buf;
}

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char cmd[2048], full[2300];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	snprintf(full, sizeof(full), "cd '%s' && (%s) >/dev/null 2>&1", dir, cmd);
	return system(full);
}

/* our signature checked by ssh-keygen: 0 if accepted */
static int keygen_verifies(const char *principal, const char *ns, const char *sigfile, const char *msgfile)
{
	return sh("ssh-keygen -Y verify -f signers -I %s -n %s -s %s < %s", principal, ns, sigfile, msgfile);
}

int main(void)
{
	static const char msg[] = "tree 0123\nauthor LIN01 <x@y> 1 +0000\n\nLIN01: 1 op\n";
	char line[PL_KEY_LINE_MAX], fp[PL_KEY_FP_MAX], path[512], *sig = NULL, *text;
	pl_key k, k2, other, signer;
	size_t n;

	pl_init();
	snprintf(dir, sizeof(dir), "/tmp/plsync-sshsig.XXXXXX");
	tl_tmpdir(dir);

	/* ---- keys ---- */
	ok(pl_key_generate(&k, "plsync:LIN01") == 0, "a key is made");
	snprintf(path, sizeof(path), "%s/node.key", dir);
	ok(pl_key_save(&k, path) == 0, "it is saved");
	{
		struct stat sb;
		ok(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0600, "mode 0600");
	}
	is_int(pl_key_save(&k, path), PL_EEXISTS, "a key file is never overwritten");
	ok(pl_key_load(&k2, path) == 0 && !memcmp(k.pk, k2.pk, 32) && !memcmp(k.sk, k2.sk, 64) &&
	   !strcmp(k2.comment, "plsync:LIN01"), "it loads back the same, with its comment");
	pl_key_public_line(line, sizeof(line), &k);
	write_file("k.pub", line, strlen(line));
	write_file("nl", "\n", 1);
	ok(sh("ssh-keygen -y -f node.key > y.pub && printf '%%s\\n' \"$(cat k.pub)\" | cmp - y.pub") == 0,
	   "ssh-keygen reads the saved private key and derives the same public line");
	pl_key_fingerprint(fp, sizeof(fp), &k);
	{
		char want[300];
		snprintf(want, sizeof(want), "256 %s plsync:LIN01 (ED25519)\n", fp);
		write_file("fp.want", want, strlen(want));
		ok(sh("ssh-keygen -lf k.pub | cmp - fp.want") == 0, "the fingerprint (%s) is ssh-keygen -lf's", fp);
	}
	ok(pl_key_parse_public(&k2, line) == 0 && !memcmp(k2.pk, k.pk, 32) && !k2.secret &&
	   !strcmp(k2.comment, "plsync:LIN01"), "the public line parses back");
	is_int(pl_key_parse_public(&k2, "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ x"), PL_EINVALID,
	       "an ssh-rsa line is refused");
	is_int(pl_key_parse_public(&k2, "ssh-ed25519 AAAA!!!"), PL_EINVALID, "damaged base64 is refused");
	is_int(pl_key_parse_public(&k2, "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA== x"), PL_EINVALID,
	       "a truncated key blob is refused");

	ok(sh("ssh-keygen -q -t ed25519 -N '' -C them@host -f theirs") == 0, "ssh-keygen makes a key");
	snprintf(path, sizeof(path), "%s/theirs", dir);
	ok(pl_key_load(&other, path) == 0 && other.secret && !strcmp(other.comment, "them@host"),
	   "pl_key_load reads ssh-keygen's private key");
	pl_key_public_line(line, sizeof(line), &other);
	text = read_file("theirs.pub", &n);
	ok(!strncmp(text, line, strlen(line)), "and derives the public line ssh-keygen wrote");
	free(text);
	{
		/* a flipped byte in the key file: its public key no longer matches its secret, or base64 breaks */
		char *kf = read_file("theirs", &n);
		kf[120] = kf[120] == 'A' ? 'B' : 'A';
		write_file("broken", kf, n);
		free(kf);
		snprintf(path, sizeof(path), "%s/broken", dir);
		is_int(pl_key_load(&k2, path), PL_EINVALID, "a key file with a flipped byte is refused");
	}
	snprintf(path, sizeof(path), "%s/nothere", dir);
	is_int(pl_key_load(&k2, path), PL_ENOTFOUND, "a missing key file is PL_ENOTFOUND");

	/* ---- our signatures ---- */
	{
		char signers[2 * PL_KEY_LINE_MAX + 32], l2[PL_KEY_LINE_MAX];
		pl_key_public_line(line, sizeof(line), &k);
		pl_key_public_line(l2, sizeof(l2), &other);
		snprintf(signers, sizeof(signers), "LIN01 %s\nWAS02 %s\n", line, l2);
		write_file("signers", signers, strlen(signers));
	}
	write_file("msg", msg, sizeof(msg) - 1);
	ok(pl_sshsig_sign(&sig, &k, "git", msg, sizeof(msg) - 1) == 0 &&
	   !strncmp(sig, "-----BEGIN SSH SIGNATURE-----\n", 30), "a message is signed, armored");
	write_file("ours.sig", sig, strlen(sig));
	ok(pl_sshsig_verify(&signer, sig, strlen(sig), "git", msg, sizeof(msg) - 1) == 0 &&
	   !memcmp(signer.pk, k.pk, 32), "our verifier accepts it and names the signer's key");
	is_int(keygen_verifies("LIN01", "git", "ours.sig", "msg"), 0, "ssh-keygen -Y verify accepts it");
	ok(keygen_verifies("WAS02", "git", "ours.sig", "msg") != 0, "ssh-keygen refuses it for another principal");
	{
		char *m2 = strdup(msg);
		m2[3] ^= 1;
		write_file("msg2", m2, sizeof(msg) - 1);
		is_int(pl_sshsig_verify(&signer, sig, strlen(sig), "git", m2, sizeof(msg) - 1), PL_ECORRUPT,
		       "our verifier refuses the message with one byte flipped");
		ok(keygen_verifies("LIN01", "git", "ours.sig", "msg2") != 0, "so does ssh-keygen");
		free(m2);
	}
	{
		/* a flipped bit inside the signature bytes (the last base64 line holds them) */
		char *s2 = strdup(sig), *end = strstr(s2, "\n-----END");
		end[-3] = end[-3] == 'A' ? 'B' : 'A';
		write_file("flip.sig", s2, strlen(s2));
		is_int(pl_sshsig_verify(&signer, s2, strlen(s2), "git", msg, sizeof(msg) - 1), PL_ECORRUPT,
		       "our verifier refuses a signature with a flipped byte");
		ok(keygen_verifies("LIN01", "git", "flip.sig", "msg") != 0, "so does ssh-keygen");
		free(s2);
	}
	is_int(pl_sshsig_verify(&signer, sig, strlen(sig), "file", msg, sizeof(msg) - 1), PL_ECORRUPT,
	       "a signature for namespace git is refused for another namespace");
	ok(keygen_verifies("LIN01", "file", "ours.sig", "msg") != 0, "so does ssh-keygen");
	is_int(pl_sshsig_verify(&signer, "junk", 4, "git", msg, sizeof(msg) - 1), PL_ECORRUPT,
	       "text that is not a signature is refused");
	{
		/* truncated armor: every prefix is refused, none crashes */
		int all = 1;
		for (size_t cut = 0; cut + 1 < strlen(sig); cut += 7)
			if (pl_sshsig_verify(&signer, sig, cut, "git", msg, sizeof(msg) - 1) != PL_ECORRUPT)
				all = 0;
		ok(all, "every truncation of the signature is refused");
	}
	free(sig);
	sig = NULL;

	/* ---- ssh-keygen's signatures ---- */
	ok(sh("ssh-keygen -Y sign -q -f theirs -n git msg") == 0, "ssh-keygen signs the message");
	text = read_file("msg.sig", &n);
	ok(pl_sshsig_verify(&signer, text, n, "git", msg, sizeof(msg) - 1) == 0 && !memcmp(signer.pk, other.pk, 32),
	   "our verifier accepts ssh-keygen's signature and names its key");
	{
		char *m2 = strdup(msg);
		m2[sizeof(msg) - 3] ^= 0x20;
		is_int(pl_sshsig_verify(&signer, text, n, "git", m2, sizeof(msg) - 1), PL_ECORRUPT,
		       "and refuses it over a tampered message");
		free(m2);
	}
	{
		char *end = strstr(text, "\n-----END");
		end[-2] = end[-2] == 'A' ? 'B' : 'A';
		is_int(pl_sshsig_verify(&signer, text, n, "git", msg, sizeof(msg) - 1), PL_ECORRUPT,
		       "and refuses ssh-keygen's signature with a flipped byte");
	}
	free(text);
	is_int(pl_sshsig_sign(&sig, &k2, "git", msg, 3), PL_EINVALID, "a public-only key cannot sign");

	/* ---- the allowed_signers text ---- */
	{
		pl_keyring kr = { 0 };
		char st[1024], *out;
		pl_key_public_line(line, sizeof(line), &k);
		snprintf(st, sizeof(st), "# comment\n\nLIN01 namespaces=\"git\",valid-after=\"20260901\","
		         "valid-before=\"20270630120000Z\" %s\r\nWAS02 %s\n", line, line);
		ok(pl_keyring_parse(&kr, st, strlen(st)) == 0 && kr.n == 2 && !strcmp(kr.e[0].node, "LIN01") &&
		   kr.e[0].valid_after == 1788220800 && kr.e[0].valid_before == 1814356800 && !kr.e[1].valid_after &&
		   !memcmp(kr.e[1].key.pk, k.pk, 32), "an allowed_signers text parses: principals, validity, keys");
		out = pl_keyring_format(&kr);
		ok(out && strstr(out, "LIN01 namespaces=\"git\",valid-after=\"20260901000000Z\","
		                      "valid-before=\"20270630120000Z\" ssh-ed25519 "), "and is written back the same");
		{
			pl_keyring kr2 = { 0 };
			ok(out && pl_keyring_parse(&kr2, out, strlen(out)) == 0 && kr2.n == 2 &&
			   kr2.e[0].valid_before == kr.e[0].valid_before, "what it writes parses back");
			pl_keyring_clear(&kr2);
		}
		free(out);
		snprintf(st, sizeof(st), "LIN01 cert-authority %s\n", line);
		is_int(pl_keyring_parse(&kr, st, strlen(st)), PL_EINVALID, "an option plsync does not write is refused");
		snprintf(st, sizeof(st), "LIN01 valid-after=\"2026139\" %s\n", line);
		is_int(pl_keyring_parse(&kr, st, strlen(st)), PL_EINVALID, "a bad time is refused");
		snprintf(st, sizeof(st), "lin01,x %s\n", line);
		is_int(pl_keyring_parse(&kr, st, strlen(st)), PL_EINVALID, "a principal that is no node code is refused");
		pl_keyring_clear(&kr);
	}

	pl_key_clear(&k);
	pl_key_clear(&other);
	tl_rm_rf(dir);
	pl_shutdown();
	return done_testing();
}
