/*
 * agent.h — the plsync program's private interface: the command table, the
 * per-run context, and helpers shared by the cmd-*.c files.
 *
 * Only this program prints and exits. Exit codes: 0 ok, 1 failure, 2 usage.
 */
#ifndef PLSYNC_AGENT_H
#define PLSYNC_AGENT_H

#include <stdio.h>

#include "plsync/plsync.h"
#include "plsync/json.h"
#include "plsync/sync.h"

#define EXIT_OK    0
#define EXIT_FAIL  1
#define EXIT_USAGE 2

typedef struct cli {
	const char *dir;      /* the data dir */
	pl_store   *store;    /* opened for commands that need it */
	char        actor[256];
	const char *prog;     /* "plsync" */
} cli;

typedef struct cmd_entry {
	const char *name;
	const char *synopsis;   /* one line: "add KIND [--id ID] field=value..." */
	const char *summary;    /* one line for the command list */
	const char *help;       /* the full manual text */
	int         needs_store;
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

/*
 * Split argv into options (by specs, NULL-terminated by name) and positional
 * arguments (*pos, *npos; pointers into argv, array malloc'd). "--" ends
 * options. Prints the usage error itself and returns EXIT_USAGE, or 0.
 */
int opts_parse(const cmd_entry *e, int argc, char **argv, const opt_spec *specs,
               char ***pos, int *npos);

/* Print every kind and its fields (for `plsync help add`). */
void schema_help(FILE *out);

extern const cmd_entry cmd_init_entry, cmd_add_entry, cmd_set_entry, cmd_rm_entry,
	cmd_show_entry, cmd_ls_entry, cmd_import_entry, cmd_export_entry, cmd_log_entry,
	cmd_status_entry, cmd_config_entry, cmd_check_entry, cmd_sync_entry, cmd_bundle_entry,
	cmd_conflicts_entry, cmd_resolve_entry;

/* The PL workflows, findings and reports (agent/cmd-request.c ... cmd-report.c). */
extern const cmd_entry cmd_request_entry, cmd_approve_entry, cmd_reject_entry,
	cmd_complete_entry, cmd_evaluate_entry, cmd_transcript_entry, cmd_findings_entry,
	cmd_report_entry, cmd_plan_entry;

/* Print "plsync: <message>" from the last library error; return EXIT_FAIL. */
int cli_fail(const cli *c);
/* Print "plsync: <fmt>" and return `code`. */
int cli_error(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Print "usage: plsync <synopsis>" and a hint; return EXIT_USAGE. */
int cli_usage(const cmd_entry *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* True if argv holds -h or --help before "--". */
int cli_wants_help(int argc, char **argv);
void cli_print_help(const cmd_entry *e, FILE *out);

/*
 * Parse "path=value" arguments into a nested object (dots nest); an empty
 * value is JSON null (unset). Returns 0, or PL_EUSAGE naming the argument.
 */
int fields_parse(json_t **out, int argc, char **argv);
/*
 * Put `value` (stolen) at dotted `path` inside `root`, creating the nested
 * objects. PL_EUSAGE if the path is empty, given twice, or crosses a value.
 */
int fields_put(json_t *root, const char *path, json_t *value);
/* Flatten a nested object into sorted "a.b" -> leaf pairs (a new object). */
json_t *fields_flatten(const json_t *obj);
/* A leaf as display text: strings bare, lists comma-joined, numbers canonical. */
char *fields_text(const json_t *v);

/* The keys of `obj`, sorted bytewise, in a malloc'd array (borrowed strings). */
const char **sorted_keys(const json_t *obj, size_t *n);
/* The value at dotted `path` inside nested `obj`, or NULL. Borrowed. */
json_t *fields_get(const json_t *obj, const char *path);

/* {"id","kind","owner","created","updated","fields"} for --json output. */
json_t *record_json(const pl_record *r);

/* Configuration in <dir>/config (git-config format, via libgit2). */
int config_write_init(const char *dir, const char *node, const char *name,
                      const char *user, const char *remote);
/* Read a key; *out malloc'd or NULL when unset. */
int config_get(char **out, const char *dir, const char *key);
int config_set(const char *dir, const char *key, const char *value);
/* All values of a multi-valued key (sync.follow), as a JSON array of strings. */
int config_get_all(json_t **out, const char *dir, const char *key);
/* Add one more value to a multi-valued key. */
int config_add(const char *dir, const char *key, const char *value);
/* "Name <email>" of the configured user, or $USER, into buf. */
void config_actor(char *buf, size_t sz, const char *dir);

/* Sync settings from <dir>/config (remote.url, user.*, sync.*), owned here. */
typedef struct sync_cfg {
	pl_sync_options opts;
	char   *url, *name, *email, *sshkey, *knownhosts, *user, *password, *cafile;
	json_t *follow;      /* array of node codes */
	const char **follow_v;
} sync_cfg;
int sync_cfg_load(sync_cfg *s, const char *dir, const char *url_override);
void sync_cfg_free(sync_cfg *s);

#endif
