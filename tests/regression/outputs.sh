#!/usr/bin/env bash
# A run writes spikes.h5, v_report.h5, summary.json and config.resolved.yaml; rerunning the
# resolved config (on another decomposition) reproduces the spikes exactly.
# Usage: outputs.sh LAMINAR MPIEXEC SPIKE_DIFF CONFIG WORKDIR
set -euo pipefail
laminar=$1 mpiexec=$2 diff=$3 config=$4 work=$5
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
# Oversubscribed test runs: idle threads and ranks must yield the cores, not spin.
export OMP_WAIT_POLICY=passive OMPI_MCA_mpi_yield_when_idle=1
rm -rf "$work"
mkdir -p "$work"
"$mpiexec" -np 2 --oversubscribe "$laminar" run "$config" --output "$work/first" --quiet \
    --set run.seed=11 --set stimuli.pulse.amp=300
for f in spikes.h5 v_report.h5 summary.json config.resolved.yaml; do
    [[ -s "$work/first/$f" ]] || { echo "missing or empty: $f" >&2; exit 1; }
done
for key in '"ranks": 2' '"seed": 11' '"synapses"' '"mean_rate_hz"' '"spikes"' '"cells"' \
    '"build"' '"simulate"' '"write"' '"peak_rss_mib"' '"git"' '"version"' '"threads"'; do
    grep -q -- "$key" "$work/first/summary.json" || { echo "summary.json lacks $key" >&2; exit 1; }
done
grep -q "amp: 300" "$work/first/config.resolved.yaml" || { echo "override not in resolved config" >&2; exit 1; }
# The resolved config alone reproduces the run, here on 3 ranks x 2 threads.
"$mpiexec" -np 3 --oversubscribe "$laminar" run "$work/first/config.resolved.yaml" \
    --output "$work/second" --threads 2 --quiet
"$diff" "$work/first/spikes.h5" "$work/second/spikes.h5" --min-spikes 1000
# A different seed gives different spikes.
"$mpiexec" -np 1 "$laminar" run "$config" --output "$work/third" --quiet --set run.seed=12 \
    --set stimuli.pulse.amp=300
if "$diff" "$work/first/spikes.h5" "$work/third/spikes.h5" 2>/dev/null; then
    echo "a different seed gave identical spikes" >&2
    exit 1
fi
echo "outputs complete and reproducible"
