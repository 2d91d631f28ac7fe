// Engine behaviour on small networks: NEST timing of spike delivery and step currents, Poisson
// statistics, and identical results for any thread count.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include "laminar/core/error.hpp"

#include "laminar/comm/context.hpp"
#include "laminar/io/config.hpp"
#include "laminar/io/sonata_spikes.hpp"
#include "laminar/sim/simulation.hpp"

namespace lio = laminar::io;
namespace ls = laminar::sim;

namespace {

struct result {
    std::vector<ls::spike_key> spikes;
    std::vector<ls::vm_trace> traces;
    ls::run_statistics stats;
};

result simulate(const lio::simulation_config& cfg, int threads = 1) {
    const laminar::comm::context ctx(MPI_COMM_SELF);
    ls::simulation sim(cfg, ctx, threads);
    result r;
    r.stats = sim.run([&](std::span<const ls::spike_key> s, laminar::step_type) {
        r.spikes.insert(r.spikes.end(), s.begin(), s.end());
    });
    r.traces = sim.traces();
    return r;
}

result simulate(const std::string& yaml, int threads = 1) {
    return simulate(lio::parse_config(yaml, "test.yaml"), threads);
}

lio::simulation_config read_config(const std::string& relative) {
    const std::string path = std::string(LAMINAR_SOURCE_DIR) + "/" + relative;
    std::ifstream f(path);
    EXPECT_TRUE(f) << path;
    std::stringstream ss;
    ss << f.rdbuf();
    return lio::parse_config(ss.str(), path);
}

/// Runs cfg with 1 thread and with each of `threads`: spikes and v_m traces must be the same bits.
/// Returns the single-thread run.
result expect_identical_for_thread_counts(const lio::simulation_config& cfg,
                                          std::initializer_list<int> threads) {
    auto one = simulate(cfg, 1);
    for (const int t : threads) {
        const auto many = simulate(cfg, t);
        EXPECT_EQ(one.spikes, many.spikes) << t << " threads";
        EXPECT_EQ(one.traces.size(), many.traces.size()) << t << " threads";
        for (std::size_t i = 0; i < std::min(one.traces.size(), many.traces.size()); ++i) {
            EXPECT_EQ(one.traces[i].local_columns, many.traces[i].local_columns);
            EXPECT_EQ(one.traces[i].data, many.traces[i].data)
                << t << " threads, population " << one.traces[i].population;
        }
    }
    return one;
}

std::filesystem::path write_spikes(const std::string& name, const std::vector<double>& times) {
    const auto path = std::filesystem::temp_directory_path() / name;
    lio::spike_writer w(MPI_COMM_SELF, path, {"input"});
    lio::spike_table t;
    for (const double x : times) {
        t.node_ids.push_back(0);
        t.timestamps.push_back(x);
    }
    w.append({t});
    w.close();
    return path;
}

} // namespace

TEST(simulation, delta_input_arrives_at_spike_time_plus_delay_and_fires_in_that_step) {
    const auto file = write_spikes("laminar_test_delay.h5", {10.0});
    const auto r = simulate(R"(
run: {dt: 0.1, tstop: 30.0}
models: {m: {type: iaf_psc_delta}}
populations: {n: {size: 1, model: m}}
sources: {input: {type: spike_file, size: 1, path: )" +
                            file.string() + R"(}}
projections: {in: {source: input, target: n, rule: {type: all_to_all}, weight: 100.0, delay: 1.5}}
)");
    // Source spike stamped 100 (10.0 ms); the neuron fires in the step its input arrives: 115.
    ASSERT_EQ(r.spikes.size(), 2u);
    EXPECT_EQ(ls::key_stamp(r.spikes[0]), 100);
    EXPECT_EQ(ls::key_gid(r.spikes[0]), 1u);
    EXPECT_EQ(ls::key_stamp(r.spikes[1]), 115);
    EXPECT_EQ(ls::key_gid(r.spikes[1]), 0u);
}

TEST(simulation, alpha_cell_feels_input_one_step_after_arrival) {
    const auto file = write_spikes("laminar_test_alpha.h5", {10.0});
    const auto r = simulate(R"(
run: {dt: 0.1, tstop: 20.0}
models: {m: {type: iaf_psc_alpha}}
populations: {n: {size: 1, model: m}}
sources: {input: {type: spike_file, size: 1, path: )" +
                            file.string() + R"(}}
projections: {in: {source: input, target: n, rule: {type: all_to_all}, weight: 500.0, delay: 1.0}}
record: {v_m: [{population: n, node_ids: [0]}]}
)");
    // Arrival at t_a = 11.0 ms: update 109 reads the slot into dI (state at 11.0); V first
    // feels it in the interval (11.0, 11.1]. Sample k holds t = (k + 1) dt.
    const auto& v = r.traces.at(0).data;
    EXPECT_EQ(v[108], -70.0f); // t = 10.9
    EXPECT_EQ(v[109], -70.0f); // t = 11.0: dI non-zero, V not yet
    EXPECT_GT(v[110], -70.0f); // t = 11.1
}

TEST(simulation, step_current_first_visible_two_steps_after_onset) {
    const auto r = simulate(R"(
run: {dt: 0.1, tstop: 5.0}
models: {m: {type: iaf_psc_delta}}
populations: {n: {size: 2, model: m}}
stimuli: {clamp: {population: n, amp: 100.0, start: 1.0, stop: 2.0, node_ids: [1]}}
record: {v_m: [{population: n, node_ids: [0, 1]}]}
)");
    const auto& tr = r.traces.at(0);
    ASSERT_EQ(tr.local_columns.size(), 2u);
    auto v = [&](int sample, int col) { return tr.data[std::size_t(sample) * 2 + col]; };
    // Sample k holds V at t = (k + 1) dt. On at 1.0 -> first visible at 1.2; off at 2.0 -> V rises
    // through 2.1 and falls from 2.2 (MODEL_EQUATIONS.md 3.3).
    EXPECT_EQ(v(10, 1), -70.0f);   // 1.1
    EXPECT_GT(v(11, 1), -70.0f);   // 1.2
    EXPECT_GT(v(20, 1), v(19, 1)); // 2.1 still rising
    EXPECT_LT(v(21, 1), v(20, 1)); // 2.2 falling
    for (int k = 0; k < 50; ++k)
        EXPECT_EQ(v(k, 0), -70.0f) << "unstimulated cell, sample " << k;
}

TEST(simulation, poisson_generator_count_and_no_stamp_before_two_steps) {
    // A non-leaky, never-firing delta cell integrates w per event: V(T) - V(0) = w * count.
    const auto r = simulate(R"(
run: {dt: 0.1, tstop: 1000.0, seed: 3}
models: {m: {type: iaf_psc_delta, params: {tau_m: 1.0e12, V_th: 1.0e9, E_L: 0.0, V_m: 0.0, V_reset: -1.0}}}
populations: {n: {size: 20, model: m}}
sources: {drive: {type: poisson_generator, rate: 500.0}}
projections: {d: {source: drive, target: n, rule: {type: all_to_all}, weight: 1.0, delay: 0.1}}
record: {v_m: [{population: n, node_ids: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19]}]}
)");
    const auto& tr = r.traces.at(0);
    const std::size_t cols = tr.local_columns.size();
    ASSERT_EQ(cols, 20u);
    double total = 0;
    for (std::size_t c = 0; c < cols; ++c) {
        // Stamps start at 2 (update 1), delay 1 step: first input read in update 2 (sample 2).
        EXPECT_EQ(tr.data[0 * cols + c], 0.0f);
        EXPECT_EQ(tr.data[1 * cols + c], 0.0f);
        total += tr.data[(tr.data.size() / cols - 1) * cols + c];
    }
    const double expected = 20 * 500.0 * 1.0; // 20 cells x 500 Hz x 1 s
    EXPECT_NEAR(total, expected, 5 * std::sqrt(expected));
    // Independent trains: cells differ.
    EXPECT_NE(tr.data[(tr.data.size() / cols - 1) * cols + 0],
              tr.data[(tr.data.size() / cols - 1) * cols + 1]);
}

TEST(simulation, poisson_sources_fire_at_their_rates) {
    const auto r = simulate(R"(
run: {dt: 0.1, tstop: 2000.0, seed: 5}
models: {m: {type: iaf_psc_alpha}}
populations: {n: {size: 1, model: m}}
sources: {lgn: {type: poisson, size: 4, rates: [0.0, 10.0, 40.0, 80.0], start: 500.0}}
)");
    std::vector<double> count(4, 0.0);
    for (const auto k : r.spikes) {
        const auto g = ls::key_gid(k);
        ASSERT_GE(g, 1u);
        EXPECT_GT(ls::key_stamp(k), 5000) << "no spike before start";
        count[g - 1] += 1;
    }
    EXPECT_EQ(count[0], 0.0);
    for (int i = 1; i < 4; ++i) {
        const double expected = std::vector<double>{0, 10, 40, 80}[std::size_t(i)] * 1.5;
        EXPECT_NEAR(count[std::size_t(i)], expected, 5 * std::sqrt(expected)) << "cell " << i;
    }
}

TEST(simulation, identical_spikes_and_traces_for_any_thread_count) {
    const auto one = expect_identical_for_thread_counts(
        read_config("configs/tests/mixed_small.yaml"), {2, 3, 5});
    EXPECT_GT(one.spikes.size(), 1000u);
}

// The same for hh_neuron (NEURON-style cells, netstim sources, four receptors, IClamps): the
// engine merges consecutive populations of one model into one group (Exc_L23 + Exc_L5, Inh_PV +
// Inh_SOM), so with more threads the groups are cut at other cells, have other sizes and padded
// tails, and put cells in other vector lanes. Every cell's v_m is recorded.
TEST(simulation, identical_hh_spikes_and_traces_for_any_thread_count) {
    auto cfg = read_config("configs/tests/microcircuit_small.yaml");
    cfg.record.v_m.clear();
    for (const auto& pop : cfg.populations) {
        lio::vm_probe_config probe{pop.name, {}};
        for (std::uint64_t i = 0; i < pop.size; ++i)
            probe.node_ids.push_back(i);
        cfg.record.v_m.push_back(std::move(probe));
    }
    const auto one = expect_identical_for_thread_counts(cfg, {2, 3, 4, 5});
    ASSERT_EQ(one.traces.size(), 4u);
    EXPECT_EQ(one.traces[0].local_columns.size(), 40u);
    // The network is active: 663 spikes of the 100 cells (gids 0-99; the netstims follow).
    const auto cell_spikes = std::count_if(one.spikes.begin(), one.spikes.end(),
                                           [](ls::spike_key k) { return ls::key_gid(k) < 100; });
    EXPECT_GT(cell_spikes, 300);
}

TEST(simulation, weights_sum_in_double_exactly_as_nest) {
    // Ten simultaneous 0.1 mV inputs sum to 0.9999999999999999 in double (NEST), which is below
    // V_th = 1: no spike. With weights stored as float (1.0000000149) the cell would fire.
    const auto r = simulate(R"(
run: {dt: 0.1, tstop: 5.0}
models:
  drv: {type: iaf_psc_delta, params: {I_e: 2000.0, t_ref: 100.0}}
  tgt: {type: iaf_psc_delta, params: {E_L: 0.0, V_m: 0.0, V_th: 1.0, V_reset: -1.0}}
populations: {d: {size: 10, model: drv}, t: {size: 1, model: tgt}}
projections: {dt: {source: d, target: t, rule: {type: all_to_all}, weight: 0.1, delay: 1.0}}
)");
    for (const auto k : r.spikes)
        EXPECT_NE(ls::key_gid(k), 10u) << "the target must not fire";
    EXPECT_EQ(r.spikes.size(), 10u);
}

TEST(simulation, poisson_generator_rates_per_generator_cell) {
    auto run_rates = [](const std::string& rates) {
        return simulate(R"(
run: {dt: 0.1, tstop: 200.0, seed: 1}
models: {m: {type: iaf_psc_delta}}
populations: {p: {size: 10, model: m}}
sources: {g: {type: poisson_generator, size: 2, rates: )" +
                        rates + R"(}}
projections: {gp: {source: g, target: p, rule: {type: all_to_all}, weight: 0.5, delay: 1.0}}
)");
    };
    const auto a = run_rates("[50000.0, 0.0]");
    const auto b = run_rates("[0.0, 50000.0]");
    const auto none = run_rates("[0.0, 0.0]");
    EXPECT_GT(a.spikes.size(), 300u);
    EXPECT_GT(b.spikes.size(), 300u);
    EXPECT_EQ(none.spikes.size(), 0u);
    EXPECT_EQ(none.stats.generator_events, 0u);
}

TEST(simulation, spike_file_times_after_tstop_are_ignored_and_non_finite_ones_rejected) {
    const auto file = write_spikes("laminar_test_late.h5", {1.0, 1e300});
    const auto r = simulate(R"(
run: {dt: 0.1, tstop: 20.0}
models: {m: {type: iaf_psc_delta}}
populations: {n: {size: 1, model: m}}
sources: {input: {type: spike_file, size: 1, path: )" +
                            file.string() + R"(}}
)");
    ASSERT_EQ(r.spikes.size(), 1u);
    EXPECT_EQ(ls::key_stamp(r.spikes[0]), 10);

    const auto bad =
        write_spikes("laminar_test_inf.h5", {1.0, std::numeric_limits<double>::infinity()});
    try {
        simulate(R"(
run: {dt: 0.1, tstop: 20.0}
models: {m: {type: iaf_psc_delta}}
populations: {n: {size: 1, model: m}}
sources: {input: {type: spike_file, size: 1, path: )" +
                 bad.string() + R"(}}
)");
        FAIL() << "expected an error";
    } catch (const laminar::error& e) {
        EXPECT_NE(std::string(e.what()).find("laminar_test_inf.h5"), std::string::npos);
        EXPECT_NE(std::string(e.what()).find("not finite"), std::string::npos);
    }
}

TEST(simulation, generator_inputs_add_in_the_same_order_for_any_thread_count) {
    // Two generator projections and spike input onto the same cells: the order of additions
    // into each slot must not depend on shard boundaries (traces compared bit for bit).
    const std::string yaml = R"(
run: {dt: 0.1, tstop: 100.0, seed: 4}
models: {m: {type: iaf_psc_exp, params: {tau_syn_ex: 1.3}}}
populations: {p: {size: 37, model: m}}
sources:
  g1: {type: poisson_generator, rate: 9000.0}
  g2: {type: poisson_generator, rate: 7000.0}
projections:
  a: {source: g1, target: p, rule: {type: all_to_all}, weight: 31.7, delay: 0.3}
  b: {source: g2, target: p, rule: {type: all_to_all}, weight: 23.3, delay: 0.3}
  c: {source: p, target: p, rule: {type: fixed_probability, p: 0.3}, weight: {uniform: {low: 1.0, high: 9.0}}, delay: 0.3}
record: {v_m: [{population: p, node_ids: [0, 5, 11, 17, 18, 19, 36]}]}
)";
    const auto one = simulate(yaml, 1);
    for (int t : {2, 3, 4}) {
        const auto many = simulate(yaml, t);
        EXPECT_EQ(one.spikes, many.spikes);
        EXPECT_EQ(one.traces.at(0).data, many.traces.at(0).data) << t << " threads";
    }
}

// run() advances the network for good (state, source cursors, Poisson trains): a second call
// would silently simulate without the precomputed sources, so it refuses.
TEST(simulation, RunsOnce) {
    const auto cfg = read_config("configs/tests/microcircuit_small.yaml");
    const laminar::comm::context ctx(MPI_COMM_SELF);
    ls::simulation sim(cfg, ctx, 1);
    const auto first = sim.run([](std::span<const ls::spike_key>, laminar::step_type) {});
    EXPECT_GT(first.spikes, 0u);
    EXPECT_THROW(sim.run([](std::span<const ls::spike_key>, laminar::step_type) {}),
                 std::logic_error);
}
