#!/usr/bin/env bash
# Installs (as root) or names (otherwise) the Debian 12 packages mdbench needs.
#   scripts/deps.sh          build and run
#   scripts/deps.sh --test   also what the tests cross-check against (LAMMPS, ASE)
# Idempotent: installs nothing when everything is present. Waits (up to
# MDBENCH_APT_LOCK_WAIT_S, 600 s) while another apt or dpkg holds its lock.
set -euo pipefail

pkgs=(build-essential cmake pkg-config git libopenmpi-dev openmpi-bin libhdf5-openmpi-dev libcjson-dev)
if [[ "${1:-}" == "--test" ]]; then
  pkgs+=(lammps lammps-data python3 python3-numpy python3-ase python3-h5py python3-matplotlib python3-pandas python3-xarray python3-h5netcdf hdf5-tools procps)
  # the in-process ASE plugin (plugins/pyase, tests/pyase.cmake) embeds /usr/bin/python3
  pkgs+=(python3-dev)
  # the Slurm test (tests/slurm.cmake) runs its own slurmctld, slurmd and munged
  pkgs+=(slurm-wlm munge)
  # scripts/fuzz.sh: clang with libFuzzer (libclang-rt-dev: libclang_rt.fuzzer), llvm: llvm-symbolizer
  pkgs+=(clang libclang-rt-dev llvm)
  # scripts/format.sh --check (CI): the house style in .clang-format
  pkgs+=(clang-format)
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

# Another apt or dpkg (unattended-upgrades or cloud-init on a fresh machine)
# may hold the package locks: wait for it, saying so, rather than fail.
# apt and dpkg take fcntl locks, listed in /proc/locks by inode.
LOCK_WAIT_S=${MDBENCH_APT_LOCK_WAIT_S:-600}
lock_held() { # FILE
  local ino
  ino=$(stat -c %i "$1" 2>/dev/null) || return 1
  grep -qE " [0-9a-f]+:[0-9a-f]+:$ino " /proc/locks 2>/dev/null
}
wait_for_locks() { # LOCK_FILE...
  local waited=0 held l
  while :; do
    held=""
    for l in "$@"; do lock_held "$l" && held=$l && break; done
    [[ -z $held ]] && return 0
    if ((waited == 0)); then
      echo "deps.sh: another package manager holds $held; waiting for it (up to ${LOCK_WAIT_S} s)..." >&2
    elif ((waited >= LOCK_WAIT_S)); then
      echo "deps.sh: $held is still held after ${LOCK_WAIT_S} s; giving up (see: ps aux | grep -E 'apt|dpkg')" >&2
      exit 1
    fi
    sleep 2
    waited=$((waited + 2))
  done
}

echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# the same wait inside apt (DPkg::Lock::Timeout) covers a lock taken between our check and apt's
apt_opts=(-o "DPkg::Lock::Timeout=$LOCK_WAIT_S")
wait_for_locks /var/lib/apt/lists/lock /var/lib/dpkg/lock-frontend /var/lib/dpkg/lock
apt-get "${apt_opts[@]}" update -qq
wait_for_locks /var/lib/dpkg/lock-frontend /var/lib/dpkg/lock /var/cache/apt/archives/lock
apt-get "${apt_opts[@]}" install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
