/*
 * mdbench — command-line front end: run one benchmark case, or evaluate a
 * calculator on one configuration.
 *
 *   mdbench run  [--system NAME|FILE.xyz] [--atoms N] [--calculator SPEC] ...
 *   mdbench eval --calculator SPEC --system FILE.xyz --output OUT.xyz
 *
 * Exit codes: 0 success; 1 the case ran but failed (blew up; its result is
 * still written); 2 bad input (usage, unknown names, malformed files,
 * impossible sizes); 3 I/O or runtime error. Only this file prints.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/bench.h"
#include "build/build.h"
#include "build/xyz.h"
#include "calc/calc.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/progress.h"
#include "core/stop.h"
#include "core/units.h"
#include "core/version.h"
#include "core/atomic.h"
#include "io/json_result.h"
#include "md/md.h"

static const struct option run_options[] = {MDB_CLI_CASE_OPTIONS,
                                            {"output", required_argument, 0, OPT_OUTPUT},
                                            {"quiet", no_argument, 0, OPT_QUIET},
                                            {"help", no_argument, 0, OPT_HELP},
                                            {0, 0, 0, 0}};

static const struct option eval_options[] = {{"calculator", required_argument, 0, OPT_CALCULATOR},
                                             {"system", required_argument, 0, OPT_SYSTEM},
                                             {"atoms", required_argument, 0, OPT_ATOMS},
                                             {"output", required_argument, 0, OPT_OUTPUT},
                                             {"lattice-A", required_argument, 0, OPT_LATTICE},
                                             {"seed", required_argument, 0, OPT_SEED},
                                             {"quiet", no_argument, 0, OPT_QUIET},
                                             {"help", no_argument, 0, OPT_HELP},
                                             {0, 0, 0, 0}};

static void usage(FILE *to) {
  fprintf(to,
          "usage: mdbench run  [options]     time one MD trajectory and report latency, throughput,\n"
          "                                  memory and energy conservation\n"
          "       mdbench eval --calculator SPEC --system FILE.xyz|NAME --output OUT.xyz\n"
          "                                  one energy/forces/virial evaluation, as extended XYZ\n"
          "       mdbench compare --calculators A,B[,...] [options]\n"
          "                                  several calculators on one seeded trajectory (or --reference A\n"
          "                                  --shadow B: integrate with A, evaluate B on every step)\n"
          "       mdbench analyze PATH       summary of one case, or a table of many (JSON, directory, .h5)\n"
          "       mdbench regress --baseline OLD --current NEW\n"
          "                                  statistical performance-regression check between two runs\n"
          "       mdbench list [systems|calculators|suites]\n"
          "                                  the built-in systems, calculators (keys, defaults), suites\n"
          "       mdbench --version          version, commit and build flags\n"
          "       mdbench COMMAND --help     the options of one command\n"
          "\n"
          "run options (defaults in brackets):\n"
          "  --system NAME|FILE.xyz  %s [argon]\n"
          "  --atoms N               atom count; lattices need a multiple of the cell [per system]\n"
          "  --lattice-A A           lattice constant of a built-in lattice (Å) [per system]\n"
          "  --calculator SPEC       NAME[:key=value,...]; names: %s [per system]\n"
          "  --protocol P            ensemble: NVE, NVT, NPT [NVE]\n"
          "  --thermostat T          NVT: nhc (Nose-Hoover chain, length 3) or langevin (BAOAB);\n"
          "                          NPT: nhc [nhc]\n"
          "  --tdamp-fs TAU          thermostat damping (fs); Langevin friction 1/TAU [100]\n"
          "  --pdamp-fs TAU          NPT barostat damping (fs) [1000]\n"
          "  --pressure-bar P        NPT target pressure (bar), isotropic MTK [1.01325]\n"
          "  --device D              cpu, cuda (the whole trajectory on the GPU), or auto (cuda when a\n"
          "                          GPU is usable, else cpu, said in a notice) [cpu]\n"
          "  --precision P           cuda: double, or mixed (float pair forces, double integration\n"
          "                          and sums; lj) [double]\n"
          "  --steps N               timed steps [1000]\n"
          "  --warmup N              untimed steps first [10]\n"
          "  --timestep-fs DT        [1; water 0.5]\n"
          "  --temperature-K T       Maxwell-Boltzmann start temperature; NVT/NPT target [300]\n"
          "  --seed S                velocity, water and Langevin-noise seed [42]\n"
          "  --energy-interval N     thermo sample every N steps [10]\n"
          "  --memory-interval N     memory sample every N timed steps [100]\n"
          "  --skin-A S              Verlet skin (Å) [1.0]\n"
          "  --threads N             threads of an external model's process (OMP_NUM_THREADS, torch) [the\n"
          "                          calculator's threads= key, else $OMP_NUM_THREADS, else the cores bound here]\n"
          "  --output FILE.json      write the result as JSON\n"
          "  --quiet                 print nothing but errors\n"
          "\n"
          "exit codes: 0 ok, 1 the run failed (blew up; result still written; eval: non-finite energy,\n"
          "            forces or virial, nothing written), 2 bad input,\n"
          "            3 I/O or runtime error, 75 stopped by SIGTERM/SIGINT/SIGUSR1 (result so far written)\n",
          mdb_build_names(), mdb_calc_names());
}

int mdb_cli_die(const char *cmd, const mdb_err *err) {
  fprintf(stderr, "mdbench %s: error: %s\n", cmd, err->msg);
  return mdb_exit_code(err->code);
}

int mdb_cli_bad(const char *cmd, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "mdbench %s: error: ", cmd);
  vfprintf(stderr, fmt, ap);
  fprintf(stderr, "\n");
  va_end(ap);
  return 2;
}

int mdb_cli_parse_int(const char *flag, const char *s, int lo, int *out, mdb_err *err) {
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (end == s || *end || errno || v < lo || v > INT_MAX)
    return mdb_err_set(err, MDB_EINPUT, "%s needs an integer >= %d and <= %d, got '%s'", flag, lo, INT_MAX, s);
  *out = (int)v;
  return 0;
}

int mdb_cli_parse_double(const char *flag, const char *s, double *out, mdb_err *err) {
  char *end;
  errno = 0;
  double v = strtod(s, &end);
  if (end == s || *end || errno || !isfinite(v))
    return mdb_err_set(err, MDB_EINPUT, "%s needs a number, got '%s'", flag, s);
  *out = v;
  return 0;
}

/* 0 means "the default" inside a case, so a user's 0 is rejected here */
int mdb_cli_parse_positive(const char *flag, const char *s, double *out, mdb_err *err) {
  if (mdb_cli_parse_double(flag, s, out, err)) return 1;
  if (!(*out > 0)) return mdb_err_set(err, MDB_EINPUT, "%s must be > 0, got '%s'", flag, s);
  return 0;
}

int mdb_cli_parse_u64(const char *flag, const char *s, uint64_t *out, mdb_err *err) {
  char *end;
  errno = 0;
  if (*s == '-') return mdb_err_set(err, MDB_EINPUT, "%s needs a non-negative integer, got '%s'", flag, s);
  unsigned long long v = strtoull(s, &end, 10);
  if (end == s || *end || errno)
    return mdb_err_set(err, MDB_EINPUT, "%s needs a non-negative integer, got '%s'", flag, s);
  *out = (uint64_t)v;
  return 0;
}

void mdb_cli_list_options(const struct option *opts, char *buf, size_t len) {
  buf[0] = 0;
  for (const struct option *o = opts; o->name; o++) {
    size_t l = strlen(buf);
    snprintf(buf + l, len - l, "%s--%s", l ? " " : "", o->name);
  }
}

/* Rejects options getopt could not match, naming the valid ones. */
int mdb_cli_unknown_option(const char *cmd, char **argv, const struct option *opts) {
  char valid[1024];
  mdb_cli_list_options(opts, valid, sizeof valid);
  const char *what = optind > 0 ? argv[optind - 1] : "?";
  if (optopt) return mdb_cli_bad(cmd, "option '%s' needs a value (valid options: %s)", what, valid);
  return mdb_cli_bad(cmd, "unknown option '%s' (valid: %s)", what, valid);
}

void mdb_cli_print_summary(const mdb_result *r, const char *output) {
  const mdb_case *c = &r->c;
  printf("mdbench %s: %s on %s (%d atoms), %s, %s\n", mdb_version(), c->calculator, c->system, r->n_atoms, c->protocol,
         c->device);
  if (strcmp(c->protocol, "NVE") != 0) {
    printf("  ensemble    %s thermostat, T %g K, tdamp %g fs", c->thermostat, c->temperature_K, c->tdamp_fs);
    if (c->chain > 0) printf(", chain %d", c->chain);
    if (strcmp(c->protocol, "NPT") == 0)
      printf("; MTK iso barostat, P %g bar, pdamp %g fs", c->pressure_bar, c->pdamp_fs);
    printf("\n");
  }
  printf("  steps       %d timed (+%d warmup), dt %g fs, start %g K, seed %llu, %ld neighbour builds\n", r->n_timed,
         c->warmup_steps, c->timestep_fs, c->temperature_K, (unsigned long long)c->seed, r->neighbor_builds);
  if (r->n_timed == 0) {
    printf("  latency     none: no timed step completed\n");
  } else {
    printf("  latency     mean %.4g ms  median %.4g  p95 %.4g  p99 %.4g  std %.3g  (min %.4g, max %.4g)\n",
           r->step.mean, r->step.median, r->step.p95, r->step.p99, r->step.std, r->step.min, r->step.max);
    printf("  throughput  %.4g steps/s  %.4g atom-steps/s  %.4g ns/day  (total %.4g s)\n", r->steps_per_second,
           r->atom_steps_per_second, r->ns_per_day, r->total_time_s);
  }
  /* with a launched model the case's leak verdict is the model's (below);
   * this line stays about the numbers it shows, mdbench's own process */
  const int own_leak = r->model.used ? r->model.own_leak_detected : r->leak_detected;
  printf("  memory      before %.4f GB  after %.4f GB  delta %+.4f GB  peak %.4f GB  leak %s (host RSS%s)\n",
         r->mem_before / 1e9, r->mem_after / 1e9, (r->mem_after - r->mem_before) / 1e9, r->mem_peak / 1e9,
         own_leak ? "DETECTED" : "no", r->model.used ? ", mdbench's own" : "");
  if (r->model.model_ms && r->n_timed > 0) { /* a launched client or a plugin that reports its model's time */
    const mdb_model_record *m = &r->model;
    printf("  model split median (p99) ms per step: model %.4g (%.4g)  transport+worker %.4g (%.4g)  integration "
           "%.4g (%.4g)  harness = step - model %.4g (%.4g)\n",
           m->model.median, m->model.p99, m->transport.median, m->transport.p99, m->integration.median,
           m->integration.p99, m->overhead.median, m->overhead.p99);
  }
  if (r->model.used) {
    const mdb_model_record *m = &r->model;
    printf("  model mem   before %.4f GB  after %.4f GB  delta %+.4f GB  peak %.4f GB  leak %s (the case's verdict; "
           "client pid %d, %d threads)",
           m->mem_before / 1e9, m->mem_after / 1e9, (m->mem_after - m->mem_before) / 1e9, m->mem_peak / 1e9,
           m->leak_detected ? "DETECTED" : "no", m->pid, m->threads);
    if (m->gpu_mem_bytes >= 0)
      printf("  GPU %.4f GB\n", m->gpu_mem_bytes / 1e9);
    else
      printf("  GPU %s\n", m->gpu_note);
  }
  printf("  energy      drift %.3e (relative, total E)  conserved slope %.3e eV/atom/ps  max |E-E0| %.3e eV/atom  "
         "std %.3g eV\n",
         r->energy_drift, r->drift_slope, r->max_dev_per_atom, r->energy_std);
  printf("  thermo      T %.4g ± %.3g K  P %.4g ± %.3g bar  V %.6g Å³\n", r->mean_temperature, r->std_temperature,
         r->mean_pressure, r->std_pressure, r->mean_volume);
  if (r->gpu.used)
    printf("  gpu         %s%s, %s precision, %s; force kernels mean %.4g ms median %.4g (CUDA events); device "
           "memory %.4f GB in use (engine %.4f GB), peak %.4f GB, leak %s\n",
           r->gpu.dev.name, strcmp(r->gpu.dev.backend, "host") == 0 ? " (MDBENCH_GPU_BACKEND=host)" : "", c->precision,
           r->gpu.graphs ? "CUDA graphs" : "kernel launches", r->gpu.force.mean, r->gpu.force.median,
           r->gpu.mem_after / 1e9, r->gpu.engine_bytes / 1e9, r->gpu.mem_peak / 1e9,
           r->gpu.leak_detected ? "DETECTED" : "no");
  if (strcmp(r->status, "ok") == 0)
    printf("  status      ok\n");
  else if (strcmp(r->status, "interrupted") == 0)
    printf("  status      INTERRUPTED after step %ld: %s\n", r->fail_step, r->fail_reason);
  else
    printf("  status      FAILED at step %ld: %s\n", r->fail_step, r->fail_reason);
  if (output) printf("  written     %s\n", output);
}

/* One of the options that describe a case (run's options but --output,
 * --quiet, --help): -1 when opt is not one of them, 0 when it was taken, or
 * the exit code after an error was printed. */
int mdb_cli_case_option(const char *cmd, int opt, const char *arg, mdb_case *c) {
  mdb_err err = {0};
  int rc = 0;
  switch (opt) {
  case OPT_CALCULATOR: snprintf(c->calculator, sizeof c->calculator, "%s", arg); break;
  case OPT_SYSTEM:
    if (strlen(arg) >= sizeof c->system) return mdb_cli_bad(cmd, "--system %s is too long", arg);
    snprintf(c->system, sizeof c->system, "%s", arg);
    break;
  case OPT_ATOMS: rc = mdb_cli_parse_int("--atoms", arg, 1, &c->n_atoms, &err); break;
  case OPT_STEPS: rc = mdb_cli_parse_int("--steps", arg, 1, &c->n_steps, &err); break;
  case OPT_WARMUP: rc = mdb_cli_parse_int("--warmup", arg, 0, &c->warmup_steps, &err); break;
  case OPT_EINTERVAL: rc = mdb_cli_parse_int("--energy-interval", arg, 1, &c->energy_interval, &err); break;
  case OPT_MINTERVAL: rc = mdb_cli_parse_int("--memory-interval", arg, 1, &c->memory_interval, &err); break;
  case OPT_PROTOCOL:
    snprintf(c->protocol, sizeof c->protocol, "%.7s", arg);
    if (strlen(arg) >= sizeof c->protocol)
      return mdb_cli_bad(cmd, "unknown protocol '%s' (valid: %s)", arg, MDB_PROTOCOL_NAMES);
    break;
  case OPT_THERMOSTAT:
    snprintf(c->thermostat, sizeof c->thermostat, "%.15s", arg);
    if (strlen(arg) >= sizeof c->thermostat || !arg[0])
      return mdb_cli_bad(cmd, "unknown thermostat '%s' (valid: %s)", arg, MDB_THERMOSTAT_NAMES);
    break;
  case OPT_TDAMP: rc = mdb_cli_parse_positive("--tdamp-fs", arg, &c->tdamp_fs, &err); break;
  case OPT_PDAMP: rc = mdb_cli_parse_positive("--pdamp-fs", arg, &c->pdamp_fs, &err); break;
  case OPT_PRESSURE:
    rc = mdb_cli_parse_double("--pressure-bar", arg, &c->pressure_bar, &err);
    c->pressure_set = 1;
    break;
  case OPT_DEVICE:
    snprintf(c->device, sizeof c->device, "%.15s", arg);
    if (strlen(arg) >= sizeof c->device || (strcmp(arg, "cpu") && strcmp(arg, "cuda") && strcmp(arg, "auto")))
      return mdb_cli_bad(cmd, "unknown device '%s' (valid: cpu, cuda, auto)", arg);
    break;
  case OPT_PRECISION:
    if (strcmp(arg, "double") && strcmp(arg, "mixed"))
      return mdb_cli_bad(cmd, "unknown precision '%s' (valid: double, mixed)", arg);
    snprintf(c->precision, sizeof c->precision, "%s", arg);
    break;
  case OPT_TIMESTEP: rc = mdb_cli_parse_positive("--timestep-fs", arg, &c->timestep_fs, &err); break;
  case OPT_TEMPERATURE: rc = mdb_cli_parse_double("--temperature-K", arg, &c->temperature_K, &err); break;
  case OPT_SKIN: rc = mdb_cli_parse_double("--skin-A", arg, &c->skin_A, &err); break;
  case OPT_THREADS: { /* for the processes mdbench starts (calc/ase.c reads it as its default) */
    int t = 0;
    rc = mdb_cli_parse_int("--threads", arg, 1, &t, &err);
    if (!rc) setenv("OMP_NUM_THREADS", arg, 1);
    break;
  }
  case OPT_LATTICE: rc = mdb_cli_parse_positive("--lattice-A", arg, &c->lattice_A, &err); break;
  case OPT_SEED: rc = mdb_cli_parse_u64("--seed", arg, &c->seed, &err); break;
  default: return -1;
  }
  return rc ? mdb_cli_die(cmd, &err) : 0;
}

int mdb_cli_resolve_device(const char *cmd, mdb_case *c, int quiet) {
  char why[256] = "";
  const int auto_ = strcmp(c->device, "auto") == 0;
  if (!auto_ && strcmp(c->device, "cuda") != 0) return 0;
  if (mdb_case_gpu_usable(why, sizeof why)) {
    snprintf(c->device, sizeof c->device, "cuda");
    return 0;
  }
  if (!auto_) {
    fprintf(stderr, "mdbench %s: error: --device cuda: no usable GPU: %s (valid here: --device cpu or auto)\n", cmd,
            why);
    return 3;
  }
  if (!quiet) fprintf(stderr, "mdbench %s: notice: --device auto: no usable GPU (%s): running on the CPU\n", cmd, why);
  snprintf(c->device, sizeof c->device, "cpu");
  if (strcmp(c->precision, "mixed") == 0) snprintf(c->precision, sizeof c->precision, "double");
  return 0;
}

static int cmd_run(int argc, char **argv) {
  mdb_case c;
  mdb_case_defaults(&c);
  const char *output = NULL;
  int quiet = 0, opt;
  mdb_err err = {0};
  opterr = 0;
  while ((opt = getopt_long(argc, argv, "", run_options, NULL)) != -1) {
    int rc = 0;
    switch (opt) {
    case OPT_OUTPUT: output = optarg; break;
    case OPT_QUIET: quiet = 1; break;
    case OPT_HELP: usage(stdout); return 0;
    default: {
      int code = mdb_cli_case_option("run", opt, optarg, &c);
      if (code < 0) return mdb_cli_unknown_option("run", argv, run_options);
      if (code) return code;
    }
    }
    if (rc) return mdb_cli_die("run", &err);
  }
  if (optind < argc) return mdb_cli_bad("run", "unexpected argument '%s'", argv[optind]);
  int dcode = mdb_cli_resolve_device("run", &c, quiet);
  if (dcode) return dcode;
  if (mdb_case_resolve(&c, &err)) return mdb_cli_die("run", &err);
  if (output && mdb_atomic_check_writable(output, &err)) return mdb_cli_die("run", &err);
  mdb_result r;
  mdb_stop_install(); /* SIGTERM/SIGINT/SIGUSR1: stop at the next step, keep what was measured */
  mdb_run_hooks hooks = {0};
  mdb_cli_progress progress;
  mdb_cli_progress_attach(&progress, &hooks, "run", NULL, quiet);
  if (mdb_case_run_hooked(&c, &hooks, &r, &err)) {
    if (!mdb_stop_requested()) return mdb_cli_die("run", &err);
    /* stopped before the first step (waiting for an i-PI client): nothing measured */
    fprintf(stderr, "mdbench run: stopped by %s before the first step, nothing measured (%s)\n",
            mdb_stop_signal_name(mdb_stop_requested()), err.msg);
    return MDB_EXIT_INTERRUPTED;
  }
  const int stopped = strcmp(r.status, "interrupted") == 0;
  int code = strcmp(r.status, "ok") == 0 ? 0 : stopped ? MDB_EXIT_INTERRUPTED : 1;
  if (output && mdb_result_write_json(&r, output, &err)) {
    if (!quiet) mdb_cli_print_summary(&r, NULL);
    mdb_result_free(&r);
    return mdb_cli_die("run", &err);
  }
  if (!quiet) mdb_cli_print_summary(&r, output);
  if (stopped)
    fprintf(stderr, "mdbench run: %s; the %d timed steps done are in the result\n", r.fail_reason, r.n_timed);
  else if (code)
    fprintf(stderr, "mdbench run: the run failed at step %ld: %s\n", r.fail_step, r.fail_reason);
  mdb_result_free(&r);
  return code;
}

static int cmd_eval(int argc, char **argv) {
  const char *calc_spec = NULL, *system = NULL, *output = NULL;
  int n_atoms = 0, quiet = 0, opt;
  double lattice = 0;
  uint64_t seed = 42;
  mdb_err err = {0};
  opterr = 0;
  while ((opt = getopt_long(argc, argv, "", eval_options, NULL)) != -1) {
    int rc = 0;
    switch (opt) {
    case OPT_CALCULATOR: calc_spec = optarg; break;
    case OPT_SYSTEM: system = optarg; break;
    case OPT_OUTPUT: output = optarg; break;
    case OPT_ATOMS: rc = mdb_cli_parse_int("--atoms", optarg, 1, &n_atoms, &err); break;
    case OPT_LATTICE: rc = mdb_cli_parse_positive("--lattice-A", optarg, &lattice, &err); break;
    case OPT_SEED: rc = mdb_cli_parse_u64("--seed", optarg, &seed, &err); break;
    case OPT_QUIET: quiet = 1; break;
    case OPT_HELP: usage(stdout); return 0;
    default: return mdb_cli_unknown_option("eval", argv, eval_options);
    }
    if (rc) return mdb_cli_die("eval", &err);
  }
  if (optind < argc) return mdb_cli_bad("eval", "unexpected argument '%s'", argv[optind]);
  if (!system) return mdb_cli_bad("eval", "--system is required (a built-in name or FILE.xyz)");
  if (output && mdb_atomic_check_writable(output, &err)) return mdb_cli_die("eval", &err);
  mdb_system sys, orig;
  mdb_calc calc;
  mdb_neigh nl;
  int have_calc = 0, have_nl = 0, have_orig = 0, failed = 0;
  double *forces = NULL;
  mdb_status st = mdb_build_system(&sys, system, n_atoms, lattice, seed, NULL, &err);
  if (st) return mdb_cli_die("eval", &err);
  if (!calc_spec) calc_spec = mdb_build_default_calculator(system);
  if ((st = mdb_system_copy(&orig, &sys, &err))) goto out;
  have_orig = 1;
  if ((st = mdb_calc_create(&calc, calc_spec, "cpu", &err))) goto out;
  have_calc = 1;
  if ((st = mdb_calc_prepare(&calc, &sys, &err))) goto out;
  if ((st = mdb_neigh_init(&nl, mdb_calc_cutoff(&calc), 0.0, mdb_calc_neigh_kinds(&calc), &err))) goto out;
  have_nl = 1;
  if ((st = mdb_neigh_build(&nl, &sys, &err))) goto out;
  mdb_calc_out res;
  if ((st = mdb_calc_compute(&calc, &sys, &nl, MDB_COMPUTE_ENERGY | MDB_COMPUTE_VIRIAL, &res, &err))) goto out;
  forces = malloc((size_t)sys.n * 3 * sizeof *forces);
  if (!forces) {
    st = mdb_err_nomem(&err, "forces", sys.n * 24.0);
    goto out;
  }
  { /* non-finite numbers are a failed evaluation, as for a run that blows up: exit 1, nothing written */
    int bad = -1;
    for (int i = 0; i < sys.n && bad < 0; i++)
      if (!isfinite(sys.f[3 * i]) || !isfinite(sys.f[3 * i + 1]) || !isfinite(sys.f[3 * i + 2])) bad = i;
    int virial_ok = 1;
    for (int a = 0; a < 3; a++)
      for (int b = 0; b < 3; b++) virial_ok &= isfinite(res.virial[a][b]) != 0;
    if (!isfinite(res.energy) || bad >= 0 || !virial_ok) {
      char what[160];
      if (!isfinite(res.energy))
        snprintf(what, sizeof what, "non-finite energy (%g eV)", res.energy);
      else if (bad >= 0)
        snprintf(what, sizeof what, "non-finite force on atom %d (%g, %g, %g eV/Å)", sys.id[bad] + 1, sys.f[3 * bad],
                 sys.f[3 * bad + 1], sys.f[3 * bad + 2]);
      else
        snprintf(what, sizeof what, "non-finite virial");
      fprintf(stderr, "mdbench eval: the evaluation failed: %s from %s on %s; nothing written\n", what, calc.spec.text,
              sys.name);
      failed = 1;
      goto out;
    }
  }
  /* the build reordered atoms; orig keeps the input order and positions */
  double fmax = 0;
  for (int i = 0; i < sys.n; i++)
    for (int k = 0; k < 3; k++) {
      forces[3 * sys.id[i] + k] = sys.f[3 * i + k];
      fmax = fmax > fabs(sys.f[3 * i + k]) ? fmax : fabs(sys.f[3 * i + k]);
    }
  mdb_xyz_extra extra = {0};
  extra.has_energy = 1;
  extra.energy = res.energy;
  extra.has_forces = 1;
  extra.forces = forces;
  extra.has_stress = extra.has_virial = 1;
  for (int a = 0; a < 3; a++)
    for (int b = 0; b < 3; b++) {
      extra.virial[a][b] = res.virial[a][b];
      extra.stress[a][b] = -res.virial[a][b] / sys.box.volume;
    }
  if (output && (st = mdb_xyz_write(output, &orig, &extra, &err))) goto out;
  if (!quiet) {
    double p = (res.virial[0][0] + res.virial[1][1] + res.virial[2][2]) / (3 * sys.box.volume) * MDB_EVA3_TO_BAR;
    printf("mdbench eval: %s on %s (%d atoms): energy %.12g eV (%.9g eV/atom), max |F| %.6g eV/Å, "
           "virial pressure %.6g bar%s%s\n",
           calc.spec.text, sys.name, sys.n, res.energy, res.energy / sys.n, fmax, p, output ? ", written " : "",
           output ? output : "");
  }
out:
  free(forces);
  if (have_nl) mdb_neigh_free(&nl);
  if (have_calc) mdb_calc_free(&calc);
  if (have_orig) mdb_system_free(&orig);
  mdb_system_free(&sys);
  return st ? mdb_cli_die("eval", &err) : failed;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    usage(stderr);
    return 2;
  }
  const char *cmd = argv[1];
  if (strcmp(cmd, "run") == 0) return cmd_run(argc - 1, argv + 1);
  if (strcmp(cmd, "eval") == 0) return cmd_eval(argc - 1, argv + 1);
  if (strcmp(cmd, "compare") == 0) return mdb_cmd_compare(argc - 1, argv + 1);
  if (strcmp(cmd, "analyze") == 0) return mdb_cmd_analyze(argc - 1, argv + 1);
  if (strcmp(cmd, "regress") == 0) return mdb_cmd_regress(argc - 1, argv + 1);
  if (strcmp(cmd, "list") == 0) return mdb_cmd_list(argc - 1, argv + 1);
  if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
    printf("mdbench %s (git %s; %s)\n", mdb_version(), mdb_git_commit(), mdb_build_flags());
    return 0;
  }
  if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
    usage(stdout);
    return 0;
  }
  fprintf(
      stderr,
      "mdbench: error: unknown command '%s' (valid: run, eval, compare, analyze, regress, list, --version, --help)\n",
      cmd);
  return 2;
}
