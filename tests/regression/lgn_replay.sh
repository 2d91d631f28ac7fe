#!/usr/bin/env bash
# The seed's lgn_spikes.h5 workflow: `laminar make-spikes` writes the spikes of the poisson
# source `lgn`; a run with `lgn` replaced by a spike_file source reading that file must give the
# Poisson run's spikes exactly (every population, lgn included), on another decomposition.
# Twice: with the config's d_max (300 degrees: no chosen LGN cell is dropped) and with d_max 70
# on every lgn_* projection, where the distance filter drops ~45 % of the chosen LGN cells, so the
# replay also depends on the spike_file source getting the same positions as the Poisson one.
# Usage: lgn_replay.sh LAMINAR MPIEXEC SPIKE_DIFF CONFIG WORKDIR
set -euo pipefail
laminar=$1 mpiexec=$2 diff=$3 config=$4 work=$5
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
export OMP_WAIT_POLICY=passive OMPI_MCA_mpi_yield_when_idle=1
rm -rf "$work"
mkdir -p "$work"
"$mpiexec" -np 2 --oversubscribe "$laminar" make-spikes "$config" --source lgn \
    --output "$work/lgn_spikes.h5"
size=$(grep -A2 '^  lgn:' "$config" | sed -n 's/^ *size: *\([0-9]*\).*/\1/p')
lgn_projections=$(sed -n 's/^  \(lgn_[a-z0-9_]*\): *{.*source: lgn,.*/\1/p' "$config")
[[ -n "$lgn_projections" ]] || { echo "no lgn_* projections in $config" >&2; exit 1; }

# Synapses of one projection in a run's summary.json.
synapses() { grep -A8 "\"$2\": {" "$1/summary.json" | sed -n 's/.*"synapses": *\([0-9]*\).*/\1/p' | head -1; }

# With d_max 70 much less LGN drive arrives: fewer spikes (~600 of ~3,200).
for d_max in config 70; do
    overrides=()
    min_spikes=1000
    if [[ $d_max != config ]]; then
        min_spikes=300
        for p in $lgn_projections; do overrides+=(--set "projections.$p.rule.d_max=$d_max"); done
    fi
    "$mpiexec" -np 2 --oversubscribe "$laminar" run "$config" --output "$work/poisson_$d_max" \
        --quiet "${overrides[@]}"
    "$mpiexec" -np 3 --oversubscribe "$laminar" run "$config" --output "$work/file_$d_max" \
        --quiet "${overrides[@]}" \
        --set "sources.lgn={type: spike_file, size: $size, path: $work/lgn_spikes.h5, positions: {type: box, min: [-120, -60, 0], max: [120, 60, 0]}}"
    grep -q "type: spike_file" "$work/file_$d_max/config.resolved.yaml"
    "$diff" "$work/poisson_$d_max/spikes.h5" "$work/file_$d_max/spikes.h5" --min-spikes "$min_spikes"
    echo "d_max $d_max: LGN spikes from the file reproduce the Poisson run"
done

# The d_max 70 replay must really have dropped LGN sources.
for p in $lgn_projections; do
    full=$(synapses "$work/poisson_config" "$p") cut=$(synapses "$work/poisson_70" "$p")
    echo "$p: $full synapses with the config's d_max, $cut with d_max 70"
    if ! [[ -n "$full" && -n "$cut" && $cut -gt 0 && $cut -lt $full ]]; then
        echo "d_max 70 did not drop LGN sources of $p" >&2
        exit 1
    fi
done
