/*
 * build.c — named benchmark systems: cubic lattices and a water box.
 */
#include "build/build.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "build/xyz.h"
#include "core/elements.h"
#include "core/rng.h"
#include "core/units.h"

typedef struct lattice_def {
  const char *name;
  const char *element;
  double a; /* Å */
  int nbasis;
  const double (*basis)[3]; /* fractional */
  int default_atoms;
  const char *calculator;
  double timestep_fs;
} lattice_def;

static const double fcc_basis[4][3] = {{0, 0, 0}, {0, 0.5, 0.5}, {0.5, 0, 0.5}, {0.5, 0.5, 0}};
static const double diamond_basis[8][3] = {{0, 0, 0},          {0, 0.5, 0.5},      {0.5, 0, 0.5},
                                           {0.5, 0.5, 0},      {0.25, 0.25, 0.25}, {0.25, 0.75, 0.75},
                                           {0.75, 0.25, 0.75}, {0.75, 0.75, 0.25}};

static const lattice_def lattices[] = {
    {"silicon", "Si", 5.431, 8, diamond_basis, 64, "sw", 1.0},
    {"copper", "Cu", 3.615, 4, fcc_basis, 108, "eam", 1.0},
    {"aluminum", "Al", 4.05, 4, fcc_basis, 108, "eam", 1.0},
    {"argon", "Ar", 5.26, 4, fcc_basis, 256, "lj", 1.0},
};
static const int nlattices = (int)(sizeof lattices / sizeof lattices[0]);

/* SPC/Fw equilibrium geometry (Wu, Tepper & Voth 2006): r_OH = 1.012 Å,
 * θ_HOH = 113.24°; H at (±r sin θ/2, r cos θ/2, 0) in the molecule frame. */
static const double water_h_x = 0.8450604460224342, water_h_y = 0.5567915611504581;
static const int water_default_atoms = 96;

const char *mdb_build_names(void) { return "silicon, copper, aluminum, argon, water"; }

int mdb_build_count(void) { return nlattices + 1; }

int mdb_build_entry_at(int i, mdb_build_entry *out) {
  static char what[sizeof lattices / sizeof lattices[0]][96];
  if (i < 0 || i > nlattices) return 0;
  if (i == nlattices) {
    *out = (mdb_build_entry){"water",
                             "flexible 3-site molecules at 1.0 g/cm³, random positions (seeded)",
                             3,
                             water_default_atoms,
                             mdb_build_default_calculator("water"),
                             mdb_build_default_timestep("water")};
    return 1;
  }
  const lattice_def *l = &lattices[i];
  snprintf(what[i], sizeof what[i], "%s %s, a = %g Å", l->basis == diamond_basis ? "diamond" : "fcc", l->element, l->a);
  *out = (mdb_build_entry){l->name, what[i], l->nbasis, l->default_atoms, l->calculator, l->timestep_fs};
  return 1;
}

static const lattice_def *find_lattice(const char *name) {
  for (int i = 0; i < nlattices; i++)
    if (strcmp(lattices[i].name, name) == 0) return &lattices[i];
  return NULL;
}

int mdb_build_known(const char *name) { return find_lattice(name) || strcmp(name, "water") == 0; }

const char *mdb_build_default_calculator(const char *name) {
  const lattice_def *l = find_lattice(name);
  if (l) return l->calculator;
  return strcmp(name, "water") == 0 ? "spcfw" : "lj";
}

double mdb_build_default_timestep(const char *name) {
  const lattice_def *l = find_lattice(name);
  if (l) return l->timestep_fs;
  return strcmp(name, "water") == 0 ? 0.5 : 1.0;
}

/* The factorisation m = nx*ny*nz (nx <= ny <= nz) with the smallest nz/nx,
 * then the smallest spread; exists for every m >= 1. */
static void cubic_reps(long m, int reps[3]) {
  double best = INFINITY;
  for (long a = 1; a * a * a <= m; a++) {
    if (m % a) continue;
    for (long b = a; a * b * b <= m; b++) {
      if ((m / a) % b) continue;
      long c = m / a / b;
      double score = (double)c / a + 1e-6 * (double)(c - b + b - a);
      if (score < best) {
        best = score;
        reps[0] = (int)a;
        reps[1] = (int)b;
        reps[2] = (int)c;
      }
    }
  }
}

static mdb_status build_lattice(mdb_system *sys, const lattice_def *l, int n_atoms, double a, mdb_build_info *info,
                                mdb_err *err) {
  if (n_atoms % l->nbasis) {
    int lo = n_atoms / l->nbasis * l->nbasis, hi = lo + l->nbasis;
    if (lo > 0)
      return mdb_err_set(err, MDB_EINPUT,
                         "%s cannot have %d atoms: its cell has %d atoms, so the nearest valid sizes are %d and %d",
                         l->name, n_atoms, l->nbasis, lo, hi);
    return mdb_err_set(err, MDB_EINPUT, "%s cannot have %d atoms: the smallest valid size is %d", l->name, n_atoms, hi);
  }
  int reps[3];
  cubic_reps(n_atoms / l->nbasis, reps);
  mdb_status st = mdb_system_alloc(sys, n_atoms, err);
  if (st) return st;
  double mass;
  mdb_element_mass(l->element, &mass);
  int t = mdb_system_add_species(sys, l->element, mass);
  double h[3][3] = {{reps[0] * a, 0, 0}, {0, reps[1] * a, 0}, {0, 0, reps[2] * a}};
  if ((st = mdb_box_set(&sys->box, h, err))) {
    mdb_system_free(sys);
    return st;
  }
  int i = 0;
  for (int ix = 0; ix < reps[0]; ix++)
    for (int iy = 0; iy < reps[1]; iy++)
      for (int iz = 0; iz < reps[2]; iz++)
        for (int b = 0; b < l->nbasis; b++) {
          sys->x[3 * i] = (ix + l->basis[b][0]) * a;
          sys->x[3 * i + 1] = (iy + l->basis[b][1]) * a;
          sys->x[3 * i + 2] = (iz + l->basis[b][2]) * a;
          sys->type[i] = t;
          i++;
        }
  snprintf(sys->name, sizeof sys->name, "%s", l->name);
  if (info) {
    memcpy(info->reps, reps, sizeof reps);
    info->lattice_A = a;
  }
  return MDB_OK;
}

/* Rotates v by the unit quaternion q = (w, x, y, z). */
static void quat_rotate(const double q[4], const double v[3], double out[3]) {
  double w = q[0], x = q[1], y = q[2], z = q[3];
  double r[3][3] = {{1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)},
                    {2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)},
                    {2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)}};
  for (int a = 0; a < 3; a++) out[a] = r[a][0] * v[0] + r[a][1] * v[1] + r[a][2] * v[2];
}

static double min_image_d2(const double *a, const double *b, double L) {
  double d2 = 0;
  for (int k = 0; k < 3; k++) {
    double d = b[k] - a[k];
    d -= L * nearbyint(d / L);
    d2 += d * d;
  }
  return d2;
}

static const double water_oo_min = 2.5, water_pair_min = 1.6;

/* 1 when a trial molecule (O, H, H) is too close to placed molecule xj. */
static int water_clash(const double atoms[3][3], const double *xj, double L) {
  if (min_image_d2(atoms[0], xj, L) < water_oo_min * water_oo_min) return 1;
  for (int a = 0; a < 3; a++)
    for (int b = 0; b < 3; b++)
      if ((a || b) && min_image_d2(atoms[a], xj + 3 * b, L) < water_pair_min * water_pair_min) return 1;
  return 0;
}

/* Random sequential addition of rigid SPC/Fw-geometry molecules: a trial
 * molecule is kept when its O is >= 2.5 Å from every other O and every
 * other intermolecular atom pair is >= 1.6 Å apart. A cell grid over O
 * positions keeps this O(N). Every draw comes from the counter-based RNG. */
static mdb_status build_water(mdb_system *sys, int n_atoms, uint64_t seed, mdb_err *err) {
  if (n_atoms % 3)
    return mdb_err_set(err, MDB_EINPUT,
                       "water cannot have %d atoms: it has 3 atoms per molecule, so the nearest "
                       "valid sizes are %d and %d",
                       n_atoms, n_atoms / 3 * 3 > 0 ? n_atoms / 3 * 3 : 3, n_atoms / 3 * 3 + 3);
  int nmol = n_atoms / 3;
  double mo, mh;
  mdb_element_mass("O", &mo);
  mdb_element_mass("H", &mh);
  double vol = nmol * (mo + 2 * mh) * MDB_AMUA3_TO_GCM3 / 1.0; /* Å³ at 1.0 g/cm³ */
  double L = mdb_cbrt_det(vol);
  /* an H of one molecule can clash with another whose O is up to this far */
  const double reach = water_pair_min + 2 * 1.012;
  int nc = (int)floor(L / reach);
  if (nc < 1) nc = 1;
  mdb_status st = mdb_system_alloc(sys, n_atoms, err);
  if (st) return st;
  int to = mdb_system_add_species(sys, "O", mo), th = mdb_system_add_species(sys, "H", mh);
  double h[3][3] = {{L, 0, 0}, {0, L, 0}, {0, 0, L}};
  if ((st = mdb_box_set(&sys->box, h, err))) goto fail;
  int *head = malloc((size_t)nc * nc * nc * sizeof *head), *next = malloc((size_t)nmol * sizeof *next);
  if (!head || !next) {
    free(head);
    free(next);
    st = mdb_err_nomem(err, "water placement grid", (double)nc * nc * nc * sizeof(int));
    goto fail;
  }
  for (int c = 0; c < nc * nc * nc; c++) head[c] = -1;
  uint32_t k0, k1;
  mdb_rng_key(seed, &k0, &k1);
  const long max_attempts = 100000;
  for (int m = 0; m < nmol; m++) {
    long attempt = 0;
    for (;; attempt++) {
      if (attempt == max_attempts) {
        free(head);
        free(next);
        st = mdb_err_set(err, MDB_ERUN, "water: could not place molecule %d of %d without overlaps", m + 1, nmol);
        goto fail;
      }
      /* position: 3 uniforms; orientation: a normalised 4-Gaussian quaternion */
      mdb_u32x4 ctr = {{(uint32_t)m, (uint32_t)attempt, MDB_STREAM_WATER, 0}};
      mdb_u32x4 r = mdb_philox4x32(ctr, k0, k1);
      ctr.v[3] = 1;
      mdb_u32x4 r2 = mdb_philox4x32(ctr, k0, k1);
      double o[3] = {mdb_u01(r.v[0], r.v[1]) * L, mdb_u01(r.v[2], r.v[3]) * L, mdb_u01(r2.v[0], r2.v[1]) * L};
      double q[4];
      mdb_gauss2(k0, k1, (uint32_t)m, (uint32_t)attempt, MDB_STREAM_WATER + 16, &q[0], &q[1]);
      mdb_gauss2(k0, k1, (uint32_t)m, (uint32_t)attempt, MDB_STREAM_WATER + 32, &q[2], &q[3]);
      double qn = sqrt(q[0] * q[0] + q[1] * q[1] + q[2] * q[2] + q[3] * q[3]);
      for (int k = 0; k < 4; k++) q[k] /= qn;
      double atoms[3][3];
      const double hb[2][3] = {{water_h_x, water_h_y, 0}, {-water_h_x, water_h_y, 0}};
      memcpy(atoms[0], o, sizeof o);
      for (int a = 0; a < 2; a++) {
        double d[3];
        quat_rotate(q, hb[a], d);
        for (int k = 0; k < 3; k++) atoms[1 + a][k] = o[k] + d[k];
      }
      int c0[3];
      for (int k = 0; k < 3; k++) {
        c0[k] = (int)(o[k] / L * nc);
        if (c0[k] >= nc) c0[k] = nc - 1;
      }
      int ok = 1;
      if (nc < 3) { /* tiny box: every placed molecule is a neighbour */
        for (int j = 0; j < m && ok; j++) ok = !water_clash(atoms, sys->x + 9 * j, L);
      } else {
        for (int dz = -1; dz <= 1 && ok; dz++)
          for (int dy = -1; dy <= 1 && ok; dy++)
            for (int dx = -1; dx <= 1 && ok; dx++) {
              int cx = (c0[0] + dx + nc) % nc, cy = (c0[1] + dy + nc) % nc, cz = (c0[2] + dz + nc) % nc;
              for (int j = head[(cz * nc + cy) * nc + cx]; j >= 0 && ok; j = next[j])
                ok = !water_clash(atoms, sys->x + 9 * j, L);
            }
      }
      if (!ok) continue;
      memcpy(sys->x + 9 * m, atoms, sizeof atoms);
      sys->type[3 * m] = to;
      sys->type[3 * m + 1] = sys->type[3 * m + 2] = th;
      sys->mol[3 * m] = sys->mol[3 * m + 1] = sys->mol[3 * m + 2] = m;
      int cell = (c0[2] * nc + c0[1]) * nc + c0[0];
      next[m] = head[cell];
      head[cell] = m;
      break;
    }
  }
  free(head);
  free(next);
  snprintf(sys->name, sizeof sys->name, "water");
  return MDB_OK;
fail:
  mdb_system_free(sys);
  return st;
}

/* A run needs roughly this much host memory per atom (state, ghosts, a
 * Verlet list of ~80 neighbours, sort buffers); refusing a size that cannot
 * fit beats being killed by the OOM killer halfway through. */
#define MDB_BYTES_PER_ATOM 600.0

static mdb_status check_fits(const char *name, long n_atoms, mdb_err *err) {
  double have = (double)sysconf(_SC_PHYS_PAGES) * (double)sysconf(_SC_PAGESIZE);
  double need = MDB_BYTES_PER_ATOM * (double)n_atoms;
  if (have > 0 && need > have)
    return mdb_err_set(err, MDB_EINPUT, "%s with %ld atoms needs about %.3g GB of memory; this machine has %.3g GB",
                       name, n_atoms, need / 1e9, have / 1e9);
  return MDB_OK;
}

mdb_status mdb_build_system(mdb_system *sys, const char *name, int n_atoms, double lattice_A, uint64_t seed,
                            mdb_build_info *info, mdb_err *err) {
  mdb_build_info tmp;
  if (!info) info = &tmp;
  memset(info, 0, sizeof *info);
  if (n_atoms < 0) return mdb_err_set(err, MDB_EINPUT, "--atoms must be positive (got %d)", n_atoms);
  if (lattice_A < 0 || !isfinite(lattice_A))
    return mdb_err_set(err, MDB_EINPUT, "--lattice-A must be a positive length in Å (got %g)", lattice_A);
  mdb_status st = check_fits(name, n_atoms, err);
  if (st) return st;
  const lattice_def *l = find_lattice(name);
  if (l) {
    info->default_atoms = l->default_atoms;
    return build_lattice(sys, l, n_atoms ? n_atoms : l->default_atoms, lattice_A > 0 ? lattice_A : l->a, info, err);
  }
  if (strcmp(name, "water") == 0) {
    info->default_atoms = water_default_atoms;
    if (lattice_A > 0) return mdb_err_set(err, MDB_EINPUT, "--lattice-A applies to lattices, not to water");
    return build_water(sys, n_atoms ? n_atoms : water_default_atoms, seed, err);
  }
  size_t len = strlen(name);
  if (len > 4 && strcmp(name + len - 4, ".xyz") == 0) {
    if (lattice_A > 0) return mdb_err_set(err, MDB_EINPUT, "--lattice-A applies to built-in lattices, not to %s", name);
    st = mdb_xyz_read(name, sys, err);
    if (st) return st;
    info->default_atoms = sys->n;
    if (n_atoms && n_atoms != sys->n) {
      int have = sys->n;
      mdb_system_free(sys);
      return mdb_err_set(err, MDB_EINPUT, "--atoms %d does not match %s, which has %d atoms", n_atoms, name, have);
    }
    return MDB_OK;
  }
  return mdb_err_set(err, MDB_EINPUT, "unknown system '%s' (valid: %s, or a file ending in .xyz)", name,
                     mdb_build_names());
}
