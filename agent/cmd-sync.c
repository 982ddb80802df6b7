/*
 * cmd-sync.c — `plsync sync`: commit unpushed ops, push, fetch, apply; with
 * --watch, the same again and again by itself (sync-loop.c) until SIGTERM
 * or SIGINT. Every sync's outcome goes to <dir>/sync-state for `plsync
 * status` and monitors (sync-state.c).
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <git2.h>

#include "agent.h"
#include "plsync/key.h"
#include "sync-loop.h"

/* A whole number of seconds or bytes (0 to 86400 * 1024), into *out; -1 if it is not one. */
static int limit_number(int *out, const char *p, char **end)
{
	long v;

	errno = 0;
	v = strtol(p, end, 10);
	if (errno || *end == p || v < 0 || v > 86400L * 1024)
		return -1;
	*out = (int)v;
	return 0;
}

/*
 * sync.timeout = SECONDS and sync.lowspeed = BYTES/SECONDS into opts (0 in
 * the config turns the limit off, which opts spells as -1; unset = the
 * library's defaults).
 */
static int sync_limits(pl_sync_options *o, const char *dir)
{
	char *t = NULL, *l = NULL, *end;
	int rc;

	if ((rc = config_get(&t, dir, "sync.timeout")) || (rc = config_get(&l, dir, "sync.lowspeed")))
		goto out;
	if (t && (limit_number(&o->timeout, t, &end) || *end)) {
		rc = pl_error_set(PL_EUSAGE, "sync.timeout is '%s': give seconds (30), or 0 for no limit", t);
		goto out;
	}
	if (t && !o->timeout)
		o->timeout = -1;
	if (l && (limit_number(&o->lowspeed_bytes, l, &end) ||
	          (o->lowspeed_bytes && (*end != '/' || limit_number(&o->lowspeed_time, end + 1, &end) ||
	                                 !o->lowspeed_time)) || *end)) {
		rc = pl_error_set(PL_EUSAGE, "sync.lowspeed is '%s': give BYTES/SECONDS (1024/60: fail when fewer "
		                  "than 1024 bytes pass in 60 s), or 0 for no limit", l);
		goto out;
	}
	if (l && !o->lowspeed_bytes)
		o->lowspeed_bytes = -1;
out:
	free(t);
	free(l);
	return rc;
}

int sync_cfg_load(sync_cfg *s, const char *dir, const char *url_override)
{
	int rc;

	memset(s, 0, sizeof(*s));
	s->opts = (pl_sync_options)PL_SYNC_OPTIONS_INIT;
	if ((rc = config_get(&s->url, dir, "remote.url")) || (rc = config_get(&s->name, dir, "user.name")) ||
	    (rc = config_get(&s->email, dir, "user.email")) || (rc = config_get(&s->sshkey, dir, "sync.sshkey")) ||
	    (rc = config_get(&s->knownhosts, dir, "sync.knownhosts")) ||
	    (rc = config_get(&s->user, dir, "sync.username")) ||
	    (rc = config_get(&s->password, dir, "sync.password")) ||
	    (rc = config_get(&s->cafile, dir, "sync.cafile")) ||
	    (rc = config_get(&s->districtkey, dir, "sync.districtkey")) ||
	    (rc = config_get_all(&s->follow, dir, "sync.follow")) || (rc = sync_limits(&s->opts, dir)))
		return rc;
	if (url_override) {
		free(s->url);
		s->url = strdup(url_override);
	}
	s->opts.url = s->url;
	s->opts.user_name = s->name;
	s->opts.user_email = s->email;
	s->opts.ssh_key = s->sshkey;
	s->opts.ssh_known_hosts = s->knownhosts;
	s->opts.district_key = s->districtkey;
	s->opts.http_user = s->user;
	s->opts.http_password = s->password ? s->password : getenv("PLSYNC_PASSWORD");
	/* DISTRICT always, plus sync.follow */
	s->follow_v = calloc(json_array_size(s->follow) + 2, sizeof(char *));
	if (!s->follow_v)
		return pl_error_set(PL_ERROR, "out of memory");
	s->follow_v[s->opts.nfollow++] = PL_NODE_DISTRICT;
	for (size_t i = 0; i < json_array_size(s->follow); i++)
		s->follow_v[s->opts.nfollow++] = json_string_value(json_array_get(s->follow, i));
	s->opts.follow = s->follow_v;
	if (s->cafile) {
		/* process-wide in libgit2: set by the program, never by the library */
		if (git_libgit2_opts(GIT_OPT_SET_SSL_CERT_LOCATIONS, s->cafile, NULL) < 0)
			return pl_error_from_git(-1, "sync.cafile");
	}
	return 0;
}

void sync_cfg_free(sync_cfg *s)
{
	free(s->url);
	free(s->name);
	free(s->email);
	free(s->sshkey);
	free(s->knownhosts);
	free(s->user);
	free(s->password);
	free(s->cafile);
	free(s->districtkey);
	json_decref(s->follow);
	free(s->follow_v);
}

static int progress(const pl_progress *p, void *payload)
{
	(void)payload;
	if (p->total)
		fprintf(stderr, "\r%s: %zu/%zu objects, %.1f KiB  ", p->stage, p->current, p->total, p->bytes / 1024.0);
	else
		fprintf(stderr, "\r%s: %zu objects, %.1f KiB  ", p->stage, p->current, p->bytes / 1024.0);
	if (p->total && p->current == p->total)
		fputc('\n', stderr);
	return 0;
}

/* The records that got an open conflict in this sync (pl_store_conflicted). */
static void tell_conflicts(const json_t *fresh)
{
	size_t n = json_array_size(fresh);

	if (n)
		printf("%zu record%s now ha%s an open conflict (concurrent changes to one field); "
		       "'plsync conflicts' lists them\n", n, n == 1 ? "" : "s", n == 1 ? "s" : "ve");
}

/* "12 s", "15 min", "1 h": a duration as the log says it. */
static void say_secs(char *buf, size_t sz, double secs)
{
	if (secs < 120)
		snprintf(buf, sz, "%.1f s", secs);
	else if (secs < 7200)
		snprintf(buf, sz, "%.0f min", secs / 60);
	else
		snprintf(buf, sz, "%.1f h", secs / 3600);
}

/* The watch's log, one line a sync: results on stdout, failures on stderr (the journal under systemd). */
static void watch_told(const sync_loop_state *s, void *payload)
{
	int quiet = *(int *)payload;
	char next[32], d[32], cap[32];

	sync_state_time(next, sizeof(next), s->next_try);
	if (s->phase == SYNC_LOOP_SYNCING) {
		if (!quiet && s->syncs == 0) {
			char iv[32], b[32], bm[32];
			say_secs(iv, sizeof(iv), s->interval);
			say_secs(b, sizeof(b), s->backoff);
			say_secs(bm, sizeof(bm), s->backoff_max);
			printf("plsync: syncing every %s; after a failure retrying within %s, doubling up to %s; "
			       "SIGTERM or Ctrl-C stops\n", iv, b, bm);
		}
	} else if (s->phase == SYNC_LOOP_STOPPED) {
		if (!quiet)
			printf("plsync: stopped after %u sync%s\n", s->syncs, s->syncs == 1 ? "" : "s");
	} else if (s->rc == PL_EEXISTS) {
		fprintf(stderr, "plsync: another sync was running on this data dir; next try at %s\n", next);
	} else if (s->rc) {
		say_secs(d, sizeof(d), s->delay);
		say_secs(cap, sizeof(cap), s->ceiling);
		fprintf(stderr, "plsync: sync failed (%u in a row; %s): %s; next try in %s (backoff up to %s), at %s\n",
		        s->failures, s->reason, s->error, d, cap, next);
	} else if (!quiet) {
		printf("plsync: synced (%s): ", s->reason);
		if (s->res.committed_to)
			printf("committed ops %" PRIu64 "..%" PRIu64 ", ", s->res.committed_from, s->res.committed_to);
		printf("pushed seq %" PRIu64 ", %zu new op%s applied; next sync at %s\n", s->res.pushed_seq,
		       s->res.applied, s->res.applied == 1 ? "" : "s", next);
	}
	fflush(stdout);
	fflush(stderr);
}

/*
 * --watch: the loop runs in this thread; another takes the signals (blocked
 * everywhere else before it starts, so they come only to it): TERM and INT
 * stop the loop, HUP and USR1 make it sync now.
 */
struct watch_signals {
	sync_loop *loop;
	sigset_t   set;
};

static void *watch_signals_main(void *arg)
{
	struct watch_signals *w = arg;
	int sig = 0;

	while (sigwait(&w->set, &sig) == 0 && (sig == SIGHUP || sig == SIGUSR1))
		sync_loop_wake(w->loop);
	sync_loop_stop(w->loop);
	return NULL;
}

static int sync_watch(cli *c, const char *remote, int quiet)
{
	sync_loop_options o = SYNC_LOOP_OPTIONS_INIT;
	struct watch_signals w = { NULL };
	pthread_t sigthread;
	int e;

	o.dir = c->dir;
	o.store = c->store;
	o.remote = remote;
	o.cb = watch_told;
	o.payload = &quiet;
	sigemptyset(&w.set);
	sigaddset(&w.set, SIGTERM);
	sigaddset(&w.set, SIGINT);
	sigaddset(&w.set, SIGHUP);
	sigaddset(&w.set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &w.set, NULL);
	if (sync_loop_new(&w.loop, &o))
		return cli_fail(c);
	if ((e = pthread_create(&sigthread, NULL, watch_signals_main, &w))) {
		sync_loop_free(w.loop);
		return cli_error(EXIT_FAIL, "cannot start the signal thread: %s", strerror(e));
	}
	sync_loop_run(w.loop); /* until a signal stops it */
	pthread_kill(sigthread, SIGTERM); /* it has ended, or ends on this */
	pthread_join(sigthread, NULL);
	sync_loop_free(w.loop);
	return EXIT_OK;
}

static int cmd_sync(cli *c, int argc, char **argv)
{
	const char *remote = NULL;
	int quiet = 0, watch = 0, as_json = 0, npos, rc;
	opt_spec specs[] = { { "remote", 1, &remote, NULL }, { "quiet", 0, NULL, &quiet },
	                     { "watch", 0, NULL, &watch }, { "json", 0, NULL, &as_json }, { NULL, 0, NULL, NULL } };
	char errtext[PL_ERROR_MSG_MAX + PL_HINT_ARG_MAX + 256] = "";
	pl_sync_result res = { 0 };
	pl_mirror *m = NULL;
	json_t *had = NULL, *fresh = NULL;
	sync_cfg sc;
	char **pos;

	if ((rc = opts_parse(&cmd_sync_entry, argc, argv, specs, &pos, &npos)))
		return rc;
	free(pos);
	if (npos)
		return cli_usage(&cmd_sync_entry, "no arguments expected");
	/* a link cut mid-transfer must be an error to report, not a silent death */
	signal(SIGPIPE, SIG_IGN);
	if (watch && as_json)
		return cli_usage(&cmd_sync_entry, "--json is for one sync, not --watch");
	if (watch)
		return sync_watch(c, remote, quiet);
	if (as_json)
		quiet = 1; /* stdout gets the one JSON object */
	if (sync_cfg_load(&sc, c->dir, remote)) {
		rc = cli_fail(c);
		goto done;
	}
	if (!quiet && isatty(2))
		sc.opts.progress = progress;
	if (pl_mirror_open(&m, c->dir)) {
		rc = cli_fail(c);
		goto done;
	}
	{
		/* a data dir made before signing gets its key now (the commit would make it anyway) */
		pl_key k;
		int made = 0;
		if (pl_key_ensure(&k, &made, c->dir, pl_store_node(c->store))) {
			rc = cli_fail(c);
			goto done;
		}
		if (made)
			fprintf(stderr, "plsync: this data dir had no signing key: made %s/%s; give the district "
			        "office its line (plsync key --public) to enrol\n", c->dir, PL_KEY_FILE);
		pl_key_clear(&k);
	}
	/* the records with an open conflict before: the ones after that are not
	 * among them are the conflicts this sync brought */
	if (pl_store_conflicted(&had, c->store, NULL)) {
		rc = cli_fail(c);
		goto done;
	}
	rc = pl_sync_run(&res, m, c->store, &sc.opts);
	if (!rc && res.applied && pl_store_conflicted(&fresh, c->store, had)) {
		rc = cli_fail(c);
		goto done;
	}
	if (!quiet) {
		if (res.committed_to)
			printf("committed ops %" PRIu64 "..%" PRIu64 " to nodes/%s\n", res.committed_from,
			       res.committed_to, pl_store_node(c->store));
		if (res.tip[0]) {
			char shown[4096]; /* never the password a URL may hold */
			pl_text_redact(shown, sizeof(shown), sc.opts.url);
			printf("pushed nodes/%s to %s (seq %" PRIu64 ", commit %.12s)\n", pl_store_node(c->store),
			       shown, res.pushed_seq, res.tip);
		}
		if (!rc)
			printf("fetched: %zu new op%s applied%s\n", res.applied, res.applied == 1 ? "" : "s",
			       res.skipped ? " (some already present)" : "");
		tell_conflicts(fresh);
	}
	if (!rc && res.ahead) /* accepted (the clock keeps order) but never silent */
		fprintf(stderr, "plsync: warning: %zu applied op%s carry a clock more than a day ahead of this "
		        "machine's; check the date here and on the node that made them\n", res.ahead,
		        res.ahead == 1 ? "" : "s");
	if (!rc && res.dangling) /* normal for nodes not followed here, but never silent */
		fprintf(stderr, "plsync: warning: %zu applied op%s name%s in their base ops this data dir does not "
		        "hold (of nodes it does not follow, or ops that never existed); the district merge reports "
		        "any no node has\n", res.dangling, res.dangling == 1 ? "" : "s", res.dangling == 1 ? "s" : "");
	if (rc) {
		/* for status and monitors (a busy data dir is not this sync's failure) */
		char *text = errtext;
		int code = pl_error_last()->code;
		cli_error_text(text, sizeof(errtext));
		rc = cli_fail(c);
		if (code != PL_EEXISTS)
			sync_state_note(c->dir, code, text, time(NULL));
		/* ops applied before the failure may have brought conflicts: told
		 * all the same (after the error, which this must not overwrite) */
		if (res.applied && pl_store_conflicted(&fresh, c->store, had) == 0 && !quiet)
			tell_conflicts(fresh);
	} else {
		sync_state_note(c->dir, 0, NULL, time(NULL));
		rc = EXIT_OK;
	}
	if (as_json) {
		char shown[4096] = "";
		json_t *o;
		if (sc.opts.url)
			pl_text_redact(shown, sizeof(shown), sc.opts.url);
		o = json_pack("{ss ss sb sI sI sI ss sI sI sI sI}", "node", pl_store_node(c->store), "remote", shown,
		              "ok", !rc, "committed_from", (json_int_t)res.committed_from,
		              "committed_to", (json_int_t)res.committed_to, "pushed_seq", (json_int_t)res.pushed_seq,
		              "tip", res.tip, "applied", (json_int_t)res.applied, "skipped", (json_int_t)res.skipped,
		              "ahead", (json_int_t)res.ahead, "dangling", (json_int_t)res.dangling);
		json_object_set_new(o, "new_conflicts", json_integer((json_int_t)json_array_size(fresh)));
		json_object_set_new(o, "error", errtext[0] ? json_string(errtext) : json_null());
		if (pl_json_write(stdout, o) && !rc)
			rc = cli_fail(c);
		json_decref(o);
	}
done:
	json_decref(had);
	json_decref(fresh);
	pl_mirror_free(m);
	sync_cfg_free(&sc);
	return rc;
}

const cmd_entry cmd_sync_entry = {
	.name = "sync",
	.synopsis = "sync [--remote URL] [--quiet] [--json] [--watch]",
	.summary = "commit new ops, push them to the district repository, fetch and apply others'",
	.help =
	"Works with whatever link there is and loses nothing when it drops:\n"
	"  1. commits this node's new ops to refs/heads/nodes/<node> in the local mirror\n"
	"     (<dir>/git), offline;\n"
	"  2. pushes that ref to the remote, fast-forward only; the pushed seq is\n"
	"     recorded only after the remote confirms;\n"
	"  3. fetches nodes/DISTRICT (and every sync.follow node) and applies their new\n"
	"     ops, verifying chain and ids; an op already here is skipped.\n"
	"It then says how many records have an open conflict that had none before the\n"
	"sync (fetched changes concurrent with changes here: `plsync conflicts` lists\n"
	"them, `plsync resolve` settles one).\n"
	"Run it again after a failure: it finishes the work. Progress goes to stderr on\n"
	"a terminal; --quiet prints nothing but errors. --json prints one JSON object\n"
	"instead (node, remote, ok, committed_from, committed_to, pushed_seq, tip,\n"
	"applied, skipped, ahead, dangling, new_conflicts, error), also when the sync\n"
	"fails (the message still on stderr).\n"
	"\n"
	"--watch syncs by itself until SIGTERM or SIGINT (which end a wait at once,\n"
	"and abandon a running sync safely: exit 0): now, then every sync.interval;\n"
	"after a failure it retries with exponential backoff and full jitter (the n-th\n"
	"retry in a row waits a random time up to sync.backoff * 2^(n-1), at most\n"
	"sync.backoffmax), at once when a network link comes up, or on SIGHUP or\n"
	"SIGUSR1. It logs one line a sync (failures on stderr). One watch per data dir:\n"
	"a second one is refused (exit 1); a `plsync sync` meanwhile is fine (syncs\n"
	"never overlap: one waits for the other's next turn). `plsync status` shows\n"
	"the next try. Under systemd, the plsync-sync@.timer runs plain syncs instead.\n"
	"\n"
	"The remote is --remote URL or remote.url: a path or file:// URL to a bare\n"
	"repository, git://, http(s):// (git http-backend), or ssh://.\n"
	"\n"
	"Config keys (plsync config KEY VALUE):\n"
	"  remote.url        the district repository\n"
	"  sync.follow       more nodes to fetch besides DISTRICT (repeatable: edit\n"
	"                    <dir>/config or git config -f <dir>/config --add)\n"
	"  sync.username     http(s) basic-auth user (or in the URL)\n"
	"  sync.password     http(s) password (or the PLSYNC_PASSWORD environment variable)\n"
	"  sync.cafile       PEM file of the CA that signed the https server's certificate\n"
	"  sync.sshkey       private key file for ssh:// (default: ssh-agent)\n"
	"  sync.knownhosts   known_hosts file for ssh:// (default ~/.ssh/known_hosts):\n"
	"                    the server's host key must be in it, under \"[host]:port\"\n"
	"                    for a port other than 22 (ssh-keyscan -p PORT HOST prints it)\n"
	"  sync.districtkey  the district key's fingerprint (SHA256:...; plsync init\n"
	"                    --district-key): fetched nodes' commits must be signed by\n"
	"                    keys that key enrolled, or nothing of them is applied\n"
	"  sync.timeout      seconds the server may say nothing, to connect and answer\n"
	"                    (default 30; 0: no limit)\n"
	"  sync.lowspeed     BYTES/SECONDS: fail when, while data flows, fewer than BYTES\n"
	"                    pass in SECONDS (default 1024/60; 0: no limit)\n"
	"  sync.interval     --watch: time between syncs (default 15m; a duration:\n"
	"                    seconds, or a number with s, m, h or d: 30s, 15m, 1h)\n"
	"  sync.backoff      --watch: bound of the first retry (default 30s)\n"
	"  sync.backoffmax   --watch: cap of the retry bound (default 1h)\n"
	"\n"
	"Exit status 1 with advice: a dropped or refused connection, a silent server\n"
	"or a stalled transfer (retry later: the limit hit is named),\n"
	"refused credentials, an untrusted certificate or an unknown or changed ssh\n"
	"host key (fix the config), no repository at the URL, a rejected push (the\n"
	"message gives the remote's reason), another sync running on this data dir.\n"
	"\n"
	"Examples:\n"
	"  plsync config remote.url https://plsync.district.example/plsync.git\n"
	"  plsync sync\n"
	"  plsync sync --remote /srv/git/plsync.git\n"
	"  plsync sync --watch\n",
	.needs_store = 1,
	.exec = cmd_sync,
};
