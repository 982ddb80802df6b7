/*
 * audit.h — plsync-audit's private interface: its command table (one
 * cmd-*.c each) and the helpers its commands share for printing a record's
 * history. The command table, option parsing and the messages are
 * cli/cli.h's, shared with plsync and plsync-district.
 *
 * Only this program prints and exits: 0 ok, 1 failure (for verify: a
 * problem was found), 2 usage.
 */
#ifndef PLSYNC_AUDIT_TOOL_H
#define PLSYNC_AUDIT_TOOL_H

#include <stddef.h>

#include <jansson.h>

#include "plsync/render.h"
#include "plsync/store.h"

#include "../../cli/cli.h"

/* The per-run context: nothing beyond the program's name. */
struct cli {
	const char *prog;     /* "plsync-audit" */
};

extern const cmd_entry cmd_log_entry, cmd_blame_entry, cmd_show_entry, cmd_verify_entry,
	cmd_certificate_entry, cmd_keys_entry;

/*
 * Parse the command's options (opts_parse) and its `want` arguments, REPO
 * and (want == 2) a record ID, into pos[] (borrowed from argv). Prints the
 * usage error itself, naming what is missing, and returns EXIT_USAGE, or 0.
 */
int audit_args(const cmd_entry *e, int argc, char **argv, const opt_spec *specs, int want,
               const char *pos[2]);

/*
 * What log and blame share: parse REPO ID [--json], open the merge's cache
 * and run `query` (pl_audit_log, pl_audit_blame) on ID. With --json, print
 * its answer and return the exit status; so too on an error. Otherwise
 * print "KIND ID (owner NODE)" (no newline) and return -1 with the answer
 * in *out (the caller's, json_decref) for the caller to print the rest.
 */
typedef int (*audit_query)(json_t **out, pl_store *cache, const char *id);
int audit_record(json_t **out, const cmd_entry *e, int argc, char **argv, audit_query query);

/*
 * A field value for a person, escaped for the terminal (malloc'd; NULL if
 * out of memory): strings quoted, numbers canonical, lists compact JSON,
 * "(unset)" for none.
 */
char *value_text(const json_t *v);
/* value_text to stdout. */
void print_value(const json_t *v);
/* A string from a record's history (it may come from another node) to
 * stdout, escaped for the terminal. */
void term(const char *s);
/* The string at `key` of `o`, or "". */
const char *str(const json_t *o, const char *key);
/* The keys of `obj`, sorted (malloc'd; borrowed strings); NULL if out of memory. */

#endif
