/*
 * cli.c — the command-line machinery of every plsync program: dispatch to
 * the command table, --help and --version, option parsing, and the usage
 * and error messages (see cli.h).
 *
 * Every message goes to stderr as one line starting with the program's
 * name. A message may quote hostile text (a record id, a value from another
 * node, an option a script passed), so it goes through the terminal
 * renderer. The program is remembered once, by cli_dispatch, for the
 * messages; nothing else here keeps state.
 */
#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "plsync/plsync.h"
#include "plsync/render.h"

static const cli_program *program;

static const char *prog_name(void)
{
	return program ? program->name : program_invocation_short_name;
}

/* "<prefix>: <message>" on one line, escaped for the terminal. */
static void print_error(const char *prefix, const char *fmt, va_list ap)
{
	char msg[4096];

	fflush(stdout);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	pl_term_fputs(stderr, prefix);
	fputs(": ", stderr);
	pl_term_fputs(stderr, msg);
	fputc('\n', stderr);
}

int cli_error(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	print_error(prog_name(), fmt, ap);
	va_end(ap);
	return code;
}

int cli_fail_code(int code)
{
	char msg[PL_ERROR_MSG_MAX + PL_HINT_ARG_MAX + 256];
	return cli_error(code, "%s", cli_error_text(msg, sizeof(msg)));
}

int cli_fail(const cli *c)
{
	(void)c;
	return cli_fail_code(pl_error_last()->code == PL_EUSAGE ? EXIT_USAGE : EXIT_FAIL);
}

int cli_usage(const cmd_entry *e, const char *fmt, ...)
{
	char prefix[256];
	va_list ap;

	snprintf(prefix, sizeof(prefix), "%s %s", prog_name(), e->name);
	va_start(ap, fmt);
	print_error(prefix, fmt, ap);
	va_end(ap);
	fprintf(stderr, "usage: %s %s\n(see '%s %s --help')\n", prog_name(), e->synopsis, prog_name(), e->name);
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
	fprintf(out, "usage: %s %s%s\n\n%s\n\n%s", prog_name(), program ? program->globals : "", e->synopsis,
	        e->summary, e->help);
	if (e->help_extra)
		e->help_extra(out);
}

void cli_print_usage(FILE *out)
{
	if (!program)
		return;
	fputs(program->intro, out);
	fputs("Commands:\n", out);
	for (int i = 0; program->commands[i]; i++)
		fprintf(out, "  %-10s %s\n", program->commands[i]->name, program->commands[i]->summary);
	fputs(program->outro, out);
}

/* True if `a` is one of the options in specs ("--json", "--out=F"): the
 * word after an option that needs a value is that value unless it is
 * another option of the command (then the value is missing; a value that
 * looks like one is given as --opt=VALUE). */
static int is_option(const char *a, const opt_spec *specs)
{
	size_t len;
	const char *eq;

	if (strncmp(a, "--", 2) || !a[2])
		return 0;
	eq = strchr(a, '=');
	len = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
	for (const opt_spec *s = specs; s && s->name; s++)
		if (strlen(s->name) == len && !strncmp(a + 2, s->name, len))
			return 1;
	return !strcmp(a, "--help");
}

void cli_default_repo(char **pos, int *npos, int want)
{
	char *env = getenv("PLSYNC_REPO");

	if (*npos != want - 1 || !env || !*env)
		return;
	memmove(pos + 1, pos, (size_t)*npos * sizeof(*pos));
	pos[0] = env;
	(*npos)++;
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
			} else if (i + 1 < argc && !is_option(argv[i + 1], specs)) {
				*s->value = argv[++i];
			} else {
				free(p);
				return cli_usage(e, "--%s needs a value", s->name);
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

size_t cli_edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), row[64], diag, up;

	if (lb >= sizeof(row) / sizeof(row[0]))
		return (size_t)-1;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t best = diag + (a[i - 1] != b[j - 1]);
			up = row[j];
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			diag = up;
			row[j] = best;
		}
	}
	return row[lb];
}

const char *cli_nearest(const char *word, const char *(*name_at)(size_t i, const void *arg), const void *arg)
{
	const char *best = NULL, *n;
	size_t bd = (size_t)-1, limit = strlen(word) / 3 > 2 ? strlen(word) / 3 : 2;

	for (size_t i = 0; (n = name_at(i, arg)); i++) {
		size_t d = cli_edit_distance(word, n);
		if (d < bd) {
			bd = d;
			best = n;
		}
	}
	return bd <= limit ? best : NULL;
}

static const char *cmd_name_at(size_t i, const void *arg)
{
	const cmd_entry *const *cmds = arg;
	return cmds[i] ? cmds[i]->name : NULL;
}

static const cmd_entry *find_cmd(const char *name)
{
	for (int i = 0; program->commands[i]; i++)
		if (!strcmp(program->commands[i]->name, name))
			return program->commands[i];
	return NULL;
}

/*
 * Tables align by display width (pl_term_width), which asks wcwidth(3):
 * the user's LC_CTYPE if it is UTF-8, else C.UTF-8 if the system has it
 * (only LC_CTYPE: numbers and dates stay in the C locale).
 */
static void use_utf8_ctype(void)
{
	const char *cs;

	if (setlocale(LC_CTYPE, "") && (cs = nl_langinfo(CODESET)) && !strcmp(cs, "UTF-8"))
		return;
	if (!setlocale(LC_CTYPE, "C.UTF-8"))
		setlocale(LC_CTYPE, "C");
}

int cli_dispatch(const cli_program *p, int argc, char **argv, const cmd_entry **e)
{
	const char *name = p->name;

	program = p;
	*e = NULL;
	use_utf8_ctype();
	if (argc < 1) {
		cli_print_usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[0], "-h") || !strcmp(argv[0], "--help")) {
		cli_print_usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[0], "--version")) {
		printf("%s %s\n", name, PLSYNC_VERSION);
		return EXIT_OK;
	}
	if (argv[0][0] == '-') {
		cli_error(EXIT_USAGE, "unknown option '%s'", argv[0]);
		cli_print_usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[0], "help")) {
		if (argc < 2) {
			cli_print_usage(stdout);
			return EXIT_OK;
		}
		if (!(*e = find_cmd(argv[1])))
			return cli_error(EXIT_USAGE, "no command '%s'; see '%s --help'", argv[1], name);
		cli_print_help(*e, stdout);
		*e = NULL;
		return EXIT_OK;
	}
	if (!(*e = find_cmd(argv[0]))) {
		const char *near = cli_nearest(argv[0], cmd_name_at, p->commands);
		if (near)
			return cli_error(EXIT_USAGE, "'%s' is not a %s command; did you mean '%s'? (see '%s --help')",
			                 argv[0], name, near, name);
		return cli_error(EXIT_USAGE, "'%s' is not a %s command; see '%s --help'", argv[0], name, name);
	}
	if (cli_wants_help(argc - 1, argv + 1)) {
		cli_print_help(*e, stdout);
		*e = NULL;
		return EXIT_OK;
	}
	return -1;
}

int cli_finish(int rc)
{
	if (fflush(stdout) != 0 && rc == 0)
		rc = cli_error(EXIT_FAIL, "writing output failed");
	return rc;
}

int cli_main(const cli_program *p, cli *c, int argc, char **argv)
{
	const cmd_entry *e;
	int rc = cli_dispatch(p, argc - 1, argv + 1, &e);

	if (rc >= 0)
		return rc;
	if (pl_init())
		return cli_fail_code(EXIT_FAIL);
	rc = e->exec(c, argc - 2, argv + 2);
	pl_shutdown();
	return cli_finish(rc);
}
