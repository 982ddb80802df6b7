/*
 * cmd-rm.c — `plsync rm`: delete records (the history is kept), all the
 * ids of one call in one store write: all of them or none.
 */
#include "agent.h"

struct rm {
	char      **ids;
	int         n;
	const char *note;
};

static int rm_fn(pl_write *w, void *payload)
{
	struct rm *r = payload;
	int rc;

	for (int i = 0; i < r->n; i++) {
		pl_change ch = { PL_CHANGE_DEL, NULL, r->ids[i], NULL, r->note };
		if ((rc = pl_write_change(w, &ch, NULL)))
			return rc;
	}
	return 0;
}

static int cmd_rm(cli *c, int argc, char **argv)
{
	const char *note = NULL;
	opt_spec specs[] = { { "note", 1, &note, NULL }, { NULL, 0, NULL, NULL } };
	char **pos;
	int npos, rc;

	if ((rc = opts_parse(&cmd_rm_entry, argc, argv, specs, &pos, &npos)))
		return rc;
	if (!npos) {
		free(pos);
		return cli_usage(&cmd_rm_entry, "which record?");
	}
	struct rm r = { pos, npos, note };
	rc = pl_store_write(c->store, c->actor, rm_fn, &r);
	free(pos);
	return rc ? cli_fail(c) : EXIT_OK;
}

const cmd_entry cmd_rm_entry = {
	.name = "rm",
	.synopsis = "rm ID... [--note TEXT]",
	.summary = "delete records (their history stays in the log)",
	.help =
	"Records a delete op for each ID. The records disappear from ls, show and\n"
	"export; their ops stay in the log (plsync log ID) for the audit trail.\n"
	"All the IDs are deleted in one write, or none: an unknown ID refuses the\n"
	"whole call, naming it. --note is kept with every delete.\n"
	"\n"
	"Examples:\n"
	"  plsync rm LIN01-7K3Q2 --note \"entered twice\"\n"
	"  plsync rm PD1 PD2 PD3 --note \"duplicate import\"\n",
	.needs_store = 1,
	.exec = cmd_rm,
};
