/*
 * version.h — what build this is (filled in by CMake at configure time).
 */
#ifndef MDB_VERSION_H
#define MDB_VERSION_H

const char *mdb_version(void);     /* "0.1.0" */
const char *mdb_git_commit(void);  /* commit hash, "-dirty" appended for a modified tree, or "unknown" */
const char *mdb_build_flags(void); /* compiler, build type and flags */
const char *mdb_build_type(void);  /* CMAKE_BUILD_TYPE ("Release"), "" when none */

#endif
