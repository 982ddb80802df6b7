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
	json_t *list;

	if ((rc = audit_args(&cmd_keys_entry, argc, argv, specs, 1, pos)))
		return rc;
	o.district_key = dkey;
	o.problem = on_problem;
	if (pl_audit_keys(&kr, &r, pos[0], &o))
		return cli_fail(c);
	list = cli_keys_json(&kr);
	if (as_json) {
		json_t *j = json_pack("{ss ss so si}", "ref", kr.tip, "district_key", r.district_fp, "keys", list,
		                      "problems", (int)r.problems);
		pl_json_write(stdout, j);
		json_decref(j);
	} else {
		cli_keys_print(list);
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
