/*
 * main.c — plsync-audit, the auditor's tool over the district repository:
 * the command table, main, and the helpers its commands share.
 *
 *   plsync-audit log REPO ID [--json]
 *   plsync-audit blame REPO ID [--json]
 *   plsync-audit show REPO ID --at TIME [--json]
 *   plsync-audit verify REPO [--json]
 *
 * log, blame and show read the merge's cache (rebuilt from git if stale);
 * verify reads git alone. Each command lives in its own cmd-*.c; help,
 * --help, --version and the messages are cli/cli.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "plsync/json.h"
#include "plsync/merge.h"
#include "plsync/store.h"
#include "plsync/text.h"

static const cmd_entry *const commands[] = {
	&cmd_log_entry, &cmd_blame_entry, &cmd_show_entry, &cmd_verify_entry, &cmd_keys_entry,
	&cmd_certificate_entry, NULL
};

static const cli_program program = {
	.name = "plsync-audit",
	.globals = "",
	.intro =
	"usage: plsync-audit <command> REPO [ID] [options]\n"
	"       plsync-audit help <command> | plsync-audit <command> --help\n"
	"\n"
	"The auditor's tool over the district repository (the bare git repository\n"
	"that schools push to and plsync-district merges into main). Every change\n"
	"is an op: who (actor), when (the op's clock, RFC 3339 UTC), on which node\n"
	"and seq, carried by which node commit, consolidated by which merge.\n"
	"\n",
	.outro =
	"\n"
	"log, blame and show read the merge's cache (REPO/plsync-cache), rebuilding it\n"
	"from git first if it does not match main. An auditor who cannot write REPO\n"
	"gets a cache of their own, built from main the same way, in\n"
	"$XDG_CACHE_HOME/plsync/ (~/.cache/plsync/ without XDG_CACHE_HOME).\n"
	"Ops not merged yet are not in main and not shown.\n"
	"\n"
	"Examples:\n"
	"  plsync-audit log /srv/git/plsync.git LIN01-7K3Q2\n"
	"  plsync-audit blame /srv/git/plsync.git LIN01-7K3Q2 --json\n"
	"  plsync-audit show /srv/git/plsync.git LIN01-7K3Q2 --at 2026-09-30\n"
	"  plsync-audit verify /srv/git/plsync.git\n"
	"  git -C /srv/git/plsync.git log -p --first-parent main -- 'state/pd_entry/*/*/LIN01-7K3Q2.json'\n"
	"\n"
	"REPO may be left out when $PLSYNC_REPO names the repository.\n"
	"\n"
	"Options:\n"
	"  --version    print the version\n"
	"  -h, --help   this text\n"
	"\n"
	"Exit status: 0 success (verify: everything agrees), 1 failure (verify: at\n"
	"least one problem, listed), 2 usage error.\n",
	.commands = commands,
};

/*
 * A field value for a person, escaped for the terminal (malloc'd; NULL if
 * out of memory): strings quoted, numbers canonical, lists compact JSON,
 * "(unset)" for none.
 */
char *value_text(const json_t *v)
{
	char *t, *e;

	if (!v || json_is_null(v))
		return strdup("(unset)");
	if (json_is_number(v)) {
		char num[32];
		pl_json_number(num, v);
		return strdup(num);
	}
	t = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
	e = t ? pl_term_escape(t) : NULL;
	free(t);
	return e;
}

void print_value(const json_t *v)
{
	char *t = value_text(v);
	fputs(t ? t : "?", stdout);
	free(t);
}

/* Every string in a record's history may come from another node. */
void term(const char *s)
{
	pl_term_fputs(stdout, s);
}

const char *str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

int audit_args(const cmd_entry *e, int argc, char **argv, const opt_spec *specs, int want,
               const char *pos[2])
{
	char **p = NULL;
	int n, rc;

	pos[0] = pos[1] = NULL;
	if ((rc = opts_parse(e, argc, argv, specs, &p, &n)))
		return rc;
	cli_default_repo(p, &n, want);
	if (n > want)
		rc = cli_usage(e, "takes %s (got %d arguments)", want == 1 ? "one REPO" : "REPO and one record ID", n);
	else if (n < want)
		rc = cli_usage(e, "%s", n ? "which record ID?" : "which REPO?");
	for (int i = 0; !rc && i < n; i++)
		pos[i] = p[i];
	free(p);
	return rc;
}

int audit_record(json_t **out, const cmd_entry *e, int argc, char **argv, audit_query query)
{
	const char *pos[2];
	int as_json = 0, rc;
	opt_spec specs[] = { { "json", 0, NULL, &as_json }, { NULL, 0, NULL, NULL } };
	pl_store *cache = NULL;

	*out = NULL;
	if ((rc = audit_args(e, argc, argv, specs, 2, pos)))
		return rc;
	rc = pl_merge_cache_open(&cache, pos[0]);
	if (!rc)
		rc = query(out, cache, pos[1]);
	pl_store_free(cache);
	if (rc)
		return cli_fail_code(EXIT_FAIL);
	if (as_json) {
		rc = pl_json_write(stdout, *out) ? cli_fail_code(EXIT_FAIL) : EXIT_OK;
		json_decref(*out);
		*out = NULL;
		return rc;
	}
	term(str(*out, "kind"));
	putchar(' ');
	term(str(*out, "id"));
	printf(" (owner %s)", str(*out, "owner"));
	return -1;
}

int main(int argc, char **argv)
{
	cli c = { .prog = "plsync-audit" };
	return cli_main(&program, &c, argc, argv);
}
