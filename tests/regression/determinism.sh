#!/usr/bin/env bash
# Runs one config at several (ranks, threads) and fails unless every spike file is identical to
# the (1, 1) run. Usage: determinism.sh LAMINAR MPIEXEC SPIKE_DIFF CONFIG WORKDIR MIN_SPIKES R:T...
set -euo pipefail
laminar=$1 mpiexec=$2 diff=$3 config=$4 work=$5 min_spikes=$6
shift 6
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
# Oversubscribed test runs: idle threads and ranks must yield the cores, not spin.
export OMP_WAIT_POLICY=passive OMPI_MCA_mpi_yield_when_idle=1
rm -rf "$work"
mkdir -p "$work"
reference=""
for rt in "$@"; do
    r=${rt%%:*} t=${rt##*:}
    out="$work/r${r}_t${t}"
    echo "== ranks $r threads $t"
    "$mpiexec" -np "$r" --oversubscribe "$laminar" run "$config" --threads "$t" --output "$out" --quiet
    if [[ -z "$reference" ]]; then
        reference="$out/spikes.h5"
        "$diff" "$reference" "$reference" --min-spikes "$min_spikes"
    else
        "$diff" "$reference" "$out/spikes.h5" --min-spikes "$min_spikes"
    fi
done
echo "all decompositions identical"
