/*
 * cmd-keys.c — `plsync-audit keys REPO [--district-key FP] [--json]`: the
 * node keys enrolled in REPO, read as an auditor reads them (from git
 * alone, nothing written: pl_audit_keys): node, fingerprint, comment,
 * validity, and the district key that signed them.
 */
#include <stdio.h>

#include "audit.h"
#include "plsync/audit.h"
#include "plsync/json.h"
#include "plsync/key.h"
#include "plsync/text.h"

static int on_problem(const pl_audit_problem *p, void *payload)
{
	/* the problem quotes the repository's bytes */
	fputs("plsync-audit: ", stderr);
	pl_term_fputs(stderr, p->where);
	fputs(": ", stderr);
	pl_term_fputs(stderr, p->what);
	fputc('\n', stderr);
	return 0;
}

static int cmd_keys(cli *c, int argc, char **argv)
{
	pl_audit_verify_options o = PL_AUDIT_VERIFY_OPTIONS_INIT;
	pl_audit_verify_result r;
	const char *pos[2] = { NULL, NULL }, *dkey = NULL;
	int as_json = 0, rc;
	opt_spec specs[] = { { "json", 0, NULL, &as_json }, { "district-key", 1, &dkey, NULL },
	                     { NULL, 0, NULL, NULL } };
	pl_keyring kr;
	char fp[PL_KEY_FP_MAX], a[32], b[32];
	json_t *list;

	if ((rc = audit_args(&cmd_keys_entry, argc, argv, specs, 1, pos)))
		return rc;
	o.district_key = dkey;
	o.problem = on_problem;
	if (pl_audit_keys(&kr, &r, pos[0], &o))
		return cli_fail(c);
	list = json_array();
	for (size_t i = 0; i < kr.n; i++) {
		const pl_enrolled *e = &kr.e[i];
		pl_key_fingerprint(fp, sizeof(fp), &e->key);
		a[0] = b[0] = '\0';
		if (e->valid_after)
			pl_keyring_fmt_time(a, sizeof(a), e->valid_after);
		if (e->valid_before)
			pl_keyring_fmt_time(b, sizeof(b), e->valid_before);
		json_array_append_new(list, json_pack("{ss ss ss ss ss}", "node", e->node, "fingerprint", fp, "comment",
		                                      e->key.comment, "valid_after", a, "valid_before", b));
	}
	if (as_json) {
		json_t *j = json_pack("{ss ss so si}", "ref", kr.tip, "district_key", r.district_fp, "keys", list,
		                      "problems", (int)r.problems);
		pl_json_write(stdout, j);
		json_decref(j);
	} else {
		for (size_t i = 0; i < json_array_size(list); i++) {
			json_t *e = json_array_get(list, i);
			const char *va = json_string_value(json_object_get(e, "valid_after")),
			           *vb = json_string_value(json_object_get(e, "valid_before"));
			printf("%-10s %s ", json_string_value(json_object_get(e, "node")),
			       json_string_value(json_object_get(e, "fingerprint")));
			pl_term_fputs(stdout, json_string_value(json_object_get(e, "comment")));
			printf("%s%s%s%s\n", *va ? " from " : "", va, *vb ? " revoked from " : "", vb);
		}
		if (!kr.n && !r.problems)
			printf("no key enrolled: no node's signatures are tied to a key\n");
		if (r.district_fp[0])
			printf("district key %s (signed refs/plsync/keys%s)\n", r.district_fp,
			       dkey ? ", as pinned" : "");
		json_decref(list);
	}
	pl_keyring_clear(&kr);
	return r.problems ? EXIT_FAIL : EXIT_OK;
}

const cmd_entry cmd_keys_entry = {
	.name = "keys",
	.synopsis = "keys REPO [--district-key FP] [--json]",
	.summary = "list the enrolled node keys: node, fingerprint, validity",
	.help =
	"Lists the node keys enrolled in REPO (refs/plsync/keys) as an auditor\n"
	"reads them, from git alone and writing nothing: node, SHA256\n"
	"fingerprint, comment, validity (from, revoked from), and the district\n"
	"key that signed them. The district key is chosen as verify chooses it:\n"
	"the pinned one, else the public part of REPO/plsync-district.key, else\n"
	"the signer of the keys ref's first commit. A keys ref the district key\n"
	"did not sign is reported (stderr) and exits 1.\n"
	"\n"
	"Options:\n"
	"  --district-key FP   the district key's fingerprint (SHA256:...), as\n"
	"                      the district published it\n"
	"  --json              {ref, district_key, keys: [{node, fingerprint,\n"
	"                      comment, valid_after, valid_before}], problems}\n"
	"\n"
	"Example:\n"
	"  plsync-audit keys /srv/git/plsync.git --district-key SHA256:Qm...\n",
	.exec = cmd_keys,
};
