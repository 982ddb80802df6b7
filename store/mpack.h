/*
 * mpack.h — msgpack helpers shared inside store/ (not public).
 *
 * Values are jansson json_t; unpacking always goes through the hostile-input
 * prescan first.
 */
#ifndef PLSYNC_STORE_MPACK_H
#define PLSYNC_STORE_MPACK_H

#include <msgpack.h>
#include <jansson.h>

#include "plsync/op.h"

/* Pack a JSON value; object keys sorted bytewise. PL_EINVALID on NaN etc. */
int pl_mp__pack_json(msgpack_packer *pk, const json_t *v);

/*
 * Unpack exactly one object spanning buf[0..len) into u (initialised by the
 * caller, destroyed by the caller). PL_ECORRUPT on anything malformed.
 */
int pl_mp__unpack(msgpack_unpacked *u, const unsigned char *buf, size_t len,
                  const pl_op_limits *lim);

/* Convert a msgpack object to JSON (no bin/ext). New reference in *out. */
int pl_mp__to_json(json_t **out, const msgpack_object *o, const pl_op_limits *lim);

#endif
