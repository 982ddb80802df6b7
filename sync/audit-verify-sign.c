/*
 * audit-verify-sign.c — verify's signature and witness steps, from git
 * alone (docs/design.md, sections 10 and 13):
 *
 *  - the district key: pinned by its fingerprint (opts->district_key), or
 *    the public part of REPO/plsync-district.key, or (neither) the key that
 *    signed refs/plsync/keys' first commit; refs/plsync/keys' tip must be
 *    signed by it, and so must every commit of main's first-parent chain;
 *  - every commit of every node ref is signed and the signature valid; for
 *    a node with a key enrolled, by a key enrolled for that node and valid
 *    at the commit's committer time (pl_sync__keyring_check, the merge's
 *    own check: the keyring's valid-after/valid-before keep its history);
 *  - the "Seen-main:" trailer of each validly signed node commit is a main
 *    tip that school saw; each one must still be main's tip or an ancestor
 *    of it. The school's signature makes it the school's word, so a main
 *    rewound or rewritten on the server is proved from the schools' side
 *    even when the district's cache and plsync-last-merge were replaced.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <git2.h>

#include "plsync/errors.h"
#include "plsync/audit.h"
#include "plsync/key.h"
#include "audit-verify-int.h"
#include "district-int.h"
#include "sign-int.h"

/* The signer of refs/plsync/keys' first commit (the key that began the enrolment). */
static int keys_root_signer(pl_key *k, git_repository *repo)
{
	git_revwalk *w = NULL;
	git_oid oid, root;
	char why[PL_ERROR_MSG_MAX];
	int have = 0, rc;

	if (git_revwalk_new(&w, repo) < 0 || git_revwalk_push_ref(w, PL_KEY_REF) < 0) {
		git_revwalk_free(w);
		return 1;
	}
	while (git_revwalk_next(&oid, w) == 0) {
		root = oid;
		have = 1;
	}
	git_revwalk_free(w);
	if (!have)
		return 1;
	rc = pl_sync__commit_signer(k, why, sizeof(why), repo, &root);
	return rc < 0 ? rc : rc ? 1 : 0;
}

int pl_audit__sign_setup(struct verify *v, const char *repo_path)
{
	const char *pin = v->opts->district_key;
	char path[4096], fp[PL_KEY_FP_MAX];
	pl_key k;
	int rc;

	if (!(v->seen = json_object()))
		return v->rc = pl_error_set(PL_ERROR, "out of memory");
	snprintf(path, sizeof(path), "%s/%s", repo_path, PL_KEY_DISTRICT);
	if ((rc = pl_key_load(&k, path)) == 0) {
		memcpy(v->district.pk, k.pk, 32);
		pl_key_clear(&k);
		v->has_district = 1;
		pl_key_fingerprint(fp, sizeof(fp), &v->district);
		if (pin && strcmp(pin, fp)) {
			v->has_district = 0;
			pl_audit__problem(v, path, NULL, 0, NULL, "is key %s, not the pinned district key %s: the district "
			                  "key in the repository's directory was replaced", fp, pin);
		}
	} else if (rc != PL_ENOTFOUND) {
		pl_audit__problem(v, path, NULL, 0, NULL, "cannot be read: %s", pl_error_last()->message);
	}
	if (!v->has_district && (rc = keys_root_signer(&k, v->repo)) < 0)
		return v->rc = rc;
	if (!v->has_district && rc == 0) {
		pl_key_fingerprint(fp, sizeof(fp), &k);
		if (!pin || !strcmp(pin, fp)) {
			memcpy(v->district.pk, k.pk, 32);
			v->has_district = 1;
		}
	}
	if (!v->has_district) {
		if (pin)
			return pl_audit__problem(v, PL_KEY_REF, NULL, 0, NULL, "its first commit is not signed by the "
			                         "pinned district key %s: no merge commit can be checked", pin);
		return pl_audit__problem(v, repo_path, NULL, 0, NULL, "no district key (neither %s nor a signed %s): "
		                         "merge commits cannot be checked", PL_KEY_DISTRICT, PL_KEY_REF);
	}
	pl_key_fingerprint(v->res->district_fp, sizeof(v->res->district_fp), &v->district);
	if ((rc = pl_sync__keyring_read(&v->keys, v->repo, PL_KEY_REF, &v->district, NULL))) {
		if (rc != PL_ECORRUPT && rc != PL_EINVALID)
			return v->rc = rc;
		pl_keyring_clear(&v->keys);
		return pl_audit__problem(v, PL_KEY_REF, NULL, 0, NULL, "%s", pl_error_last()->message);
	}
	if (v->keys.tip[0])
		v->res->signatures++;
	return v->rc;
}

int pl_audit__sign_node(struct verify *v, const char *node, const git_oid *tip)
{
	int enrolled = pl_keyring_has(&v->keys, node);
	git_commit *c = NULL;
	char ref[PL_NODE_MAX + 24];

	snprintf(ref, sizeof(ref), "nodes/%s", node);
	if (git_commit_lookup(&c, v->repo, tip) < 0)
		return v->rc; /* reported by the chain's check */
	while (c && !v->rc) {
		git_commit *next = NULL;
		char why[PL_ERROR_MSG_MAX + 200], hex[41], where[PL_NODE_MAX + 64], seen[41];
		pl_key signer;
		int rc;

		git_oid_tostr(hex, sizeof(hex), git_commit_id(c));
		snprintf(where, sizeof(where), "%s commit %.12s", ref, hex);
		if (enrolled)
			rc = pl_sync__keyring_check(why, sizeof(why), &v->keys, node, v->repo, git_commit_id(c));
		else if ((rc = pl_sync__commit_signer(&signer, why, sizeof(why), v->repo, git_commit_id(c))) == 1) {
			char tmp[PL_ERROR_MSG_MAX];
			snprintf(tmp, sizeof(tmp), "%s", why);
			snprintf(why, sizeof(why), "commit %.12s: %s", hex, tmp);
		}
		if (rc < 0) {
			v->rc = rc;
			break;
		}
		v->res->signatures++;
		if (rc == 1)
			pl_audit__problem(v, where, node, 0, hex, "%s", why);
		else if (pl_sync__seen_main(seen, git_commit_message(c))) {
			/* each school's witness of a tip counts, its newest commit naming it */
			char key[41 + PL_NODE_MAX + 2];
			snprintf(key, sizeof(key), "%s %s", seen, node);
			if (!json_object_get(v->seen, key))
				json_object_set_new(v->seen, key, json_pack("{ss ss ss}", "node", node, "commit", hex,
				                                            "seen", seen));
		}
		if (git_commit_parentcount(c) == 0 || git_commit_parent(&next, c, 0) < 0)
			next = NULL;
		git_commit_free(c);
		c = next;
	}
	git_commit_free(c);
	return v->rc;
}

int pl_audit__sign_merge(struct verify *v, const git_commit *c)
{
	char why[PL_ERROR_MSG_MAX], hex[41], where[64], fp[PL_KEY_FP_MAX], dfp[PL_KEY_FP_MAX];
	pl_key signer;
	int rc;

	if (!v->has_district)
		return v->rc;
	git_oid_tostr(hex, sizeof(hex), git_commit_id(c));
	snprintf(where, sizeof(where), "merge %.12s", hex);
	if ((rc = pl_sync__commit_signer(&signer, why, sizeof(why), v->repo, git_commit_id(c))) < 0)
		return v->rc = rc;
	v->res->signatures++;
	if (rc == 1)
		return pl_audit__problem(v, where, NULL, 0, hex, "main's commit %.12s: %s: main's commits are signed by "
		                         "the district key", hex, why);
	if (memcmp(signer.pk, v->district.pk, 32)) {
		pl_key_fingerprint(fp, sizeof(fp), &signer);
		pl_key_fingerprint(dfp, sizeof(dfp), &v->district);
		return pl_audit__problem(v, where, NULL, 0, hex, "main's commit %.12s is signed by key %s, not by the "
		                         "district key %s: it was not made by the district's merge", hex, fp, dfp);
	}
	return v->rc;
}

int pl_audit__witnesses(struct verify *v, const git_oid *main_tip)
{
	const char *key;
	json_t *e;

	v->res->witnesses = json_object_size(v->seen);
	json_object_foreach(v->seen, key, e) {
		const char *sha = json_string_value(json_object_get(e, "seen"));
		const char *node = json_string_value(json_object_get(e, "node"));
		const char *commit = json_string_value(json_object_get(e, "commit"));
		char where[PL_NODE_MAX + 64];
		git_oid s;
		git_commit *sc = NULL;
		int known;

		snprintf(where, sizeof(where), "nodes/%s commit %.12s", node, commit);
		if (git_oid_fromstr(&s, sha) < 0)
			continue;
		if (main_tip && (git_oid_equal(&s, main_tip) || git_graph_descendant_of(v->repo, main_tip, &s) == 1))
			continue;
		known = git_commit_lookup(&sc, v->repo, &s) == 0;
		git_commit_free(sc);
		pl_audit__problem(v, where, node, 0, commit, "%s's signed commit %.12s saw main at %s, which is %s: main "
		                  "was rewound or rewritten after %s fetched it", node, commit, sha,
		                  !main_tip ? "gone (there is no main)" :
		                  known ? "not in main's history" : "not in this repository at all", node);
		if (v->rc)
			break;
	}
	return v->rc;
}

void pl_audit__sign_free(struct verify *v)
{
	pl_keyring_clear(&v->keys);
	json_decref(v->seen);
	v->seen = NULL;
}

int pl_audit_keys(pl_keyring *out, pl_audit_verify_result *res, const char *repo_path,
                  const pl_audit_verify_options *opts)
{
	static const pl_audit_verify_options defaults = PL_AUDIT_VERIFY_OPTIONS_INIT;
	struct verify v;

	memset(out, 0, sizeof(*out));
	memset(res, 0, sizeof(*res));
	memset(&v, 0, sizeof(v));
	v.opts = opts ? opts : &defaults;
	v.res = res;
	if ((v.rc = pl_sync__open_district(&v.repo, repo_path)) == 0)
		pl_audit__sign_setup(&v, repo_path);
	if (!v.rc) {
		*out = v.keys; /* handed over whole */
		memset(&v.keys, 0, sizeof(v.keys));
	}
	pl_keyring_clear(&v.keys);
	json_decref(v.seen);
	git_repository_free(v.repo);
	return v.rc;
}
