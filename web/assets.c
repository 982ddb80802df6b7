/*
 * assets.c — the only files the web app serves: compiled into the
 * program (no CDN, no font, nothing fetched from the network).
 */
#include <string.h>

#include "web.h"

static const char style_css[] =
	"body{font-family:system-ui,sans-serif;margin:0;color:#1d2430;background:#f6f7f9}\n"
	"header{display:flex;gap:1.5em;align-items:center;flex-wrap:wrap;padding:.6em 1.2em;"
	"background:#1f4e79;color:#fff}\n"
	"header a{color:#fff;margin-right:1em}header form{display:inline;margin:0}\n"
	".brand{font-weight:bold;font-size:1.1em}.who{margin-left:auto}\n"
	"main{max-width:60em;margin:1em auto;padding:0 1.2em 2em;background:#fff}\n"
	"h1{font-size:1.5em;padding-top:.6em}h2{font-size:1.15em;margin-top:1.5em}\n"
	"table{border-collapse:collapse;width:100%;margin:.5em 0}\n"
	"th,td{border:1px solid #c9ced6;padding:.3em .5em;text-align:left;vertical-align:top}\n"
	"th{background:#e8edf3}\n"
	"label{display:block;margin:.5em 0}input,select,textarea{font:inherit;padding:.25em;margin-left:.3em}\n"
	"button{font:inherit;padding:.3em .9em;margin:.3em .3em .3em 0;background:#1f4e79;color:#fff;"
	"border:0;border-radius:3px;cursor:pointer}\n"
	".notice{padding:.6em .8em;border-radius:3px}.error{background:#fde2e1;border:1px solid #e0a09c}\n"
	".sync{margin:0;padding:.3em 1.2em;background:#fff4d6;border-bottom:1px solid #e6cf8f}\n"
	".ok{background:#e2f4e3;border:1px solid #9ccf9f}.muted{color:#5c6675}\n"
	"fieldset{border:1px solid #c9ced6;margin:1em 0}\n"
	".field.bad input,.field.bad select,.field.bad textarea{border:2px solid #c0392b}\n"
	".field-error{display:block;color:#a12a1e;font-weight:bold;margin:0 0 .5em}\n"
	"label.check{display:inline-block;margin:.2em 1em .2em 0}\n"
	"tr.total th{background:#f0f2f5}.noprint{margin:.5em 0}\n"
	"@media print{header,form,button,nav,.sync,.noprint,a.edit{display:none}"
	"body{background:#fff;color:#000}main{max-width:none;margin:0;padding:0}"
	"table{page-break-inside:auto}tr{page-break-inside:avoid}th{background:#eee}}\n";

/* The tab's icon: a book, in the header's blue. */
static const char favicon_svg[] =
	"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 16 16\">"
	"<rect x=\"2\" y=\"2\" width=\"12\" height=\"12\" rx=\"2\" fill=\"#1f4e79\"/>"
	"<path d=\"M5 5h6M5 8h6M5 11h4\" stroke=\"#fff\" stroke-width=\"1.2\"/></svg>\n";

const char *web_asset(const char *path, const char **ctype, size_t *len)
{
	if (!strcmp(path, "/favicon.svg")) {
		*ctype = "image/svg+xml";
		*len = sizeof(favicon_svg) - 1;
		return favicon_svg;
	}
	if (!strcmp(path, "/style.css")) {
		*ctype = "text/css; charset=utf-8";
		*len = sizeof(style_css) - 1;
		return style_css;
	}
	return NULL;
}
