#!/usr/bin/env bash
# A miniature of the V1 perturbation study: baseline, a clamp on every population (vip included,
# where the seed crashed), and a one-cell population with no incoming edges that never spikes
# (empty on most ranks), at 3 ranks; then `laminar compare` must tabulate all of them.
# Usage: v1_study.sh LAMINAR MPIEXEC CONFIG WORKDIR
set -euo pipefail
laminar=$1 mpiexec=$2 config=$3 work=$4
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
export OMP_WAIT_POLICY=passive OMPI_MCA_mpi_yield_when_idle=1
rm -rf "$work"
mkdir -p "$work"
tiny=("--set" "populations.tiny={size: 1, model: IntFire1_inh_point}")
run() { # name population amp
    "$mpiexec" -np 3 --oversubscribe "$laminar" run "$config" --output "$work/$1" --quiet \
        --tstop 200 "${tiny[@]}" --set "stimuli.perturb.population=$2" --set "stimuli.perturb.amp=$3"
    [[ -s "$work/$1/rates.csv" ]] || { echo "$1: no rates.csv" >&2; exit 1; }
}
run baseline exc 0
for pop in exc pv sst vip; do
    run "$pop-230" "$pop" -230
    run "$pop+230" "$pop" 230
done
run tiny-230 tiny -230
"$mpiexec" -np 2 --oversubscribe "$laminar" compare "$work"/{baseline,exc-230,exc+230,pv-230,pv+230,sst-230,sst+230,vip-230,vip+230,tiny-230} \
    --output "$work/table"
csv="$work/table/rates.csv"
[[ $(wc -l <"$csv") -eq $((1 + 10 * 6)) ]] || { echo "expected 60 rows in $csv" >&2; cat "$csv"; exit 1; }
# A -230 pA clamp silences vip; the unconnected one-cell population never spikes.
grep -q '^vip-230,vip,74,0,0.0000,0.0000,1.0000,0.0000,' "$csv" || { echo "vip-230 row" >&2; exit 1; }
grep -q '^baseline,tiny,1,0,0.0000,0.0000,1.0000,0.0000,+0.0000,$' "$csv" || { echo "tiny row" >&2; exit 1; }
grep -q '^vip+230,vip,74,' "$csv"
grep -q '^### vip' "$work/table/rates.md"
# The run's own table agrees with compare's.
grep -q '^vip,74,0,0.0000,0.0000,1.0000,0.0000$' "$work/vip-230/rates.csv"
echo "study complete"
