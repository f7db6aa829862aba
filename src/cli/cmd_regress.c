/* cmd_regress.c — placeholder until the subcommand lands. */
#include <stdio.h>

#include "cli/commands.h"

int mdb_cmd_regress(int argc, char **argv) {
  (void)argc;
  (void)argv;
  fprintf(stderr, "mdbench regress: error: not built yet\n");
  return 3;
}
