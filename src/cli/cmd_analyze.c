/* cmd_analyze.c — placeholder until the subcommand lands. */
#include <stdio.h>

#include "cli/commands.h"

int mdb_cmd_analyze(int argc, char **argv) {
  (void)argc;
  (void)argv;
  fprintf(stderr, "mdbench analyze: error: not built yet\n");
  return 3;
}
