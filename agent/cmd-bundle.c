/*
 * cmd-bundle.c — `plsync bundle create|apply`: ops on a file, no network.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"

static int cmd_bundle(cli *c, int argc, char **argv)
{
	const char *since = NULL;
	int as_json = 0;
	opt_spec specs[] = { { "since", 1, &since, NULL }, { "json", 0, NULL, &as_json }, { NULL, 0, NULL, NULL } };
	json_t *out = NULL;
	char **pos;
	int npos, rc;

	if ((rc = opts_parse(&cmd_bundle_entry, argc, argv, specs, &pos, &npos)))
		return rc;
	if (npos != 2 || (strcmp(pos[0], "create") && strcmp(pos[0], "apply"))) {
		free(pos);
		return cli_usage(&cmd_bundle_entry, "give 'create FILE' or 'apply FILE'");
	}
	if (!strcmp(pos[0], "create")) {
		uint64_t first = 0, last = 0, from = PL_BUNDLE_SINCE_PUSHED;
		pl_mirror *m = NULL;
		sync_cfg sc;
		char *end;
		if (since) {
			from = strtoull(since, &end, 10);
			if (*end || !*since) {
				free(pos);
				return cli_usage(&cmd_bundle_entry, "--since takes a seq number");
			}
		}
		/* the commits go along, authored as a sync would author them */
		rc = sync_cfg_load(&sc, c->dir, NULL) || pl_mirror_open(&m, c->dir) ||
		     pl_bundle_create(&first, &last, m, c->store, pos[1], from, &sc.opts);
		pl_mirror_free(m);
		sync_cfg_free(&sc);
		if (!rc && as_json)
			out = json_pack("{ss ss ss sI sI}", "action", "create", "file", pos[1], "node",
			                pl_store_node(c->store), "first", (json_int_t)first, "last", (json_int_t)last);
		else if (!rc)
			printf("wrote %s: ops %" PRIu64 "..%" PRIu64 " of node %s\n", pos[1], first, last,
			       pl_store_node(c->store));
	} else {
		size_t applied = 0, skipped = 0;
		if (since) {
			free(pos);
			return cli_usage(&cmd_bundle_entry, "--since is for create");
		}
		rc = pl_bundle_apply(&applied, &skipped, c->store, pos[1]);
		if (!rc && as_json)
			out = json_pack("{ss ss sI sI}", "action", "apply", "file", pos[1], "applied",
			                (json_int_t)applied, "skipped", (json_int_t)skipped);
		else if (!rc)
			printf("applied %zu op%s from %s (%zu already here)\n", applied, applied == 1 ? "" : "s",
			       pos[1], skipped);
	}
	free(pos);
	if (!rc && out)
		rc = pl_json_write(stdout, out);
	json_decref(out);
	return rc ? cli_fail(c) : EXIT_OK;
}

const cmd_entry cmd_bundle_entry = {
	.name = "bundle",
	.synopsis = "bundle create FILE [--since SEQ] [--json] | bundle apply FILE [--json]",
	.summary = "carry ops on a file where there is no network at all",
	.help =
	"create writes this node's ops after SEQ to FILE (default: after the last seq\n"
	"the district repository confirmed, i.e. all it is not known to have; --since 0\n"
	"for all): a header naming the node and seq range, the ops zlib-compressed,\n"
	"the mirror commits that hold them (committed now if not yet), and a SHA-1\n"
	"checksum. Carry it (USB stick, email) to the district office, which lands it\n"
	"in the district repository with 'plsync-district bundle apply REPO FILE', as\n"
	"if this school had pushed; or to another school.\n"
	"\n"
	"apply verifies FILE (checksum, sizes, every op's chain and id) and applies it in\n"
	"one transaction; ops already here are skipped. A truncated, corrupt or foreign\n"
	"file (not a plsync bundle, or this node's own) is refused and nothing changes.\n"
	"Applied at an agent the ops are that agent's to read; to reach the board they\n"
	"must land in the district repository: see README, \"Bundles\".\n"
	"\n"
	"--json prints one JSON object: action (create or apply), file, and node,\n"
	"first, last (create) or applied, skipped (apply).\n"
	"\n"
	"Examples:\n"
	"  plsync bundle create /media/usb/LIN01-2026-11.plsync\n"
	"  plsync bundle create /media/usb/LIN01-all.plsync --since 0\n"
	"  plsync bundle apply /media/usb/LIN01-2026-11.plsync\n",
	.needs_store = 1,
	.exec = cmd_bundle,
};
