/* A first end-to-end check of the store: create, add, read back. */
#include <stdlib.h>
#include <unistd.h>

#include "plsync/plsync.h"
#include "../tap.h"

int main(void)
{
	char dir[] = "/tmp/plsync-t-XXXXXX", id[PL_ID_MAX + 1], cmd[256];
	pl_store *st = NULL;
	pl_record *r = NULL;
	json_t *f;
	int rc;

	pl_init();
	if (!mkdtemp(dir))
		bail("mkdtemp");
	rc = pl_store_create(dir, "LIN01", NULL);
	is_int(rc, 0, "a store is created in an empty dir");
	rc = pl_store_open(&st, dir, NULL);
	is_int(rc, 0, "the store opens");
	f = json_pack("{ss ss}", "code", "LIN01", "name", "Lincoln");
	pl_change c = { PL_CHANGE_CREATE, "school", "LIN01", f, NULL };
	rc = pl_store_change(st, "A <a@b>", &c, id);
	if (!is_int(rc, 0, "a school is added"))
		diag("%s", pl_error_last()->message);
	json_decref(f);
	f = json_pack("{ss ss ss}", "name", "Ann", "category", "certified", "school", "LIN01");
	pl_change c2 = { PL_CHANGE_CREATE, "staff", NULL, f, NULL };
	rc = pl_store_change(st, "A <a@b>", &c2, id);
	if (!is_int(rc, 0, "a staff member is added with a generated id"))
		diag("%s", pl_error_last()->message);
	diag("id %s", id);
	json_decref(f);
	rc = pl_store_get(&r, st, id);
	is_int(rc, 0, "the staff record reads back");
	is_str(r ? json_string_value(json_object_get(r->fields, "name")) : NULL, "Ann", "with its name");
	pl_record_free(r);
	pl_store_free(st);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		diag("cleanup failed");
	return done_testing();
}
