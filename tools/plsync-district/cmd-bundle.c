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
#include "plsync/json.h"
#include "plsync/sync.h"

/* Land one bundle; with `out` (--json) its outcome goes there as an object. */
static int apply_one(const char *repo, const char *file, json_t *out)
{
	pl_district_bundle_result res;

	memset(&res, 0, sizeof(res));
	if (pl_district_bundle_apply(&res, repo, file)) {
		char msg[PL_ERROR_MSG_MAX + PL_HINT_ARG_MAX + 256];
		int code = pl_error_last()->code;
		if (out)
			json_array_append_new(out, json_pack("{ss sb ss}", "file", file, "ok", 0, "error",
			                                     cli_error_text(msg, sizeof(msg))));
		cli_fail_code(EXIT_FAIL);
		if (code == PL_ECONFLICT && res.node[0])
			fprintf(stderr, "hint: at %s, run 'plsync bundle create FILE --since %" PRIu64 "' and bring "
			        "that file, or let it sync once online\n", res.node, res.had);
		return EXIT_FAIL;
	}
	if (out)
		json_array_append_new(out, json_pack("{ss sb ss sb sI sI sI ss}", "file", file, "ok", 1, "node", res.node,
		                                     "already", res.already, "seq", (json_int_t)res.seq,
		                                     "from", (json_int_t)(res.already ? 0 : res.had + 1),
		                                     "commits", (json_int_t)res.commits, "tip", res.tip));
	else if (res.already)
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
	int npos, rc, as_json = 0;
	opt_spec specs[] = { { "json", 0, NULL, &as_json }, { NULL, 0, NULL, NULL } };
	json_t *out;

	if ((rc = opts_parse(&cmd_bundle_entry, argc, argv, specs, &pos, &npos)))
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
	out = as_json ? json_array() : NULL;
	for (int i = 2; i < npos; i++)
		if (apply_one(pos[1], pos[i], out) != EXIT_OK)
			rc = EXIT_FAIL;
	free(pos);
	if (out) {
		json_t *o = json_pack("{so}", "bundles", out);
		if (pl_json_write(stdout, o) && !rc)
			rc = cli_fail_code(EXIT_FAIL);
		json_decref(o);
	}
	return rc;
}

const cmd_entry cmd_bundle_entry = {
	.name = "bundle",
	.synopsis = "bundle apply REPO FILE... [--json]",
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
	"REPO may be left out when $PLSYNC_REPO names it (a FILE is a file, REPO a\n"
	"directory). --json prints {\"bundles\": [...]}, for each FILE: file, ok, and\n"
	"node, already, seq, from, commits, tip, or the error.\n"
	"\n"
	"Example:\n"
	"  plsync-district bundle apply /srv/git/plsync.git /media/usb/MAP04.plsync\n"
	"  plsync-district merge /srv/git/plsync.git\n",
	.exec = cmd_bundle,
};
