/*
 * cmd-restore.c — `plsync restore`: rebuild a school's data dir from the
 * district repository after its machine died or was stolen.
 *
 * The data dir is made as `plsync init` makes it (init_data_dir), then
 * pl_sync_restore takes back the node's own ops and the followed nodes'.
 * When the restore fails, what this run made (config, store, mirror, and
 * the dir itself if it was new) is removed, so it can simply be run again.
 */
#include <errno.h>
#include <ftw.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent.h"

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	return (flag == FTW_DP ? rmdir(path) : unlink(path)) ? -1 : 0;
}

/* Remove what a failed restore made in dir (and dir, if it made it). */
static void undo(const char *dir, int made_dir)
{
	static const char *const parts[] = { "config", "store", "git" };
	char path[4096];

	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, parts[i]);
		nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	}
	if (made_dir)
		rmdir(dir);
}

static int restore(cli *c, const char *remote)
{
	pl_sync_result res = { 0 };
	pl_mirror *m = NULL;
	sync_cfg sc;
	int rc = EXIT_OK;

	if (sync_cfg_load(&sc, c->dir, remote) || pl_store_open(&c->store, c->dir, NULL) ||
	    pl_mirror_open(&m, c->dir) || pl_sync_restore(&res, m, c->store, &sc.opts)) {
		rc = cli_fail(c);
		goto done;
	}
	printf("restored node %s from the district repository: its ops 1..%" PRIu64 " (nodes/%s at commit "
	       "%.12s), and %zu op%s of followed nodes\n", pl_store_node(c->store), res.pushed_seq,
	       pl_store_node(c->store), res.tip, res.applied, res.applied == 1 ? "" : "s");
done:
	pl_mirror_free(m);
	pl_store_free(c->store);
	c->store = NULL;
	sync_cfg_free(&sc);
	return rc;
}

static int cmd_restore(cli *c, int argc, char **argv)
{
	const char *node = NULL, *name = NULL, *user = NULL, *remote = NULL;
	opt_spec specs[] = {
		{ "node", 1, &node, NULL }, { "name", 1, &name, NULL },
		{ "user", 1, &user, NULL }, { "remote", 1, &remote, NULL }, { NULL, 0, NULL, NULL }
	};
	struct stat sb;
	char **pos;
	int npos, rc, made_dir;

	if ((rc = opts_parse(&cmd_restore_entry, argc, argv, specs, &pos, &npos)))
		return rc;
	free(pos);
	if (npos)
		return cli_usage(&cmd_restore_entry, "unexpected argument '%s'", argv[0]);
	if (!remote)
		return cli_usage(&cmd_restore_entry, "--remote URL is required (the district repository)");
	made_dir = stat(c->dir, &sb) != 0 && errno == ENOENT;
	if ((rc = init_data_dir(c, &cmd_restore_entry, node, name, user, remote)))
		return rc; /* a store already there is refused before anything is made */
	signal(SIGPIPE, SIG_IGN);
	if ((rc = restore(c, remote)))
		undo(c->dir, made_dir);
	return rc;
}

const cmd_entry cmd_restore_entry = {
	.name = "restore",
	.synopsis = "restore --node CODE --remote URL [--name TEXT] [--user \"Name <email>\"]",
	.summary = "rebuild a school's data dir from the district repository (a dead or stolen laptop)",
	.help =
	"Creates the data dir (see --dir) as init does, then fetches the node's own\n"
	"ref nodes/<CODE> from the district repository and takes back every op of\n"
	"the node in it, verified as sync verifies ops (chain, ids, ownership), then\n"
	"the ops of DISTRICT (and of every sync.follow node). The next change made\n"
	"here continues the node's chain, and the next sync is accepted.\n"
	"\n"
	"Only ops that reached the district repository come back: changes the old\n"
	"machine made after its last successful sync are lost (enter them again).\n"
	"\n"
	"Options:\n"
	"  --node CODE    the node code of the school to restore. Required.\n"
	"  --remote URL   the district repository (as for sync). Required.\n"
	"  --name TEXT, --user \"Name <email>\"   as for init\n"
	"\n"
	"Fails, leaving nothing behind, if the repository has no ops of the node or\n"
	"they do not verify; fails if the dir already holds a store.\n"
	"\n"
	"Example:\n"
	"  plsync --dir /srv/plsync restore --node OAK03 --remote /srv/git/plsync.git \\\n"
	"         --user \"Ann Lee <ann.lee@oak.k12.example>\"\n",
	.needs_store = 0,
	.exec = cmd_restore,
};
