/*
 * mpack.h — msgpack helpers shared inside store/ (not public).
 *
 * Values are jansson json_t; unpacking always goes through the hostile-input
 * prescan first.
 */
#ifndef PLSYNC_STORE_MPACK_H
#define PLSYNC_STORE_MPACK_H

#include <stdlib.h>

#include <msgpack.h>
#include <jansson.h>

#include "plsync/op.h"

/*
 * An sbuffer that starts at `cap` bytes instead of msgpack-c's 8 KiB: a
 * request that big is a "large" one to glibc's malloc, which then
 * consolidates its fast bins on every op (it showed in every profile).
 */
static inline void pl_mp__sbuffer_init(msgpack_sbuffer *sb, size_t cap)
{
	msgpack_sbuffer_init(sb);
	if ((sb->data = malloc(cap)))
		sb->alloc = cap;
}

/* Pack a JSON value; object keys sorted bytewise. PL_EINVALID on NaN etc. */
int pl_mp__pack_json(msgpack_packer *pk, const json_t *v);

/*
 * Unpack exactly one object spanning buf[0..len) into u (initialised by the
 * caller, destroyed by the caller). PL_ECORRUPT on anything malformed.
 */
int pl_mp__unpack(msgpack_unpacked *u, const unsigned char *buf, size_t len,
                  const pl_op_limits *lim);


/* A big-endian unsigned of n bytes at p. */
static inline uint64_t pl_mp__be(const unsigned char *p, int n)
{
	uint64_t v = 0;
	for (int i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

/* prescan alone: buf[0..len) is exactly one well-formed object. */
int pl_mp__check(const unsigned char *buf, size_t len, const pl_op_limits *lim);

/* Reading msgpack bytes in place (mpread.c): -1 if malformed or not that type. */
typedef struct pl_mp_rd {
	const unsigned char *p, *end;
} pl_mp_rd;
int pl_mp__rd_array(pl_mp_rd *r, uint64_t *n);
int pl_mp__rd_map(pl_mp_rd *r, uint64_t *n);
int pl_mp__rd_str(pl_mp_rd *r, const char **s, size_t *len);
int pl_mp__rd_bin(pl_mp_rd *r, const unsigned char **b, size_t *len);
int pl_mp__rd_uint(pl_mp_rd *r, uint64_t *v);
/* The bytes of the next whole value; depth: 0 at the call. */
int pl_mp__rd_skip(pl_mp_rd *r, const unsigned char **start, size_t *len, int depth);
/* Exactly one value's bytes as JSON (new reference), as the op decoder would. */
int pl_mp__bytes_to_json(json_t **out, const unsigned char *buf, size_t len);

#endif
