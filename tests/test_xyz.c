/*
 * test_xyz.c — extended-XYZ reading and writing, and the element table.
 *
 * Writes a triclinic two-species system with velocities, forces, energy,
 * stress and virial in a shuffled atom order, reads it back and compares
 * every number bit for bit; reads ASE-style files with columns mdbench
 * skips; and checks that every malformed file fails with a message naming
 * the file and the line, and that a failed write leaves nothing behind.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "build/xyz.h"
#include "check.h"
#include "core/elements.h"

#define ASE_FS 0.09822694788464063 /* ase.units.fs, as in xyz.c */

static char dir[64] = "/tmp/mdb_test_xyz.XXXXXX";

/* dir/name; the two most recent results stay valid. */
static const char *path_of(const char *name) {
  static char path[2][128];
  static int k;
  k ^= 1;
  snprintf(path[k], sizeof path[k], "%s/%s", dir, name);
  return path[k];
}

static const char *write_text(const char *name, const char *text) {
  const char *path = path_of(name);
  FILE *f = fopen(path, "wb");
  if (!f || fputs(text, f) < 0 || fclose(f)) {
    perror(path);
    exit(1);
  }
  return path;
}

static void test_elements(void) {
  double m = 0;
  CHECK(mdb_element_mass("H", &m) == 1 && m == 1.008);
  CHECK(mdb_element_mass("O", &m) == 8 && m == 15.999);
  CHECK(mdb_element_mass("Al", &m) == 13 && m == 26.9815385);
  CHECK(mdb_element_mass("Si", &m) == 14 && m == 28.085);
  CHECK(mdb_element_mass("Ar", &m) == 18 && m == 39.948);
  CHECK(mdb_element_mass("Cu", &m) == 29 && m == 63.546);
  CHECK(mdb_element_mass("Cm", NULL) == 96);
  CHECK(mdb_element_mass("cu", &m) == 0 && m == 63.546);
  CHECK(mdb_element_mass("Xx", NULL) == 0);
  CHECK(mdb_element_mass("", NULL) == 0);
  CHECK(mdb_element_symbol(0) == NULL && mdb_element_symbol(97) == NULL);
  int all = 1;
  for (int z = 1; z <= 96; z++) all &= mdb_element_mass(mdb_element_symbol(z), &m) == z && m > 0;
  CHECK(all);
}

/* Five atoms, two species, a sheared cell, stored in a shuffled order. */
static void make_system(mdb_system *sys, mdb_err *err) {
  static const int id[5] = {3, 0, 4, 1, 2};
  const double h[3][3] = {{5.123456789012345, 0, 0}, {1.3000000000000003, 4.7, 0}, {-0.9, 0.1 + 0.7, 6.2 / 3.0}};
  REQUIRE_OK(mdb_system_alloc(sys, 5, err), err);
  REQUIRE_OK(mdb_box_set(&sys->box, h, err), err);
  int cu = mdb_system_add_species(sys, "Cu", 63.546), o = mdb_system_add_species(sys, "O", 15.999);
  for (int i = 0; i < 5; i++) {
    sys->type[i] = i % 2 ? o : cu;
    sys->id[i] = id[i];
    for (int k = 0; k < 3; k++) {
      sys->x[3 * i + k] = (i + 1) / 3.0 + k * 1.1 - 0.7e-3 * i * k;
      sys->v[3 * i + k] = (k - 1) * 1e-3 / (i + 7.0) - 2.5e-17;
    }
  }
}

/* Reads line number lineno (1-based) of a file into buf, without "\n". */
static void file_line(const char *path, int lineno, char *buf, int size) {
  FILE *f = fopen(path, "r");
  int ok = f != NULL;
  buf[0] = 0;
  for (int l = 1; ok && l <= lineno; l++) ok = fgets(buf, size, f) != NULL;
  if (f) fclose(f);
  buf[strcspn(buf, "\n")] = 0;
}

static void test_round_trip(void) {
  mdb_err err;
  mdb_system sys, back;
  make_system(&sys, &err);
  double forces[15];
  for (int j = 0; j < 15; j++) forces[j] = (j - 7) / 9.0;
  mdb_xyz_extra extra = {.has_energy = 1,
                         .energy = -12.345678901234567,
                         .has_forces = 1,
                         .forces = forces,
                         .has_stress = 1,
                         .stress = {{1e-3, 2e-3, 3e-3}, {4e-3, 5e-3, 6e-3}, {7e-3, 8e-3, 9e-3}},
                         .has_virial = 1,
                         .virial = {{1, 0.5, 0}, {0.5, 2, 0}, {0, 0, 3}},
                         .write_velocities = 1};
  const char *path = path_of("round.xyz");
  REQUIRE_OK(mdb_xyz_write(path, &sys, &extra, &err), &err);
  char tmp[160];
  snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
  CHECK(access(tmp, F_OK) != 0);

  REQUIRE_OK(mdb_xyz_read(path, &back, &err), &err);
  CHECK(back.n == 5 && back.ntypes == 2 && strcmp(back.name, path) == 0);
  CHECK(memcmp(back.box.h, sys.box.h, sizeof sys.box.h) == 0);
  for (int i = 0; i < 5; i++) {
    int row = sys.id[i]; /* atom i was written to row id[i] */
    CHECK(back.id[row] == row);
    CHECK(strcmp(back.species[back.type[row]], sys.species[sys.type[i]]) == 0);
    CHECK(back.mass[back.type[row]] == sys.mass[sys.type[i]]);
    CHECK(memcmp(&back.x[3 * row], &sys.x[3 * i], 3 * sizeof(double)) == 0);
    CHECK(memcmp(&back.v[3 * row], &sys.v[3 * i], 3 * sizeof(double)) == 0);
  }

  /* forces, energy, stress and virial are for ASE: check the text */
  char line[4096];
  file_line(path, 2, line, sizeof line);
  CHECK(strncmp(line, "Lattice=\"", 9) == 0);
  CHECK(strstr(line, " Properties=species:S:1:pos:R:3:velo:R:3:forces:R:3 ") != NULL);
  CHECK(strlen(line) > 12 && strcmp(line + strlen(line) - 12, " pbc=\"T T T\"") == 0);
  const char *e = strstr(line, " energy=");
  CHECK(e && strtod(e + 8, NULL) == extra.energy);
  const char *s = strstr(line, " stress=\""), *w = strstr(line, " virial=\"");
  CHECK(s && w);
  if (s && w) {
    char *p = (char *)s + 9, *q = (char *)w + 9;
    int same = 1;
    for (int k = 0; k < 9; k++) { /* column by column, as ASE writes them */
      same &= strtod(p, &p) == extra.stress[k % 3][k / 3];
      same &= strtod(q, &q) == extra.virial[k % 3][k / 3];
    }
    CHECK(same && *p == '"' && *q == '"');
  }
  for (int i = 0; i < 5; i++) {
    double f[3] = {0};
    file_line(path, 3 + sys.id[i], line, sizeof line);
    CHECK(sscanf(line, "%*s %*f %*f %*f %*f %*f %*f %lf %lf %lf", &f[0], &f[1], &f[2]) == 3);
    CHECK(memcmp(f, &forces[3 * i], sizeof f) == 0);
  }
  mdb_system_free(&back);

  /* without extras: positions only, velocities read back as zero */
  REQUIRE_OK(mdb_xyz_write(path, &sys, NULL, &err), &err);
  file_line(path, 2, line, sizeof line);
  CHECK(strstr(line, " Properties=species:S:1:pos:R:3 pbc=\"T T T\"") != NULL);
  REQUIRE_OK(mdb_xyz_read(path, &back, &err), &err);
  int zero = 1;
  for (int j = 0; j < 15; j++) zero &= back.v[j] == 0;
  CHECK(zero && back.x[3 * sys.id[2] + 1] == sys.x[7]);
  mdb_system_free(&back);

  /* ids that are not a permutation are a bug in the caller */
  sys.id[0] = sys.id[1];
  CHECK(mdb_xyz_write(path, &sys, NULL, &err) == MDB_ERUN && strstr(err.msg, "permutation"));
  mdb_system_free(&sys);
}

static void test_ase_files(void) {
  mdb_err err;
  mdb_system sys;
  /* what ASE writes for Atoms with masses, a calculator and momenta, with CRLF */
  const char *path =
      write_text("ase.xyz", "3\r\n"
                            "Lattice=\"4.0 0.0 0.0 0.0 5.0 0.0 0.5 0.0 6.0\" "
                            "Properties=species:S:1:pos:R:3:masses:R:1:forces:R:3:momenta:R:3:Z:I:1 energy=-3.5 "
                            "config_type=\"bulk with spaces\" note='a=b c' flag pbc=\"T T T\"\r\n"
                            "Cu  0.1 0.2 0.3  63.546 1 2 3   6.3546 0 -12.7092  29\r\n"
                            "Al  1.1 1.2 1.3  26.98 -1 -2 -3 0.5 0.25 0.125   13\r\n"
                            "Cu  2.1 2.2 2.3  63.546 0 0 0   0 0 0  29\r\n");
  REQUIRE_OK(mdb_xyz_read(path, &sys, &err), &err);
  CHECK(sys.n == 3 && sys.ntypes == 2 && sys.type[0] == 0 && sys.type[1] == 1 && sys.type[2] == 0);
  CHECK(strcmp(sys.species[1], "Al") == 0 && sys.mass[1] == 26.9815385);
  CHECK(sys.box.h[2][0] == 0.5 && sys.box.h[2][2] == 6.0 && sys.box.h[1][1] == 5.0);
  CHECK(sys.x[3] == 1.1 && sys.x[8] == 2.3);
  CHECK(sys.v[0] == 6.3546 / 63.546 * ASE_FS && sys.v[1] == 0 && sys.v[2] == -12.7092 / 63.546 * ASE_FS);
  CHECK(sys.v[5] == 0.125 / 26.9815385 * ASE_FS);
  mdb_system_free(&sys);

  /* no Properties: species and positions; lower-case keys; spaces around '=' */
  path = write_text("plain.xyz", "  2  \n"
                                 "lattice = \"3 0 0 0 3 0 0 0 3\" PBC=T\n"
                                 "Ar 0 0 0\n"
                                 "Ar\t1.5 1.5 1.5 extra\n");
  REQUIRE_OK(mdb_xyz_read(path, &sys, &err), &err);
  CHECK(sys.n == 2 && sys.ntypes == 1 && sys.mass[0] == 39.948 && sys.x[5] == 1.5);
  CHECK(sys.box.volume == 27);
  mdb_system_free(&sys);

  /* lines far longer than any fixed buffer */
  static char text[20100];
  int len = snprintf(text, sizeof text, "1\nLattice=\"2 0 0 0 2 0 0 0 2\" note=\"");
  memset(text + len, 'x', 20000);
  snprintf(text + len + 20000, sizeof text - len - 20000, "\"\nNe 0.25 0.5 1\n");
  path = write_text("long.xyz", text);
  REQUIRE_OK(mdb_xyz_read(path, &sys, &err), &err);
  CHECK(sys.n == 1 && sys.x[2] == 1 && sys.box.volume == 8);
  mdb_system_free(&sys);

  /* mdbench's own velo column wins over momenta */
  path = write_text("velo.xyz", "1\n"
                                "Properties=momenta:R:3:species:S:1:velo:R:3:pos:R:3 "
                                "Lattice=\"2 0 0 0 2 0 0 0 2\"\n"
                                "9 9 9 H 0.5 -0.25 1e-3 0.1 0.2 0.3\n");
  REQUIRE_OK(mdb_xyz_read(path, &sys, &err), &err);
  CHECK(sys.x[0] == 0.1 && sys.v[0] == 0.5 && sys.v[1] == -0.25 && sys.v[2] == 1e-3);
  mdb_system_free(&sys);
}

/* Reading text must fail with code, and a message naming the file, the line
 * (":N:"; NULL to skip) and the detail. */
static void expect_error(const char *name, const char *text, mdb_status code, const char *where, const char *detail) {
  mdb_err err = {0};
  mdb_system sys;
  const char *path = text ? write_text(name, text) : path_of(name);
  mdb_status st = mdb_xyz_read(path, &sys, &err);
  int ok = st == code && strstr(err.msg, path) && (!where || strstr(err.msg, where)) && strstr(err.msg, detail) &&
           sys.n == 0 && sys.x == NULL;
  CHECK(ok);
  if (!ok) fprintf(stderr, "  %s: got %d: %s\n", name, st, err.msg);
}

static void test_read_errors(void) {
  const char *cell = "Lattice=\"3 0 0 0 3 0 0 0 3\"";
  char text[2048];
  expect_error("missing.xyz", NULL, MDB_EINPUT, NULL, "cannot open");
  expect_error("empty.xyz", "", MDB_EINPUT, ":1:", "ends before the atom count");
  expect_error("count.xyz", "two\nLattice=\"3 0 0 0 3 0 0 0 3\"\n", MDB_EINPUT, ":1:", "'two'");
  expect_error("zero.xyz", "0\n", MDB_EINPUT, ":1:", "positive integer");
  expect_error("nocomment.xyz", "1\n", MDB_EINPUT, ":2:", "before the comment line");
  expect_error("nolattice.xyz", "1\nProperties=species:S:1:pos:R:3\nCu 0 0 0\n", MDB_EINPUT, ":2:", "no Lattice=");
  expect_error("lattice8.xyz", "1\nLattice=\"3 0 0 0 3 0 0 0\"\nCu 0 0 0\n", MDB_EINPUT, ":2:", "9 numbers");
  expect_error("singular.xyz", "1\nLattice=\"3 0 0 6 0 0 0 0 3\"\nCu 0 0 0\n", MDB_EINPUT, ":2:", "singular");
  expect_error("pbc.xyz", "1\nLattice=\"3 0 0 0 3 0 0 0 3\" pbc=\"T T F\"\nCu 0 0 0\n", MDB_EINPUT,
               ":2:", "periodic in all three");
  expect_error("quote.xyz", "1\nLattice=\"3 0 0 0 3 0 0 0 3\" name=\"open\nCu 0 0 0\n", MDB_EINPUT,
               ":2:", "unterminated");
  expect_error("props.xyz", "1\nLattice=\"3 0 0 0 3 0 0 0 3\" Properties=species:S:1:pos:R\n", MDB_EINPUT,
               ":2:", "malformed Properties");
  expect_error("nopos.xyz", "1\nLattice=\"3 0 0 0 3 0 0 0 3\" Properties=species:S:1\n", MDB_EINPUT, ":2:", "pos:R:3");
  expect_error("velo2.xyz", "1\nLattice=\"3 0 0 0 3 0 0 0 3\" Properties=species:S:1:pos:R:3:velo:R:2\n", MDB_EINPUT,
               ":2:", "velo:R:2");
  snprintf(text, sizeof text, "3\n%s\nCu 0 0 0\nCu 1 1 1\n", cell);
  expect_error("truncated.xyz", text, MDB_EINPUT, ":5:", "after 2 of 3 atom lines");
  snprintf(text, sizeof text, "2\n%s\nCu 0 0 0\nCu 1 1\n", cell);
  expect_error("columns.xyz", text, MDB_EINPUT, ":4:", "found 3");
  snprintf(text, sizeof text, "2\r\n%s\r\nCu 0 0 0\r\nCu 1 1.0x 1\r\n", cell);
  expect_error("number.xyz", text, MDB_EINPUT, ":4:", "('1.0x') is not a number");
  snprintf(text, sizeof text, "2\n%s\nCu 0 0 0\nCu 1 nan 1\n", cell);
  expect_error("nan.xyz", text, MDB_EINPUT, ":4:", "not a number");
  snprintf(text, sizeof text, "2\n%s\nCu 0 0 0\nXx 1 1 1\n", cell);
  expect_error("element.xyz", text, MDB_EINPUT, ":4:", "'Xx'");
  int len = snprintf(text, sizeof text, "17\n%s\n", cell);
  for (int z = 1; z <= 17; z++) len += snprintf(text + len, sizeof text - len, "%s 0 0 %d\n", mdb_element_symbol(z), z);
  expect_error("species.xyz", text, MDB_EINPUT, ":19:", "more than 16 species");
}

static void test_write_errors(void) {
  mdb_err err = {0};
  mdb_system sys;
  make_system(&sys, &err);
  /* the directory does not exist: nothing can be created */
  const char *path = path_of("nowhere/out.xyz");
  CHECK(mdb_xyz_write(path, &sys, NULL, &err) == MDB_EIO);
  CHECK(strstr(err.msg, path) && strstr(err.msg, "No such file or directory"));
  CHECK(access(path, F_OK) != 0);
  /* the temporary file is written, but the rename onto a directory fails */
  path = path_of("adir");
  char tmp[160];
  snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
  CHECK(mkdir(path, 0700) == 0);
  CHECK(mdb_xyz_write(path, &sys, NULL, &err) == MDB_EIO && strstr(err.msg, path));
  CHECK(access(tmp, F_OK) != 0);
  mdb_system_free(&sys);
}

int main(void) {
  if (!mkdtemp(dir)) {
    perror(dir);
    return 1;
  }
  test_elements();
  test_round_trip();
  test_ase_files();
  test_read_errors();
  test_write_errors();
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
  return check_report();
}
