/*
 * op.c — the op codec: pl_op <-> one msgpack map, and the op id.
 *
 * Rules kept here: keys are written in docs/design.md's order and read back in
 * that order only; maps inside `fields` are written with keys sorted, so an
 * op has one encoding and one id. Input to the decoder is hostile: before
 * msgpack-c sees a byte, prescan() walks the headers, checking every declared
 * length and count against the bytes left and the nesting depth, so that a
 * 5-byte header cannot make the unpacker allocate gigabytes. Trailing or
 * missing bytes are corruption.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <git2.h>
#include <msgpack.h>

#include "plsync/errors.h"
#include "plsync/op.h"
#include "plsync/text.h"
#include "mpack.h"

static int pack_value(msgpack_packer *pk, const json_t *v, int depth);
static int prescan(const unsigned char *buf, size_t len, size_t *objlen,
                   const pl_op_limits *lim);
static int obj_to_json(json_t **out, const msgpack_object *o, int depth,
                       const pl_op_limits *lim, const char *key);

static const char *const op_keys[] = {
	"v", "node", "seq", "prev", "hlc", "actor", "kind", "rec", "base", "op", "fields", "note"
};

void pl_op_free(pl_op *op)
{
	if (!op)
		return;
	free(op->node);
	free(op->actor);
	free(op->kind);
	free(op->rec);
	free(op->base);
	json_decref(op->fields);
	free(op->note);
	free(op);
}

static void pack_str(msgpack_packer *pk, const char *s)
{
	size_t n = strlen(s);
	msgpack_pack_str(pk, n);
	msgpack_pack_str_body(pk, s, n);
}

/* A map entry to sort: its key, and its value so as not to look it up again. */
struct kv {
	const char *k;
	json_t     *v;
};

static int cmp_kv(const void *a, const void *b)
{
	return strcmp(((const struct kv *)a)->k, ((const struct kv *)b)->k);
}

static int pack_object(msgpack_packer *pk, const json_t *obj, int depth)
{
	size_t n = json_object_size(obj), i = 0;
	struct kv small[16], *kvs = small;
	const char *k;
	json_t *v;
	int rc = 0;

	if (n > sizeof(small) / sizeof(small[0]) && !(kvs = malloc(n * sizeof(*kvs))))
		return pl_error_set(PL_ERROR, "out of memory");
	json_object_foreach((json_t *)obj, k, v) {
		kvs[i].k = k;
		kvs[i++].v = v;
	}
	if (n <= 24) {
		/* few keys (a record's fields): insertion sort beats qsort's calls */
		for (size_t a = 1; a < n; a++) {
			struct kv t = kvs[a];
			size_t b = a;
			for (; b > 0 && strcmp(kvs[b - 1].k, t.k) > 0; b--)
				kvs[b] = kvs[b - 1];
			kvs[b] = t;
		}
	} else {
		qsort(kvs, n, sizeof(*kvs), cmp_kv);
	}
	msgpack_pack_map(pk, n);
	for (i = 0; i < n && rc == 0; i++) {
		pack_str(pk, kvs[i].k);
		rc = pack_value(pk, kvs[i].v, depth + 1);
	}
	if (kvs != small)
		free(kvs);
	return rc;
}

static int pack_value(msgpack_packer *pk, const json_t *v, int depth)
{
	size_t i;

	if (depth > 8)
		return pl_error_set(PL_EINVALID, "field nests deeper than 8 levels");
	switch (json_typeof(v)) {
	case JSON_NULL:    return msgpack_pack_nil(pk), 0;
	case JSON_TRUE:    return msgpack_pack_true(pk), 0;
	case JSON_FALSE:   return msgpack_pack_false(pk), 0;
	case JSON_INTEGER: return msgpack_pack_int64(pk, json_integer_value(v)), 0;
	case JSON_REAL:
		if (!isfinite(json_real_value(v)))
			return pl_error_set(PL_EINVALID, "number is not finite");
		return msgpack_pack_double(pk, json_real_value(v)), 0;
	case JSON_STRING:
		msgpack_pack_str(pk, json_string_length(v));
		msgpack_pack_str_body(pk, json_string_value(v), json_string_length(v));
		return 0;
	case JSON_ARRAY:
		msgpack_pack_array(pk, json_array_size(v));
		for (i = 0; i < json_array_size(v); i++) {
			int rc = pack_value(pk, json_array_get(v, i), depth + 1);
			if (rc)
				return rc;
		}
		return 0;
	case JSON_OBJECT:
		return pack_object(pk, v, depth);
	}
	return pl_error_set(PL_EINVALID, "unsupported value type");
}

int pl_op_encode(unsigned char **out, size_t *outlen, const pl_op *op)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;
	size_t i;
	int rc = 0;

	*out = NULL;
	*outlen = 0;
	if (!op->node || !op->actor || !op->kind || !op->rec)
		return pl_error_set(PL_EINVALID, "op is missing node, actor, kind or rec");
	if (op->type != PL_OP_PUT && op->type != PL_OP_DEL)
		return pl_error_set(PL_EINVALID, "op type must be put or del");
	if (op->fields && !json_is_object(op->fields))
		return pl_error_set(PL_EINVALID, "op fields must be a map");

	pl_mp__sbuffer_init(&sb, 768);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, op->note ? 12 : 11);
	pack_str(&pk, "v");      msgpack_pack_uint32(&pk, op->v ? op->v : PL_OP_VERSION);
	pack_str(&pk, "node");   pack_str(&pk, op->node);
	pack_str(&pk, "seq");    msgpack_pack_uint64(&pk, op->seq);
	pack_str(&pk, "prev");
	if (op->has_prev) {
		msgpack_pack_bin(&pk, PL_OID_RAWSZ);
		msgpack_pack_bin_body(&pk, op->prev.id, PL_OID_RAWSZ);
	} else {
		msgpack_pack_nil(&pk);
	}
	pack_str(&pk, "hlc");    msgpack_pack_uint64(&pk, op->hlc);
	pack_str(&pk, "actor");  pack_str(&pk, op->actor);
	pack_str(&pk, "kind");   pack_str(&pk, op->kind);
	pack_str(&pk, "rec");    pack_str(&pk, op->rec);
	pack_str(&pk, "base");
	msgpack_pack_array(&pk, op->nbase);
	for (i = 0; i < op->nbase; i++) {
		msgpack_pack_bin(&pk, PL_OID_RAWSZ);
		msgpack_pack_bin_body(&pk, op->base[i].id, PL_OID_RAWSZ);
	}
	pack_str(&pk, "op");     pack_str(&pk, op->type == PL_OP_PUT ? "put" : "del");
	pack_str(&pk, "fields");
	if (op->fields)
		rc = pack_object(&pk, op->fields, 0);
	else
		msgpack_pack_map(&pk, 0);
	if (op->note) {
		pack_str(&pk, "note");
		pack_str(&pk, op->note);
	}
	if (rc) {
		msgpack_sbuffer_destroy(&sb);
		return rc;
	}
	*out = (unsigned char *)sb.data; /* ownership passes to the caller */
	*outlen = sb.size;
	return 0;
}

int pl_op_id(pl_oid *out, const unsigned char *enc, size_t len)
{
	git_oid oid;
	int rc = git_odb_hash(&oid, enc, len, GIT_OBJECT_BLOB);
	if (rc < 0)
		return pl_error_from_git(rc, "hashing op");
	memcpy(out->id, oid.id, PL_OID_RAWSZ);
	return 0;
}

void pl_oid_fmt(char out[PL_OID_HEXSZ + 1], const pl_oid *oid)
{
	static const char hex[] = "0123456789abcdef";
	for (int i = 0; i < PL_OID_RAWSZ; i++) {
		out[2 * i] = hex[oid->id[i] >> 4];
		out[2 * i + 1] = hex[oid->id[i] & 15];
	}
	out[PL_OID_HEXSZ] = '\0';
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9') return c - '0';
	if (c >= 'a' && c <= 'f') return c - 'a' + 10;
	if (c >= 'A' && c <= 'F') return c - 'A' + 10;
	return -1;
}

int pl_oid_parse(pl_oid *out, const char *hex)
{
	if (strlen(hex) != PL_OID_HEXSZ)
		return pl_error_set(PL_EINVALID, "'%s' is not a 40-digit op id", hex);
	for (int i = 0; i < PL_OID_RAWSZ; i++) {
		int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return pl_error_set(PL_EINVALID, "'%s' is not a 40-digit op id", hex);
		out->id[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

int pl_node_valid(const char *node)
{
	size_t n = strlen(node);
	if (n == 0 || n > PL_NODE_MAX || node[0] == '-' || node[0] == '_')
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = node[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return 0;
	}
	return 1;
}

/* ---- decoding ---- */

/*
 * Walk one msgpack object at buf[0..len) without allocating, checking that
 * every length fits in the bytes left, every container count is at most the
 * bytes left (each element takes at least one byte) and nesting stays within
 * the limit. On success *objlen is the object's exact length.
 */
static int prescan(const unsigned char *buf, size_t len, size_t *objlen,
                   const pl_op_limits *lim)
{
	/* pending[d] = elements still to read at depth d */
	uint64_t pending[64];
	int depth = 0;
	size_t off = 0;

	pending[0] = 1;
	while (depth >= 0) {
		if (pending[depth] == 0) {
			depth--;
			continue;
		}
		pending[depth]--;
		if (off >= len)
			return pl_error_set(PL_ECORRUPT, "truncated msgpack at byte %zu", off);
		unsigned char t = buf[off++];
		uint64_t body = 0, count = 0;
		int hdr = 0, container = 0;

		if (t <= 0x7f || t >= 0xe0 || t == 0xc0 || t == 0xc2 || t == 0xc3) {
			/* fixint, nil, bool */
		} else if (t >= 0x80 && t <= 0x8f) {
			count = 2ull * (t & 0x0f); container = 1;
		} else if (t >= 0x90 && t <= 0x9f) {
			count = t & 0x0f; container = 1;
		} else if (t >= 0xa0 && t <= 0xbf) {
			body = t & 0x1f;
		} else {
			switch (t) {
			case 0xc4: case 0xd9: hdr = 1; break;           /* bin8, str8 */
			case 0xc5: case 0xda: hdr = 2; break;           /* bin16, str16 */
			case 0xc6: case 0xdb: hdr = 4; break;           /* bin32, str32 */
			case 0xcc: case 0xd0: body = 1; break;
			case 0xcd: case 0xd1: body = 2; break;
			case 0xca: case 0xce: case 0xd2: body = 4; break;
			case 0xcb: case 0xcf: case 0xd3: body = 8; break;
			case 0xdc: hdr = 2; container = 1; break;       /* array16 */
			case 0xdd: hdr = 4; container = 1; break;       /* array32 */
			case 0xde: hdr = 2; container = 2; break;       /* map16 */
			case 0xdf: hdr = 4; container = 2; break;       /* map32 */
			default:
				/* 0xc1 never used; ext types have no place in an op */
				return pl_error_set(PL_ECORRUPT, "unexpected msgpack type 0x%02x at byte %zu",
				                    t, off - 1);
			}
			if (hdr) {
				if (len - off < (size_t)hdr)
					return pl_error_set(PL_ECORRUPT, "truncated msgpack header at byte %zu", off);
				uint64_t n = pl_mp__be(buf + off, hdr);
				off += hdr;
				if (container == 1) count = n;
				else if (container == 2) count = 2 * n;
				else body = n;
			}
		}
		if (body) {
			if (body > len - off)
				return pl_error_set(PL_ECORRUPT, "value of %llu bytes at byte %zu runs past the end",
				                    (unsigned long long)body, off);
			if ((t >= 0xa0 && t <= 0xbf) || t == 0xd9 || t == 0xda || t == 0xdb ||
			    t == 0xc4 || t == 0xc5 || t == 0xc6) {
				if (body > lim->max_value)
					return pl_error_set(PL_ECORRUPT, "value of %llu bytes exceeds the %zu-byte limit",
					                    (unsigned long long)body, lim->max_value);
			}
			off += body;
		}
		if (container || (t >= 0x80 && t <= 0x9f)) {
			if (count > len - off)
				return pl_error_set(PL_ECORRUPT, "declared count %llu at byte %zu exceeds the bytes left",
				                    (unsigned long long)count, off);
			if (depth + 1 >= (int)(sizeof(pending) / sizeof(pending[0])) ||
			    depth + 1 > lim->max_depth + 2)
				return pl_error_set(PL_ECORRUPT, "msgpack nests deeper than %d levels", lim->max_depth);
			pending[++depth] = count;
		}
	}
	*objlen = off;
	return 0;
}

static int key_is(const msgpack_object *k, const char *want)
{
	size_t n = strlen(want);
	return k->type == MSGPACK_OBJECT_STR && k->via.str.size == n &&
	       memcmp(k->via.str.ptr, want, n) == 0;
}

static int copy_text(char *dst, size_t sz, const msgpack_object *o)
{
	if (o->type != MSGPACK_OBJECT_STR || o->via.str.size >= sz || memchr(o->via.str.ptr, '\0', o->via.str.size))
		return -1;
	memcpy(dst, o->via.str.ptr, o->via.str.size);
	dst[o->via.str.size] = '\0';
	return 0;
}

static int dup_str(char **out, const msgpack_object *o, const char *key, size_t max)
{
	if (o->type != MSGPACK_OBJECT_STR)
		return pl_error_set(PL_ECORRUPT, "op key '%s' must be a string", key);
	if (o->via.str.size > max)
		return pl_error_set(PL_ECORRUPT, "op key '%s' is longer than %zu bytes", key, max);
	if (memchr(o->via.str.ptr, '\0', o->via.str.size))
		return pl_error_set(PL_ECORRUPT, "op key '%s' holds a NUL byte", key);
	if (!pl_utf8_valid(o->via.str.ptr, o->via.str.size))
		return pl_error_set(PL_ECORRUPT, "op key '%s' is not UTF-8 text", key);
	if (!(*out = strndup(o->via.str.ptr, o->via.str.size)))
		return pl_error_set(PL_ERROR, "out of memory");
	return 0;
}

/*
 * An actor is shown on one line of every log: no control character (C0
 * with tab and ESC, DEL, C1), which could forge a line or drive the
 * auditor's terminal.
 */
static int actor_is_one_line(const pl_op *op)
{
	const unsigned char *a = (const unsigned char *)op->actor;
	long at = pl_text_control(op->actor, strlen(op->actor));
	unsigned cp;

	if (at < 0)
		return 0;
	cp = a[at] < 0x80 ? a[at] : (unsigned)(a[at] & 0x1f) << 6 | (a[at + 1] & 0x3f);
	return pl_error_set(PL_ECORRUPT, "op %s/%llu: the actor holds the control character U+%04X at byte %ld; "
	                    "an actor is one line of text", op->node, (unsigned long long)op->seq, cp, at);
}

static int get_uint(uint64_t *out, const msgpack_object *o, const char *key)
{
	if (o->type != MSGPACK_OBJECT_POSITIVE_INTEGER)
		return pl_error_set(PL_ECORRUPT, "op key '%s' must be an unsigned integer", key);
	*out = o->via.u64;
	return 0;
}

static int get_oid(pl_oid *out, const msgpack_object *o, const char *key)
{
	if (o->type != MSGPACK_OBJECT_BIN || o->via.bin.size != PL_OID_RAWSZ)
		return pl_error_set(PL_ECORRUPT, "op key '%s' must be a 20-byte binary id", key);
	memcpy(out->id, o->via.bin.ptr, PL_OID_RAWSZ);
	return 0;
}

static int obj_to_json(json_t **out, const msgpack_object *o, int depth,
                       const pl_op_limits *lim, const char *key)
{
	json_t *v = NULL;
	uint32_t i;

	*out = NULL;
	if (depth > lim->max_depth)
		return pl_error_set(PL_ECORRUPT, "field '%s' nests deeper than %d levels", key, lim->max_depth);
	switch (o->type) {
	case MSGPACK_OBJECT_NIL:     v = json_null(); break;
	case MSGPACK_OBJECT_BOOLEAN: v = json_boolean(o->via.boolean); break;
	case MSGPACK_OBJECT_POSITIVE_INTEGER:
		if (o->via.u64 > INT64_MAX)
			return pl_error_set(PL_ECORRUPT, "field '%s': integer out of range", key);
		v = json_integer((json_int_t)o->via.u64);
		break;
	case MSGPACK_OBJECT_NEGATIVE_INTEGER: v = json_integer(o->via.i64); break;
	case MSGPACK_OBJECT_FLOAT32:
	case MSGPACK_OBJECT_FLOAT64:
		if (!isfinite(o->via.f64))
			return pl_error_set(PL_ECORRUPT, "field '%s': number is not finite", key);
		v = json_real(o->via.f64);
		break;
	case MSGPACK_OBJECT_STR:
		if (memchr(o->via.str.ptr, '\0', o->via.str.size) ||
		    !(v = json_stringn(o->via.str.ptr, o->via.str.size)))
			return pl_error_set(PL_ECORRUPT, "field '%s': string is not valid UTF-8 text", key);
		break;
	case MSGPACK_OBJECT_ARRAY:
		v = json_array();
		for (i = 0; v && i < o->via.array.size; i++) {
			json_t *e;
			int rc = obj_to_json(&e, &o->via.array.ptr[i], depth + 1, lim, key);
			if (rc) {
				json_decref(v);
				return rc;
			}
			if (json_array_append_new(v, e)) {
				json_decref(v);
				return pl_error_set(PL_ERROR, "out of memory");
			}
		}
		break;
	case MSGPACK_OBJECT_MAP:
		v = json_object();
		for (i = 0; v && i < o->via.map.size; i++) {
			const msgpack_object *k = &o->via.map.ptr[i].key;
			char name[256];
			json_t *e;
			int rc;
			if (k->type != MSGPACK_OBJECT_STR || k->via.str.size == 0 ||
			    k->via.str.size >= sizeof(name) || memchr(k->via.str.ptr, '\0', k->via.str.size)) {
				json_decref(v);
				return pl_error_set(PL_ECORRUPT, "field '%s': map key must be a short non-empty string", key);
			}
			memcpy(name, k->via.str.ptr, k->via.str.size);
			name[k->via.str.size] = '\0';
			if (!pl_utf8_valid(name, k->via.str.size)) {
				/* jansson would refuse the key and the field vanish */
				json_decref(v);
				pl_utf8_scrub(name);
				if (!depth)
					return pl_error_set(PL_ECORRUPT, "field key '%s' is not valid UTF-8 text", name);
				return pl_error_set(PL_ECORRUPT, "field '%s': key '%s' is not valid UTF-8 text", key, name);
			}
			if (json_object_get(v, name)) {
				json_decref(v);
				return pl_error_set(PL_ECORRUPT, "field '%s': duplicate key '%s'", key, name);
			}
			rc = obj_to_json(&e, &o->via.map.ptr[i].val, depth + 1, lim, depth ? key : name);
			if (rc) {
				json_decref(v);
				return rc;
			}
			if (json_object_set_new(v, name, e)) {
				json_decref(v);
				return pl_error_set(PL_ERROR, "out of memory");
			}
		}
		break;
	default:
		return pl_error_set(PL_ECORRUPT, "field '%s': binary and extension values are not allowed", key);
	}
	if (!v)
		return pl_error_set(PL_ERROR, "out of memory");
	*out = v;
	return 0;
}

static int from_object(pl_op **out, const msgpack_object *o, const pl_op_limits *lim)
{
	pl_op *op = NULL;
	const msgpack_object_kv *kv;
	uint64_t u = 0;
	uint32_t n, i;
	int rc = 0;

	if (o->type != MSGPACK_OBJECT_MAP)
		return pl_error_set(PL_ECORRUPT, "op is not a msgpack map");
	n = o->via.map.size;
	if (n != 11 && n != 12)
		return pl_error_set(PL_ECORRUPT, "op map has %u keys, expected 11 or 12", n);
	kv = o->via.map.ptr;
	for (i = 0; i < n; i++)
		if (!key_is(&kv[i].key, op_keys[i]))
			return pl_error_set(PL_ECORRUPT, "op key %u must be '%s'", i, op_keys[i]);
	if (!(op = calloc(1, sizeof(*op))))
		return pl_error_set(PL_ERROR, "out of memory");

	if ((rc = get_uint(&u, &kv[0].val, "v")))
		goto cleanup;
	if (u != PL_OP_VERSION) {
		rc = pl_error_set(PL_ECORRUPT, "op format version %llu is not supported (this plsync reads %d)",
		                  (unsigned long long)u, PL_OP_VERSION);
		goto cleanup;
	}
	op->v = (uint32_t)u;
	if ((rc = dup_str(&op->node, &kv[1].val, "node", PL_NODE_MAX)))
		goto cleanup;
	if (!pl_node_valid(op->node)) {
		rc = pl_error_set(PL_ECORRUPT, "op node '%s' is not a valid node code", op->node);
		goto cleanup;
	}
	if ((rc = get_uint(&op->seq, &kv[2].val, "seq")))
		goto cleanup;
	if (op->seq == 0) {
		rc = pl_error_set(PL_ECORRUPT, "op seq must start at 1");
		goto cleanup;
	}
	if (kv[3].val.type == MSGPACK_OBJECT_NIL) {
		op->has_prev = 0;
	} else {
		if ((rc = get_oid(&op->prev, &kv[3].val, "prev")))
			goto cleanup;
		op->has_prev = 1;
	}
	if ((op->seq == 1) == op->has_prev) {
		rc = pl_error_set(PL_ECORRUPT, "op seq %llu %s a prev id", (unsigned long long)op->seq,
		                  op->seq == 1 ? "must not have" : "must have");
		goto cleanup;
	}
	if ((rc = get_uint(&op->hlc, &kv[4].val, "hlc")))
		goto cleanup;
	if ((op->hlc >> 16) > PL_HLC_MAX_MS) {
		/* a clock centuries ahead would win every field forever */
		rc = pl_error_set(PL_ECORRUPT, "op hlc %llu is after the year 2200", (unsigned long long)op->hlc);
		goto cleanup;
	}
	if ((rc = dup_str(&op->actor, &kv[5].val, "actor", 256)) || (rc = actor_is_one_line(op)) ||
	    (rc = dup_str(&op->kind, &kv[6].val, "kind", 32)) ||
	    (rc = dup_str(&op->rec, &kv[7].val, "rec", PL_ID_MAX)))
		goto cleanup;
	if (!op->rec[0] || strchr(op->rec, '/') || pl_text_control(op->rec, strlen(op->rec)) >= 0) {
		rc = pl_error_set(PL_ECORRUPT, "op rec '%s' is not a valid record id", op->rec);
		goto cleanup;
	}
	if (kv[8].val.type != MSGPACK_OBJECT_ARRAY) {
		rc = pl_error_set(PL_ECORRUPT, "op key 'base' must be an array");
		goto cleanup;
	}
	op->nbase = kv[8].val.via.array.size;
	if (op->nbase > 256) {
		rc = pl_error_set(PL_ECORRUPT, "op base names %zu heads (at most 256)", op->nbase);
		goto cleanup;
	}
	if (op->nbase && !(op->base = calloc(op->nbase, sizeof(pl_oid)))) {
		rc = pl_error_set(PL_ERROR, "out of memory");
		goto cleanup;
	}
	for (i = 0; i < op->nbase; i++) {
		if ((rc = get_oid(&op->base[i], &kv[8].val.via.array.ptr[i], "base")))
			goto cleanup;
		for (uint32_t j = 0; j < i; j++)
			if (!memcmp(op->base[j].id, op->base[i].id, PL_OID_RAWSZ)) {
				char hex[PL_OID_HEXSZ + 1];
				pl_oid_fmt(hex, &op->base[i]);
				rc = pl_error_set(PL_ECORRUPT, "op %s/%llu: its base names %s twice", op->node,
				                  (unsigned long long)op->seq, hex);
				goto cleanup;
			}
	}
	if (key_is(&kv[9].val, "put")) {
		op->type = PL_OP_PUT;
	} else if (key_is(&kv[9].val, "del")) {
		op->type = PL_OP_DEL;
	} else {
		rc = pl_error_set(PL_ECORRUPT, "op key 'op' must be \"put\" or \"del\"");
		goto cleanup;
	}
	if (kv[10].val.type != MSGPACK_OBJECT_MAP) {
		rc = pl_error_set(PL_ECORRUPT, "op key 'fields' must be a map");
		goto cleanup;
	}
	if ((rc = obj_to_json(&op->fields, &kv[10].val, 0, lim, "fields"))) {
		pl_error_prefix("op %s/%llu", op->node, (unsigned long long)op->seq);
		goto cleanup;
	}
	if (n == 12 && (rc = dup_str(&op->note, &kv[11].val, "note", lim->max_value)))
		goto cleanup;

cleanup:
	if (rc) {
		pl_op_free(op);
		return rc;
	}
	*out = op;
	return 0;
}

/*
 * The op's bytes are the one encoding pl_op_encode gives it (sorted keys,
 * shortest ints and lengths, 64-bit floats): else one op could have several
 * ids, and a field could change meaning on the way through a store.
 */
static int canonical(const pl_op *op, const unsigned char *bytes, size_t len)
{
	unsigned char *enc = NULL;
	size_t elen = 0;
	int rc = pl_op_encode(&enc, &elen, op), same = rc == 0 && elen == len && !memcmp(enc, bytes, len);

	free(enc);
	if (rc == PL_ERROR)
		return rc;
	if (!same)
		return pl_error_set(PL_ECORRUPT, "op %s/%llu is not in canonical form (its fields re-encode to other "
		                    "bytes: unsorted keys, long ints or lengths, or 32-bit floats)", op->node,
		                    (unsigned long long)op->seq);
	return 0;
}

int pl_op_decode_next(pl_op **out, const unsigned char *buf, size_t len,
                      size_t *off, const pl_op_limits *limits)
{
	static const pl_op_limits defaults = PL_OP_LIMITS_INIT;
	const pl_op_limits *lim = limits ? limits : &defaults;
	msgpack_unpacked u;
	size_t objlen = 0, pos = 0, left;
	int rc;

	*out = NULL;
	if (*off >= len)
		return PL_ENOTFOUND;
	left = len - *off;
	if ((rc = prescan(buf + *off, left, &objlen, lim)))
		return pl_error_prefix("op at byte %zu", *off);
	if (objlen > lim->max_op)
		return pl_error_set(PL_ECORRUPT, "op at byte %zu is %zu bytes, over the %zu-byte limit",
		                    *off, objlen, lim->max_op);
	msgpack_unpacked_init(&u);
	switch (msgpack_unpack_next(&u, (const char *)buf + *off, objlen, &pos)) {
	case MSGPACK_UNPACK_SUCCESS:
		if (pos != objlen) {
			rc = pl_error_set(PL_ECORRUPT, "op at byte %zu: length mismatch", *off);
			break;
		}
		rc = from_object(out, &u.data, lim);
		if (rc == 0 && (rc = canonical(*out, buf + *off, objlen))) {
			pl_op_free(*out);
			*out = NULL;
		}
		if (rc)
			pl_error_prefix("op at byte %zu", *off);
		break;
	case MSGPACK_UNPACK_NOMEM_ERROR:
		rc = pl_error_set(PL_ECORRUPT, "op at byte %zu: too large to unpack", *off);
		break;
	default: /* CONTINUE on a complete buffer, EXTRA_BYTES, PARSE_ERROR */
		rc = pl_error_set(PL_ECORRUPT, "op at byte %zu: malformed msgpack", *off);
	}
	msgpack_unpacked_destroy(&u);
	if (rc == 0)
		*off += objlen;
	return rc;
}

int pl_op_decode(pl_op **out, const unsigned char *buf, size_t len,
                 const pl_op_limits *limits)
{
	size_t off = 0;
	int rc;

	*out = NULL;
	if (len == 0)
		return pl_error_set(PL_ECORRUPT, "empty op");
	if ((rc = pl_op_decode_next(out, buf, len, &off, limits)))
		return rc;
	if (off != len) {
		pl_op_free(*out);
		*out = NULL;
		return pl_error_set(PL_ECORRUPT, "%zu trailing bytes after the op", len - off);
	}
	return 0;
}

/* ---- shared with the rest of store/ (store/mpack.h) ---- */

int pl_mp__pack_json(msgpack_packer *pk, const json_t *v)
{
	return pack_value(pk, v, 0);
}

int pl_mp__check(const unsigned char *buf, size_t len, const pl_op_limits *lim)
{
	size_t objlen;
	int rc = prescan(buf, len, &objlen, lim);
	if (rc == 0 && objlen != len)
		rc = pl_error_set(PL_ECORRUPT, "%zu trailing bytes after the msgpack value", len - objlen);
	return rc;
}

int pl_mp__unpack(msgpack_unpacked *u, const unsigned char *buf, size_t len,
                  const pl_op_limits *limits)
{
	static const pl_op_limits defaults = PL_OP_LIMITS_INIT;
	size_t objlen = 0, pos = 0;
	int rc;

	if ((rc = prescan(buf, len, &objlen, limits ? limits : &defaults)))
		return rc;
	if (objlen != len)
		return pl_error_set(PL_ECORRUPT, "%zu trailing bytes", len - objlen);
	if (msgpack_unpack_next(u, (const char *)buf, len, &pos) != MSGPACK_UNPACK_SUCCESS || pos != len)
		return pl_error_set(PL_ECORRUPT, "malformed msgpack");
	return 0;
}

int pl_op_skip(const unsigned char *buf, size_t len, size_t *off, const pl_op_limits *limits)
{
	static const pl_op_limits defaults = PL_OP_LIMITS_INIT;
	const pl_op_limits *lim = limits ? limits : &defaults;
	size_t objlen = 0;

	if (*off >= len)
		return PL_ENOTFOUND;
	if (prescan(buf + *off, len - *off, &objlen, lim))
		return pl_error_prefix("op at byte %zu", *off);
	if (objlen > lim->max_op)
		return pl_error_set(PL_ECORRUPT, "op at byte %zu is %zu bytes, over the %zu-byte limit",
		                    *off, objlen, lim->max_op);
	*off += objlen;
	return 0;
}

int pl_op_peek(int *type, char kind[33], char rec[PL_ID_MAX + 1], const unsigned char *buf, size_t len)
{
	msgpack_unpacked u;
	const msgpack_object_kv *kv;
	int rc = 0;

	msgpack_unpacked_init(&u);
	if ((rc = pl_mp__unpack(&u, buf, len, NULL)))
		goto cleanup;
	if (u.data.type != MSGPACK_OBJECT_MAP || u.data.via.map.size < 11) {
		rc = pl_error_set(PL_ECORRUPT, "op is not a msgpack map of 11 or 12 keys");
		goto cleanup;
	}
	kv = u.data.via.map.ptr;
	if (!key_is(&kv[6].key, "kind") || !key_is(&kv[7].key, "rec") || !key_is(&kv[9].key, "op") ||
	    copy_text(kind, 33, &kv[6].val) || copy_text(rec, PL_ID_MAX + 1, &kv[7].val)) {
		rc = pl_error_set(PL_ECORRUPT, "op has no readable kind, rec and op");
		goto cleanup;
	}
	*type = key_is(&kv[9].val, "del") ? PL_OP_DEL : PL_OP_PUT;
cleanup:
	msgpack_unpacked_destroy(&u);
	return rc;
}
