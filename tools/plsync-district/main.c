/*
 * plsync-district — the district office's tool over the district repository.
 *
 *   plsync-district init REPO
 *
 * Only this program prints and exits: 0 ok, 1 failure, 2 usage.
 */
#include <stdio.h>
#include <string.h>

#include "plsync/plsync.h"
#include "plsync/sync.h"

static void usage(FILE *out)
{
	fprintf(out,
	        "usage: plsync-district <command> [<args>]\n"
	        "\n"
	        "The district office's tool over the district repository (a bare git\n"
	        "repository every school's agent pushes its ref to).\n"
	        "\n"
	        "Commands:\n"
	        "  init REPO    create the bare district repository (idempotent); configures it\n"
	        "               to refuse non-fast-forward pushes and ref deletions\n"
	        "\n"
	        "Examples:\n"
	        "  plsync-district init /srv/git/plsync.git\n"
	        "\n"
	        "Exit status: 0 success, 1 failure, 2 usage error.\n");
}

int main(int argc, char **argv)
{
	int rc;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "init")) {
		if (argc == 3 && (!strcmp(argv[2], "-h") || !strcmp(argv[2], "--help"))) {
			usage(stdout);
			return 0;
		}
		if (argc != 3) {
			fprintf(stderr, "plsync-district: init takes one REPO path\nusage: plsync-district init REPO\n");
			return 2;
		}
		pl_init();
		rc = pl_district_init(argv[2]);
		if (rc)
			fprintf(stderr, "plsync-district: %s\n", pl_error_last()->message);
		else
			printf("district repository ready at %s\n", argv[2]);
		pl_shutdown();
		return rc ? 1 : 0;
	}
	fprintf(stderr, "plsync-district: '%s' is not a command; see 'plsync-district --help'\n", argv[1]);
	return 2;
}
