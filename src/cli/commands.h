/*
 * commands.h — the subcommands of `mdbench` that live in their own files
 * (src/cli/cmd_*.c). Each takes argv with argv[0] the subcommand's name,
 * prints its own output and errors, and returns the process exit code.
 */
#ifndef MDB_CLI_COMMANDS_H
#define MDB_CLI_COMMANDS_H

/* mdbench compare: several calculators (or --reference/--shadow) on one seeded trajectory */
int mdb_cmd_compare(int argc, char **argv);
/* mdbench analyze PATH: summary of one case, or a table of many */
int mdb_cmd_analyze(int argc, char **argv);
/* mdbench regress --baseline OLD --current NEW: statistical regression check */
int mdb_cmd_regress(int argc, char **argv);

/* mdbench list [systems|calculators|suites]: what can be named, from the registries */
int mdb_cmd_list(int argc, char **argv);

#endif
