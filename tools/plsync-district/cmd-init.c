/*
 * cmd-init.c — `plsync-district init`: create the bare district repository.
 */
#include <stdio.h>

#include "district.h"
#include "plsync/errors.h"
#include "plsync/key.h"
#include "plsync/sync.h"

static int cmd_init(cli *c, int argc, char **argv)
{
	const char *repo;
	char fixed[256];
	int rc;

	if ((rc = district_args(&cmd_init_entry, argc, argv, NULL, &repo)))
		return rc;
	if (pl_district_init_fix(repo, fixed, sizeof(fixed)))
		return cli_fail_code(EXIT_FAIL);
	if (fixed[0])
		printf("repaired %s: %s\n", repo, fixed);
	printf("district repository ready at %s\n", repo);
	{
		/* the key that signs the enrolled node keys (refs/plsync/keys) */
		char fp[PL_KEY_FP_MAX];
		pl_key k;
		int made = 0;
		if (pl_keyring_district_key(&k, &made, repo))
			return cli_fail_code(EXIT_FAIL);
		pl_key_fingerprint(fp, sizeof(fp), &k);
		if (made) /* once: `keys` shows it again */
			printf("made the district key %s/%s: %s\n", repo, PL_KEY_DISTRICT, fp);
		pl_key_clear(&k);
	}
	return EXIT_OK;
}

const cmd_entry cmd_init_entry = {
	.name = "init",
	.synopsis = "init REPO",
	.summary = "create the bare district repository (idempotent)",
	.help =
	"Creates REPO, the bare git repository every school's agent pushes\n"
	"refs/heads/nodes/<node> to and merge consolidates into main. It refuses\n"
	"non-fast-forward pushes and ref deletions, and sets gc.auto = 0 (git gc\n"
	"runs only when you run it). Running it again on the same repository\n"
	"changes nothing, except to repair what an older plsync wrote (gc.auto =\n"
	"false, which git refuses): it says what it repaired. It also makes the\n"
	"district key, REPO/plsync-district.key (0600), which signs the enrolled\n"
	"node keys (see enroll), and prints its fingerprint.\n"
	"\n"
	"Example:\n"
	"  plsync-district init /srv/git/plsync.git\n",
	.exec = cmd_init,
};
