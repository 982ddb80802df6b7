/*
 * The op codec: an op survives encode and decode unchanged whatever its
 * keys hold, its bytes are exactly the ones docs/design.md's key order and the
 * msgpack spec give, its id is git's blob id of those bytes, and the order
 * in which fields were inserted never changes the bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "plsync/json.h"
#include "plsync/plsync.h"
#include "../tap.h"
#include "../testlib.h"

static char dir[] = "/tmp/plsync-t-codec-XXXXXX";

/* Hex digits (spaces ignored) into bytes; returns the length. */
static size_t unhex(unsigned char *out, size_t cap, const char *hex)
{
	size_t n = 0;
	int hi = -1;

	for (; *hex; hex++) {
		int v;
		if (*hex == ' ' || *hex == '\n')
			continue;
		v = *hex <= '9' ? *hex - '0' : (*hex | 0x20) - 'a' + 10;
		if (hi < 0) {
			hi = v;
		} else {
			if (n == cap)
				bail("golden hex longer than its buffer");
			out[n++] = (unsigned char)(hi << 4 | v);
			hi = -1;
		}
	}
	return n;
}

static void show_diff(const unsigned char *got, size_t glen, const unsigned char *want, size_t wlen)
{
	size_t i;
	for (i = 0; i < glen && i < wlen && got[i] == want[i]; i++)
		;
	diag("lengths %zu and %zu, first difference at byte %zu (got 0x%02x, want 0x%02x)", glen, wlen, i,
	     i < glen ? got[i] : 0, i < wlen ? want[i] : 0);
}

/* `git hash-object` of the bytes, through a file in the test's directory. */
static int git_hash(char out[PL_OID_HEXSZ + 1], const unsigned char *buf, size_t len)
{
	char path[256], cmd[400];
	FILE *f, *p;
	int ok = 0;

	snprintf(path, sizeof(path), "%s/op.msgpack", dir);
	if (!(f = fopen(path, "wb")))
		return 0;
	fwrite(buf, 1, len, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "git hash-object --stdin < '%s'", path);
	if (!(p = popen(cmd, "r")))
		return 0;
	if (fgets(out, PL_OID_HEXSZ + 1, p) && strlen(out) == PL_OID_HEXSZ)
		ok = 1;
	if (pclose(p) != 0)
		ok = 0;
	return ok;
}

static int same_oid(const pl_oid *a, const pl_oid *b)
{
	return memcmp(a->id, b->id, PL_OID_RAWSZ) == 0;
}

/* Every part of two ops is equal. Names the first difference in a diag. */
static int op_equal(const pl_op *a, const pl_op *b)
{
	const char *why = NULL;

	if (a->v != b->v) why = "v";
	else if (strcmp(a->node, b->node)) why = "node";
	else if (a->seq != b->seq) why = "seq";
	else if (a->has_prev != b->has_prev || (a->has_prev && !same_oid(&a->prev, &b->prev))) why = "prev";
	else if (a->hlc != b->hlc) why = "hlc";
	else if (strcmp(a->actor, b->actor)) why = "actor";
	else if (strcmp(a->kind, b->kind)) why = "kind";
	else if (strcmp(a->rec, b->rec)) why = "rec";
	else if (a->nbase != b->nbase) why = "base count";
	else if (a->type != b->type) why = "op";
	else if (!json_equal(a->fields, b->fields)) why = "fields";
	else if ((a->note == NULL) != (b->note == NULL) || (a->note && strcmp(a->note, b->note))) why = "note";
	for (size_t i = 0; !why && i < a->nbase; i++)
		if (!same_oid(&a->base[i], &b->base[i]))
			why = "base id";
	if (why)
		diag("ops differ in %s", why);
	return why == NULL;
}

static void fill_oid(pl_oid *o, unsigned char seed)
{
	for (int i = 0; i < PL_OID_RAWSZ; i++)
		o->id[i] = (unsigned char)(seed + 7 * i);
}

/* Encode, decode, compare, encode again: same op, same bytes. */
static void round_trip(const pl_op *op, const char *what)
{
	unsigned char *enc = NULL, *enc2 = NULL;
	size_t len = 0, len2 = 0;
	pl_op *back = NULL;
	int rc;

	rc = pl_op_encode(&enc, &len, op);
	if (!is_int(rc, 0, "%s: encodes", what))
		diag("%s", pl_error_last()->message);
	rc = enc ? pl_op_decode(&back, enc, len, NULL) : PL_ERROR;
	if (!is_int(rc, 0, "%s: decodes", what))
		diag("%s", pl_error_last()->message);
	ok(back && op_equal(op, back), "%s: decodes to the same op", what);
	rc = back ? pl_op_encode(&enc2, &len2, back) : PL_ERROR;
	ok(rc == 0 && len2 == len && memcmp(enc, enc2, len) == 0, "%s: re-encodes to the same bytes", what);
	free(enc);
	free(enc2);
	pl_op_free(back);
}

static void test_round_trips(void)
{
	pl_oid bases[2];
	pl_op op;
	json_t *f;

	fill_oid(&bases[0], 1);
	fill_oid(&bases[1], 200);
	memset(&op, 0, sizeof(op));
	op.v = PL_OP_VERSION;
	op.node = "LIN01";
	op.actor = "Zoë Ñandú <zoe@example.org>";
	op.kind = "pd_entry";
	op.rec = "LIN01-7K3Q2";

	/* seq 1: prev nil, no base, a create with every kind of value */
	op.seq = 1;
	op.has_prev = 0;
	op.hlc = (1767225600000ull << 16) | 3;
	op.nbase = 0;
	op.type = PL_OP_PUT;
	f = json_pack("{s:s, s:i, s:I, s:I, s:I, s:I, s:I, s:I, s:f, s:f, s:f, s:b, s:b, s:n,"
	              " s:[s, s, i, [i, {s:s}]], s:{s:{s:s, s:s}, s:{s:s}}, s:s, s:[], s:{}}",
	              "title", "Équité — 日本語 🎓 institute",
	              "zero", 0,
	              "small", (json_int_t)127,
	              "byte", (json_int_t)200,
	              "big", (json_int_t)4294967296ll,
	              "max", (json_int_t)INT64_MAX,
	              "neg", (json_int_t)-33,
	              "min", (json_int_t)INT64_MIN,
	              "hours", 7.5, "tiny", -0.001, "huge", 1e300,
	              "yes", 1, "no", 0, "gone",
	              "list", "a", "b", 3, 4, "deep", "er",
	              "approvals", "supervisor", "by", "LIN01-E1", "at", "2026-10-01T12:00:00Z",
	              "budget", "by", "LIN01-E2",
	              "empty", "",
	              "nolist", "nomap");
	if (!f)
		bail("json_pack failed");
	{
		/* one integer of every msgpack width, both signs */
		static const json_int_t widths[] = { 255, 256, 65535, 65536, 4294967295ll, -1, -32, -128, -129,
		                                     -32768, -32769, -2147483648ll, -2147483649ll };
		json_t *ints = json_array();
		for (size_t i = 0; i < sizeof(widths) / sizeof(widths[0]); i++)
			json_array_append_new(ints, json_integer(widths[i]));
		json_object_set_new(f, "ints", ints);
	}
	op.fields = f;
	op.note = NULL;
	round_trip(&op, "a create (seq 1, prev nil, empty base, no note) with ints, reals, bools, null, lists and maps");

	/* seq 2: prev set, two base ids, a note */
	op.seq = 2;
	op.has_prev = 1;
	fill_oid(&op.prev, 42);
	op.nbase = 2;
	op.base = bases;
	op.note = "fixed the hours — per the certificate";
	round_trip(&op, "an update (prev bin20, two base ids, a unicode note)");

	/* a del: empty fields, one base, no note */
	json_decref(op.fields);
	op.fields = json_object();
	op.seq = 3;
	op.nbase = 1;
	op.type = PL_OP_DEL;
	op.note = NULL;
	round_trip(&op, "a del with empty fields");

	/* a del with no fields object at all decodes with an empty map */
	{
		unsigned char *enc = NULL;
		size_t len = 0;
		pl_op *back = NULL;
		json_decref(op.fields);
		op.fields = NULL;
		if (pl_op_encode(&enc, &len, &op) == 0 && pl_op_decode(&back, enc, len, NULL) == 0)
			ok(json_is_object(back->fields) && json_object_size(back->fields) == 0 &&
			   back->type == PL_OP_DEL, "a del encoded without fields decodes with an empty field map");
		else
			ok(0, "a del encoded without fields decodes with an empty field map");
		free(enc);
		pl_op_free(back);
	}
	op.fields = NULL;
}

/*
 * Two ops written out by hand from the msgpack spec, keys in docs/design.md's
 * order (v node seq prev hlc actor kind rec base op fields [note]) and the
 * keys of maps inside fields sorted bytewise.
 */
static const char golden1_hex[] =
	"8b"                                 /* map, 11 keys (no note) */
	"a176" "01"                          /* "v": 1 */
	"a46e6f6465" "a54c494e3031"          /* "node": "LIN01" */
	"a3736571" "01"                      /* "seq": 1 */
	"a470726576" "c0"                    /* "prev": nil */
	"a3686c63" "ce00010001"              /* "hlc": 0x10001, uint32 */
	"a56163746f72" "a141"                /* "actor": "A" */
	"a46b696e64" "a57374616666"          /* "kind": "staff" */
	"a3726563" "a25331"                  /* "rec": "S1" */
	"a462617365" "90"                    /* "base": [] */
	"a26f70" "a3707574"                  /* "op": "put" */
	"a66669656c6473" "85"                /* "fields": map of 5, sorted: */
	"a564656c7461" "d0df"                /*   "delta": -33, int8 */
	"a26576" "82"                        /*   "ev": map of 2, sorted: */
	"a161" "91" "cb3ff8000000000000"     /*     "a": [1.5], float64 */
	"a162" "c0"                          /*     "b": nil */
	"a5686f757273" "ccc8"                /*   "hours": 200, uint8 */
	"a46e616d65" "a3416e6e"              /*   "name": "Ann" */
	"a26f6b" "c3";                       /*   "ok": true */

static void test_golden(void)
{
	unsigned char want[512], *enc = NULL;
	char hex[PL_OID_HEXSZ + 1], ghex[PL_OID_HEXSZ + 1] = "";
	size_t wlen, len = 0;
	pl_oid id, base;
	pl_op op;
	int rc;

	memset(&op, 0, sizeof(op));
	op.v = PL_OP_VERSION;
	op.node = "LIN01";
	op.seq = 1;
	op.hlc = 0x10001;
	op.actor = "A";
	op.kind = "staff";
	op.rec = "S1";
	op.type = PL_OP_PUT;
	/* inserted out of order on purpose */
	op.fields = json_pack("{s:s, s:b, s:{s:n, s:[f]}, s:i, s:i}", "name", "Ann", "ok", 1,
	                      "ev", "b", "a", 1.5, "hours", 200, "delta", -33);
	rc = pl_op_encode(&enc, &len, &op);
	is_int(rc, 0, "the golden op encodes");
	wlen = unhex(want, sizeof(want), golden1_hex);
	if (!ok(enc && len == wlen && memcmp(enc, want, wlen) == 0,
	        "its bytes are exactly the hand-derived msgpack (key order, sorted nested keys, smallest ints)"))
		show_diff(enc, len, want, wlen);
	rc = pl_op_id(&id, enc, len);
	pl_oid_fmt(hex, &id);
	is_int(rc, 0, "pl_op_id hashes it");
	if (!git_hash(ghex, want, wlen))
		diag("git hash-object failed");
	is_str(hex, ghex, "its id is what `git hash-object --stdin` gives for the same bytes");
	free(enc);
	json_decref(op.fields);

	/* seq 2: prev and base set, a del with a note */
	static const char golden2[] =
		"8c"                                 /* map, 12 keys (note present) */
		"a176" "01"                          /* "v": 1 */
		"a46e6f6465" "a54c494e3031"          /* "node": "LIN01" */
		"a3736571" "02"                      /* "seq": 2 */
		"a470726576" "c414"                  /* "prev": bin8 of 20: 01 02 .. 14 */
		"0102030405060708090a0b0c0d0e0f1011121314"
		"a3686c63" "cf0000000100000000"      /* "hlc": 2^32, uint64 */
		"a56163746f72" "a141"                /* "actor": "A" */
		"a46b696e64" "a57374616666"          /* "kind": "staff" */
		"a3726563" "a25331"                  /* "rec": "S1" */
		"a462617365" "91" "c414"             /* "base": [bin8 of 20 x aa] */
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		"a26f70" "a364656c"                  /* "op": "del" */
		"a66669656c6473" "80"                /* "fields": {} */
		"a46e6f7465" "a6c3a9706f7175";       /* "note": "époqu" in UTF-8 */
	memset(&op, 0, sizeof(op));
	op.v = PL_OP_VERSION;
	op.node = "LIN01";
	op.seq = 2;
	op.has_prev = 1;
	for (int i = 0; i < PL_OID_RAWSZ; i++) {
		op.prev.id[i] = (unsigned char)(i + 1);
		base.id[i] = 0xaa;
	}
	op.hlc = 1ull << 32;
	op.actor = "A";
	op.kind = "staff";
	op.rec = "S1";
	op.nbase = 1;
	op.base = &base;
	op.type = PL_OP_DEL;
	op.fields = json_object();
	op.note = "\xc3\xa9poqu";
	rc = pl_op_encode(&enc, &len, &op);
	is_int(rc, 0, "a second golden op (prev, base, del, note) encodes");
	wlen = unhex(want, sizeof(want), golden2);
	if (!ok(enc && len == wlen && memcmp(enc, want, wlen) == 0,
	        "its bytes are exactly the hand-derived msgpack (bin8 ids, uint64 hlc, note last)"))
		show_diff(enc, len, want, wlen);
	pl_op_id(&id, enc, len);
	pl_oid_fmt(hex, &id);
	if (!git_hash(ghex, want, wlen))
		diag("git hash-object failed");
	is_str(hex, ghex, "its id is git's blob id too");
	{
		pl_op *back = NULL;
		rc = pl_op_decode(&back, want, wlen, NULL);
		ok(rc == 0 && back && op_equal(&op, back), "the hand-written bytes decode to the same op");
		pl_op_free(back);
	}
	json_decref(op.fields);
	free(enc);
}

/* The same fields inserted in different orders give one encoding and one id. */
static void test_sorted_keys(void)
{
	static const char *const keys[] = { "title", "a", "zeta", "B", "hours", "_x", "aa", "Z9" };
	unsigned char *e1 = NULL, *e2 = NULL;
	size_t l1 = 0, l2 = 0, n = sizeof(keys) / sizeof(keys[0]);
	pl_oid i1, i2;
	pl_op op;
	json_t *f1 = json_object(), *f2 = json_object(), *s1 = json_object(), *s2 = json_object();

	for (size_t i = 0; i < n; i++) {
		json_object_set_new(f1, keys[i], json_integer((json_int_t)i));
		json_object_set_new(s1, keys[i], json_string(keys[i]));
	}
	for (size_t i = n; i-- > 0;) {
		json_object_set_new(f2, keys[i], json_integer((json_int_t)i));
		json_object_set_new(s2, keys[(i + 3) % n], json_string(keys[(i + 3) % n]));
	}
	json_object_set_new(f1, "nested", s1);
	json_object_set_new(f2, "nested", s2);
	{
		/* check the premise: jansson iterates the two in different orders */
		void *it1 = json_object_iter(f1), *it2 = json_object_iter(f2);
		ok(strcmp(json_object_iter_key(it1), json_object_iter_key(it2)) != 0,
		   "the two field maps were built in different insertion orders");
	}
	memset(&op, 0, sizeof(op));
	op.v = PL_OP_VERSION;
	op.node = "B2";
	op.seq = 1;
	op.hlc = 99;
	op.actor = "x";
	op.kind = "school";
	op.rec = "r";
	op.type = PL_OP_PUT;
	op.fields = f1;
	pl_op_encode(&e1, &l1, &op);
	op.fields = f2;
	pl_op_encode(&e2, &l2, &op);
	ok(e1 && e2 && l1 == l2 && memcmp(e1, e2, l1) == 0,
	   "fields inserted in different orders encode to the same bytes");
	pl_op_id(&i1, e1, l1);
	pl_op_id(&i2, e2, l2);
	ok(same_oid(&i1, &i2), "and so to the same op id");
	{
		/* the decoder keeps the order of the bytes: it must be sorted */
		pl_op *back = NULL;
		const char *prev = "", *k;
		json_t *v;
		int sorted = 1;
		if (pl_op_decode(&back, e1, l1, NULL) == 0) {
			json_object_foreach(back->fields, k, v) {
				if (strcmp(prev, k) >= 0)
					sorted = 0;
				prev = k;
			}
		} else {
			sorted = 0;
		}
		ok(sorted, "decoding keeps the bytes' order, and it is bytewise sorted");
		pl_op_free(back);
	}
	free(e1);
	free(e2);
	json_decref(f1);
	json_decref(f2);
}

/* The encoder refuses what the decoder would refuse, and the reverse. */
static void test_encoder_limits(void)
{
	unsigned char *enc = NULL;
	size_t len = 0;
	pl_op op, *back = NULL;
	json_t *inner, *f;
	int deepest = 0, rc;

	memset(&op, 0, sizeof(op));
	op.v = PL_OP_VERSION;
	op.node = "LIN01";
	op.seq = 1;
	op.hlc = 1;
	op.actor = "a";
	op.kind = "school";
	op.rec = "r";
	op.type = PL_OP_PUT;

	/* nest arrays one level more each time until the encoder refuses */
	for (int d = 1; d <= 20; d++) {
		inner = json_integer(1);
		for (int i = 0; i < d; i++) {
			json_t *a = json_array();
			json_array_append_new(a, inner);
			inner = a;
		}
		f = json_object();
		json_object_set_new(f, "x", inner);
		op.fields = f;
		rc = pl_op_encode(&enc, &len, &op);
		if (rc == 0) {
			int drc = pl_op_decode(&back, enc, len, NULL);
			if (drc != 0) {
				diag("decoder refused depth %d the encoder wrote: %s", d, pl_error_last()->message);
				deepest = -1;
			} else if (deepest >= 0) {
				deepest = d;
			}
			pl_op_free(back);
			back = NULL;
		}
		free(enc);
		enc = NULL;
		json_decref(f);
		if (rc)
			break;
	}
	ok(deepest > 0, "whatever nesting the encoder writes, the decoder reads back");
	{
		pl_op_limits lim = PL_OP_LIMITS_INIT;
		is_int(deepest + 1, lim.max_depth,
		       "the encoder stops at the limit: the fields map and %d arrays make %d levels", deepest, lim.max_depth);
	}

	op.fields = json_pack("{s:s}", "x", "y");
	op.actor = NULL;
	rc = pl_op_encode(&enc, &len, &op);
	is_int(rc, PL_EINVALID, "an op without an actor is refused");
	ok(enc == NULL, "and nothing is handed back");
	op.actor = "a";
	op.type = 7;
	rc = pl_op_encode(&enc, &len, &op);
	is_int(rc, PL_EINVALID, "an op that is neither put nor del is refused");
	json_decref(op.fields);
	free(enc);
}

static void test_oid_text(void)
{
	pl_oid a, b;
	char hex[PL_OID_HEXSZ + 1];

	fill_oid(&a, 9);
	pl_oid_fmt(hex, &a);
	ok(strlen(hex) == 40 && strspn(hex, "0123456789abcdef") == 40, "an op id prints as 40 lowercase hex digits");
	ok(pl_oid_parse(&b, hex) == 0 && same_oid(&a, &b), "and parses back to the same id");
	is_int(pl_oid_parse(&b, "xyz"), PL_EINVALID, "a short id does not parse");
	hex[5] = 'g';
	is_int(pl_oid_parse(&b, hex), PL_EINVALID, "a non-hex digit does not parse");
}

int main(void)
{
	pl_init();
	tl_tmpdir(dir);
	test_round_trips();
	test_golden();
	test_sorted_keys();
	test_encoder_limits();
	test_oid_text();
	tl_rm_rf(dir);
	pl_shutdown();
	/* canonical JSON quotes strings exactly as jansson does: every ASCII
	 * byte alone and in a run, keys too, and UTF-8 */
	{
		int same = 1, bad = 0;
		for (int c = 1; c < 128 && same; c++) {
			char str[8] = { 'a', (char)c, (char)c, 'z', 0 };
			json_t *v = json_string(str), *o = json_object();
			char *want = json_dumps(v, JSON_ENCODE_ANY), *got = pl_json_canonical(v), *gk;
			char expect[64];
			json_object_set(o, str, v);
			gk = pl_json_canonical(o);
			snprintf(expect, sizeof(expect), "{\n  %s: %s\n}\n", want, want);
			if (!got || strlen(got) != strlen(want) + 1 || strncmp(got, want, strlen(want)) ||
			    !gk || strcmp(gk, expect)) {
				same = 0;
				bad = c;
			}
			free(want);
			free(got);
			free(gk);
			json_decref(v);
			json_decref(o);
		}
		ok(same, "canonical JSON quotes every ASCII character as jansson does (first differing: %d)", bad);
		json_t *u = json_string("caf\xc3\xa9 \"\xe2\x80\x94\" \\ \t");
		char *want = json_dumps(u, JSON_ENCODE_ANY), *got = pl_json_canonical(u);
		ok(got && !strncmp(got, want, strlen(want)) && got[strlen(want)] == '\n' && !got[strlen(want) + 1],
		   "and UTF-8 strings: %s", got ? got : "(null)");
		free(want);
		free(got);
		json_decref(u);
	}
	return done_testing();
}
