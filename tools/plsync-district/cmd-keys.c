/*
 * cmd-keys.c — `plsync-district keys REPO [--json]`: the enrolled node keys
 * (refs/plsync/keys, its signature by the district key checked first),
 * with their fingerprints and validity.
 */
#include <stdio.h>

#include "district.h"
#include "plsync/json.h"
#include "plsync/key.h"

static int cmd_keys(cli *c, int argc, char **argv)
{
	const char *repo;
	int as_json = 0, rc;
	opt_spec specs[] = { { "json", 0, NULL, &as_json }, { NULL, 0, NULL, NULL } };
	pl_keyring kr;
	pl_key dk;
	char fp[PL_KEY_FP_MAX];
	json_t *list;

	if ((rc = district_args(&cmd_keys_entry, argc, argv, specs, &repo)))
		return rc;
	if (pl_keyring_load(&kr, repo))
		return cli_fail_code(EXIT_FAIL);
	list = cli_keys_json(&kr);
	if (as_json) {
		json_t *j = json_pack("{ss so}", "ref", kr.tip, "keys", list);
		pl_json_write(stdout, j);
		json_decref(j);
	} else {
		if (!kr.n)
			printf("no key enrolled: the merge checks no signature (plsync-district enroll)\n");
		cli_keys_print(list);
		json_decref(list);
		if (pl_keyring_district_key(&dk, NULL, repo) == 0) {
			pl_key_fingerprint(fp, sizeof(fp), &dk);
			printf("district key %s (signs refs/plsync/keys)\n", fp);
			pl_key_clear(&dk);
		}
	}
	pl_keyring_clear(&kr);
	return EXIT_OK;
}

const cmd_entry cmd_keys_entry = {
	.name = "keys",
	.synopsis = "keys REPO [--json]",
	.summary = "list the enrolled node keys: node, fingerprint, validity",
	.help =
	"Lists the node keys enrolled in REPO (refs/plsync/keys), after checking\n"
	"that the district key signed them: node, SHA256 fingerprint, comment,\n"
	"and the validity (from, revoked from). Nodes with no key here merge\n"
	"without any signature check.\n"
	"\n"
	"Options:\n"
	"  --json   {ref, keys: [{node, fingerprint, comment, valid_after, valid_before}]}\n"
	"\n"
	"Example:\n"
	"  plsync-district keys /srv/git/plsync.git\n",
	.exec = cmd_keys,
};
