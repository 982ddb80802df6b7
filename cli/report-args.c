/*
 * report-args.c — the options both programs' `report` commands take for
 * who the report is for (--for, --staff) and for Excel (--excel), checked
 * and put into the report's options (plsync/report.h) in one place.
 */
#include <string.h>

#include "cli.h"
#include "plsync/report.h"

int cli_report_args(const cmd_entry *e, pl_report_options *ro, const char *who, const char *staff,
                    const char *format, int excel)
{
	ro->audience = who ? pl_report_audience_of(who) : PL_REPORT_BOARD;
	if (!ro->audience)
		return cli_usage(e, "--for %s: use board or coordinator", who);
	ro->staff = staff ? pl_report_staff_of(staff) : 0;
	if (staff && !ro->staff)
		return cli_usage(e, "--staff %s: use none, ids or names", staff);
	if (excel && (!format || strcmp(format, "csv")))
		return cli_usage(e, "--excel is for --format csv");
	return 0;
}
