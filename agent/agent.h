/*
 * agent.h — the plsync program's private interface: the command table, the
 * per-run context, and helpers shared by the cmd-*.c files. cmd_entry,
 * option parsing, dispatch and the messages are cli/cli.h's, shared with
 * the tools.
 *
 * Only this program prints and exits. Exit codes: 0 ok, 1 failure, 2 usage.
 */
#ifndef PLSYNC_AGENT_H
#define PLSYNC_AGENT_H

#include <stdio.h>

#include "plsync/plsync.h"
#include "plsync/render.h"
#include "plsync/json.h"
#include "plsync/sync.h"

#include "../cli/cli.h"

/* The per-run context every command gets (cli.h declares the type). */
struct cli {
	const char *dir;      /* the data dir */
	pl_store   *store;    /* opened for commands that need it */
	char        actor[256];
	const char *prog;     /* "plsync" */
};

/* Print every kind and its fields (for `plsync help add`). */
void schema_help(FILE *out);

extern const cmd_entry cmd_init_entry, cmd_add_entry, cmd_set_entry, cmd_rm_entry,
	cmd_show_entry, cmd_ls_entry, cmd_import_entry, cmd_export_entry, cmd_log_entry,
	cmd_status_entry, cmd_config_entry, cmd_check_entry, cmd_sync_entry, cmd_bundle_entry,
	cmd_conflicts_entry, cmd_resolve_entry, cmd_restore_entry, cmd_key_entry;

/* Print a key's public line, and (unless public_only) its fingerprint as
 * ssh-keygen -l prints it (cmd-init.c). */
struct pl_key;
void print_key(const struct pl_key *k, int public_only);

/*
 * `plsync init`'s work, for init and restore: check the options (usage
 * errors name entry e), create the store in c->dir (refused if one is
 * there) and write the config. Returns an exit code, the error printed.
 */
int init_data_dir(cli *c, const cmd_entry *e, const char *node, const char *name, const char *user,
                  const char *remote);

/* The PL workflows, findings and reports (agent/cmd-request.c ... cmd-report.c). */
extern const cmd_entry cmd_request_entry, cmd_approve_entry, cmd_reject_entry,
	cmd_complete_entry, cmd_evaluate_entry, cmd_transcript_entry, cmd_findings_entry,
	cmd_report_entry, cmd_plan_entry;
/* Offerings, registration, attendance, certificates (agent/cmd-offering.c ...). */
extern const cmd_entry cmd_offering_entry, cmd_register_entry, cmd_attend_entry, cmd_certificate_entry;
/* Required trainings and reminders (agent/cmd-compliance.c, cmd-remind.c). */
extern const cmd_entry cmd_compliance_entry, cmd_remind_entry;

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
/* The value at dotted `path` inside nested `obj`, or NULL. Borrowed. */
json_t *fields_get(const json_t *obj, const char *path);

/* Print "unknown kind 'X'; kinds are: ..." (from the schema); EXIT_USAGE. */
int kind_unknown(const char *kind);

/* {"id","kind","owner","created","updated","fields"} for --json output. */
json_t *record_json(const pl_record *r);

/* `plsync __complete WHAT [ARG]` (completion.c): words for the shell completion. */
int completion_main(const cmd_entry *const *commands, const char *dir, int argc, char **argv);

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

/* Every config key: name, default as shown, meaning, multi-valued. Ends with a NULL name. */
typedef struct config_key {
	const char *name, *def, *help;
	int         multi;
} config_key;
extern const config_key config_keys[];
/* The key named `name` (case aside, as git-config keys), or NULL. */
const config_key *config_key_find(const char *name);
/* The system-wide config read under <dir>/config: $PLSYNC_SYSCONFIG, else
 * /etc/plsync/config. */
const char *config_system_path(void);
/* Every key set, in file order, the system-wide file's first: an array of
 * {"key", "value", "origin": "system" or "dir"}. */
int config_list(json_t **out, const char *dir);
/* A duration ("900", "30s", "15m", "1h", "1d"; at most a year) in seconds; -1 if it is not one. */
int config_duration(int *out, const char *text);

/* Sync settings from <dir>/config (remote.url, user.*, sync.*), owned here. */
typedef struct sync_cfg {
	pl_sync_options opts;
	char   *url, *name, *email, *sshkey, *knownhosts, *user, *password, *cafile, *districtkey;
	json_t *follow;      /* array of node codes */
	const char **follow_v;
} sync_cfg;
int sync_cfg_load(sync_cfg *s, const char *dir, const char *url_override);
void sync_cfg_free(sync_cfg *s);

#endif
