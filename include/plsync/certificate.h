/*
 * plsync/certificate.h — a certificate of completed PD, and its check.
 *
 * A certificate says who completed what: the staff member's name, the
 * offering (or the entry's title), the dates, hours, credits and credit
 * type, the standards, and a verification code: the id of the op that
 * completed the entry (40 hex digits). Anyone holding the district
 * repository checks a code (pl_certificate_verify): the op exists, it
 * completed that entry, and the entry still says what the certificate
 * says. A made-up code names no op and is refused.
 *
 * A certificate is a JSON object (the caller's, json_decref):
 *   entry, staff, name, title, offering (id or absent), offering_title,
 *   provider, start, end, hours (text), credits (text or absent),
 *   credit_type, standards (array of names), code, completed_at (RFC 3339
 *   UTC of the op's clock), completed_by (its actor), node, seq.
 */
#ifndef PLSYNC_CERTIFICATE_H
#define PLSYNC_CERTIFICATE_H

#include <stdio.h>

#include <jansson.h>

#include "plsync/store.h"

/*
 * The certificate of completed pd_entry `entry` in `st` into *out.
 * Errors: PL_ENOTFOUND (no such record); PL_EINVALID: not a pd_entry, not
 * completed, or no op of this store completed it.
 */
int pl_certificate_get(json_t **out, pl_store *st, const char *entry);

/*
 * Check verification code `code` against `st` (the district's merged
 * cache, or any store): *out gets the certificate the code stands for.
 * Errors: PL_EINVALID: the code is not 40 hex digits, the op it names does
 * not complete a pd_entry, the entry was completed again later (the message
 * names the newer code), or it was changed since (hours, credits, status:
 * the message names the field, the value at completion and now);
 * PL_ENOTFOUND: no op has that id (a forged or mistyped code).
 */
int pl_certificate_verify(json_t **out, pl_store *st, const char *code);

/* Write certificate `c` as one HTML page to f (every value escaped). */
int pl_certificate_html(FILE *f, const json_t *c);

/*
 * Write certificate `c` as a one-page PDF (A4 landscape, the PDF's standard
 * fonts) to `path`, through libharu. Text outside Latin-1 is shown as '?'.
 * Errors: PL_EOS naming the path when it cannot be written; PL_ERROR.
 */
int pl_certificate_pdf(const json_t *c, const char *path);

#endif
