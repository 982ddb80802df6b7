/*
 * plsync/offering.h — a PD offering (kind `offering`): its sessions, its
 * hours and the sign-in code of each session.
 *
 * An offering made by DISTRICT is read by every school after a sync
 * (ownership, docs/design.md section 7); one made at a school stays the
 * school's. Staff register for it (plsync/registration.h), sign in to its
 * sessions (plsync/attendance.h) and get a certificate when their entry is
 * completed (plsync/certificate.h).
 *
 * Sessions are a list of text, one "YYYY-MM-DD HH:MM-HH:MM PLACE" each
 * (the place may be left out): the schema has no list of maps, and a line
 * a person can type is what the CLI and the import give. Each session is
 * numbered from 1 in list order. Every local write of an offering checks
 * that its sessions parse (the store's sense rules, pl_schema_prepare).
 *
 * Sign-in codes are derived, not stored: six characters of Crockford base32
 * from the SHA-1 of the offering's `signin_key`, its id and the session's
 * number. Anyone holding the offering's record (every node after a sync)
 * can check a code without the network; a person who was not given the code
 * cannot guess it (one in 2^30).
 */
#ifndef PLSYNC_OFFERING_H
#define PLSYNC_OFFERING_H

#include <stddef.h>

#include <jansson.h>

#include "plsync/session.h"
#include "plsync/store.h"

/*
 * The sessions of an offering's fields (its "sessions" list) into a
 * malloc'd array *out of *n (the caller frees it with free(); NULL when
 * there is none). Errors: PL_EINVALID naming the session number and text.
 */
int pl_offering_sessions(pl_session **out, size_t *n, const json_t *fields);

/* Size of a sign-in code with its terminator. */
#define PL_SIGNIN_CODE_SIZE 7

/*
 * The sign-in code of session `session` (1-based) of offering `id` with
 * `fields` into out. Errors: PL_EINVALID if the offering has no signin_key
 * or no such session.
 */
int pl_offering_code(char out[PL_SIGNIN_CODE_SIZE], const char *id, const json_t *fields, size_t session);

/*
 * 1 if `given` is the code of that session: case, blanks and dashes do not
 * matter, and O/I/L are read as 0/1/1 (Crockford). 0 otherwise.
 */
int pl_offering_code_ok(const char *id, const json_t *fields, size_t session, const char *given);

/*
 * Create an offering from `fields` (raw values, as for pl_change) with id
 * `id` (NULL: generated; the id made into id_out): its sessions must parse,
 * hours default to the sessions' total, and signin_key is made (16 random
 * bytes in hex) unless the fields give one. One op, note "offering
 * published". Errors: PL_EINVALID for a bad session or what the schema
 * refuses; PL_EEXISTS; PL_ERROR.
 */
int pl_offering_create(pl_store *st, const char *actor, const char *id, const json_t *fields,
                       char id_out[PL_ID_MAX + 1]);

/*
 * What became of offering `id` in `st` (the web app's offering page, the
 * CLI's show): *out (the caller's) gets
 *   { "registered": N, "waitlisted": N, "cancelled": N, "completed": N,
 *     "evaluations": N,
 *     "levels": [ { "level": 1, "field": "reaction",
 *                   "title": "Participants' reactions",
 *                   "n": N, "mean": X or null }, ... five ] }
 * over the pd_entries registered for it (pd_entry.offering): the
 * registrations by state, the completed entries, and the Guskey
 * evaluation of the completed ones, level by level (the levels of
 * pl_schema_guskey_levels; mean rounded to two decimals, null when
 * nobody rated that level). Errors: PL_ENOTFOUND; PL_EINVALID: not an
 * offering; PL_ERROR.
 */
int pl_offering_results(json_t **out, pl_store *st, const char *id);

#endif
