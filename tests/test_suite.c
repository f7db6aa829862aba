/*
 * Suite files (src/suite): the shipped suites load, hold the reference
 * guide's cases and expand the same way every time; the matrix follows
 * GitHub Actions' include/exclude rules (exact id lists); calculators that
 * do not apply are dropped with notes; filters keep what they name; and
 * malformed files report every problem at once, each with the file and the
 * JSON path, as MDB_EINPUT.
 *
 * Modes: shipped (default), expand, filter, errors.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "build/build.h"
#include "build/xyz.h"
#include "check.h"
#include "suite/suite.h"

#ifndef MDB_SOURCE_DIR
#error "MDB_SOURCE_DIR must name the source tree (tests/suite.cmake sets it)"
#endif
#define SUITES_DIR MDB_SOURCE_DIR "/suites"
#define FIXTURES MDB_SOURCE_DIR "/tests/suites"

static const mdb_suite_case *find(const mdb_suite *s, const char *id) {
  for (int i = 0; i < s->n_cases; i++)
    if (strcmp(s->cases[i].id, id) == 0) return &s->cases[i];
  return NULL;
}

static int has_note(const mdb_suite *s, const char *text) {
  for (int i = 0; i < s->n_notes; i++)
    if (strstr(s->notes[i], text)) return 1;
  return 0;
}

static int has_error(const mdb_suite_errors *e, const char *text) {
  for (int i = 0; i < e->n; i++)
    if (strstr(e->msg[i], text)) return 1;
  return 0;
}

static void load(const char *name, mdb_suite *s) {
  mdb_suite_errors e;
  if (mdb_suite_load(name, SUITES_DIR, s, &e)) {
    mdb_suite_errors_print(&e, "unexpected: ", stderr);
    exit(1);
  }
  mdb_suite_errors_free(&e);
}

static mdb_status parse(const char *text, mdb_suite *s, mdb_suite_errors *e) {
  mdb_status st = mdb_suite_parse(text, "inline.json", NULL, s, e);
  if (st) mdb_suite_errors_print(e, "  inline.json reported: ", stdout);
  return st;
}

/* The ids of s are exactly want (in order). */
static void check_ids(const mdb_suite *s, const char *const *want, int n) {
  CHECK(s->n_cases == n);
  for (int i = 0; i < n && i < s->n_cases; i++) {
    if (strcmp(s->cases[i].id, want[i]) != 0) fprintf(stderr, "case %d: got %s, want %s\n", i, s->cases[i].id, want[i]);
    CHECK(strcmp(s->cases[i].id, want[i]) == 0);
  }
}

static int file_safe(const char *id) {
  for (const char *p = id; *p; p++)
    if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || strchr("._-", *p)))
      return 0;
  return *id != 0;
}

/* ids unique and file-safe, hashes unique, every case resolved */
static void check_well_formed(const mdb_suite *s) {
  int ok_ids = 1, ok_hash = 1, ok_resolved = 1;
  for (int i = 0; i < s->n_cases; i++) {
    const mdb_suite_case *a = &s->cases[i];
    ok_ids &= file_safe(a->id) && strlen(a->id) < 200;
    ok_resolved &= a->c.n_atoms > 0 && a->c.timestep_fs > 0 && a->c.calculator[0] && a->cost > 0;
    ok_hash &= a->hash == mdb_suite_case_hash(&a->c) && strlen(a->hash_hex) == 16;
    for (int j = 0; j < i; j++) {
      ok_ids &= strcmp(a->id, s->cases[j].id) != 0;
      ok_hash &= a->hash != s->cases[j].hash;
    }
  }
  CHECK(ok_ids);
  CHECK(ok_hash);
  CHECK(ok_resolved);
}

static void check_case(const mdb_suite *s, const char *id, int steps) {
  const mdb_suite_case *c = find(s, id);
  if (!c) fprintf(stderr, "%s: no case %s\n", s->name, id);
  CHECK(c != NULL);
  if (c) CHECK(c->c.n_steps == steps);
}

static double cpu_atom_steps(const mdb_suite *s) {
  double sum = 0;
  for (int i = 0; i < s->n_cases; i++)
    if (strcmp(s->cases[i].c.device, "cpu") == 0)
      sum += (double)s->cases[i].c.n_atoms * (s->cases[i].c.n_steps + s->cases[i].c.warmup_steps);
  return sum;
}

static void shipped(void) {
  mdb_suite q, b, c, c2;

  load("quick", &q);
  printf("quick: %d cases, %.3g cpu atom-steps\n", q.n_cases, cpu_atom_steps(&q));
  CHECK(q.n_cases == 12);
  check_case(&q, "silicon_32_NVE_sw_cpu", 100);
  check_case(&q, "copper_108_NVE_eam_cpu", 100);
  check_case(&q, "water_96_NVE_spcfw_cpu", 100);
  check_case(&q, "silicon_32_NVT_sw_cpu", 100);
  check_case(&q, "silicon_32_NVE_sw_cuda", 100);
  CHECK(cpu_atom_steps(&q) < 1e6); /* a few seconds on one core */
  check_well_formed(&q);

  load("baseline", &b);
  printf("baseline: %d cases, %.3g cpu atom-steps\n", b.n_cases, cpu_atom_steps(&b));
  CHECK(b.n_cases == 28);
  const char *guide[] = {"silicon_64_NVE_sw_cpu",    "silicon_64_NVT_sw_cpu",  "silicon_128_NVE_sw_cpu",
                         "silicon_128_NVT_sw_cpu",   "copper_108_NVE_eam_cpu", "copper_108_NVT_eam_cpu",
                         "aluminum_108_NVE_eam_cpu", "argon_256_NVE_lj_cpu",   "water_96_NVE_spcfw_cpu"};
  for (int i = 0; i < 9; i++) check_case(&b, guide[i], 1000);
  const mdb_suite_case *nvt = find(&b, "silicon_128_NVT_sw_cpu");
  CHECK(nvt && strcmp(nvt->c.thermostat, "nhc") == 0 && nvt->c.tdamp_fs == 100 && nvt->c.chain == 3);
  check_well_formed(&b);

  load("comprehensive", &c);
  printf("comprehensive: %d cases, %d notes, %.3g cpu atom-steps\n", c.n_cases, c.n_notes, cpu_atom_steps(&c));
  CHECK(c.n_cases == 216);
  const char *more[] = {"silicon_64_NVE_sw_cpu",    "silicon_128_NVT_sw_cpu",      "silicon_256_NVE_sw_cpu",
                        "silicon_256_NVT_lj_cpu",   "copper_108_NVE_eam_cpu",      "copper_108_NVT_lj_cpu",
                        "aluminum_108_NVE_eam_cpu", "aluminum_108_NVT_eam_cpu",    "argon_864_NVE_lj_cpu",
                        "water_768_NVT_spcfw_cpu",  "water_100002_NVE_spcfw_cuda", "silicon_110592_NVE_sw_cuda"};
  for (int i = 0; i < 12; i++) check_case(&c, more[i], 1000);
  check_case(&c, "copper_108_NPT_eam_cpu", 2000);
  const mdb_suite_case *npt = find(&c, "copper_108_NPT_eam_cpu");
  CHECK(npt && npt->c.pressure_set && npt->c.pressure_bar == 1.01325 && npt->c.pdamp_fs == 1000);
  const mdb_suite_case *nve = find(&c, "copper_108_NVE_eam_cpu");
  CHECK(nve && !nve->c.pressure_set && nve->c.tdamp_fs == 0 && nve->c.thermostat[0] == 0);
  /* every applicable calculator, and only those */
  const char *pairs[][2] = {{"silicon", "lj"},  {"silicon", "sw"},   {"copper", "lj"}, {"copper", "eam"},
                            {"aluminum", "lj"}, {"aluminum", "eam"}, {"argon", "lj"},  {"water", "spcfw"}};
  int seen[8] = {0}, stray = 0, max_cpu = 0, max_cuda = 0;
  for (int i = 0; i < c.n_cases; i++) {
    const mdb_case *k = &c.cases[i].c;
    int hit = 0;
    for (int p = 0; p < 8; p++)
      if (strcmp(k->system, pairs[p][0]) == 0 && strcmp(k->calculator, pairs[p][1]) == 0) seen[p]++, hit = 1;
    stray += !hit;
    int *mx = strcmp(k->device, "cpu") == 0 ? &max_cpu : &max_cuda;
    if (k->n_atoms > *mx) *mx = k->n_atoms;
  }
  for (int p = 0; p < 8; p++) CHECK(seen[p] > 0);
  CHECK(stray == 0);
  printf("comprehensive: largest cpu case %d atoms, largest cuda case %d atoms\n", max_cpu, max_cuda);
  CHECK(max_cuda >= 100000);
  CHECK(max_cpu <= 1000);
  CHECK(c.n_notes == 12);
  CHECK(has_note(&c, "silicon with eam: dropped 30 cases"));
  CHECK(has_note(&c, "water with lj: dropped"));
  check_well_formed(&c);

  /* deterministic: a second expansion gives the same ids, hashes and costs */
  load("comprehensive", &c2);
  int same = c2.n_cases == c.n_cases && c2.n_notes == c.n_notes;
  for (int i = 0; same && i < c.n_cases; i++)
    same = strcmp(c.cases[i].id, c2.cases[i].id) == 0 && c.cases[i].hash == c2.cases[i].hash &&
           c.cases[i].cost == c2.cases[i].cost;
  for (int i = 0; same && i < c.n_notes; i++) same = strcmp(c.notes[i], c2.notes[i]) == 0;
  CHECK(same);

  /* the scheduling order: cost descending, ties in expansion order */
  int *order = malloc((size_t)c.n_cases * sizeof *order);
  mdb_suite_order_by_cost(&c, order);
  int sorted = 1;
  for (int i = 1; i < c.n_cases; i++) {
    const mdb_suite_case *p = &c.cases[order[i - 1]], *n = &c.cases[order[i]];
    sorted &= p->cost > n->cost || (p->cost == n->cost && order[i - 1] < order[i]);
  }
  CHECK(sorted);
  CHECK(strstr(c.cases[order[0]].id, "water_100002_NPT") != NULL);
  free(order);

  /* the dry-run plan: a header, one line per case, the notes */
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  mdb_suite_print_plan(&q, f);
  fclose(f);
  int lines = 0;
  for (char *p = text; *p; p++) lines += *p == '\n';
  CHECK(lines == 2 + q.n_cases + q.n_notes);
  CHECK(strstr(text, "silicon_32_NVE_sw_cpu") != NULL);
  free(text);

  mdb_suite_free(&q);
  mdb_suite_free(&b);
  mdb_suite_free(&c);
  mdb_suite_free(&c2);

  /* the key of a fully specified case: resume compares this hash across
   * versions, so a change to the key format must be deliberate */
  mdb_case k;
  memset(&k, 0, sizeof k);
  snprintf(k.system, sizeof k.system, "copper");
  k.n_atoms = 108;
  snprintf(k.protocol, sizeof k.protocol, "NPT");
  snprintf(k.thermostat, sizeof k.thermostat, "nhc");
  k.tdamp_fs = 100;
  k.pdamp_fs = 1000;
  k.pressure_bar = 1.01325;
  k.pressure_set = 1;
  k.chain = 3;
  snprintf(k.calculator, sizeof k.calculator, "eam");
  snprintf(k.device, sizeof k.device, "cpu");
  k.n_steps = 1000;
  k.warmup_steps = 10;
  k.timestep_fs = 1;
  k.temperature_K = 300;
  k.seed = 42;
  k.energy_interval = 10;
  k.memory_interval = 100;
  k.skin_A = 1;
  uint64_t h = mdb_suite_case_hash(&k);
  printf("hash of copper_108_NPT_eam_cpu: %016llx\n", (unsigned long long)h);
  CHECK(h == UINT64_C(0xbd95fde9d02d98a7));
  mdb_suite one;
  mdb_suite_errors e1;
  REQUIRE_OK(
      mdb_suite_parse("{\"matrix\": {\"system\": \"copper\", \"protocol\": \"NPT\"}}", "one.json", NULL, &one, &e1),
      &((mdb_err){.msg = "one.json"}));
  CHECK(one.n_cases == 1 && one.cases[0].hash == h && strcmp(one.cases[0].hash_hex, "bd95fde9d02d98a7") == 0);
  mdb_suite_free(&one);
  mdb_suite_errors_free(&e1);
  mdb_case k2 = k;
  k2.seed++;
  CHECK(mdb_suite_case_hash(&k2) != h);
  k2 = k;
  snprintf(k2.device, sizeof k2.device, "cuda");
  CHECK(mdb_suite_case_hash(&k2) != h);
  k2 = k;
  k2.timestep_fs = nextafter(k.timestep_fs, 2.0);
  CHECK(mdb_suite_case_hash(&k2) != h);

  /* unknown names and missing files */
  mdb_suite s;
  mdb_suite_errors e;
  CHECK(mdb_suite_load("quik", SUITES_DIR, &s, &e) == MDB_EINPUT);
  CHECK(has_error(&e, "unknown suite 'quik'") && has_error(&e, "did you mean 'quick'"));
  mdb_suite_errors_free(&e);
  CHECK(mdb_suite_load(FIXTURES "/no_such_file.json", SUITES_DIR, &s, &e) == MDB_EIO);
  CHECK(has_error(&e, "no_such_file.json: cannot read"));
  mdb_suite_errors_free(&e);
}

/* --------------------------------------------------------------- expand */

static void expand(void) {
  mdb_suite s;
  mdb_suite_errors e;

  /* include/exclude (the example of suites/README.md) */
  const char *gh = "{\"steps\": 10, \"warmup\": 0, \"matrix\": {"
                   "\"system\": [\"copper\", \"argon\"], \"atoms\": [108, 256], \"protocol\": [\"NVE\", \"NVT\"],"
                   "\"exclude\": [{\"system\": \"argon\", \"atoms\": 108}],"
                   "\"include\": ["
                   " {\"system\": \"copper\", \"atoms\": 108, \"protocol\": \"NVT\", \"steps\": 50},"
                   " {\"system\": \"argon\", \"calculator\": \"lj:rc=7\"},"
                   " {\"system\": \"copper\", \"atoms\": 256, \"protocol\": \"NPT\"},"
                   " {\"system\": \"argon\", \"atoms\": 500, \"device\": \"cuda\"},"
                   " {\"protocol\": \"NVE\", \"temperature_K\": 50},"
                   " {\"system\": \"argon\", \"protocol\": \"NVT\", \"calculator\": \"lj:rc=8\"}]}}";
  REQUIRE_OK(parse(gh, &s, &e), &((mdb_err){.msg = "inline suite"}));
  const char *want_gh[] = {"copper_108_NVE_eam_cpu", "copper_108_NVT_eam_cpu",    "copper_256_NVE_eam_cpu",
                           "copper_256_NVT_eam_cpu", "argon_256_NVE_lj-rc-7_cpu", "argon_256_NVT_lj-rc-8_cpu",
                           "copper_256_NPT_eam_cpu", "argon_500_NVE_lj_cuda"};
  check_ids(&s, want_gh, 8);
  const mdb_suite_case *k;
  CHECK((k = find(&s, "copper_108_NVT_eam_cpu")) && k->c.n_steps == 50 && k->c.temperature_K == 300);
  CHECK((k = find(&s, "copper_108_NVE_eam_cpu")) && k->c.n_steps == 10 && k->c.temperature_K == 50);
  CHECK((k = find(&s, "argon_256_NVT_lj-rc-8_cpu")) && strcmp(k->c.calculator, "lj:rc=8") == 0);
  CHECK((k = find(&s, "argon_500_NVE_lj_cuda")) && k->c.temperature_K == 300 && strcmp(k->c.device, "cuda") == 0 &&
        strcmp(k->origin, "matrix.include[3]") == 0);
  CHECK((k = find(&s, "copper_256_NPT_eam_cpu")) && k->c.pressure_set && strcmp(k->c.thermostat, "nhc") == 0);
  mdb_suite_free(&s);
  mdb_suite_errors_free(&e);

  /* exclude that matches nothing: a note */
  REQUIRE_OK(parse("{\"matrix\": {\"system\": [\"argon\"], \"protocol\": [\"NVE\"],"
                   "\"exclude\": [{\"protocol\": \"NPT\"}]}}",
                   &s, &e),
             &((mdb_err){.msg = "inline suite"}));
  CHECK(s.n_cases == 1 && has_note(&s, "matrix.exclude[0] matches no combination"));
  mdb_suite_free(&s);
  mdb_suite_errors_free(&e);

  /* per-system and per-device sizes, nested; unnamed devices get the default size */
  REQUIRE_OK(parse("{\"matrix\": {\"system\": [\"silicon\", \"copper\", \"argon\"],"
                   "\"atoms\": {\"silicon\": {\"cpu\": [32], \"cuda\": [32, 4096]}, \"copper\": [108],"
                   "            \"argon\": {\"cuda\": 4000}},"
                   "\"device\": [\"cpu\", \"cuda\"]}}",
                   &s, &e),
             &((mdb_err){.msg = "inline suite"}));
  const char *want_dev[] = {"silicon_32_NVE_sw_cpu",  "silicon_32_NVE_sw_cuda",  "silicon_4096_NVE_sw_cuda",
                            "copper_108_NVE_eam_cpu", "copper_108_NVE_eam_cuda", "argon_256_NVE_lj_cpu",
                            "argon_4000_NVE_lj_cuda"};
  check_ids(&s, want_dev, 7);
  mdb_suite_free(&s);
  mdb_suite_errors_free(&e);

  /* calculators that do not apply are dropped with a note; objects become specs */
  REQUIRE_OK(parse("{\"matrix\": {\"system\": [\"silicon\", \"copper\"], \"atoms\": {\"silicon\": 64, \"copper\": 108},"
                   "\"calculator\": [\"sw\", \"eam\", {\"name\": \"lj\", \"rc\": 7.5}]}}",
                   &s, &e),
             &((mdb_err){.msg = "inline suite"}));
  const char *want_calc[] = {"silicon_64_NVE_sw_cpu", "silicon_64_NVE_lj-rc-7.5_cpu", "copper_108_NVE_eam_cpu",
                             "copper_108_NVE_lj-rc-7.5_cpu"};
  check_ids(&s, want_calc, 4);
  CHECK(s.n_notes == 2);
  CHECK(has_note(&s, "silicon with eam: dropped 1 case, the calculator does not apply: eam"));
  CHECK(has_note(&s, "copper with sw: dropped 1 case, the calculator does not apply: sw"));
  CHECK((k = find(&s, "copper_108_NVE_lj-rc-7.5_cpu")) && strcmp(k->c.calculator, "lj:rc=7.5") == 0);
  mdb_suite_free(&s);
  mdb_suite_errors_free(&e);

  /* nothing left at all is an error */
  CHECK(parse("{\"matrix\": {\"system\": [\"water\"], \"calculator\": [\"eam\", \"sw\"]}}", &s, &e) == MDB_EINPUT);
  CHECK(e.n == 1 && has_error(&e, "inline.json: matrix: expands to no cases (0 excluded, 2 dropped"));
  mdb_suite_errors_free(&e);

  /* the same id twice: an identical case is kept once, a different one renamed */
  REQUIRE_OK(parse("{\"matrix\": {\"system\": [\"argon\"], \"protocol\": [\"NVE\"], \"include\": ["
                   " {\"system\": \"argon\", \"protocol\": \"NVT\"},"
                   " {\"system\": \"argon\", \"protocol\": \"NVT\", \"thermostat\": \"langevin\"},"
                   " {\"system\": \"argon\", \"protocol\": \"NVT\"}]}}",
                   &s, &e),
             &((mdb_err){.msg = "inline suite"}));
  const char *want_dup[] = {"argon_256_NVE_lj_cpu", "argon_256_NVT_lj_cpu", "argon_256_NVT_lj_cpu-2"};
  check_ids(&s, want_dup, 3);
  CHECK((k = find(&s, "argon_256_NVT_lj_cpu-2")) && strcmp(k->c.thermostat, "langevin") == 0);
  CHECK(has_note(&s, "renamed argon_256_NVT_lj_cpu-2"));
  CHECK(has_note(&s, "matrix.include[2] repeats case argon_256_NVT_lj_cpu"));
  mdb_suite_free(&s);
  mdb_suite_errors_free(&e);

  /* top-level settings apply where they mean something; include settings always */
  REQUIRE_OK(parse("{\"pressure_bar\": 5, \"tdamp_fs\": 50, \"chain\": 4, \"matrix\": {\"system\": \"argon\","
                   "\"protocol\": [\"NVE\", \"NVT\", \"NPT\"],"
                   "\"include\": [{\"protocol\": \"NVT\", \"thermostat\": \"langevin\"}]}}",
                   &s, &e),
             &((mdb_err){.msg = "inline suite"}));
  CHECK(s.n_cases == 3);
  const mdb_case *nve = &s.cases[0].c, *nvt = &s.cases[1].c, *npt = &s.cases[2].c;
  CHECK(!nve->pressure_set && nve->tdamp_fs == 0 && nve->chain == 0);
  CHECK(!nvt->pressure_set && nvt->tdamp_fs == 50 && nvt->chain == 0 && strcmp(nvt->thermostat, "langevin") == 0);
  CHECK(npt->pressure_set && npt->pressure_bar == 5 && npt->tdamp_fs == 50 && npt->chain == 4);
  mdb_suite_free(&s);
  mdb_suite_errors_free(&e);

  /* an .xyz system: relative to the suite's folder, the file's own size */
  char dir[] = "/tmp/mdb_suite_test_XXXXXX";
  CHECK(mkdtemp(dir) != NULL);
  char xyz[256];
  snprintf(xyz, sizeof xyz, "%s/cu32.xyz", dir);
  mdb_system sys;
  mdb_err err;
  REQUIRE_OK(mdb_build_system(&sys, "copper", 32, 0, 1, NULL, &err), &err);
  REQUIRE_OK(mdb_xyz_write(xyz, &sys, NULL, &err), &err);
  mdb_system_free(&sys);
  const char *xs = "{\"matrix\": {\"system\": [\"cu32.xyz\"], \"calculator\": [\"lj\", \"eam\"]}}";
  REQUIRE_OK(mdb_suite_parse(xs, "x.json", dir, &s, &e), &((mdb_err){.msg = "xyz suite"}));
  const char *want_xyz[] = {"cu32.xyz_32_NVE_lj_cpu", "cu32.xyz_32_NVE_eam_cpu"};
  check_ids(&s, want_xyz, 2);
  CHECK(strcmp(s.cases[0].c.system, xyz) == 0);
  mdb_suite_free(&s);
  mdb_suite_errors_free(&e);
  CHECK(mdb_suite_parse("{\"matrix\": {\"system\": [\"cu32.xyz\"], \"atoms\": 64}}", "x.json", dir, &s, &e) ==
        MDB_EINPUT);
  CHECK(e.n == 1 && has_error(&e, "x.json: matrix.atoms: ") && has_error(&e, "has 32 atoms"));
  mdb_suite_errors_free(&e);
  unlink(xyz);
  rmdir(dir);

  /* file-safe calculator names */
  char slug[256];
  mdb_suite_calc_slug("eam:file=/usr/share/lammps/potentials/Cu_u3.eam", slug, sizeof slug);
  CHECK(strcmp(slug, "eam-Cu_u3.eam") == 0);
  mdb_suite_calc_slug("eam:file=Cu_u3.eam", slug, sizeof slug);
  CHECK(strcmp(slug, "eam-Cu_u3.eam") == 0);
  mdb_suite_calc_slug("lj:rc=8.5,epsilon=0.0104", slug, sizeof slug);
  CHECK(strcmp(slug, "lj-rc-8.5-epsilon-0.0104") == 0);
  mdb_suite_calc_slug("plugin:lib=./libmorse.so", slug, sizeof slug);
  CHECK(strcmp(slug, "plugin-libmorse.so") == 0);
  mdb_suite_calc_slug("ipi:unix=orb host", slug, sizeof slug);
  CHECK(strcmp(slug, "ipi-unix-orb-host") == 0);
  char longspec[300], slug2[256];
  snprintf(longspec, sizeof longspec, "lj:sigma=%0200d", 1);
  mdb_suite_calc_slug(longspec, slug, sizeof slug);
  longspec[150] = '2';
  mdb_suite_calc_slug(longspec, slug2, sizeof slug2);
  CHECK(strlen(slug) <= 96 && strlen(slug2) <= 96 && strcmp(slug, slug2) != 0);
  CHECK(mdb_suite_calc_cost_factor("eam") > mdb_suite_calc_cost_factor("eam:file=Cu_u3.eam"));
  CHECK(mdb_suite_calc_cost_factor("lj") == 1.0);
}

/* --------------------------------------------------------------- filter */

static int count(const mdb_suite *s, const char *system, const char *protocol) {
  int n = 0;
  for (int i = 0; i < s->n_cases; i++)
    n += (!system || strcmp(s->cases[i].c.system, system) == 0) &&
         (!protocol || strcmp(s->cases[i].c.protocol, protocol) == 0);
  return n;
}

static void filter(void) {
  mdb_suite s;
  mdb_err err;
  load("comprehensive", &s);
  int total = s.n_cases, want = count(&s, "copper", "NVE");
  CHECK(want == 18);
  REQUIRE_OK(mdb_suite_filter(&s, "system=copper,protocol=NVE", &err), &err);
  CHECK(s.n_cases == want && count(&s, "copper", "NVE") == want);

  /* a key given twice matches either value */
  REQUIRE_OK(mdb_suite_filter(&s, "atoms=108,atoms=864,device=cpu", &err), &err);
  CHECK(s.n_cases == 4);
  REQUIRE_OK(mdb_suite_filter(&s, "calculator=eam", &err), &err);
  CHECK(s.n_cases == 2);
  REQUIRE_OK(mdb_suite_filter(&s, "id=copper_864_NVE_eam_cpu", &err), &err);
  CHECK(s.n_cases == 1 && strcmp(s.cases[0].id, "copper_864_NVE_eam_cpu") == 0);

  /* errors leave the suite alone */
  CHECK(mdb_suite_filter(&s, "sytem=copper", &err) == MDB_EINPUT);
  CHECK(strstr(err.msg, "unknown key 'sytem'") && strstr(err.msg, "did you mean 'system'"));
  CHECK(strstr(err.msg, "valid: system, atoms, protocol, calculator, device, id"));
  CHECK(mdb_suite_filter(&s, "system", &err) == MDB_EINPUT && strstr(err.msg, "is not key=value"));
  CHECK(mdb_suite_filter(&s, "atoms=lots", &err) == MDB_EINPUT && strstr(err.msg, "not a positive integer"));
  CHECK(mdb_suite_filter(&s, "system=silicon", &err) == MDB_EINPUT);
  CHECK(strstr(err.msg, "matches none of the 1 cases") && strstr(err.msg, "system: copper"));
  CHECK(s.n_cases == 1);
  mdb_suite_free(&s);

  load("comprehensive", &s);
  CHECK(s.n_cases == total);
  REQUIRE_OK(mdb_suite_filter(&s, "device=cuda,protocol=npt", &err), &err);
  int ok = s.n_cases > 0;
  for (int i = 0; i < s.n_cases; i++)
    ok &= strcmp(s.cases[i].c.device, "cuda") == 0 && strcmp(s.cases[i].c.protocol, "NPT") == 0;
  CHECK(ok);
  mdb_suite_free(&s);
}

/* --------------------------------------------------------------- errors */

typedef struct fixture {
  const char *file;
  int n;                  /* exactly this many messages */
  const char *expect[20]; /* each must appear in some message */
} fixture;

static const fixture fixtures[] = {
    {"bad_json.json",
     1,
     {"bad_json.json: line 4, column 36: invalid JSON near '],'", "(a comma before a closing bracket is not JSON)"}},
    {"truncated_json.json", 1, {"truncated_json.json: line 5, column 1: invalid JSON: the file ends early"}},
    {"unknown_keys.json",
     8,
     {"unknown_keys.json: seed: is given twice",
      "unknown_keys.json: temprature_K: unknown key (valid: description, matrix, steps,",
      "did you mean 'temperature_K'?", "unknown_keys.json: stepz: unknown key",
      "unknown_keys.json: atoms: belongs inside \"matrix\"",
      "unknown_keys.json: matrix.protocols: unknown key (valid: system, atoms, protocol, calculator, device, "
      "include, exclude); did you mean 'protocol'?",
      "unknown_keys.json: matrix.steps: run settings go at the top",
      "unknown_keys.json: matrix.exclude[0].device: exclude keys must be keys of the matrix (this matrix has: "
      "system)",
      "unknown_keys.json: matrix.include[0].timestep: unknown key", "did you mean 'timestep_fs'?"}},
    {"wrong_types.json",
     12,
     {"wrong_types.json: description: must be a string, got an array",
      "wrong_types.json: steps: must be an integer >= 1, got \"100\" (a string)",
      "wrong_types.json: warmup: must be an integer >= 0, got 2.5",
      "wrong_types.json: timestep_fs: must be a number > 0, got -1",
      "wrong_types.json: seed: must be an integer from 0 to 2^53, got true",
      "wrong_types.json: matrix.atoms[1]: must be a positive integer, got \"128\" (a string)",
      "wrong_types.json: matrix.atoms[2]: must be a positive integer, got 1.5",
      "wrong_types.json: matrix.protocol: must list at least one protocol",
      "wrong_types.json: matrix.calculator[0].rc: a calculator parameter must be a string or a number, got an array",
      "wrong_types.json: matrix.calculator[1]: must be a calculator spec",
      "wrong_types.json: matrix.include: must be a list of objects, got an object",
      "wrong_types.json: matrix.exclude[0]: must be an object of matrix keys, got an array"}},
    {"impossible_sizes.json",
     6,
     {"impossible_sizes.json: matrix.atoms.silicon[2]: must be a positive integer, got -5",
      "impossible_sizes.json: matrix.atoms.silicon[1]: silicon cannot have 100 atoms: its cell has 8 atoms, so the "
      "nearest valid sizes are 96 and 104",
      "impossible_sizes.json: matrix.atoms.copper[1]: copper cannot have 110 atoms",
      "impossible_sizes.json: matrix.atoms.water.cpu[1]: water cannot have 97 atoms",
      "impossible_sizes.json: matrix.atoms.water.cuda[0]: water cannot have 200000 atoms",
      "impossible_sizes.json: matrix.include[0].atoms: copper cannot have 6 atoms"}},
    {"unknown_names.json",
     7,
     {"unknown_names.json: thermostat: unknown thermostat 'berendsen' (valid: nhc, langevin)",
      "unknown_names.json: matrix.system[1]: unknown system 'coper' (valid: silicon, copper, aluminum, argon, water, "
      "or a path ending in .xyz); did you mean 'copper'?",
      "unknown_names.json: matrix.system[2]: cannot open",
      "unknown_names.json: matrix.protocol[1]: unknown protocol 'NVX' (valid: NVE, NVT, NPT)",
      "unknown_names.json: matrix.calculator[1]: unknown calculator 'morse' (valid: lj, eam, sw, spcfw",
      "unknown_names.json: matrix.calculator[2]: calculator 'lj' has no parameter 'rcut'",
      "unknown_names.json: matrix.device[1]: unknown device 'gpu' (valid: cpu, cuda); NVIDIA GPUs are 'cuda'"}},
    {"bad_combinations.json",
     6,
     {"bad_combinations.json: matrix.atoms[1]: silicon cannot have 6 atoms", "give sizes per system",
      "bad_combinations.json: matrix.atoms[0]: water cannot have 64 atoms",
      "bad_combinations.json: matrix.atoms[1]: water with 6 atoms cannot run spcfw",
      "bad_combinations.json: matrix+include[0]+include[2]: case silicon_64_NVE_sw_cpu: thermostat nhc needs "
      "protocol NVT or NPT",
      "bad_combinations.json: matrix+include[2]: case silicon_64_NVT_sw_cpu: protocol NVT needs a target "
      "temperature_K > 0",
      "bad_combinations.json: matrix.include[1]: case silicon_64_NPT_sw_cpu: protocol NPT couples the MTK barostat"}},
};

static void errors(void) {
  for (size_t f = 0; f < sizeof fixtures / sizeof fixtures[0]; f++) {
    const fixture *fx = &fixtures[f];
    char path[512];
    snprintf(path, sizeof path, "%s/%s", FIXTURES, fx->file);
    mdb_suite s;
    mdb_suite_errors e;
    mdb_status st = mdb_suite_load(path, SUITES_DIR, &s, &e);
    printf("%s: %d errors\n", fx->file, e.n);
    mdb_suite_errors_print(&e, "  ", stdout);
    CHECK(st == MDB_EINPUT && e.code == MDB_EINPUT);
    CHECK(s.n_cases == 0 && s.cases == NULL);
    CHECK(e.n == fx->n && e.n_more == 0);
    for (int i = 0; i < e.n; i++) CHECK(strncmp(e.msg[i], path, strlen(path)) == 0);
    for (int i = 0; i < 20 && fx->expect[i]; i++) {
      if (!has_error(&e, fx->expect[i])) fprintf(stderr, "%s: no error contains: %s\n", fx->file, fx->expect[i]);
      CHECK(has_error(&e, fx->expect[i]));
    }
    mdb_suite_errors_free(&e);
  }

  /* a file with more problems than are kept: the rest are counted */
  char big[64 * 1024];
  size_t len = (size_t)snprintf(big, sizeof big, "{\"matrix\": {\"system\": [\"argon\"], \"include\": [");
  for (int i = 0; i < MDB_SUITE_MAX_ERRORS + 50; i++)
    len += (size_t)snprintf(big + len, sizeof big - len, "%s{\"steps\": %d}", i ? ", " : "", -i);
  snprintf(big + len, sizeof big - len, "]}}");
  mdb_suite s;
  mdb_suite_errors e;
  CHECK(mdb_suite_parse(big, "big.json", NULL, &s, &e) == MDB_EINPUT);
  CHECK(e.n == MDB_SUITE_MAX_ERRORS && e.n_more == 50);
  mdb_suite_errors_free(&e);

  /* bad JSON in memory: line and column of the problem */
  CHECK(mdb_suite_parse("{\n  \"steps\": 10\n  \"matrix\": {}\n}", "m.json", NULL, &s, &e) == MDB_EINPUT);
  CHECK(e.n == 1 && has_error(&e, "m.json: line 3, column 3: invalid JSON near '\"matrix\": {}' (a missing comma?)"));
  mdb_suite_errors_free(&e);
  CHECK(mdb_suite_parse("", "empty.json", NULL, &s, &e) == MDB_EINPUT);
  CHECK(has_error(&e, "empty.json: the file is empty"));
  mdb_suite_errors_free(&e);
  CHECK(mdb_suite_parse("[1, 2]", "arr.json", NULL, &s, &e) == MDB_EINPUT &&
        has_error(&e, "arr.json: the top level must be an object"));
  mdb_suite_errors_free(&e);
  CHECK(mdb_suite_parse("{\"steps\": 5}", "nomatrix.json", NULL, &s, &e) == MDB_EINPUT &&
        has_error(&e, "nomatrix.json: matrix: missing"));
  mdb_suite_errors_free(&e);
}

int main(int argc, char **argv) {
  const char *mode = argc > 1 ? argv[1] : "shipped";
  if (strcmp(mode, "shipped") == 0)
    shipped();
  else if (strcmp(mode, "expand") == 0)
    expand();
  else if (strcmp(mode, "filter") == 0)
    filter();
  else if (strcmp(mode, "errors") == 0)
    errors();
  else {
    fprintf(stderr, "usage: %s [shipped|expand|filter|errors]\n", argv[0]);
    return 2;
  }
  return check_report();
}
