/*
 * plsync/op.h — the op: one change to one record, and its msgpack wire form.
 *
 * An op is encoded as one msgpack map with the keys, in this order:
 *   v node seq prev hlc actor kind rec base op fields [note]
 * (docs/design.md, "Ops"). Its id is the git blob id of that encoding. Field
 * values are held as jansson values (json_t): nil, bool, integer, real,
 * string, array, map. Bytes read from git or a bundle are hostile: the
 * decoder caps sizes and counts before allocating (see PL_OP_LIMITS_INIT).
 */
#ifndef PLSYNC_OP_H
#define PLSYNC_OP_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define PL_OP_VERSION  1
#define PL_OID_RAWSZ   20
#define PL_OID_HEXSZ   40
#define PL_NODE_MAX    32  /* node codes: [A-Z0-9_-], 1..32 chars */
#define PL_ID_MAX      64  /* record ids: printable, no '/', 1..64 bytes */
/* The district office's node: its ops may edit any school's records and it
 * may create ids of any node's generated form (docs/design.md, ownership). */
#define PL_NODE_DISTRICT "DISTRICT"

typedef struct pl_oid {
	unsigned char id[PL_OID_RAWSZ];
} pl_oid;

enum pl_op_type { PL_OP_PUT = 1, PL_OP_DEL = 2 };

typedef struct pl_op {
	uint32_t  v;                     /* PL_OP_VERSION */
	char     *node;                  /* owning node code */
	uint64_t  seq;                   /* 1, 2, 3 ... per node, gapless */
	int       has_prev;              /* 0 for seq 1 */
	pl_oid    prev;                  /* id of the node's op seq-1 */
	uint64_t  hlc;                   /* unix ms << 16 | counter */
	char     *actor;                 /* "Name <email>" of the person */
	char     *kind;                  /* record kind */
	char     *rec;                   /* record id */
	size_t    nbase;
	pl_oid   *base;                  /* record heads this op saw */
	int       type;                  /* PL_OP_PUT or PL_OP_DEL */
	json_t   *fields;                /* object; NULL or {} for a del */
	char     *note;                  /* optional, NULL if absent */
} pl_op;

/* Decoder limits, enforced on every decode (docs/design.md, "Limits"). */
typedef struct pl_op_limits {
	unsigned int version;
	size_t max_op;       /* one op's encoding, bytes (64 KiB) */
	size_t max_batch;    /* one batch blob, bytes (16 MiB) */
	size_t max_value;    /* one string value, bytes (16 KiB) */
	int    max_depth;    /* nesting of maps/arrays inside fields (8) */
} pl_op_limits;
#define PL_OP_LIMITS_VERSION 1
#define PL_OP_LIMITS_INIT { PL_OP_LIMITS_VERSION, 64 * 1024, 16 * 1024 * 1024, 16 * 1024, 8 }

/* Free an op and everything it owns. Accepts NULL. */
void pl_op_free(pl_op *op);

/*
 * Encode `op` into a malloc'd buffer (*out, *outlen), owned by the caller
 * (free()). Map keys inside `fields` are written sorted bytewise, so the same
 * op always gives the same bytes and the same id.
 * Errors: PL_EINVALID if a field holds a value msgpack cannot carry or the
 * op is missing node/actor/kind/rec.
 */
int pl_op_encode(unsigned char **out, size_t *outlen, const pl_op *op);

/*
 * Decode exactly one op from buf[0..len) into *out (caller frees with
 * pl_op_free). `limits` may be NULL for defaults. Trailing bytes, a
 * truncated op, wrong types, unknown or out-of-order keys, oversize values,
 * deep nesting, text that is not UTF-8, an actor or record id holding a
 * control character (C0 with tab and ESC, DEL, C1; the actor's message names
 * the op): PL_ECORRUPT with a message naming the key. A note or field value
 * may hold any UTF-8 text: outputs escape it (plsync/text.h).
 */
int pl_op_decode(pl_op **out, const unsigned char *buf, size_t len,
                 const pl_op_limits *limits);

/*
 * Decode the first op of a batch (a plain concatenation of ops) at
 * buf[*off..len) and advance *off past it. Same errors as pl_op_decode;
 * PL_ENOTFOUND when *off == len (end of batch).
 */
int pl_op_decode_next(pl_op **out, const unsigned char *buf, size_t len,
                      size_t *off, const pl_op_limits *limits);

/*
 * Find the end of the op at buf[*off..len) without decoding it (the same
 * hostile-input checks on its framing) and advance *off past it. PL_ENOTFOUND
 * at the end, PL_ECORRUPT for malformed framing.
 */
int pl_op_skip(const unsigned char *buf, size_t len, size_t *off, const pl_op_limits *limits);

/*
 * Read only an op's type, kind and record id (the framing is checked as in
 * pl_op_decode, the fields are not converted): for summaries of many ops.
 */
int pl_op_peek(int *type, char kind[33], char rec[PL_ID_MAX + 1], const unsigned char *buf, size_t len);

/* The op id: git blob id of the encoding (SHA-1 of "blob <len>\0" + bytes). */
int pl_op_id(pl_oid *out, const unsigned char *enc, size_t len);

/* 40 lowercase hex digits + NUL into out[41]. */
void pl_oid_fmt(char out[PL_OID_HEXSZ + 1], const pl_oid *oid);
/* Parse 40 hex digits. PL_EINVALID if not. */
int pl_oid_parse(pl_oid *out, const char *hex);

/* ---- hybrid logical clock (48 bits unix ms, 16 bits counter) ---- */

/* The latest wall time an op may carry (2200-01-01): later ones are refused. */
#define PL_HLC_MAX_MS 7258118400000ull

/* The clock for a local write: max(wall, last) advanced past `last`. */
uint64_t pl_hlc_next(uint64_t last, uint64_t wall_ms);
/* The clock after receiving `remote`: never behind it. */
uint64_t pl_hlc_recv(uint64_t last, uint64_t remote);
/* How far ahead of the wall clock an op may be before it is reported. */
#define PL_HLC_AHEAD_MS 86400000ull
/*
 * pl_hlc_recv as a store applies a remote op: never behind `remote`, but
 * pulled no further than PL_HLC_AHEAD_MS past wall_ms, so that one op
 * stamped in 2199 does not move every later local op there. (A local
 * change to a record is stamped past that record's newest clock anyway.)
 */
uint64_t pl_hlc_recv_bounded(uint64_t last, uint64_t remote, uint64_t wall_ms);
/* Wall clock now, in unix milliseconds. */
uint64_t pl_hlc_wall_ms(void);
/* hlc as RFC 3339 UTC with milliseconds, "2026-11-26T05:40:42.123Z". */
void pl_hlc_fmt(char out[32], uint64_t hlc);

/* Node codes: 1..32 of [A-Z0-9_-], starting with a letter or digit. */
int pl_node_valid(const char *node);
/* 1 if s[0..n) is well-formed UTF-8 (no overlong forms, surrogates or
 * code points past U+10FFFF), as jansson and JSON readers require. */
int pl_utf8_valid(const char *s, size_t n);
/* Replace every byte of s that is not part of well-formed UTF-8 with '?'
 * (for messages that quote hostile input). */
void pl_utf8_scrub(char *s);

#endif
