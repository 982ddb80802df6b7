/*
 * fuzz-op — the op decoder (store/op.c) on hostile bytes.
 *
 * The input is tried as one op (pl_op_decode) and as a batch (a plain
 * concatenation of ops: pl_op_decode_next, pl_op_skip). Sanitizers catch
 * memory errors; these properties trap:
 *   - an op the decoder accepts re-encodes (pl_op_encode) to exactly its
 *     bytes, so its id is the id of what is stored (docs/design.md: one op, one
 *     encoding, one id);
 *   - pl_op_peek reads the same type, kind and record id as the decoder;
 *   - pl_op_skip accepts every op pl_op_decode_next accepts and ends it at
 *     the same byte;
 *   - decoding the whole input as one op agrees with decoding it as a batch
 *     of one.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "plsync/plsync.h"

static void reencodes(const pl_op *op, const uint8_t *data, size_t size)
{
	unsigned char *enc = NULL;
	size_t len = 0;

	if (pl_op_encode(&enc, &len, op))
		__builtin_trap(); /* an accepted op must be encodable */
	if (len != size || memcmp(enc, data, size))
		__builtin_trap(); /* accepted bytes that are not the op's one encoding */
	free(enc);
}

static void peeks_alike(const pl_op *op, const uint8_t *data, size_t size)
{
	char kind[33], rec[PL_ID_MAX + 1];
	int type = 0;

	if (pl_op_peek(&type, kind, rec, data, size))
		__builtin_trap();
	if (type != op->type || strcmp(kind, op->kind) || strcmp(rec, op->rec))
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	pl_op *one = NULL, *op = NULL;
	size_t off = 0, nops = 0;
	int one_rc;

	one_rc = pl_op_decode(&one, data, size, NULL);
	if (one_rc == 0) {
		reencodes(one, data, size);
		peeks_alike(one, data, size);
	}
	while (off < size) {
		size_t start = off, skipped = off;
		int skip_rc = pl_op_skip(data, size, &skipped, NULL);

		if (pl_op_decode_next(&op, data, size, &off, NULL))
			break;
		if (skip_rc || skipped != off)
			__builtin_trap();
		reencodes(op, data + start, off - start);
		pl_op_free(op);
		op = NULL;
		nops++;
	}
	/* one op accepted whole <=> the batch is exactly that one op */
	if ((one_rc == 0) != (nops == 1 && off == size))
		__builtin_trap();
	pl_op_free(one);
	return 0;
}
