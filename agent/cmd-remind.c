/* cmd-remind.c — `plsync remind` (placeholder until written below). */
#include "workflow.h"

static int cmd_remind(cli *c, int argc, char **argv)
{
	return cli_error(EXIT_FAIL, "not yet");
}

const cmd_entry cmd_remind_entry = {
	.name = "remind",
	.synopsis = "remind",
	.summary = "reminders",
	.help = "x\n",
	.needs_store = 1,
	.exec = cmd_remind,
};
