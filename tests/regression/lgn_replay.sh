#!/usr/bin/env bash
# The seed's lgn_spikes.h5 workflow: `laminar make-spikes` writes the spikes of the poisson
# source `lgn`; a run with `lgn` replaced by a spike_file source reading that file must give the
# Poisson run's spikes exactly (every population, lgn included), on another decomposition.
# Usage: lgn_replay.sh LAMINAR MPIEXEC SPIKE_DIFF CONFIG WORKDIR
set -euo pipefail
laminar=$1 mpiexec=$2 diff=$3 config=$4 work=$5
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
export OMP_WAIT_POLICY=passive OMPI_MCA_mpi_yield_when_idle=1
rm -rf "$work"
mkdir -p "$work"
"$mpiexec" -np 2 --oversubscribe "$laminar" run "$config" --output "$work/poisson" --quiet
"$mpiexec" -np 2 --oversubscribe "$laminar" make-spikes "$config" --source lgn \
    --output "$work/lgn_spikes.h5"
size=$(grep -A2 '^  lgn:' "$config" | sed -n 's/^ *size: *\([0-9]*\).*/\1/p')
"$mpiexec" -np 3 --oversubscribe "$laminar" run "$config" --output "$work/file" --quiet \
    --set "sources.lgn={type: spike_file, size: $size, path: $work/lgn_spikes.h5, positions: {type: box, min: [-120, -60, 0], max: [120, 60, 0]}}"
grep -q "type: spike_file" "$work/file/config.resolved.yaml"
"$diff" "$work/poisson/spikes.h5" "$work/file/spikes.h5" --min-spikes 1000
echo "LGN spikes from the file reproduce the Poisson run"
