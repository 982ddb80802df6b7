/*
 * cmd-config.c — `plsync config`: read or set one configuration key, or
 * list every key set (the data dir's config over the system-wide one).
 * Only the keys of config_keys[] (config.c) are taken: a mistyped key is
 * refused with the nearest one, never written where nothing reads it.
 */
#include <string.h>
#include <strings.h>

#include "agent.h"

static const char *key_at(size_t i, const void *arg)
{
	(void)arg;
	return config_keys[i].name;
}

static int known_key(const char *key)
{
	const char *near;

	if (config_key_find(key))
		return 0;
	if ((near = cli_nearest(key, key_at, NULL)))
		return cli_usage(&cmd_config_entry, "unknown key '%s'; did you mean '%s'?", key, near);
	return cli_usage(&cmd_config_entry, "unknown key '%s' ('plsync help config' lists the keys)", key);
}

/* The value as --list shows it: never a password. */
static void shown_value(char *buf, size_t sz, const char *key, const char *value)
{
	if (!strcasecmp(key, "sync.password"))
		snprintf(buf, sz, "(set)");
	else
		pl_text_redact(buf, sz, value);
}

static int list(cli *c, int as_json)
{
	json_t *all = NULL, *e;
	char shown[4096];
	size_t i;
	int rc;

	if (config_list(&all, c->dir))
		return cli_fail(c);
	json_array_foreach(all, i, e) {
		shown_value(shown, sizeof(shown), json_string_value(json_object_get(e, "key")),
		            json_string_value(json_object_get(e, "value")));
		if (as_json) {
			json_object_set_new(e, "value", json_string(shown));
		} else {
			pl_term_fputs(stdout, json_string_value(json_object_get(e, "key")));
			putchar('=');
			pl_term_fputs(stdout, shown);
			putchar('\n');
		}
	}
	rc = EXIT_OK;
	if (as_json) {
		json_t *o = json_pack("{sO ss}", "keys", all, "system", config_system_path());
		rc = pl_json_write(stdout, o) ? cli_fail(c) : EXIT_OK;
		json_decref(o);
	}
	json_decref(all);
	return rc;
}

static int cmd_config(cli *c, int argc, char **argv)
{
	char **pos, *v = NULL;
	int npos, rc, do_list = 0, as_json = 0;
	opt_spec specs[] = { { "list", 0, NULL, &do_list }, { "json", 0, NULL, &as_json }, { NULL, 0, NULL, NULL } };

	if ((rc = opts_parse(&cmd_config_entry, argc, argv, specs, &pos, &npos)))
		return rc;
	if (do_list) {
		free(pos);
		return npos ? cli_usage(&cmd_config_entry, "--list takes no KEY") : list(c, as_json);
	}
	if (npos < 1 || npos > 2) {
		free(pos);
		return cli_usage(&cmd_config_entry, "give KEY or KEY VALUE (or --list)");
	}
	if ((rc = known_key(pos[0]))) {
		free(pos);
		return rc;
	}
	if (npos == 2) {
		if (!strcasecmp(pos[0], "core.node")) {
			free(pos);
			return cli_error(EXIT_FAIL, "core.node cannot change: a data dir belongs to one node for life");
		}
		rc = config_set(c->dir, pos[0], pos[1]) ? cli_fail(c) : EXIT_OK;
	} else if (config_get(&v, c->dir, pos[0])) {
		rc = cli_fail(c);
	} else if (!v) {
		rc = EXIT_FAIL; /* unset: no output, like git config */
	} else if (as_json) {
		json_t *o = json_pack("{ss ss}", "key", config_key_find(pos[0])->name, "value", v);
		rc = pl_json_write(stdout, o) ? cli_fail(c) : EXIT_OK;
		json_decref(o);
	} else {
		printf("%s\n", v);
		rc = EXIT_OK;
	}
	free(v);
	free(pos);
	return rc;
}

static void config_help_keys(FILE *out)
{
	fputs("\nKeys (default):\n", out);
	for (const config_key *k = config_keys; k->name; k++)
		fprintf(out, "  %-16s %s\n", k->name, k->def);
}

const cmd_entry cmd_config_entry = {
	.name = "config",
	.synopsis = "config [--list] [--json] [KEY [VALUE]]",
	.summary = "read or set a configuration key, or list them",
	.help =
	"Reads KEY (exit 1 if unset) or sets it to VALUE in <dir>/config, a file in\n"
	"git-config format (`git config -f <dir>/config --list` reads it too).\n"
	"A key not set there is read from the system-wide defaults,\n"
	"/etc/plsync/config (same format; $PLSYNC_SYSCONFIG names another file),\n"
	"if that file exists; VALUE is always written to <dir>/config.\n"
	"\n"
	"Only the keys below are taken: an unknown key is refused (exit 2) with the\n"
	"nearest known one. plsync-config(5) says what each does.\n"
	"\n"
	"Options:\n"
	"  --list   every key set, KEY=VALUE, the system-wide file's first (a\n"
	"           password shown as \"(set)\")\n"
	"  --json   with --list: {\"keys\": [{key, value, origin: system|dir}],\n"
	"           \"system\": PATH}; with KEY: {key, value}\n"
	"\n"
	"Examples:\n"
	"  plsync config user.name\n"
	"  plsync config remote.url ssh://git@district.example/plsync.git\n"
	"  plsync config --list\n",
	.needs_store = 1,
	.exec = cmd_config,
	.help_extra = config_help_keys,
};
