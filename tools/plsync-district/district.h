/*
 * district.h — plsync-district's private interface: its command table
 * (one cmd-*.c each) and what its commands share. The command table, option
 * parsing and the messages are cli/cli.h's, shared with plsync and
 * plsync-audit.
 *
 * Only this program prints and exits: 0 ok, 1 failure, 2 usage.
 */
#ifndef PLSYNC_DISTRICT_TOOL_H
#define PLSYNC_DISTRICT_TOOL_H

#include <jansson.h>

#include "../../cli/cli.h"
#include "plsync/render.h"

/* The per-run context: nothing beyond the program's name. */
struct cli {
	const char *prog;     /* "plsync-district" */
};

extern const cmd_entry cmd_init_entry, cmd_merge_entry, cmd_status_entry,
	cmd_findings_entry, cmd_report_entry, cmd_reset_entry, cmd_bundle_entry, cmd_transcript_entry,
	cmd_enroll_entry, cmd_revoke_entry, cmd_keys_entry;

/*
 * Parse the command's options (opts_parse) and its one REPO argument into
 * *repo (borrowed from argv). Prints the usage error itself and returns
 * EXIT_USAGE, or 0.
 */
int district_args(const cmd_entry *e, int argc, char **argv, const opt_spec *specs,
                  const char **repo);

/* The consolidated data (pl_dataset_load over the merge's cache of `repo`):
 * every live record merged into main. *ds owned by the caller. */
int district_load(json_t **ds, const char *repo);

#endif
