/*
 * rstate.c — a record's state and THE fold: the one place that says what
 * a set of ops makes of a record.
 *
 * Rules kept here:
 *  - A record's state is kept per leaf field path as (value, hlc, node);
 *    the highest (hlc, node) wins, so applying the same ops in any order
 *    gives the same record. A null value is a tombstone that also hides
 *    older values below its path.
 *  - The owner is the node of the earliest create (a put with an empty
 *    base): only creates decide it, so an edit never takes a record over.
 *  - Visible while the newest put is newer than the newest del.
 *  - Heads: the ops no other op of the record named in its base.
 *  - A stored state is hostile input too: checked whole before it is read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plsync/errors.h"
#include "mpack.h"
#include "store-int.h"

/* Dotted field paths are cut at PATH_MAX_LEN - 1 bytes (pl_schema__join_path). */
#define PATH_MAX_LEN 256

void pl_rstate__clear(rstate *s)
{
	free(s->heads);
	free(s->named);
	free(s->lv);
	free(s->stored);
	for (struct blk *b = s->blks, *nx; b; b = nx) {
		nx = b->next;
		free(b);
	}
	memset(s, 0, sizeof(*s));
}

/* Memory that lives as long as s (new leaf paths, values, nodes). */
static void *rstate_alloc(rstate *s, size_t n)
{
	struct blk *b = malloc(sizeof(*b) + n);
	if (!b)
		return NULL;
	b->next = s->blks;
	s->blks = b;
	return b->data;
}

/* Path order: bytewise, a prefix first (strcmp's order, as packing sorts). */
static int path_cmp(const char *a, size_t al, const char *b, size_t bl)
{
	int c = memcmp(a, b, al < bl ? al : bl);
	return c ? c : (al > bl) - (al < bl);
}

/* The leaf at `path`, or NULL; *at: where it is or would go. */
static leaf *leaf_find(const rstate *s, const char *path, size_t plen, size_t *at)
{
	size_t lo = 0, hi = s->nlv;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = path_cmp(s->lv[mid].path, s->lv[mid].plen, path, plen);
		if (c == 0) {
			if (at)
				*at = mid;
			return &s->lv[mid];
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (at)
		*at = lo;
	return NULL;
}

static leaf *leaf_insert(rstate *s, size_t at)
{
	if (s->nlv == s->caplv) {
		size_t cap = s->caplv ? s->caplv * 2 : 16;
		leaf *nl = realloc(s->lv, cap * sizeof(*nl));
		if (!nl)
			return NULL;
		s->lv = nl;
		s->caplv = cap;
	}
	memmove(s->lv + at + 1, s->lv + at, (s->nlv - at) * sizeof(*s->lv));
	s->nlv++;
	memset(&s->lv[at], 0, sizeof(s->lv[at]));
	return &s->lv[at];
}

static int copy_mstr(char *dst, size_t sz, pl_mp_rd *r)
{
	const char *p;
	size_t n;

	if (pl_mp__rd_str(r, &p, &n) || n >= sz)
		return -1;
	memcpy(dst, p, n);
	dst[n] = '\0';
	return 0;
}

static int read_oids(pl_oid **out, size_t *n, pl_mp_rd *r)
{
	uint64_t cnt;

	*out = NULL;
	*n = 0;
	if (pl_mp__rd_array(r, &cnt) || cnt > (uint64_t)(r->end - r->p))
		return -1;
	if (cnt && !(*out = calloc((size_t)cnt, sizeof(pl_oid))))
		return -1;
	for (uint64_t i = 0; i < cnt; i++) {
		const unsigned char *b;
		size_t bl;
		if (pl_mp__rd_bin(r, &b, &bl) || bl != PL_OID_RAWSZ)
			return -1;
		memcpy((*out)[i].id, b, PL_OID_RAWSZ);
	}
	*n = (size_t)cnt;
	return 0;
}

/*
 * [kind, owner, created, updated, put_hlc, del_hlc, [heads], {path: [value,
 * hlc, node]}, [named]]: checked whole first (a damaged store is hostile
 * input too), then read in place; the leaves keep pointing into a copy.
 */
int pl_rstate__decode(rstate *s, const unsigned char *buf, size_t len, const char *id)
{
	pl_op_limits lim = PL_OP_LIMITS_INIT;
	pl_mp_rd r;
	uint64_t n, nleaves;

	memset(s, 0, sizeof(*s));
	lim.max_depth = 16;
	if (pl_mp__check(buf, len, &lim))
		goto bad;
	if (!(s->stored = malloc(len ? len : 1))) {
		pl_rstate__clear(s);
		return pl_error_set(PL_ERROR, "out of memory");
	}
	memcpy(s->stored, buf, len);
	r.p = s->stored;
	r.end = s->stored + len;
	if (pl_mp__rd_array(&r, &n) || (n != 8 && n != 9) || copy_mstr(s->kind, sizeof(s->kind), &r) ||
	    copy_mstr(s->owner, sizeof(s->owner), &r) || pl_mp__rd_uint(&r, &s->created) ||
	    pl_mp__rd_uint(&r, &s->updated) || pl_mp__rd_uint(&r, &s->put_hlc) || pl_mp__rd_uint(&r, &s->del_hlc) ||
	    read_oids(&s->heads, &s->nheads, &r) || pl_mp__rd_map(&r, &nleaves))
		goto bad;
	if (nleaves && !(s->lv = malloc((size_t)nleaves * sizeof(*s->lv))))
		goto bad;
	s->caplv = (size_t)nleaves;
	for (uint64_t i = 0; i < nleaves; i++) {
		leaf *l = &s->lv[i];
		uint64_t three;
		if (pl_mp__rd_str(&r, &l->path, &l->plen) || pl_mp__rd_array(&r, &three) || three != 3 ||
		    pl_mp__rd_skip(&r, &l->val, &l->vlen, 0) || pl_mp__rd_uint(&r, &l->hlc) ||
		    pl_mp__rd_str(&r, &l->node, &l->nlen) ||
		    (i && path_cmp(s->lv[i - 1].path, s->lv[i - 1].plen, l->path, l->plen) >= 0))
			goto bad;
		s->nlv++;
	}
	if (n == 9 && read_oids(&s->named, &s->nnamed, &r))
		goto bad;
	if (r.p != r.end)
		goto bad;
	return 0;
bad:
	pl_rstate__clear(s);
	pl_error_set(PL_ECORRUPT, "record %s: stored state is damaged", id);
	return pl_error_hint(PL_HINT_CHECK, NULL);
}

/*
 * A new record's leaves straight from its create's nested fields: every
 * non-object value under its dotted path, at the create's (hlc, node). The
 * same bytes as building the leaves object and packing it (paths sorted;
 * of two equal paths the first in field order, as apply_fields keeps), with
 * no object built: the bulk import path.
 */
struct fleaf {
	const char   *path;
	size_t        off;    /* of the path in the list's text */
	const json_t *v;
	size_t        order;
};

/* The leaves of one record's fields: a few dozen, kept on the stack. */
struct flist {
	struct fleaf *a;
	size_t        n, cap;
	char         *text;   /* the paths, each NUL-terminated */
	size_t        tlen, tcap;
	struct fleaf  a0[32];
	char          t0[1024];
};

static int flatten(struct flist *l, const char *prefix, const json_t *obj)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)obj, key, v) {
		char path[PATH_MAX_LEN];
		size_t plen;
		pl_schema__join_path(path, sizeof(path), prefix, key);
		if (json_is_object(v)) {
			if (flatten(l, path, v))
				return -1;
			continue;
		}
		plen = strlen(path) + 1;
		if (l->n == l->cap) {
			size_t cap = l->cap * 2;
			struct fleaf *a = l->a == l->a0 ? malloc(cap * sizeof(*a)) : realloc(l->a, cap * sizeof(*a));
			if (!a)
				return -1;
			if (l->a == l->a0)
				memcpy(a, l->a0, sizeof(l->a0));
			l->a = a;
			l->cap = cap;
		}
		if (l->tlen + plen > l->tcap) {
			size_t cap = l->tcap * 2 + plen;
			char *t = l->text == l->t0 ? malloc(cap) : realloc(l->text, cap);
			if (!t)
				return -1;
			if (l->text == l->t0)
				memcpy(t, l->t0, l->tlen);
			l->text = t;
			l->tcap = cap;
		}
		memcpy(l->text + l->tlen, path, plen);
		l->a[l->n].off = l->tlen;
		l->tlen += plen;
		l->a[l->n].v = v;
		l->a[l->n].order = l->n;
		l->n++;
	}
	return 0;
}

static int cmp_fleaf(const void *a, const void *b)
{
	const struct fleaf *x = a, *y = b;
	int c = strcmp(x->path, y->path);
	return c ? c : (x->order > y->order) - (x->order < y->order);
}

static int pack_fresh(msgpack_packer *pk, const json_t *fields, uint64_t hlc, const char *node)
{
	struct flist l;
	size_t i, n = 0, nlen = strlen(node);
	int rc = 0;

	l.a = l.a0;
	l.cap = sizeof(l.a0) / sizeof(l.a0[0]);
	l.text = l.t0;
	l.tcap = sizeof(l.t0);
	l.n = l.tlen = 0;
	if (flatten(&l, "", fields)) {
		rc = pl_error_set(PL_ERROR, "out of memory");
		goto cleanup;
	}
	for (i = 0; i < l.n; i++)
		l.a[i].path = l.text + l.a[i].off;
	if (l.n <= 32) {
		for (i = 1; i < l.n; i++) {
			struct fleaf t = l.a[i];
			size_t b = i;
			for (; b > 0 && cmp_fleaf(&l.a[b - 1], &t) > 0; b--)
				l.a[b] = l.a[b - 1];
			l.a[b] = t;
		}
	} else {
		qsort(l.a, l.n, sizeof(*l.a), cmp_fleaf);
	}
	for (i = 0; i < l.n; i++)
		n += !i || strcmp(l.a[i].path, l.a[i - 1].path);
	msgpack_pack_map(pk, n);
	for (i = 0; i < l.n && !rc; i++) {
		size_t plen;
		if (i && !strcmp(l.a[i].path, l.a[i - 1].path))
			continue;
		plen = strlen(l.a[i].path);
		msgpack_pack_str(pk, plen);
		msgpack_pack_str_body(pk, l.a[i].path, plen);
		msgpack_pack_array(pk, 3);
		if ((rc = pl_mp__pack_json(pk, l.a[i].v)))
			break;
		msgpack_pack_int64(pk, (int64_t)hlc);
		msgpack_pack_str(pk, nlen);
		msgpack_pack_str_body(pk, node, nlen);
	}
cleanup:
	if (l.a != l.a0)
		free(l.a);
	if (l.text != l.t0)
		free(l.text);
	return rc;
}

int pl_rstate__encode(msgpack_sbuffer *sb, const rstate *s)
{
	msgpack_packer pk;
	int rc = 0;

	msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
	msgpack_pack_array(&pk, 9);
	msgpack_pack_str_with_body(&pk, s->kind, strlen(s->kind));
	msgpack_pack_str_with_body(&pk, s->owner, strlen(s->owner));
	msgpack_pack_uint64(&pk, s->created);
	msgpack_pack_uint64(&pk, s->updated);
	msgpack_pack_uint64(&pk, s->put_hlc);
	msgpack_pack_uint64(&pk, s->del_hlc);
	msgpack_pack_array(&pk, s->nheads);
	for (size_t i = 0; i < s->nheads; i++)
		msgpack_pack_bin_with_body(&pk, s->heads[i].id, PL_OID_RAWSZ);
	if (s->fresh) {
		if ((rc = pack_fresh(&pk, s->fresh, s->created, s->owner)))
			return rc;
	} else {
		msgpack_pack_map(&pk, s->nlv);
		for (size_t i = 0; i < s->nlv; i++) {
			const leaf *l = &s->lv[i];
			msgpack_pack_str_with_body(&pk, l->path, l->plen);
			msgpack_pack_array(&pk, 3);
			msgpack_sbuffer_write(sb, (const char *)l->val, l->vlen);
			msgpack_pack_int64(&pk, (int64_t)l->hlc);
			msgpack_pack_str_with_body(&pk, l->node, l->nlen);
		}
	}
	msgpack_pack_array(&pk, s->nnamed);
	for (size_t i = 0; i < s->nnamed; i++)
		msgpack_pack_bin_with_body(&pk, s->named[i].id, PL_OID_RAWSZ);
	return 0;
}

/* (hlc, node) ordering: > 0 if a wins over b. */
int pl_rstate__clock_cmp(uint64_t ha, const char *na, uint64_t hb, const char *nb)
{
	if (ha != hb)
		return ha > hb ? 1 : -1;
	return strcmp(na, nb);
}

/* (hlc, node) of a leaf against an op's: > 0 if the op wins. */
static int leaf_cmp(uint64_t hlc, const char *node, size_t nlen, const leaf *cur)
{
	if (hlc != cur->hlc)
		return hlc > cur->hlc ? 1 : -1;
	return path_cmp(node, nlen, cur->node, cur->nlen);
}

/* What one op sets: its clock, and its node and values in s's memory. */
struct setter {
	rstate     *s;
	uint64_t    hlc;
	const char *node;
	size_t      nlen;
	msgpack_sbuffer sb;
	int         rc;
};

static void apply_fields(struct setter *st, const char *prefix, json_t *obj)
{
	const char *key;
	json_t *v;

	json_object_foreach(obj, key, v) {
		char path[PATH_MAX_LEN];
		size_t plen, at;
		leaf *cur;

		if (st->rc)
			return;
		pl_schema__join_path(path, sizeof(path), prefix, key);
		if (json_is_object(v)) {
			apply_fields(st, path, v);
			continue;
		}
		plen = strlen(path);
		cur = leaf_find(st->s, path, plen, &at);
		if (cur && leaf_cmp(st->hlc, st->node, st->nlen, cur) <= 0)
			continue;
		{
			msgpack_packer pk;
			unsigned char *mem;
			st->sb.size = 0;
			msgpack_packer_init(&pk, &st->sb, msgpack_sbuffer_write);
			if ((st->rc = pl_mp__pack_json(&pk, v)))
				return;
			if (!(mem = rstate_alloc(st->s, st->sb.size + (cur ? 0 : plen)))) {
				st->rc = pl_error_set(PL_ERROR, "out of memory");
				return;
			}
			memcpy(mem, st->sb.data, st->sb.size);
			if (!cur) {
				if (!(cur = leaf_insert(st->s, at))) {
					st->rc = pl_error_set(PL_ERROR, "out of memory");
					return;
				}
				memcpy(mem + st->sb.size, path, plen);
				cur->path = (const char *)mem + st->sb.size;
				cur->plen = plen;
			}
			cur->val = mem;
			cur->vlen = st->sb.size;
			cur->hlc = st->hlc;
			cur->node = st->node;
			cur->nlen = st->nlen;
		}
	}
}

/* Apply one op to a record's state; order-free except for head tracking. */
int pl_rstate__apply(rstate *s, int found, const pl_op *op, const pl_oid *id)
{
	size_t i, j;

	if (!found) {
		snprintf(s->kind, sizeof(s->kind), "%s", op->kind);
		s->owner[0] = '\0'; /* unknown until its create arrives */
		s->created = 0;
	}
	if (op->type == PL_OP_PUT && op->nbase == 0 &&
	    (!s->owner[0] || pl_rstate__clock_cmp(op->hlc, op->node, s->created, s->owner) < 0)) {
		/* the owner is the earliest create (a put that saw nothing): only
		 * creates decide it, so an edit can never take a record over */
		s->created = op->hlc;
		snprintf(s->owner, sizeof(s->owner), "%s", op->node);
	} else if (!s->owner[0] && (!s->created || op->hlc < s->created)) {
		s->created = op->hlc; /* an edit that arrived before its create */
	}
	if (op->hlc > s->updated)
		s->updated = op->hlc;
	if (op->type == PL_OP_PUT) {
		if (op->hlc > s->put_hlc)
			s->put_hlc = op->hlc;
		if (op->fields) {
			struct setter st = { s, op->hlc, NULL, strlen(op->node), { 0, NULL, 0 }, 0 };
			char *node = rstate_alloc(s, st.nlen + 1);
			if (!node)
				return pl_error_set(PL_ERROR, "out of memory");
			memcpy(node, op->node, st.nlen + 1);
			st.node = node;
			pl_mp__sbuffer_init(&st.sb, 256);
			apply_fields(&st, "", op->fields);
			msgpack_sbuffer_destroy(&st.sb);
			if (st.rc)
				return st.rc;
		}
	} else if (op->hlc > s->del_hlc) {
		s->del_hlc = op->hlc;
	}
	/* remember what this op saw, so that an op arriving after one that named
	 * it (ops of other nodes can arrive in any order) never becomes a head */
	for (size_t b = 0; b < op->nbase; b++) {
		int known = 0;
		for (i = 0; i < s->nnamed && !known; i++)
			known = !memcmp(s->named[i].id, op->base[b].id, PL_OID_RAWSZ);
		if (!known) {
			pl_oid *nn = realloc(s->named, (s->nnamed + 1) * sizeof(pl_oid));
			if (!nn)
				return pl_error_set(PL_ERROR, "out of memory");
			s->named = nn;
			s->named[s->nnamed++] = op->base[b];
		}
	}
	/* heads: drop those this op saw, add this op unless some op saw it */
	for (i = 0, j = 0; i < s->nheads; i++) {
		int seen = 0;
		for (size_t b = 0; b < op->nbase && !seen; b++)
			seen = !memcmp(op->base[b].id, s->heads[i].id, PL_OID_RAWSZ);
		if (!seen)
			s->heads[j++] = s->heads[i];
	}
	s->nheads = j;
	for (i = 0; i < s->nnamed; i++)
		if (!memcmp(s->named[i].id, id->id, PL_OID_RAWSZ))
			return 0;
	{
		pl_oid *nh = realloc(s->heads, (j + 1) * sizeof(pl_oid));
		if (!nh)
			return pl_error_set(PL_ERROR, "out of memory");
		s->heads = nh;
		s->heads[j] = *id;
		s->nheads = j + 1;
	}
	return 0;
}

int pl_rstate__visible(const rstate *s)
{
	return s->put_hlc > s->del_hlc;
}

/* A leaf's value is a tombstone (null). */
static int leaf_null(const leaf *l)
{
	return l->vlen == 1 && l->val[0] == 0xc0;
}

/* Materialise the nested current fields and the path -> [hlc,node] clocks. */
json_t *pl_rstate__fields(const rstate *s, json_t **clocks_out)
{
	json_t *out = json_object(), *clocks = clocks_out ? json_object() : NULL;

	for (size_t i = 0; i < s->nlv; i++) {
		const leaf *l = &s->lv[i];
		char buf[PATH_MAX_LEN], *p, *dot;
		size_t plen = l->plen < PATH_MAX_LEN - 1 ? l->plen : PATH_MAX_LEN - 1;
		json_t *obj = out, *v = NULL;
		int hidden = leaf_null(l);

		memcpy(buf, l->path, plen);
		buf[plen] = '\0';
		/* an ancestor tombstone newer than this leaf hides it */
		for (p = buf; !hidden && (dot = strchr(p, '.')); p = dot + 1) {
			const leaf *anc = leaf_find(s, buf, (size_t)(dot - buf), NULL);
			if (anc && leaf_null(anc) && leaf_cmp(anc->hlc, anc->node, anc->nlen, l) > 0)
				hidden = 1;
		}
		if (hidden)
			continue;
		if (pl_mp__bytes_to_json(&v, l->val, l->vlen))
			continue; /* checked when stored: cannot happen */
		if (clocks) {
			json_t *c = json_array();
			if (c && (json_array_append_new(c, json_integer((json_int_t)l->hlc)) ||
			          json_array_append_new(c, json_stringn(l->node, l->nlen)))) {
				json_decref(c);
				c = NULL;
			}
			json_object_set_new(clocks, buf, c);
		}
		for (p = buf; (dot = strchr(p, '.')); p = dot + 1) {
			json_t *child;
			*dot = '\0';
			child = json_object_get(obj, p);
			if (!json_is_object(child)) {
				child = json_object();
				json_object_set_new(obj, p, child);
			}
			obj = child;
		}
		json_object_set_new(obj, p, v);
	}
	if (clocks_out)
		*clocks_out = clocks;
	return out;
}

/* The string value of leaf `name` into buf, or NULL (none, not a string,
 * too long: as a reference it then cannot name a record). */
const char *pl_rstate__leaf_str(const rstate *s, const char *name, char *buf, size_t sz)
{
	const leaf *l = leaf_find(s, name, strlen(name), NULL);
	pl_mp_rd r;
	const char *p;
	size_t n;

	if (!l)
		return NULL;
	r.p = l->val;
	r.end = l->val + l->vlen;
	if (pl_mp__rd_str(&r, &p, &n) || n >= sz || memchr(p, '\0', n))
		return NULL;
	memcpy(buf, p, n);
	buf[n] = '\0';
	return buf;
}

/*
 * A copy of src that shares its leaves' memory (valid as long as src is
 * and only grows: applying ops never frees): its own leaf array, heads
 * and named, so that applying to one leaves the other as it was.
 */
int pl_rstate__copy(rstate *dst, const rstate *src)
{
	*dst = *src;
	dst->stored = NULL;
	dst->blks = NULL;
	dst->lv = src->nlv ? malloc(src->nlv * sizeof(leaf)) : NULL;
	dst->caplv = src->nlv;
	dst->heads = src->nheads ? malloc(src->nheads * sizeof(pl_oid)) : NULL;
	dst->named = src->nnamed ? malloc(src->nnamed * sizeof(pl_oid)) : NULL;
	if ((src->nlv && !dst->lv) || (src->nheads && !dst->heads) || (src->nnamed && !dst->named)) {
		pl_rstate__clear(dst);
		return pl_error_set(PL_ERROR, "out of memory");
	}
	if (src->nlv)
		memcpy(dst->lv, src->lv, src->nlv * sizeof(leaf));
	if (src->nheads)
		memcpy(dst->heads, src->heads, src->nheads * sizeof(pl_oid));
	if (src->nnamed)
		memcpy(dst->named, src->named, src->nnamed * sizeof(pl_oid));
	return 0;
}
