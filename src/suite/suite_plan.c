/*
 * suite_plan.c — the --dry-run plan of a suite (id, cost, hash per case, then
 * the notes) and the order a scheduler hands its cases out: largest cost first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suite/suite.h"

void mdb_suite_print_plan(const mdb_suite *s, FILE *to) {
  int w = 4;
  for (int i = 0; i < s->n_cases; i++) {
    int len = (int)strlen(s->cases[i].id);
    if (len > w) w = len;
  }
  fprintf(to, "suite %s: %d case%s\n", s->name, s->n_cases, s->n_cases == 1 ? "" : "s");
  fprintf(to, "%5s  %-*s  %12s  %s\n", "#", w, "case", "cost", "hash");
  for (int i = 0; i < s->n_cases; i++)
    fprintf(to, "%5d  %-*s  %12.4g  %s\n", i + 1, w, s->cases[i].id, s->cases[i].cost, s->cases[i].hash_hex);
  for (int i = 0; i < s->n_notes; i++) fprintf(to, "note: %s\n", s->notes[i]);
}

typedef struct ranked {
  double cost;
  int index;
} ranked;

static int ranked_cmp(const void *pa, const void *pb) {
  const ranked *a = pa, *b = pb;
  if (a->cost != b->cost) return a->cost > b->cost ? -1 : 1;
  return (a->index > b->index) - (a->index < b->index);
}

void mdb_suite_order_by_cost(const mdb_suite *s, int *order) {
  ranked *r = malloc((size_t)(s->n_cases ? s->n_cases : 1) * sizeof *r);
  if (!r) { /* stable fallback: insertion sort in place */
    for (int i = 0; i < s->n_cases; i++) {
      int j = i;
      for (; j > 0 && s->cases[order[j - 1]].cost < s->cases[i].cost; j--) order[j] = order[j - 1];
      order[j] = i;
    }
    return;
  }
  for (int i = 0; i < s->n_cases; i++) r[i] = (ranked){s->cases[i].cost, i};
  qsort(r, (size_t)s->n_cases, sizeof *r, ranked_cmp);
  for (int i = 0; i < s->n_cases; i++) order[i] = r[i].index;
  free(r);
}
