/*
 * plsync/json.h — canonical JSON, as docs/design.md defines it.
 *
 * UTF-8, keys sorted bytewise, two-space indent, one field per line, numbers
 * as decimals without exponent, trailing newline. Used for state files,
 * --json output and anything a person or another tool diffs.
 */
#ifndef PLSYNC_JSON_H
#define PLSYNC_JSON_H

#include <stdio.h>
#include <jansson.h>

/*
 * Write `v` canonically to a malloc'd NUL-terminated string (caller frees),
 * ending in "\n". Returns NULL only when out of memory.
 */
char *pl_json_canonical(const json_t *v);

/* Same, to a stream. Returns 0 or PL_EOS. */
int pl_json_write(FILE *f, const json_t *v);

/*
 * A canonical JSON array written one element at a time, as the elements
 * come (a read that streams): the bytes are those pl_json_write writes for
 * the whole array. Start with PL_JSON_ARRAY_OUT_INIT(f), call _item for
 * each element, then _end once. Each returns 0 or PL_EOS (writing failed)
 * or PL_ERROR (out of memory).
 */
typedef struct pl_json_array_out {
	FILE  *f;
	size_t n;      /* elements written */
} pl_json_array_out;
#define PL_JSON_ARRAY_OUT_INIT(f) { (f), 0 }
int pl_json_array_item(pl_json_array_out *a, const json_t *v);
int pl_json_array_end(pl_json_array_out *a);

/* A number as canonical JSON text ("6.5", "12000", "0.25") into buf[32]. */
void pl_json_number(char buf[32], const json_t *v);

/*
 * Nested fields and their dotted paths: {"approvals":{"supervisor":{"by":
 * "E100"}}} <-> {"approvals.supervisor.by": "E100"}. flatten adds the
 * leaves of `obj` to `out` (an empty object has none).
 */
void pl_json_flatten(json_t *out, const json_t *obj);
/*
 * Set `path` (dotted) in `root` to `value` (taken, even on failure),
 * creating the objects on the way. PL_EUSAGE, naming the path, for a name
 * with an empty part or too long, one given twice, a value given where
 * nested fields are too, or value NULL (not valid UTF-8).
 */
int pl_json_put(json_t *root, const char *path, json_t *value);
/* The inverse of flatten; NULL when out of memory or a path is refused. */
json_t *pl_json_unflatten(const json_t *flat);

/* The keys of `obj`, sorted bytewise, in a malloc'd array of borrowed
 * strings (the caller frees the array); NULL when out of memory. */
const char **pl_json_keys(const json_t *obj, size_t *n);

#endif
