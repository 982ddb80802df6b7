/*
 * Library errors carry the next step as a hint code, never as a command:
 * the message names no plsync program, the hint (and its argument) says
 * what a program may offer, pl_error_set clears it and pl_error_prefix
 * keeps it. What the command-line programs print for a hint is checked
 * in tests/agent/t-cli.sh.
 */
#include <stdio.h>
#include <string.h>

#include "plsync/plsync.h"
#include "plsync/sync.h"
#include "../tap.h"
#include "../testlib.h"

/* True if msg tells the user to run a program's command or option. */
static int names_command(const char *msg)
{
	static const char *const words[] = { "'plsync", "plsync-district", "plsync-audit", "plsync init",
	                                     "plsync sync", "plsync set", " --" };
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strstr(msg, words[i]))
			return 1;
	return 0;
}

int main(void)
{
	char dir[] = "/tmp/plsync-t-XXXXXX", empty[] = "/tmp/plsync-t-XXXXXX", path[256];
	pl_store *st = NULL;
	const pl_error *e = pl_error_last();
	json_t *f;
	FILE *fp;
	size_t applied, skipped;
	int rc;

	pl_init();
	tl_tmpdir(empty);
	rc = pl_store_open(&st, empty, NULL);
	is_int(rc, PL_ENOTFOUND, "opening a dir without a store fails as not found");
	is_int(e->hint, PL_HINT_INIT, "with the hint to make a store");
	ok(strstr(e->message, "is not a plsync data dir (no store)") != NULL, "the message says what is wrong");
	ok(!names_command(e->message), "and names no command (%s)", e->message);

	st = tl_fresh_store(dir, "LIN01");
	f = json_pack("{ss ss}", "code", "LIN01", "name", "Lincoln");
	pl_change c = { PL_CHANGE_CREATE, "school", "LIN01", f, NULL };
	is_int(pl_store_change(st, "A <a@b>", &c, NULL), 0, "a school is added");
	rc = pl_store_change(st, "A <a@b>", &c, NULL);
	is_int(rc, PL_EEXISTS, "adding it again fails as existing");
	is_int(e->hint, PL_HINT_SET_FIELD, "with the hint to change it instead");
	is_str(e->hint_arg, "LIN01", "naming the record");
	is_str(e->message, "school LIN01 already exists", "the message ends where the hint begins");
	json_decref(f);

	pl_error_prefix("adding");
	is_int(e->hint, PL_HINT_SET_FIELD, "a prefix keeps the hint");
	is_str(e->message, "adding: school LIN01 already exists", "and goes before the message");
	pl_error_set(PL_EINVALID, "something else");
	is_int(e->hint, PL_HINT_NONE, "a new error clears the hint");
	is_str(e->hint_arg, "", "and its argument");
	pl_error_set(PL_EINVALID, "x");
	pl_error_hint(PL_HINT_CHECK, NULL);
	pl_error_clear();
	is_int(e->hint, PL_HINT_NONE, "pl_error_clear clears the hint");

	snprintf(path, sizeof(path), "%s/notes.txt", empty);
	if (!(fp = fopen(path, "w")))
		bail("cannot write %s", path);
	fputs("not a bundle at all\n", fp);
	fclose(fp);
	rc = pl_bundle_apply(&applied, &skipped, st, path);
	is_int(rc, PL_EINVALID, "applying a file that is not a bundle fails");
	is_int(e->hint, PL_HINT_BUNDLE_CREATE, "with the hint saying how bundles are made");
	ok(!names_command(e->message), "and the sync layer's message names no command (%s)", e->message);

	tl_store_done(st, dir);
	tl_rm_rf(empty);
	pl_shutdown();
	return done_testing();
}
