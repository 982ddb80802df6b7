/*
 * cmd-init.c — `plsync init`: create a data dir for one node (init_data_dir,
 * which `plsync restore` shares).
 */
#include <string.h>

#include "agent.h"

int init_data_dir(cli *c, const cmd_entry *e, const char *node, const char *name, const char *user,
                  const char *remote)
{
	if (!node)
		return cli_usage(e, "--node CODE is required (the school code, or DISTRICT)");
	if (!pl_node_valid(node))
		return cli_error(EXIT_FAIL, "node code '%s' is not valid: use 1-32 of A-Z, 0-9, '-', '_' (e.g. LIN01)", node);
	if (user && strchr(user, '<') == NULL)
		return cli_usage(e, "--user must look like \"Name <email>\"");
	if (user && pl_text_control(user, strlen(user)) >= 0)
		return cli_usage(e, "--user must be one line of text, without tabs, newlines or "
		                 "other control characters");
	if (pl_store_create(c->dir, node, NULL))
		return cli_fail(c);
	if (config_write_init(c->dir, node, name, user, remote))
		return cli_fail(c);
	return EXIT_OK;
}

static int cmd_init(cli *c, int argc, char **argv)
{
	const char *node = NULL, *name = NULL, *user = NULL, *remote = NULL;
	opt_spec specs[] = {
		{ "node", 1, &node, NULL }, { "name", 1, &name, NULL },
		{ "user", 1, &user, NULL }, { "remote", 1, &remote, NULL }, { NULL, 0, NULL, NULL }
	};
	char **pos;
	int npos, rc;

	if ((rc = opts_parse(&cmd_init_entry, argc, argv, specs, &pos, &npos)))
		return rc;
	free(pos);
	if (npos)
		return cli_usage(&cmd_init_entry, "unexpected argument '%s'", argv[0]);
	if ((rc = init_data_dir(c, &cmd_init_entry, node, name, user, remote)))
		return rc;
	printf("Initialised plsync data dir %s for node %s\n", c->dir, node);
	return EXIT_OK;
}

const cmd_entry cmd_init_entry = {
	.name = "init",
	.synopsis = "init --node CODE [--name TEXT] [--user \"Name <email>\"] [--remote URL]",
	.summary = "create a data dir for a school (or the district office)",
	.help =
	"Creates the data dir (see --dir) with an empty store and a config file in\n"
	"git-config format. Every change made here is recorded as an op of this node.\n"
	"\n"
	"Options:\n"
	"  --node CODE    the node code: the school code (e.g. LIN01), or DISTRICT for\n"
	"                 the district office. 1-32 of A-Z 0-9 - _. Required.\n"
	"  --name TEXT    the school's name, for display\n"
	"  --user \"Name <email>\"\n"
	"                 the person recorded as the actor of every change\n"
	"  --remote URL   the district repository to sync with (later: plsync sync)\n"
	"\n"
	"Example:\n"
	"  plsync --dir /srv/plsync init --node LIN01 --name \"Lincoln Elementary\" \\\n"
	"         --user \"Ann Lee <ann.lee@lincoln.k12.example>\"\n"
	"\n"
	"Fails if the dir already holds a store.\n",
	.needs_store = 0,
	.exec = cmd_init,
};
