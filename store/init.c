/*
 * init.c — library init: the one piece of process-wide state (libgit2's).
 */
#include <git2.h>

#include "plsync/plsync.h"

int pl_init(void)
{
	int rc = git_libgit2_init();
	return rc < 0 ? pl_error_from_git(rc, "initialising libgit2") : 0;
}

void pl_shutdown(void)
{
	git_libgit2_shutdown();
}
