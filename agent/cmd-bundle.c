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
	opt_spec specs[] = { { "since", 1, &since, NULL }, { NULL, 0, NULL, NULL } };
	char **pos;
	int npos, rc;

	if ((rc = opts_parse(&cmd_bundle_entry, argc, argv, specs, &pos, &npos)))
		return rc;
	if (npos != 2 || (strcmp(pos[0], "create") && strcmp(pos[0], "apply"))) {
		free(pos);
		return cli_usage(&cmd_bundle_entry, "give 'create FILE' or 'apply FILE'");
	}
	if (!strcmp(pos[0], "create")) {
		uint64_t first = 0, last = 0, from = 0;
		char *end;
		if (since) {
			from = strtoull(since, &end, 10);
			if (*end || !*since) {
				free(pos);
				return cli_usage(&cmd_bundle_entry, "--since takes a seq number");
			}
		}
		rc = pl_bundle_create(&first, &last, c->store, pos[1], from);
		if (!rc)
			printf("wrote %s: ops %" PRIu64 "..%" PRIu64 " of node %s\n", pos[1], first, last,
			       pl_store_node(c->store));
	} else {
		size_t applied = 0, skipped = 0;
		if (since) {
			free(pos);
			return cli_usage(&cmd_bundle_entry, "--since is for create");
		}
		rc = pl_bundle_apply(&applied, &skipped, c->store, pos[1]);
		if (!rc)
			printf("applied %zu op%s from %s (%zu already here)\n", applied, applied == 1 ? "" : "s",
			       pos[1], skipped);
	}
	free(pos);
	return rc ? cli_fail(c) : EXIT_OK;
}

const cmd_entry cmd_bundle_entry = {
	.name = "bundle",
	.synopsis = "bundle create FILE [--since SEQ] | bundle apply FILE",
	.summary = "carry ops on a file where there is no network at all",
	.help =
	"create writes this node's ops after SEQ (default: all) to FILE: a header\n"
	"naming the node and seq range, the ops zlib-compressed, and a SHA-1 checksum.\n"
	"Carry it (USB stick, email) to the district office or another school.\n"
	"\n"
	"apply verifies FILE (checksum, sizes, every op's chain and id) and applies it in\n"
	"one transaction; ops already here are skipped. A truncated, corrupt or foreign\n"
	"file (not a plsync bundle, or this node's own) is refused and nothing changes.\n"
	"Ops applied at the DISTRICT agent reach the district repository the same way as\n"
	"its own: see README, \"Bundles\".\n"
	"\n"
	"Examples:\n"
	"  plsync bundle create /media/usb/LIN01-2026-11.plsync --since 120\n"
	"  plsync bundle apply /media/usb/LIN01-2026-11.plsync\n",
	.needs_store = 1,
	.exec = cmd_bundle,
};
