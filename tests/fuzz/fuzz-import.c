/*
 * fuzz-import — the import library (plsync/import.h: domain/import*.c) over
 * hostile CSV and JSON Lines, into a real LMDB store (node LIN01, no fsync)
 * made once per process.
 *
 * The input's first line names the kind and the format, "<kind>
 * <csv|jsonl>"; the rest is the file. Each input is parsed (every error
 * listed) and, if it has none, committed, exactly as `plsync import` does.
 * Sanitizers catch memory errors; these trap: a parse that fails without an
 * error listed or with an error without a message; a commit that fails
 * without naming the file; a commit whose new records the store does not
 * hold, or after which the store does not verify or holds another number
 * of ops than it made. A store that took records is made anew, so every
 * input meets the same one: LIN01's school and staff E100, E200.
 */
#include <stdlib.h>
#include <string.h>

#include "plsync/import.h"
#include "plsync/plsync.h"

#include "../testlib.h"

static char dir[64];
static char store_dir[64];
static pl_store *st;

static const char *const seed[][2] = {
	{ "school", "{\"code\":\"LIN01\",\"name\":\"Lincoln Elementary\",\"level\":\"elementary\"}" },
	{ "staff", "{\"name\":\"Pat Rivera\",\"category\":\"certified\",\"school\":\"LIN01\"}" },
	{ "staff", "{\"name\":\"Ann Lee\",\"category\":\"certified\",\"school\":\"LIN01\",\"supervisor\":\"E200\"}" },
};
static const char *const seed_ids[] = { "LIN01", "E200", "E100" };

static void fresh_store(void)
{
	if (tl_store_remake(&st, store_dir, "LIN01"))
		goto fail;
	for (size_t i = 0; i < sizeof(seed) / sizeof(seed[0]); i++) {
		json_t *fields = json_loads(seed[i][1], 0, NULL);
		pl_change ch = { PL_CHANGE_CREATE, seed[i][0], seed_ids[i], fields, NULL, NULL };
		int rc = pl_store_change(st, "Fuzz <fuzz@example.org>", &ch, NULL);
		json_decref(fields);
		if (rc)
			goto fail;
	}
	return;
fail:
	fprintf(stderr, "fuzz-import: cannot make a store in %s: %s\n", store_dir, pl_error_last()->message);
	abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	tl_fuzz_scratch(dir, sizeof(dir), store_dir, sizeof(store_dir), &st, "plsync-fuzz-import");
	fresh_store();
	return 0;
}

static int holds(const char *id)
{
	pl_record *r = NULL;
	int rc = pl_store_get(&r, st, id);

	pl_record_free(r);
	return rc == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	pl_import_options o = PL_IMPORT_OPTIONS_INIT;
	const uint8_t *nl = memchr(data, '\n', size < 64 ? size : 64);
	char first[64], kind[33], format[8], id1[PL_ID_MAX + 1], id2[PL_ID_MAX + 1];
	uint64_t nops = 0, nrec = 0;
	pl_import *im = NULL;
	size_t len;
	char *copy;
	int rc;

	if (!nl)
		return 0;
	memcpy(first, data, (size_t)(nl - data));
	first[nl - data] = '\0';
	if (sscanf(first, "%32s %7s", kind, format) != 2 || !pl_schema_kind(kind) ||
	    (strcmp(format, "csv") && strcmp(format, "jsonl")))
		return 0;
	o.format = strcmp(format, "jsonl") ? PL_IMPORT_CSV : PL_IMPORT_JSONL;
	o.day_first = size & 1;
	len = size - (size_t)(nl + 1 - data);
	/* the program hands the library a NUL-terminated copy */
	if (!(copy = malloc(len + 1)))
		abort();
	memcpy(copy, nl + 1, len);
	copy[len] = '\0';

	pl_error_clear();
	if (pl_import_new(&im, kind, "fuzz.csv", &o))
		__builtin_trap();
	rc = pl_import_parse(im, st, copy, len);
	if (rc == PL_EINVALID) {
		if (!pl_import_error_count(im) || !pl_import_errors_kept(im))
			__builtin_trap(); /* refused, listing nothing */
		for (size_t i = 0; i < pl_import_errors_kept(im); i++)
			if (!pl_import_error_get(im, i)->message[0])
				__builtin_trap();
	} else if (rc) {
		__builtin_trap(); /* memory or the store: not from the input */
	} else {
		size_t made = pl_import_count(im, PL_IMPORT_NEW), upd = pl_import_count(im, PL_IMPORT_UPDATE);
		pl_error_clear();
		rc = pl_import_commit(im, st, "Fuzz <fuzz@example.org>", NULL, id1, id2);
		if (rc && (!pl_error_last()->message[0] || !strstr(pl_error_last()->message, "fuzz.csv")))
			__builtin_trap(); /* a refusal that names no file and line */
		if (rc == 0 && (made || upd)) {
			if ((made && (!holds(id1) || !holds(id2))) || pl_store_verify(st, &nops, &nrec) ||
			    nops != made + upd + sizeof(seed) / sizeof(seed[0]))
				__builtin_trap();
			fresh_store();
		}
	}
	pl_import_free(im);
	free(copy);
	return 0;
}
