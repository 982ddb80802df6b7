/*
 * mpread.c — reading msgpack bytes in place: headers, scalars, and the span
 * of one whole value, with no allocation (the record state keeps its leaf
 * values as the bytes they are stored as).
 *
 * Rules kept here:
 *  - Every read is bounds-checked and returns -1 on anything malformed or
 *    of another type; callers turn that into PL_ECORRUPT naming the record.
 *  - Bytes from outside (a stored state) go through pl_mp__check (the
 *    hostile-input prescan) first; these readers then only walk them.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "plsync/errors.h"
#include "mpack.h"

/* A header's byte and `n` more bytes of length or value, if they are there. */
static int take(pl_mp_rd *r, int n, uint64_t *v)
{
	if (r->end - r->p < 1 + n)
		return -1;
	*v = pl_mp__be(r->p + 1, n);
	r->p += 1 + n;
	return 0;
}

int pl_mp__rd_array(pl_mp_rd *r, uint64_t *n)
{
	unsigned char t;

	if (r->p >= r->end)
		return -1;
	t = *r->p;
	if (t >= 0x90 && t <= 0x9f) {
		*n = t & 0x0f;
		r->p++;
		return 0;
	}
	return t == 0xdc ? take(r, 2, n) : t == 0xdd ? take(r, 4, n) : -1;
}

int pl_mp__rd_map(pl_mp_rd *r, uint64_t *n)
{
	unsigned char t;

	if (r->p >= r->end)
		return -1;
	t = *r->p;
	if (t >= 0x80 && t <= 0x8f) {
		*n = t & 0x0f;
		r->p++;
		return 0;
	}
	return t == 0xde ? take(r, 2, n) : t == 0xdf ? take(r, 4, n) : -1;
}

static int body(pl_mp_rd *r, uint64_t n, const void **out, size_t *len)
{
	if ((uint64_t)(r->end - r->p) < n)
		return -1;
	*out = r->p;
	*len = (size_t)n;
	r->p += n;
	return 0;
}

int pl_mp__rd_str(pl_mp_rd *r, const char **s, size_t *len)
{
	uint64_t n;
	unsigned char t;
	int rc;

	if (r->p >= r->end)
		return -1;
	t = *r->p;
	if (t >= 0xa0 && t <= 0xbf) {
		n = t & 0x1f;
		r->p++;
		rc = 0;
	} else {
		rc = t == 0xd9 ? take(r, 1, &n) : t == 0xda ? take(r, 2, &n) : t == 0xdb ? take(r, 4, &n) : -1;
	}
	return rc ? rc : body(r, n, (const void **)s, len);
}

int pl_mp__rd_bin(pl_mp_rd *r, const unsigned char **b, size_t *len)
{
	uint64_t n;
	unsigned char t;

	if (r->p >= r->end)
		return -1;
	t = *r->p;
	if ((t == 0xc4 ? take(r, 1, &n) : t == 0xc5 ? take(r, 2, &n) : t == 0xc6 ? take(r, 4, &n) : -1))
		return -1;
	return body(r, n, (const void **)b, len);
}

int pl_mp__rd_uint(pl_mp_rd *r, uint64_t *v)
{
	unsigned char t;

	if (r->p >= r->end)
		return -1;
	t = *r->p;
	if (t <= 0x7f) {
		*v = t;
		r->p++;
		return 0;
	}
	switch (t) {
	case 0xcc: return take(r, 1, v);
	case 0xcd: return take(r, 2, v);
	case 0xce: return take(r, 4, v);
	case 0xcf: return take(r, 8, v);
	}
	return -1;
}

/* The span of one whole value (any type an op may hold). */
int pl_mp__rd_skip(pl_mp_rd *r, const unsigned char **start, size_t *len, int depth)
{
	const unsigned char *s = r->p;
	uint64_t n, i;
	unsigned char t;
	const unsigned char *b;
	size_t bl;

	if (r->p >= r->end || depth > 64)
		return -1;
	t = *r->p;
	if (t <= 0x7f || t >= 0xe0 || t == 0xc0 || t == 0xc2 || t == 0xc3) {
		r->p++;
	} else if ((t >= 0xa0 && t <= 0xbf) || t == 0xd9 || t == 0xda || t == 0xdb) {
		const char *str;
		if (pl_mp__rd_str(r, &str, &bl))
			return -1;
	} else if (t == 0xc4 || t == 0xc5 || t == 0xc6) {
		const unsigned char *bin;
		if (pl_mp__rd_bin(r, &bin, &bl))
			return -1;
	} else if ((t >= 0x90 && t <= 0x9f) || t == 0xdc || t == 0xdd) {
		if (pl_mp__rd_array(r, &n))
			return -1;
		for (i = 0; i < n; i++)
			if (pl_mp__rd_skip(r, &b, &bl, depth + 1))
				return -1;
	} else if ((t >= 0x80 && t <= 0x8f) || t == 0xde || t == 0xdf) {
		if (pl_mp__rd_map(r, &n))
			return -1;
		for (i = 0; i < 2 * n; i++)
			if (pl_mp__rd_skip(r, &b, &bl, depth + 1))
				return -1;
	} else {
		int w = t == 0xcc || t == 0xd0 ? 1 : t == 0xcd || t == 0xd1 ? 2
		      : t == 0xca || t == 0xce || t == 0xd2 ? 4 : t == 0xcb || t == 0xcf || t == 0xd3 ? 8 : 0;
		if (!w || take(r, w, &n))
			return -1;
	}
	*start = s;
	*len = (size_t)(r->p - s);
	return 0;
}

/* A value's bytes as JSON, as the op decoder reads an op's fields. */
static int to_json(json_t **out, pl_mp_rd *r, int depth)
{
	unsigned char t;
	uint64_t n, i;
	json_t *v = NULL;

	*out = NULL;
	if (r->p >= r->end || depth > 64)
		return -1;
	t = *r->p;
	if (t <= 0x7f) {
		v = json_integer(t);
		r->p++;
	} else if (t >= 0xe0) {
		v = json_integer((int8_t)t);
		r->p++;
	} else if (t == 0xc0 || t == 0xc2 || t == 0xc3) {
		v = t == 0xc0 ? json_null() : json_boolean(t == 0xc3);
		r->p++;
	} else if (t == 0xcc || t == 0xcd || t == 0xce || t == 0xcf) {
		if (pl_mp__rd_uint(r, &n) || n > INT64_MAX)
			return -1;
		v = json_integer((json_int_t)n);
	} else if (t >= 0xd0 && t <= 0xd3) {
		int w = 1 << (t - 0xd0);
		int64_t x;
		if (take(r, w, &n))
			return -1;
		x = w == 1 ? (int8_t)n : w == 2 ? (int16_t)n : w == 4 ? (int32_t)n : (int64_t)n;
		v = json_integer(x);
	} else if (t == 0xca || t == 0xcb) {
		double d;
		if (take(r, t == 0xca ? 4 : 8, &n))
			return -1;
		if (t == 0xca) {
			uint32_t u = (uint32_t)n;
			float f;
			memcpy(&f, &u, 4);
			d = f;
		} else {
			memcpy(&d, &n, 8);
		}
		if (!isfinite(d))
			return -1;
		v = json_real(d);
	} else if ((t >= 0xa0 && t <= 0xbf) || t == 0xd9 || t == 0xda || t == 0xdb) {
		const char *s;
		size_t len;
		if (pl_mp__rd_str(r, &s, &len) || memchr(s, '\0', len) || !(v = json_stringn(s, len)))
			return -1;
	} else if ((t >= 0x90 && t <= 0x9f) || t == 0xdc || t == 0xdd) {
		if (pl_mp__rd_array(r, &n) || !(v = json_array()))
			return -1;
		for (i = 0; i < n; i++) {
			json_t *e;
			if (to_json(&e, r, depth + 1) || json_array_append_new(v, e)) {
				json_decref(v);
				return -1;
			}
		}
	} else if ((t >= 0x80 && t <= 0x8f) || t == 0xde || t == 0xdf) {
		if (pl_mp__rd_map(r, &n) || !(v = json_object()))
			return -1;
		for (i = 0; i < n; i++) {
			const char *k;
			size_t kl;
			char name[256];
			json_t *e;
			if (pl_mp__rd_str(r, &k, &kl) || kl == 0 || kl >= sizeof(name) || memchr(k, '\0', kl)) {
				json_decref(v);
				return -1;
			}
			memcpy(name, k, kl);
			name[kl] = '\0';
			if (json_object_get(v, name) || to_json(&e, r, depth + 1) || json_object_set_new(v, name, e)) {
				json_decref(v);
				return -1;
			}
		}
	} else {
		return -1;
	}
	if (!v)
		return -1;
	*out = v;
	return 0;
}

int pl_mp__bytes_to_json(json_t **out, const unsigned char *buf, size_t len)
{
	pl_mp_rd r = { buf, buf + len };

	if (to_json(out, &r, 0))
		return -1;
	if (r.p != r.end) {
		json_decref(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}
