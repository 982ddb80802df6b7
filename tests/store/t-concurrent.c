/*
 * Two processes write to one data dir at once, each through its own
 * pl_store_open handle. LMDB serialises their write transactions, and each
 * write reads the node's last seq inside its transaction, so the node's
 * chain stays gapless: 1000 records, seq 1..1000, every prev right.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "plsync/plsync.h"
#include "../tap.h"
#include "../testlib.h"

#define PER_CHILD 500
#define NCHILD    2

/* A child: wait for the start signal, then add PER_CHILD records one write each. */
static int child(const char *dir, int who, int go_fd, size_t map_size)
{
	pl_store_options o = PL_STORE_OPTIONS_INIT;
	pl_store *st = NULL;
	char c, actor[64];
	int failed = 0;

	o.no_sync = 1;
	o.map_size = map_size;
	if (pl_store_open(&st, dir, &o))
		return 2;
	if (read(go_fd, &c, 1) < 0)   /* EOF when the parent closes: go */
		return 3;
	snprintf(actor, sizeof(actor), "Writer %d <w%d@example.org>", who, who);
	for (int i = 0; i < PER_CHILD; i++) {
		char name[64];
		snprintf(name, sizeof(name), "P%d-%03d", who, i);
		json_t *f = json_pack("{ss ss}", "name", name, "category", "certified");
		pl_change ch = { PL_CHANGE_CREATE, "staff", NULL, f, NULL };
		if (pl_store_change(st, actor, &ch, NULL)) {
			fprintf(stderr, "# child %d, record %d: %s\n", who, i, pl_error_last()->message);
			failed++;
		}
		json_decref(f);
	}
	pl_store_free(st);
	return failed ? 1 : 0;
}

struct chain_check {
	uint64_t next;
	pl_oid prev;
	int gapless, chained, count;
	int by[NCHILD];          /* ops made by each writer */
	int switches;            /* how often consecutive ops came from different writers */
	int last_writer;
};

static int chain_cb(const pl_op *op, const pl_oid *opid, void *payload)
{
	struct chain_check *cc = payload;
	int who = -1;

	cc->count++;
	if (op->seq != cc->next)
		cc->gapless = 0;
	if (op->seq == 1 ? op->has_prev : (!op->has_prev || memcmp(op->prev.id, cc->prev.id, PL_OID_RAWSZ)))
		cc->chained = 0;
	cc->next = op->seq + 1;
	cc->prev = *opid;
	if (sscanf(op->actor, "Writer %d", &who) == 1 && who >= 0 && who < NCHILD) {
		cc->by[who]++;
		if (cc->last_writer >= 0 && who != cc->last_writer)
			cc->switches++;
		cc->last_writer = who;
	}
	return 0;
}

struct names {
	int seen[NCHILD][PER_CHILD];
	int dup, bad;
};

static int names_cb(const pl_record *r, void *payload)
{
	struct names *n = payload;
	int who, i;
	const char *name = json_string_value(json_object_get(r->fields, "name"));

	if (!name || sscanf(name, "P%d-%d", &who, &i) != 2 || who < 0 || who >= NCHILD || i < 0 || i >= PER_CHILD) {
		n->bad++;
		return 0;
	}
	if (n->seen[who][i]++)
		n->dup++;
	return 0;
}

/* Both writers at once on a fresh store whose map starts at map_size (0: default). */
static void round_with(const char *base, const char *what, size_t map_size)
{
	char dir[600];
	pl_store_options o = PL_STORE_OPTIONS_INIT;
	pl_store *st = NULL;
	pid_t pids[NCHILD];
	int go[2];

	snprintf(dir, sizeof(dir), "%s/%s", base, map_size ? "tiny" : "default");
	o.no_sync = 1;
	o.map_size = map_size;
	if (pl_store_create(dir, "TWIN1", &o))
		bail("create: %s", pl_error_last()->message);
	if (pipe(go))
		bail("pipe");
	fflush(stdout);
	fflush(stderr);
	for (int i = 0; i < NCHILD; i++) {
		if ((pids[i] = fork()) < 0)
			bail("fork");
		if (pids[i] == 0) {
			int rc;
			close(go[1]);
			rc = child(dir, i, go[0], map_size);
			pl_shutdown();
			exit(rc);
		}
	}
	close(go[0]);
	usleep(50000);     /* let both open their handles */
	close(go[1]);      /* go */
	for (int i = 0; i < NCHILD; i++) {
		int status = 0;
		waitpid(pids[i], &status, 0);
		if (!ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s: writer %d added its %d records", what, i,
		        PER_CHILD))
			diag("status %d", status);
	}

	if (pl_store_open(&st, dir, &o))
		bail("open: %s", pl_error_last()->message);
	{
		pl_store_stats s;
		pl_store_stats_get(&s, st);
		is_int((long long)s.records, NCHILD * PER_CHILD, "%s: the store holds %d records", what, NCHILD * PER_CHILD);
		is_int((long long)s.seq, NCHILD * PER_CHILD, "%s: the node's last seq is %d", what, NCHILD * PER_CHILD);
		if (map_size)
			ok(s.map_size > map_size, "%s: the map grew (%zu bytes)", what, s.map_size);
	}
	{
		struct chain_check cc = { 1, { { 0 } }, 1, 1, 0, { 0 }, 0, -1 };
		int rc = pl_store_log(st, NULL, chain_cb, &cc);
		ok(rc == 0 && cc.count == NCHILD * PER_CHILD && cc.gapless,
		   "%s: the log holds seq 1..%d with no gap", what, NCHILD * PER_CHILD);
		ok(cc.chained, "%s: each op's prev is the id of the op before, whichever process wrote it", what);
		ok(cc.by[0] == PER_CHILD && cc.by[1] == PER_CHILD, "%s: each writer made %d of the ops", what, PER_CHILD);
		ok(cc.switches > 0, "%s: the two writers really interleaved (%d turns)", what, cc.switches);
	}
	{
		struct names *n = calloc(1, sizeof(*n));
		int missing = 0;
		pl_store_foreach(st, "staff", NULL, NULL, names_cb, n);
		for (int w = 0; w < NCHILD; w++)
			for (int i = 0; i < PER_CHILD; i++)
				missing += !n->seen[w][i];
		ok(missing == 0 && n->dup == 0 && n->bad == 0, "%s: every record of both writers is there once (%d missing)",
		   what, missing);
		free(n);
	}
	{
		uint64_t nops = 0, nrec = 0;
		int rc = pl_store_verify(st, &nops, &nrec);
		if (!ok(rc == 0 && nops == NCHILD * PER_CHILD && nrec == nops, "%s: pl_store_verify passes", what))
			diag("%s", pl_error_last()->message);
	}
	pl_store_free(st);
}

int main(void)
{
	char base[] = "/tmp/plsync-t-concurrent-XXXXXX";

	pl_init();
	tl_tmpdir(base);
	round_with(base, "default map", 0);
	round_with(base, "64 KiB map growing under both", 64 * 1024);
	tl_rm_rf(base);
	pl_shutdown();
	return done_testing();
}
