/*
 * test_provenance.c — SHA-256 (FIPS 180-4 vectors, chunking, files across
 * block boundaries), the files a calculator spec reads and their digests,
 * and the provenance collected from the environment and the build.
 *
 *   test_provenance                run every check
 *   test_provenance sha256 FILE..  print "HEX  FILE" per file, as sha256sum does
 *                                  (tests/provenance/sha256sum_peer.sh compares)
 *   test_provenance spec SPEC      print mdb_calc_spec_sha256(SPEC)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "calc/files.h"
#include "check.h"
#include "core/provenance.h"
#include "core/sha256.h"
#include "core/version.h"

#ifndef MDB_TEST_BUILD_TYPE
#define MDB_TEST_BUILD_TYPE ""
#endif

static char tmpdir[256];

static void digest_of(const void *data, size_t n, char hex[65]) {
  mdb_sha256 s;
  unsigned char d[32];
  mdb_sha256_init(&s);
  mdb_sha256_update(&s, data, n);
  mdb_sha256_final(&s, d);
  mdb_sha256_hex(d, hex);
}

#define CHECK_STR(a, b)                                                                         \
  do {                                                                                          \
    const char *a_ = (a), *b_ = (b);                                                            \
    if (strcmp(a_, b_) == 0) {                                                                  \
      check_pass_++;                                                                            \
    } else {                                                                                    \
      check_fail_++;                                                                            \
      fprintf(stderr, "%s:%d: %s = \"%s\", expected \"%s\"\n", __FILE__, __LINE__, #a, a_, b_); \
    }                                                                                           \
  } while (0)

static void write_file(const char *path, const void *data, size_t n) {
  FILE *f = fopen(path, "wb");
  if (!f || fwrite(data, 1, n, f) != n || fclose(f) != 0) {
    fprintf(stderr, "cannot write %s\n", path);
    exit(1);
  }
}

/* ------------------------------------------------------------- SHA-256 */

static void test_vectors(void) {
  /* FIPS 180-4 examples (NIST CSRC "SHA256.pdf", "SHA2_Additional.pdf") */
  static const struct {
    const char *msg;
    const char *hex;
  } v[] = {
      {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
      {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
      {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
      {"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopq"
       "rstu",
       "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"},
  };
  for (size_t k = 0; k < sizeof v / sizeof v[0]; k++) {
    char hex[65];
    digest_of(v[k].msg, strlen(v[k].msg), hex);
    CHECK_STR(hex, v[k].hex);
  }
  /* one million 'a', fed in 1000-byte pieces and in one piece */
  char *a = malloc(1000000);
  memset(a, 'a', 1000000);
  mdb_sha256 s;
  unsigned char d[32];
  char hex[65];
  mdb_sha256_init(&s);
  for (int k = 0; k < 1000; k++) mdb_sha256_update(&s, a + 1000 * k, 1000);
  mdb_sha256_final(&s, d);
  mdb_sha256_hex(d, hex);
  CHECK_STR(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  digest_of(a, 1000000, hex);
  CHECK_STR(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  free(a);
}

/* byte i of the test pattern */
static unsigned char pat(size_t i) { return (unsigned char)((i * 31 + 7) & 255); }

/* sizes around the 56-byte padding limit, the 64-byte block and
 * sha256.c's 16384-byte read buffer; digests from Python's hashlib */
static const struct {
  size_t n;
  const char *hex;
} pattern_digests[] = {
    {0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
    {1, "ca358758f6d27e6cf45272937977a748fd88391db679ceda7dc7bf1f005ee879"},
    {55, "8aa994584139d128848eeebc4e815639ba5ab6e6e39574195a63ac4f14f7c43b"},
    {56, "ad574708f75c044c9b85de64cb568ee7711ff4f36448c6242f053ba8f6cc2b63"},
    {57, "5b46e502092be01b1100193e089fdda95638c12e19a1d24f308eb2c3d3ae849d"},
    {63, "280ed3e8ff1df845b2e7dfe6ac6cee817bef20e783cc65abc41b818b4d2fe076"},
    {64, "c6ab9724ade5b6a7a1edfffb12f3aa9181351355af8fd08c919952ad211339dd"},
    {65, "788367c73c7ddf4c53f65e68cc0d943e6227ab55b0e78ba63ace822b1c6301c0"},
    {119, "3d610547d68216dedf7435a4fb6260353911f6b3fd3f18805ddb8be285d726fe"},
    {120, "1f80156a804cb7862ad113e8200e9d74499723e7c7854d5f48776d3148e09656"},
    {127, "192409cd280e14b743642ad1343fbd3e82d9305de72c078117745a679210cc3d"},
    {128, "cc548ca2dec1f6fe4f58b2e27aa9c7521607df1130d140b55a4dad0665302356"},
    {129, "81e89a7b2911aaa7795f9e3d4910cb47d6cd2b00d83b8399481527261a1a7519"},
    {16383, "4ec02ea4d34056322abca5e9c6ae6ee3c9cfe8a87e5fa40d74ec98e23ca8fd73"},
    {16384, "9038ac64e659335ccbfdd3f684f35a26a2c9e580d9af6b4807af3adbe2c257e3"},
    {16385, "eecf6791a50c40a4787858652724894ce28ec00160023debc83df4312b331742"},
    {100003, "2a1683cff214df29e77df156a515258190a1bc11526d41cd2b34e72a23b6b7d6"},
};

static void test_chunks_and_files(void) {
  size_t nmax = 100003;
  unsigned char *buf = malloc(nmax);
  for (size_t i = 0; i < nmax; i++) buf[i] = pat(i);
  static const size_t chunks[] = {1, 63, 64, 65, 7, 4096};
  for (size_t t = 0; t < sizeof pattern_digests / sizeof pattern_digests[0]; t++) {
    size_t n = pattern_digests[t].n;
    char hex[65];
    digest_of(buf, n, hex);
    CHECK_STR(hex, pattern_digests[t].hex);
    /* the same bytes in odd pieces */
    for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
      mdb_sha256 s;
      unsigned char d[32];
      mdb_sha256_init(&s);
      for (size_t off = 0; off < n; off += chunks[c])
        mdb_sha256_update(&s, buf + off, n - off < chunks[c] ? n - off : chunks[c]);
      mdb_sha256_final(&s, d);
      mdb_sha256_hex(d, hex);
      CHECK_STR(hex, pattern_digests[t].hex);
    }
    /* pieces of growing, unaligned sizes 1, 2, 3, ... */
    mdb_sha256 s;
    unsigned char d[32];
    mdb_sha256_init(&s);
    for (size_t off = 0, step = 1; off < n; off += step, step++)
      mdb_sha256_update(&s, buf + off, n - off < step ? n - off : step);
    mdb_sha256_final(&s, d);
    mdb_sha256_hex(d, hex);
    CHECK_STR(hex, pattern_digests[t].hex);
    /* as a file */
    char path[512];
    snprintf(path, sizeof path, "%s/pattern_%zu.bin", tmpdir, n);
    write_file(path, buf, n);
    mdb_err err = {0};
    char fhex[65] = "x";
    CHECK(mdb_sha256_file(path, fhex, &err) == MDB_OK);
    CHECK_STR(fhex, pattern_digests[t].hex);
  }
  free(buf);

  /* unreadable: a missing file, a directory and a device, each named; bad
   * input (the user named them), and a device is never read (it may not end) */
  mdb_err err = {0};
  char hex[65] = "x", path[512];
  snprintf(path, sizeof path, "%s/no_such_file.eam", tmpdir);
  CHECK(mdb_sha256_file(path, hex, &err) == MDB_EINPUT);
  CHECK(err.code == MDB_EINPUT && strstr(err.msg, path) && strstr(err.msg, "No such file"));
  CHECK(hex[0] == 0);
  CHECK(mdb_sha256_file(tmpdir, hex, &err) == MDB_EINPUT);
  CHECK(strstr(err.msg, tmpdir) && strstr(err.msg, "directory"));
  CHECK(mdb_sha256_file("/dev/zero", hex, &err) == MDB_EINPUT);
  CHECK(strstr(err.msg, "/dev/zero") && strstr(err.msg, "not a regular file"));
}

/* ------------------------------------------------------- calculator files */

static void test_spec_files(void) {
  char files[4][MDB_PATH_MAX];
  static const char *const builtins[] = {"lj",
                                         "lj:rc=8.5,epsilon=0.01",
                                         "eam",
                                         "sw",
                                         "spcfw:alpha=0.2",
                                         "ipi:unix=prov_test,timeout=5",
                                         "ipi:launch=python3 client.py {socket}"};
  for (size_t k = 0; k < sizeof builtins / sizeof builtins[0]; k++) {
    CHECK(mdb_calc_spec_files(builtins[k], files, 4) == 0);
    char out[64] = "x";
    mdb_err err = {0};
    CHECK(mdb_calc_spec_sha256(builtins[k], out, sizeof out, &err) == MDB_OK);
    CHECK_STR(out, "");
  }
  /* specs that do not parse */
  CHECK(mdb_calc_spec_files("", files, 4) == -1);
  CHECK(mdb_calc_spec_files("eam:file", files, 4) == -1);
  mdb_err err = {0};
  char out[8192] = "x";
  CHECK(mdb_calc_spec_sha256("eam:file", out, sizeof out, &err) == MDB_EINPUT);
  CHECK(strstr(err.msg, "eam:file") != NULL);

  /* a potential file by path: eam and sw as given, the digest of its bytes */
  char pot[512], spec[1024];
  snprintf(pot, sizeof pot, "%s/abc.eam", tmpdir);
  write_file(pot, "abc", 3);
  static const char *const abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
  snprintf(spec, sizeof spec, "eam:file=%s", pot);
  CHECK(mdb_calc_spec_files(spec, files, 4) == 1);
  CHECK_STR(files[0], pot);
  char want[MDB_PATH_MAX + 80];
  snprintf(want, sizeof want, "%s=%s", pot, abc);
  CHECK(mdb_calc_spec_sha256(spec, out, sizeof out, &err) == MDB_OK);
  CHECK_STR(out, want);
  /* max bounds the list */
  CHECK(mdb_calc_spec_files(spec, files, 0) == 0);
  /* too little room for the string: an error, out left empty */
  CHECK(mdb_calc_spec_sha256(spec, out, strlen(want), &err) == MDB_ERUN);
  CHECK_STR(out, "");
  CHECK(mdb_calc_spec_sha256(spec, out, strlen(want) + 1, &err) == MDB_OK);
  CHECK_STR(out, want);
  /* the array API */
  mdb_file_digest dg[2];
  int n = -1;
  CHECK(mdb_calc_spec_digests(spec, dg, 2, &n, &err) == MDB_OK && n == 1);
  CHECK_STR(dg[0].path, pot);
  CHECK_STR(dg[0].sha256, abc);
  CHECK(mdb_calc_spec_digests(spec, dg, 0, &n, &err) == MDB_ERUN && n == 0);

  snprintf(spec, sizeof spec, "sw:file=%s", pot);
  CHECK(mdb_calc_spec_files(spec, files, 4) == 1);
  CHECK_STR(files[0], pot);

  /* a plugin: lib= is a file, the plugin's own keys are not */
  snprintf(spec, sizeof spec, "plugin:lib=%s,file=/nonexistent,D0=0.3", pot);
  CHECK(mdb_calc_spec_files(spec, files, 4) == 1);
  CHECK_STR(files[0], pot);
  /* a bare library name: the file the dynamic loader maps */
  CHECK(mdb_calc_spec_files("plugin:lib=libm.so.6", files, 4) == 1);
  CHECK(files[0][0] == '/' && strstr(files[0], "libm.so.6") != NULL);
  char lhex[65];
  CHECK(mdb_sha256_file(files[0], lhex, &err) == MDB_OK);
  CHECK(mdb_calc_spec_sha256("plugin:lib=libm.so.6", out, sizeof out, &err) == MDB_OK);
  snprintf(want, sizeof want, "%s=%s", files[0], lhex);
  CHECK_STR(out, want);

  /* bare potential names: as given when they open here, else
   * $LAMMPS_POTENTIALS, then /usr/share/lammps/potentials (eam.c's search) */
  char here[MDB_PATH_MAX], dir[600], pot2[700];
  if (!getcwd(here, sizeof here)) exit(1);
  snprintf(dir, sizeof dir, "%s/potentials", tmpdir);
  mkdir(dir, 0700);
  snprintf(pot2, sizeof pot2, "%s/prov_test_only.eam.alloy", dir);
  write_file(pot2, "abc", 3);
  if (chdir(tmpdir) != 0) exit(1);
  setenv("LAMMPS_POTENTIALS", dir, 1);
  CHECK(mdb_calc_spec_files("eam:file=prov_test_only.eam.alloy", files, 4) == 1);
  CHECK_STR(files[0], pot2);
  /* sw does no search: as given */
  CHECK(mdb_calc_spec_files("sw:file=prov_test_only.eam.alloy", files, 4) == 1);
  CHECK_STR(files[0], "prov_test_only.eam.alloy");
  write_file("prov_test_only.eam.alloy", "", 0); /* now one in the working directory wins */
  CHECK(mdb_calc_spec_files("eam:file=prov_test_only.eam.alloy", files, 4) == 1);
  CHECK_STR(files[0], "prov_test_only.eam.alloy");
  CHECK(mdb_calc_spec_sha256("eam:file=prov_test_only.eam.alloy", out, sizeof out, &err) == MDB_OK);
  CHECK_STR(out, "prov_test_only.eam.alloy=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  unlink("prov_test_only.eam.alloy");

  /* missing files: listed as given, and a clear error naming them */
  CHECK(mdb_calc_spec_files("eam:file=prov_no_such.eam", files, 4) == 1);
  CHECK_STR(files[0], "prov_no_such.eam");
  strcpy(out, "x");
  CHECK(mdb_calc_spec_sha256("eam:file=prov_no_such.eam", out, sizeof out, &err) == MDB_EINPUT);
  CHECK(err.code == MDB_EINPUT);
  CHECK(strstr(err.msg, "'prov_no_such.eam'") && strstr(err.msg, "No such file") &&
        strstr(err.msg, "$LAMMPS_POTENTIALS") && strstr(err.msg, "/usr/share/lammps/potentials"));
  CHECK_STR(out, "");
  fprintf(stderr, "  (error as given: %s)\n", err.msg);
  CHECK(mdb_calc_spec_sha256("sw:file=sub/missing.sw", out, sizeof out, &err) == MDB_EINPUT);
  CHECK(strstr(err.msg, "'sub/missing.sw'") && !strstr(err.msg, "LAMMPS_POTENTIALS"));
  CHECK(mdb_calc_spec_sha256("plugin:lib=libprov_no_such_plugin.so", out, sizeof out, &err) == MDB_EINPUT);
  CHECK(strstr(err.msg, "'libprov_no_such_plugin.so'") && strstr(err.msg, "dynamic loader"));
  unsetenv("LAMMPS_POTENTIALS");
  if (chdir(here) != 0) exit(1);

  /* a real LAMMPS potential by bare name, when Debian's lammps-data is here */
  FILE *f = fopen("/usr/share/lammps/potentials/Cu_u3.eam", "r");
  if (f) {
    fclose(f);
    CHECK(mdb_calc_spec_files("eam:file=Cu_u3.eam", files, 4) == 1);
    CHECK_STR(files[0], "/usr/share/lammps/potentials/Cu_u3.eam");
  }
}

/* ------------------------------------------------------------ provenance */

static const char *const slurm_vars[] = {"SLURM_JOB_ID",        "SLURM_JOBID",        "SLURM_ARRAY_JOB_ID",
                                         "SLURM_ARRAY_TASK_ID", "SLURM_JOB_NODELIST", "SLURM_NODELIST",
                                         "SLURM_JOB_PARTITION", "SLURM_CLUSTER_NAME", "SLURM_PROCID"};

static void test_collect(void) {
  mdb_provenance p;
  mdb_err err = {0};
  for (size_t k = 0; k < sizeof slurm_vars / sizeof slurm_vars[0]; k++) unsetenv(slurm_vars[k]);
  setenv("SLURM_JOB_ID", "123456", 1);
  setenv("SLURM_ARRAY_JOB_ID", "123400", 1);
  setenv("SLURM_ARRAY_TASK_ID", "56", 1);
  setenv("SLURM_JOB_NODELIST", "gpu[001-004,017]", 1);
  setenv("SLURM_JOB_PARTITION", "gpu-h100", 1);
  setenv("SLURM_CLUSTER_NAME", "testcluster", 1);
  setenv("SLURM_PROCID", "3", 1);
  CHECK(mdb_provenance_collect(&p, &err) == MDB_OK);
  CHECK_STR(p.slurm_job_id, "123456");
  CHECK_STR(p.slurm_array_job_id, "123400");
  CHECK_STR(p.slurm_array_task_id, "56");
  CHECK_STR(p.slurm_job_nodelist, "gpu[001-004,017]");
  CHECK_STR(p.slurm_job_partition, "gpu-h100");
  CHECK_STR(p.slurm_cluster_name, "testcluster");
  CHECK_STR(p.slurm_procid, "3");

  /* the older names when the new ones are absent */
  for (size_t k = 0; k < sizeof slurm_vars / sizeof slurm_vars[0]; k++) unsetenv(slurm_vars[k]);
  setenv("SLURM_JOBID", "77", 1);
  setenv("SLURM_NODELIST", "node7", 1);
  CHECK(mdb_provenance_collect(&p, &err) == MDB_OK);
  CHECK_STR(p.slurm_job_id, "77");
  CHECK_STR(p.slurm_job_nodelist, "node7");
  /* a node list longer than the field is cut, still terminated */
  char *longlist = malloc(3000);
  memset(longlist, 'n', 2999);
  longlist[2999] = 0;
  setenv("SLURM_JOB_NODELIST", longlist, 1);
  CHECK(mdb_provenance_collect(&p, &err) == MDB_OK);
  CHECK(strlen(p.slurm_job_nodelist) == sizeof p.slurm_job_nodelist - 1);
  free(longlist);

  /* outside Slurm: all "" */
  for (size_t k = 0; k < sizeof slurm_vars / sizeof slurm_vars[0]; k++) unsetenv(slurm_vars[k]);
  CHECK(mdb_provenance_collect(&p, &err) == MDB_OK);
  CHECK_STR(p.slurm_job_id, "");
  CHECK_STR(p.slurm_array_job_id, "");
  CHECK_STR(p.slurm_array_task_id, "");
  CHECK_STR(p.slurm_job_nodelist, "");
  CHECK_STR(p.slurm_job_partition, "");
  CHECK_STR(p.slurm_cluster_name, "");
  CHECK_STR(p.slurm_procid, "");

  /* the machine */
  char host[256] = "";
  gethostname(host, sizeof host - 1);
  CHECK_STR(p.host, host);
  CHECK(p.host[0] != 0);
  CHECK(p.cpu_count >= 1 && p.cpu_count == (int)sysconf(_SC_NPROCESSORS_ONLN));
  struct utsname u;
  uname(&u);
  char os[512];
  snprintf(os, sizeof os, "%s %s %s", u.sysname, u.release, u.machine);
  CHECK_STR(p.os, os);
#if defined(__x86_64__) || defined(__i386__)
  CHECK(p.cpu_model[0] != 0); /* x86 Linux kernels always give "model name" */
#endif
  char model[256];
  CHECK(mdb_cpuinfo_model(NULL, model, sizeof model) == (p.cpu_model[0] != 0));
  CHECK_STR(p.cpu_model, model);

  /* the build */
  CHECK_STR(p.git_commit, mdb_git_commit());
  size_t n = strlen(p.git_commit);
  CHECK(p.git_dirty == (n >= 6 && strcmp(p.git_commit + n - 6, "-dirty") == 0));
  CHECK(p.git_commit[0] != 0);
  CHECK_STR(p.build_flags, mdb_build_flags());
  CHECK_STR(p.build_type, MDB_TEST_BUILD_TYPE); /* CMAKE_BUILD_TYPE, passed by tests/provenance.cmake */
  CHECK_STR(p.mdbench_version, mdb_version());
  /* mdb_build_flags starts "COMPILER_ID VERSION": the version is the compiler's */
  char ver[64] = "";
  sscanf(mdb_build_flags(), "%*s %63s", ver);
  CHECK(ver[0] && strstr(p.compiler, ver) != NULL);
#if defined(__GNUC__) && !defined(__clang__) && !defined(__INTEL_LLVM_COMPILER) && !defined(__NVCOMPILER)
  CHECK(strncmp(p.compiler, "GCC ", 4) == 0);
#endif
  /* MPI library, read without MPI_Init */
  int major = 0, minor = 0;
  CHECK(sscanf(p.mpi_version, "%d.%d", &major, &minor) == 2 && major >= 2);
  CHECK(p.mpi_library[0] != 0 && !strchr(p.mpi_library, '\n'));
  fprintf(stderr, "  host %s | cpu %s x%d | %s | %s | %s %s | git %s dirty=%d | MPI %s: %s\n", p.host, p.cpu_model,
          p.cpu_count, p.os, p.compiler, p.build_type, p.build_flags, p.git_commit, p.git_dirty, p.mpi_version,
          p.mpi_library);
}

static void test_cpuinfo_formats(void) {
  char path[512], out[256];
  snprintf(path, sizeof path, "%s/cpuinfo", tmpdir);
  /* a Raspberry Pi 4: per-core "CPU part", then Hardware and Model at the end */
  const char *rpi = "processor\t: 0\nBogoMIPS\t: 108.00\nCPU implementer\t: 0x41\nCPU part\t: 0xd08\n\n"
                    "processor\t: 1\nCPU implementer\t: 0x41\nCPU part\t: 0xd08\n\n"
                    "Hardware\t: BCM2835\nRevision\t: c03114\nModel\t\t: Raspberry Pi 4 Model B Rev 1.4\n";
  write_file(path, rpi, strlen(rpi));
  CHECK(mdb_cpuinfo_model(path, out, sizeof out) == 1);
  CHECK_STR(out, "Raspberry Pi 4 Model B Rev 1.4");
  /* a Graviton-like server: ids only */
  const char *arm = "processor\t: 0\nBogoMIPS\t: 243.75\nFeatures\t: fp asimd\nCPU implementer\t: 0x41\n"
                    "CPU architecture: 8\nCPU variant\t: 0x1\nCPU part\t: 0xd0c\nCPU revision\t: 1\n";
  write_file(path, arm, strlen(arm));
  CHECK(mdb_cpuinfo_model(path, out, sizeof out) == 1);
  CHECK_STR(out, "CPU implementer 0x41 part 0xd0c");
  /* x86: the first "model name", trimmed */
  const char *x86 = "processor\t: 0\nvendor_id\t: GenuineIntel\nmodel\t\t: 143\n"
                    "model name\t: Intel(R) Xeon(R) Platinum 8480+  \nprocessor\t: 1\nmodel name\t: other\n";
  write_file(path, x86, strlen(x86));
  CHECK(mdb_cpuinfo_model(path, out, sizeof out) == 1);
  CHECK_STR(out, "Intel(R) Xeon(R) Platinum 8480+");
  /* POWER */
  const char *power = "processor\t: 0\ncpu\t\t: POWER9, altivec supported\nclock\t\t: 3800.000000MHz\n";
  write_file(path, power, strlen(power));
  CHECK(mdb_cpuinfo_model(path, out, sizeof out) == 1);
  CHECK_STR(out, "POWER9, altivec supported");
  /* nothing known, and no file */
  write_file(path, "processor\t: 0\n", 14);
  strcpy(out, "x");
  CHECK(mdb_cpuinfo_model(path, out, sizeof out) == 0);
  CHECK_STR(out, "");
  unlink(path);
  strcpy(out, "x");
  CHECK(mdb_cpuinfo_model(path, out, sizeof out) == 0);
  CHECK_STR(out, "");
}

static void write_at(const char *dir, const char *name, const char *text) {
  char path[1024];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  write_file(path, text, strlen(text));
}

/* the NVIDIA driver's /proc files, as fixtures (this machine may have none) */
static void test_nvidia(void) {
  char root[600], dir[800];
  mdb_provenance p;
  memset(&p, 0, sizeof p);
  snprintf(root, sizeof root, "%s/nvidia", tmpdir);
  CHECK(mdb_nvidia_gpus(root, &p) == 0); /* no driver */
  CHECK(p.gpu_count == 0 && !p.gpu_driver[0] && !p.gpu_models[0] && !p.gpu_uuids[0]);
  mkdir(root, 0700);
  write_at(root, "version",
           "NVRM version: NVIDIA UNIX x86_64 Kernel Module  535.129.03  Thu Oct 19 18:56:32 UTC 2023\n"
           "GCC version:  gcc version 12.2.0 (Debian 12.2.0-14)\n");
  snprintf(dir, sizeof dir, "%s/gpus", root);
  mkdir(dir, 0700);
  CHECK(mdb_nvidia_gpus(root, &p) == 0); /* a driver, no GPU */
  CHECK_STR(p.gpu_driver, "535.129.03");
  /* two GPUs, created out of bus order */
  static const char *const bus[2] = {"0000:c1:00.0", "0000:18:00.0"};
  static const char *const info[2] = {
      "Model: \t\t NVIDIA H100 80GB HBM3\nIRQ:   \t\t 412\nGPU UUID: \t GPU-ffffffff-0000-1111-2222-333333333333\n"
      "Video BIOS: \t 96.00.74.00.0d\nBus Type: \t PCIe\nBus Location: \t 0000:c1:00.0\nDevice Minor: \t 1\n",
      "Model: \t\t NVIDIA H100 80GB HBM3\nIRQ:   \t\t 411\nGPU UUID: \t GPU-aaaaaaaa-0000-1111-2222-333333333333\n"
      "Video BIOS: \t 96.00.74.00.0d\nBus Type: \t PCIe\nBus Location: \t 0000:18:00.0\nDevice Minor: \t 0\n"};
  for (int k = 0; k < 2; k++) {
    snprintf(dir, sizeof dir, "%s/gpus/%s", root, bus[k]);
    mkdir(dir, 0700);
    write_at(dir, "information", info[k]);
  }
  CHECK(mdb_nvidia_gpus(root, &p) == 2 && p.gpu_count == 2);
  CHECK_STR(p.gpu_models, "NVIDIA H100 80GB HBM3;NVIDIA H100 80GB HBM3");
  CHECK_STR(p.gpu_uuids, "GPU-aaaaaaaa-0000-1111-2222-333333333333;GPU-ffffffff-0000-1111-2222-333333333333");
  /* the open kernel modules word their version line differently */
  write_at(root, "version", "NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  550.54.15  Release Build\n");
  mdb_nvidia_gpus(root, &p);
  CHECK_STR(p.gpu_driver, "550.54.15");
  char path[1024];
  for (int k = 0; k < 2; k++) {
    snprintf(path, sizeof path, "%s/gpus/%s/information", root, bus[k]);
    unlink(path);
    snprintf(path, sizeof path, "%s/gpus/%s", root, bus[k]);
    rmdir(path);
  }
  snprintf(path, sizeof path, "%s/gpus", root);
  rmdir(path);
  snprintf(path, sizeof path, "%s/version", root);
  unlink(path);
  rmdir(root);

  /* collect: the real driver files, whatever this machine has */
  mdb_provenance real, fromproc;
  setenv("CUDA_VISIBLE_DEVICES", "1,0", 1);
  mdb_provenance_collect(&real, NULL);
  CHECK_STR(real.cuda_visible_devices, "1,0");
  unsetenv("CUDA_VISIBLE_DEVICES");
  memset(&fromproc, 0, sizeof fromproc);
  CHECK(mdb_nvidia_gpus(NULL, &fromproc) == real.gpu_count);
  CHECK_STR(real.gpu_uuids, fromproc.gpu_uuids);
  mdb_provenance_collect(&real, NULL);
  CHECK_STR(real.cuda_visible_devices, "");
#if defined(__SANITIZE_ADDRESS__)
  CHECK(real.sanitized == 1);
#elif !defined(__clang__)
  CHECK(real.sanitized == 0);
#endif
  fprintf(stderr, "  GPUs here: %d (%s) driver '%s'; sanitized=%d\n", real.gpu_count, real.gpu_models, real.gpu_driver,
          real.sanitized);
}

/* removes what the checks wrote */
static void cleanup(void) {
  char path[1024];
  for (size_t t = 0; t < sizeof pattern_digests / sizeof pattern_digests[0]; t++) {
    snprintf(path, sizeof path, "%s/pattern_%zu.bin", tmpdir, pattern_digests[t].n);
    unlink(path);
  }
  snprintf(path, sizeof path, "%s/abc.eam", tmpdir);
  unlink(path);
  snprintf(path, sizeof path, "%s/potentials/prov_test_only.eam.alloy", tmpdir);
  unlink(path);
  snprintf(path, sizeof path, "%s/potentials", tmpdir);
  rmdir(path);
  rmdir(tmpdir);
}

int main(int argc, char **argv) {
  if (argc >= 2 && strcmp(argv[1], "sha256") == 0) {
    int rc = 0;
    for (int k = 2; k < argc; k++) {
      char hex[65];
      mdb_err err;
      if (mdb_sha256_file(argv[k], hex, &err) != MDB_OK) {
        fprintf(stderr, "%s\n", err.msg);
        rc = 1;
      } else {
        printf("%s  %s\n", hex, argv[k]);
      }
    }
    return rc;
  }
  if (argc == 3 && strcmp(argv[1], "spec") == 0) {
    char out[8192];
    mdb_err err;
    if (mdb_calc_spec_sha256(argv[2], out, sizeof out, &err) != MDB_OK) {
      fprintf(stderr, "%s\n", err.msg);
      return 1;
    }
    printf("%s\n", out);
    return 0;
  }
  snprintf(tmpdir, sizeof tmpdir, "/tmp/mdb_provenance_XXXXXX");
  if (!mkdtemp(tmpdir)) {
    perror("mkdtemp");
    return 1;
  }
  test_vectors();
  test_chunks_and_files();
  test_spec_files();
  test_collect();
  test_cpuinfo_formats();
  test_nvidia();
  cleanup();
  return check_report();
}
