/*
 * cmd-certificate.c — `plsync-audit certificate`: check a certificate's
 * verification code against the district repository (the merge's cache):
 * the op exists, it completed that entry, and the entry still says what
 * the certificate says (pl_certificate_verify). Prints who, what and when;
 * a code that names no such op is refused with exit status 1.
 */
#include <stdio.h>

#include "audit.h"
#include "plsync/certificate.h"
#include "plsync/json.h"
#include "plsync/merge.h"

static int cmd_certificate(cli *c, int argc, char **argv)
{
	const char *pos[2];
	int as_json = 0, rc;
	opt_spec specs[] = { { "json", 0, NULL, &as_json }, { NULL, 0, NULL, NULL } };
	pl_store *cache = NULL;
	json_t *cert = NULL, *stds;

	if ((rc = audit_args(&cmd_certificate_entry, argc, argv, specs, 2, pos)))
		return rc;
	rc = pl_merge_cache_open(&cache, pos[0]);
	if (!rc)
		rc = pl_certificate_verify(&cert, cache, pos[1]);
	pl_store_free(cache);
	if (rc) {
		return cli_fail_code(EXIT_FAIL);
	}
	if (as_json) {
		rc = pl_json_write(stdout, cert) ? cli_fail_code(EXIT_FAIL) : EXIT_OK;
		json_decref(cert);
		return rc;
	}
	printf("valid: certificate %s\n", str(cert, "code"));
	fputs("  who       ", stdout);
	term(str(cert, "name"));
	fputs(" (", stdout);
	term(str(cert, "staff"));
	fputs(")\n  what      ", stdout);
	term(json_object_get(cert, "offering_title") ? str(cert, "offering_title") : str(cert, "title"));
	if (json_object_get(cert, "offering")) {
		fputs(" (offering ", stdout);
		term(str(cert, "offering"));
		fputs(")", stdout);
	}
	fputs("\n  entry     ", stdout);
	term(str(cert, "entry"));
	printf("\n  dates     %s to %s\n  hours     %s\n", str(cert, "start"), str(cert, "end"), str(cert, "hours"));
	if (json_object_get(cert, "credits")) {
		printf("  credits   %s ", str(cert, "credits"));
		term(str(cert, "credit_type"));
		putchar('\n');
	}
	stds = json_object_get(cert, "standards");
	if (json_array_size(stds)) {
		fputs("  standards", stdout);
		for (size_t i = 0; i < json_array_size(stds); i++) {
			fputs(i ? ", " : " ", stdout);
			term(json_string_value(json_array_get(stds, i)));
		}
		putchar('\n');
	}
	printf("  completed %s by ", str(cert, "completed_at"));
	term(str(cert, "completed_by"));
	printf(" at %s (seq %lld)\n", str(cert, "node"), (long long)json_integer_value(json_object_get(cert, "seq")));
	json_decref(cert);
	return EXIT_OK;
}

const cmd_entry cmd_certificate_entry = {
	.name = "certificate",
	.synopsis = "certificate REPO CODE [--json]",
	.summary = "check a certificate's verification code against the repository",
	.help =
	"Checks verification code CODE (40 hex digits, printed on a certificate by\n"
	"`plsync certificate`) against the district repository's merged history: the op\n"
	"with that id exists, it completed the pd_entry, no later op completed it\n"
	"again, and its hours, credits and status are still what the op set. Prints\n"
	"who, what and when. A code that names no such op (forged or mistyped), or an\n"
	"entry changed since, is refused: exit status 1.\n"
	"\n"
	"Options:\n"
	"  --json   the certificate as JSON\n"
	"\n"
	"Example:\n"
	"  plsync-audit certificate /srv/git/plsync.git 3f2a...c9\n",
	.exec = cmd_certificate,
};
