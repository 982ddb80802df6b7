/*
 * fuzz-import — `plsync import`'s CSV and JSON Lines parsing (agent/
 * cmd-import.c) into a real LMDB store (node LIN01, no fsync) made once per
 * process.
 *
 * The parser is static in the agent, so this file includes cmd-import.c and
 * runs its write function, import_fn, through pl_store_write exactly as the
 * command does (the rest of the agent is linked as it is, its main()
 * renamed). The input's first line names the kind and the format,
 * "<kind> <csv|jsonl>"; the rest is the file. Sanitizers catch memory
 * errors; these trap: a failed import without a message or a line number;
 * an import that says it added records the store does not hold, or after
 * which the store does not verify. A store that took records is made anew,
 * so every input meets the same one: LIN01's school and staff E100, E200.
 */
#include "../../agent/cmd-import.c"

#include <unistd.h>

#include "../../sync/layout-int.h"

static char dir[64];
static char store_dir[64];
static pl_store *st;

static const char *const seed[][2] = {
	{ "school", "{\"code\":\"LIN01\",\"name\":\"Lincoln Elementary\",\"level\":\"elementary\"}" },
	{ "staff", "{\"name\":\"Pat Rivera\",\"category\":\"certified\",\"school\":\"LIN01\"}" },
	{ "staff", "{\"name\":\"Ann Lee\",\"category\":\"certified\",\"school\":\"LIN01\",\"supervisor\":\"E200\"}" },
};
static const char *const seed_ids[] = { "LIN01", "E200", "E100" };

/*
 * The per-process dir, in memory (/dev/shm) where there is one: the store is
 * made anew after every input it took, and on a shared disk that, not the
 * code under test, would set the pace.
 */
static char *make_dir(char *buf, size_t sz, const char *name)
{
	snprintf(buf, sz, "/dev/shm/%s-XXXXXX", name);
	if (access("/dev/shm", W_OK) == 0 && mkdtemp(buf))
		return buf;
	snprintf(buf, sz, "/tmp/%s-XXXXXX", name);
	return mkdtemp(buf);
}

static void fresh_store(void)
{
	pl_store_options o = PL_STORE_OPTIONS_INIT;

	o.no_sync = 1;
	pl_store_free(st);
	st = NULL;
	if (pl_sync__rm_rf(store_dir) || pl_store_create(store_dir, "LIN01", &o) ||
	    pl_store_open(&st, store_dir, &o))
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

static void cleanup(void)
{
	pl_store_free(st);
	pl_sync__rm_rf(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (pl_init() || !make_dir(dir, sizeof(dir), "plsync-fuzz-import"))
		abort();
	snprintf(store_dir, sizeof(store_dir), "%s/store", dir);
	fresh_store();
	atexit(cleanup);
	return 0;
}

/* Every id the import reported is a record of its kind in the store. */
static int holds(const struct import *im)
{
	pl_record *r = NULL;
	int rc = pl_store_get(&r, st, im->first_id);

	pl_record_free(r);
	if (rc)
		return 0;
	rc = pl_store_get(&r, st, im->last_id);
	pl_record_free(r);
	return rc == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct import im = { 0 };
	const uint8_t *nl = memchr(data, '\n', size < 64 ? size : 64);
	char first[64], kind[33], format[8];
	uint64_t nops = 0, nrec = 0;
	char *copy;
	int rc;

	if (!nl)
		return 0;
	memcpy(first, data, (size_t)(nl - data));
	first[nl - data] = '\0';
	if (sscanf(first, "%32s %7s", kind, format) != 2 || !(im.kind = pl_schema_kind(kind)) ||
	    (strcmp(format, "csv") && strcmp(format, "jsonl")))
		return 0;
	im.jsonl = !strcmp(format, "jsonl");
	im.file = "fuzz.csv";
	im.len = size - (size_t)(nl + 1 - data);
	/* read_file hands the parser a NUL-terminated copy */
	if (!(copy = malloc(im.len + 1)))
		abort();
	memcpy(copy, nl + 1, im.len);
	copy[im.len] = '\0';
	im.data = copy;

	pl_error_clear();
	rc = pl_store_write(st, "Fuzz <fuzz@example.org>", import_fn, &im);
	if (rc && (!pl_error_last()->message[0] || !strstr(pl_error_last()->message, "fuzz.csv")))
		__builtin_trap(); /* a refusal that names no file and line */
	if (rc == 0 && im.count) {
		if (!holds(&im) || pl_store_verify(st, &nops, &nrec) ||
		    nops != (uint64_t)im.count + sizeof(seed) / sizeof(seed[0]))
			__builtin_trap();
		fresh_store();
	}
	json_decref(im.header);
	json_decref(im.row);
	free(copy);
	return 0;
}
