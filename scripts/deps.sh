#!/usr/bin/env bash
# Installs (as root) or names (otherwise) the Debian 12 packages mdbench needs.
#   scripts/deps.sh          build and run
#   scripts/deps.sh --test   also what the tests cross-check against (LAMMPS, ASE)
# Idempotent: installs nothing when everything is present.
set -euo pipefail

pkgs=(build-essential cmake pkg-config git libopenmpi-dev openmpi-bin libhdf5-openmpi-dev libcjson-dev)
if [[ "${1:-}" == "--test" ]]; then
  pkgs+=(lammps lammps-data python3 python3-numpy python3-ase python3-h5py python3-matplotlib hdf5-tools procps)
  # the Slurm test (tests/slurm.cmake) runs its own slurmctld, slurmd and munged
  pkgs+=(slurm-wlm munge)
  # scripts/fuzz.sh: clang with libFuzzer (libclang-rt-dev: libclang_rt.fuzzer), llvm: llvm-symbolizer
  pkgs+=(clang libclang-rt-dev llvm)
fi

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

if [[ $(id -u) -ne 0 ]]; then
  echo "mdbench needs these Debian packages, which are not installed:" >&2
  echo "  sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
