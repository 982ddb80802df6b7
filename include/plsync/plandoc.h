/*
 * plsync/plandoc.h — a professional learning plan laid out as the district's
 * plan template has it.
 *
 * The template's parts, in order: Who We Are (district/school profile:
 * schools, demographics, enrollment, teaching units/certification,
 * per-pupil expenditure), What We Believe (mission, vision), What We Want to
 * Accomplish (one row per goal: the goal; rationale/evidence and student
 * impact; measure, frequency, overarching outcome and Year 1/2/3 outcomes),
 * then one table per goal with its activities: initial activity and
 * follow-up (who, what, how), duration (when), resources (what is needed),
 * and standards, delivery, budget and funding.
 *
 * The document object:
 *   { "plan": id, "fields": {plan fields}, "school": id | null,
 *     "school_fields": {school fields} | null,
 *     "goals": [ { "id", "fields", "activities": [ { "id", "fields" } ] } ] }
 * Goals in number order, activities in start-date order (then id).
 */
#ifndef PLSYNC_PLANDOC_H
#define PLSYNC_PLANDOC_H

#include <stdio.h>

#include <jansson.h>

/*
 * Gather plan `plan_id` with its school, goals and activities from
 * `dataset`. *out is a new object owned by the caller.
 * Errors: PL_ENOTFOUND if there is no such plan.
 */
int pl_plan_doc_build(json_t **out, const json_t *dataset, const char *plan_id);

/*
 * Write the document as "text" (boxed tables, wrapped to about 110
 * columns), "md" (Markdown) or "html" (one self-contained page). What is
 * not there yet is said in words ("(no goals yet)"); the step that adds
 * it, from the document's "goals" and their "activities", is the
 * program's to show.
 * Errors: PL_EUSAGE for another format; PL_EOS if writing fails.
 */
int pl_plan_doc_write(FILE *f, const json_t *doc, const char *format);

#endif
