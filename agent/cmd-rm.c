/*
 * cmd-rm.c — `plsync rm`: delete a record (the history is kept).
 */
#include "agent.h"

static int cmd_rm(cli *c, int argc, char **argv)
{
	const char *note = NULL;
	opt_spec specs[] = { { "note", 1, &note, NULL }, { NULL, 0, NULL, NULL } };
	char **pos;
	int npos, rc;

	if ((rc = opts_parse(&cmd_rm_entry, argc, argv, specs, &pos, &npos)))
		return rc;
	if (npos != 1) {
		free(pos);
		return cli_usage(&cmd_rm_entry, npos ? "one record at a time" : "which record?");
	}
	pl_change ch = { PL_CHANGE_DEL, NULL, pos[0], NULL, note };
	rc = pl_store_change(c->store, c->actor, &ch, NULL);
	free(pos);
	return rc ? cli_fail(c) : EXIT_OK;
}

const cmd_entry cmd_rm_entry = {
	.name = "rm",
	.synopsis = "rm ID [--note TEXT]",
	.summary = "delete a record (its history stays in the log)",
	.help =
	"Records a delete op for ID. The record disappears from ls, show and export;\n"
	"its ops stay in the log (plsync log ID) for the audit trail.\n"
	"\n"
	"Example:\n"
	"  plsync rm LIN01-7K3Q2 --note \"entered twice\"\n",
	.needs_store = 1,
	.exec = cmd_rm,
};
