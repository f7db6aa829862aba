/* cmd_compare.c — placeholder until the subcommand lands. */
#include <stdio.h>

#include "cli/commands.h"

int mdb_cmd_compare(int argc, char **argv) {
  (void)argc;
  (void)argv;
  fprintf(stderr, "mdbench compare: error: not built yet\n");
  return 3;
}
