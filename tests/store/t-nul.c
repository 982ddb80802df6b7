/*
 * A NUL byte inside a string value. The decoder refuses an op whose strings
 * hold one (they are not text), so the store must never write such an op:
 * before this test, a CSV cell "Riv\0er" was stored, and the school's own
 * op log then failed `plsync check` and `log`, and its next sync would have
 * had the node quarantined (fuzz-import found it). Every write path goes
 * through the schema, which now refuses it naming the field; nothing is
 * written and the store still verifies.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "plsync/plsync.h"
#include "../tap.h"
#include "../testlib.h"

static pl_store *st;

static void refused(const char *kind, const char *id, json_t *fields, const char *what, const char *field)
{
	pl_change c = { PL_CHANGE_CREATE, kind, id, fields, NULL, NULL };
	int rc = pl_store_change(st, "A <a@b.example>", &c, NULL);

	if (is_int(rc, PL_EINVALID, "%s is refused", what))
		ok(strstr(pl_error_last()->message, field) && strstr(pl_error_last()->message, "NUL byte"),
		   "  naming the field and the NUL byte");
	if (rc != PL_EINVALID)
		diag("%s", rc ? pl_error_last()->message : "accepted");
	json_decref(fields);
}

int main(void)
{
	char dir[] = "/tmp/plsync-t-nul-XXXXXX";
	uint64_t nops = 0, nrecs = 0;
	json_t *f;

	pl_init();
	st = tl_fresh_store(dir, "LIN01");
	f = json_pack("{ss ss}", "code", "LIN01", "name", "Lincoln");
	pl_change c = { PL_CHANGE_CREATE, "school", "LIN01", f, NULL, NULL };
	is_int(pl_store_change(st, "A <a@b.example>", &c, NULL), 0, "a school is added");
	json_decref(f);

	refused("staff", "E300", json_pack("{s:s% ss ss}", "name", "Riv\0er", (size_t)6, "category", "certified",
	                                   "school", "LIN01"),
	        "a name holding a NUL byte", "staff.name");
	refused("staff", "E301", json_pack("{ss ss s:s%}", "name", "Riv", "category", "certified", "school",
	                                   "LIN01\0X", (size_t)7),
	        "a reference holding a NUL byte", "staff.school");
	refused("staff", "E302", json_pack("{ss ss ss s:s%}", "name", "Riv", "category", "certified", "school",
	                                   "LIN01", "renewal_hours_required", "90\0abc", (size_t)6),
	        "a number's text holding a NUL byte", "renewal_hours_required");
	refused("plc_meeting", NULL, json_pack("{ss ss ss si s:s%}", "group", "G4", "school", "LIN01", "date",
	                                      "2026-10-21", "minutes", 50, "standards",
	                                      "learning_designs\0,data", (size_t)22),
	        "a list's text holding a NUL byte", "plc_meeting.standards");
	refused("plc_meeting", NULL, json_pack("{ss ss ss si s[s%]}", "group", "G4", "school", "LIN01", "date",
	                                      "2026-10-21", "minutes", 50, "standards", "data\0x", (size_t)6),
	        "a list element holding a NUL byte", "plc_meeting.standards");

	is_int(pl_store_verify(st, &nops, &nrecs), 0, "the store still verifies");
	is_int((int)nops, 1, "and holds only the school's op");
	tl_store_done(st, dir);
	return done_testing();
}
