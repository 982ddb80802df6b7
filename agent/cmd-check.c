/*
 * cmd-check.c — `plsync check`: verify the store against its op log.
 */
#include "agent.h"

static int cmd_check(cli *c, int argc, char **argv)
{
	uint64_t nops, nrecs;
	char **pos;
	int npos, rc;

	if ((rc = opts_parse(&cmd_check_entry, argc, argv, NULL, &pos, &npos)))
		return rc;
	free(pos);
	if (npos)
		return cli_usage(&cmd_check_entry, "no arguments expected");
	if (pl_store_verify(c->store, &nops, &nrecs))
		return cli_fail(c);
	printf("ok: %llu ops, chains and ids intact; %llu records match their ops\n",
	       (unsigned long long)nops, (unsigned long long)nrecs);
	return EXIT_OK;
}

const cmd_entry cmd_check_entry = {
	.name = "check",
	.synopsis = "check",
	.summary = "verify the store: op chains, ids, records against their ops",
	.help =
	"Re-reads the whole op log: every node's ops must have gapless seqs, each op's\n"
	"prev must be the id of the one before, every id must match the op's bytes,\n"
	"and every record must equal the fold of its ops. Exit 0 if so; 1 with the\n"
	"first problem otherwise.\n",
	.needs_store = 1,
	.exec = cmd_check,
};
