/*
 * cmd-serve.c — `plsync serve`: the school's web app (web/web.h) on this
 * data dir's store, until SIGTERM or SIGINT.
 *
 * The signals are blocked before the server's threads start (so they
 * inherit the mask) and taken here with sigwait: a stop is handled in this
 * thread, never inside a request. web_stop lets the running requests end
 * (each write is one transaction, so none is lost half done), then main()
 * closes the store.
 *
 * With a remote (remote.url), the data dir syncs by itself while serving
 * (web/sync.h): the sync loop in its own thread, under the pages' store
 * lock. It is made before the server (its status hooks go into the
 * config), started after it, and stopped and joined before web_stop, since
 * it takes the server's lock.
 */
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sodium.h>

#include "agent.h"
#include "plsync/calendar.h"
#include "../web/sync.h"

extern const cmd_entry cmd_serve_entry;
extern char **environ;

/*
 * The self-signed certificate for listening beyond loopback with no
 * --tls-cert: made on first use with Debian's openssl command into the data
 * dir (serve-tls.crt, serve-tls.key, both 0600), kept for the next starts,
 * its SHA-256 fingerprint printed for staff to compare with what the
 * browser shows.
 */
static int openssl_req(const char *cert, const char *key, const char *cn)
{
	char subj[300], san[320];
	char *argv[] = { "openssl", "req", "-x509", "-newkey", "rsa:3072", "-nodes", "-sha256", "-days", "825",
	                 "-keyout", (char *)key, "-out", (char *)cert, "-subj", subj, "-addext", san, NULL };
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int st = 0, rc;

	snprintf(subj, sizeof(subj), "/CN=%s", cn);
	snprintf(san, sizeof(san), "subjectAltName=%s:%s", strspn(cn, "0123456789.") == strlen(cn) ? "IP" : "DNS", cn);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	rc = posix_spawnp(&pid, "openssl", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc)
		return cli_error(EXIT_FAIL, "cannot run openssl to make a certificate (%s): install the openssl "
		                 "package, or give --tls-cert FILE --tls-key FILE", strerror(rc));
	while (waitpid(pid, &st, 0) < 0)
		;
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		return cli_error(EXIT_FAIL, "openssl could not make the certificate %s; give --tls-cert FILE --tls-key "
		                 "FILE", cert);
	chmod(cert, 0600);
	chmod(key, 0600);
	return 0;
}

/* The SHA-256 of the certificate's DER (the PEM's first block), "AB:CD:..." into fp (96 bytes). */
static int fingerprint(char *fp, size_t sz, const char *cert)
{
	FILE *f = fopen(cert, "r");
	char line[256], b64[16384] = "";
	unsigned char der[12288], h[crypto_hash_sha256_BYTES];
	size_t n = 0, len = 0, off = 0;
	int in = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "-----BEGIN CERTIFICATE", 22))
			in = 1;
		else if (!strncmp(line, "-----END", 8) && in)
			break;
		else if (in && n + strlen(line) < sizeof(b64))
			n += (size_t)snprintf(b64 + n, sizeof(b64) - n, "%s", line);
	}
	fclose(f);
	if (!n || sodium_base642bin(der, sizeof(der), b64, n, "\r\n", &len, NULL, sodium_base64_VARIANT_ORIGINAL))
		return -1;
	crypto_hash_sha256(h, der, len);
	for (size_t i = 0; i < sizeof(h) && off + 3 < sz; i++)
		off += (size_t)snprintf(fp + off, sz - off, "%s%02X", i ? ":" : "", h[i]);
	return 0;
}

static int self_signed(char *cert, char *key, size_t sz, const char *dir, const char *listen)
{
	char cn[256], fp[100];
	const char *colon = strrchr(listen, ':');
	size_t n = colon ? (size_t)(colon - listen) : strlen(listen);
	int rc;

	snprintf(cert, sz, "%s/serve-tls.crt", dir);
	snprintf(key, sz, "%s/serve-tls.key", dir);
	snprintf(cn, sizeof(cn), "%.*s", (int)n, listen);
	if (!strcmp(cn, "0.0.0.0") || !strcmp(cn, "[::]") || cn[0] == '[')
		if (gethostname(cn, sizeof(cn) - 1))
			strcpy(cn, "plsync");
	if ((access(cert, R_OK) || access(key, R_OK)) && (rc = openssl_req(cert, key, cn)))
		return rc;
	if (fingerprint(fp, sizeof(fp), cert))
		return cli_error(EXIT_FAIL, "%s is not a PEM certificate: remove it and %s, and start again", cert, key);
	printf("plsync serve: self-signed certificate %s\n"
	       "plsync serve: its SHA-256 fingerprint (check that the browser shows the same): %s\n", cert, fp);
	return 0;
}

static int cmd_serve(cli *c, int argc, char **argv)
{
	const cmd_entry *e = &cmd_serve_entry;
	web_config cfg = { 0 };
	const char *timeout = NULL, *today = NULL, *upload = NULL;
	opt_spec specs[] = {
		{ "listen", 1, &cfg.listen, NULL }, { "tls-cert", 1, &cfg.tls_cert, NULL },
		{ "tls-key", 1, &cfg.tls_key, NULL }, { "host", 1, &cfg.hosts, NULL },
		{ "timeout", 1, &timeout, NULL }, { "today", 1, &today, NULL },
		{ "upload-max", 1, &upload, NULL }, { NULL, 0, NULL, NULL }
	};
	char **pos = NULL, *name = NULL, *remote = NULL, day[11], cert[4096], key[4096];
	web_server *srv = NULL;
	web_sync *ws = NULL;
	sigset_t set;
	int npos, sig = 0, rc;

	if ((rc = opts_parse(e, argc, argv, specs, &pos, &npos)))
		return rc;
	free(pos);
	if (npos)
		return cli_usage(e, "serve takes no argument");
	if (timeout && (atoi(timeout) < 1 || atoi(timeout) > 3600))
		return cli_usage(e, "--timeout %s: seconds, 1 to 3600", timeout);
	if (upload && (atoi(upload) < 1 || atoi(upload) > 1024 * 1024))
		return cli_usage(e, "--upload-max %s: KiB, 1 to 1048576", upload);
	cfg.upload_max = upload ? (size_t)atoi(upload) << 10 : 0;
	if (!cfg.tls_cert != !cfg.tls_key)
		return cli_usage(e, "give both --tls-cert and --tls-key");
	if ((today || getenv("PLSYNC_TODAY")) && pl_date_today(day, today))
		return cli_fail(c);
	cfg.today = today || getenv("PLSYNC_TODAY") ? day : NULL;
	cfg.timeout = timeout ? (unsigned)atoi(timeout) : 0;
	cfg.dir = c->dir;
	config_get(&name, c->dir, "core.name");
	cfg.school = name;
	if (config_get(&remote, c->dir, "remote.url") ||
	    (remote && web_sync_new(&ws, c->dir, c->store, &cfg) && pl_error_last()->code != PL_EEXISTS)) {
		rc = cli_fail(c);
		free(remote);
		free(name);
		return rc;
	}
	if (remote && !ws) /* a sync --watch runs already: it syncs, serve only serves */
		fprintf(stderr, "plsync serve: not syncing by itself: %s\n", pl_error_last()->message);
	free(remote);

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	rc = web_start(&srv, c->store, &cfg);
	if (rc == PL_EUSAGE && !cfg.tls_cert && strstr(pl_error_last()->message, "loopback")) {
		/* beyond loopback with no certificate: a self-signed one of the data dir's */
		if ((rc = self_signed(cert, key, sizeof(cert), c->dir, cfg.listen))) {
			web_sync_free(ws);
			free(name);
			return rc;
		}
		cfg.tls_cert = cert;
		cfg.tls_key = key;
		rc = web_start(&srv, c->store, &cfg);
	}
	if (rc) {
		const pl_error *err = pl_error_last();
		rc = err->code == PL_EUSAGE && strstr(err->message, "loopback") ?
		     cli_error(EXIT_USAGE, "%s: give --tls-cert FILE --tls-key FILE, or listen on 127.0.0.1",
		               err->message) : cli_fail(c);
		web_sync_free(ws);
		free(name);
		return rc;
	}
	if (ws && web_sync_start(ws, srv)) {
		rc = cli_fail(c);
		web_sync_free(ws);
		web_stop(srv);
		free(name);
		return rc;
	}
	printf("plsync serve: %s (stop with Ctrl-C or SIGTERM)\n", web_url(srv));
	if (ws)
		printf("plsync serve: syncing by itself every sync.interval; \"Sync now\" on every page\n");
	fflush(stdout);
	while (sigwait(&set, &sig) != 0)
		;
	web_sync_free(ws); /* a running sync is abandoned at its next callback */
	web_stop(srv);
	printf("plsync serve: stopped (signal %d)\n", sig);
	free(name);
	return EXIT_OK;
}

const cmd_entry cmd_serve_entry = {
	.name = "serve",
	.synopsis = "serve [--listen ADDR:PORT] [--tls-cert FILE --tls-key FILE] [--host NAME[,NAME]] "
	            "[--timeout SECS] [--upload-max KIB]",
	.summary = "run the school's web app on this computer",
	.help =
	"Serves the web app: people log in as themselves (accounts: plsync user) to\n"
	"request PD, approve it, complete and evaluate it, and see the roster and\n"
	"transcripts. It works with no network: the store is this computer's.\n"
	"Prints the URL, then runs until Ctrl-C or SIGTERM, which let the running\n"
	"requests finish before it stops.\n"
	"\n"
	"With a remote (remote.url) it also syncs by itself, as sync --watch does:\n"
	"every sync.interval, retrying with backoff while the network is down, and\n"
	"at once on the \"Sync now\" button. Every page says how it stands (\"Offline\n"
	"since 10:42 - 14 changes saved on this computer ...\"). A sync --watch of the\n"
	"same data dir cannot run beside it (if one runs already, serve leaves the\n"
	"syncing to it); a plain sync waits its turn.\n"
	"\n"
	"  --listen ADDR:PORT  where to listen (default 127.0.0.1:8080; port 0 picks a\n"
	"                      free one). Any address but loopback needs TLS: without\n"
	"                      --tls-cert, a self-signed certificate is made in the data\n"
	"                      dir on first use (serve-tls.crt, .key) and its SHA-256\n"
	"                      fingerprint printed, for staff to check in the browser.\n"
	"  --tls-cert FILE     the server's certificate (PEM) ...\n"
	"  --tls-key FILE      ... and its private key (PEM)\n"
	"  --host NAME,...     more names browsers may use for this server (the Host\n"
	"                      header): the PC's name on the school's network\n"
	"  --timeout SECS      how long a request may take to arrive, and an idle\n"
	"                      connection may stay (default 30)\n"
	"  --upload-max KIB    the largest spreadsheet the import page takes (default\n"
	"                      2048 KiB; a larger one is refused, 413)\n"
	"  --today DATE        fix today's date (tests; also $PLSYNC_TODAY)\n"
	"\n"
	"Examples:\n"
	"  plsync serve\n"
	"  plsync serve --listen 10.0.4.12:8443 --tls-cert office.pem --tls-key office.key \\\n"
	"      --host office-pc.lincoln.lan\n",
	.needs_store = 1,
	.exec = cmd_serve,
};
