#!/usr/bin/env bash
# Regenerates the seed corpora of the fuzz targets (tests/fuzz/corpus/<target>)
# from mdbench's own writers and the repository's examples. Run it after a
# format changes; the seeds are committed, so CI does not need it.
#   tests/fuzz/make_corpus.sh path/to/mdbench
# Regression inputs (corpus/<target>/regress-*) are kept; everything else in
# a target's folder is replaced.
set -euo pipefail
M=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
pots=${LAMMPS_POTENTIALS:-/usr/share/lammps/potentials}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export ASAN_OPTIONS=detect_leaks=0
for t in xyz eam sw spec suite result_json h5_results ipi; do
  mkdir -p "$here/corpus/$t"
  find "$here/corpus/$t" -type f ! -name 'regress-*' -delete
done
c=$here/corpus

# xyz: what `mdbench eval` writes (species, pos, forces, energy, stress,
# virial), and the ASE layout (momenta, a triclinic cell, extra columns)
"$M" eval --calculator lj --system argon --atoms 32 --output "$c/xyz/argon32.xyz" >/dev/null
"$M" eval --calculator sw --system silicon --atoms 8 --output "$c/xyz/silicon8.xyz" >/dev/null
"$M" eval --calculator spcfw --system water --atoms 24 --output "$c/xyz/water24.xyz" >/dev/null
cat >"$c/xyz/ase_triclinic.xyz" <<'XYZ'
3
Lattice="5.0 0.0 0.0 1.2 4.8 0.0 0.5 0.7 4.5" Properties=species:S:1:pos:R:3:momenta:R:3:tags:I:1 pbc="T T T" energy=-1.5
Cu 0.0 0.0 0.0 0.01 -0.02 0.0 0
Ni 1.8 1.7 0.1 0.0 0.0 0.03 1
Cu 0.9 2.5 2.2 -0.01 0.02 -0.03 2
XYZ
cat >"$c/xyz/velo.xyz" <<'XYZ'
2
lattice="6 0 0 0 6 0 0 0 6" properties=species:S:1:pos:R:3:velo:R:3 PBC="T T T"
Ar 0 0 0 0.001 0 0
Ar 3 3 3 -0.001 0 0
XYZ

# eam: funcfl and setfl, resampled to a few dozen points from LAMMPS's files
python3 - "$pots" "$c/eam" <<'PY'
import sys
pots, out = sys.argv[1], sys.argv[2]
def block(v): return "".join(" ".join(v[i:i + 5]) + "\n" for i in range(0, len(v), 5))
L = open(pots + "/Cu_u3.eam").read().split("\n")
nrho, drho, nr, dr, cut = L[2].split()
nrho, nr, drho, dr = int(nrho), int(nr), float(drho), float(dr)
v = " ".join(L[3:]).split()
k, kr = nrho // 40, nr // 40
F, Z, R = v[:nrho:k][:40], v[nrho:nrho + nr:kr][:40], v[nrho + nr:nrho + 2 * nr:kr][:40]
open(out + "/Cu_u3_small.eam", "w").write(L[0] + " (resampled to 40 points)\n" + L[1] + "\n" +
    f"40 {drho * k:.10g} 40 {dr * kr:.10g} {cut}\n" + block(F) + block(Z) + block(R))
L = open(pots + "/CuNi.eam.alloy").read().split("\n")
nrho, drho, nr, dr, cut = L[4].split()
nrho, nr, drho, dr = int(nrho), int(nr), float(drho), float(dr)
k, kr = nrho // 30, nr // 30
t = " ".join(L[5:]).split()
s = L[0] + "\n" + L[1] + "\nresampled to 30 points\n" + L[3] + "\n" + f"30 {drho * k:.10g} 30 {dr * kr:.10g} {cut}\n"
p = 0
for e in range(2):
    s += " ".join(t[p:p + 4]) + "\n"; p += 4
    s += block(t[p:p + nrho:k][:30]); p += nrho
    s += block(t[p:p + nr:kr][:30]); p += nr
for q in range(3):
    s += block(t[p:p + nr:kr][:30]); p += nr
open(out + "/CuNi_small.eam.alloy", "w").write(s)
PY

# sw: LAMMPS's own small files
cp "$pots/Si.sw" "$pots/GaN.sw" "$c/sw/"

# spec: one spec per file
i=0
for s in lj 'lj:rc=8.5,epsilon=0.0104,sigma=3.4' 'lj: rc = 5 , label=short' eam 'eam:file=Cu_u3.eam' sw \
  'sw:file=Si.sw' 'spcfw:alpha=2.287,rc=9' 'ipi:unix=mdb,timeout=2' 'ipi:host=localhost,port=31415' \
  'plugin:lib=./libmorse.so,D=0.3' 'lj:rc=1e300' 'eam:file=x,file=y'; do
  printf '%s' "$s" >"$c/spec/spec$((i++))"
done

# suite: the shipped suites and the test suites (valid and invalid)
cp "$root"/suites/quick.json "$root"/suites/baseline.json "$c/suite/"
cp "$root"/tests/suites/bad_combinations.json "$root"/tests/suites/impossible_sizes.json \
  "$root"/tests/suites/bad_json.json "$c/suite/"
cat >"$c/suite/matrix_rules.json" <<'JSON'
{"description": "exclude, include, calculators as objects", "steps": 20, "warmup": 2, "seed": 7,
 "matrix": {"system": ["silicon", "copper", "argon"], "atoms": {"silicon": [64], "copper": 32, "argon": [32, 108]},
  "protocol": ["NVE", "NVT"], "calculator": ["lj", "default", {"name": "lj", "rc": 6.0, "label": "lj6"}],
  "device": ["cpu"], "exclude": [{"system": "copper", "protocol": "NVT"}],
  "include": [{"system": "silicon", "atoms": 64, "protocol": "NPT", "pressure_bar": 10, "steps": 30},
              {"system": "argon", "thermostat": "langevin"}]}}
JSON

# result_json: `mdbench run --output` for NVE, NVT (Langevin), NPT and a blow-up
"$M" run --system argon --atoms 32 --steps 20 --energy-interval 5 --memory-interval 10 --output "$tmp/nve.json" >/dev/null
"$M" run --system silicon --atoms 64 --steps 10 --protocol NVT --thermostat langevin --energy-interval 5 \
  --output "$tmp/nvt.json" >/dev/null
"$M" run --system argon --atoms 32 --steps 10 --protocol NPT --pressure-bar 100 --energy-interval 5 \
  --output "$tmp/npt.json" >/dev/null
"$M" run --system argon --atoms 32 --steps 50 --timestep-fs 400 --temperature-K 3000 \
  --output "$tmp/failed.json" >/dev/null 2>&1 || true
cp "$tmp"/*.json "$c/result_json/"

# h5_results and ipi: byte programs (see the targets' comments)
python3 - "$c" <<'PY'
import random, struct, sys
c = sys.argv[1]
rng = random.Random(15)
open(c + "/h5_results/unchanged", "wb").write(b"")
for op in range(7):  # one program per kind of edit, then a mix
    open(f"{c}/h5_results/op{op}", "wb").write(bytes([op]) + bytes(rng.randrange(256) for _ in range(48)))
open(c + "/h5_results/mixed", "wb").write(bytes(rng.randrange(256) for _ in range(400)))
def hdr(w): return w.ljust(12).encode()
def body(n, nc=None, nextra=0, e=-0.25):
    return (struct.pack("<di", e, n if nc is None else nc) + struct.pack(f"<{3 * n}d", *[0.01 * k for k in range(3 * n)])
            + struct.pack("<9d", *[0.1 * k for k in range(9)]) + struct.pack("<i", nextra) + b"x" * nextra)
open(c + "/ipi/exchange2", "wb").write(bytes([1]) + hdr("NEEDINIT") + hdr("READY") + hdr("HAVEDATA") + hdr("FORCEREADY") + body(2))
open(c + "/ipi/extra_then_more", "wb").write(bytes([2]) + hdr("FORCEREADY") + body(3, nextra=5) + hdr("FORCEREADY") + body(3))
open(c + "/ipi/wrong_count", "wb").write(bytes([0]) + hdr("FORCEREADY") + body(1, nc=107))
open(c + "/ipi/garbage_header", "wb").write(bytes([3]) + b"READY\x00\x00\x00\x00\x00\x00\x00" + b"ready       " + hdr("FORCEREADY"))
PY
du -sh "$c"
