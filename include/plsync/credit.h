/*
 * plsync/credit.h — credit types and transcript totals per credit type.
 *
 * Built in: contact hours; CEU, 10 contact hours to one unit; graduate
 * credit, earned per course (pd_entry credits with credit_type graduate,
 * never converted from hours). The district defines more with credit_type
 * records: a code, a name and the contact hours that make one unit. A
 * converting type (ceu, or the district's) counts every row: its own
 * credits when the entry's credit_type is that type and it gives credits,
 * else its hours converted. Any other credit_type (graduate, or one no
 * record defines) counts only the credits of entries of that type; credits
 * with no credit_type are "credits" (type not given).
 */
#ifndef PLSYNC_CREDIT_H
#define PLSYNC_CREDIT_H

#include <jansson.h>

/*
 * The totals of transcript rows `rows` (objects with "hours", "credits"
 * and "credit_type" | null) under the credit_type records of dataset `ds`:
 * a new array (*out) of { "type", "name", "total", "per_hours" | null },
 * hours first, then ceu, the district's types in code order, graduate and
 * the others in code order; types with a zero total left out except hours.
 * Errors: PL_ERROR when out of memory.
 */
int pl_credit_totals(json_t **out, const json_t *ds, const json_t *rows);

#endif
