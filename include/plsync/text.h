/*
 * plsync/text.h — what the store needs to know about text that came from
 * elsewhere.
 *
 * Every string in an op (actor, note, record ids, field names and values)
 * may come from another node, a bundle or a hostile repository. The store
 * refuses control characters where they could forge a line (actors, record
 * ids: pl_text_control), and pl_error_set hides the secrets of every URL a
 * library message quotes (pl_text_redact).
 *
 * Writing such text out is the renderers' part, one per medium, in the
 * domain layer (plsync/render.h): a terminal (pl_term_*), a CSV cell
 * (pl_csv_*), HTML (pl_html_*) and Markdown (pl_md_*).
 */
#ifndef PLSYNC_TEXT_H
#define PLSYNC_TEXT_H

#include <stddef.h>

/*
 * The byte offset in s[0..n) of the first control character — C0
 * (U+0000-U+001F: NUL, tab, newline, ESC ...), DEL (U+007F) or C1
 * (U+0080-U+009F, as UTF-8) — or -1 if there is none. s need not be valid
 * UTF-8 (a lone 0x80-0x9f byte is not a C1 character: the UTF-8 check
 * refuses it).
 */
long pl_text_control(const char *s, size_t n);

/*
 * The length of the well-formed UTF-8 character at s (n bytes left), with
 * its code point in *cp; 0 if the bytes there are not UTF-8 (or n is 0).
 */
size_t pl_utf8_decode(unsigned *cp, const char *s, size_t n);

/*
 * Copy s into out (at most sz bytes, always terminated) with every URL's
 * credentials hidden: "scheme://user:secret@host" becomes
 * "scheme://user:***@host", and each query value "?token=abc&x" becomes
 * "?token=***&***". A user name alone ("ssh://git@host") is kept.
 */
void pl_text_redact(char *out, size_t sz, const char *s);

#endif
