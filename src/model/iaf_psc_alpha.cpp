// iaf_psc_alpha update in NEST's exact order (models/iaf_psc_alpha.cpp of NEST 3.10).
#include "iaf_psc_alpha.hpp"

#include <cmath>
#include <numbers>

#include "laminar/core/time.hpp"
#include "propagators.hpp"

namespace laminar::model {

iaf_psc_alpha_group::iaf_psc_alpha_group(const iaf_psc_alpha_params& p, double dt_ms, std::size_t n)
    : neuron_group(n), E_L_(p.E_L), I_e_(p.I_e), theta_(p.V_th - p.E_L),
      V_reset_(p.V_reset - p.E_L), V_min_(p.V_min - p.E_L), V_(n, p.V_m - p.E_L), dI_ex_(n, 0.0),
      I_ex_(n, 0.0), dI_in_(n, 0.0), I_in_(n, 0.0), y0_(n, 0.0), r_(n, 0) {
    const double h = dt_ms;
    // NEST's forms, literally (bitwise agreement).
    P11ex_ = P22ex_ = std::exp(-h / p.tau_syn_ex);
    P11in_ = P22in_ = std::exp(-h / p.tau_syn_in);
    expm1_tau_m_ = std::expm1(-h / p.tau_m);
    P30_ = -p.tau_m / p.C_m * std::expm1(-h / p.tau_m);
    P21ex_ = h * P11ex_;
    P21in_ = h * P11in_;
    P31ex_ = propagator_vdi(p.tau_syn_ex, p.tau_m, p.C_m, h);
    P32ex_ = propagator_vi(p.tau_syn_ex, p.tau_m, p.C_m, h);
    P31in_ = propagator_vdi(p.tau_syn_in, p.tau_m, p.C_m, h);
    P32in_ = propagator_vi(p.tau_syn_in, p.tau_m, p.C_m, h);
    epsc_initial_ = 1.0 * std::numbers::e / p.tau_syn_ex;
    ipsc_initial_ = 1.0 * std::numbers::e / p.tau_syn_in;
    refractory_counts_ = ms_to_steps_ceil(p.t_ref, dt_ms);
}

void iaf_psc_alpha_group::advance(step_type /*L*/, const step_input& in,
                                  std::vector<std::uint32_t>& spiked) {
    const std::size_t n = size();
    const double P11ex = P11ex_, P11in = P11in_, P21ex = P21ex_, P21in = P21in_, P22ex = P22ex_,
                 P22in = P22in_, P30 = P30_, P31ex = P31ex_, P31in = P31in_, P32ex = P32ex_,
                 P32in = P32in_, expm1_tau_m = expm1_tau_m_, epsc = epsc_initial_,
                 ipsc = ipsc_initial_, I_e = I_e_, theta = theta_, V_reset = V_reset_,
                 V_min = V_min_;
    const std::int64_t R = refractory_counts_;
    double* __restrict V = V_.data();
    double* __restrict dI_ex = dI_ex_.data();
    double* __restrict I_ex = I_ex_.data();
    double* __restrict dI_in = dI_in_.data();
    double* __restrict I_in = I_in_.data();
    double* __restrict y0 = y0_.data();
    std::int64_t* __restrict r = r_.data();
    const double* w_ex = in.w_ex;
    const double* w_in = in.w_in;
    const double* c = in.current;

    for (std::size_t i = 0; i < n; ++i) {
        double v = V[i];
        if (r[i] == 0) {
            // NEST's summation order; V propagates as expm1(-h/tau_m)*V + V, not P33*V.
            v = P30 * (y0[i] + I_e) + P31ex * dI_ex[i] + P32ex * I_ex[i] + P31in * dI_in[i] +
                P32in * I_in[i] + expm1_tau_m * v + v;
            v = v < V_min ? V_min : v;
        } else {
            --r[i]; // V stays at V_reset
        }
        // Synaptic states integrate and take input even while refractory; the e/tau scaling
        // applies to the summed slot.
        I_ex[i] = P21ex * dI_ex[i] + P22ex * I_ex[i];
        dI_ex[i] = dI_ex[i] * P11ex + epsc * w_ex[i];
        I_in[i] = P21in * dI_in[i] + P22in * I_in[i];
        dI_in[i] = dI_in[i] * P11in + ipsc * w_in[i];
        if (v >= theta) {
            r[i] = R;
            v = V_reset;
            spiked.push_back(static_cast<std::uint32_t>(i));
        }
        V[i] = v;
        y0[i] = c[i]; // C[L] drives the next update
    }
}

} // namespace laminar::model
