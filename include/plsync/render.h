/*
 * plsync/render.h — text that came from elsewhere, made safe for where it
 * goes: one renderer per medium, and every output to that medium goes
 * through it.
 *
 * Every string in an op (actor, note, record ids, field names and values)
 * may come from another node, a bundle or a hostile repository:
 *
 *  - a terminal (pl_term_*, domain/render-text.c): control characters and
 *    anything that moves the cursor or reorders text are shown as escapes,
 *    so a value can neither start a line that looks like another op nor
 *    send an escape sequence;
 *  - a CSV cell (pl_csv_*, domain/render-csv.c): quoted when needed, and a
 *    cell a spreadsheet would read as a formula is neutralised (the
 *    importer takes the mark off again, so export | import gives back the
 *    same values);
 *  - HTML (pl_html_*, domain/render-html.c): text and attribute values
 *    escaped, so no value opens a tag;
 *  - Markdown (pl_md_*, domain/render-md.c): the characters that would
 *    start markup, a table cell or a link escaped.
 *
 * What the store itself needs (where a control character is, URLs hidden in
 * messages) is plsync/text.h. All of these take NULL as "" (nothing is
 * written) unless said otherwise.
 */
#ifndef PLSYNC_RENDER_H
#define PLSYNC_RENDER_H

#include <stddef.h>
#include <stdio.h>

/* ---- a terminal ---- */

/*
 * Write s for a terminal: text as is, except newline, carriage return and
 * tab as \n \r \t, other C0 bytes and DEL as \xNN, bytes that are not
 * UTF-8 as \xNN, and C1 controls, line/paragraph separators and the
 * bidirectional controls (U+061C, U+200E, U+200F, U+2028-U+202E,
 * U+2066-U+2069) as \uNNNN. A backslash stays as it is. NULL writes nothing.
 */
void pl_term_fputs(FILE *f, const char *s);
/* The same, as a malloc'd string (free()); NULL if out of memory. NULL s: "". */
char *pl_term_escape(const char *s);

/*
 * The columns s takes on a terminal (text as pl_term_fputs writes it:
 * escape first, then measure): "García" 6, "日本語" 6, a combining accent
 * 0, a byte that is not UTF-8 1. Tables align on this, never on strlen.
 */
size_t pl_term_width(const char *s);
/*
 * s as a table cell of `width` columns into out (sz bytes, always
 * terminated): cut at a character boundary to at most `width` columns if
 * `cut`, then padded with spaces to `width`. Returns out.
 */
char *pl_term_cell(char *out, size_t sz, const char *s, size_t width, int cut);

/* ---- CSV ---- */

/*
 * Write one CSV cell (a comma before it unless `first`; NULL = empty):
 * quoted, with quotes doubled, when it holds a comma, quote, CR or LF or
 * starts or ends with a space. A cell a spreadsheet would take for a
 * formula — one starting with '=', '+', '-', '@', tab or CR, after any
 * apostrophes — is prefixed with an apostrophe ("'=cmd|..."), except a
 * plain decimal number ("-12", "6.5"), which no spreadsheet evaluates.
 * This is the one CSV cell writer: exports, reports and transcripts all
 * write their cells with it.
 */
void pl_csv_cell(FILE *f, const char *s, int first);
/*
 * 1 if the cell s[0..n), as read back from a CSV file, starts with the
 * apostrophe pl_csv_cell added (skip it to get the value), else 0.
 */
size_t pl_csv_cell_guard(const char *s, size_t n);
/*
 * The frame of a CSV file for a spreadsheet. pl_csv_begin writes, before the
 * first row, a UTF-8 byte order mark when `excel` is set (so Excel on
 * Windows reads "García" as UTF-8), nothing otherwise; pl_csv_row_end
 * ends a row: CRLF when `excel` is set, LF otherwise. A newline inside a
 * quoted cell is left as the cell holds it (LF), which RFC 4180 allows and
 * Excel shows as a line break within the cell.
 */
void pl_csv_begin(FILE *f, int excel);
void pl_csv_row_end(FILE *f, int excel);

/* ---- HTML ---- */

/* Write s as HTML text or a quoted attribute value: & < > " ' as entities. */
void pl_html_fputs(FILE *f, const char *s);
/* The same, each newline written as <br> (a multi-line cell or paragraph). */
void pl_html_lines(FILE *f, const char *s);

/* ---- Markdown ---- */

/*
 * Write s as one Markdown table cell: '|' as \|, CR and LF as <br>,
 * \ * _ ` < [ backslash-escaped, other control bytes as \xNN (never an
 * escape sequence for a terminal showing the file).
 */
void pl_md_cell(FILE *f, const char *s);
/*
 * Write s as a Markdown paragraph and end it with a newline: each newline
 * inside as a hard line break ("  \n"), \ * _ ` < [ | backslash-escaped
 * (NULL: just the newline).
 */
void pl_md_par(FILE *f, const char *s);

#endif
