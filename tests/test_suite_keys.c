/*
 * test_suite_keys.c — the suite key table (suite/suite_keys.h) is the one
 * place a suite key lives, and the --resume hash follows from it:
 *
 *   hash     every hashed row changes the hash when its value changes; the
 *            table covers every field of mdb_case; the case key text is
 *            byte for byte the one written before the table (so stored
 *            results keep their hashes) for every case of the shipped
 *            suites and for variations of each field
 *   parse    every setting row is read from a suite file into its field
 *   cost     scheduling costs come from the calculators' ops
 *   fold     --device folding (cuda cases onto their cpu twins) in suite/,
 *            and the precision key
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calc/calc.h"
#include "check.h"
#include "suite/suite.h"
#include "suite/suite_keys.h"

#define SUITES_DIR MDB_SOURCE_DIR "/suites"

/* The case key as mdb_suite_case_key wrote it before the key table (commit
 * bcfc3e4): the reference that keeps existing --resume hashes valid. */
static int old_case_key(const mdb_case *c, char *buf, size_t len) {
  const int mixed = strcmp(c->precision, "mixed") == 0;
  return snprintf(buf, len,
                  "mdbench-case-v1\n"
                  "system=%s\nn_atoms=%d\nlattice_A=%.17g\n"
                  "protocol=%s\nthermostat=%s\ntdamp_fs=%.17g\npdamp_fs=%.17g\npressure_bar=%.17g\npressure_set=%d\n"
                  "chain=%d\ncalculator=%s\ndevice=%s\n"
                  "n_steps=%d\nwarmup_steps=%d\ntimestep_fs=%.17g\ntemperature_K=%.17g\nseed=%llu\n"
                  "energy_interval=%d\nmemory_interval=%d\nskin_A=%.17g\n%s",
                  c->system, c->n_atoms, c->lattice_A, c->protocol, c->thermostat, c->tdamp_fs, c->pdamp_fs,
                  c->pressure_bar, c->pressure_set, c->chain, c->calculator, c->device, c->n_steps, c->warmup_steps,
                  c->timestep_fs, c->temperature_K, (unsigned long long)c->seed, c->energy_interval, c->memory_interval,
                  c->skin_A, mixed ? "precision=mixed\n" : "");
}

static int same_key_as_before(const mdb_case *c) {
  char a[4096], b[4096];
  int na = old_case_key(c, a, sizeof a), nb = mdb_suite_case_key(c, b, sizeof b);
  if (na == nb && strcmp(a, b) == 0) return 1;
  fprintf(stderr, "case key differs from the old one:\n--- old\n%s--- new\n%s", a, b);
  return 0;
}

/* Changes the value of row kd in c (a value a case could not have had). */
static void perturb(mdb_case *c, const mdb_suite_key *kd) {
  char *p = (char *)c + kd->off;
  switch (kd->type) {
  case MDB_SK_INT: *(int *)(void *)p += 1; break;
  case MDB_SK_SEED: *(uint64_t *)(void *)p += 1; break;
  case MDB_SK_DBL: *(double *)(void *)p = nextafter(*(double *)(void *)p, INFINITY); break;
  case MDB_SK_STR:
    if (!p[0])
      strcpy(p, "x");
    else
      p[0] = p[0] == 'z' ? 'y' : 'z';
    break;
  }
}

static mdb_case npt_case(void) {
  mdb_case k;
  mdb_case_defaults(&k);
  snprintf(k.system, sizeof k.system, "copper");
  k.n_atoms = 108;
  snprintf(k.protocol, sizeof k.protocol, "NPT");
  snprintf(k.calculator, sizeof k.calculator, "eam");
  mdb_err err;
  if (mdb_case_resolve(&k, &err)) {
    fprintf(stderr, "resolve: %s\n", err.msg);
    exit(1);
  }
  return k;
}

static void hash(void) {
  /* hash_seq numbers are 1..n without gaps or repeats (the key's line order) */
  int max = 0, n_hashed = 0;
  for (int k = 0; k < mdb_suite_n_keys; k++) {
    if (mdb_suite_keys[k].hash_seq > max) max = mdb_suite_keys[k].hash_seq;
    n_hashed += mdb_suite_keys[k].hash_seq > 0;
  }
  CHECK(max == n_hashed);
  for (int seq = 1; seq <= max; seq++) {
    int count = 0;
    for (int k = 0; k < mdb_suite_n_keys; k++) count += mdb_suite_keys[k].hash_seq == seq;
    CHECK(count == 1);
  }
  CHECK(mdb_suite_n_keys <= 32); /* settings.set is a 32-bit mask over the rows */

  /* every byte of mdb_case is some row's field, or padding shorter than the next field's alignment */
  unsigned char owner[sizeof(mdb_case)];
  memset(owner, 0, sizeof owner);
  int overlap = 0;
  for (int k = 0; k < mdb_suite_n_keys; k++) {
    const mdb_suite_key *kd = &mdb_suite_keys[k];
    CHECK(kd->off + kd->size <= sizeof(mdb_case));
    for (size_t b = kd->off; b < kd->off + kd->size && b < sizeof owner; b++) overlap += owner[b]++ != 0;
  }
  CHECK(overlap == 0);
  size_t uncovered = 0;
  for (size_t b = 0; b < sizeof owner;) {
    if (owner[b]) {
      b++;
      continue;
    }
    size_t g = b;
    while (g < sizeof owner && !owner[g]) g++;
    size_t align = 8; /* the end of the struct: at most the largest alignment */
    for (int k = 0; k < mdb_suite_n_keys && g < sizeof owner; k++)
      if (mdb_suite_keys[k].off == g)
        align = mdb_suite_keys[k].type == MDB_SK_STR ? 1 : mdb_suite_keys[k].type == MDB_SK_INT ? sizeof(int) : 8;
    if (g - b >= align) fprintf(stderr, "mdb_case bytes %zu..%zu are in no row of mdb_suite_keys\n", b, g);
    CHECK(g - b < align);
    uncovered += g - b;
    b = g;
  }
  printf("mdb_case: %zu bytes, %zu of them padding outside every key row\n", sizeof(mdb_case), uncovered);

  /* every hashed row changes the hash; the others do not */
  const mdb_case base = npt_case();
  const uint64_t h0 = mdb_suite_case_hash(&base);
  CHECK(h0 == UINT64_C(0xbd95fde9d02d98a7)); /* tests/test_suite.c pins it too */
  CHECK(same_key_as_before(&base));
  for (int k = 0; k < mdb_suite_n_keys; k++) {
    const mdb_suite_key *kd = &mdb_suite_keys[k];
    mdb_case c = base;
    perturb(&c, kd);
    uint64_t h = mdb_suite_case_hash(&c);
    char text[4096], line[64];
    mdb_suite_case_key(&c, text, sizeof text);
    snprintf(line, sizeof line, "\n%s=", kd->field);
    if (kd->hash_seq > 0) {
      if (h == h0) fprintf(stderr, "key %s (field %s) does not change the hash\n", kd->name, kd->field);
      CHECK(h != h0);
      CHECK(strstr(text, line) != NULL);
    } else {
      CHECK(h == h0);
    }
    /* the old text for every field the old key had (a new key is not in it;
     * precision: the old key knew valid values only) */
    if (kd->hash_seq > 0 && kd->hash_seq <= 21 && !kd->hash_omit) CHECK(same_key_as_before(&c));
  }

  /* a row with hash_omit: no line at its default, a line at any other value */
  int ip = mdb_suite_key_index("precision", MDB_SK_SETTING);
  CHECK(ip >= 0 && mdb_suite_keys[ip].hash_omit && strcmp(mdb_suite_keys[ip].hash_omit, "double") == 0);
  char text[4096];
  mdb_suite_case_key(&base, text, sizeof text);
  CHECK(strstr(text, "precision=") == NULL);
  mdb_case mixed = base;
  snprintf(mixed.device, sizeof mixed.device, "cuda");
  snprintf(mixed.precision, sizeof mixed.precision, "mixed");
  mdb_suite_case_key(&mixed, text, sizeof text);
  CHECK(strstr(text, "\nprecision=mixed\n") != NULL && same_key_as_before(&mixed));

  /* snprintf convention: the full length, whatever the buffer */
  char small[16];
  int full = mdb_suite_case_key(&base, text, sizeof text);
  CHECK(mdb_suite_case_key(&base, small, sizeof small) == full && strlen(small) == sizeof small - 1);
  CHECK(mdb_suite_case_key(&base, NULL, 0) == full && full == (int)strlen(text));

  /* every case of the shipped suites keeps the key (and hash) it had */
  static const char *const names[] = {"quick", "baseline", "comprehensive"};
  int n = 0, same = 0;
  for (int i = 0; i < 3; i++) {
    mdb_suite s;
    mdb_suite_errors e;
    CHECK(mdb_suite_load(names[i], SUITES_DIR, &s, &e) == MDB_OK);
    for (int j = 0; j < s.n_cases; j++, n++) same += same_key_as_before(&s.cases[j].c);
    mdb_suite_free(&s);
    mdb_suite_errors_free(&e);
  }
  printf("shipped suites: %d of %d case keys as before the key table\n", same, n);
  CHECK(n > 50 && same == n);
}

/* A JSON value each setting row can take in a suite for copper 108 with
 * eam, different from what the case has without it, and the protocol it
 * applies to; a key added to the table needs one. */
typedef struct sample_value {
  const char *name, *value, *protocol;
} sample_value;

static const sample_value *sample(const char *name) {
  static const sample_value v[] = {
      {"steps", "7", "NPT"},           {"warmup", "3", "NPT"},
      {"timestep_fs", "0.5", "NPT"},   {"temperature_K", "123", "NPT"},
      {"pressure_bar", "2.5", "NPT"},  {"energy_interval", "7", "NPT"},
      {"memory_interval", "7", "NPT"}, {"seed", "1234567", "NPT"},
      {"skin_A", "0.75", "NPT"},       {"thermostat", "\"langevin\"", "NVT"},
      {"tdamp_fs", "77", "NPT"},       {"pdamp_fs", "777", "NPT"},
      {"chain", "5", "NPT"},           {"lattice_A", "3.7", "NPT"},
      {"device", "\"cuda\"", "NPT"},   {"precision", "\"mixed\"", "NPT"},
  };
  for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
    if (strcmp(v[i].name, name) == 0) return &v[i];
  return NULL;
}

static void parse(void) {
  for (int k = 0; k < mdb_suite_n_keys; k++) {
    const mdb_suite_key *kd = &mdb_suite_keys[k];
    if (!(kd->where & MDB_SK_SETTING)) continue;
    const sample_value *sv = sample(kd->name);
    if (!sv) fprintf(stderr, "setting %s: give it a sample value in %s\n", kd->name, __FILE__);
    CHECK(sv != NULL);
    if (!sv) continue;
    const char *value = sv->value;
    /* a top-level key where it may be one, else in an include entry; cuda for precision */
    char text[1024];
    int top = (kd->where & MDB_SK_TOP) != 0;
    const char *dev = strcmp(kd->name, "precision") == 0 ? ", \"device\": \"cuda\"" : "";
    if (top)
      snprintf(text, sizeof text,
               "{\"%s\": %s, \"matrix\": {\"system\": \"copper\", \"atoms\": 108, \"protocol\": \"%s\"%s}}", kd->name,
               value, sv->protocol, dev);
    else
      snprintf(text, sizeof text,
               "{\"matrix\": {\"system\": \"copper\", \"atoms\": 108, \"protocol\": \"%s\"%s, \"include\": "
               "[{\"system\": \"copper\", \"%s\": %s}]}}",
               sv->protocol, dev, kd->name, value);
    mdb_suite s;
    mdb_suite_errors e;
    mdb_status st = mdb_suite_parse(text, "key.json", NULL, &s, &e);
    if (st) mdb_suite_errors_print(&e, "  key.json: ", stderr);
    CHECK(st == MDB_OK && s.n_cases == 1);
    if (st == MDB_OK && s.n_cases == 1) {
      /* the field holds the value: written the same way, it reads back */
      mdb_case want = s.cases[0].c;
      char got[64] = "";
      const char *p = (const char *)&want + kd->off;
      switch (kd->type) {
      case MDB_SK_INT: snprintf(got, sizeof got, "%d", *(const int *)(const void *)p); break;
      case MDB_SK_SEED:
        snprintf(got, sizeof got, "%llu", (unsigned long long)*(const uint64_t *)(const void *)p);
        break;
      case MDB_SK_DBL: snprintf(got, sizeof got, "%.17g", *(const double *)(const void *)p); break;
      case MDB_SK_STR: snprintf(got, sizeof got, "\"%s\"", p); break;
      }
      int same = kd->type == MDB_SK_DBL ? strtod(got, NULL) == strtod(value, NULL) : strcmp(got, value) == 0;
      if (!same) fprintf(stderr, "setting %s: wrote %s, the case has %s\n", kd->name, value, got);
      CHECK(same);
      /* and the hash differs from the case without it (device: it is in the id too) */
      mdb_suite plain;
      mdb_suite_errors pe;
      char ptext[256];
      snprintf(ptext, sizeof ptext, "{\"matrix\": {\"system\": \"copper\", \"atoms\": 108, \"protocol\": \"%s\"%s}}",
               sv->protocol, dev);
      CHECK(mdb_suite_parse(ptext, "plain.json", NULL, &plain, &pe) == MDB_OK && plain.n_cases == 1);
      if (plain.n_cases == 1) CHECK(plain.cases[0].hash != s.cases[0].hash);
      mdb_suite_free(&plain);
      mdb_suite_errors_free(&pe);
    }
    mdb_suite_free(&s);
    mdb_suite_errors_free(&e);
  }
}

static void cost(void) {
  static const char *const with_cost[] = {"lj", "eam", "sw", "spcfw"};
  for (int i = 0; i < mdb_calc_registry_count(); i++) {
    const mdb_calc_ops *ops = mdb_calc_registry_at(i);
    int listed = 0;
    for (int j = 0; j < 4; j++) listed |= strcmp(ops->name, with_cost[j]) == 0;
    if (listed) CHECK(ops->cost != NULL);
  }
  /* the numbers the suite had before they moved into the calculators */
  CHECK(mdb_suite_calc_cost_factor("lj") == 1.0);
  CHECK(mdb_suite_calc_cost_factor("lj:rc=8.5") == 1.0);
  CHECK(mdb_suite_calc_cost_factor("eam") == 11.0);
  CHECK(mdb_suite_calc_cost_factor("eam:file=/usr/share/lammps/potentials/Cu_u3.eam") == 0.7);
  CHECK(mdb_suite_calc_cost_factor("eam:file=Cu_u3.eam,label=cu") == 0.7);
  CHECK(mdb_suite_calc_cost_factor("sw") == 0.8);
  CHECK(mdb_suite_calc_cost_factor("spcfw") == 24.0);
  CHECK(mdb_suite_calc_cost_factor("plugin:lib=./libmorse.so") == 1.0);
  CHECK(mdb_suite_calc_cost_factor("no_such_calculator") == 1.0);
  CHECK(mdb_suite_calc_cost_factor("") == 1.0);
  /* and a case's cost: atoms × (steps + warmup) × factor */
  mdb_suite s;
  mdb_suite_errors e;
  CHECK(mdb_suite_parse("{\"steps\": 1000, \"warmup\": 10, \"matrix\": {\"system\": [\"copper\", \"water\"]}}",
                        "cost.json", NULL, &s, &e) == MDB_OK);
  CHECK(s.n_cases == 2);
  if (s.n_cases == 2) {
    printf("cost: %s %.6g, %s %.6g\n", s.cases[0].id, s.cases[0].cost, s.cases[1].id, s.cases[1].cost);
    CHECK(s.cases[0].cost == 108.0 * 1010 * 11.0);
    CHECK(s.cases[1].cost == (double)s.cases[1].c.n_atoms * 1010 * 24.0);
  }
  mdb_suite_free(&s);
  mdb_suite_errors_free(&e);
}

static const mdb_suite_case *find(const mdb_suite *s, const char *id) {
  for (int i = 0; i < s->n_cases; i++)
    if (strcmp(s->cases[i].id, id) == 0) return &s->cases[i];
  return NULL;
}

static void fold(void) {
  CHECK(mdb_suite_fold_target("auto", 1) == NULL);
  CHECK(strcmp(mdb_suite_fold_target("auto", 0), "cpu") == 0);
  CHECK(strcmp(mdb_suite_fold_target("cpu", 1), "cpu") == 0);
  CHECK(strcmp(mdb_suite_fold_target("cuda", 0), "cuda") == 0);

  /* 256 atoms on both devices, 500 on cuda only: folding onto the cpu drops
   * the cuda 256 (its twin is there) and moves the 500 */
  mdb_suite s, ref;
  mdb_suite_errors e;
  CHECK(mdb_suite_parse("{\"steps\": 20, \"matrix\": {\"system\": \"argon\", \"device\": [\"cpu\", \"cuda\"], "
                        "\"atoms\": {\"cpu\": [256], \"cuda\": [256, 500]}}}",
                        "fold.json", NULL, &s, &e) == MDB_OK);
  mdb_suite_errors_free(&e);
  CHECK(s.n_cases == 3);
  unsigned char flags[3] = {9, 9, 9};
  mdb_suite_fold f;
  mdb_suite_to_device(&s, "cpu", &f, flags);
  printf("fold onto cpu: %d moved, %d dropped, %d kept, %d cases\n", f.moved, f.dropped, f.kept, s.n_cases);
  CHECK(f.moved == 1 && f.dropped == 1 && f.kept == 0 && s.n_cases == 2);
  CHECK(flags[0] == 0 && flags[1] == 1 && flags[2] == 9);
  const mdb_suite_case *moved = find(&s, "argon_500_NVE_lj_cpu");
  CHECK(find(&s, "argon_256_NVE_lj_cpu") != NULL && moved != NULL);
  /* the moved case is the cpu case a suite would have written: same hash */
  CHECK(mdb_suite_parse("{\"steps\": 20, \"matrix\": {\"system\": \"argon\", \"atoms\": 500}}", "ref.json", NULL, &ref,
                        &e) == MDB_OK);
  mdb_suite_errors_free(&e);
  CHECK(moved && ref.n_cases == 1 && moved->hash == ref.cases[0].hash &&
        strcmp(moved->hash_hex, ref.cases[0].hash_hex) == 0 && strcmp(moved->c.device, "cpu") == 0);
  mdb_suite_free(&ref);
  /* folding again changes nothing */
  mdb_suite_to_device(&s, "cpu", &f, NULL);
  CHECK(f.moved == 0 && f.dropped == 0 && f.kept == 0 && s.n_cases == 2);
  mdb_suite_free(&s);

  /* precision: a cuda setting (it was read as a device before); folding onto the cpu makes it double */
  CHECK(mdb_suite_parse("{\"precision\": \"mixed\", \"matrix\": {\"system\": \"argon\", \"device\": \"cuda\"}}",
                        "mixed.json", NULL, &s, &e) == MDB_OK);
  mdb_suite_errors_free(&e);
  CHECK(s.n_cases == 1 && strcmp(s.cases[0].c.precision, "mixed") == 0);
  mdb_suite_to_device(&s, "cpu", &f, NULL);
  CHECK(f.moved == 1 && strcmp(s.cases[0].c.precision, "double") == 0);
  CHECK(mdb_suite_parse("{\"matrix\": {\"system\": \"argon\"}}", "ref.json", NULL, &ref, &e) == MDB_OK);
  mdb_suite_errors_free(&e);
  CHECK(ref.n_cases == 1 && s.n_cases == 1 && ref.cases[0].hash == s.cases[0].hash);
  mdb_suite_free(&ref);
  mdb_suite_free(&s);
  CHECK(mdb_suite_parse("{\"precision\": \"mixed\", \"matrix\": {\"system\": \"argon\"}}", "mixcpu.json", NULL, &s,
                        &e) == MDB_EINPUT);
  CHECK(e.n == 1 && strstr(e.msg[0], "precision mixed needs device cuda"));
  mdb_suite_errors_free(&e);
  CHECK(mdb_suite_parse("{\"precision\": \"single\", \"matrix\": {\"system\": \"argon\"}}", "single.json", NULL, &s,
                        &e) == MDB_EINPUT);
  CHECK(e.n == 1 && strstr(e.msg[0], "single.json: precision: unknown precision 'single' (valid: double, mixed)"));
  if (e.n) printf("%s\n", e.msg[0]);
  mdb_suite_errors_free(&e);
}

int main(int argc, char **argv) {
  const char *mode = argc > 1 ? argv[1] : "hash";
  if (strcmp(mode, "hash") == 0)
    hash();
  else if (strcmp(mode, "parse") == 0)
    parse();
  else if (strcmp(mode, "cost") == 0)
    cost();
  else if (strcmp(mode, "fold") == 0)
    fold();
  else {
    fprintf(stderr, "usage: %s hash|parse|cost|fold\n", argv[0]);
    return 2;
  }
  return check_report();
}
