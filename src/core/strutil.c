/*
 * strutil.c — bounded copies, suggestions, joins, string arrays, FNV-1a.
 */
#include "core/strutil.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void mdb_str_copy(char *dst, size_t n, const char *src) {
  if (!n) return;
  size_t len = src ? strnlen(src, n - 1) : 0;
  if (len) memcpy(dst, src, len);
  dst[len] = 0;
}

int mdb_str_ends_with(const char *s, const char *suffix) {
  size_t a = strlen(s), b = strlen(suffix);
  return a >= b && strcmp(s + a - b, suffix) == 0;
}

const char *mdb_str_basename(const char *path) {
  const char *slash = strrchr(path, '/');
  return slash ? slash + 1 : path;
}

int mdb_edit_distance(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b);
  if (la > 63 || lb > 63) return 99;
  int row[64];
  for (size_t j = 0; j <= lb; j++) row[j] = (int)j;
  for (size_t i = 1; i <= la; i++) {
    int diag = row[0];
    row[0] = (int)i;
    for (size_t j = 1; j <= lb; j++) {
      int up = row[j];
      int sub = diag + (tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]));
      int best = up + 1 < row[j - 1] + 1 ? up + 1 : row[j - 1] + 1;
      row[j] = sub < best ? sub : best;
      diag = up;
    }
  }
  return row[lb];
}

void mdb_suggest(char *out, size_t n, const char *word, const char *const *cands, int ncands) {
  int best = -1, bestd = 99, ties = 0;
  size_t wl = strlen(word);
  for (int i = 0; i < ncands; i++) {
    int d = mdb_edit_distance(word, cands[i]);
    if (wl >= 4 && strncasecmp(word, cands[i], wl) == 0) d = 1;
    if (d < bestd)
      bestd = d, best = i, ties = 0;
    else if (d == bestd)
      ties++;
  }
  int limit = wl > 6 ? 2 : 1;
  if (best >= 0 && bestd <= limit && !ties)
    snprintf(out, n, "; did you mean '%s'?", cands[best]);
  else if (n)
    out[0] = 0;
}

void mdb_join(char *out, size_t n, const char *const *items, int nitems) {
  if (!n) return;
  out[0] = 0;
  for (int i = 0; i < nitems; i++) {
    size_t len = strlen(out);
    snprintf(out + len, n - len, "%s%s", i ? ", " : "", items[i]);
  }
}

int mdb_strs_push(char ***v, int *n, const char *s) {
  if (*n == 0 || (*n >= 8 && (*n & (*n - 1)) == 0)) { /* capacity: 8, then powers of two */
    int cap = *n < 8 ? 8 : 2 * *n;
    char **nv = realloc(*v, (size_t)cap * sizeof *nv);
    if (!nv) return 0;
    *v = nv;
  }
  char *copy = malloc(strlen(s) + 1);
  if (!copy) return 0;
  strcpy(copy, s);
  (*v)[(*n)++] = copy;
  return 1;
}

void mdb_strs_free(char **v, int n) {
  for (int i = 0; i < n; i++) free(v[i]);
  free(v);
}

uint64_t mdb_fnv1a(const char *s, size_t n) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (size_t i = 0; i < n; i++) {
    h ^= (unsigned char)s[i];
    h *= 0x100000001b3ull;
  }
  return h;
}
