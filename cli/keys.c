/*
 * keys.c — an enrolled keyring as the programs show it (plsync-district
 * keys, plsync-audit keys): one JSON object per key, and one line per key
 * for the terminal (its comment escaped: it is the repository's text).
 */
#include <stdio.h>

#include "cli.h"
#include "plsync/render.h"

json_t *cli_keys_json(const pl_keyring *kr)
{
	char fp[PL_KEY_FP_MAX], a[32], b[32];
	json_t *list = json_array();

	for (size_t i = 0; list && i < kr->n; i++) {
		const pl_enrolled *e = &kr->e[i];
		pl_key_fingerprint(fp, sizeof(fp), &e->key);
		a[0] = b[0] = '\0';
		if (e->valid_after)
			pl_keyring_fmt_time(a, sizeof(a), e->valid_after);
		if (e->valid_before)
			pl_keyring_fmt_time(b, sizeof(b), e->valid_before);
		json_array_append_new(list, json_pack("{ss ss ss ss ss}", "node", e->node, "fingerprint", fp, "comment",
		                                      e->key.comment, "valid_after", a, "valid_before", b));
	}
	return list;
}

void cli_keys_print(const json_t *list)
{
	for (size_t i = 0; i < json_array_size(list); i++) {
		json_t *e = json_array_get(list, i);
		const char *va = json_string_value(json_object_get(e, "valid_after")),
		           *vb = json_string_value(json_object_get(e, "valid_before"));
		printf("%-10s %s ", json_string_value(json_object_get(e, "node")),
		       json_string_value(json_object_get(e, "fingerprint")));
		pl_term_fputs(stdout, json_string_value(json_object_get(e, "comment")));
		printf("%s%s%s%s\n", *va ? " from " : "", va, *vb ? " revoked from " : "", vb);
	}
}
