// iaf_psc_exp update in NEST's exact order (models/iaf_psc_exp.cpp of NEST 3.10).
#include "iaf_psc_exp.hpp"

#include <cmath>

#include "laminar/core/time.hpp"
#include "propagators.hpp"

namespace laminar::model {

iaf_psc_exp_group::iaf_psc_exp_group(const iaf_psc_exp_params& p, double dt_ms, std::size_t n)
    : neuron_group(n), E_L_(p.E_L), I_e_(p.I_e), theta_(p.V_th - p.E_L),
      V_reset_(p.V_reset - p.E_L), V_(n, p.V_m - p.E_L), i_ex_(n, 0.0), i_in_(n, 0.0), i_0_(n, 0.0),
      r_(n, 0) {
    const double h = dt_ms;
    // NEST's forms, literally (bitwise agreement).
    P11ex_ = std::exp(-h / p.tau_syn_ex);
    P11in_ = std::exp(-h / p.tau_syn_in);
    P22_ = std::exp(-h / p.tau_m);
    P21ex_ = propagator_vi(p.tau_syn_ex, p.tau_m, p.C_m, h);
    P21in_ = propagator_vi(p.tau_syn_in, p.tau_m, p.C_m, h);
    P20_ = p.tau_m / p.C_m * (1.0 - P22_);
    refractory_counts_ = ms_to_steps_ceil(p.t_ref, dt_ms);
}

void iaf_psc_exp_group::advance(step_type /*L*/, const step_input& in,
                                std::vector<std::uint32_t>& spiked) {
    const std::size_t n = size();
    const double P22 = P22_, P21ex = P21ex_, P21in = P21in_, P20 = P20_, P11ex = P11ex_,
                 P11in = P11in_, I_e = I_e_, theta = theta_, V_reset = V_reset_;
    const std::int64_t R = refractory_counts_;
    double* __restrict V = V_.data();
    double* __restrict i_ex = i_ex_.data();
    double* __restrict i_in = i_in_.data();
    double* __restrict i_0 = i_0_.data();
    std::int64_t* __restrict r = r_.data();
    const double* w_ex = in.w_ex;
    const double* w_in = in.w_in;
    const double* c = in.current;

    for (std::size_t i = 0; i < n; ++i) {
        double v = V[i];
        if (r[i] == 0) {
            v = v * P22 + i_ex[i] * P21ex + i_in[i] * P21in + (I_e + i_0[i]) * P20;
        } else {
            --r[i]; // V stays at V_reset
        }
        // Synaptic currents decay and take this step's input even while refractory. NEST's
        // receptor-1 current term (1 - P11ex)*i_1 is omitted: i_1 is always 0 here.
        i_ex[i] = i_ex[i] * P11ex + w_ex[i];
        i_in[i] = i_in[i] * P11in + w_in[i];
        if (v >= theta) {
            r[i] = R;
            v = V_reset;
            spiked.push_back(static_cast<std::uint32_t>(i));
        }
        V[i] = v;
        i_0[i] = c[i]; // C[L] drives the next update
    }
}

} // namespace laminar::model
