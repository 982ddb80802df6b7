/*
 * A mirror commit whose ref move fails (a full disk, a lock) has already
 * written its pack; tried again at once, it makes the very same commit (same
 * tree, parent, message and second), which libgit2 then finds on disk and
 * does not write again. The retry must still commit: it used to fail with
 * "reading a new object: unknown libgit2 error" until the clock moved on.
 * Each round: a new op, a commit refused by a lock on the ref, the lock
 * gone, the commit again, in the same second as often as not.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "plsync/plsync.h"
#include "plsync/sync.h"
#include "../tap.h"
#include "../testlib.h"

#define ROUNDS 5

int main(void)
{
	char dir[] = "/tmp/plsync-mretry-XXXXXX", lock[512], cmd[600];
	pl_sync_options so = PL_SYNC_OPTIONS_INIT;
	pl_store *st = NULL;
	pl_mirror *m = NULL;
	uint64_t from, to;
	int refused = 0, retried = 0;

	pl_init();
	so.user_name = "Ann Lee";
	so.user_email = "ann@lin.example";
	st = tl_fresh_store(dir, "LIN01");
	if (pl_mirror_open(&m, dir))
		bail("setup: %s", pl_error_last()->message);
	snprintf(lock, sizeof(lock), "%s/git/refs/heads/nodes", dir);
	mkdir(lock, 0755);
	snprintf(lock, sizeof(lock), "%s/git/refs/heads/nodes/LIN01.lock", dir);

	for (int i = 0; i < ROUNDS; i++) {
		char id[16], name[32];
		pl_change c = { PL_CHANGE_CREATE, "school", id, NULL, NULL, NULL };
		FILE *f;
		int rc;

		snprintf(id, sizeof(id), "S%d", i);
		snprintf(name, sizeof(name), "{\"code\":\"S%d\",\"name\":\"School %d\"}", i, i);
		c.fields = json_loads(name, 0, NULL);
		if (!c.fields || pl_store_change(st, "Ann Lee <ann@lin.example>", &c, NULL))
			bail("change: %s", pl_error_last()->message);
		json_decref(c.fields);
		if (!(f = fopen(lock, "w")))
			bail("lock");
		fclose(f);
		rc = pl_mirror_commit(&from, &to, m, st, &so);
		refused += rc != 0 && strstr(pl_error_last()->message, "moving the node ref") != NULL;
		unlink(lock);
		rc = pl_mirror_commit(&from, &to, m, st, &so);
		if (rc)
			diag("round %d: %s", i + 1, pl_error_last()->message);
		retried += rc == 0 && to == (uint64_t)i + 1;
	}
	is_int(refused, ROUNDS, "each commit with the ref locked fails moving the ref");
	is_int(retried, ROUNDS, "and each retry right after it commits the op");
	{
		uint64_t seq = 0;
		pl_mirror_last_seq(&seq, m, "refs/heads/nodes/LIN01", "LIN01");
		is_int((long long)seq, ROUNDS, "the mirror holds every op");
	}
	snprintf(cmd, sizeof(cmd), "git -C '%s/git' fsck --strict --no-progress --no-dangling >/dev/null 2>&1", dir);
	ok(system(cmd) == 0, "git fsck --strict passes on the mirror");

	pl_mirror_free(m);
	tl_store_done(st, dir);
	pl_shutdown();
	return done_testing();
}
