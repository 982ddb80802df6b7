/*
 * layout.c — the names sync gives things in a repository: a node's ref
 * (refs/heads/nodes/<node>) and its op batch files
 * (ops/<node>/<a>/<b>/<first>-<last>.msgpack, seqs in 12 digits, <a>/<b>
 * the millions and thousands of the first seq, so no directory holds more
 * than a thousand entries), made and parsed in one place for the mirror, the
 * fetch, the merge and verify; and removing the directories sync makes.
 */
#include <errno.h>
#include <ftw.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "plsync/errors.h"
#include "plsync/sync.h"
#include "layout-int.h"

void pl_sync__node_ref(char *buf, size_t sz, const char *node)
{
	snprintf(buf, sz, "refs/heads/nodes/%s", node);
}

void pl_sync__blob_path(char *buf, size_t sz, const char *node, uint64_t first, uint64_t last)
{
	snprintf(buf, sz, "ops/%s/%03" PRIu64 "/%03" PRIu64 "/%012" PRIu64 "-%012" PRIu64 ".msgpack",
	         node, first / 1000000, (first / 1000) % 1000, first, last);
}

void pl_sync_blob_path(char *buf, size_t sz, const char *node, uint64_t first, uint64_t last)
{
	pl_sync__blob_path(buf, sz, node, first, last);
}

/* Exactly 12 decimal digits at s (strtoull would also take spaces and signs). */
static int parse_seq12(uint64_t *out, const char *s)
{
	uint64_t v = 0;

	for (int i = 0; i < 12; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return 0;
}

int pl_sync__parse_blob_name(uint64_t *first, uint64_t *last, const char *name)
{
	if (strlen(name) != 12 + 1 + 12 + 8 || strcmp(name + 25, ".msgpack") || name[12] != '-')
		return -1;
	if (parse_seq12(first, name) || parse_seq12(last, name + 13) || *last < *first || *first == 0)
		return -1;
	return 0;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path) && errno != ENOENT ? -1 : 0;
}

int pl_sync__rm_rf(const char *path)
{
	struct stat sb;

	if (lstat(path, &sb) && errno == ENOENT)
		return 0;
	if (nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS))
		return pl_error_from_errno(path);
	return 0;
}
