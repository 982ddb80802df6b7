/*
 * main.c — plsync-district, the district office's tool over the district
 * repository: the command table and main.
 *
 *   plsync-district init REPO
 *   plsync-district merge REPO [--rebuild-cache] [--wait=SECS | --no-wait] [--json]
 *   plsync-district status REPO [--json]
 *   plsync-district findings REPO [--year Y] [--today D] [--json]
 *   plsync-district report REPO --year Y [--format F] [--out FILE] [--today D]
 *   plsync-district transcript REPO STAFF [--year Y] [--format F] [--excel] [--out FILE]
 *   plsync-district reset REPO COMMIT [--reason TEXT]
 *   plsync-district enroll REPO NODE PUBKEYFILE | revoke REPO NODE | keys REPO
 *
 * Each command lives in its own cmd-*.c; help, --help, --version and the
 * messages are cli/cli.c's. Also here: what the commands share (the REPO
 * argument, the consolidated data).
 */
#include <stdlib.h>

#include "district.h"
#include "plsync/dataset.h"
#include "plsync/merge.h"
#include "plsync/store.h"

static const cmd_entry *const commands[] = {
	&cmd_init_entry, &cmd_merge_entry, &cmd_status_entry, &cmd_findings_entry, &cmd_report_entry,
	&cmd_transcript_entry, &cmd_reset_entry, &cmd_bundle_entry, &cmd_enroll_entry, &cmd_revoke_entry,
	&cmd_keys_entry, NULL
};

static const cli_program program = {
	.name = "plsync-district",
	.globals = "",
	.intro =
	"usage: plsync-district <command> REPO [options]\n"
	"       plsync-district help <command> | plsync-district <command> --help\n"
	"\n"
	"The district office's tool over the district repository: the bare git\n"
	"repository every school's agent pushes refs/heads/nodes/<node> to.\n"
	"\n",
	.outro =
	"\n"
	"findings, report and transcript read what the last merge consolidated (run\n"
	"merge first).\n"
	"--today (or $PLSYNC_TODAY) fixes the date the findings are computed for.\n"
	"\n"
	"Examples:\n"
	"  plsync-district init /srv/git/plsync.git\n"
	"  plsync-district merge /srv/git/plsync.git\n"
	"  plsync-district bundle apply /srv/git/plsync.git /media/usb/MAP04.plsync\n"
	"  plsync-district status /srv/git/plsync.git --json\n"
	"  plsync-district findings /srv/git/plsync.git --year 2026-2027\n"
	"  plsync-district report /srv/git/plsync.git --year 2026-2027 --out report.html\n"
	"  plsync-district transcript /srv/git/plsync.git E100 --year 2026-2027\n"
	"  git -C /srv/git/plsync.git log --first-parent main\n"
	"\n"
	"REPO may be left out when $PLSYNC_REPO names the repository.\n"
	"\n"
	"Options:\n"
	"  --version    print the version\n"
	"  -h, --help   this text\n"
	"\n"
	"Exit status: 0 success, 1 failure (for merge: also when a range was\n"
	"quarantined), 2 usage error.\n",
	.commands = commands,
};

int district_args(const cmd_entry *e, int argc, char **argv, const opt_spec *specs,
                  const char **repo)
{
	char **pos = NULL;
	int npos, rc;

	*repo = NULL;
	if ((rc = opts_parse(e, argc, argv, specs, &pos, &npos)))
		return rc;
	cli_default_repo(pos, &npos, 1);
	if (npos == 1)
		*repo = pos[0];
	else if (npos == 0)
		rc = cli_usage(e, "which REPO? give the district repository's path (or set $PLSYNC_REPO)");
	else
		rc = cli_usage(e, "give one REPO path (got %d arguments)", npos);
	free(pos);
	return rc;
}

int district_load(json_t **ds, const char *repo)
{
	pl_store *cache = NULL;
	int rc = pl_merge_cache_open(&cache, repo);
	if (!rc)
		rc = pl_dataset_load(ds, cache);
	pl_store_free(cache);
	return rc;
}

int main(int argc, char **argv)
{
	cli c = { .prog = "plsync-district" };
	return cli_main(&program, &c, argc, argv);
}
