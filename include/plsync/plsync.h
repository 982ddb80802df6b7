/*
 * plsync/plsync.h — library init and the umbrella include.
 */
#ifndef PLSYNC_PLSYNC_H
#define PLSYNC_PLSYNC_H

#include "plsync/errors.h"
#include "plsync/op.h"
#include "plsync/schema.h"
#include "plsync/store.h"
#include "plsync/text.h"

/* Call once per program before anything else (initialises libgit2). */
int pl_init(void);
/* Undo pl_init. */
void pl_shutdown(void);

#define PLSYNC_VERSION "0.1.0"

#endif
