/*
 * plsync/text.h — text that came from elsewhere, made safe for where it goes.
 *
 * Every string in an op (actor, note, record ids, field names and values)
 * may come from another node, a bundle or a hostile repository. Each medium
 * has one renderer here, and every program output to that medium goes
 * through it:
 *
 *  - a terminal (pl_term_*): control characters and anything that moves the
 *    cursor or reorders text are shown as escapes, so a value can neither
 *    start a line that looks like another op nor send an escape sequence;
 *  - a CSV cell (pl_csv_*): quoted when needed, and a cell a spreadsheet
 *    would read as a formula is neutralised;
 *  - a message that may quote a URL (pl_text_redact): the password and query
 *    values of every URL in it are replaced by "***" (pl_error_set does
 *    this to every library message).
 *
 * HTML and Markdown escaping live with the report renderers (dataset.c).
 */
#ifndef PLSYNC_TEXT_H
#define PLSYNC_TEXT_H

#include <stddef.h>
#include <stdio.h>

/*
 * The byte offset in s[0..n) of the first control character — C0
 * (U+0000-U+001F: NUL, tab, newline, ESC ...), DEL (U+007F) or C1
 * (U+0080-U+009F, as UTF-8) — or -1 if there is none. s need not be valid
 * UTF-8 (a lone 0x80-0x9f byte is not a C1 character: the UTF-8 check
 * refuses it).
 */
long pl_text_control(const char *s, size_t n);

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
 * Write one CSV cell (a comma before it unless `first`; NULL = empty):
 * quoted, with quotes doubled, when it holds a comma, quote, CR or LF or
 * starts or ends with a space. A cell a spreadsheet would take for a
 * formula — one starting with '=', '+', '-', '@', tab or CR, after any
 * apostrophes — is prefixed with an apostrophe ("'=cmd|..."), except a
 * plain decimal number ("-12", "6.5"), which no spreadsheet evaluates.
 */
void pl_csv_cell(FILE *f, const char *s, int first);
/*
 * 1 if the cell s[0..n), as read back from a CSV file, starts with the
 * apostrophe pl_csv_cell added (skip it to get the value), else 0.
 */
size_t pl_csv_cell_guard(const char *s, size_t n);

/*
 * Copy s into out (at most sz bytes, always terminated) with every URL's
 * credentials hidden: "scheme://user:secret@host" becomes
 * "scheme://user:***@host", and each query value "?token=abc&x" becomes
 * "?token=***&***". A user name alone ("ssh://git@host") is kept.
 */
void pl_text_redact(char *out, size_t sz, const char *s);

#endif
