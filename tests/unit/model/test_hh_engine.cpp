// The HH cell through the whole engine against NEURON 8.2.2: NetStim sources with off-grid
// starts (one before dt/2), one projection per receptor (soma and dendrite, excitatory and
// inhibitory), an IClamp. Reference made by tests/neuron/make_engine_reference.py.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "laminar/comm/context.hpp"
#include "laminar/io/config.hpp"
#include "laminar/sim/simulation.hpp"

namespace {

constexpr const char* config = R"(
run: {dt: 0.05, tstop: 200.0, seed: 1}
models:
  PYR:
    type: hh_neuron
    params: {soma_diam: 18.8, soma_L: 18.8, soma_Ra: 123.0, soma_cm: 1.0,
             gnabar: 0.12, gkbar: 0.036, gl: 0.001, el: -70.0,
             has_dend: 1, dend_diam: 2.0, dend_L: 150.0, dend_Ra: 150.0, dend_cm: 1.0,
             dend_g_pas: 0.0002, dend_e_pas: -70.0, v_init: -65.0, threshold: 10.0,
             exc_tau1: 0.1, exc_tau2: 1.0, exc_e: 0.0, inh_tau1: 0.5, inh_tau2: 5.0, inh_e: -80.0}
populations:
  cell: {size: 1, model: PYR}
sources:
  es: {type: netstim, size: 1, start: 0.01, interval: 17.3, number: 8, noise: 0}
  is: {type: netstim, size: 1, start: 41.37, interval: 23.1, number: 4, noise: 0}
  ed: {type: netstim, size: 1, start: 5.02, interval: 9.7, number: 12, noise: 0}
  id: {type: netstim, size: 1, start: 77.777, interval: 13.3, number: 5, noise: 0}
projections:
  es_cell: {source: es, target: cell, rule: one_to_one, weight: 0.004, delay: 2.0, receptor: exc_soma}
  is_cell: {source: is, target: cell, rule: one_to_one, weight: 0.006, delay: 1.5, receptor: inh_soma}
  ed_cell: {source: ed, target: cell, rule: one_to_one, weight: 0.005, delay: 3.0, receptor: exc_dend}
  id_cell: {source: id, target: cell, rule: one_to_one, weight: 0.004, delay: 0.5, receptor: inh_dend}
stimuli:
  clamp: {population: cell, amp: 250.0, start: 120.0, stop: 150.0}
record:
  v_m: [{population: cell, node_ids: [0]}]
)";

struct reference {
    std::vector<double> v;          // v(t_k), k = 1..
    std::vector<long> spike_stamps; // NEURON spike time t_n + 1e-10 -> n
};

reference read_reference() {
    std::ifstream f(std::string(LAMINAR_SOURCE_DIR) + "/tests/data/neuron_engine/pyr.csv");
    EXPECT_TRUE(f.good());
    reference r;
    std::string line;
    std::getline(f, line);
    const auto colon = line.find("spikes:");
    std::istringstream spikes(line.substr(colon + 7));
    double t = 0;
    while (spikes >> t)
        r.spike_stamps.push_back(std::lround(t / 0.05));
    std::getline(f, line); // header
    while (std::getline(f, line)) {
        const auto comma = line.find(',');
        r.v.push_back(std::stod(line.substr(comma + 1)));
    }
    return r;
}

} // namespace

TEST(hh_engine, matches_neuron_through_netstims_receptors_and_iclamp) {
    const auto ref = read_reference();
    ASSERT_EQ(ref.v.size(), 4000u);
    ASSERT_GE(ref.spike_stamps.size(), 3u);

    const auto cfg = laminar::io::parse_config(config, "test.yaml");
    const laminar::comm::context ctx(MPI_COMM_SELF);
    laminar::sim::simulation sim(cfg, ctx, 1);
    std::vector<long> stamps;
    sim.run([&](std::span<const laminar::sim::spike_key> s, laminar::step_type) {
        for (const auto k : s) {
            if (laminar::sim::key_gid(k) == 0) // the cell (sources come after it)
                stamps.push_back(long(laminar::sim::key_stamp(k)));
        }
    });
    EXPECT_EQ(stamps, ref.spike_stamps);
    const auto& v = sim.traces().at(0).data;
    ASSERT_EQ(v.size(), ref.v.size());
    double worst = 0;
    std::size_t where = 0;
    for (std::size_t k = 0; k < v.size(); ++k) {
        const double d = std::abs(double(v[k]) - ref.v[k]);
        if (d > worst) {
            worst = d;
            where = k;
        }
    }
    // Traces are stored as float32: 1e-4 mV is far below any timing error (which moves V by
    // millivolts) and far above float rounding at -80..+50 mV.
    EXPECT_LT(worst, 1e-4) << "at step " << where + 1;
}
