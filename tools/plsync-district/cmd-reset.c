/*
 * cmd-reset.c — `plsync-district reset`: the recorded way back for main
 * (plsync/merge.h, pl_merge_reset). A merge refuses a main that was moved
 * back or committed on by hand; this is how a district that really means
 * to go back to an older merge (or to keep a main moved back) says so.
 */
#include <stdio.h>
#include <stdlib.h>

#include "district.h"
#include "plsync/merge.h"

static int cmd_reset(cli *c, int argc, char **argv)
{
	const char *reason = NULL;
	char **pos = NULL, old[41];
	int npos, rc;
	opt_spec specs[] = { { "reason", 1, &reason, NULL }, { NULL, 0, NULL, NULL } };

	if ((rc = opts_parse(&cmd_reset_entry, argc, argv, specs, &pos, &npos)))
		return rc;
	cli_default_repo(pos, &npos, 2);
	if (npos != 2) {
		free(pos);
		return cli_usage(&cmd_reset_entry, "give REPO and COMMIT (the merge main goes back to)");
	}
	if (pl_merge_reset(old, pos[0], pos[1], reason)) {
		free(pos);
		return cli_fail_code(EXIT_FAIL);
	}
	printf("main was %.12s, is now %s (recorded in %s/plsync-resets.log); the next merge rebuilds its cache "
	       "and merges every node's ops after it\n", old[0] ? old : "(none)", pos[1], pos[0]);
	free(pos);
	return EXIT_OK;
}

const cmd_entry cmd_reset_entry = {
	.name = "reset",
	.synopsis = "reset REPO COMMIT [--reason TEXT]",
	.summary = "move main back to an older merge, and record the decision",
	.help =
	"Moves main to COMMIT, which must be one of the merges made in REPO (on\n"
	"the first-parent history of the last one), records it as the last merge\n"
	"(REPO/plsync-last-merge) and appends the decision to\n"
	"REPO/plsync-resets.log. merge refuses a main moved back or committed on\n"
	"by hand (git update-ref, git commit): this is the way back instead. To\n"
	"keep a main already moved back by hand, give that commit. To drop hand\n"
	"commits, give the last merge. The next merge rebuilds its cache from the\n"
	"new main and merges every node's ops after COMMIT again.\n"
	"\n"
	"Options:\n"
	"  --reason TEXT  why, kept in the log line\n"
	"\n"
	"Examples:\n"
	"  git -C /srv/git/plsync.git log --first-parent --oneline main\n"
	"  plsync-district reset /srv/git/plsync.git 3f2a9c1d --reason 'undo the test import'\n",
	.exec = cmd_reset,
};
