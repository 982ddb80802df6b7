/*
 * Op batch names (sync/layout.c). A batch blob is named
 * <first>-<last>.msgpack, 12 digits each, and the merge, fetch and verify
 * read its seqs from that name: so one batch has one name. The parser takes
 * what pl_sync__blob_path writes and gives back its seqs; it refuses every
 * other spelling of those numbers (strtoull alone took a leading space, a
 * '+' or a '-' as part of a 12-character seq: fuzz-name found " 00000000001").
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "plsync/plsync.h"
#include "../../sync/layout-int.h"
#include "../tap.h"

static void parses(const char *name, uint64_t want_first, uint64_t want_last)
{
	uint64_t first = 0, last = 0;
	int rc = pl_sync__parse_blob_name(&first, &last, name);
	ok(rc == 0 && first == want_first && last == want_last, "'%s' reads as seqs %llu..%llu", name,
	   (unsigned long long)want_first, (unsigned long long)want_last);
}

static void refused(const char *name, const char *why)
{
	uint64_t first = 0, last = 0;
	is_int(pl_sync__parse_blob_name(&first, &last, name), -1, "'%s' is refused: %s", name, why);
}

int main(void)
{
	static const uint64_t seqs[][2] = {
		{ 1, 1 }, { 1, 5 }, { 999, 1000 }, { 999999, 1000001 }, { 1234567, 1234999 },
		{ 999999999998ull, 999999999999ull },
	};
	char path[128];
	int all = 1;

	parses("000000000001-000000000005.msgpack", 1, 5);
	parses("000001234567-000001234567.msgpack", 1234567, 1234567);
	refused(" 00000000001-000000000005.msgpack", "a space before the first seq");
	refused("000000000001- 00000000005.msgpack", "a space before the last seq");
	refused("+00000000001-000000000005.msgpack", "a plus sign");
	refused("-00000000001--00000000001.msgpack", "minus signs (strtoull would read 2^64-1)");
	refused("000000000001-0000000000x5.msgpack", "a letter in a seq");
	refused("000000000000-000000000005.msgpack", "seq 0");
	refused("000000000005-000000000001.msgpack", "last before first");
	refused("000000000001-000000000005.msgpacks", "a longer suffix");
	refused("00000000001-000000000005.msgpack", "11 digits");

	for (size_t i = 0; i < sizeof(seqs) / sizeof(seqs[0]); i++) {
		uint64_t first = 0, last = 0;
		pl_sync__blob_path(path, sizeof(path), "LIN01", seqs[i][0], seqs[i][1]);
		if (pl_sync__parse_blob_name(&first, &last, strrchr(path, '/') + 1) || first != seqs[i][0] ||
		    last != seqs[i][1]) {
			diag("%s does not read back as %llu..%llu", path, (unsigned long long)seqs[i][0],
			     (unsigned long long)seqs[i][1]);
			all = 0;
		}
	}
	ok(all, "every name blob_path makes reads back as its seqs");
	return done_testing();
}
