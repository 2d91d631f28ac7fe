// The NetPyNE microcircuit's two cell types (configs/microcircuit/baseline.yaml: PYR, a soma with
// a passive dendrite; INH, a soma only) as hh_neuron parameters, for the tests and benchmarks
// that drive these cells directly. Fields not set keep hh_neuron_params's defaults.
#pragma once

#include <map>
#include <string>

#include "model/hh_neuron.hpp"

namespace laminar::test {

inline model::hh_neuron_params microcircuit_pyr() {
    model::hh_neuron_params p;
    p.soma_diam = 18.8;
    p.soma_L = 18.8;
    p.soma_Ra = 123.0;
    p.gl = 0.001;
    p.el = -70.0;
    p.has_dend = 1.0;
    p.dend_diam = 2.0;
    p.dend_L = 150.0;
    p.dend_Ra = 150.0;
    p.dend_g_pas = 2e-4;
    p.dend_e_pas = -70.0;
    p.exc_tau2 = 1.0;
    p.inh_tau1 = 0.5;
    p.inh_tau2 = 5.0;
    return p;
}

inline model::hh_neuron_params microcircuit_inh() {
    model::hh_neuron_params p;
    p.soma_diam = 16.0;
    p.soma_L = 16.0;
    p.soma_Ra = 125.0;
    p.gnabar = 0.14;
    p.gkbar = 0.045;
    p.gl = 0.00095;
    p.el = -70.0;
    p.has_dend = 0.0;
    p.exc_tau2 = 1.0;
    p.inh_tau1 = 0.5;
    p.inh_tau2 = 5.0;
    return p;
}

/// The parameters as a config's `models.<name>.params` map (for make_group).
inline std::map<std::string, double> as_params_map(const model::hh_neuron_params& p) {
    std::map<std::string, double> m;
    for (const auto& [name, member] : model::hh_neuron_params::fields)
        m[name] = p.*member;
    return m;
}

} // namespace laminar::test
