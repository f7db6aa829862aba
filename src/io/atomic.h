/*
 * atomic.h — moved to core/atomic.h (issue 16: build/xyz.c writes files
 * atomically too, and build/ sits below io/). This forward keeps the
 * callers not yet updated (suite/runner.c, io/h5_results.c, io/json_result.c,
 * cli/cmd_regress.c, tests/test_stop_tmp.c) compiling; remove it once they
 * include core/atomic.h.
 */
#ifndef MDB_IO_ATOMIC_H
#define MDB_IO_ATOMIC_H
#include "core/atomic.h"
#endif
