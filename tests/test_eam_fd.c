/*
 * eam: forces are −∇E and the virial is −∂E/∂ε, by central finite
 * differences; and bad potential files give clear errors.
 *
 * Usage: eam_forces_match_finite_differences [builtin|files|errors]
 * (no argument: builtin). CTest runs each mode as its own test.
 *   builtin  the analytic Zhou et al. (2004) Cu and Cu/Al (rc 9.04 / 10.13 Å)
 *            on a perturbed fcc Cu cube of 7.23 Å (< rc: every atom meets
 *            many images of every other, its own included) and on random
 *            Cu/Al in a skewed triclinic cell of ~10 Å (< 2 rc); plus the
 *            perfect-lattice cohesive energies of the paper's Table II
 *            (Cu 3.54, Al 3.58 eV/atom), which catch a mistyped parameter.
 *   files    LAMMPS tables: Cu_u3.eam (funcfl, rc 4.95 Å) on perturbed fcc Cu
 *            in 7.23 Å (< 2 rc) and 10.845 Å cubes, AlCu.eam.alloy and
 *            CuNi.eam.alloy (setfl) on random mixtures in triclinic cells;
 *            exits 77 (skip) when /usr/share/lammps/potentials lacks them.
 *   errors   truncated and malformed files, an element the file does not
 *            cover, an unknown spec key, a missing file: each fails with
 *            MDB_EINPUT and a message naming the file and line, or the
 *            element and the ones covered.
 *
 * Tolerances: each force component within 1e-6 of the largest |F| (relative
 * 1e-6), each virial component within 1e-6 of the largest |W|. Steps h =
 * 1e-5 Å and δ = 1e-6 keep truncation and round-off well below. The
 * tabulated functions are C¹ cubic splines, so the finite differences
 * converge to the analytic forces as they do for the analytic form.
 */
#include <unistd.h>

#include "testutil.h"

#define POTDIR "/usr/share/lammps/potentials"

typedef struct fd_case {
  const char *label;
  const char *calc;
  double h[3][3];
  const char *species[2];
  int nspecies;
  int reps;    /* > 0: perturbed fcc, reps³ cells of edge h[0][0]/reps */
  int n;       /* random: this many atoms */
  double dmin; /* random: closest approach (Å) */
} fd_case;

/* fcc, reps³ cubic cells of edge a, displaced by up to ±amp Å */
static void fcc_system(mdb_system *sys, const char *species, int reps, double a, double amp, uint64_t seed) {
  static const double basis[4][3] = {{0, 0, 0}, {0, .5, .5}, {.5, 0, .5}, {.5, .5, 0}};
  int n = 4 * reps * reps * reps, i = 0;
  double *base = malloc((size_t)n * 3 * sizeof *base);
  for (int cx = 0; cx < reps; cx++)
    for (int cy = 0; cy < reps; cy++)
      for (int cz = 0; cz < reps; cz++)
        for (int b = 0; b < 4; b++, i++) {
          int cell[3] = {cx, cy, cz};
          for (int k = 0; k < 3; k++) base[3 * i + k] = (cell[k] + basis[b][k]) * a;
        }
  double L = reps * a;
  const double h[3][3] = {{L, 0, 0}, {0, L, 0}, {0, 0, L}};
  const char *sp[] = {species};
  tu_system(sys, n, h, sp, 1, base, amp, 0, seed);
  free(base);
}

static void run_case(const fd_case *fc) {
  mdb_err err;
  mdb_calc calc;
  REQUIRE_OK(mdb_calc_create(&calc, fc->calc, "cpu", &err), &err);
  mdb_system sys;
  if (fc->reps > 0)
    fcc_system(&sys, fc->species[0], fc->reps, fc->h[0][0] / fc->reps, 0.15, 7);
  else
    tu_system(&sys, fc->n, fc->h, fc->species, fc->nspecies, NULL, 0, fc->dmin, 11);
  tu_fd r = tu_finite_differences(&sys, &calc, 12);
  printf("%-40s N = %d, rc = %.4g Å, E = %.10g eV, max|F| = %.4g eV/Å, max|W| = %.4g eV, worst errors: force %.2e, "
         "virial %.2e\n",
         fc->label, sys.n, mdb_calc_cutoff(&calc), r.energy, r.fmax, r.wmax, r.force_err, r.virial_err);
  CHECK(r.force_err < 1e-6);
  CHECK(r.virial_err < 1e-6);
  CHECK(r.fmax > 0.1); /* the configuration really exerts forces */
  mdb_system_free(&sys);
  mdb_calc_free(&calc);
}

/* energy per atom of a perfect fcc lattice */
static double lattice_energy(const char *spec, const char *species, double a) {
  mdb_err err;
  mdb_calc calc;
  mdb_system sys;
  REQUIRE_OK(mdb_calc_create(&calc, spec, "cpu", &err), &err);
  fcc_system(&sys, species, 3, a, 0, 1);
  double e = tu_eval(&sys, &calc, NULL, NULL) / sys.n;
  mdb_system_free(&sys);
  mdb_calc_free(&calc);
  return e;
}

static int run_builtin(void) {
  const fd_case cases[] = {
      {"built-in Cu, fcc 32, cube 7.23 < rc", "eam", {{7.23, 0, 0}, {0, 7.23, 0}, {0, 0, 7.23}}, {"Cu"}, 1, 2, 0, 0},
      {"built-in Cu/Al 48, triclinic < 2 rc",
       "eam",
       {{10.0, 0.5, 0}, {1.5, 9.5, 0.3}, {0.7, -1.2, 10.8}},
       {"Cu", "Al"},
       2,
       0,
       48,
       2.2},
  };
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) run_case(&cases[k]);
  /* Zhou et al. (2004) Table II: E_c; the lattice constant √2 r_e */
  double ecu = lattice_energy("eam", "Cu", sqrt(2.0) * 2.556162);
  double eal = lattice_energy("eam", "Al", sqrt(2.0) * 2.863924);
  printf("built-in cohesive energies: Cu %.6f eV/atom (paper 3.54), Al %.6f eV/atom (paper 3.58)\n", -ecu, -eal);
  CHECK_ABS(ecu, -3.54, 1e-3);
  CHECK_ABS(eal, -3.58, 1e-3);
  return check_report();
}

static int run_files(void) {
  const char *need[] = {POTDIR "/Cu_u3.eam", POTDIR "/AlCu.eam.alloy", POTDIR "/CuNi.eam.alloy"};
  for (int k = 0; k < 3; k++)
    if (access(need[k], R_OK) != 0) {
      printf("SKIP: %s not found (Debian: apt install lammps-data)\n", need[k]);
      return 77;
    }
  const fd_case cases[] = {
      {"Cu_u3.eam, fcc 32, cube 7.23 < 2 rc",
       "eam:file=" POTDIR "/Cu_u3.eam",
       {{7.23, 0, 0}, {0, 7.23, 0}, {0, 0, 7.23}},
       {"Cu"},
       1,
       2,
       0,
       0},
      {"Cu_u3.eam, fcc 108, cube 10.845",
       "eam:file=" POTDIR "/Cu_u3.eam",
       {{10.845, 0, 0}, {0, 10.845, 0}, {0, 0, 10.845}},
       {"Cu"},
       1,
       3,
       0,
       0},
      {"AlCu.eam.alloy, Al/Cu 60, triclinic",
       "eam:file=" POTDIR "/AlCu.eam.alloy",
       {{10.0, 0.5, 0}, {1.5, 9.5, 0.3}, {0.7, -1.2, 10.8}},
       {"Al", "Cu"},
       2,
       0,
       60,
       2.1},
      {"CuNi.eam.alloy, Cu/Ni 40, triclinic",
       "eam:file=" POTDIR "/CuNi.eam.alloy",
       {{8.5, 0, 0}, {2.1, 8.2, 0}, {-1.3, 1.1, 8.9}},
       {"Cu", "Ni"},
       2,
       0,
       40,
       2.1},
  };
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) run_case(&cases[k]);
  /* Foiles, Baskes & Daw (1986): Cu_u3 E_c = 3.54 eV at a = 3.615 Å */
  double e = lattice_energy("eam:file=" POTDIR "/Cu_u3.eam", "Cu", 3.615);
  printf("Cu_u3.eam cohesive energy %.6f eV/atom (paper 3.54)\n", -e);
  CHECK_ABS(e, -3.54, 1e-3);
  return check_report();
}

/* ------------------------------------------------------------ errors */

static char tmpdir[64];

static const char *write_file(const char *name, const char *text) {
  static char path[160];
  snprintf(path, sizeof path, "%s/%s", tmpdir, name);
  FILE *f = fopen(path, "w");
  if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
    fprintf(stderr, "cannot write %s\n", path);
    exit(1);
  }
  return path;
}

/* mdb_calc_create on spec must fail with code and a message containing
 * every one of the NULL-terminated strings in want. */
static void expect_error(const char *spec, mdb_status code, const char *const *want) {
  mdb_err err = {0};
  mdb_calc calc;
  mdb_status st = mdb_calc_create(&calc, spec, "cpu", &err);
  if (st == MDB_OK) mdb_calc_free(&calc);
  printf("%-60.60s -> %d: %s\n", spec, st, err.msg);
  CHECK(st == code);
  for (const char *const *w = want; *w; w++) {
    int found = strstr(err.msg, *w) != NULL;
    if (!found) fprintf(stderr, "  message lacks '%s'\n", *w);
    CHECK(found);
  }
}

/* a valid funcfl file with five points per table, header first */
#define FUNCFL_HEAD "test funcfl\n29 63.55 3.615 FCC\n5 0.5 5 1.0 4.0\n"
#define FUNCFL_F "0 -1 -1.5 -1.8 -2\n"
#define FUNCFL_Z "1 0.5 0.2 0.1 0\n"
#define FUNCFL_RHO "0.5 0.3 0.1 0.05 0\n"

#define SETFL_HEAD "c1\nc2\nc3\n2 Al Cu\n5 0.5 5 1.0 4.0\n"
#define SETFL_EL(z) z " 27 4.05 fcc\n" FUNCFL_F FUNCFL_RHO

static int run_errors(void) {
  snprintf(tmpdir, sizeof tmpdir, "/tmp/mdb_eam_errXXXXXX");
  if (!mkdtemp(tmpdir)) {
    perror("mkdtemp");
    return 1;
  }
  char spec[512];
  mdb_err err;
  mdb_calc calc;

  /* the valid ones load, and a system the file covers prepares */
  snprintf(spec, sizeof spec, "eam:file=%s", write_file("ok.eam", FUNCFL_HEAD FUNCFL_F FUNCFL_Z FUNCFL_RHO));
  REQUIRE_OK(mdb_calc_create(&calc, spec, "cpu", &err), &err);
  CHECK_ABS(mdb_calc_cutoff(&calc), 4.0, 0);
  mdb_calc_free(&calc);
  snprintf(spec, sizeof spec, "eam:file=%s",
           write_file("ok.eam.alloy", SETFL_HEAD SETFL_EL("13") SETFL_EL("29") FUNCFL_Z FUNCFL_Z FUNCFL_Z));
  REQUIRE_OK(mdb_calc_create(&calc, spec, "cpu", &err), &err);
  mdb_system sys;
  const double h[3][3] = {{6, 0, 0}, {0, 6, 0}, {0, 0, 6}};
  const char *ni[] = {"Cu", "Ni"};
  tu_system(&sys, 4, h, ni, 2, NULL, 0, 1.0, 3);
  mdb_status st = mdb_calc_prepare(&calc, &sys, &err);
  printf("%-60s -> %d: %s\n", "Cu/Ni system with a Al,Cu setfl", st, err.msg);
  CHECK(st == MDB_EINPUT);
  CHECK(strstr(err.msg, "Ni") && strstr(err.msg, "Al, Cu") && strstr(err.msg, "ok.eam.alloy"));
  mdb_system_free(&sys);
  mdb_calc_free(&calc);

  /* the same file content under another name: recognised by its content */
  snprintf(spec, sizeof spec, "eam:file=%s", write_file("funcfl.txt", FUNCFL_HEAD FUNCFL_F FUNCFL_Z FUNCFL_RHO));
  REQUIRE_OK(mdb_calc_create(&calc, spec, "cpu", &err), &err);
  mdb_calc_free(&calc);

  /* truncated: the rho(r) table stops after two values (line 7) */
  snprintf(spec, sizeof spec, "eam:file=%s", write_file("trunc.eam", FUNCFL_HEAD FUNCFL_F FUNCFL_Z "0.5 0.3\n"));
  expect_error(spec, MDB_EINPUT, (const char *const[]){"trunc.eam", "line 6", "rho(r)", "truncated", NULL});
  /* truncated header */
  snprintf(spec, sizeof spec, "eam:file=%s", write_file("head.eam", "test funcfl\n29 63.55 3.615 FCC\n"));
  expect_error(spec, MDB_EINPUT, (const char *const[]){"head.eam", "line 2", "nrho drho nr dr cutoff", NULL});
  /* a bad number on line 5 */
  snprintf(spec, sizeof spec, "eam:file=%s",
           write_file("bad.eam", FUNCFL_HEAD FUNCFL_F "1 0.5 x0.2 0.1 0\n" FUNCFL_RHO));
  expect_error(spec, MDB_EINPUT, (const char *const[]){"bad.eam", "line 5", "'x0.2'", "Z(r)", NULL});
  /* a malformed grid line */
  snprintf(spec, sizeof spec, "eam:file=%s",
           write_file("grid.eam", "test\n29 63.55 3.615 FCC\n5 0.5 five 1.0 4.0\n" FUNCFL_F FUNCFL_Z FUNCFL_RHO));
  expect_error(spec, MDB_EINPUT, (const char *const[]){"grid.eam", "line 3", "nrho drho nr dr cutoff", NULL});
  /* too many values in a section */
  snprintf(spec, sizeof spec, "eam:file=%s",
           write_file("long.eam", FUNCFL_HEAD "0 -1 -1.5 -1.8 -2 -2.1\n" FUNCFL_Z FUNCFL_RHO));
  expect_error(spec, MDB_EINPUT, (const char *const[]){"long.eam", "line 4", "F(rho)", NULL});
  /* an atomic number that is no element */
  snprintf(spec, sizeof spec, "eam:file=%s",
           write_file("z.eam", "test\n0 63.55 3.615 FCC\n5 0.5 5 1.0 4.0\n" FUNCFL_F FUNCFL_Z FUNCFL_RHO));
  expect_error(spec, MDB_EINPUT, (const char *const[]){"z.eam", "line 2", "atomic number 0", NULL});
  /* setfl: element line with the wrong count, then a truncated pair table */
  snprintf(spec, sizeof spec, "eam:file=%s", write_file("count.eam.alloy", "c1\nc2\nc3\n3 Al Cu\n5 0.5 5 1.0 4.0\n"));
  expect_error(spec, MDB_EINPUT, (const char *const[]){"count.eam.alloy", "line 4", "N el1 .. elN", NULL});
  snprintf(spec, sizeof spec, "eam:file=%s",
           write_file("pair.eam.alloy", SETFL_HEAD SETFL_EL("13") SETFL_EL("29") FUNCFL_Z FUNCFL_Z "1 0.5\n"));
  expect_error(spec, MDB_EINPUT, (const char *const[]){"pair.eam.alloy", "line 14", "r*phi(r) of Cu-Cu", NULL});
  /* missing file, Finnis–Sinclair file, unknown key */
  snprintf(spec, sizeof spec, "eam:file=%s/none.eam", tmpdir);
  expect_error(spec, MDB_EINPUT, (const char *const[]){"none.eam", "cannot open", NULL});
  expect_error("eam:file=Fe_mm.eam.fs", MDB_EINPUT, (const char *const[]){"Finnis-Sinclair", ".eam.alloy", NULL});
  expect_error("eam:rc=5", MDB_EINPUT, (const char *const[]){"'rc'", "valid: file", NULL});

  /* the built-in form covers Cu and Al only */
  REQUIRE_OK(mdb_calc_create(&calc, "eam", "cpu", &err), &err);
  const char *ar[] = {"Cu", "Ar"};
  tu_system(&sys, 4, h, ar, 2, NULL, 0, 1.0, 3);
  st = mdb_calc_prepare(&calc, &sys, &err);
  printf("%-60s -> %d: %s\n", "built-in eam on Cu/Ar", st, err.msg);
  CHECK(st == MDB_EINPUT);
  CHECK(strstr(err.msg, "Ar") && strstr(err.msg, "Cu, Al") && strstr(err.msg, "file=PATH"));
  mdb_system_free(&sys);
  mdb_calc_free(&calc);

  const char *files[] = {"ok.eam",   "ok.eam.alloy", "funcfl.txt", "trunc.eam",       "head.eam",      "bad.eam",
                         "grid.eam", "long.eam",     "z.eam",      "count.eam.alloy", "pair.eam.alloy"};
  for (size_t k = 0; k < sizeof files / sizeof files[0]; k++) {
    char path[160];
    snprintf(path, sizeof path, "%s/%s", tmpdir, files[k]);
    unlink(path);
  }
  rmdir(tmpdir);
  return check_report();
}

int main(int argc, char **argv) {
  const char *mode = argc > 1 ? argv[1] : "builtin";
  if (strcmp(mode, "builtin") == 0) return run_builtin();
  if (strcmp(mode, "files") == 0) return run_files();
  if (strcmp(mode, "errors") == 0) return run_errors();
  fprintf(stderr, "usage: %s [builtin|files|errors]\n", argv[0]);
  return 2;
}
