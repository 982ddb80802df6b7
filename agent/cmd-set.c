/*
 * cmd-set.c — `plsync set`: change fields of one record.
 */
#include "agent.h"

static int cmd_set(cli *c, int argc, char **argv)
{
	const char *note = NULL;
	opt_spec specs[] = { { "note", 1, &note, NULL }, { NULL, 0, NULL, NULL } };
	char **pos;
	json_t *fields = NULL;
	int npos, rc;

	if ((rc = opts_parse(&cmd_set_entry, argc, argv, specs, &pos, &npos)))
		return rc;
	if (npos < 2) {
		free(pos);
		return cli_usage(&cmd_set_entry, npos ? "give at least one field=value" : "which record?");
	}
	if (fields_parse(&fields, npos - 1, pos + 1)) {
		free(pos);
		return cli_fail(c);
	}
	pl_change ch = { PL_CHANGE_SET, NULL, pos[0], fields, note };
	rc = pl_store_change(c->store, c->actor, &ch, NULL);
	json_decref(fields);
	free(pos);
	return rc ? cli_fail(c) : EXIT_OK;
}

const cmd_entry cmd_set_entry = {
	.name = "set",
	.synopsis = "set ID [--note TEXT] field=value...",
	.summary = "change fields of a record",
	.help =
	"Sets the given fields of record ID; other fields are kept. `field=` (empty)\n"
	"unsets a field (required fields cannot be unset). Values are checked as for\n"
	"`plsync add`. Only the node that created a record (or DISTRICT) may change it.\n"
	"\n"
	"Examples:\n"
	"  plsync set LIN01-7K3Q2 hours=6.5 status=completed\n"
	"  plsync set LIN01-7K3Q2 approvals.supervisor.by=E200 approvals.supervisor.at=2026-09-01\n"
	"  plsync set E100 license_number= --note \"license lapsed\"\n",
	.needs_store = 1,
	.exec = cmd_set,
};
