// The hh_neuron cell loop alone (no engine): one group of the microcircuit's PYR (soma + dend)
// or INH (soma) cells, driven by a step current that makes them fire, advanced step by step.
// Reports ns per cell-step; the engine's share is the rest of `laminar run`'s update time
// (docs/performance.md, "Microcircuit").
//   build/release/bin/bench_hh [--benchmark_repetitions=5]
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "laminar/model/neuron_group.hpp"
#include "support/microcircuit_cells.hpp"

namespace {

std::map<std::string, double> cell_params(bool pyr) {
    return laminar::test::as_params_map(pyr ? laminar::test::microcircuit_pyr()
                                            : laminar::test::microcircuit_inh());
}

void advance_group(benchmark::State& state, bool pyr) {
    const auto n = static_cast<std::size_t>(state.range(0));
    auto group = laminar::model::make_group("hh_neuron", cell_params(pyr), 0.05, n);
    // Currents spread over 0-200 pA so that cells fire at different rates, as in a network;
    // a synaptic event every 20 steps on each receptor keeps the Exp2Syn states busy.
    std::vector<double> current(n), zero(n, 0.0), event(n, 0.002);
    for (std::size_t i = 0; i < n; ++i)
        current[i] = 200.0 * double(i) / double(n);
    std::vector<std::uint32_t> spiked;
    laminar::step_type L = 0;
    std::size_t spikes = 0;
    const auto t0 = std::chrono::steady_clock::now();
    for (auto _ : state) {
        const double* w = L % 20 == 0 ? event.data() : zero.data();
        laminar::model::step_input in{w, w, current.data()};
        in.w_more[0] = w;
        in.w_more[1] = w;
        spiked.clear();
        group->advance(L++, in, spiked);
        spikes += spiked.size();
    }
    benchmark::DoNotOptimize(spikes);
    state.SetItemsProcessed(state.iterations() * std::int64_t(n));
    const std::chrono::duration<double, std::nano> elapsed = std::chrono::steady_clock::now() - t0;
    state.counters["ns_per_cell_step"] = elapsed.count() / (double(state.iterations()) * double(n));
}

void BM_hh_pyr(benchmark::State& state) {
    advance_group(state, true);
}
void BM_hh_inh(benchmark::State& state) {
    advance_group(state, false);
}

// The microcircuit's shape as the engine runs it: 80 PYR and 20 INH cells in two groups reading
// their inputs from a ring of 100 slots x 4 receptors (cleared after each step), so that inputs
// come from L2 as they do in `laminar run`.
void BM_hh_microcircuit(benchmark::State& state) {
    const std::size_t n_pyr = 80, n_inh = 20, n = n_pyr + n_inh, slots = 100;
    auto pyr = laminar::model::make_group("hh_neuron", cell_params(true), 0.05, n_pyr);
    auto inh = laminar::model::make_group("hh_neuron", cell_params(false), 0.05, n_inh);
    std::vector<double> ring(slots * 4 * n, 0.0), current(n, 0.0);
    std::vector<std::uint32_t> spiked;
    laminar::step_type L = 0;
    std::size_t spikes = 0;
    const auto t0 = std::chrono::steady_clock::now();
    for (auto _ : state) {
        double* slot = ring.data() + std::size_t(L % laminar::step_type(slots)) * 4 * n;
        // About what the network delivers: a few events per step.
        slot[std::size_t(L * 7919) % (4 * n)] += 0.0005;
        slot[std::size_t(L * 104729) % (4 * n)] += 0.004;
        for (std::size_t off : {std::size_t(0), n_pyr}) {
            auto& g = off == 0 ? pyr : inh;
            laminar::model::step_input in{slot + off, slot + n + off, current.data() + off};
            in.w_more[0] = slot + 2 * n + off;
            in.w_more[1] = slot + 3 * n + off;
            spiked.clear();
            g->advance(L, in, spiked);
            spikes += spiked.size();
        }
        std::fill(slot, slot + 4 * n, 0.0);
        ++L;
    }
    benchmark::DoNotOptimize(spikes);
    const std::chrono::duration<double, std::nano> elapsed = std::chrono::steady_clock::now() - t0;
    state.counters["ns_per_cell_step"] = elapsed.count() / (double(state.iterations()) * double(n));
}

} // namespace

BENCHMARK(BM_hh_microcircuit);
BENCHMARK(BM_hh_pyr)->Arg(1)->Arg(20)->Arg(80)->Arg(1000);
BENCHMARK(BM_hh_inh)->Arg(1)->Arg(20)->Arg(80)->Arg(1000);

BENCHMARK_MAIN();
