#!/usr/bin/env bash
# The V1 seed study on one machine: the baseline and the 8 current clamps (exc, pv, sst, vip x
# -230 / +230 pA over the whole run), one after another, then the comparison table.
#   jobs/v1_perturbations.sh [OUT_DIR] [extra 'laminar run' options...]
# Environment: LAMINAR (default build/release/bin/laminar), NP (MPI ranks, default 2),
# MPIEXEC (default mpirun; words split on blanks, e.g. "mpirun --oversubscribe"),
# CONFIG (default configs/v1/v1_seed.yaml), AMP (default 230).
# Writes OUT_DIR/<condition>/ (spikes.h5, rates.csv, summary.json, ...) and OUT_DIR/rates.csv,
# OUT_DIR/rates.md (per population: mean, median, silent fraction, max, change vs baseline).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
out=${1:-out/v1_perturbations}
shift || true
laminar=${LAMINAR:-$root/build/release/bin/laminar}
config=${CONFIG:-$root/configs/v1/v1_seed.yaml}
np=${NP:-2}
read -r -a mpiexec <<<"${MPIEXEC:-mpirun}"
amp=${AMP:-230}

# The conditions, in the order of the table: name population amplitude.
conditions=("baseline exc 0")
for pop in exc pv sst vip; do
    conditions+=("${pop}-${amp} ${pop} -${amp}" "${pop}+${amp} ${pop} ${amp}")
done

mkdir -p "$out"
dirs=()
for c in "${conditions[@]}"; do
    read -r name pop a <<<"$c"
    echo "== $name (stimuli.perturb: population $pop, amp $a pA)"
    "${mpiexec[@]}" -np "$np" "$laminar" run "$config" --output "$out/$name" --quiet \
        --set "stimuli.perturb.population=$pop" --set "stimuli.perturb.amp=$a" "$@"
    dirs+=("$out/$name")
done
"${mpiexec[@]}" -np 1 "$laminar" compare "${dirs[@]}" --output "$out"
echo "table: $out/rates.md"
