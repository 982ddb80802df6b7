/*
 * cmd-init.c — `plsync-district init`: create the bare district repository.
 */
#include <stdio.h>

#include "district.h"
#include "plsync/errors.h"
#include "plsync/sync.h"

static int cmd_init(cli *c, int argc, char **argv)
{
	const char *repo;
	char fixed[256];
	int rc;

	if ((rc = district_args(&cmd_init_entry, argc, argv, NULL, &repo)))
		return rc;
	if (pl_district_init_fix(repo, fixed, sizeof(fixed)))
		return cli_fail_code(EXIT_FAIL);
	if (fixed[0])
		printf("repaired %s: %s\n", repo, fixed);
	printf("district repository ready at %s\n", repo);
	return EXIT_OK;
}

const cmd_entry cmd_init_entry = {
	.name = "init",
	.synopsis = "init REPO",
	.summary = "create the bare district repository (idempotent)",
	.help =
	"Creates REPO, the bare git repository every school's agent pushes\n"
	"refs/heads/nodes/<node> to and merge consolidates into main. It refuses\n"
	"non-fast-forward pushes and ref deletions, and sets gc.auto = 0 (git gc\n"
	"runs only when you run it). Running it again on the same repository\n"
	"changes nothing, except to repair what an older plsync wrote (gc.auto =\n"
	"false, which git refuses): it says what it repaired.\n"
	"\n"
	"Example:\n"
	"  plsync-district init /srv/git/plsync.git\n",
	.exec = cmd_init,
};
