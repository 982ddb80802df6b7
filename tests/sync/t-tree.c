/*
 * The merge's tree builder (sync/tree.c) against libgit2's
 * git_tree_create_updated: random rounds of upserts and removals over
 * nested paths (files and directories side by side, names that sort
 * differently as trees, directories emptied), each applied to the last
 * round's tree by both; the ids must be equal every round, and git fsck
 * --strict must accept what plsync wrote.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <git2.h>
#include <git2/sys/mempack.h>

#include "plsync/plsync.h"
#include "../../sync/pack-int.h"
#include "../../sync/tree-int.h"
#include "../tap.h"
#include "../testlib.h"

static unsigned long rng_state = 12345;
static unsigned rnd(unsigned n)
{
	rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
	return (unsigned)((rng_state >> 33) % n);
}

/*
 * A path from a small alphabet, so that rounds hit the same ones: files
 * named so that they sort between directories in git's order ("a.b" and
 * "a-b" before the tree "a", "a0" after it), never a directory's name.
 */
static void random_path(char *buf, size_t sz)
{
	static const char *const dirs[] = { "a", "ab", "b", "state", "z" };
	static const char *const files[] = { "a.b", "a-b", "a0", "x.json", "b.json" };
	int depth = (int)rnd(4);
	size_t off = 0;

	for (int d = 0; d < depth; d++)
		off += (size_t)snprintf(buf + off, sz - off, "%s/", dirs[rnd(5)]);
	snprintf(buf + off, sz - off, "%s", files[rnd(5)]);
}

/* The files the tree has, for removals. */
static char known[512][128];
static int collect(const char *root, const git_tree_entry *e, void *payload)
{
	size_t *n = payload;
	if (git_tree_entry_type(e) == GIT_OBJECT_BLOB && *n < 512)
		snprintf(known[(*n)++], sizeof(known[0]), "%s%s", root, git_tree_entry_name(e));
	return 0;
}

int main(void)
{
	char dir[] = "/tmp/plsync-t-tree-XXXXXX", cmd[512];
	git_repository *repo = NULL;
	git_odb *odb = NULL;
	git_odb_backend *mempack = NULL;
	git_oid base_id, blobs[8];
	git_tree *base = NULL;
	int same = 1, rounds = 0, nonempty = 0, round_bad = -1;
	size_t nknown = 0;

	pl_init();
	tl_tmpdir(dir);
	if (git_repository_init(&repo, dir, 1) < 0)
		bail("git init");
	for (int i = 0; i < 8; i++) {
		char content[32];
		snprintf(content, sizeof(content), "blob %d\n", i);
		if (git_blob_create_from_buffer(&blobs[i], repo, content, strlen(content)) < 0)
			bail("blob");
	}
	if (pl_sync__add_mempack(&mempack, repo))
		bail("mempack");
	for (int r = 0; r < 200; r++) {
		git_tree_update ups[24];
		char paths[24][128];
		size_t n = 1 + rnd(24), nw = 0;
		git_oid mine, theirs, *written = NULL;
		int grc, rc;

		for (size_t i = 0; i < n; i++) {
			memset(&ups[i], 0, sizeof(ups[i]));
			ups[i].filemode = GIT_FILEMODE_BLOB;
			ups[i].id = blobs[rnd(8)];
			ups[i].action = GIT_TREE_UPDATE_UPSERT;
			random_path(paths[i], sizeof(paths[i]));
			if (nknown && rnd(3) == 0) {
				/* remove a file the tree has (once in the round) */
				size_t k = rnd((unsigned)nknown), j;
				for (j = 0; j < i && strcmp(paths[j], known[k]); j++)
					;
				if (j == i) {
					snprintf(paths[i], sizeof(paths[i]), "%s", known[k]);
					ups[i].action = GIT_TREE_UPDATE_REMOVE;
				}
			}
			ups[i].path = paths[i];
		}
		/* libgit2 refuses some of these (a file where a directory is, a
		 * removal of what is not there): keep the sets it takes */
		grc = git_tree_create_updated(&theirs, repo, base, n, ups);
		if (grc < 0)
			continue;
		rc = pl_sync__tree_update(&mine, &written, &nw, repo, mempack, base, ups, n);
		if (rc == 0 && (rc = pl_sync__write_pack(repo, mempack, written, nw)) == 0)
			git_mempack_reset(mempack);
		free(written);
		rounds++;
		if (rc || !git_oid_equal(&mine, &theirs)) {
			same = 0;
			round_bad = r;
			break;
		}
		git_tree_free(base);
		base = NULL;
		if (git_tree_lookup(&base, repo, &mine) < 0)
			bail("tree lookup");
		base_id = mine;
		nonempty += git_tree_entrycount(base) > 0;
		nknown = 0;
		git_tree_walk(base, GIT_TREEWALK_PRE, collect, &nknown);
	}
	/* a big flat directory (conflicts/ is one): 3000 files, then a round
	 * changing 500 and removing 100 of them */
	{
		static git_tree_update big[3000];
		static char names[3000][40];
		git_oid t1, t2, m2, *written = NULL;
		git_tree *bt = NULL;
		size_t nw = 0, n = 0;
		int rc;

		for (int i = 0; i < 3000; i++) {
			snprintf(names[i], sizeof(names[i]), "conflicts/R%05d.json", (i * 7919) % 3000);
			memset(&big[i], 0, sizeof(big[i]));
			big[i].action = GIT_TREE_UPDATE_UPSERT;
			big[i].filemode = GIT_FILEMODE_BLOB;
			big[i].id = blobs[i % 8];
			big[i].path = names[i];
		}
		rc = pl_sync__tree_update(&t1, &written, &nw, repo, mempack, NULL, big, 3000);
		if (rc == 0)
			rc = pl_sync__write_pack(repo, mempack, written, nw);
		free(written);
		git_mempack_reset(mempack);
		if (rc || git_tree_lookup(&bt, repo, &t1) < 0)
			bail("big tree");
		for (int i = 0; i < 600; i++) {
			big[n] = big[i * 5];
			big[n].action = i < 100 ? GIT_TREE_UPDATE_REMOVE : GIT_TREE_UPDATE_UPSERT;
			big[n].id = blobs[(i + 3) % 8];
			n++;
		}
		if (git_tree_create_updated(&t2, repo, bt, n, big) < 0)
			bail("libgit2 big update");
		rc = pl_sync__tree_update(&m2, &written, &nw, repo, mempack, bt, big, n);
		if (rc == 0)
			rc = pl_sync__write_pack(repo, mempack, written, nw);
		free(written);
		git_mempack_reset(mempack);
		ok(rc == 0 && git_oid_equal(&m2, &t2), "a flat directory of 3000 files, 500 changed and 100 removed: the same tree");
		git_tree_free(bt);
	}
	ok(rounds >= 100, "at least 100 rounds were comparable (%d)", rounds);
	ok(nonempty >= 50, "most of them left a tree with entries (%d)", nonempty);
	if (!ok(same, "plsync's tree equals libgit2's in every round"))
		diag("first differing round: %d", round_bad);
	if (base) {
		git_signature *sig = NULL;
		git_reference *ref = NULL;
		git_oid cid;
		git_signature_now(&sig, "T", "t@example");
		if (git_commit_create(&cid, repo, NULL, sig, sig, NULL, "t\n", base, 0, NULL) < 0 ||
		    pl_sync__write_pack(repo, mempack, &cid, 1) ||
		    git_reference_create(&ref, repo, "refs/heads/main", &cid, 1, "t") < 0)
			bail("commit");
		git_mempack_reset(mempack);
		git_reference_free(ref);
		git_signature_free(sig);
	}
	(void)base_id;
	snprintf(cmd, sizeof(cmd), "git -C %s fsck --strict --no-dangling >/dev/null 2>&1", dir);
	ok(system(cmd) == 0, "git fsck --strict accepts the trees and packs written");
	git_tree_free(base);
	git_odb_free(odb);
	git_repository_free(repo);
	tl_rm_rf(dir);
	return done_testing();
}
