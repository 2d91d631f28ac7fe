// iaf_psc_delta update in NEST's exact order (models/iaf_psc_delta.cpp of NEST 3.10).
#include "iaf_psc_delta.hpp"

#include <cmath>

#include "laminar/core/time.hpp"

namespace laminar::model {

iaf_psc_delta_group::iaf_psc_delta_group(const iaf_psc_delta_params& p, double dt_ms, std::size_t n)
    : neuron_group(n), E_L_(p.E_L), I_e_(p.I_e), theta_(p.V_th - p.E_L),
      V_reset_(p.V_reset - p.E_L), V_min_(p.V_min - p.E_L), h_(dt_ms), tau_m_(p.tau_m),
      refractory_input_(p.refractory_input != 0.0), y_(n, p.V_m - p.E_L), y0_(n, 0.0), r_(n, 0),
      refractory_spikes_(refractory_input_ ? n : 0, 0.0) {
    // NEST's forms, literally (bitwise agreement).
    P33_ = std::exp(-h_ / p.tau_m);
    P30_ = 1 / p.C_m * (1 - P33_) * p.tau_m;
    refractory_counts_ = ms_to_steps_ceil(p.t_ref, dt_ms);
}

void iaf_psc_delta_group::advance(step_type /*L*/, const step_input& in,
                                  std::vector<std::uint32_t>& spiked) {
    if (refractory_input_) {
        advance_impl<true>(in, spiked);
    } else {
        advance_impl<false>(in, spiked);
    }
}

template <bool RefractoryInput>
void iaf_psc_delta_group::advance_impl(const step_input& in, std::vector<std::uint32_t>& spiked) {
    const std::size_t n = size();
    const double P30 = P30_, P33 = P33_, I_e = I_e_, theta = theta_, V_reset = V_reset_,
                 V_min = V_min_;
    const std::int64_t R = refractory_counts_;
    double* __restrict y = y_.data();
    double* __restrict y0 = y0_.data();
    std::int64_t* __restrict r = r_.data();
    double* __restrict acc = refractory_spikes_.data();
    const double* w = in.w_ex;
    const double* c = in.current;

    for (std::size_t i = 0; i < n; ++i) {
        double v = y[i];
        if (r[i] == 0) {
            // The jump of this step's input lands before the threshold test.
            v = P30 * (y0[i] + I_e) + P33 * v + w[i];
            if constexpr (RefractoryInput) {
                if (acc[i] != 0.0) {
                    v += acc[i];
                    acc[i] = 0.0;
                }
            }
            v = v < V_min ? V_min : v;
        } else {
            // Input arriving while refractory is discarded, or (refractory_input) kept,
            // discounted by its decay until the end of the refractory period.
            if constexpr (RefractoryInput) {
                acc[i] += w[i] * std::exp(static_cast<double>(-r[i]) * h_ / tau_m_);
            }
            --r[i];
        }
        if (v >= theta) {
            r[i] = R;
            v = V_reset;
            spiked.push_back(static_cast<std::uint32_t>(i));
        }
        y[i] = v;
        // C[L] drives the next update.
        y0[i] = c[i];
    }
}

} // namespace laminar::model
