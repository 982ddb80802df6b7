/*
 * cli.h — the command-line machinery every plsync program shares (plsync,
 * plsync-district, plsync-audit): the command table, option parsing, the
 * usage and error messages, and the dispatch of `PROG help CMD`,
 * `PROG CMD --help` and `PROG --version`.
 *
 * This is program code, not library code: it prints and its callers exit.
 * Each program defines its own `struct cli` (the per-run context its
 * commands get) and one cli_program naming its command table; cli_dispatch
 * remembers that program, and every message below starts with its name.
 * Exit codes: 0 ok, 1 failure, 2 usage.
 */
#ifndef PLSYNC_CLI_H
#define PLSYNC_CLI_H

#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "plsync/errors.h"
#include "plsync/key.h"

#define EXIT_OK    0
#define EXIT_FAIL  1
#define EXIT_USAGE 2

/* The program's per-run context, defined by each program (agent/agent.h,
 * tools/<prog>/<prog>.h); this code only passes it on. */
typedef struct cli cli;

typedef struct cmd_entry {
	const char *name;
	const char *synopsis;   /* one line: "add KIND [--id ID] field=value..." */
	const char *summary;    /* one line for the command list */
	const char *help;       /* the full manual text */
	int         needs_store; /* plsync: open the data dir's store first */
	int       (*exec)(cli *c, int argc, char **argv);
	void      (*help_extra)(FILE *out); /* printed after help, may be NULL */
} cmd_entry;

/* One option a command takes: --name VALUE (has_arg) or --name (flag). */
typedef struct opt_spec {
	const char  *name;     /* without the dashes */
	int          has_arg;
	const char **value;    /* has_arg: where the value goes */
	int         *flag;     /* !has_arg: set to 1 */
} opt_spec;

/* A program: its name, its commands and the text of `PROG --help`. */
typedef struct cli_program {
	const char             *name;     /* "plsync-district" */
	const char             *globals;  /* between the name and a command's synopsis
	                                     in its help ("[--dir DIR] "), or "" */
	const char             *intro;    /* --help up to the command list */
	const char             *outro;    /* --help after the command list */
	const cmd_entry *const *commands; /* ended by NULL */
} cli_program;

/*
 * Dispatch the words after the program's global options: argv[0] is the
 * command (argc may be 0). Handles no command (the usage on stderr,
 * EXIT_USAGE), -h/--help and `help` (the usage on stdout), `help CMD` and
 * `CMD ... --help` (the command's help), --version ("PROG VERSION"), an
 * unknown option or command (named, EXIT_USAGE). Returns -1 with *e set
 * when the caller is to run *e with argc - 1, argv + 1; otherwise the exit
 * status. Remembers `p` for the messages below: call it first.
 */
int cli_dispatch(const cli_program *p, int argc, char **argv, const cmd_entry **e);

/*
 * For programs without global options: pl_init, cli_dispatch, run the
 * command with `c`, pl_shutdown, cli_finish. Returns the exit status.
 */
int cli_main(const cli_program *p, cli *c, int argc, char **argv);

/* Flush stdout; if that fails and rc is 0, say so and return EXIT_FAIL. */
int cli_finish(int rc);

/* Print the program's --help text. */
void cli_print_usage(FILE *out);

/*
 * Split argv into options (by specs, NULL-terminated by name) and positional
 * arguments (*pos, *npos; pointers into argv, array malloc'd). "--" ends
 * options. Prints the usage error itself (naming the option) and returns
 * EXIT_USAGE, or 0.
 */
int opts_parse(const cmd_entry *e, int argc, char **argv, const opt_spec *specs,
               char ***pos, int *npos);

/*
 * The district and audit tools' REPO argument defaults to $PLSYNC_REPO:
 * when the command takes `want` positional arguments, REPO first, and got
 * one fewer, $PLSYNC_REPO (if set and not empty) is put in front. `pos` is
 * the array opts_parse made (it has room for one more).
 */
void cli_default_repo(char **pos, int *npos, int want);

/* Levenshtein distance between a and b; (size_t)-1 when b is 63 bytes or longer. */
size_t cli_edit_distance(const char *a, const char *b);
/*
 * For "did you mean": of the names name_at(0, arg), name_at(1, arg), ...
 * (ended by NULL), the one nearest to `word` by edit distance if it is
 * near enough (at most 2 edits, or a third of word's length), else NULL.
 */
const char *cli_nearest(const char *word, const char *(*name_at)(size_t i, const void *arg), const void *arg);

/*
 * The last library error as the user reads it: its message, then the text
 * of its hint (cli/hints.c: the command to run next, in this program's
 * words). Fills buf (PL_ERROR_MSG_MAX + PL_HINT_ARG_MAX + 256 is enough) and
 * returns it. Print a library error through this, never message alone.
 */
const char *cli_error_text(char *buf, size_t size);

/*
 * The text of one hint (and its argument, NULL for none) as cli_error_text
 * appends it, for a hint that comes with a warning rather than an error
 * (pl_transcript_warning). "" for PL_HINT_NONE. Fills buf and returns it.
 */
const char *cli_hint_text(enum pl_hint hint, const char *arg, char *buf, size_t size);

/* Print "PROG: <message><hint>" from the last library error; return EXIT_USAGE
 * for PL_EUSAGE, else EXIT_FAIL. */
int cli_fail(const cli *c);

/*
 * --out FILE, whole or not at all (cli/out.c): cli_out_open gives a
 * temporary file beside FILE (stdout for NULL or "-"); cli_out_close(f,
 * FILE, failed) closes it and, unless `failed` (the writer's result) or the
 * close fails, renames it over FILE, else removes it: FILE stays as it was.
 * Both return 0 or a PL_E* code with the message set.
 */
int cli_out_open(FILE **f, const char *path);
int cli_out_close(FILE *f, const char *path, int failed);

/* The enrolled keys of kr as [{node, fingerprint, comment, valid_after,
 * valid_before}] (cli/keys.c; NULL on out of memory), and that list
 * printed one key a line for the terminal. */
json_t *cli_keys_json(const pl_keyring *kr);
void cli_keys_print(const json_t *list);
/* Print "PROG: <message><hint>" from the last library error; return `code`. */
int cli_fail_code(int code);
/* Print "PROG: <fmt>" and return `code`. */
int cli_error(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Print "PROG CMD: <fmt>", "usage: PROG <synopsis>" and a hint; return
 * EXIT_USAGE. */
int cli_usage(const cmd_entry *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* True if argv holds -h or --help before "--". */
int cli_wants_help(int argc, char **argv);
/* A command's help: "usage: PROG <globals><synopsis>", summary, help text. */
void cli_print_help(const cmd_entry *e, FILE *out);

/*
 * The command lines of the library's next steps (cli/actions.c).
 * cli_finding_next writes, for pl_findings_write, the command that takes a
 * finding's next step (`arg` unused); cli_plan_next writes one line
 * "next: ..." for a plan document (pl_plan_doc_build) without goals, or for
 * each of its goals without activities, and nothing for a complete plan.
 */
struct json_t;
void cli_finding_next(FILE *f, const struct json_t *finding, void *arg);
void cli_plan_next(FILE *f, const struct json_t *doc);

/*
 * The `report` options --for WHO, --staff HOW and --excel (cli/report-args.c):
 * checked (a usage error, EXIT_USAGE, for an unknown value or --excel
 * without --format csv) and set in `ro`. 0 when all is well.
 */
/*
 * Health for monitoring (cli/health.c), for `status --check`: the Nagios
 * plugin states as exit codes, the thresholds --warn and --crit (default
 * 1d and 3d) on the age of the last success.
 */
enum { CLI_OK = 0, CLI_WARNING = 1, CLI_CRITICAL = 2, CLI_UNKNOWN = 3 };
typedef struct cli_check {
	int warn, crit; /* seconds */
} cli_check;
/* A duration ("900", "30s", "15m", "1h", "1d"; at most a year) in seconds; -1 if it is not one. */
int cli_duration(int *out, const char *text);
/* --warn and --crit (NULL: the defaults) into ck; a usage error (EXIT_USAGE) or 0. */
int cli_check_args(const cmd_entry *e, cli_check *ck, const char *warn, const char *crit);
/* CLI_OK, CLI_WARNING or CLI_CRITICAL for the age (seconds) of the last success. */
int cli_check_age(const cli_check *ck, int64_t age);
/* "OK", "WARNING", "CRITICAL", "UNKNOWN". */
const char *cli_check_name(int state);
/* Seconds since the epoch of "YYYY-MM-DDTHH:MM:SS..." (UTC); 0 if it is not that. */
int64_t cli_time_parse(const char *text);
/* An age for a person: "45s", "12m", "5h", "3d". */
void cli_age_text(char *buf, size_t sz, int64_t age);

struct pl_report_options;
int cli_report_args(const cmd_entry *e, struct pl_report_options *ro, const char *who,
                    const char *staff, const char *format, int excel);

#endif
