/*
 * cmd-enroll.c — `plsync-district enroll REPO NODE PUBKEYFILE` and
 * `revoke REPO NODE`: the node keys the merge checks signatures against,
 * an allowed_signers file on refs/plsync/keys signed by the district key
 * (plsync/key.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "district.h"
#include "plsync/errors.h"
#include "plsync/key.h"

/* REPO NODE [FILE]: exactly `want` positional arguments. */
static int args(const cmd_entry *e, int argc, char **argv, const opt_spec *specs, char ***pos, int want)
{
	int npos, rc;

	if ((rc = opts_parse(e, argc, argv, specs, pos, &npos)))
		return rc;
	if (npos != want) {
		free(*pos);
		*pos = NULL;
		return cli_usage(e, want == 3 ? "give REPO, NODE and the public key FILE" : "give REPO and NODE");
	}
	return 0;
}

static int cmd_enroll(cli *c, int argc, char **argv)
{
	const char *after = NULL;
	opt_spec specs[] = { { "valid-after", 1, &after, NULL }, { NULL, 0, NULL, NULL } };
	char **pos = NULL, line[1024], fp[PL_KEY_FP_MAX];
	int64_t from = 0;
	pl_key k;
	FILE *f;
	int rc;

	if ((rc = args(&cmd_enroll_entry, argc, argv, specs, &pos, 3)))
		return rc;
	if (after && pl_keyring_parse_time(&from, after)) {
		free(pos);
		return cli_fail_code(EXIT_USAGE);
	}
	if (!(f = fopen(pos[2], "r"))) {
		rc = cli_error(EXIT_FAIL, "%s: cannot read the public key file", pos[2]);
		free(pos);
		return rc;
	}
	if (!fgets(line, sizeof(line), f))
		line[0] = '\0';
	fclose(f);
	if (pl_key_parse_public(&k, line)) {
		pl_error_prefix("%s", pos[2]);
		free(pos);
		return cli_fail_code(EXIT_FAIL);
	}
	if (pl_keyring_enroll(pos[0], pos[1], line, from)) {
		free(pos);
		return cli_fail_code(EXIT_FAIL);
	}
	pl_key_fingerprint(fp, sizeof(fp), &k);
	printf("enrolled %s for node %s in %s\n", fp, pos[1], pos[0]);
	printf("check the fingerprint with the school: its `plsync key` prints it\n");
	free(pos);
	return EXIT_OK;
}

static int cmd_revoke(cli *c, int argc, char **argv)
{
	const char *at = NULL, *key = NULL;
	opt_spec specs[] = { { "at", 1, &at, NULL }, { "key", 1, &key, NULL }, { NULL, 0, NULL, NULL } };
	char **pos = NULL, when[32];
	int64_t t = (int64_t)time(NULL);
	int rc;

	if ((rc = args(&cmd_revoke_entry, argc, argv, specs, &pos, 2)))
		return rc;
	if (at && pl_keyring_parse_time(&t, at)) {
		free(pos);
		return cli_fail_code(EXIT_USAGE);
	}
	if (pl_keyring_revoke(pos[0], pos[1], key, t)) {
		free(pos);
		return cli_fail_code(EXIT_FAIL);
	}
	pl_keyring_fmt_time(when, sizeof(when), t);
	printf("revoked %s of node %s from %s: the merge refuses commits it signed at or after that time\n",
	       key ? key : "every key", pos[1], when);
	free(pos);
	return EXIT_OK;
}

const cmd_entry cmd_enroll_entry = {
	.name = "enroll",
	.synopsis = "enroll REPO NODE PUBKEYFILE [--valid-after TIME]",
	.summary = "enrol a school's signing key (the merge then checks its signatures)",
	.help =
	"Adds the public key in PUBKEYFILE (the line `plsync key --public` prints at\n"
	"the school) to the node keys of REPO: an allowed_signers file on\n"
	"refs/plsync/keys, each change a commit signed by the district key\n"
	"(REPO/plsync-district.key, made by init or here). From then on the merge\n"
	"takes only commits signed by a key enrolled for that node; a range that\n"
	"is unsigned or signed by any other key is quarantined. Enrol the new key\n"
	"of a school that rotates its key (or was restored on a new machine), then\n"
	"revoke the old one. One key signs for one node.\n"
	"\n"
	"Options:\n"
	"  --valid-after TIME  only commits signed from TIME on (UTC: YYYY-MM-DD or\n"
	"                      YYYY-MM-DDThh:mm:ssZ); default: any time\n"
	"\n"
	"Check the fingerprint it prints with the school (by phone): it is what\n"
	"`plsync key` prints there.\n"
	"\n"
	"Example:\n"
	"  plsync-district enroll /srv/git/plsync.git LIN01 LIN01.pub\n"
	"  git -C /srv/git/plsync.git show refs/plsync/keys:allowed_signers\n",
	.exec = cmd_enroll,
};

const cmd_entry cmd_revoke_entry = {
	.name = "revoke",
	.synopsis = "revoke REPO NODE [--key FINGERPRINT] [--at TIME]",
	.summary = "revoke a school's signing keys from now (or TIME) on",
	.help =
	"Sets valid-before on NODE's enrolled keys (all of them, or the one with\n"
	"--key's fingerprint): the merge quarantines a range with a commit signed\n"
	"by it at or after that time; what it signed before stays valid. A commit's\n"
	"time is the one its signer wrote: revoke a stolen key from the time it\n"
	"was lost (--at), not from when you learn of it.\n"
	"\n"
	"Options:\n"
	"  --key FINGERPRINT  only this key (SHA256:..., as `keys` lists it)\n"
	"  --at TIME          from TIME (UTC: YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ);\n"
	"                     default: now\n"
	"\n"
	"Example:\n"
	"  plsync-district revoke /srv/git/plsync.git LIN01 --at 2026-11-02\n",
	.exec = cmd_revoke,
};
