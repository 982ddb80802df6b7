/*
 * main.c — the plsync program: global options, the data dir, dispatch.
 *
 * plsync [--dir DIR] COMMAND [ARGS]. The data dir is --dir, else
 * $PLSYNC_DIR, else $XDG_DATA_HOME/plsync, else ~/.local/share/plsync.
 * Each command lives in its own cmd-*.c and is listed in the table below.
 * Only this program prints: library calls return codes and set the error.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"

static const cmd_entry *const commands[] = {
	&cmd_init_entry, &cmd_add_entry, &cmd_set_entry, &cmd_rm_entry, &cmd_show_entry,
	&cmd_ls_entry, &cmd_import_entry, &cmd_export_entry, &cmd_log_entry,
	&cmd_status_entry, &cmd_config_entry, &cmd_check_entry, &cmd_sync_entry, &cmd_bundle_entry,
	&cmd_request_entry, &cmd_approve_entry, &cmd_reject_entry, &cmd_complete_entry,
	&cmd_evaluate_entry, &cmd_transcript_entry, &cmd_findings_entry, &cmd_report_entry, &cmd_plan_entry,
	&cmd_conflicts_entry, &cmd_resolve_entry, NULL
};

static void usage_main(FILE *out)
{
	fprintf(out,
	        "usage: plsync [--dir DIR] <command> [<args>]\n"
	        "       plsync help <command> | plsync <command> --help\n"
	        "\n"
	        "plsync keeps a school's professional learning records — plans, goals,\n"
	        "activities, PD entries, PLC meetings, staff — in a local store that works\n"
	        "with no network. Every change is an op in the local op log.\n"
	        "\n"
	        "Commands:\n");
	for (int i = 0; commands[i]; i++)
		fprintf(out, "  %-10s %s\n", commands[i]->name, commands[i]->summary);
	fprintf(out,
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
	        "2 usage error.\n");
}

/* "plsync: <message>" on one line: a message may quote hostile text (a
 * record id, a value from another node), so it goes through the terminal
 * renderer. */
static void print_error(const char *fmt, va_list ap)
{
	char msg[4096];

	fflush(stdout);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	fputs("plsync: ", stderr);
	pl_term_fputs(stderr, msg);
	fputc('\n', stderr);
}

int cli_error(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	print_error(fmt, ap);
	va_end(ap);
	return code;
}

int cli_fail(const cli *c)
{
	const pl_error *e = pl_error_last();
	(void)c;
	return cli_error(e->code == PL_EUSAGE ? EXIT_USAGE : EXIT_FAIL, "%s",
	                 e->message[0] ? e->message : "unknown error");
}

int cli_usage(const cmd_entry *e, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	print_error(fmt, ap);
	va_end(ap);
	fprintf(stderr, "usage: plsync %s\n(see 'plsync %s --help')\n", e->synopsis, e->name);
	return EXIT_USAGE;
}

int cli_wants_help(int argc, char **argv)
{
	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			return 0;
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return 1;
	}
	return 0;
}

void cli_print_help(const cmd_entry *e, FILE *out)
{
	fprintf(out, "usage: plsync [--dir DIR] %s\n\n%s\n\n%s", e->synopsis, e->summary, e->help);
	if (e->help_extra)
		e->help_extra(out);
}

int opts_parse(const cmd_entry *e, int argc, char **argv, const opt_spec *specs,
               char ***pos, int *npos)
{
	char **p = calloc((size_t)argc + 1, sizeof(char *));
	int n = 0, i;

	*pos = NULL;
	*npos = 0;
	if (!p)
		return cli_error(EXIT_FAIL, "out of memory");
	for (i = 0; i < argc; i++) {
		const char *a = argv[i], *eq;
		const opt_spec *s;
		size_t len;

		if (!strcmp(a, "--")) {
			while (++i < argc)
				p[n++] = argv[i];
			break;
		}
		if (strncmp(a, "--", 2) || !a[2]) {
			p[n++] = argv[i];
			continue;
		}
		eq = strchr(a, '=');
		len = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
		for (s = specs; s && s->name; s++)
			if (strlen(s->name) == len && !strncmp(a + 2, s->name, len))
				break;
		if (!s || !s->name) {
			free(p);
			return cli_usage(e, "unknown option '%s'", a);
		}
		if (s->has_arg) {
			if (eq) {
				*s->value = eq + 1;
			} else if (i + 1 < argc) {
				*s->value = argv[++i];
			} else {
				free(p);
				return cli_usage(e, "option '--%s' needs a value", s->name);
			}
		} else {
			if (eq) {
				free(p);
				return cli_usage(e, "option '--%s' takes no value", s->name);
			}
			*s->flag = 1;
		}
	}
	*pos = p;
	*npos = n;
	return 0;
}

static const cmd_entry *find_cmd(const char *name)
{
	for (int i = 0; commands[i]; i++)
		if (!strcmp(commands[i]->name, name))
			return commands[i];
	return NULL;
}

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

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--dir") && i + 1 < argc) {
			free(dir);
			dir = strdup(argv[++i]);
		} else if (!strncmp(argv[i], "--dir=", 6)) {
			free(dir);
			dir = strdup(argv[i] + 6);
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage_main(stdout);
			free(dir);
			return EXIT_OK;
		} else if (!strcmp(argv[i], "--version")) {
			printf("plsync %s\n", PLSYNC_VERSION);
			free(dir);
			return EXIT_OK;
		} else {
			free(dir);
			cli_error(EXIT_USAGE, "unknown option '%s'", argv[i]);
			usage_main(stderr);
			return EXIT_USAGE;
		}
	}
	if (i >= argc) {
		free(dir);
		usage_main(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[i], "help")) {
		free(dir);
		if (i + 1 >= argc) {
			usage_main(stdout);
			return EXIT_OK;
		}
		if (!(e = find_cmd(argv[i + 1])))
			return cli_error(EXIT_USAGE, "no command '%s'; see 'plsync --help'", argv[i + 1]);
		cli_print_help(e, stdout);
		return EXIT_OK;
	}
	if (!(e = find_cmd(argv[i]))) {
		free(dir);
		return cli_error(EXIT_USAGE, "'%s' is not a plsync command; see 'plsync --help'", argv[i]);
	}
	if (cli_wants_help(argc - i - 1, argv + i + 1)) {
		free(dir);
		cli_print_help(e, stdout);
		return EXIT_OK;
	}
	if (!dir)
		dir = default_dir();
	if (!dir)
		return cli_error(EXIT_FAIL, "out of memory");
	if ((rc = pl_init())) {
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
	if (fflush(stdout) != 0 && rc == 0)
		rc = cli_error(EXIT_FAIL, "writing output failed");
	return rc;
}
