/*
 * owner.c — record ids and who may write a record.
 *
 * Rules kept here (docs/design.md, "Record ids" and "Ownership"):
 *  - A generated id is NODE-XXXXX: the node's code and a bijective
 *    scramble of (seq, attempt) in Crockford base32.
 *  - A record belongs to the node whose create made it; DISTRICT may
 *    change any record and create any id.
 *  - No node creates an id of another node's generated form: that would
 *    be a way into a record before its owner made it.
 *  The rule is written once (pl_store__may_write); the local and the
 *  remote path each word its refusal for their reader.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "plsync/text.h"
#include "store-int.h"

void pl_id__copy(char out[PL_ID_MAX + 1], const char *id)
{
	size_t n = strnlen(id, PL_ID_MAX);
	memcpy(out, id, n);
	out[n] = '\0';
}

static const char crockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/* NODE-XXXXX: a bijective scramble of (seq, attempt) in base32. */
void pl_id__make(char out[PL_ID_MAX + 1], const char *node, uint64_t seq, unsigned attempt)
{
	uint64_t x = seq + ((uint64_t)attempt << 40);
	int chars = 5, bits;
	uint64_t mask;
	char suf[16];

	while (chars < 13 && (x >> (5 * chars)))
		chars++;
	bits = 5 * chars;
	mask = bits >= 64 ? ~0ull : (1ull << bits) - 1;
	for (int r = 0; r < 3; r++) {
		x = (x * 0x9E3779B97F4A7C15ull) & mask;  /* odd multiplier: a bijection mod 2^bits */
		x ^= x >> (bits / 2 + 1);
	}
	for (int i = chars - 1; i >= 0; i--, x >>= 5)
		suf[i] = crockford[x & 31];
	suf[chars] = '\0';
	{
		size_t n = strlen(node); /* PL_NODE_MAX + 1 + 13 < PL_ID_MAX */
		memcpy(out, node, n);
		out[n] = '-';
		memcpy(out + n + 1, suf, (size_t)chars + 1);
	}
}

int pl_id__valid(const char *id)
{
	size_t n = strlen(id);
	if (n == 0 || n > PL_ID_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)id[i];
		if (c <= ' ' || c == '/' || c == '\\' || c == 127 || c == ',' || c == '"')
			return 0;
	}
	return id[0] != '.' && id[0] != '-' && pl_utf8_valid(id, n) && pl_text_control(id, n) < 0;
}

/*
 * The node whose generated-id form `id` has (NODE-XXXXX as pl_id__make writes
 * it: a node code, '-', 5-13 base32 characters) into node, or 0 if it has
 * none. A node never creates an id of another node's form (docs/design.md,
 * "Record ids"): that would be a way into a record before its owner made it.
 */
static int id_form_node(char node[PL_NODE_MAX + 1], const char *id)
{
	const char *dash = strrchr(id, '-');
	size_t n, sl;

	if (!dash || (n = (size_t)(dash - id)) == 0 || n > PL_NODE_MAX)
		return 0;
	sl = strlen(dash + 1);
	if (sl < 5 || sl > 13 || strspn(dash + 1, crockford) != sl)
		return 0;
	memcpy(node, id, n);
	node[n] = '\0';
	return pl_node_valid(node);
}

/*
 * The ownership rule, for both paths (local.c words its refusals for the
 * person at this node, remote.c for the one reading a merge report).
 */
pl_own pl_store__may_write(char who[PL_NODE_MAX + 1], const char *node, int create, const char *owner,
                           const char *id)
{
	int district = !strcmp(node, PL_NODE_DISTRICT);

	who[0] = '\0';
	if (create && !district && id_form_node(who, id) && strcmp(who, node))
		return PL_OWN_FOREIGN_FORM;
	who[0] = '\0';
	if (!owner || district)
		return PL_OWN_OK;
	if (owner[0] && strcmp(owner, node)) {
		snprintf(who, PL_NODE_MAX + 1, "%s", owner);
		return PL_OWN_OTHERS;
	}
	/* an edit or delete of a record whose create has not arrived: a node's
	 * own create precedes its edits in its chain, so only DISTRICT's may
	 * come first, or a node could change another's record by arriving
	 * before its create */
	if (!owner[0] && !create)
		return PL_OWN_NOT_CREATED;
	return PL_OWN_OK;
}
