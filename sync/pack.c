/*
 * pack.c — new objects written to disk as one git pack and its index,
 * without deltas; the mempack that holds a commit's new objects until then,
 * and the walk that finds them (only the subtrees that differ from the
 * parent's).
 *
 * Rules kept here:
 *  - The pack is version 2: "PACK", version, count; each object a type and
 *    size header and its zlib stream; the SHA-1 of all that as trailer. The
 *    .idx (version 2) is written from what was written: sorted ids, CRC-32
 *    of each packed object, offsets. Both go to temporary files in
 *    objects/pack/ and are renamed to pack-<checksum>.{pack,idx}, the .idx
 *    last, so a reader never sees half a pack; git fsck --strict checks both
 *    in the tests.
 *  - No delta search and no second pass: the objects plsync writes are op
 *    batches (distinct ops) and small state files and trees; libgit2's
 *    packbuilder spent most of a first merge on a 1 MiB buffer and a deflate
 *    stream per object, and its indexer inflated and hashed each object
 *    again. `git gc` may deltify later.
 *  - Memory is one output buffer, one object at a time and 32 bytes per
 *    object for the index.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <git2.h>
#include <git2/sys/mempack.h>
#include <git2/sys/odb_backend.h>
#include <zlib.h>

#include "plsync/errors.h"
#include "pack-int.h"
#include "tree-int.h"

/* ---- SHA-1 (FIPS 180-4), for the trailer only: ids are libgit2's ---- */

typedef struct sha1 {
	uint32_t      h[5];
	uint64_t      len;
	unsigned char buf[64];
	size_t        n;
} sha1;

static uint32_t rol(uint32_t x, int k)
{
	return (x << k) | (x >> (32 - k));
}

static void sha1_block(sha1 *s, const unsigned char *p)
{
	uint32_t w[80], a = s->h[0], b = s->h[1], c = s->h[2], d = s->h[3], e = s->h[4];

	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (int i = 16; i < 80; i++)
		w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
	for (int i = 0; i < 80; i++) {
		uint32_t f, k, t;
		if (i < 20) {
			f = (b & c) | (~b & d);
			k = 0x5A827999;
		} else if (i < 40) {
			f = b ^ c ^ d;
			k = 0x6ED9EBA1;
		} else if (i < 60) {
			f = (b & c) | (b & d) | (c & d);
			k = 0x8F1BBCDC;
		} else {
			f = b ^ c ^ d;
			k = 0xCA62C1D6;
		}
		t = rol(a, 5) + f + e + k + w[i];
		e = d;
		d = c;
		c = rol(b, 30);
		b = a;
		a = t;
	}
	s->h[0] += a;
	s->h[1] += b;
	s->h[2] += c;
	s->h[3] += d;
	s->h[4] += e;
}

static void sha1_init(sha1 *s)
{
	static const uint32_t h0[5] = { 0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0 };
	memcpy(s->h, h0, sizeof(h0));
	s->len = 0;
	s->n = 0;
}

static void sha1_update(sha1 *s, const unsigned char *p, size_t len)
{
	s->len += len;
	if (s->n) {
		size_t take = 64 - s->n < len ? 64 - s->n : len;
		memcpy(s->buf + s->n, p, take);
		s->n += take;
		p += take;
		len -= take;
		if (s->n < 64)
			return;
		sha1_block(s, s->buf);
		s->n = 0;
	}
	for (; len >= 64; p += 64, len -= 64)
		sha1_block(s, p);
	memcpy(s->buf, p, len);
	s->n = len;
}

static void sha1_final(sha1 *s, unsigned char out[20])
{
	uint64_t bits = s->len * 8;
	unsigned char pad[72] = { 0x80 };
	size_t padlen = (s->n < 56 ? 56 : 120) - s->n;

	for (int i = 0; i < 8; i++)
		pad[padlen + i] = (unsigned char)(bits >> (56 - 8 * i));
	sha1_update(s, pad, padlen + 8);
	for (int i = 0; i < 5; i++) {
		out[4 * i] = (unsigned char)(s->h[i] >> 24);
		out[4 * i + 1] = (unsigned char)(s->h[i] >> 16);
		out[4 * i + 2] = (unsigned char)(s->h[i] >> 8);
		out[4 * i + 3] = (unsigned char)s->h[i];
	}
}

/* ---- the pack ---- */

#define OUT_FLUSH (1u << 20)

/* Where each object went, for the .idx. */
struct pent {
	git_oid  id;
	uint64_t off;
	uint32_t crc;
};

struct packw {
	int            fd;
	char          *dir;       /* objects/pack/ */
	char          *tmp;       /* the pack being written */
	sha1           sum;
	unsigned char *out;
	size_t         n, cap;
	uint64_t       written;   /* bytes already in the file */
	struct pent   *e;
	size_t         ne, cape;
};

static int write_all(int fd, const unsigned char *b, size_t n)
{
	while (n) {
		ssize_t w = write(fd, b, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		b += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Write what is buffered (hashed on the way). */
static int packw_flush(struct packw *p)
{
	if (!p->n)
		return 0;
	sha1_update(&p->sum, p->out, p->n);
	if (write_all(p->fd, p->out, p->n))
		return -1;
	p->written += p->n;
	p->n = 0;
	return 0;
}

static int packw_room(struct packw *p, size_t more)
{
	if (p->n + more <= p->cap)
		return 0;
	if (p->n && packw_flush(p) < 0)
		return -1;
	if (more > p->cap) {
		unsigned char *o = realloc(p->out, more);
		if (!o)
			return -1;
		p->out = o;
		p->cap = more;
	}
	return 0;
}

/* Note object `id` starting at the buffer's current end. */
static int packw_entry(struct packw *p, const git_oid *id)
{
	if (p->ne == p->cape) {
		size_t cap = p->cape ? p->cape * 2 : 1024;
		struct pent *e = realloc(p->e, cap * sizeof(*e));
		if (!e)
			return -1;
		p->e = e;
		p->cape = cap;
	}
	git_oid_cpy(&p->e[p->ne].id, id);
	p->e[p->ne].off = p->written + p->n;
	p->e[p->ne].crc = 0;
	p->ne++;
	return 0;
}

/* An object's pack header: type and size. */
static size_t obj_header(unsigned char hdr[16], git_object_t type, size_t len)
{
	size_t h = 0, sz = len;

	hdr[h++] = (unsigned char)(((unsigned)type << 4) | (sz & 15));
	for (sz >>= 4; sz; sz >>= 7) {
		hdr[h - 1] |= 0x80;
		hdr[h++] = sz & 0x7f;
	}
	return h;
}

/* One object: its header, then its zlib stream. */
static int packw_object(struct packw *p, z_stream *z, const git_oid *id, git_object_t type, const void *data,
                        size_t len)
{
	unsigned char hdr[16];
	size_t h = obj_header(hdr, type, len), bound, start;

	if (len > 0xffffffffu)
		return -1;
	bound = deflateBound(z, (uLong)len);
	if (packw_room(p, h + bound) || packw_entry(p, id))
		return -1;
	start = p->n;
	memcpy(p->out + p->n, hdr, h);
	p->n += h;
	if (deflateReset(z) != Z_OK)
		return -1;
	z->next_in = (Bytef *)data;
	z->avail_in = (uInt)len;
	z->next_out = p->out + p->n;
	z->avail_out = (uInt)bound;
	if (deflate(z, Z_FINISH) != Z_STREAM_END)
		return -1;
	p->n += bound - z->avail_out;
	p->e[p->ne - 1].crc = (uint32_t)crc32(0, p->out + start, (uInt)(p->n - start));
	return 0;
}

/* One object compressed beforehand (pl_sync__zobj_make). */
static int packw_zobject(struct packw *p, const pl_sync__zobj *o)
{
	unsigned char hdr[16];
	size_t h = obj_header(hdr, o->type, o->len);

	if (packw_room(p, h + o->zlen) || packw_entry(p, &o->id))
		return -1;
	memcpy(p->out + p->n, hdr, h);
	memcpy(p->out + p->n + h, o->z, o->zlen);
	p->e[p->ne - 1].crc = (uint32_t)crc32(0, p->out + p->n, (uInt)(h + o->zlen));
	p->n += h + o->zlen;
	return 0;
}

/* Objects under this size (state files, trees) share a stream with a small
 * hash table: resetting the default one clears 64 KiB per object. */
#define SMALL_OBJECT (64u << 10)

int pl_sync__zstream_init(z_stream *z)
{
	memset(z, 0, sizeof(*z));
	if (deflateInit2(z, Z_BEST_SPEED, Z_DEFLATED, 15, 4, Z_DEFAULT_STRATEGY) != Z_OK)
		return pl_error_set(PL_ERROR, "zlib: cannot start a deflate stream");
	return 0;
}

int pl_sync__zobj_make(pl_sync__zobj *o, z_stream *z, git_object_t type, const void *data, size_t len)
{
	uLong bound;

	memset(o, 0, sizeof(*o));
	if (len > 0xffffffffu)
		return pl_error_set(PL_EINVALID, "an object of %zu bytes is too big to pack", len);
	bound = deflateBound(z, (uLong)len);
	if (git_odb_hash(&o->id, data, len, type) < 0)
		return pl_error_from_git(-1, "hashing an object");
	if (!(o->z = malloc(bound)))
		return pl_error_set(PL_ERROR, "out of memory");
	z->next_in = (Bytef *)data;
	z->avail_in = (uInt)len;
	z->next_out = o->z;
	z->avail_out = (uInt)bound;
	if (deflateReset(z) != Z_OK || deflate(z, Z_FINISH) != Z_STREAM_END) {
		free(o->z);
		o->z = NULL;
		return pl_error_set(PL_ERROR, "zlib: deflate failed");
	}
	o->type = type;
	o->len = len;
	o->zlen = bound - z->avail_out;
	return 0;
}

static int cmp_oid(const void *a, const void *b)
{
	return git_oid_cmp(a, b);
}

/* The pack's start: a temporary file in objects/pack/, the header buffered. */
static int pack_begin(struct packw *p, git_repository *repo, size_t n)
{
	unsigned char head[12] = { 'P', 'A', 'C', 'K', 0, 0, 0, 2 };
	git_buf objs = { NULL, 0, 0 };
	int grc;

	memset(p, 0, sizeof(*p));
	p->fd = -1;
	if (n > UINT32_MAX)
		return pl_error_set(PL_ERROR, "%zu objects are too many for one pack", n);
	sha1_init(&p->sum);
	if ((grc = git_repository_item_path(&objs, repo, GIT_REPOSITORY_ITEM_OBJECTS)) < 0)
		return pl_error_from_git(grc, "finding the object directory");
	p->dir = pl_sync__path_join(objs.ptr, "pack/");
	git_buf_dispose(&objs);
	if (!p->dir || !(p->tmp = pl_sync__path_join(p->dir, "tmp_plsync_pack_XXXXXX")) || !(p->out = malloc(OUT_FLUSH)))
		return pl_error_set(PL_ERROR, "out of memory");
	p->cap = OUT_FLUSH;
	if (mkdir(p->dir, 0755) && errno != EEXIST)
		return pl_error_from_errno(p->dir);
	if ((p->fd = mkstemp(p->tmp)) < 0) {
		int rc = pl_error_from_errno(p->tmp);
		free(p->tmp);
		p->tmp = NULL;
		return rc;
	}
	for (int i = 0; i < 4; i++)
		head[8 + i] = (unsigned char)(n >> (24 - 8 * i));
	memcpy(p->out, head, sizeof(head));
	p->n = sizeof(head);
	return 0;
}

static int cmp_pent(const void *a, const void *b)
{
	return git_oid_cmp(&((const struct pent *)a)->id, &((const struct pent *)b)->id);
}

static void put32(unsigned char *b, uint32_t v)
{
	b[0] = (unsigned char)(v >> 24);
	b[1] = (unsigned char)(v >> 16);
	b[2] = (unsigned char)(v >> 8);
	b[3] = (unsigned char)v;
}

/*
 * The trailer, then the .idx (version 2: fan-out, ids, CRC-32s, offsets,
 * the pack's checksum, its own), both renamed into place as
 * pack-<checksum>.{pack,idx} (the .idx last: it makes the pack visible).
 */
static int pack_end(struct packw *p, git_repository *repo)
{
	unsigned char trailer[20], *idx = NULL;
	size_t n = p->ne, nbig = 0, len, off = 0;
	char hex[41], *final = NULL, *idxtmp = NULL, *idxname = NULL;
	int fd = -1, rc = 0;
	sha1 isum;
	git_odb *odb = NULL;

	if (packw_flush(p) < 0)
		return pl_error_from_errno(p->tmp);
	sha1_final(&p->sum, trailer);
	{
		int bad = write_all(p->fd, trailer, sizeof(trailer)) || fchmod(p->fd, 0444);
		bad = close(p->fd) < 0 || bad;
		p->fd = -1;
		if (bad)
			return pl_error_from_errno(p->tmp);
	}
	qsort(p->e, n, sizeof(*p->e), cmp_pent);
	for (size_t i = 0; i < n; i++)
		nbig += p->e[i].off >= 0x80000000u;
	len = 8 + 256 * 4 + n * (20 + 4 + 4) + nbig * 8 + 20 + 20;
	if (!(idx = malloc(len)))
		return pl_error_set(PL_ERROR, "out of memory");
	memcpy(idx, "\377tOc\0\0\0\2", 8);
	off = 8;
	for (unsigned b = 0, i = 0; b < 256; b++) {
		while (i < n && p->e[i].id.id[0] <= b)
			i++;
		put32(idx + off + 4 * b, (uint32_t)i);
	}
	off += 256 * 4;
	for (size_t i = 0; i < n; i++, off += 20)
		memcpy(idx + off, p->e[i].id.id, 20);
	for (size_t i = 0; i < n; i++, off += 4)
		put32(idx + off, p->e[i].crc);
	for (size_t i = 0, big = 0; i < n; i++, off += 4)
		put32(idx + off, p->e[i].off < 0x80000000u ? (uint32_t)p->e[i].off : (uint32_t)(0x80000000u | big++));
	for (size_t i = 0; i < n; i++) {
		if (p->e[i].off < 0x80000000u)
			continue;
		put32(idx + off, (uint32_t)(p->e[i].off >> 32));
		put32(idx + off + 4, (uint32_t)p->e[i].off);
		off += 8;
	}
	memcpy(idx + off, trailer, 20);
	off += 20;
	sha1_init(&isum);
	sha1_update(&isum, idx, off);
	sha1_final(&isum, idx + off);
	off += 20;
	for (int i = 0; i < 20; i++)
		snprintf(hex + 2 * i, 3, "%02x", trailer[i]);
	{
		char name[64];
		snprintf(name, sizeof(name), "pack-%s.pack", hex);
		final = pl_sync__path_join(p->dir, name);
		snprintf(name, sizeof(name), "pack-%s.idx", hex);
		idxname = pl_sync__path_join(p->dir, name);
		idxtmp = pl_sync__path_join(p->dir, "tmp_plsync_idx_XXXXXX");
	}
	if (!final || !idxname || !idxtmp) {
		rc = pl_error_set(PL_ERROR, "out of memory");
		goto cleanup;
	}
	if ((fd = mkstemp(idxtmp)) < 0) {
		rc = pl_error_from_errno(idxtmp);
		goto cleanup;
	}
	{
		int bad = write_all(fd, idx, off) || fchmod(fd, 0444);
		bad = close(fd) < 0 || bad;
		fd = -1;
		if (bad) {
			rc = pl_error_from_errno(idxtmp);
			unlink(idxtmp);
			goto cleanup;
		}
	}
	if (rename(p->tmp, final)) {
		rc = pl_error_from_errno(final);
		unlink(idxtmp);
		goto cleanup;
	}
	/* in place: never removed from here on (a pack of the same name may
	 * have been there already); without its .idx git ignores it */
	free(p->tmp);
	p->tmp = NULL;
	if (rename(idxtmp, idxname)) {
		rc = pl_error_from_errno(idxname);
		unlink(idxtmp);
		goto cleanup;
	}
	if (git_repository_odb(&odb, repo) == 0)
		git_odb_refresh(odb);
	git_odb_free(odb);
cleanup:
	free(idx);
	free(final);
	free(idxname);
	free(idxtmp);
	return rc;
}

static void pack_free(struct packw *p)
{
	if (p->fd >= 0)
		close(p->fd);
	if (p->tmp)
		unlink(p->tmp); /* a pack that was not finished */
	free(p->tmp);
	free(p->dir);
	free(p->out);
	free(p->e);
}

static size_t unique_ids(git_oid *ids, size_t n)
{
	size_t u = 0;

	qsort(ids, n, sizeof(*ids), cmp_oid);
	for (size_t i = 0; i < n; i++)
		if (!u || !git_oid_equal(&ids[i], &ids[u - 1]))
			ids[u++] = ids[i];
	return u;
}

static int cmp_zobj(const void *a, const void *b)
{
	return git_oid_cmp(&((const pl_sync__zobj *)a)->id, &((const pl_sync__zobj *)b)->id);
}

/* Sort and make objs unique (the z of a dropped one is freed). */
static size_t unique_zobjs(pl_sync__zobj *objs, size_t n)
{
	size_t u = 0;

	if (n)
		qsort(objs, n, sizeof(*objs), cmp_zobj);
	for (size_t i = 0; i < n; i++)
		if (!u || !git_oid_equal(&objs[i].id, &objs[u - 1].id))
			objs[u++] = objs[i];
		else
			free(objs[i].z); /* the same file twice: once is enough */
	for (size_t i = u; i < n; i++)
		objs[i].z = NULL;
	return u;
}

int pl_sync__write_pack_with(git_repository *repo, git_odb_backend *mempack, git_oid *ids, size_t n,
                             pl_sync__zobj *objs, size_t nz)
{
	struct packw p;
	z_stream z, zs;
	size_t m = 0;
	int grc = 0, zok = 0, rc = 0;

	/* once each: a pack must not hold an object twice */
	n = n ? unique_ids(ids, n) : 0;
	nz = unique_zobjs(objs, nz);
	for (size_t i = 0; i < n; i++) {
		pl_sync__zobj key;
		git_oid_cpy(&key.id, &ids[i]);
		if (!nz || !bsearch(&key, objs, nz, sizeof(*objs), cmp_zobj))
			ids[m++] = ids[i];
	}
	n = m;
	if (n + nz == 0)
		return 0;
	memset(&z, 0, sizeof(z));
	if (deflateInit(&z, Z_BEST_SPEED) != Z_OK)
		return pl_error_set(PL_ERROR, "zlib: cannot start a deflate stream");
	zok = 1;
	if ((rc = pl_sync__zstream_init(&zs)))
		goto cleanup;
	zok = 2;
	if ((rc = pack_begin(&p, repo, n + nz)))
		goto cleanup;
	errno = 0;
	for (size_t i = 0; i < n; i++) {
		void *data = NULL;
		size_t len = 0;
		git_object_t type = GIT_OBJECT_INVALID;

		if ((grc = mempack->read(&data, &len, &type, mempack, &ids[i])) < 0) {
			rc = pl_error_from_git(grc, "reading a new object");
			goto cleanup;
		}
		grc = packw_object(&p, len < SMALL_OBJECT ? &zs : &z, &ids[i], type, data, len);
		git_odb_backend_data_free(mempack, data);
		if (grc)
			goto failed;
	}
	for (size_t i = 0; i < nz; i++)
		if (packw_zobject(&p, &objs[i]))
			goto failed;
	rc = pack_end(&p, repo);
	goto cleanup;
failed:
	rc = errno ? pl_error_from_errno(p.tmp)
	           : pl_error_set(PL_ERROR, "writing a pack: out of memory or zlib failure");
cleanup:
	if (zok)
		deflateEnd(&z);
	if (zok > 1)
		deflateEnd(&zs);
	if (zok > 1)
		pack_free(&p);
	return rc;
}

int pl_sync__write_pack(git_repository *repo, git_odb_backend *mempack, git_oid *ids, size_t n)
{
	return pl_sync__write_pack_with(repo, mempack, ids, n, NULL, 0);
}

int pl_sync__write_zpack(git_repository *repo, pl_sync__zobj *objs, size_t n)
{
	return pl_sync__write_pack_with(repo, NULL, NULL, 0, objs, n);
}

/* ---- the mempack: new objects held until their pack ---- */

/* The ids of the objects to write, in the order they are found. */
struct idlist {
	git_oid *a;
	size_t   n, cap;
};

static int idlist_add(struct idlist *l, const git_oid *id)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 1024;
		git_oid *a = realloc(l->a, cap * sizeof(*a));
		if (!a) {
			git_error_set_oom();
			return -1;
		}
		l->a = a;
		l->cap = cap;
	}
	git_oid_cpy(&l->a[l->n++], id);
	return 0;
}

/*
 * Collect the objects of `tree` that are in the mempack, walking only
 * subtrees that differ from `base` (the parent's tree at the same path), so
 * the work grows with what changed, never with the whole tree. An object
 * met twice (the same blob under two paths) is listed once.
 */
static int collect_new(struct idlist *l, git_repository *repo, git_odb_backend *mempack,
                       const git_tree *tree, const git_tree *base)
{
	int rc = 0;

	if (mempack->exists(mempack, git_tree_id(tree)) && (rc = idlist_add(l, git_tree_id(tree))) < 0)
		return rc;
	for (size_t i = 0; i < git_tree_entrycount(tree) && rc >= 0; i++) {
		const git_tree_entry *e = git_tree_entry_byindex(tree, i);
		const git_tree_entry *be = base ? git_tree_entry_byname(base, git_tree_entry_name(e)) : NULL;
		const git_oid *id = git_tree_entry_id(e);

		if (be && git_oid_equal(git_tree_entry_id(be), id))
			continue; /* unchanged: already on disk */
		if (git_tree_entry_type(e) == GIT_OBJECT_TREE) {
			git_tree *sub = NULL, *bsub = NULL;
			if ((rc = git_tree_lookup(&sub, repo, id)) < 0)
				break;
			if (be && git_tree_entry_type(be) == GIT_OBJECT_TREE)
				git_tree_lookup(&bsub, repo, git_tree_entry_id(be));
			rc = collect_new(l, repo, mempack, sub, bsub);
			git_tree_free(bsub);
			git_tree_free(sub);
		} else if (mempack->exists(mempack, id)) {
			rc = idlist_add(l, id);
		}
	}
	return rc;
}

int pl_sync__flush_mempack(git_repository *repo, git_odb_backend *mempack, const git_oid *commit,
                           const git_tree *base)
{
	struct idlist l = { NULL, 0, 0 };
	git_commit *c = NULL;
	git_tree *tree = NULL;
	int grc, rc = 0;

	/* the commit too only if it is new: the same commit (same tree, parent,
	 * message and second) may be on disk already, from a try whose ref
	 * move failed, and then libgit2 did not write it again */
	if ((grc = git_commit_lookup(&c, repo, commit)) < 0 || (grc = git_commit_tree(&tree, c)) < 0 ||
	    (mempack->exists(mempack, commit) && (grc = idlist_add(&l, commit)) < 0) ||
	    (grc = collect_new(&l, repo, mempack, tree, base)) < 0) {
		rc = pl_error_from_git(grc, "collecting the new objects");
		goto cleanup;
	}
	if ((rc = pl_sync__write_pack(repo, mempack, l.a, l.n)) == 0)
		git_mempack_reset(mempack);
cleanup:
	free(l.a);
	git_tree_free(tree);
	git_commit_free(c);
	return rc;
}

int pl_sync__add_mempack(git_odb_backend **out, git_repository *repo)
{
	git_odb *odb = NULL;
	int rc;

	*out = NULL;
	if ((rc = git_repository_odb(&odb, repo)) < 0 || (rc = git_mempack_new(out)) < 0 ||
	    (rc = git_odb_add_backend(odb, *out, 999)) < 0) {
		if (*out && rc < 0)
			(*out)->free(*out);
		*out = NULL;
		git_odb_free(odb);
		return pl_error_from_git(rc, "preparing the repository");
	}
	git_odb_free(odb);
	return 0;
}
