// The delivery floor: a bare loop streaming (target, weight) events into a slot of a ring buffer,
// against the real connection_store::deliver on the same Brunel-like event stream. The ratio of
// the two says how close spike delivery is to the memory floor (docs/performance.md).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <vector>

#include "laminar/sim/connection_store.hpp"

namespace {

// One core's share of the Brunel example on 2 cores: 6250 targets, 1250 incoming synapses each,
// sources spread over 12500 cells, one delay.
constexpr std::uint32_t targets = 6250;
constexpr std::uint32_t sources = 12500;
constexpr std::uint32_t indegree = 1250;
constexpr std::size_t slots = 17;

struct brunel_shard {
    laminar::sim::connection_store store;
    std::vector<std::uint32_t> flat_target; // the same synapses in delivery order
    std::vector<float> flat_weight;
    std::vector<std::uint32_t> row_len;
    brunel_shard() {
        std::mt19937_64 rng(1);
        std::uniform_int_distribution<std::uint32_t> pick(0, sources - 1);
        std::vector<laminar::sim::pending_synapse> syn;
        syn.reserve(std::size_t(targets) * indegree);
        for (std::uint32_t t = 0; t < targets; ++t) {
            for (std::uint32_t k = 0; k < indegree; ++k) {
                const auto s = pick(rng);
                syn.push_back({s, t, 15, s < 10000 ? 0.1f : -0.5f});
            }
        }
        // Flat copy in source-major order for the floor loop.
        std::vector<std::vector<std::uint32_t>> rows(sources);
        for (const auto& s : syn)
            rows[s.source].push_back(s.target);
        for (std::uint32_t s = 0; s < sources; ++s) {
            row_len.push_back(std::uint32_t(rows[s].size()));
            for (const auto t : rows[s]) {
                flat_target.push_back(t);
                flat_weight.push_back(s < 10000 ? 0.1f : -0.5f);
            }
        }
        store.build(std::move(syn), true);
    }
};

const brunel_shard& shard() {
    static const brunel_shard s;
    return s;
}

// Floor: stream every synapse once into one slot (no lookup, no runs).
void floor_stream(benchmark::State& state) {
    const auto& sh = shard();
    std::vector<double> ring(slots * 2 * targets, 0.0);
    for (auto _ : state) {
        double* base = ring.data() + 3 * 2 * targets;
        const auto* t = sh.flat_target.data();
        const auto* w = sh.flat_weight.data();
        const std::size_t n = sh.flat_target.size();
        for (std::size_t i = 0; i < n; ++i)
            base[t[i]] += double(w[i]);
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(std::int64_t(state.iterations()) * std::int64_t(sh.flat_target.size()));
}
BENCHMARK(floor_stream)->Unit(benchmark::kMillisecond);

// Engine: one spike of every source, delivered through row lookup and delay runs.
void store_deliver(benchmark::State& state) {
    const auto& sh = shard();
    std::vector<double> ring(slots * 2 * targets, 0.0);
    std::int64_t stamp = 1;
    for (auto _ : state) {
        std::uint64_t events = 0;
        for (std::uint32_t s = 0; s < sources; ++s) {
            const auto row = sh.store.find(s);
            if (row >= 0)
                events += sh.store.deliver(row, stamp, ring.data(), 2 * targets, slots);
        }
        ++stamp;
        benchmark::DoNotOptimize(events);
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(std::int64_t(state.iterations()) *
                            std::int64_t(sh.store.synapse_count()));
    state.counters["bytes_per_synapse"] =
        double(sh.store.bytes()) / double(sh.store.synapse_count());
}
BENCHMARK(store_deliver)->Unit(benchmark::kMillisecond);

} // namespace

BENCHMARK_MAIN();
