/*
 * cmd-certificate.c — `plsync certificate`: the certificate of a completed
 * entry, as HTML (the HTML renderer) or PDF (libharu), with its
 * verification code (plsync/certificate.h).
 */
#include <stdlib.h>
#include <string.h>

#include "workflow.h"
#include "plsync/certificate.h"

static int cmd_certificate(cli *c, int argc, char **argv)
{
	const char *format = "html", *path = NULL;
	opt_spec specs[] = { { "format", 1, &format, NULL }, { "out", 1, &path, NULL }, { NULL, 0, NULL, NULL } };
	json_t *cert = NULL;
	char **pos = NULL;
	FILE *f = NULL;
	int npos, rc, pdf;

	if ((rc = opts_parse(&cmd_certificate_entry, argc, argv, specs, &pos, &npos)))
		return rc;
	pdf = !strcmp(format, "pdf");
	if (npos != 1)
		rc = cli_usage(&cmd_certificate_entry, "which pd_entry? one ENTRY");
	else if (!pdf && strcmp(format, "html"))
		rc = cli_usage(&cmd_certificate_entry, "--format is html or pdf, not '%s'", format);
	else if (pdf && (!path || !strcmp(path, "-")))
		rc = cli_usage(&cmd_certificate_entry, "a PDF needs a file: --out FILE.pdf");
	if (rc)
		goto cleanup;
	if (pl_certificate_get(&cert, c->store, pos[0])) {
		rc = cli_fail(c);
		goto cleanup;
	}
	if (pdf) {
		rc = pl_certificate_pdf(cert, path) ? cli_fail(c) : EXIT_OK;
	} else if (cli_out_open(&f, path)) {
		rc = cli_fail(c);
	} else {
		int failed = pl_certificate_html(f, cert) != 0;
		if (cli_out_close(f, path, failed) || failed)
			rc = cli_fail(c);
	}
	if (!rc && path && strcmp(path, "-"))
		fprintf(stderr, "%s: certificate of %s, verification code %s\n", path, pos[0],
		        json_string_value(json_object_get(cert, "code")));
cleanup:
	json_decref(cert);
	free(pos);
	return rc;
}

const cmd_entry cmd_certificate_entry = {
	.name = "certificate",
	.synopsis = "certificate ENTRY [--format html|pdf] [--out FILE]",
	.summary = "the certificate of a completed pd_entry, with its verification code",
	.help =
	"Writes the certificate of completed pd_entry ENTRY: name, offering (or title),\n"
	"dates, hours, credits and credit type, standards, and the verification code\n"
	"(the id of the op that completed the entry). `plsync-audit certificate REPO\n"
	"CODE` checks a code against the district repository.\n"
	"\n"
	"  --format F   html (the default) or pdf\n"
	"  --out FILE   where to write it (default: stdout; a PDF needs a file)\n"
	"\n"
	"Example:\n"
	"  plsync certificate LIN01-7K3Q2 --format pdf --out cert.pdf\n",
	.needs_store = 1,
	.exec = cmd_certificate,
};
