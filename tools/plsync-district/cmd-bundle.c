/*
 * cmd-bundle.c — `plsync-district bundle apply REPO FILE...`: a school's
 * bundles landed in the district repository, as if the school had pushed
 * (pl_district_bundle_apply).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "district.h"
#include "plsync/errors.h"
#include "plsync/sync.h"

static int apply_one(const char *repo, const char *file)
{
	pl_district_bundle_result res;

	if (pl_district_bundle_apply(&res, repo, file)) {
		int code = pl_error_last()->code;
		cli_fail_code(EXIT_FAIL);
		if (code == PL_ECONFLICT && res.node[0])
			fprintf(stderr, "hint: at %s, run 'plsync bundle create FILE --since %" PRIu64 "' and bring "
			        "that file, or let it sync once online\n", res.node, res.had);
		return EXIT_FAIL;
	}
	if (res.already)
		printf("%s: already in the district repository (nodes/%s at seq %" PRIu64 "); nothing changed\n",
		       file, res.node, res.seq);
	else
		printf("%s: nodes/%s now at seq %" PRIu64 " (ops %" PRIu64 "..%" PRIu64 ", %zu commit%s, %.12s)\n",
		       file, res.node, res.seq, res.had + 1, res.seq, res.commits, res.commits == 1 ? "" : "s",
		       res.tip);
	return EXIT_OK;
}

/* A bundle is a file; REPO, a bare repository, is a directory. */
static int is_file(const char *path)
{
	struct stat sb;
	return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

static int cmd_bundle(cli *c, int argc, char **argv)
{
	char **pos = NULL;
	int npos, rc;

	if ((rc = opts_parse(&cmd_bundle_entry, argc, argv, NULL, &pos, &npos)))
		return rc;
	if (npos >= 2 && !strcmp(pos[0], "apply") && is_file(pos[1])) { /* no REPO: $PLSYNC_REPO */
		int files = npos - 1;
		cli_default_repo(pos + 1, &files, files + 1);
		npos = files + 1;
	}
	if (npos < 3 || strcmp(pos[0], "apply")) {
		free(pos);
		return cli_usage(&cmd_bundle_entry, "give 'apply REPO FILE...'");
	}
	/* in the order given, each on its own: a refused one leaves the others' work */
	for (int i = 2; i < npos; i++)
		if (apply_one(pos[1], pos[i]) != EXIT_OK)
			rc = EXIT_FAIL;
	free(pos);
	return rc;
}

const cmd_entry cmd_bundle_entry = {
	.name = "bundle",
	.synopsis = "bundle apply REPO FILE...",
	.summary = "land schools' bundles in the district repository, as if they had pushed",
	.help =
	"Each FILE, made at a school with 'plsync bundle create', carries the school's\n"
	"ops and the commits of its mirror that hold them. apply checks the file\n"
	"(checksum, sizes), then every new commit as a push is read (linear, only new\n"
	"op batches under ops/<node>/, each op the node's and next in its chain), and\n"
	"only then moves refs/heads/nodes/<node> forward to the bundle's last commit.\n"
	"The next merge includes the school; when the school later syncs online its\n"
	"push is a fast-forward, or has nothing to send.\n"
	"\n"
	"A bundle already in the repository changes nothing. A bundle that does not\n"
	"continue the school's ref (a gap: it builds on commits the district never\n"
	"got) is refused, saying which seq the district has; an old-format bundle\n"
	"(PLSYNC-BUNDLE 1, ops only) is refused too: apply it to the district's agent,\n"
	"or have the school make it again. Files are applied in the order given.\n"
	"\n"
	"Example:\n"
	"  plsync-district bundle apply /srv/git/plsync.git /media/usb/MAP04.plsync\n"
	"  plsync-district merge /srv/git/plsync.git\n",
	.exec = cmd_bundle,
};
