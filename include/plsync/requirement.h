/*
 * plsync/requirement.h — required trainings (kind `requirement`) and each
 * staff member's compliance with them, as of a day.
 *
 * A requirement applies to the staff it names by role (job title, any
 * case), category and school (none given: everyone). It is satisfied by
 * the staff member's completed pd_entries that match it: title containing
 * match_title (any case), type match_type, a standard of match_standards,
 * or an offering of `offerings` (pd_entry.offering); with none of these,
 * a title containing the requirement's title. With `hours`, the matching
 * entries of the period must add up to them; else one is enough.
 *
 *   once            done once ever; due on due_date (none: due now)
 *   yearly (due)    due every year on MM-DD: done if completed since the
 *                   last due day; if not, due on the next one when it was
 *                   done in the year before the last due day, else overdue
 *   every_n_years   due `years` after the last matching completion (none:
 *                   overdue)
 *
 * A state is "done", "due" (not within the soon window), "due_soon" (due
 * within `soon_days`, 30, days) or "overdue".
 */
#ifndef PLSYNC_REQUIREMENT_H
#define PLSYNC_REQUIREMENT_H

#include <jansson.h>

/*
 * The compliance rows of dataset `ds` as of `today`, for staff member
 * `staff` (NULL: everyone): a new array (*out, the caller's) of
 *   { "staff", "name", "school" | null, "requirement", "title", "state",
 *     "due" | null, "last" | null (the last matching completion),
 *     "hours", "hours_required" | null }
 * in (staff, requirement) order; soon_days 0 = 30.
 * Errors: PL_EINVALID for a bad today, or a requirement whose `due` is not
 * MM-DD or that lacks what its frequency needs (naming it); PL_ERROR when
 * out of memory.
 */
int pl_compliance(json_t **out, const json_t *ds, const char *today, const char *staff, int soon_days);

/* "done", "due", "due soon", "overdue": a row's state for people. */
const char *pl_compliance_state_title(const char *state);

#endif
