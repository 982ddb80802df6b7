/*
 * cmd-serve.c — `plsync serve`: the school's web app (web/web.h) on this
 * data dir's store, until SIGTERM or SIGINT.
 *
 * The signals are blocked before the server's threads start (so they
 * inherit the mask) and taken here with sigwait: a stop is handled in this
 * thread, never inside a request. web_stop lets the running requests end
 * (each write is one transaction, so none is lost half done), then main()
 * closes the store.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "plsync/calendar.h"
#include "../web/web.h"

extern const cmd_entry cmd_serve_entry;

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
	char **pos = NULL, *name = NULL, day[11];
	web_server *srv = NULL;
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

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (web_start(&srv, c->store, &cfg)) {
		const pl_error *err = pl_error_last();
		rc = err->code == PL_EUSAGE && strstr(err->message, "loopback") ?
		     cli_error(EXIT_USAGE, "%s: give --tls-cert FILE --tls-key FILE, or listen on 127.0.0.1",
		               err->message) : cli_fail(c);
		free(name);
		return rc;
	}
	/*
	 * The background sync (issue 13 item 4) starts here: its own thread,
	 * taking web_store_lock(srv) for each of its store steps, and giving
	 * the pages its state through cfg.status (set before web_start); it is
	 * stopped after web_stop below and before the store is closed.
	 */
	printf("plsync serve: %s (stop with Ctrl-C or SIGTERM)\n", web_url(srv));
	fflush(stdout);
	while (sigwait(&set, &sig) != 0)
		;
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
	"  --listen ADDR:PORT  where to listen (default 127.0.0.1:8080; port 0 picks a\n"
	"                      free one). Any address but loopback needs TLS.\n"
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
