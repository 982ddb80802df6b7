/*
 * cmd-config.c — `plsync config`: read or set one configuration key.
 */
#include <string.h>

#include "agent.h"

static int cmd_config(cli *c, int argc, char **argv)
{
	char **pos, *v = NULL;
	int npos, rc;

	if ((rc = opts_parse(&cmd_config_entry, argc, argv, NULL, &pos, &npos)))
		return rc;
	if (npos < 1 || npos > 2) {
		free(pos);
		return cli_usage(&cmd_config_entry, "give KEY or KEY VALUE");
	}
	if (npos == 2) {
		if (!strcmp(pos[0], "core.node")) {
			free(pos);
			return cli_error(EXIT_FAIL, "core.node cannot change: a data dir belongs to one node for life");
		}
		rc = config_set(c->dir, pos[0], pos[1]) ? cli_fail(c) : EXIT_OK;
	} else if (config_get(&v, c->dir, pos[0])) {
		rc = cli_fail(c);
	} else if (!v) {
		rc = EXIT_FAIL; /* unset: no output, like git config */
	} else {
		printf("%s\n", v);
		rc = EXIT_OK;
	}
	free(v);
	free(pos);
	return rc;
}

const cmd_entry cmd_config_entry = {
	.name = "config",
	.synopsis = "config KEY [VALUE]",
	.summary = "read or set a configuration key",
	.help =
	"Reads KEY (exit 1 if unset) or sets it to VALUE in <dir>/config, a file in\n"
	"git-config format (`git config -f <dir>/config --list` reads it too).\n"
	"\n"
	"Keys: core.node (fixed at init), core.name, user.name, user.email,\n"
	"remote.url, sync.follow.\n"
	"\n"
	"Examples:\n"
	"  plsync config user.name\n"
	"  plsync config remote.url ssh://git@district.example/plsync.git\n",
	.needs_store = 1,
	.exec = cmd_config,
};
