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
 * Sanitizers catch memory errors; these trap: a refusal without a message;
 * an apply that reports more ops than the header holds; a store that no
 * longer verifies after an apply. A store that took ops is made anew, so
 * every input meets the same empty store.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include "plsync/plsync.h"
#include "plsync/sync.h"
#include "../../sync/layout-int.h"

#define MAGIC "PLSYNC-BUNDLE 1\n"

static char dir[64];
static char store_dir[64], file[64];
static pl_store *st;

/*
 * The per-process dir, in memory (/dev/shm) where there is one: the store is
 * made anew after every input it took, and on a shared disk that, not the
 * code under test, would set the pace.
 */
static char *make_dir(char *buf, size_t sz, const char *name)
{
	snprintf(buf, sz, "/dev/shm/%s-XXXXXX", name);
	if (access("/dev/shm", W_OK) == 0 && mkdtemp(buf))
		return buf;
	snprintf(buf, sz, "/tmp/%s-XXXXXX", name);
	return mkdtemp(buf);
}

static void fresh_store(void)
{
	pl_store_options o = PL_STORE_OPTIONS_INIT;

	o.no_sync = 1;
	pl_store_free(st);
	st = NULL;
	if (pl_sync__rm_rf(store_dir) || pl_store_create(store_dir, "DISTRICT", &o) ||
	    pl_store_open(&st, store_dir, &o)) {
		fprintf(stderr, "fuzz-bundle: cannot make a store in %s: %s\n", store_dir, pl_error_last()->message);
		abort();
	}
}

static void cleanup(void)
{
	pl_store_free(st);
	pl_sync__rm_rf(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (pl_init() || !make_dir(dir, sizeof(dir), "plsync-fuzz-bundle"))
		abort();
	snprintf(store_dir, sizeof(store_dir), "%s/store", dir);
	snprintf(file, sizeof(file), "%s/in.plsync", dir);
	fresh_store();
	atexit(cleanup);
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
