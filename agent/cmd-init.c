/*
 * cmd-init.c — `plsync init`: create a data dir for one node (init_data_dir,
 * which `plsync restore` shares) and its signing key (<dir>/node.key: made
 * here, or copied from --key FILE), whose public line and fingerprint it
 * prints for the district to enrol (print_key, which `plsync key` shares).
 */
#include <stdio.h>
#include <string.h>

#include "agent.h"
#include "plsync/key.h"

void print_key(const pl_key *k, int public_only)
{
	char line[PL_KEY_LINE_MAX], fp[PL_KEY_FP_MAX];

	pl_key_public_line(line, sizeof(line), k);
	pl_key_fingerprint(fp, sizeof(fp), k);
	printf("%s\n", line);
	if (!public_only) /* as ssh-keygen -l prints it */
		printf("256 %s %s (ED25519)\n", fp, k->comment);
}

/* The data dir's key: --key FILE's (an OpenSSH ed25519 private key), or a new one. */
static int init_key(cli *c, const char *node, const char *from)
{
	char path[4096], comment[64];
	pl_key k;
	int rc;

	snprintf(path, sizeof(path), "%s/%s", c->dir, PL_KEY_FILE);
	snprintf(comment, sizeof(comment), "plsync:%s", node);
	if (from) {
		if (pl_key_load(&k, from))
			return cli_fail(c);
		snprintf(k.comment, sizeof(k.comment), "%s", comment);
	} else if (pl_key_generate(&k, comment)) {
		return cli_fail(c);
	}
	rc = pl_key_save(&k, path);
	if (!rc) {
		printf("node key (give this line to the district office to enrol: plsync key --public > %s.pub):\n",
		       node);
		print_key(&k, 0);
	}
	pl_key_clear(&k);
	return rc ? cli_fail(c) : EXIT_OK;
}

int init_data_dir(cli *c, const cmd_entry *e, const char *node, const char *name, const char *user,
                  const char *remote)
{
	if (!node)
		return cli_usage(e, "--node CODE is required (the school code, or DISTRICT)");
	if (!pl_node_valid(node))
		return cli_error(EXIT_FAIL, "node code '%s' is not valid: use 1-32 of A-Z, 0-9, '-', '_' (e.g. LIN01)", node);
	if (user && strchr(user, '<') == NULL)
		return cli_usage(e, "--user must look like \"Name <email>\"");
	if (user && pl_text_control(user, strlen(user)) >= 0)
		return cli_usage(e, "--user must be one line of text, without tabs, newlines or "
		                 "other control characters");
	if (pl_store_create(c->dir, node, NULL))
		return cli_fail(c);
	if (config_write_init(c->dir, node, name, user, remote))
		return cli_fail(c);
	return EXIT_OK;
}

static int cmd_init(cli *c, int argc, char **argv)
{
	const char *node = NULL, *name = NULL, *user = NULL, *remote = NULL, *key = NULL, *dkey = NULL;
	opt_spec specs[] = {
		{ "node", 1, &node, NULL }, { "name", 1, &name, NULL },
		{ "user", 1, &user, NULL }, { "remote", 1, &remote, NULL }, { "key", 1, &key, NULL },
		{ "district-key", 1, &dkey, NULL }, { NULL, 0, NULL, NULL }
	};
	char **pos;
	int npos, rc;

	if ((rc = opts_parse(&cmd_init_entry, argc, argv, specs, &pos, &npos)))
		return rc;
	free(pos);
	if (npos)
		return cli_usage(&cmd_init_entry, "unexpected argument '%s'", argv[0]);
	if (dkey && (strncmp(dkey, "SHA256:", 7) || strlen(dkey) != 50 ||
	             strspn(dkey + 7, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/") != 43))
		return cli_usage(&cmd_init_entry, "--district-key takes the district key's fingerprint, "
		                 "SHA256: and 43 characters (plsync-district keys prints it)");
	if (key && node && pl_node_valid(node)) { /* a bad key file refuses before anything is made */
		pl_key k;
		if (pl_key_load(&k, key))
			return cli_fail(c);
		pl_key_clear(&k);
	}
	if ((rc = init_data_dir(c, &cmd_init_entry, node, name, user, remote)))
		return rc;
	if (dkey && config_set(c->dir, "sync.districtkey", dkey))
		return cli_fail(c);
	printf("Initialised plsync data dir %s for node %s\n", c->dir, node);
	return init_key(c, node, key);
}

const cmd_entry cmd_init_entry = {
	.name = "init",
	.synopsis = "init --node CODE [--name TEXT] [--user \"Name <email>\"] [--remote URL] [--key FILE] [--district-key FP]",
	.summary = "create a data dir for a school (or the district office)",
	.help =
	"Creates the data dir (see --dir) with an empty store and a config file in\n"
	"git-config format. Every change made here is recorded as an op of this node.\n"
	"\n"
	"Options:\n"
	"  --node CODE    the node code: the school code (e.g. LIN01), or DISTRICT for\n"
	"                 the district office. 1-32 of A-Z 0-9 - _. Required.\n"
	"  --name TEXT    the school's name, for display\n"
	"  --user \"Name <email>\"\n"
	"                 the person recorded as the actor of every change\n"
	"  --remote URL   the district repository to sync with (later: plsync sync)\n"
	"  --key FILE     sign with this existing key (an unencrypted OpenSSH\n"
	"                 ssh-ed25519 private key) instead of a new one\n"
	"  --district-key FINGERPRINT\n"
	"                 pin the district key (SHA256:..., as the district office\n"
	"                 reads it to you): sync then applies DISTRICT's (and every\n"
	"                 followed node's) commits only if they are signed by a key\n"
	"                 that district key enrolled (config sync.districtkey)\n"
	"\n"
	"It makes the node's signing key, DIR/node.key (mode 0600), and prints its\n"
	"public line and fingerprint: the district office enrols that line\n"
	"(plsync-district enroll), and the district merge then takes only commits\n"
	"signed by it for this node. `plsync key` prints them again.\n"
	"\n"
	"Example:\n"
	"  plsync --dir /srv/plsync init --node LIN01 --name \"Lincoln Elementary\" \\\n"
	"         --user \"Ann Lee <ann.lee@lincoln.k12.example>\"\n"
	"\n"
	"Fails if the dir already holds a store.\n",
	.needs_store = 0,
	.exec = cmd_init,
};
