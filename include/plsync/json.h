/*
 * plsync/json.h — canonical JSON, as DESIGN.md defines it.
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

/* A number as canonical JSON text ("6.5", "12000", "0.25") into buf[32]. */
void pl_json_number(char buf[32], const json_t *v);

#endif
