/*
 * fuzz-name — op batch names (sync/layout.c): pl_sync__parse_blob_name and
 * pl_sync__blob_path agree both ways.
 *
 * A batch blob is ops/<node>/<a>/<b>/<first>-<last>.msgpack, 12 digits each
 * (docs/design.md, "Git layout"). The merge, fetch and verify read seqs from the
 * name, so these trap:
 *   - a name the parser accepts is exactly the file name blob_path makes of
 *     the seqs it read (one name per batch: no spaces, signs or other
 *     spellings of a number), with 1 <= first <= last;
 *   - the name blob_path makes of two seqs (12 digits) parses back to them.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../sync/layout-int.h"

#define SEQ_MAX 999999999999ull /* 12 digits */

static void parses_back(uint64_t first, uint64_t last)
{
	char path[128];
	const char *name;
	uint64_t f = 0, l = 0;

	pl_sync__blob_path(path, sizeof(path), "LIN01", first, last);
	name = strrchr(path, '/') + 1;
	if (pl_sync__parse_blob_name(&f, &l, name) || f != first || l != last)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char name[64], path[128];
	uint64_t first = 0, last = 0;
	size_t n;

	if (size >= 16) {
		memcpy(&first, data, 8);
		memcpy(&last, data + 8, 8);
		first = first % SEQ_MAX + 1;
		last = first + last % (SEQ_MAX - first + 1);
		parses_back(first, last);
	}
	n = size < sizeof(name) - 1 ? size : sizeof(name) - 1;
	memcpy(name, data, n);
	name[n] = '\0';
	if (pl_sync__parse_blob_name(&first, &last, name) == 0) {
		const char *base;
		if (first == 0 || last < first)
			__builtin_trap();
		pl_sync__blob_path(path, sizeof(path), "LIN01", first, last);
		base = strrchr(path, '/') + 1;
		if (strcmp(base, name))
			__builtin_trap(); /* accepted a second spelling of one batch */
	}
	return 0;
}
