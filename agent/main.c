/*
 * main.c — the plsync program: global options, the data dir, dispatch.
 *
 * plsync [--dir DIR] COMMAND [ARGS]. The data dir is --dir, else
 * $PLSYNC_DIR, else $XDG_DATA_HOME/plsync, else ~/.local/share/plsync.
 * Each command lives in its own cmd-*.c and is listed in the table below;
 * help, --help, --version and the messages are cli/cli.c's, shared with
 * the tools. Only this program prints: library calls return codes and set
 * the error.
 */
#include <stdlib.h>
#include <string.h>

#include "agent.h"

extern const cmd_entry cmd_user_entry, cmd_serve_entry;

static const cmd_entry *const commands[] = {
	&cmd_init_entry, &cmd_add_entry, &cmd_set_entry, &cmd_rm_entry, &cmd_show_entry,
	&cmd_ls_entry, &cmd_import_entry, &cmd_export_entry, &cmd_log_entry,
	&cmd_status_entry, &cmd_config_entry, &cmd_check_entry, &cmd_sync_entry, &cmd_bundle_entry,
	&cmd_request_entry, &cmd_approve_entry, &cmd_reject_entry, &cmd_complete_entry,
	&cmd_evaluate_entry, &cmd_transcript_entry, &cmd_findings_entry, &cmd_report_entry, &cmd_plan_entry,
	&cmd_offering_entry, &cmd_register_entry, &cmd_attend_entry, &cmd_certificate_entry,
	&cmd_compliance_entry, &cmd_remind_entry,
	&cmd_conflicts_entry, &cmd_resolve_entry, &cmd_restore_entry, &cmd_key_entry, &cmd_user_entry,
	&cmd_serve_entry, NULL
};

static const cli_program program = {
	.name = "plsync",
	.globals = "[--dir DIR] ",
	.intro =
	"usage: plsync [--dir DIR] <command> [<args>]\n"
	"       plsync help <command> | plsync <command> --help\n"
	"\n"
	"plsync keeps a school's professional learning records — plans, goals,\n"
	"activities, PD entries, PLC meetings, staff — in a local store that works\n"
	"with no network. Every change is an op in the local op log.\n"
	"\n",
	.outro =
	"\n"
	"Record kinds: school, staff, plan, goal, activity, pd_entry, plc_meeting\n"
	"(`plsync help add` lists every field).\n"
	"\n"
	"Options:\n"
	"  --dir DIR    data dir (default: $PLSYNC_DIR, else $XDG_DATA_HOME/plsync,\n"
	"               else ~/.local/share/plsync)\n"
	"  --version    print the version\n"
	"  -h, --help   this text\n"
	"\n"
	"Exit status: 0 success, 1 failure (the message says what and how to fix it),\n"
	"2 usage error.\n",
	.commands = commands,
};

static char *default_dir(void)
{
	const char *env = getenv("PLSYNC_DIR"), *xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
	char buf[4096];

	if (env && *env)
		return strdup(env);
	if (xdg && *xdg)
		snprintf(buf, sizeof(buf), "%s/plsync", xdg);
	else
		snprintf(buf, sizeof(buf), "%s/.local/share/plsync", home && *home ? home : ".");
	return strdup(buf);
}

int main(int argc, char **argv)
{
	const cmd_entry *e;
	cli c = { .prog = "plsync" };
	char *dir = NULL;
	int i = 1, rc;

	/* --dir here; every other word starting with '-' is cli_dispatch's */
	for (; i < argc; i++) {
		if (!strcmp(argv[i], "--dir") && i + 1 < argc) {
			free(dir);
			dir = strdup(argv[++i]);
		} else if (!strcmp(argv[i], "--dir")) {
			free(dir);
			return cli_error(EXIT_USAGE, "--dir needs a value (the data dir)");
		} else if (!strncmp(argv[i], "--dir=", 6)) {
			free(dir);
			dir = strdup(argv[i] + 6);
		} else {
			break;
		}
	}
	/* hidden: the shell completion's words (completion.c) */
	if (i < argc && !strcmp(argv[i], "__complete")) {
		if (!dir)
			dir = default_dir();
		rc = dir ? completion_main(commands, dir, argc - i - 1, argv + i + 1) : EXIT_FAIL;
		free(dir);
		return cli_finish(rc);
	}
	if ((rc = cli_dispatch(&program, argc - i, argv + i, &e)) >= 0) {
		free(dir);
		return rc;
	}
	if (!dir)
		dir = default_dir();
	if (!dir)
		return cli_error(EXIT_FAIL, "out of memory");
	if (pl_init()) {
		free(dir);
		return cli_fail(&c);
	}
	c.dir = dir;
	if (e->needs_store) {
		if (pl_store_open(&c.store, dir, NULL)) {
			rc = cli_fail(&c);
			goto done;
		}
		config_actor(c.actor, sizeof(c.actor), dir);
	}
	rc = e->exec(&c, argc - i - 1, argv + i + 1);
done:
	pl_store_free(c.store);
	free(dir);
	pl_shutdown();
	return cli_finish(rc);
}
