/*
 * cmd-keys.c — `plsync-district keys REPO [--json]`: the enrolled node keys
 * (refs/plsync/keys, its signature by the district key checked first),
 * with their fingerprints and validity.
 */
#include <stdio.h>

#include "district.h"
#include "plsync/json.h"
#include "plsync/key.h"
#include "plsync/text.h"

static int cmd_keys(cli *c, int argc, char **argv)
{
	const char *repo;
	int as_json = 0, rc;
	opt_spec specs[] = { { "json", 0, NULL, &as_json }, { NULL, 0, NULL, NULL } };
	pl_keyring kr;
	pl_key dk;
	char fp[PL_KEY_FP_MAX], a[32], b[32];
	json_t *list;

	if ((rc = district_args(&cmd_keys_entry, argc, argv, specs, &repo)))
		return rc;
	if (pl_keyring_load(&kr, repo))
		return cli_fail_code(EXIT_FAIL);
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
		json_t *j = json_pack("{ss so}", "ref", kr.tip, "keys", list);
		pl_json_write(stdout, j);
		json_decref(j);
	} else {
		if (!kr.n)
			printf("no key enrolled: the merge checks no signature (plsync-district enroll)\n");
		for (size_t i = 0; i < json_array_size(list); i++) {
			json_t *e = json_array_get(list, i);
			const char *va = json_string_value(json_object_get(e, "valid_after")),
			           *vb = json_string_value(json_object_get(e, "valid_before"));
			printf("%-10s %s ", json_string_value(json_object_get(e, "node")),
			       json_string_value(json_object_get(e, "fingerprint")));
			pl_term_fputs(stdout, json_string_value(json_object_get(e, "comment")));
			printf("%s%s%s%s\n", *va ? " from " : "", va, *vb ? " revoked from " : "", vb);
		}
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
