#!/usr/bin/env bash
# Benchmark of the Brunel example (docs/performance.md): Laminar at 1x1, 1x2 and 2x1
# ranks x threads (best of N runs each), Brian2 cpp_standalone at 1 and 2 threads, and the
# delivery floor (Google Benchmark). Prints one JSON line per measurement and a summary table.
#   bash jobs/bench_brunel.sh [N=3] [BUILD=build/release]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-3}
build=${2:-build/release}
laminar=$build/bin/laminar
out=${OUT:-out/bench_brunel}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMP_WAIT_POLICY=passive
mkdir -p "$out"
echo "# $(date -u) $(lscpu | sed -n 's/^Model name: *//p') $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg)"
for rt in 1:1 1:2 2:1; do
    r=${rt%%:*} t=${rt##*:}
    for i in $(seq "$n"); do
        dir="$out/laminar_r${r}_t${t}_$i"
        mpirun -np "$r" --bind-to none "$laminar" run configs/examples/brunel.yaml \
            --threads "$t" --output "$dir" --quiet 2>/dev/null
        /usr/bin/python3 - "$dir/summary.json" "$r" "$t" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
w = j["wall_seconds"]
print(json.dumps({"simulator": "laminar", "ranks": int(sys.argv[2]), "threads": int(sys.argv[3]),
                  "build_s": round(w["build"], 3), "simulate_s": round(w["simulate"], 3),
                  "update_s": round(w["update"], 3), "deliver_s": round(w["deliver"], 3),
                  "exchange_s": round(w["exchange"], 3), "write_s": round(w["write"], 3),
                  "synapses": j["synapses"], "events": j["synaptic_events"],
                  "bytes_per_synapse": round(j["connection_store_bytes_per_synapse"], 3),
                  "rate_hz": round(j["populations"]["exc"]["mean_rate_hz"], 2),
                  "peak_rss_mib_max_rank": round(j["peak_rss_mib"]["max_rank"], 1),
                  "load": open("/proc/loadavg").read().split()[0]}))
PY
    done
done
if [[ -x $build/bin/bench_delivery ]]; then
    "$build/bin/bench_delivery" --benchmark_min_time=1 --benchmark_format=json 2>/dev/null |
        /usr/bin/python3 -c '
import json, sys
for b in json.load(sys.stdin)["benchmarks"]:
    print(json.dumps({"benchmark": b["name"], "ns_per_event": round(1e9 / b["items_per_second"], 3)}))'
fi
if [[ ${SKIP_BRIAN2:-0} != 1 ]]; then
    for t in 1 2; do
        /usr/bin/python3 tests/bench/brunel_brian2.py --threads "$t" 2>/dev/null | tail -1
    done
fi
