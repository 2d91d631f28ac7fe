#!/usr/bin/env bash
# Benchmark of the HH microcircuit (docs/performance.md, "Microcircuit"): the 1 s baseline in
# Laminar (1 rank x 1 thread; `run_loop` of summary.json: the whole time loop with spike
# recording, like NEURON's psolve with NetCon.record; `simulate` leaves the recording out)
# against the same network in NEURON (`tests/neuron/microcircuit_neuron.py`, the time of
# pc.psolve), as NetPyNE runs it and with CVode.cache_efficient(1). The three run in turn, N times, so that load changes hit all of them;
# prints each run and the best and median of each, and the ratios. Then the cell loop alone
# (bench_hh, if built). Needs the Debian packages neuron and python3-neuron.
#   bash jobs/bench_microcircuit.sh [N=7] [BUILD=build/release]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-7}
build=${2:-build/release}
laminar=$build/bin/laminar
out=${OUT:-out/bench_microcircuit}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMP_WAIT_POLICY=passive
mkdir -p "$out"
echo "# $(date -u) $(lscpu | sed -n 's/^Model name: *//p') $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg)"
: > "$out/runs.txt"
for i in $(seq "$n"); do
    "$laminar" run configs/microcircuit/baseline.yaml --threads 1 --output "$out/laminar" \
        --quiet 2>/dev/null
    lam=$(/usr/bin/python3 -c 'import json,sys; w = json.load(open(sys.argv[1]))["wall_seconds"]; print(w["run_loop"], w["simulate"])' \
        "$out/laminar/summary.json")
    nrn=$(/usr/bin/python3 tests/neuron/microcircuit_neuron.py 2>/dev/null | sed -n 's/.* run \([0-9.]*\) s .*/\1/p')
    nce=$(/usr/bin/python3 tests/neuron/microcircuit_neuron.py --cache-efficient 2>/dev/null |
        sed -n 's/.* run \([0-9.]*\) s .*/\1/p')
    echo "$lam $nrn $nce" | tee -a "$out/runs.txt" |
        awk '{printf "run %d: laminar %.1f ms (simulate %.1f)  neuron %.0f ms  neuron cache_efficient %.0f ms\n", '"$i"', 1e3*$1, 1e3*$2, 1e3*$3, 1e3*$4}'
done
/usr/bin/python3 - "$out/runs.txt" <<'PY'
import statistics, sys
rows = [list(map(float, l.split())) for l in open(sys.argv[1]) if l.strip()]
cols = list(zip(*rows))
names = ["laminar 1x1 run_loop", "laminar 1x1 simulate", "NEURON psolve (NetPyNE default)",
         "NEURON psolve, cache_efficient"]
best = [min(c) for c in cols]
med = [statistics.median(c) for c in cols]
for name, b, m in zip(names, best, med):
    print(f"{name:34s} best {1e3 * b:7.1f} ms  median {1e3 * m:7.1f} ms")
for k in (2, 3):
    print(f"speed-up of laminar's run_loop over {names[k]}: best/best {best[k] / best[0]:.1f}x, "
          f"median/median {med[k] / med[0]:.1f}x")
PY
if [[ -x $build/bin/bench_hh ]]; then
    "$build/bin/bench_hh" --benchmark_repetitions=5 --benchmark_report_aggregates_only=true \
        2>/dev/null | grep -E "median|Benchmark"
fi
