// iaf_psc_delta: leaky integrate-and-fire with delta synapses (spikes jump V by w mV), NEST 3.10
// exact integration and order of operations (MODEL_EQUATIONS.md 2.1-2.3).
#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

#include "laminar/model/neuron_group.hpp"

namespace laminar::model {

/// Parameters in NEST names and units (mV, pF, ms, pA), absolute potentials.
struct iaf_psc_delta_params {
    double E_L = -70.0;
    double C_m = 250.0;
    double tau_m = 10.0;
    double t_ref = 2.0;
    double V_th = -55.0;
    double V_reset = -70.0;
    double I_e = 0.0;
    double V_m = -70.0; // initial membrane potential, whatever E_L is (as in NEST)
    double V_min = -std::numeric_limits<double>::infinity(); // -inf: no lower bound
    double refractory_input = 0.0; // 0/1: accumulate input arriving while refractory

    using field = std::pair<const char*, double iaf_psc_delta_params::*>;
    static constexpr std::array<field, 10> fields = {{
        {"E_L", &iaf_psc_delta_params::E_L},
        {"C_m", &iaf_psc_delta_params::C_m},
        {"tau_m", &iaf_psc_delta_params::tau_m},
        {"t_ref", &iaf_psc_delta_params::t_ref},
        {"V_th", &iaf_psc_delta_params::V_th},
        {"V_reset", &iaf_psc_delta_params::V_reset},
        {"I_e", &iaf_psc_delta_params::I_e},
        {"V_m", &iaf_psc_delta_params::V_m},
        {"V_min", &iaf_psc_delta_params::V_min},
        {"refractory_input", &iaf_psc_delta_params::refractory_input},
    }};
};

class iaf_psc_delta_group final : public neuron_group {
public:
    iaf_psc_delta_group(const iaf_psc_delta_params& p, double dt_ms, std::size_t n);

    void advance(step_type L, const step_input& in, std::vector<std::uint32_t>& spiked) override;
    double v_m(std::size_t i) const override { return y_[i] + E_L_; }

private:
    template <bool RefractoryInput>
    void advance_impl(const step_input& in, std::vector<std::uint32_t>& spiked);

    // Parameters relative to E_L, as NEST stores them.
    double E_L_, I_e_, theta_, V_reset_, V_min_;
    double h_, tau_m_;
    bool refractory_input_;
    // Propagators.
    double P33_, P30_;
    std::int64_t refractory_counts_;
    // State, one entry per cell.
    std::vector<double> y_;                 // V - E_L (mV)
    std::vector<double> y0_;                // current input C[L-1] (pA)
    std::vector<std::int64_t> r_;           // refractory steps left
    std::vector<double> refractory_spikes_; // accumulator (refractory_input only)
};

} // namespace laminar::model
