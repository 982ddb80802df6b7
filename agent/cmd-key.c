/*
 * cmd-key.c — `plsync key [--public]`: this node's signing key's public
 * line and fingerprint, for the district office to enrol. A data dir made
 * before signing has no key: one is made here (as the next sync would).
 */
#include <stdio.h>
#include <stdlib.h>

#include "agent.h"
#include "plsync/key.h"

static int cmd_key(cli *c, int argc, char **argv)
{
	int pub = 0, made = 0, npos, rc;
	opt_spec specs[] = { { "public", 0, NULL, &pub }, { NULL, 0, NULL, NULL } };
	char **pos;
	pl_key k;

	if ((rc = opts_parse(&cmd_key_entry, argc, argv, specs, &pos, &npos)))
		return rc;
	free(pos);
	if (npos)
		return cli_usage(&cmd_key_entry, "unexpected argument '%s'", argv[0]);
	if (pl_key_ensure(&k, &made, c->dir, pl_store_node(c->store)))
		return cli_fail(c);
	if (made)
		fprintf(stderr, "plsync: %s had no key: made %s/%s\n", c->dir, c->dir, PL_KEY_FILE);
	print_key(&k, pub);
	pl_key_clear(&k);
	return EXIT_OK;
}

const cmd_entry cmd_key_entry = {
	.name = "key",
	.synopsis = "key [--public]",
	.summary = "print this node's signing key (for the district to enrol)",
	.help =
	"Prints the public line of this node's signing key (DIR/node.key) and its\n"
	"SHA256 fingerprint, as ssh-keygen -l prints it. Every commit sync makes\n"
	"is signed with it; the district office enrols the line\n"
	"(plsync-district enroll REPO NODE FILE), and checks the fingerprint with\n"
	"the school by phone. A data dir made before signing gets a key here.\n"
	"\n"
	"Options:\n"
	"  --public   the public line alone, ready for a file\n"
	"\n"
	"Example:\n"
	"  plsync key --public > LIN01.pub\n",
	.needs_store = 1,
	.exec = cmd_key,
};
