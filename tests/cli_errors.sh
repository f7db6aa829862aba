#!/usr/bin/env bash
# Every bad-input path of `mdbench run` and `mdbench eval`: the documented exit
# code, a one-line message that names the problem (and the valid choices),
# no partial output file, and no crash. A run that blows up is a result:
# exit 1, and its JSON is written with status "failed".
set -u
MDB=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0

# expect CODE PATTERN -- ARGS...: exit code CODE, stderr matching PATTERN
# (extended regex), exactly one line on stderr, and no $tmp/out.* left.
expect() {
  local code=$1 pattern=$2
  shift 3
  rm -f "$tmp"/out.*
  "$MDB" "$@" >"$tmp/stdout" 2>"$tmp/stderr"
  local rc=$? lines
  lines=$(wc -l <"$tmp/stderr")
  if [[ $rc -eq $code ]] && grep -Eq -- "$pattern" "$tmp/stderr" && [[ $lines -eq 1 ]] &&
     ! ls "$tmp"/out.* >/dev/null 2>&1; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "FAIL: mdbench $* -> exit $rc (want $code), $lines stderr lines, want /$pattern/:" >&2
    sed 's/^/    /' "$tmp/stderr" >&2
    ls "$tmp"/out.* 2>/dev/null | sed 's/^/    left behind: /' >&2
  fi
}

J=(--output "$tmp/out.json")
expect 2 "unknown system 'graphene' \(valid: silicon, copper, aluminum, argon, water" -- run --system graphene "${J[@]}"
expect 2 "unknown calculator 'mace' \(valid: lj, eam, sw, spcfw(, [a-z]+)*\)" -- run --calculator mace "${J[@]}"
expect 2 "silicon cannot have 100 atoms.*nearest valid sizes are 96 and 104" -- run --system silicon --atoms 100 "${J[@]}"
expect 2 "water cannot have 97 atoms.*96 and 99" -- run --system water --atoms 97 "${J[@]}"
expect 2 "--atoms needs an integer >= 1" -- run --atoms 0 "${J[@]}"
expect 2 "--atoms needs an integer >= 1" -- run --atoms -5 "${J[@]}"
expect 2 "--atoms needs an integer" -- run --atoms 12abc "${J[@]}"
expect 2 "--atoms needs an integer" -- run --atoms 99999999999 "${J[@]}"
expect 2 "needs about .* GB of memory; this machine has" -- run --system copper --atoms 2000000000 "${J[@]}"
expect 2 "--steps needs an integer >= 1" -- run --steps 0 "${J[@]}"
expect 2 "--warmup needs an integer >= 0" -- run --warmup -1 "${J[@]}"
expect 2 "--timestep-fs must be > 0" -- run --timestep-fs 0 "${J[@]}"
expect 2 "--timestep-fs needs a number" -- run --timestep-fs fast "${J[@]}"
expect 2 "--temperature-K must be >= 0" -- run --temperature-K -3 "${J[@]}"
expect 2 "--skin-A must be >= 0" -- run --skin-A -0.5 "${J[@]}"
expect 2 "--energy-interval needs an integer >= 1" -- run --energy-interval 0 "${J[@]}"
expect 2 "--seed needs a non-negative integer" -- run --seed -1 "${J[@]}"
expect 2 "unknown protocol 'NPH' \(valid: NVE, NVT, NPT\)" -- run --protocol NPH "${J[@]}"
expect 2 "unknown protocol 'isothermal' \(valid: NVE, NVT, NPT\)" -- run --protocol isothermal "${J[@]}"

# ensembles: settings that are unknown, out of range, or do not apply
expect 2 "unknown thermostat 'berendsen' \(valid: nhc, langevin\)" -- run --protocol NVT --thermostat berendsen "${J[@]}"
expect 2 "unknown thermostat 'a-very-long-thermostat-name' \(valid: nhc, langevin\)" -- run --protocol NVT --thermostat a-very-long-thermostat-name "${J[@]}"
expect 2 "--thermostat nhc needs --protocol NVT or NPT" -- run --thermostat nhc "${J[@]}"
expect 2 "--thermostat langevin needs --protocol NVT or NPT" -- run --protocol NVE --thermostat langevin "${J[@]}"
expect 2 "--tdamp-fs must be > 0, got '0'" -- run --protocol NVT --tdamp-fs 0 "${J[@]}"
expect 2 "--tdamp-fs must be > 0, got '-100'" -- run --protocol NVT --tdamp-fs -100 "${J[@]}"
expect 2 "--tdamp-fs needs a number" -- run --protocol NVT --tdamp-fs slow "${J[@]}"
expect 2 "--pdamp-fs must be > 0, got '0'" -- run --protocol NPT --pdamp-fs 0 "${J[@]}"
expect 2 "--pdamp-fs must be > 0, got '-1'" -- run --protocol NPT --pdamp-fs -1 "${J[@]}"
expect 2 "--tdamp-fs needs --protocol NVT or NPT" -- run --tdamp-fs 50 "${J[@]}"
expect 2 "--pdamp-fs needs --protocol NPT \(got NVT\)" -- run --protocol NVT --pdamp-fs 500 "${J[@]}"
expect 2 "--pressure-bar needs --protocol NPT \(got NVE\)" -- run --pressure-bar 1 "${J[@]}"
expect 2 "--pressure-bar needs --protocol NPT \(got NVT\)" -- run --protocol NVT --pressure-bar 1 "${J[@]}"
expect 2 "--pressure-bar needs a number" -- run --protocol NPT --pressure-bar high "${J[@]}"
expect 2 "NPT .*--thermostat must be nhc \(got langevin\)" -- run --protocol NPT --thermostat langevin "${J[@]}"
expect 2 "--protocol NVT needs a target --temperature-K > 0" -- run --protocol NVT --temperature-K 0 "${J[@]}"
printf '4\nLattice="12 0 0 3 12 0 0 0 12" Properties=species:S:1:pos:R:3\nAr 0 0 0\nAr 3 3 3\nAr 6 0 6\nAr 9 6 3\n' >"$tmp/tilted.xyz"
expect 2 "NPT scales an orthorhombic box, but the cell of .*tilted.xyz is triclinic" -- run --protocol NPT --system "$tmp/tilted.xyz" "${J[@]}"
expect 2 "unknown device 'tpu' \(valid: cpu, cuda, auto\)" -- run --device tpu "${J[@]}"
expect 2 "unknown precision 'half' \(valid: double, mixed\)" -- run --precision half "${J[@]}"
expect 2 "--precision mixed needs --device cuda" -- run --precision mixed "${J[@]}"
# no GPU on this machine (CI): --device cuda is a runtime error naming the way out
if ! nvidia-smi -L >/dev/null 2>&1; then
  expect 3 "--device cuda: no usable GPU: .*\(valid here: --device cpu or auto\)" -- run --device cuda "${J[@]}"
fi
# a calculator without a device half (checked with the GPU emulated on the CPU)
MDBENCH_GPU_BACKEND=host expect 2 "calculator 'ipi' has no CUDA backend \(valid on cuda: lj, eam, sw, spcfw; or --device cpu\)" \
  -- run --device cuda --calculator ipi:unix=x "${J[@]}"
expect 2 "unknown option '--atomz' \(valid: .*--atoms" -- run --atomz 64 "${J[@]}"
expect 2 "option '--steps' needs a value" -- run --steps
expect 2 "unexpected argument 'extra'" -- run extra "${J[@]}"
expect 2 "calculator 'lj' has no parameter 'cutoff' \(valid: rc, epsilon, sigma\)" -- run --calculator lj:cutoff=8 "${J[@]}"
expect 2 "lj: rc=abc is not a number|calculator 'lj': rc=abc is not a number" -- run --calculator lj:rc=abc "${J[@]}"
expect 2 "'rc' is not key=value" -- run --calculator lj:rc "${J[@]}"
expect 2 "lj: rc must be > 0" -- run --calculator lj:rc=-1 "${J[@]}"
expect 2 "lj has no parameters for element O" -- run --system water --calculator lj "${J[@]}"
expect 2 "unknown command 'walk' \(valid: run, eval" -- walk

# malformed and missing input files
printf '3\nLattice="5 0 0 0 5 0 0 0 5" Properties=species:S:1:pos:R:3\nAr 0 0 0\nAr 1 1 1\n' >"$tmp/short.xyz"
expect 2 "short.xyz:.*(2 of 3|found 2|truncated)" -- run --system "$tmp/short.xyz" "${J[@]}"
printf '1\nLattice="5 0 0 0 5 0 0 0 5"\nAr 0 zero 0\n' >"$tmp/nan.xyz"
expect 2 "nan.xyz:3" -- run --system "$tmp/nan.xyz" "${J[@]}"
printf '1\nProperties=species:S:1:pos:R:3\nAr 0 0 0\n' >"$tmp/nocell.xyz"
expect 2 "nocell.xyz:2.*Lattice" -- run --system "$tmp/nocell.xyz" "${J[@]}"
expect 2 "cannot open .*/nope.xyz" -- run --system "$tmp/nope.xyz" "${J[@]}"
printf '2\nLattice="5 0 0 0 5 0 0 0 5"\nAr 0 0 0\nAr 1 1 1\n' >"$tmp/two.xyz"
expect 2 "--atoms 5 does not match .*two.xyz, which has 2 atoms" -- run --system "$tmp/two.xyz" --atoms 5 "${J[@]}"

# output that cannot be written: refused before any work
expect 3 "cannot write $tmp/no/such/dir/out.json" -- run --output "$tmp/no/such/dir/out.json"
mkdir -p "$tmp/adir"
expect 3 "cannot write $tmp/adir" -- run --steps 5 --output "$tmp/adir"

# eval
expect 2 "--system is required" -- eval --calculator lj --output "$tmp/out.xyz"
expect 2 "unknown calculator 'eam2'" -- eval --calculator eam2 --system argon --output "$tmp/out.xyz"

# a blow-up is a result, not a crash: exit 1, JSON written with the reason
"$MDB" run --system argon --atoms 32 --timestep-fs 400 --temperature-K 3000 --steps 200 --warmup 0 --quiet \
  --output "$tmp/blow.json" 2>"$tmp/stderr"
rc=$?
if [[ $rc -eq 1 ]] && grep -q '"status":[[:space:]]*"failed"' "$tmp/blow.json" &&
   grep -q '"reason":' "$tmp/blow.json" && grep -q "failed at step" "$tmp/stderr"; then
  pass=$((pass + 1))
else
  fail=$((fail + 1))
  echo "FAIL: blow-up run exited $rc; stderr: $(cat "$tmp/stderr")" >&2
fi

# good NVT and NPT runs write the ensemble settings and the conserved energy
if "$MDB" run --atoms 32 --steps 50 --protocol NVT --thermostat langevin --tdamp-fs 50 --quiet --output "$tmp/nvt.json" &&
   grep -q '"thermostat":[[:space:]]*"langevin"' "$tmp/nvt.json" && grep -q '"tdamp_fs":[[:space:]]*50' "$tmp/nvt.json" &&
   grep -q '"pressure_bar":[[:space:]]*null' "$tmp/nvt.json" &&
   "$MDB" run --system copper --atoms 32 --steps 50 --protocol NPT --pressure-bar 100 --quiet --output "$tmp/npt.json" &&
   grep -q '"thermostat":[[:space:]]*"nhc"' "$tmp/npt.json" && grep -q '"chain_length":[[:space:]]*3' "$tmp/npt.json" &&
   grep -q '"pdamp_fs":[[:space:]]*1000' "$tmp/npt.json" && grep -q '"pressure_bar":[[:space:]]*100' "$tmp/npt.json" &&
   grep -q '"drift_slope_eV_per_atom_per_ps"' "$tmp/npt.json"; then
  pass=$((pass + 1))
else
  fail=$((fail + 1))
  echo "FAIL: NVT/NPT runs did not write their ensemble settings" >&2
fi

# a good run writes the JSON and exits 0
if "$MDB" run --steps 20 --quiet --output "$tmp/ok.json" && grep -q '"status":[[:space:]]*"ok"' "$tmp/ok.json" &&
   ! ls "$tmp"/*.tmp.* >/dev/null 2>&1; then
  pass=$((pass + 1))
else
  fail=$((fail + 1))
  echo "FAIL: a good run did not write ok.json cleanly" >&2
fi

echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
