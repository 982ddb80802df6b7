/*
 * fuzz-bundle — the bundle reader (sync/bundle.c, pl_bundle_apply) on
 * hostile files, applied to a real district store (node DISTRICT, no fsync)
 * in a directory made once per process.
 *
 * Each input is applied three ways, so that mutations get past the checks
 * that guard the next ones:
 *   1. as it is (the magic, the header line, sizes, the checksum);
 *   2. with its last 20 bytes replaced by the right checksum, so that a
 *      mutated header or compressed stream reaches zlib and the ops;
 *   3. as a raw bundle: the magic and header line over the ops uncompressed
 *      (tests/fuzz/corpus/bundle/raw-*), which the harness compresses, gives
 *      the size it has and checksums, so that mutated ops reach the decoder,
 *      the chain checks and the store.
 * Each way also lands the file in a district repository
 * (pl_district_bundle_apply), so that a mutated pack reaches the indexer and
 * mutated commits the chain checks.
 * Sanitizers catch memory errors; these trap: a refusal without a message;
 * an apply that reports more ops than the header holds; a store that no
 * longer verifies after an apply; a district repository whose files changed
 * though the bundle was refused. A store that took ops, and a repository
 * that took commits, are made anew, so every input meets the same empty
 * ones.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ftw.h>
#include <sys/stat.h>

#include <zlib.h>

#include "plsync/plsync.h"
#include "plsync/sync.h"
#include "../testlib.h"

#define MAGIC "PLSYNC-BUNDLE 1\n"

static char dir[64];
static char store_dir[64], file[64], repo[80];
static pl_store *st;
/* the repository's files as "path size\n" lines, for nftw's callback */
static char *listing;
static size_t listing_len, listing_cap;

static int list_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	char line[600];
	int n = snprintf(line, sizeof(line), "%s %lld\n", path, (long long)sb->st_size);
	(void)flag;
	(void)ftw;
	if (n < 0 || (size_t)n >= sizeof(line))
		abort();
	if (listing_len + (size_t)n + 1 > listing_cap) {
		listing_cap = (listing_len + (size_t)n + 1) * 2;
		if (!(listing = realloc(listing, listing_cap)))
			abort();
	}
	memcpy(listing + listing_len, line, (size_t)n + 1);
	listing_len += (size_t)n;
	return 0;
}

/* The repository's files now, malloc'd. */
static char *repo_files(void)
{
	char *out;
	listing_len = 0;
	if (nftw(repo, list_one, 16, FTW_PHYS) || !(out = strdup(listing ? listing : "")))
		abort();
	return out;
}

static void fresh_repo(void)
{
	tl_rm_rf(repo);
	if (pl_district_init(repo)) {
		fprintf(stderr, "fuzz-bundle: cannot make a district repository in %s: %s\n", repo,
		        pl_error_last()->message);
		abort();
	}
}

/* Land the file in the district repository: refused means untouched. */
static void land(void)
{
	pl_district_bundle_result res;
	char *before = repo_files(), *after;
	int rc;

	pl_error_clear();
	rc = pl_district_bundle_apply(&res, repo, file);
	if (rc && !pl_error_last()->message[0])
		__builtin_trap(); /* refused without saying why */
	after = repo_files();
	if (rc && strcmp(before, after))
		__builtin_trap(); /* refused, yet the repository changed */
	if (!rc && !res.already)
		fresh_repo();
	free(before);
	free(after);
}

static void fresh_store(void)
{
	if (tl_store_remake(&st, store_dir, "DISTRICT")) {
		fprintf(stderr, "fuzz-bundle: cannot make a store in %s: %s\n", store_dir, pl_error_last()->message);
		abort();
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	tl_fuzz_scratch(dir, sizeof(dir), store_dir, sizeof(store_dir), &st, "plsync-fuzz-bundle");
	snprintf(file, sizeof(file), "%s/in.plsync", dir);
	snprintf(repo, sizeof(repo), "%s/district.git", dir);
	fresh_store();
	fresh_repo();
	return 0;
}

static void apply(const unsigned char *data, size_t size)
{
	size_t applied = 0, skipped = 0;
	uint64_t nops = 0, nrec = 0;
	FILE *f = fopen(file, "wb");
	int rc;

	if (!f || fwrite(data, 1, size, f) != size || fclose(f))
		abort();
	pl_error_clear();
	rc = pl_bundle_apply(&applied, &skipped, st, file);
	if (rc && !pl_error_last()->message[0])
		__builtin_trap(); /* refused without saying why */
	if (rc == 0 && applied) {
		if (pl_store_verify(st, &nops, &nrec) || nops != applied)
			__builtin_trap(); /* what the store took does not check */
		fresh_store();
	}
	land();
}

/* Replace the trailing checksum with the right one (way 2). */
static void with_checksum(const uint8_t *data, size_t size)
{
	unsigned char *b;
	pl_oid sum;

	if (size < strlen(MAGIC) + PL_OID_RAWSZ)
		return;
	if (!(b = malloc(size)))
		abort();
	memcpy(b, data, size);
	if (pl_op_id(&sum, b, size - PL_OID_RAWSZ) == 0) {
		memcpy(b + size - PL_OID_RAWSZ, sum.id, PL_OID_RAWSZ);
		apply(b, size);
	}
	free(b);
}

/* "MAGIC node=N first=F last=L count=C size=S\n" + raw ops: pack it (way 3). */
static void from_raw(const uint8_t *data, size_t size)
{
	const size_t mlen = strlen(MAGIC);
	char line[256], node[64], head[400];
	const uint8_t *nl, *ops;
	uint64_t first, last, count, rawsize;
	size_t hlen, olen;
	uLongf zlen;
	unsigned char *b;
	pl_oid sum;

	if (size < mlen || memcmp(data, MAGIC, mlen) ||
	    !(nl = memchr(data + mlen, '\n', size - mlen)) || (size_t)(nl - data) - mlen >= sizeof(line))
		return;
	memcpy(line, data + mlen, (size_t)(nl - data) - mlen);
	line[nl - data - mlen] = '\0';
	if (sscanf(line, "node=%63s first=%" SCNu64 " last=%" SCNu64 " count=%" SCNu64 " size=%" SCNu64, node,
	           &first, &last, &count, &rawsize) != 5)
		return;
	ops = nl + 1;
	olen = size - (size_t)(ops - data);
	if (olen >= 2 && ops[0] == 0x78)
		return; /* already compressed: ways 1 and 2 cover it */
	hlen = (size_t)snprintf(head, sizeof(head), MAGIC "node=%s first=%" PRIu64 " last=%" PRIu64
	                        " count=%" PRIu64 " size=%zu\n", node, first, last, count, olen);
	zlen = compressBound(olen);
	if (!(b = malloc(hlen + zlen + PL_OID_RAWSZ)))
		abort();
	memcpy(b, head, hlen);
	if (compress2(b + hlen, &zlen, ops, olen, 1) == Z_OK && pl_op_id(&sum, b, hlen + zlen) == 0) {
		memcpy(b + hlen + zlen, sum.id, PL_OID_RAWSZ);
		apply(b, hlen + zlen + PL_OID_RAWSZ);
	}
	free(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	apply(data, size);
	with_checksum(data, size);
	from_raw(data, size);
	return 0;
}
