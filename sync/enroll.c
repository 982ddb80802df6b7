/*
 * enroll.c — the district's enrolment of node keys: an OpenSSH
 * allowed_signers file (one line per key: the node code as principal,
 * namespaces="git", valid-after / valid-before for rotation and
 * revocation, the public key), kept as the one file of the commits on
 * refs/plsync/keys of the district repository. Each of those commits is
 * signed by the district key (<repo>/plsync-district.key, made by the first
 * enrolment or by init), and a keyring is only read from a tip that key
 * signed: a school that pushes the ref cannot enrol itself.
 *
 * The same file is what `git verify-commit` takes as
 * gpg.ssh.allowedSignersFile (git show refs/plsync/keys:allowed_signers).
 *
 * The merge's check of a node commit (pl_sync__keyring_check): signed,
 * the signature valid, by a key enrolled for that node, valid at the
 * commit's committer time (valid-after <= t < valid-before).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <git2.h>

#include "plsync/errors.h"
#include "plsync/key.h"
#include "plsync/store.h"
#include "district-int.h"
#include "sign-int.h"

#define SIGNERS_MAX (4u << 20)

void pl_keyring_clear(pl_keyring *kr)
{
	free(kr->e);
	memset(kr, 0, sizeof(*kr));
}

/* ---- times: "YYYYMMDD[hhmm[ss]]Z", UTC ---- */

static int parse_time(int64_t *out, const char *s, size_t n)
{
	struct tm tm = { 0 };
	int v[7] = { 0 };
	size_t digits = n && s[n - 1] == 'Z' ? n - 1 : n;

	if (digits != 8 && digits != 12 && digits != 14)
		return -1;
	for (size_t i = 0; i < digits; i++)
		if (s[i] < '0' || s[i] > '9')
			return -1;
	for (size_t i = 0; i < digits / 2; i++)
		v[i] = (s[2 * i] - '0') * 10 + (s[2 * i + 1] - '0');
	tm.tm_year = v[0] * 100 + v[1] - 1900;
	tm.tm_mon = v[2] - 1;
	tm.tm_mday = v[3];
	tm.tm_hour = v[4];
	tm.tm_min = v[5];
	tm.tm_sec = v[6];
	/* from 1970 (a time before has no use and would not print back as 4 digits) to 9999 */
	if (tm.tm_year < 70 || tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 ||
	    tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)
		return -1;
	*out = (int64_t)timegm(&tm);
	return *out < 0 ? -1 : 0;
}

int pl_keyring_parse_time(int64_t *out, const char *s)
{
	char d[16];
	size_t n = 0;

	/* "2026-09-01T08:00:00Z" or "2026-09-01" read as "20260901080000Z", "20260901" */
	for (const char *p = s; *p && n < sizeof(d) - 1; p++) {
		if (*p == '-' || *p == ':' || *p == 'T')
			continue;
		d[n++] = *p;
	}
	d[n] = '\0';
	if (strlen(s) > 24 || parse_time(out, d, n))
		return pl_error_set(PL_EUSAGE, "'%s' is not a time: give YYYY-MM-DD, YYYY-MM-DDThh:mm:ssZ or "
		                    "YYYYMMDDhhmmssZ (UTC)", s);
	return 0;
}

void pl_keyring_fmt_time(char *buf, size_t sz, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(buf, sz, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void fmt_time(char *buf, size_t sz, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(buf, sz, "%Y%m%d%H%M%SZ", &tm);
}

/* ---- the allowed_signers text ---- */

/* One option of the options field: name="value" or name=value, into e. */
static int parse_option(pl_enrolled *e, const char *o, size_t n)
{
	const char *eq = memchr(o, '=', n), *v;
	size_t nl, vl;

	if (!eq)
		return -1;
	nl = (size_t)(eq - o);
	v = eq + 1;
	vl = n - nl - 1;
	if (vl >= 2 && v[0] == '"' && v[vl - 1] == '"') {
		v++;
		vl -= 2;
	}
	if (nl == 10 && !memcmp(o, "namespaces", 10))
		return vl == 3 && !memcmp(v, "git", 3) ? 0 : -1;
	if (nl == 11 && !memcmp(o, "valid-after", 11))
		return parse_time(&e->valid_after, v, vl);
	if (nl == 12 && !memcmp(o, "valid-before", 12))
		return parse_time(&e->valid_before, v, vl);
	return -1;
}

int pl_keyring_parse(pl_keyring *kr, const char *text, size_t len)
{
	size_t cap = 0, lineno = 0;
	const char *p = text, *end = text + len;

	pl_keyring_clear(kr);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *q, *le = nl ? nl : end;
		char buf[1024];
		pl_enrolled e;
		size_t n;

		lineno++;
		n = (size_t)(le - p);
		if (n >= sizeof(buf))
			return pl_error_set(PL_EINVALID, "allowed_signers line %zu is too long", lineno);
		memcpy(buf, p, n);
		buf[n] = '\0';
		p = nl ? nl + 1 : end;
		if (n && buf[n - 1] == '\r')
			buf[--n] = '\0';
		q = buf + strspn(buf, " \t");
		if (!*q || *q == '#')
			continue;
		memset(&e, 0, sizeof(e));
		n = strcspn(q, " \t");
		if (n >= sizeof(e.node) || (memcpy(e.node, q, n), e.node[n] = '\0', !pl_node_valid(e.node)))
			return pl_error_set(PL_EINVALID, "allowed_signers line %zu: the principal is not a node code",
			                    lineno);
		q += n;
		q += strspn(q, " \t");
		if (strncmp(q, "ssh-ed25519", 11)) {
			/* the options field: comma-separated, no spaces (quoted values have none) */
			const char *o = q;
			n = strcspn(q, " \t");
			for (size_t i = 0; i <= n;) {
				size_t j = i;
				int quoted = 0;
				while (j < n && (quoted || o[j] != ',')) {
					if (o[j] == '"')
						quoted = !quoted;
					j++;
				}
				if (parse_option(&e, o + i, j - i))
					return pl_error_set(PL_EINVALID, "allowed_signers line %zu: option '%.*s' is not one "
					                    "plsync writes", lineno, (int)(j - i), o + i);
				i = j + 1;
			}
			q += n;
			q += strspn(q, " \t");
		}
		if (pl_key_parse_public(&e.key, q))
			return pl_error_prefix("allowed_signers line %zu", lineno);
		if (kr->n == cap) {
			pl_enrolled *ne = realloc(kr->e, (cap = cap ? cap * 2 : 16) * sizeof(*ne));
			if (!ne)
				return pl_error_set(PL_ERROR, "out of memory");
			kr->e = ne;
		}
		kr->e[kr->n++] = e;
	}
	return 0;
}

char *pl_keyring_format(const pl_keyring *kr)
{
	size_t cap = 128 + kr->n * (PL_KEY_LINE_MAX + 128), off = 0;
	char *out = malloc(cap);

	if (!out)
		return NULL;
	off += snprintf(out, cap, "# plsync: the node keys the district enrolled (principal = node code)\n");
	for (size_t i = 0; i < kr->n; i++) {
		const pl_enrolled *e = &kr->e[i];
		char line[PL_KEY_LINE_MAX], a[32], b[32];
		pl_key_public_line(line, sizeof(line), &e->key);
		a[0] = b[0] = '\0';
		if (e->valid_after)
			fmt_time(a, sizeof(a), e->valid_after);
		if (e->valid_before)
			fmt_time(b, sizeof(b), e->valid_before);
		off += snprintf(out + off, cap - off, "%s namespaces=\"git\"%s%s%s%s%s%s %s\n", e->node,
		                a[0] ? ",valid-after=\"" : "", a, a[0] ? "\"" : "", b[0] ? ",valid-before=\"" : "", b,
		                b[0] ? "\"" : "", line);
	}
	return out;
}

int pl_keyring_has(const pl_keyring *kr, const char *node)
{
	for (size_t i = 0; i < kr->n; i++)
		if (!strcmp(kr->e[i].node, node))
			return 1;
	return 0;
}

/* ---- the district key and the ref ---- */

int pl_keyring_district_key(pl_key *k, int *made, const char *repo_path)
{
	char path[4096];
	int rc;

	if (made)
		*made = 0;
	snprintf(path, sizeof(path), "%s/%s", repo_path, PL_KEY_DISTRICT);
	if ((rc = pl_key_load(k, path)) != PL_ENOTFOUND)
		return rc;
	if ((rc = pl_key_generate(k, "plsync-district")))
		return rc;
	if ((rc = pl_key_save(k, path)) == PL_EEXISTS)
		return pl_key_load(k, path);
	if (rc) {
		pl_key_clear(k);
		return rc;
	}
	if (made)
		*made = 1;
	return 0;
}

static int read_ring(pl_keyring *kr, git_repository *repo, const pl_key *district)
{
	return pl_sync__keyring_read(kr, repo, PL_KEY_REF, district, NULL);
}

int pl_sync__keyring_read(pl_keyring *kr, git_repository *repo, const char *refname, const pl_key *district,
                          const char *district_fp)
{
	git_oid tip;
	git_commit *c = NULL;
	git_tree *t = NULL;
	git_tree_entry *e = NULL;
	git_blob *b = NULL;
	pl_key signer;
	char why[PL_ERROR_MSG_MAX];
	int grc, rc;

	pl_keyring_clear(kr);
	if ((grc = git_reference_name_to_id(&tip, repo, refname)) == GIT_ENOTFOUND)
		return 0;
	if (grc < 0)
		return pl_error_from_git(grc, refname);
	if ((rc = pl_sync__commit_signer(&signer, why, sizeof(why), repo, &tip)) < 0)
		return rc;
	{
		char fp[PL_KEY_FP_MAX];
		pl_key_fingerprint(fp, sizeof(fp), &signer);
		if (rc == 1 || (district && memcmp(signer.pk, district->pk, 32)) ||
		    (district_fp && strcmp(fp, district_fp)))
			return pl_error_set(PL_ECORRUPT, "%s (commit %.12s) is not signed by the district key%s%s: %s; "
			                    "the enrolled keys cannot be trusted and nothing is checked against them",
			                    PL_KEY_REF, git_oid_tostr_s(&tip), district_fp ? " " : "",
			                    district_fp ? district_fp : "", rc == 1 ? why : fp);
	}
	if ((grc = git_commit_lookup(&c, repo, &tip)) < 0 || (grc = git_commit_tree(&t, c)) < 0 ||
	    (grc = git_tree_entry_bypath(&e, t, PL_KEY_SIGNERS)) < 0 ||
	    (grc = git_blob_lookup(&b, repo, git_tree_entry_id(e))) < 0) {
		rc = pl_error_from_git(grc, PL_KEY_REF ":" PL_KEY_SIGNERS);
		goto cleanup;
	}
	if (git_blob_rawsize(b) > SIGNERS_MAX) {
		rc = pl_error_set(PL_ECORRUPT, "%s:%s is too big", PL_KEY_REF, PL_KEY_SIGNERS);
		goto cleanup;
	}
	if ((rc = pl_keyring_parse(kr, git_blob_rawcontent(b), (size_t)git_blob_rawsize(b)))) {
		pl_error_prefix("%s", PL_KEY_REF);
		goto cleanup;
	}
	git_oid_tostr(kr->tip, sizeof(kr->tip), &tip);
cleanup:
	git_blob_free(b);
	git_tree_entry_free(e);
	git_tree_free(t);
	git_commit_free(c);
	return rc;
}

int pl_keyring_load(pl_keyring *kr, const char *repo_path)
{
	git_repository *repo = NULL;
	char path[4096];
	pl_key district;
	int rc;

	memset(kr, 0, sizeof(*kr));
	if ((rc = pl_sync__open_district(&repo, repo_path)))
		return rc;
	if (git_reference_name_to_id(&(git_oid){ { 0 } }, repo, PL_KEY_REF) == GIT_ENOTFOUND) {
		git_repository_free(repo);
		return 0;
	}
	snprintf(path, sizeof(path), "%s/%s", repo_path, PL_KEY_DISTRICT);
	if ((rc = pl_key_load(&district, path))) {
		if (rc == PL_ENOTFOUND)
			rc = pl_error_set(PL_ECORRUPT, "%s exists but %s, the district key that signs it, is missing: "
			                  "the enrolled keys cannot be checked", PL_KEY_REF, path);
		git_repository_free(repo);
		return rc;
	}
	rc = read_ring(kr, repo, &district);
	pl_key_clear(&district);
	git_repository_free(repo);
	return rc;
}

/* A new commit on the ref with kr's text, signed by the district key. */
static int write_ring(git_repository *repo, const pl_keyring *kr, const pl_key *district, const char *what)
{
	git_treebuilder *tb = NULL;
	git_tree *tree = NULL;
	git_commit *parent = NULL;
	git_signature *sig = NULL;
	git_reference *ref = NULL;
	git_oid blob, tid, cid, old;
	char *text = pl_keyring_format(kr), msg[512];
	int has_old, rc = 0, grc;

	if (!text)
		return pl_error_set(PL_ERROR, "out of memory");
	has_old = git_reference_name_to_id(&old, repo, PL_KEY_REF) == 0;
	snprintf(msg, sizeof(msg), "keys: %s\n", what);
	if ((grc = git_blob_create_from_buffer(&blob, repo, text, strlen(text))) < 0 ||
	    (grc = git_treebuilder_new(&tb, repo, NULL)) < 0 ||
	    (grc = git_treebuilder_insert(NULL, tb, PL_KEY_SIGNERS, &blob, GIT_FILEMODE_BLOB)) < 0 ||
	    (grc = git_treebuilder_write(&tid, tb)) < 0 || (grc = git_tree_lookup(&tree, repo, &tid)) < 0 ||
	    (has_old && (grc = git_commit_lookup(&parent, repo, &old)) < 0) ||
	    (grc = git_signature_now(&sig, "plsync-district", "plsync@localhost")) < 0) {
		rc = pl_error_from_git(grc, "writing the keys");
		goto cleanup;
	}
	{
		const git_commit *parents[1] = { parent };
		if ((rc = pl_sync__commit_signed(&cid, repo, district, sig, sig, msg, tree, parent ? 1 : 0, parents)))
			goto cleanup;
	}
	grc = has_old ? git_reference_create_matching(&ref, repo, PL_KEY_REF, &cid, 1, &old, msg)
	              : git_reference_create(&ref, repo, PL_KEY_REF, &cid, 0, msg);
	if (grc < 0)
		rc = pl_error_from_git(grc, "moving " PL_KEY_REF " (another enrolment at the same time?)");
cleanup:
	git_reference_free(ref);
	git_signature_free(sig);
	git_commit_free(parent);
	git_tree_free(tree);
	git_treebuilder_free(tb);
	free(text);
	return rc;
}

/* Open, the district key (made if missing), the current keyring. */
static int ring_open(git_repository **repo, pl_key *district, pl_keyring *kr, const char *repo_path)
{
	int rc;

	memset(kr, 0, sizeof(*kr));
	if ((rc = pl_sync__open_district(repo, repo_path)))
		return rc;
	if ((rc = pl_keyring_district_key(district, NULL, repo_path)) || (rc = read_ring(kr, *repo, district))) {
		git_repository_free(*repo);
		*repo = NULL;
		pl_key_clear(district);
	}
	return rc;
}

int pl_keyring_enroll(const char *repo_path, const char *node, const char *pub, int64_t valid_after)
{
	git_repository *repo = NULL;
	pl_key district, k;
	pl_keyring kr;
	char what[256], fp[PL_KEY_FP_MAX];
	int rc;

	if (!pl_node_valid(node))
		return pl_error_set(PL_EUSAGE, "'%s' is not a node code", node);
	if ((rc = pl_key_parse_public(&k, pub)))
		return rc;
	if ((rc = ring_open(&repo, &district, &kr, repo_path)))
		return rc;
	pl_key_fingerprint(fp, sizeof(fp), &k);
	for (size_t i = 0; i < kr.n; i++) {
		if (memcmp(kr.e[i].key.pk, k.pk, 32))
			continue;
		if (strcmp(kr.e[i].node, node)) {
			rc = pl_error_set(PL_ECONFLICT, "key %s is enrolled for node %s: one key signs for one node", fp,
			                  kr.e[i].node);
			goto cleanup;
		}
		if (!kr.e[i].valid_before) {
			rc = pl_error_set(PL_EEXISTS, "key %s is already enrolled for node %s", fp, node);
			goto cleanup;
		}
	}
	{
		pl_enrolled *ne = realloc(kr.e, (kr.n + 1) * sizeof(*ne));
		if (!ne) {
			rc = pl_error_set(PL_ERROR, "out of memory");
			goto cleanup;
		}
		kr.e = ne;
		memset(&kr.e[kr.n], 0, sizeof(kr.e[kr.n]));
		snprintf(kr.e[kr.n].node, sizeof(kr.e[kr.n].node), "%s", node);
		kr.e[kr.n].key = k;
		kr.e[kr.n].valid_after = valid_after;
		kr.n++;
	}
	snprintf(what, sizeof(what), "enrol %s for %s", fp, node);
	rc = write_ring(repo, &kr, &district, what);
cleanup:
	pl_keyring_clear(&kr);
	pl_key_clear(&district);
	git_repository_free(repo);
	return rc;
}

int pl_keyring_revoke(const char *repo_path, const char *node, const char *fp, int64_t when)
{
	git_repository *repo = NULL;
	pl_key district;
	pl_keyring kr;
	char what[256];
	size_t hit = 0;
	int rc;

	if ((rc = ring_open(&repo, &district, &kr, repo_path)))
		return rc;
	for (size_t i = 0; i < kr.n; i++) {
		char f[PL_KEY_FP_MAX];
		pl_key_fingerprint(f, sizeof(f), &kr.e[i].key);
		if (strcmp(kr.e[i].node, node) || (fp && strcmp(f, fp)) ||
		    (kr.e[i].valid_before && kr.e[i].valid_before <= when))
			continue;
		kr.e[i].valid_before = when;
		hit++;
	}
	if (!hit) {
		rc = pl_error_set(PL_ENOTFOUND, "node %s has no %s key%s%s to revoke", node, fp ? "" : "valid",
		                  fp ? " " : "", fp ? fp : "");
		goto cleanup;
	}
	{
		char t[32];
		fmt_time(t, sizeof(t), when);
		snprintf(what, sizeof(what), "revoke %s key%s of %s from %s", fp ? fp : "every", fp ? "" : "", node, t);
	}
	rc = write_ring(repo, &kr, &district, what);
cleanup:
	pl_keyring_clear(&kr);
	pl_key_clear(&district);
	git_repository_free(repo);
	return rc;
}

/* ---- the merge's check ---- */

int pl_sync__keyring_check(char *why, size_t sz, const pl_keyring *kr, const char *node, git_repository *repo,
                           const git_oid *commit)
{
	git_commit *c = NULL;
	pl_key signer;
	char fp[PL_KEY_FP_MAX], reason[PL_ERROR_MSG_MAX], t[32];
	const char *other = NULL;
	int64_t when;
	int rc, enrolled = 0;

	if ((rc = pl_sync__commit_signer(&signer, reason, sizeof(reason), repo, commit)) < 0)
		return rc;
	if (rc == 1) {
		snprintf(why, sz, "commit %.12s: %s, and nodes/%s has an enrolled key: only commits signed by it "
		         "are merged", git_oid_tostr_s(commit), reason, node);
		return 1;
	}
	if ((rc = git_commit_lookup(&c, repo, commit)) < 0)
		return pl_error_from_git(rc, "reading a node commit");
	when = (int64_t)git_commit_committer(c)->when.time;
	git_commit_free(c);
	pl_key_fingerprint(fp, sizeof(fp), &signer);
	fmt_time(t, sizeof(t), when);
	for (size_t i = 0; i < kr->n; i++) {
		const pl_enrolled *e = &kr->e[i];
		if (memcmp(e->key.pk, signer.pk, 32))
			continue;
		if (strcmp(e->node, node)) {
			other = e->node;
			continue;
		}
		enrolled = 1;
		if ((!e->valid_after || when >= e->valid_after) && (!e->valid_before || when < e->valid_before))
			return 0;
	}
	if (enrolled)
		snprintf(why, sz, "commit %.12s is signed at %s by key %s of nodes/%s outside its validity (revoked, "
		         "or not yet valid)", git_oid_tostr_s(commit), t, fp, node);
	else if (other)
		snprintf(why, sz, "commit %.12s is signed by key %s, which is enrolled for node %s, not %s: another "
		         "node's credentials wrote this ref", git_oid_tostr_s(commit), fp, other, node);
	else
		snprintf(why, sz, "commit %.12s is signed by key %s, which is not enrolled for node %s",
		         git_oid_tostr_s(commit), fp, node);
	return 1;
}
