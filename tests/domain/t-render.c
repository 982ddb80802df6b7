/*
 * Text from elsewhere, rendered for where it goes (plsync/render.h). A
 * terminal gets a value with a newline or an escape sequence as visible
 * escapes, never raw; a CSV cell that a spreadsheet would run as a formula
 * gets an apostrophe in front, which the importer's check takes off again;
 * HTML gets no tag and Markdown no markup from a value.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plsync/render.h"
#include "../tap.h"

static char *term(const char *s)
{
	static char buf[4096];
	char *e = pl_term_escape(s);
	snprintf(buf, sizeof(buf), "%s", e ? e : "(oom)");
	free(e);
	return buf;
}

/* The row of cells written by pl_csv_cell, as one string. */
static char *csv(const char *const *cells)
{
	static char buf[4096];
	FILE *f = fmemopen(buf, sizeof(buf), "w");
	for (int i = 0; cells[i]; i++)
		pl_csv_cell(f, cells[i], i == 0);
	fclose(f);
	return buf;
}

/* What fn wrote for s, as one string. */
static char *out(void (*fn)(FILE *, const char *), const char *s)
{
	static char buf[4096];
	FILE *f;

	buf[0] = '\0';
	f = fmemopen(buf, sizeof(buf), "w");
	fn(f, s);
	fclose(f);
	return buf;
}

int main(void)
{
	/* ---- the terminal ---- */
	is_str(term("Fractions workshop"), "Fractions workshop", "plain text reaches the terminal as it is");
	is_str(term("Zoë — “quoted” 数学"), "Zoë — “quoted” 数学", "so does any printable UTF-8");
	is_str(term("a\nLIN01/9  2026-01-01T00:00:00Z  Eve"), "a\\nLIN01/9  2026-01-01T00:00:00Z  Eve",
	       "a newline that would start a forged line is shown as \\n");
	is_str(term("\x1b[2Jcleared"), "\\x1b[2Jcleared", "an escape sequence is shown as \\x1b, not sent");
	is_str(term("a\rb\tc"), "a\\rb\\tc", "CR and tab are \\r and \\t");
	is_str(term("x\x7f\x01"), "x\\x7f\\x01", "DEL and other C0 bytes are \\xNN");
	is_str(term("\xc2\x9b" "31m"), "\\u009B31m", "a C1 CSI (U+009B) is \\u009B");
	is_str(term("abc\xe2\x80\xae" "evil"), "abc\\u202Eevil", "a right-to-left override is \\u202E");
	is_str(term("line\xe2\x80\xa8sep"), "line\\u2028sep", "a line separator is \\u2028");
	is_str(term("bad \xff\xc0 bytes"), "bad \\xff\\xc0 bytes", "bytes that are not UTF-8 are \\xNN");
	is_str(term("back\\slash"), "back\\slash", "a backslash stays as it is");
	is_str(term(NULL), "", "NULL is the empty string");

	/* ---- display width: the C locale here, so the table, not wcwidth, answers ---- */
	{
		char cell[64];
		is_int((long long)pl_term_width("Ann Lee"), 7, "ASCII: a column a byte");
		is_int((long long)pl_term_width("García"), 6, "García is 6 columns (7 bytes)");
		is_int((long long)pl_term_width("王小明"), 6, "CJK characters are 2 columns each (9 bytes)");
		is_int((long long)pl_term_width("e\xcc\x81"), 1, "a combining accent takes no column");
		is_int((long long)pl_term_width("\xff"), 1, "a byte that is not UTF-8 counts 1");
		is_int((long long)pl_term_width(NULL), 0, "NULL is 0 columns");
		is_str(pl_term_cell(cell, sizeof(cell), "王小明", 8, 0), "王小明  ", "a cell pads to the width in columns");
		is_str(pl_term_cell(cell, sizeof(cell), "王小明", 5, 1), "王小 ", "cut at a character, never mid-character");
		is_str(pl_term_cell(cell, sizeof(cell), "García Pérez", 6, 1), "García", "cut after 6 columns");
		is_str(pl_term_cell(cell, sizeof(cell), "García Pérez", 6, 0), "García Pérez", "not cut without cut");
		is_str(pl_term_cell(cell, 4, "abcdef", 6, 0), "abc", "and never past the buffer");
	}
	{
		char big[3000];
		memset(big, '\x1b', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		char *e = pl_term_escape(big);
		ok(e && strlen(e) == 4 * (sizeof(big) - 1) && !strchr(e, '\x1b'),
		   "a long value of escapes is escaped whole");
		free(e);
	}

	/* ---- CSV cells ---- */
	is_str(csv((const char *const[]){ "id", "Fractions", "6.5", NULL }), "id,Fractions,6.5",
	       "plain cells are written as they are");
	is_str(csv((const char *const[]){ "=cmd|' /C calc'!A0", "+HYPERLINK(\"http://x\")", NULL }),
	       "'=cmd|' /C calc'!A0,\"'+HYPERLINK(\"\"http://x\"\")\"",
	       "a formula cell gets an apostrophe, inside the quotes when quoted");
	is_str(csv((const char *const[]){ "-2+3", "@SUM(A1)", "\tx", "\rx", NULL }), "'-2+3,'@SUM(A1),'\tx,\"'\rx\"",
	       "so do cells starting with -, @, tab and CR");
	is_str(csv((const char *const[]){ "-12", "-0.5", "0", NULL }), "-12,-0.5,0",
	       "a plain negative number is a number, not a formula");
	is_str(csv((const char *const[]){ "'=x", "'plain", NULL }), "''=x,'plain",
	       "an apostrophe before a formula gets one more; one before plain text none");
	is_str(csv((const char *const[]){ "a,b", " lead", "say \"hi\"", NULL }), "\"a,b\",\" lead\",\"say \"\"hi\"\"\"",
	       "commas, edge spaces and quotes are quoted");
	{
		static const char *const values[] = { "=cmd|x", "+1", "-2+3", "@x", "\tx", "'=x", "''-y", "'plain",
		                                      "-12", "plain", "=", "'", NULL };
		int all = 1;
		for (int i = 0; values[i]; i++) {
			/* write one unquoted-safe cell, read it back as the importer does */
			char buf[64];
			FILE *f = fmemopen(buf, sizeof(buf), "w");
			pl_csv_cell(f, values[i], 1);
			fclose(f);
			size_t skip = pl_csv_cell_guard(buf, strlen(buf));
			if (strcmp(buf + skip, values[i])) {
				diag("'%s' was written as '%s', read back as '%s'", values[i], buf, buf + skip);
				all = 0;
			}
		}
		ok(all, "every cell read back without the added apostrophe is the value written");
	}

	/* ---- HTML ---- */
	is_str(out(pl_html_fputs, "<script>alert('x')</script> & \"q\""),
	       "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;",
	       "HTML: no value opens a tag, ends an attribute or starts an entity");
	is_str(out(pl_html_fputs, "Zoë — 数学"), "Zoë — 数学", "UTF-8 text is written as it is");
	is_str(out(pl_html_lines, "a<b\nc"), "a&lt;b<br>c", "in a multi-line cell a newline is <br>");
	is_str(out(pl_html_fputs, NULL), "", "NULL writes nothing");

	/* ---- Markdown ---- */
	is_str(out(pl_md_cell, "a|b *c* _d_ `e` <f> [g](h) \\"), "a\\|b \\*c\\* \\_d\\_ \\`e\\` \\<f> \\[g](h) \\\\",
	       "Markdown cell: | and the characters that start markup are escaped");
	is_str(out(pl_md_cell, "one\ntwo\rthree"), "one<br>two<br>three", "a line break in a cell is <br>");
	is_str(out(pl_md_cell, "x\x1b[2J"), "x\\x1b\\[2J", "a control byte is \\xNN, never sent as it is");
	is_str(out(pl_md_par, "one\ntwo *b* |"), "one  \ntwo \\*b\\* \\|\n",
	       "a paragraph keeps its lines as hard breaks and ends with a newline");
	return done_testing();
}
