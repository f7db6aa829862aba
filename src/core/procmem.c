/*
 * procmem.c — memory readings from /proc: this process, a client's process
 * tree, and GPU memory of a process tree per nvidia-smi.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/procmem.h"

int64_t mdb_mem_rss_bytes(void) {
  FILE *f = fopen("/proc/self/statm", "r");
  if (!f) return -1;
  long size, resident;
  int ok = fscanf(f, "%ld %ld", &size, &resident) == 2;
  fclose(f);
  return ok ? (int64_t)resident * sysconf(_SC_PAGESIZE) : -1;
}

int64_t mdb_mem_peak_bytes(void) {
  FILE *f = fopen("/proc/self/status", "r");
  if (!f) return -1;
  char line[256];
  long kb = -1;
  while (fgets(line, sizeof line, f))
    if (sscanf(line, "VmHWM: %ld kB", &kb) == 1) break;
  fclose(f);
  return kb >= 0 ? (int64_t)kb * 1024 : -1;
}

/* pid and its descendants (/proc/PID/task/PID/children), at most cap. */
static int proc_tree(int pid, int *out, int cap) {
  int n = 0;
  out[n++] = pid;
  for (int k = 0; k < n && n < cap; k++) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/task/%d/children", out[k], out[k]);
    FILE *f = fopen(path, "r");
    if (!f) continue;
    int child;
    while (n < cap && fscanf(f, "%d", &child) == 1) out[n++] = child;
    fclose(f);
  }
  return n;
}

int mdb_proc_tree_status(int pid, int64_t *rss, int64_t *hwm, int *threads) {
  *rss = *hwm = 0;
  *threads = 0;
  if (pid <= 0) return -1;
  int pids[64], n = proc_tree(pid, pids, 64), found = 0;
  for (int k = 0; k < n; k++) {
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", pids[k]);
    FILE *f = fopen(path, "r");
    if (!f) continue;
    long v;
    while (fgets(line, sizeof line, f)) {
      if (sscanf(line, "VmRSS: %ld kB", &v) == 1)
        *rss += (int64_t)v * 1024;
      else if (sscanf(line, "VmHWM: %ld kB", &v) == 1)
        *hwm += (int64_t)v * 1024;
      else if (sscanf(line, "Threads: %ld", &v) == 1)
        *threads += (int)v;
    }
    fclose(f);
    found = 1;
  }
  return found ? 0 : -1;
}

/* Whether this process lives in a PID namespace below the initial one (a
 * container): the initial namespace's inode is fixed (PROC_PID_INIT_INO);
 * MDBENCH_PID_NAMESPACE_INO stands in for the inode in tests. */
static int in_child_pid_namespace(void) {
  const char *fake = getenv("MDBENCH_PID_NAMESPACE_INO");
  if (fake && *fake) return strtoull(fake, NULL, 0) != 0xEFFFFFFCull;
  struct stat st;
  if (stat("/proc/self/ns/pid", &st) != 0) return 0;
  return (unsigned long long)st.st_ino != 0xEFFFFFFCull;
}

double mdb_proc_tree_gpu_bytes(int pid, char *why, size_t len) {
  static int have = -1; /* nvidia-smi on PATH: looked up once */
  if (have < 0) have = system("command -v nvidia-smi >/dev/null 2>&1") == 0;
  if (!have) {
    snprintf(why, len, "absent: no NVIDIA driver (nvidia-smi not found)");
    return -1;
  }
  FILE *p = popen("nvidia-smi --query-compute-apps=pid,used_memory --format=csv,noheader,nounits 2>/dev/null", "r");
  if (!p) {
    snprintf(why, len, "absent: nvidia-smi could not be run");
    return -1;
  }
  int pids[64], n = proc_tree(pid, pids, 64);
  double mib = 0;
  int listed = 0, matched = 0;
  char line[256];
  while (fgets(line, sizeof line, p)) {
    int q;
    double used;
    if (sscanf(line, "%d , %lf", &q, &used) != 2) continue;
    listed++;
    for (int k = 0; k < n; k++)
      if (pids[k] == q) {
        mib += used;
        matched++;
      }
  }
  if (pclose(p) != 0) {
    snprintf(why, len, "absent: nvidia-smi --query-compute-apps failed");
    return -1;
  }
  /* The driver names processes by their PIDs in the initial PID namespace;
   * inside a container those are not ours, and "none of them" would read as
   * a model that uses no GPU memory: not measurable instead. */
  if (listed > 0 && !matched && in_child_pid_namespace()) {
    snprintf(why, len, "absent: nvidia-smi names processes by host PIDs (mdbench runs in a PID namespace)");
    return -1;
  }
  snprintf(why, len, "nvidia-smi --query-compute-apps (per process)");
  return mib * 1048576.0;
}
