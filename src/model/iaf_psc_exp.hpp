// iaf_psc_exp: leaky integrate-and-fire with exponential PSCs (w in pA), NEST 3.10 exact
// integration and order of operations (MODEL_EQUATIONS.md 2.1-2.3).
#pragma once

#include <array>
#include <cstdint>
#include <utility>
#include <vector>

#include "laminar/model/neuron_group.hpp"

namespace laminar::model {

/// Parameters in NEST names and units (mV, pF, ms, pA), absolute potentials.
struct iaf_psc_exp_params {
    double E_L = -70.0;
    double C_m = 250.0;
    double tau_m = 10.0;
    double t_ref = 2.0;
    double V_th = -55.0;
    double V_reset = -70.0;
    double I_e = 0.0;
    double V_m = -70.0; // initial membrane potential, whatever E_L is (as in NEST)
    double tau_syn_ex = 2.0;
    double tau_syn_in = 2.0;

    using field = std::pair<const char*, double iaf_psc_exp_params::*>;
    static constexpr std::array<field, 10> fields = {{
        {"E_L", &iaf_psc_exp_params::E_L},
        {"C_m", &iaf_psc_exp_params::C_m},
        {"tau_m", &iaf_psc_exp_params::tau_m},
        {"t_ref", &iaf_psc_exp_params::t_ref},
        {"V_th", &iaf_psc_exp_params::V_th},
        {"V_reset", &iaf_psc_exp_params::V_reset},
        {"I_e", &iaf_psc_exp_params::I_e},
        {"V_m", &iaf_psc_exp_params::V_m},
        {"tau_syn_ex", &iaf_psc_exp_params::tau_syn_ex},
        {"tau_syn_in", &iaf_psc_exp_params::tau_syn_in},
    }};
};

class iaf_psc_exp_group final : public neuron_group {
public:
    iaf_psc_exp_group(const iaf_psc_exp_params& p, double dt_ms, std::size_t n);

    void advance(step_type L, const step_input& in, std::vector<std::uint32_t>& spiked) override;
    double v_m(std::size_t i) const override { return V_[i] + E_L_; }

private:
    // Parameters relative to E_L, as NEST stores them.
    double E_L_, I_e_, theta_, V_reset_;
    // Propagators.
    double P22_, P11ex_, P11in_, P21ex_, P21in_, P20_;
    std::int64_t refractory_counts_;
    // State, one entry per cell.
    std::vector<double> V_;       // V - E_L (mV)
    std::vector<double> i_ex_;    // excitatory synaptic current (pA)
    std::vector<double> i_in_;    // inhibitory synaptic current (pA)
    std::vector<double> i_0_;     // current input C[L-1] (pA)
    std::vector<std::int64_t> r_; // refractory steps left
};

} // namespace laminar::model
