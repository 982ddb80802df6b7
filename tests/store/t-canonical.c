/*
 * One value, one form. An op has one encoding, the one pl_op_encode makes:
 * msgpack's longer spellings of the same op (a uint8 for 2, a str8 for a
 * four-letter string, a float32, a map16 of four keys, keys out of order)
 * decode to the same op but would give it a second id, so the decoder
 * refuses them (fuzz-op found them: they re-encoded to other bytes). And
 * canonical JSON writes every number so that a JSON reader gets the same
 * value back, and the same text again (fuzz-json found 1.3e21 written as an
 * integer no reader takes, 1e-7 written as 0, 1e300 cut to 31 digits).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plsync/json.h"
#include "plsync/plsync.h"
#include "../tap.h"

static unsigned char *base_enc;
static size_t base_len;

static void make_base(void)
{
	pl_op op = { 0 };
	op.v = PL_OP_VERSION;
	op.node = "LIN01";
	op.seq = 2;
	op.has_prev = 1;
	memset(op.prev.id, 0xab, PL_OID_RAWSZ);
	op.hlc = 1789000000000ull << 16;
	op.actor = "Ann Lee <ann@x.example>";
	op.kind = "pd_entry";
	op.rec = "LIN01-AAAAA";
	op.type = PL_OP_PUT;
	op.fields = json_pack("{s:f, s:i, s:s, s:s}", "hours", 6.5, "minutes", 50, "staff", "E100", "title", "x");
	if (pl_op_encode(&base_enc, &base_len, &op))
		bail("encoding the base op: %s", pl_error_last()->message);
	json_decref(op.fields);
}

/* The base op with the first `from` (n bytes) replaced by `to` (m bytes). */
static unsigned char *variant(size_t *len, const char *from, size_t n, const char *to, size_t m)
{
	unsigned char *at = memmem(base_enc, base_len, from, n), *out;
	size_t pre;

	if (!at)
		bail("the base op has no such bytes");
	pre = (size_t)(at - base_enc);
	out = malloc(base_len - n + m);
	memcpy(out, base_enc, pre);
	memcpy(out + pre, to, m);
	memcpy(out + pre + m, at + n, base_len - pre - n);
	*len = base_len - n + m;
	return out;
}

#define VARIANT(len, from, to) variant(len, from, sizeof(from) - 1, to, sizeof(to) - 1)

static void refused(unsigned char *enc, size_t len, const char *what)
{
	pl_op *op = NULL;
	int rc = pl_op_decode(&op, enc, len, NULL);

	if (!is_int(rc, PL_ECORRUPT, "an op with %s is refused as corrupt", what))
		diag("decoded: %s", rc ? pl_error_last()->message : "accepted");
	else if (!ok(strstr(pl_error_last()->message, "not in canonical form") != NULL,
	             "  and the message says it is not the op's encoding"))
		diag("%s", pl_error_last()->message);
	pl_op_free(op);
	free(enc);
}

static void test_op_encodings(void)
{
	unsigned char *enc, *batch;
	size_t len;
	pl_op *op = NULL;

	make_base();
	is_int(pl_op_decode(&op, base_enc, base_len, NULL), 0, "the op as pl_op_encode makes it decodes");
	pl_op_free(op);

	enc = VARIANT(&len, "\xa3seq\x02", "\xa3seq\xcc\x02");
	refused(enc, len, "seq 2 as a uint8");
	enc = VARIANT(&len, "\xa3seq\x02", "\xa3seq\xd0\x02");
	refused(enc, len, "seq 2 as an int8");
	enc = VARIANT(&len, "\xa7minutes\x32", "\xa7minutes\xcd\x00\x32");
	refused(enc, len, "a field's 50 as a uint16");
	enc = VARIANT(&len, "\xa5staff\xa4" "E100", "\xa5staff\xd9\x04" "E100");
	refused(enc, len, "a four-byte string as a str8");
	enc = VARIANT(&len, "\xa5hours\xcb\x40\x1a\x00\x00\x00\x00\x00\x00", "\xa5hours\xca\x40\xd0\x00\x00");
	refused(enc, len, "6.5 as a float32");
	enc = VARIANT(&len, "\xa6" "fields\x84", "\xa6" "fields\xde\x00\x04");
	refused(enc, len, "a map16 of four fields");
	enc = VARIANT(&len, "\xa4" "base\x90", "\xa4" "base\xdc\x00\x00");
	refused(enc, len, "an empty array16 as base");
	enc = VARIANT(&len, "\xa5staff\xa4" "E100\xa5title\xa1x", "\xa5title\xa1x\xa5staff\xa4" "E100");
	refused(enc, len, "field keys out of order");

	/* in a batch, the op after a good one names its byte */
	enc = VARIANT(&len, "\xa3seq\x02", "\xa3seq\xcc\x02");
	batch = malloc(base_len + len);
	memcpy(batch, base_enc, base_len);
	memcpy(batch + base_len, enc, len);
	{
		size_t off = 0;
		int rc1 = pl_op_decode_next(&op, batch, base_len + len, &off, NULL), rc2;
		pl_op_free(op);
		op = NULL;
		rc2 = pl_op_decode_next(&op, batch, base_len + len, &off, NULL);
		char want[64];
		snprintf(want, sizeof(want), "op at byte %zu", base_len);
		ok(rc1 == 0 && rc2 == PL_ECORRUPT && strstr(pl_error_last()->message, want),
		   "a batch's second op in a longer form is refused, naming its byte");
		pl_op_free(op);
	}
	free(batch);
	free(enc);
	free(base_enc);
}

static void test_json_numbers(void)
{
	static const struct {
		double d;
		const char *want;
	} cases[] = {
		{ 6.5, "6.5" }, { 0.25, "0.25" }, { 6.0, "6" }, { 12000.0, "12000" }, { 0.1, "0.1" },
		{ -0.001, "-0.001" }, { 1e-7, "0.0000001" }, { 123456789.125, "123456789.125" },
		{ 1e18, "1000000000000000000" }, { -0.0, "0" },
		/* no decimal form reads back or fits in 31 characters: an exponent */
		{ 1.3333333333333332e21, "1.3333333333333332e+21" }, { 1e300, "1e+300" },
		{ 5e-324, "5e-324" }, { -2.5e-300, "-2.5e-300" },
	};
	char num[32];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *v = json_real(cases[i].d), *back;
		char *text, *again;
		json_error_t err;

		pl_json_number(num, v);
		is_str(num, cases[i].want, "the real %.17g is written %s", cases[i].d, cases[i].want);
		text = pl_json_canonical(v);
		back = json_loads(text, JSON_DECODE_ANY, &err);
		ok(back && json_number_value(back) == cases[i].d, "  jansson reads %s back as the same value", num);
		again = back ? pl_json_canonical(back) : NULL;
		ok(again && !strcmp(again, text), "  and its canonical form is the same text");
		free(again);
		free(text);
		json_decref(back);
		json_decref(v);
	}
}

int main(void)
{
	test_op_encodings();
	test_json_numbers();
	return done_testing();
}
