#!/usr/bin/env bash
# gpu_memory_check.sh MDBENCH PYTHON — the model's GPU memory (nvidia-smi
# --query-compute-apps, per process) with a stand-in nvidia-smi on PATH that
# lists every ase worker's PID (pgrep; only mdbench's own is in its tree) with 512 MiB, then other cases:
#   1. the worker listed at 512 MiB: gpu_peak_gb = 512 MiB = 0.536870912 GB (1e-12)
#   2. only a stranger's PID listed, mdbench in the initial PID namespace: 0 (a correct zero)
#   3. the same inside a new PID namespace (unshare --pid; MDBENCH_PID_NAMESPACE_INO
#      stands in where unshare is refused): null, the source names the namespace
#   4. the worker listed for the first 2 queries, nvidia-smi failing after: the peak
#      of the samples before stays 0.536870912 GB, the source says a later one failed
#   5. no nvidia-smi at all: null, source "absent: ... not found"
# Exit 77 when PYTHON cannot import ase.
set -uo pipefail
mdbench=$1 py=$2
"$py" -c "import ase" 2>/dev/null || { echo "skip: $py cannot import ase"; exit 77; }
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bin"
cat >"$work/bin/nvidia-smi" <<'SMI'
#!/bin/bash
# stand-in: $FAKE_SMI_MODE worker|stranger|flaky; only --query-compute-apps answers
[[ "$*" == *--query-compute-apps* ]] || exit 0
n=$(($(cat "$FAKE_SMI_COUNT" 2>/dev/null || echo 0) + 1))
echo $n >"$FAKE_SMI_COUNT"
# every ase worker on the machine (other tests may run one too): only ours is in mdbench's tree
pids=$(pgrep -f mdbench_ase_worker)
case $FAKE_SMI_MODE in
  worker) for p in $pids; do echo "$p, 512"; done ;;
  stranger) echo "999999, 512" ;;
  flaky) ((n <= 2)) || exit 9; for p in $pids; do echo "$p, 512"; done ;;
esac
SMI
chmod +x "$work/bin/nvidia-smi"
fails=0
check() { # NAME JSON EXPECT(null|number) SOURCE_SUBSTRING
  "$py" - "$@" <<'PY'
import json, sys
name, path, want, src = sys.argv[1:5]
m = json.load(open(path))["memory"]["model"]
got, source = m["gpu_peak_gb"], m["gpu_source"]
ok = (got is None) if want == "null" else (got is not None and abs(got - float(want)) <= 1e-12)
ok = ok and src in source
print(f"{'ok  ' if ok else 'FAIL'} {name}: gpu_peak_gb={got} source={source!r} (want {want}, source with {src!r})")
sys.exit(0 if ok else 1)
PY
}
run() { # OUT [prefix command...]
  local out=$1
  shift
  FAKE_SMI_COUNT=$work/count.$RANDOM PYTHONPATH="$here" "$@" "$mdbench" run --system copper --atoms 32 --steps 20 \
    --warmup 2 --memory-interval 5 --quiet --output "$out" \
    --calculator "ase:calc=mdb_test_calcs:Sleepy,python=$py,ms=0" >"$out.log" 2>&1 || { cat "$out.log"; return 1; }
}
export FAKE_SMI_MODE
P=$work/bin:$PATH
FAKE_SMI_MODE=worker run "$work/1.json" env PATH="$P" && check worker_listed_512MiB "$work/1.json" 0.536870912 "per process" || fails=$((fails + 1))
FAKE_SMI_MODE=stranger run "$work/2.json" env PATH="$P" MDBENCH_PID_NAMESPACE_INO= && check stranger_only_is_zero "$work/2.json" 0 "per process" || fails=$((fails + 1))
if unshare --pid --fork --mount-proc true 2>/dev/null; then
  ns=(unshare --pid --fork --mount-proc env PATH="$P")
else
  ns=(env PATH="$P" MDBENCH_PID_NAMESPACE_INO=4026532175)
fi
FAKE_SMI_MODE=stranger run "$work/3.json" "${ns[@]}" && check pid_namespace_not_measurable "$work/3.json" null "PID namespace" || fails=$((fails + 1))
FAKE_SMI_MODE=flaky run "$work/4.json" env PATH="$P" && check later_failure_keeps_peak "$work/4.json" 0.536870912 "until a later sample failed" || fails=$((fails + 1))
run "$work/5.json" env PATH=/usr/bin:/bin && check no_nvidia_smi_is_null "$work/5.json" null "not found" || fails=$((fails + 1))
echo "$((5 - fails)) passed, $fails failed"
((fails == 0))
