/*
 * The decoder meets hostile bytes: anything read from git or a bundle may
 * be truncated, padded, forged or random. Every such input is refused with
 * PL_ECORRUPT and a message, without a crash and without allocating what a
 * header merely claims (run under ASan, this file is the memory check).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <msgpack.h>

#include "plsync/plsync.h"
#include "../tap.h"

/* ---- crafting ops byte by byte ---- */

enum { V_NIL, V_INT, V_NEG, V_STR, V_BIN20, V_ARRAY, V_MAP, V_BOOL, V_FLOAT, NVARIANTS };
static const char *const variant_names[NVARIANTS] = {
	"nil", "the uint 7", "the int -1", "the string \"x\"", "a 20-byte bin", "an empty array",
	"an empty map", "true", "the float 1.5"
};

struct craft {
	const char *keys[16];      /* key names in order; NULL-terminated, default DESIGN order */
	const char *bad;           /* key whose value is replaced by variant */
	int variant;
	uint64_t seq;              /* default 2 */
	int prevlen;               /* -1 nil, else bin of that many bytes (default 20) */
	const char *node;          /* default "AAA" */
	const unsigned char *fields; size_t fieldslen;   /* raw bytes for "fields", or NULL */
	const char *rec, *actor;   /* defaults "AAA-1", "Tess <t@example.org>" */
	const char *note;          /* default "why not" */
};

static const char *const std_keys[] = {
	"v", "node", "seq", "prev", "hlc", "actor", "kind", "rec", "base", "op", "fields", "note", NULL
};

static void init_craft(struct craft *c)
{
	memset(c, 0, sizeof(*c));
	for (int i = 0; std_keys[i]; i++)
		c->keys[i] = std_keys[i];
	c->seq = 2;
	c->prevlen = 20;
	c->variant = -1;
}

static void pk_str(msgpack_packer *pk, const char *s)
{
	msgpack_pack_str_with_body(pk, s, strlen(s));
}

static void pack_variant(msgpack_packer *pk, int variant)
{
	static const unsigned char twenty[20] = { 1 };
	switch (variant) {
	case V_NIL:   msgpack_pack_nil(pk); break;
	case V_INT:   msgpack_pack_uint64(pk, 7); break;
	case V_NEG:   msgpack_pack_int64(pk, -1); break;
	case V_STR:   pk_str(pk, "x"); break;
	case V_BIN20: msgpack_pack_bin_with_body(pk, twenty, 20); break;
	case V_ARRAY: msgpack_pack_array(pk, 0); break;
	case V_MAP:   msgpack_pack_map(pk, 0); break;
	case V_BOOL:  msgpack_pack_true(pk); break;
	case V_FLOAT: msgpack_pack_double(pk, 1.5); break;
	}
}

/* The op the craft describes, as a malloc'd buffer. */
static unsigned char *build(size_t *len, const struct craft *c)
{
	static const unsigned char idbytes[32] = { 0x11, 0x22, 0x33 };
	msgpack_sbuffer sb;
	msgpack_packer pk;
	int n = 0;

	while (c->keys[n])
		n++;
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, n);
	for (int i = 0; i < n; i++) {
		const char *k = c->keys[i];
		pk_str(&pk, k);
		if (c->bad && !strcmp(k, c->bad))
			pack_variant(&pk, c->variant);
		else if (!strcmp(k, "v"))
			msgpack_pack_uint32(&pk, 1);
		else if (!strcmp(k, "node"))
			pk_str(&pk, c->node ? c->node : "AAA");
		else if (!strcmp(k, "seq"))
			msgpack_pack_uint64(&pk, c->seq);
		else if (!strcmp(k, "prev") && c->prevlen < 0)
			msgpack_pack_nil(&pk);
		else if (!strcmp(k, "prev"))
			msgpack_pack_bin_with_body(&pk, idbytes, (size_t)c->prevlen);
		else if (!strcmp(k, "hlc"))
			msgpack_pack_uint64(&pk, 1767225600000ull << 16);
		else if (!strcmp(k, "actor"))
			pk_str(&pk, c->actor ? c->actor : "Tess <t@example.org>");
		else if (!strcmp(k, "kind"))
			pk_str(&pk, "school");
		else if (!strcmp(k, "rec"))
			pk_str(&pk, c->rec ? c->rec : "AAA-1");
		else if (!strcmp(k, "base")) {
			msgpack_pack_array(&pk, 1);
			msgpack_pack_bin_with_body(&pk, idbytes, 20);
		} else if (!strcmp(k, "op"))
			pk_str(&pk, "put");
		else if (!strcmp(k, "fields") && c->fields)
			msgpack_sbuffer_write(&sb, (const char *)c->fields, c->fieldslen);
		else if (!strcmp(k, "fields")) {
			msgpack_pack_map(&pk, 2);
			pk_str(&pk, "name");
			pk_str(&pk, "Lincoln");
			pk_str(&pk, "tags");
			msgpack_pack_array(&pk, 2);
			msgpack_pack_int64(&pk, -5);
			msgpack_pack_double(&pk, 2.5);
		} else
			pk_str(&pk, c->note ? c->note : "why not");
	}
	*len = sb.size;
	return (unsigned char *)sb.data;
}

/* fields = { "a": <value bytes> } */
static unsigned char *fields_with(size_t *len, const unsigned char *val, size_t vlen)
{
	unsigned char *f = malloc(vlen + 3);
	if (!f)
		bail("out of memory");
	f[0] = 0x81;
	f[1] = 0xa1;
	f[2] = 'a';
	memcpy(f + 3, val, vlen);
	*len = vlen + 3;
	return f;
}

/* ---- checking refusals ---- */

/* Both decoders refuse buf with PL_ECORRUPT, a message and no op. */
static int refuses(const unsigned char *buf, size_t len, const pl_op_limits *lim)
{
	pl_op *op = (pl_op *)1;
	size_t off = 0;
	int rc;

	pl_error_clear();
	rc = pl_op_decode(&op, buf, len, lim);
	if (rc != PL_ECORRUPT || op != NULL || !pl_error_last()->message[0]) {
		diag("pl_op_decode gave %d (%s)", rc, pl_error_last()->message);
		pl_op_free(rc == 0 ? op : NULL);
		return 0;
	}
	op = (pl_op *)1;
	pl_error_clear();
	rc = pl_op_decode_next(&op, buf, len, &off, lim);
	if (len > 0 && (rc != PL_ECORRUPT || op != NULL || off != 0 || !pl_error_last()->message[0])) {
		/* decode_next may accept a prefix of buf only when bytes trail it */
		if (rc == 0 && off < len) {
			pl_op_free(op);
			return 1;
		}
		diag("pl_op_decode_next gave %d, off %zu (%s)", rc, off, pl_error_last()->message);
		pl_op_free(rc == 0 ? op : NULL);
		return 0;
	}
	return 1;
}

static int refuses_craft(const struct craft *c, const char *must_mention)
{
	size_t len;
	unsigned char *buf = build(&len, c);
	int r = refuses(buf, len, NULL);
	if (r && must_mention && !strstr(pl_error_last()->message, must_mention)) {
		diag("message '%s' does not mention '%s'", pl_error_last()->message, must_mention);
		r = 0;
	}
	free(buf);
	return r;
}

/* An op the decoder accepted re-encodes to exactly its bytes. */
static size_t nreenc, nreenc_bad;
static int reencodes(const pl_op *op, const unsigned char *buf, size_t len)
{
	unsigned char *enc = NULL;
	size_t elen = 0;
	int same = pl_op_encode(&enc, &elen, op) == 0 && elen == len && !memcmp(enc, buf, len);

	free(enc);
	nreenc++;
	if (!same) {
		nreenc_bad++;
		diag("an accepted op of %zu bytes re-encodes to %zu other bytes", len, elen);
	}
	return same;
}

static int decodes_craft(const struct craft *c)
{
	size_t len;
	unsigned char *buf = build(&len, c);
	pl_op *op = NULL;
	int rc = pl_op_decode(&op, buf, len, NULL);
	if (rc)
		diag("%s", pl_error_last()->message);
	else if (!reencodes(op, buf, len))
		rc = PL_ERROR;
	pl_op_free(op);
	free(buf);
	return rc == 0;
}

/* ---- the stories ---- */

static unsigned char *good_op(size_t *len)
{
	struct craft c;
	init_craft(&c);
	return build(len, &c);
}

static void test_truncation_and_trailing(void)
{
	size_t len, bad = 0;
	unsigned char *buf = good_op(&len), *big;
	pl_op *op = NULL;

	ok(pl_op_decode(&op, buf, len, NULL) == 0 && op && op->seq == 2 && !strcmp(op->node, "AAA"),
	   "the crafted op is valid to begin with (%zu bytes)", len);
	pl_op_free(op);
	for (size_t n = 0; n < len; n++)
		if (!refuses(buf, n, NULL)) {
			diag("prefix of %zu bytes was not refused", n);
			bad++;
		}
	ok(bad == 0, "every truncation (all %zu prefix lengths) is refused as corrupt", len);

	big = malloc(len + 8);
	memcpy(big, buf, len);
	memcpy(big + len, "\x00\xc0\x01\xa1x\x90\x80\xff", 8);
	bad = 0;
	for (size_t extra = 1; extra <= 8; extra++) {
		op = NULL;
		if (pl_op_decode(&op, big, len + extra, NULL) != PL_ECORRUPT || op ||
		    !strstr(pl_error_last()->message, "trailing"))
			bad++;
		pl_op_free(op);
	}
	ok(bad == 0, "1 to 8 trailing bytes after a whole op are refused as trailing bytes");
	{
		size_t off = 0;
		op = NULL;
		int rc = pl_op_decode_next(&op, big, len + 1, &off, NULL);
		ok(rc == 0 && off == len, "in a batch, the op before stray bytes still decodes");
		pl_op_free(op);
		op = NULL;
		rc = pl_op_decode_next(&op, big, len + 1, &off, NULL);
		ok(rc == PL_ECORRUPT && off == len && !op, "and the stray byte after it is corrupt, offset unmoved");
	}
	free(big);
	free(buf);
	ok(refuses((const unsigned char *)"", 0, NULL), "an empty buffer is not an op");
}

static void test_huge_headers(void)
{
	static const struct {
		const char *what;
		unsigned char bytes[12];
		size_t len;
	} tops[] = {
		{ "a map32 of 0xFFFFFFFF pairs", { 0xdf, 0xff, 0xff, 0xff, 0xff, 0xa1, 'v', 0x01 }, 8 },
		{ "an array32 of 0xFFFFFFFF elements", { 0xdd, 0xff, 0xff, 0xff, 0xff, 0x01, 0x02 }, 7 },
		{ "a str32 of 0xFFFFFFFF bytes", { 0xdb, 0xff, 0xff, 0xff, 0xff, 'a', 'b', 'c' }, 8 },
		{ "a bin32 of 0xFFFFFFFF bytes", { 0xc6, 0xff, 0xff, 0xff, 0xff, 0x00 }, 6 },
		{ "a map16 of 0xFFFF pairs", { 0xde, 0xff, 0xff, 0xa1, 'v', 0x01 }, 6 },
	};
	for (size_t i = 0; i < sizeof(tops) / sizeof(tops[0]); i++)
		ok(refuses(tops[i].bytes, tops[i].len, NULL), "%s with a few bytes after it is refused", tops[i].what);

	/* the same headers as a value inside fields, with a whole op after them */
	for (size_t i = 0; i < sizeof(tops) / sizeof(tops[0]); i++) {
		struct craft c;
		unsigned char *f;
		size_t flen;
		init_craft(&c);
		f = fields_with(&flen, tops[i].bytes, 5);
		c.fields = f;
		c.fieldslen = flen;
		ok(refuses_craft(&c, NULL), "%s inside fields is refused", tops[i].what);
		free(f);
	}
	{
		/* a map32 claiming 0xFFFFFFFF keys as the op itself, then a real op's keys */
		size_t len;
		unsigned char *good = good_op(&len), *buf = malloc(len + 4);
		buf[0] = 0xdf;
		buf[1] = buf[2] = buf[3] = buf[4] = 0xff;
		memcpy(buf + 5, good + 1, len - 1);
		ok(refuses(buf, len + 4, NULL), "an op whose map header claims 0xFFFFFFFF keys is refused");
		free(buf);
		free(good);
	}
}

static void test_nesting(void)
{
	static const int depths[] = { 9, 100, 10000 };
	for (size_t d = 0; d < sizeof(depths) / sizeof(depths[0]); d++) {
		int n = depths[d];
		unsigned char *v = malloc((size_t)n + 1), *f;
		size_t flen;
		struct craft c;
		memset(v, 0x91, (size_t)n);   /* [[[[ ... ]]]] */
		v[n] = 0x01;
		f = fields_with(&flen, v, (size_t)n + 1);
		init_craft(&c);
		c.fields = f;
		c.fieldslen = flen;
		ok(refuses_craft(&c, "nest"), "%d nested arrays inside fields are refused as too deep", n);
		free(f);
		free(v);
	}
	{
		/* 10000 nested maps {"a":{"a":...}} */
		int n = 10000;
		unsigned char *v = malloc(3 * (size_t)n + 1), *f;
		size_t flen;
		struct craft c;
		for (int i = 0; i < n; i++) {
			v[3 * i] = 0x81;
			v[3 * i + 1] = 0xa1;
			v[3 * i + 2] = 'a';
		}
		v[3 * n] = 0xc0;
		f = fields_with(&flen, v, 3 * (size_t)n + 1);
		init_craft(&c);
		c.fields = f;
		c.fieldslen = flen;
		ok(refuses_craft(&c, "nest"), "10000 nested maps inside fields are refused as too deep");
		free(f);
		free(v);
	}
	{
		/* the deepest nesting the limit allows still decodes: fields + 7 arrays */
		pl_op_limits lim = PL_OP_LIMITS_INIT;
		int n = lim.max_depth - 1;
		unsigned char v[64], *f;
		size_t flen;
		struct craft c;
		memset(v, 0x91, (size_t)n);
		v[n] = 0x01;
		f = fields_with(&flen, v, (size_t)n + 1);
		init_craft(&c);
		c.fields = f;
		c.fieldslen = flen;
		ok(decodes_craft(&c), "nesting right at the limit (%d levels) still decodes", lim.max_depth);
		v[n] = 0x91;
		v[n + 1] = 0x01;
		free(f);
		f = fields_with(&flen, v, (size_t)n + 2);
		c.fields = f;
		c.fieldslen = flen;
		ok(refuses_craft(&c, "nest"), "one level more is refused");
		free(f);
	}
}

static void test_wrong_types(void)
{
	/* which variants are legitimate for each key (in a seq-2 op) */
	static const struct {
		const char *key;
		unsigned good;   /* bitmask of variants that are valid there */
	} keys[] = {
		{ "v", 0 },                        /* only the uint 1 */
		{ "node", 0 },                     /* "x" is not a node code */
		{ "seq", 1u << V_INT },
		{ "prev", 1u << V_BIN20 },
		{ "hlc", 1u << V_INT },
		{ "actor", 1u << V_STR },
		{ "kind", 1u << V_STR },
		{ "rec", 1u << V_STR },
		{ "base", 1u << V_ARRAY },
		{ "op", 0 },                       /* only "put" or "del" */
		{ "fields", 1u << V_MAP },
		{ "note", 1u << V_STR },
	};
	struct craft c;

	init_craft(&c);
	ok(decodes_craft(&c), "the unaltered crafted op decodes");
	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		int bad = 0, good = 0, want_good = 0;
		for (int v = 0; v < NVARIANTS; v++) {
			init_craft(&c);
			c.bad = keys[k].key;
			c.variant = v;
			if (keys[k].good & (1u << v)) {
				want_good++;
				good += decodes_craft(&c);
			} else if (!refuses_craft(&c, keys[k].key)) {
				diag("'%s' = %s was not refused naming the key", keys[k].key, variant_names[v]);
				bad++;
			}
		}
		ok(bad == 0 && good == want_good,
		   "key '%s' holding a value of the wrong type is refused, naming the key", keys[k].key);
	}

	{
		/* base holding something other than 20-byte ids */
		struct craft b;
		init_craft(&b);
		b.bad = "base";
		b.variant = V_BIN20;   /* a bare bin, not an array of bins */
		ok(refuses_craft(&b, "base"), "a base that is a bare id, not a list, is refused");
	}
	{
		/* op value neither put nor del */
		unsigned char *buf;
		size_t len;
		pl_op *op = NULL;
		init_craft(&c);
		buf = build(&len, &c);
		/* "put" -> "pot" in place */
		unsigned char *p = memmem(buf, len, "\xa3put", 4);
		if (p)
			p[2] = 'o';
		ok(p && pl_op_decode(&op, buf, len, NULL) == PL_ECORRUPT && !op, "an op that is \"pot\" is refused");
		free(buf);
	}
}

static void test_keys(void)
{
	struct craft c;

	init_craft(&c);
	c.keys[0] = "node";
	c.keys[1] = "v";
	ok(refuses_craft(&c, NULL), "keys out of order (node before v) are refused");

	init_craft(&c);
	c.keys[10] = "note";
	c.keys[11] = "fields";
	ok(refuses_craft(&c, NULL), "note before fields is refused");

	init_craft(&c);
	c.keys[11] = "nope";
	ok(refuses_craft(&c, "note"), "an unknown key in the note's place is refused");

	init_craft(&c);
	c.keys[3] = "previous";
	ok(refuses_craft(&c, "prev"), "a misspelt key is refused");

	init_craft(&c);
	c.keys[2] = "v";
	ok(refuses_craft(&c, NULL), "a repeated key is refused");

	init_craft(&c);
	c.keys[10] = NULL;   /* 10 keys: no fields, no note */
	ok(refuses_craft(&c, NULL), "an op of 10 keys is refused");

	init_craft(&c);
	c.keys[12] = "extra";
	c.keys[13] = NULL;   /* 13 keys */
	ok(refuses_craft(&c, NULL), "an op of 13 keys is refused");

	init_craft(&c);
	c.keys[11] = NULL;   /* 11 keys: no note, still valid */
	ok(decodes_craft(&c), "an op of 11 keys (no note) decodes");

	{
		/* an op that is an array, not a map */
		unsigned char arr[] = { 0x92, 0x01, 0x02 };
		ok(refuses(arr, sizeof(arr), NULL), "an op that is an array, not a map, is refused");
	}
}

static void test_chain_keys(void)
{
	struct craft c;

	init_craft(&c);
	c.seq = 0;
	c.prevlen = -1;
	ok(refuses_craft(&c, "seq"), "seq 0 is refused");

	init_craft(&c);
	c.seq = 1;
	ok(refuses_craft(&c, "prev"), "seq 1 with a prev is refused");

	init_craft(&c);
	c.seq = 1;
	c.prevlen = -1;
	ok(decodes_craft(&c), "seq 1 without a prev decodes");

	init_craft(&c);
	c.prevlen = -1;
	ok(refuses_craft(&c, "prev"), "seq 2 without a prev is refused");

	init_craft(&c);
	c.prevlen = 19;
	ok(refuses_craft(&c, "prev"), "a prev of 19 bytes is refused");

	init_craft(&c);
	c.prevlen = 21;
	ok(refuses_craft(&c, "prev"), "a prev of 21 bytes is refused");

	init_craft(&c);
	c.node = "aaa";
	ok(refuses_craft(&c, "node"), "a lower-case node code is refused");

	init_craft(&c);
	c.node = "";
	ok(refuses_craft(&c, "node"), "an empty node code is refused");
}

static void test_values(void)
{
	static const struct {
		const char *what;
		const char *bytes;
		size_t len;
	} vals[] = {
		{ "invalid UTF-8 (a lone continuation byte)", "\xa2\x80\x41", 3 },
		{ "invalid UTF-8 (an overlong slash)", "\xa2\xc0\xaf", 3 },
		{ "invalid UTF-8 (a surrogate)", "\xa3\xed\xa0\x80", 4 },
		{ "a NUL inside a string", "\xa3\x61\x00\x62", 4 },
		{ "a bin value", "\xc4\x03\x01\x02\x03", 5 },
		{ "an ext value (fixext1)", "\xd4\x01\x02", 3 },
		{ "an ext value (ext8)", "\xc7\x02\x05\x01\x02", 5 },
		{ "a timestamp ext", "\xd6\xff\x00\x00\x00\x01", 6 },
		{ "the never-used byte 0xc1", "\xc1", 1 },
		{ "a uint64 above INT64_MAX", "\xcf\xff\xff\xff\xff\xff\xff\xff\xff", 9 },
		{ "a float64 NaN", "\xcb\x7f\xf8\x00\x00\x00\x00\x00\x00", 9 },
		{ "a float32 infinity", "\xca\x7f\x80\x00\x00", 5 },
		{ "a list holding a bin", "\x92\x01\xc4\x01\x00", 5 },
	};
	for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		struct craft c;
		unsigned char *f;
		size_t flen;
		init_craft(&c);
		f = fields_with(&flen, (const unsigned char *)vals[i].bytes, vals[i].len);
		c.fields = f;
		c.fieldslen = flen;
		ok(refuses_craft(&c, NULL), "%s inside fields is refused", vals[i].what);
		free(f);
	}
	{
		/* map keys inside fields: not strings, empty, NUL, duplicate */
		static const struct {
			const char *what;
			const char *bytes;
			size_t len;
		} maps[] = {
			{ "an integer map key", "\x81\x01\x02", 3 },
			{ "an empty map key", "\x81\xa0\x02", 3 },
			{ "a map key with a NUL", "\x81\xa2\x61\x00\x02", 5 },
			{ "a duplicate map key", "\x82\xa1\x62\x01\xa1\x62\x02", 7 },
		};
		for (size_t i = 0; i < sizeof(maps) / sizeof(maps[0]); i++) {
			struct craft c;
			init_craft(&c);
			c.fields = (const unsigned char *)maps[i].bytes;
			c.fieldslen = maps[i].len;
			ok(refuses_craft(&c, NULL), "%s in fields is refused", maps[i].what);
		}
	}
	{
		/* a NUL in a top-level string key: node and actor */
		struct craft c;
		unsigned char *buf;
		size_t len;
		init_craft(&c);
		buf = build(&len, &c);
		unsigned char *p = memmem(buf, len, "Tess", 4);
		if (p)
			p[1] = '\0';
		ok(p && refuses(buf, len, NULL), "a NUL inside the actor is refused");
		free(buf);
	}
	{
		/* valid UTF-8 of all widths is fine */
		struct craft c;
		unsigned char *f;
		size_t flen;
		const char *v = "\xaa" "\x41\xc3\xa9\xe6\x97\xa5\xf0\x9f\x8e\x93\xe2\x80\x94\x5a";
		init_craft(&c);
		f = fields_with(&flen, (const unsigned char *)v, 11);
		c.fields = f;
		c.fieldslen = flen;
		ok(decodes_craft(&c), "valid UTF-8 of 1 to 4 bytes per character decodes");
		free(f);
	}
}

static void test_sizes(void)
{
	pl_op_limits lim = PL_OP_LIMITS_INIT;
	struct craft c;
	unsigned char *v, *f;
	size_t flen;

	/* a string of exactly the limit, then one byte more */
	v = malloc(lim.max_value + 6);
	v[0] = 0xda;
	v[1] = (unsigned char)(lim.max_value >> 8);
	v[2] = (unsigned char)lim.max_value;
	memset(v + 3, 'x', lim.max_value + 1);
	f = fields_with(&flen, v, 3 + lim.max_value);
	init_craft(&c);
	c.fields = f;
	c.fieldslen = flen;
	ok(decodes_craft(&c), "a string of exactly %zu bytes decodes", lim.max_value);
	free(f);
	v[1] = (unsigned char)((lim.max_value + 1) >> 8);
	v[2] = (unsigned char)(lim.max_value + 1);
	f = fields_with(&flen, v, 3 + lim.max_value + 1);
	c.fields = f;
	c.fieldslen = flen;
	ok(refuses_craft(&c, "limit"), "a string of %zu bytes is refused as oversize", lim.max_value + 1);
	free(f);
	free(v);

	/* five strings of 15000 bytes: each fine, the op over 64 KiB */
	{
		size_t n = 5, one = 15000, total = 1 + n * (2 + 3 + one);
		unsigned char *m = malloc(total), *p = m, *buf;
		size_t len;
		pl_op *op = NULL;
		*p++ = (unsigned char)(0x80 | n);
		for (size_t i = 0; i < n; i++) {
			*p++ = 0xa1;
			*p++ = (unsigned char)('a' + i);
			*p++ = 0xda;
			*p++ = (unsigned char)(one >> 8);
			*p++ = (unsigned char)one;
			memset(p, 'y', one);
			p += one;
		}
		init_craft(&c);
		c.fields = m;
		c.fieldslen = total;
		buf = build(&len, &c);
		ok(len > lim.max_op && refuses(buf, len, NULL) && strstr(pl_error_last()->message, "limit"),
		   "an op of %zu bytes (over %zu) is refused", len, lim.max_op);
		lim.max_op = 1 << 20;
		ok(pl_op_decode(&op, buf, len, &lim) == 0, "the same op decodes when the caller raises the op limit");
		pl_op_free(op);
		op = NULL;
		lim.max_op = 64 * 1024;
		lim.max_value = 1000;
		ok(refuses(buf, len, &lim), "and a caller's lower value limit is enforced too");
		free(buf);
		free(m);
	}
}

/* xorshift64*: a fixed seed, so a failure can be replayed */
static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint64_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 2685821657736338717ull;
}

static void test_random(void)
{
	size_t len, bad = 0, decoded = 0, refused = 0, n = 0;
	unsigned char *good = good_op(&len), buf[600];

	for (int i = 0; i < 4000; i++) {
		size_t blen = 1 + rnd() % sizeof(buf);
		for (size_t j = 0; j < blen; j++)
			buf[j] = (unsigned char)rnd();
		/* half of them start like an op map to get past the first byte */
		if (i & 1)
			buf[0] = (unsigned char)(0x8b + (rnd() & 1));
		if (!refuses(buf, blen, NULL))
			bad++;
	}
	ok(bad == 0, "4000 seeded random buffers are all refused as corrupt");

	/* every single-byte mutation of a valid op: decode or refuse, never crash */
	bad = 0;
	for (size_t pos = 0; pos < len; pos++) {
		for (int b = 0; b < 256; b++) {
			pl_op *op = NULL;
			int rc;
			if (b == good[pos])
				continue;
			memcpy(buf, good, len);
			buf[pos] = (unsigned char)b;
			pl_error_clear();
			rc = pl_op_decode(&op, buf, len, NULL);
			n++;
			if (rc == 0 && op) {
				decoded++;
				reencodes(op, buf, len);
			} else if (rc == PL_ECORRUPT && !op && pl_error_last()->message[0]) {
				refused++;
			} else {
				bad++;
				diag("byte %zu = 0x%02x gave %d", pos, b, rc);
			}
			pl_op_free(op);
		}
	}
	ok(bad == 0, "all %zu single-byte mutations decode or are refused as corrupt with a message", n);
	diag("%zu decoded (text changed), %zu refused", decoded, refused);

	/* the structure is not negotiable: any change to the map header or a key is refused */
	{
		unsigned char structural[600] = { 0 };
		size_t at = 1, nstruct = 1;
		structural[0] = 1;
		for (int k = 0; std_keys[k]; k++) {
			unsigned char pat[16];
			size_t kl = strlen(std_keys[k]);
			unsigned char *p;
			pat[0] = (unsigned char)(0xa0 | kl);
			memcpy(pat + 1, std_keys[k], kl);
			if (!(p = memmem(good + at, len - at, pat, kl + 1)))
				bail("key %s not found in the crafted op", std_keys[k]);
			at = (size_t)(p - good);
			for (size_t j = 0; j <= kl; j++, nstruct++)
				structural[at + j] = 1;
			at += kl + 1;
		}
		bad = 0;
		for (size_t pos = 0; pos < len; pos++) {
			if (!structural[pos])
				continue;
			for (int b = 0; b < 256; b++) {
				if (b == good[pos])
					continue;
				memcpy(buf, good, len);
				buf[pos] = (unsigned char)b;
				if (!refuses(buf, len, NULL)) {
					diag("byte %zu = 0x%02x was accepted", pos, b);
					bad++;
				}
			}
		}
		ok(bad == 0, "every mutation of the map header or of a key's %zu bytes is refused", nstruct);
	}

	/* a few thousand multi-byte mutations, some of them also truncated */
	bad = 0;
	for (int i = 0; i < 3000; i++) {
		pl_op *op = NULL;
		size_t blen = (i % 3 == 0) ? 1 + rnd() % len : len;
		int rc;
		memcpy(buf, good, len);
		for (int m = 1 + (int)(rnd() % 4); m > 0; m--)
			buf[rnd() % blen] = (unsigned char)rnd();
		rc = pl_op_decode(&op, buf, blen, NULL);
		if (!((rc == 0 && op) || (rc == PL_ECORRUPT && !op)))
			bad++;
		if (rc == 0 && op)
			reencodes(op, buf, blen);
		pl_op_free(op);
	}
	ok(bad == 0, "3000 random multi-byte mutations decode or are refused, never anything else");
	free(good);
}

/* A valid op with `nf` random fields of every type (nested maps, arrays,
 * ints of every width, floats, UTF-8 and empty strings), a base and a note. */
static unsigned char *rich_op(size_t *len, int nf)
{
	static const char *const texts[] = { "", "x", "\xc3\xa9t\xc3\xa9", "\xf0\x9f\x98\x80 ok", "Ann Lee" };
	static const json_int_t ints[] = { 0, 1, 127, 128, 255, 256, 65535, 65536, -1, -32, -33, -129,
	                                   -32769, 4294967296LL, -2147483649LL };
	pl_oid base[2];
	pl_op op;
	unsigned char *enc = NULL;

	memset(&op, 0, sizeof(op));
	memset(base, 0x5a, sizeof(base));
	base[1].id[0] = 1;
	op.v = PL_OP_VERSION;
	op.node = "LIN01";
	op.seq = 1 + rnd() % 100000;
	op.has_prev = op.seq > 1;
	op.hlc = (1767225600000ull << 16) + rnd() % 100000;
	op.actor = "Tess <t@example.org>";
	op.kind = "pd_entry";
	op.rec = "LIN01-7K3Q2";
	op.base = base;
	op.nbase = rnd() % 3;
	op.type = PL_OP_PUT;
	op.note = rnd() & 1 ? "a reason" : NULL;
	op.fields = json_object();
	for (int i = 0; i < nf; i++) {
		char key[16];
		json_t *v;
		snprintf(key, sizeof(key), "%c%d", (char)('a' + rnd() % 26), (int)(rnd() % 100));
		switch (rnd() % 6) {
		case 0: v = json_integer(ints[rnd() % (sizeof(ints) / sizeof(ints[0]))]); break;
		case 1: v = json_real((double)(rnd() % 1000) / 8.0); break;
		case 2: v = json_string(texts[rnd() % 5]); break;
		case 3: v = json_pack("[is]", (int)(rnd() % 300), texts[rnd() % 5]); break;
		case 4: v = json_pack("{s{sb}sn}", "in", "b", (int)(rnd() & 1), "z"); break;
		default: v = json_null();
		}
		json_object_set_new(op.fields, key, v);
	}
	if (pl_op_encode(&enc, len, &op))
		bail("encode: %s", pl_error_last()->message);
	json_decref(op.fields);
	return enc;
}

/*
 * Issue 9, D5: every op the decoder accepts re-encodes to exactly its
 * bytes (so an op has one id and no field vanishes on the way): over the
 * crafted samples above, and over seeded random mutations of rich valid
 * ops. A key that is not UTF-8 was dropped silently; it is refused.
 */
static void test_reencoding(void)
{
	size_t accepted = 0, n = 0, bad = 0;

	nreenc_bad = 0;
	for (int i = 0; i < 300; i++) {
		size_t len;
		unsigned char *good = rich_op(&len, 1 + (int)(rnd() % 12));
		pl_op *op = NULL;
		if (pl_op_decode(&op, good, len, NULL) != 0 || !reencodes(op, good, len))
			bad++;
		pl_op_free(op);
		for (int m = 0; m < 20; m++) {
			unsigned char *buf = malloc(len);
			if (!buf)
				bail("out of memory");
			memcpy(buf, good, len);
			for (int k = 1 + (int)(rnd() % 3); k > 0; k--)
				buf[rnd() % len] = (unsigned char)rnd();
			op = NULL;
			n++;
			if (pl_op_decode(&op, buf, len, NULL) == 0) {
				accepted++;
				reencodes(op, buf, len);
			}
			pl_op_free(op);
			free(buf);
		}
		free(good);
	}
	ok(bad == 0, "300 seeded rich valid ops decode and re-encode to their bytes");
	ok(nreenc_bad == 0, "every accepted op re-encodes to exactly its bytes (%zu checked, %zu of %zu mutations "
	   "accepted)", nreenc, accepted, n);

	{
		/* fields {"ti\xffle": "x"}: the key is not UTF-8 */
		unsigned char f[] = { 0x81, 0xa5, 't', 'i', 0xff, 'l', 'e', 0xa1, 'x' };
		struct craft c;
		init_craft(&c);
		c.fields = f;
		c.fieldslen = sizeof(f);
		ok(refuses_craft(&c, "not valid UTF-8"), "a field whose key is not UTF-8 is refused as corrupt");
		ok(strstr(pl_error_last()->message, "op AAA/2") && strstr(pl_error_last()->message, "'ti?le'"),
		   "naming the op and the key, scrubbed (%s)", pl_error_last()->message);
		f[4] = 'T';
		ok(decodes_craft(&c), "the same op with a UTF-8 key decodes");
		unsigned char g[] = { 0x81, 0xa1, 'a', 0x81, 0xa2, 0xc3, 0x28, 0xc0 };
		c.fields = g;
		c.fieldslen = sizeof(g);
		ok(refuses_craft(&c, "not valid UTF-8"), "and so is a nested key that is not UTF-8");
		/* non-canonical encodings of valid content: one op, one byte string */
		unsigned char u8[] = { 0x81, 0xa1, 'a', 0xcc, 0x05 };          /* uint8 for 5 */
		unsigned char s8[] = { 0x81, 0xa1, 'a', 0xd9, 0x01, 'x' };     /* str8 for "x" */
		unsigned char f32[] = { 0x81, 0xa1, 'a', 0xca, 0x3f, 0xc0, 0x00, 0x00 }; /* float32 1.5 */
		unsigned char uns[] = { 0x82, 0xa1, 'b', 0xc3, 0xa1, 'a', 0xc2 };  /* keys b, a */
		c.fields = u8; c.fieldslen = sizeof(u8);
		ok(refuses_craft(&c, "canonical"), "a long encoding of a small int is refused as not canonical");
		c.fields = s8; c.fieldslen = sizeof(s8);
		ok(refuses_craft(&c, "canonical"), "so is a long string header");
		c.fields = f32; c.fieldslen = sizeof(f32);
		ok(refuses_craft(&c, "canonical"), "a 32-bit float");
		c.fields = uns; c.fieldslen = sizeof(uns);
		ok(refuses_craft(&c, "canonical"), "and unsorted keys");
	}
}

static void test_batch(void)
{
	unsigned char *ops[3], *batch;
	size_t lens[3], total = 0, off = 0;
	pl_op *op = NULL;
	int rc, order_ok = 1;
	struct craft c;

	for (int i = 0; i < 3; i++) {
		init_craft(&c);
		c.seq = (uint64_t)i + 1;
		c.prevlen = i ? 20 : -1;
		if (i == 2)
			c.keys[11] = NULL;   /* different lengths: one without note */
		ops[i] = build(&lens[i], &c);
		total += lens[i];
	}
	batch = malloc(total);
	for (int i = 0, p = 0; i < 3; p += (int)lens[i], i++)
		memcpy(batch + p, ops[i], lens[i]);
	for (int i = 0; i < 3; i++) {
		size_t before = off;
		rc = pl_op_decode_next(&op, batch, total, &off, NULL);
		if (rc || !op || op->seq != (uint64_t)i + 1 || off != before + lens[i])
			order_ok = 0;
		pl_op_free(op);
		op = NULL;
	}
	ok(order_ok, "pl_op_decode_next reads a batch of three ops in order, advancing past each");
	rc = pl_op_decode_next(&op, batch, total, &off, NULL);
	is_int(rc, PL_ENOTFOUND, "and then reports the end of the batch");
	ok(off == total && op == NULL, "with the offset at the end and no op");
	ok(refuses(batch, total, NULL), "pl_op_decode refuses a whole batch (bytes trail the first op)");

	/* a batch whose second op is cut short */
	off = 0;
	rc = pl_op_decode_next(&op, batch, lens[0] + lens[1] - 1, &off, NULL);
	pl_op_free(op);
	op = NULL;
	ok(rc == 0 && off == lens[0], "a batch cut inside its second op gives the first op");
	rc = pl_op_decode_next(&op, batch, lens[0] + lens[1] - 1, &off, NULL);
	ok(rc == PL_ECORRUPT && off == lens[0] && !op, "then refuses the cut op without moving the offset");
	free(batch);
	for (int i = 0; i < 3; i++)
		free(ops[i]);
}

/* Text in an op (ids, actor) is UTF-8: JSON, git paths and the audit
 * output all need it; anything else is refused. */
static void test_text(void)
{
	static const char *const bad[] = {
		"caf\xe9",            /* Latin-1 */
		"\xc0\xaf",          /* overlong '/' */
		"A\xed\xa0\x80",    /* a surrogate */
		"\xf4\x90\x80\x80", /* past U+10FFFF */
		"x\xe2\x82",         /* cut short */
	};
	struct craft c;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		init_craft(&c);
		c.rec = bad[i];
		ok(refuses_craft(&c, "not UTF-8"), "a record id that is not UTF-8 is refused (case %zu)", i);
		init_craft(&c);
		c.actor = bad[i];
		ok(refuses_craft(&c, "not UTF-8"), "an actor that is not UTF-8 is refused (case %zu)", i);
	}
	init_craft(&c);
	c.rec = "caf\xc3\xa9-\xe2\x82\xac-\xf0\x9f\x8e\x93";
	ok(decodes_craft(&c), "UTF-8 ids of 2, 3 and 4 bytes a character decode");
}

/* An actor is one line of every log: a control character in it could forge
 * a line ("Eve\nAAA/9 ... Tess") or drive the auditor's terminal (ESC [2J
 * clears it). It is refused, with the op named; so is one in a record id. A
 * note or field value may hold any text: outputs escape it. */
static void test_controls(void)
{
	static const char *const bad[] = {
		"Eve <e@x.org>\nAAA/9  2026-01-01T00:00:00.000Z  Tess <t@example.org>",
		"Eve\x1b[2J <e@x.org>",
		"Eve\t<e@x.org>",
		"Eve\r",
		"Eve\x7f",
		"Eve \xc2\x9b" "2J",   /* C1 CSI, U+009B */
		"Eve \xc2\x85",        /* C1 NEL */
	};
	struct craft c;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		init_craft(&c);
		c.actor = bad[i];
		ok(refuses_craft(&c, "op AAA/2: the actor holds the control character U+00"),
		   "an actor with a control character is refused, naming the op (case %zu)", i);
		init_craft(&c);
		c.rec = i == 0 ? "AAA-1\nx" : i == 1 ? "AAA-\x1b[2J" : "AAA-\xc2\x9b";
		if (i < 3)
			ok(refuses_craft(&c, "not a valid record id"), "a record id with a control character is refused (case %zu)", i);
	}
	init_craft(&c);
	c.actor = "Zo\xc3\xab \xc3\x9cnal <zoe@example.org>";
	ok(decodes_craft(&c), "an actor with accents decodes");
	init_craft(&c);
	c.note = "line one\nline two\x1b[2J";
	ok(decodes_craft(&c), "a note with a newline and an escape decodes (outputs escape it)");
}

int main(void)
{
	pl_init();
	test_text();
	test_controls();
	test_truncation_and_trailing();
	test_huge_headers();
	test_nesting();
	test_wrong_types();
	test_keys();
	test_chain_keys();
	test_values();
	test_sizes();
	test_random();
	test_batch();
	test_reencoding();
	pl_shutdown();
	return done_testing();
}
