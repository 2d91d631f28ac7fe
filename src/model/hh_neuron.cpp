// hh_neuron: NEURON 8.2.2's fixed step (secondorder 0) for a soma with hh and an optional
// passive dendrite, written out in MODEL_EQUATIONS.md 4-6. One update L carries t_L to t_{L+1}:
//   currents at v(t_L) (conductance slopes by a 0.001 mV difference, IClamp at the midpoint),
//   backward-Euler solve of the soma (and dend) voltage, gates and synapses by cnexp at the new
//   v, then the events whose arrival is t_{L+1} are added to the Exp2Syn states, and the soma
//   voltage is checked against the NetCon threshold.
#include "hh_neuron.hpp"

#include <cmath>
#include <numbers>
#include <string>

#include <fmt/format.h>

namespace laminar::model {

namespace {

// hh.mod's vtrap: x/(exp(x/y) - 1), with its first-order expansion near x = 0.
double vtrap(double x, double y) {
    if (std::fabs(x / y) < 1e-6)
        return y * (1.0 - x / y / 2.0);
    return x / (std::exp(x / y) - 1.0);
}

// Exp2Syn's INITIAL: the clamped tau1 and the factor that makes a weight the conductance peak.
struct exp2syn_constants {
    double factor, decay1, decay2;
};

exp2syn_constants exp2syn(double tau1, double tau2, double dt) {
    if (tau1 / tau2 > 0.9999)
        tau1 = 0.9999 * tau2;
    if (tau1 / tau2 < 1e-9)
        tau1 = tau2 * 1e-9;
    const double tp = (tau1 * tau2) / (tau2 - tau1) * std::log(tau2 / tau1);
    double factor = -std::exp(-tp / tau1) + std::exp(-tp / tau2);
    factor = 1.0 / factor;
    // cnexp of A' = -A/tau: A <- A + (1 - exp(dt*(-1/tau)))*(-A).
    return {factor, 1.0 - std::exp(dt * ((-1.0) / tau1)), 1.0 - std::exp(dt * ((-1.0) / tau2))};
}

// NEURON's half-segment axial resistance of a one-segment section, MΩ.
double r_half(double Ra, double L, double diam) {
    return 1e-2 * Ra * (L / 2.0) / (std::numbers::pi * diam * diam / 4.0);
}

} // namespace

std::string hh_neuron_params::validate() const {
    for (const auto& [name, member] : fields) {
        if (!std::isfinite(this->*member))
            return fmt::format("{} must be a finite number (got {})", name, this->*member);
    }
    for (const auto& [name, x] : {std::pair<const char*, double>{"soma_diam", soma_diam},
                                  {"soma_L", soma_L},
                                  {"soma_cm", soma_cm},
                                  {"soma_Ra", soma_Ra},
                                  {"dend_diam", dend_diam},
                                  {"dend_L", dend_L},
                                  {"dend_cm", dend_cm},
                                  {"dend_Ra", dend_Ra},
                                  {"exc_tau1", exc_tau1},
                                  {"exc_tau2", exc_tau2},
                                  {"inh_tau1", inh_tau1},
                                  {"inh_tau2", inh_tau2}}) {
        if (!(x > 0.0))
            return fmt::format("{} ({}) must be positive", name, x);
    }
    for (const auto& [name, x] : {std::pair<const char*, double>{"gnabar", gnabar},
                                  {"gkbar", gkbar},
                                  {"gl", gl},
                                  {"dend_g_pas", dend_g_pas}}) {
        if (x < 0.0)
            return fmt::format("{} ({}) must not be negative", name, x);
    }
    if (has_dend != 0.0 && has_dend != 1.0)
        return fmt::format("has_dend ({}) must be 0 or 1", has_dend);
    if (v_init > threshold)
        return fmt::format("v_init ({}) must not be above threshold ({}): NEURON would report a "
                           "spike at t = 0",
                           v_init, threshold);
    return {};
}

// ---------------------------------------------------------------------------------------------

void hh_rate_table::rates(double v, double celsius, double out[6]) noexcept {
    const double q10 = std::pow(3.0, (celsius - 6.3) / 10.0);
    double alpha = 0.1 * vtrap(-(v + 40.0), 10.0);
    double beta = 4.0 * std::exp(-(v + 65.0) / 18.0);
    double sum = alpha + beta;
    out[1] = 1.0 / (q10 * sum);
    out[0] = alpha / sum;
    alpha = 0.07 * std::exp(-(v + 65.0) / 20.0);
    beta = 1.0 / (std::exp(-(v + 35.0) / 10.0) + 1.0);
    sum = alpha + beta;
    out[3] = 1.0 / (q10 * sum);
    out[2] = alpha / sum;
    alpha = 0.01 * vtrap(-(v + 55.0), 10.0);
    beta = 0.125 * std::exp(-(v + 65.0) / 80.0);
    sum = alpha + beta;
    out[5] = 1.0 / (q10 * sum);
    out[4] = alpha / sum;
}

hh_rate_table::hh_rate_table(double celsius) {
    // nocmodl's loop: x from -100 in steps of (100 - -100)/200 = 1 (exact in doubles).
    const double dx = (100.0 - -100.0) / 200.0;
    double x = -100.0;
    for (int i = 0; i < points; x += dx, ++i)
        rates(x, celsius, &t[std::size_t(6 * i)]);
}

void hh_rate_table::lookup(double v, double out[6]) const noexcept {
    const double xi = 1.0 * (v - -100.0);
    if (std::isnan(xi)) {
        for (int k = 0; k < 6; ++k)
            out[k] = xi;
        return;
    }
    if (xi <= 0.0) {
        for (int k = 0; k < 6; ++k)
            out[k] = t[std::size_t(k)];
        return;
    }
    if (xi >= 200.0) {
        for (int k = 0; k < 6; ++k)
            out[k] = t[std::size_t(6 * 200 + k)];
        return;
    }
    const int i = int(xi);
    const double theta = xi - double(i);
    const double* a = &t[std::size_t(6 * i)];
    for (int k = 0; k < 6; ++k)
        out[k] = a[k] + theta * (a[k + 6] - a[k]);
}

// ---------------------------------------------------------------------------------------------

hh_neuron_group::hh_neuron_group(const hh_neuron_params& p, double dt_ms, std::size_t n)
    : neuron_group(n), dt_(dt_ms), dend_(p.has_dend != 0.0), table_(p.celsius), v_s_(n, p.v_init),
      v_d_(n, p.v_init), m_(n), h_(n), n_(n), above_(n, 0) {
    const double area_s = std::numbers::pi * p.soma_diam * p.soma_L; // µm²
    const double area_d = std::numbers::pi * p.dend_diam * p.dend_L;
    cfac_s_ = 0.001 / dt_ms * p.soma_cm;
    cfac_d_ = 0.001 / dt_ms * p.dend_cm;
    to_dens_s_ = 1.e2 / area_s;
    to_dens_d_ = 1.e2 / area_d;
    // dend(0) sits on the soma(1) junction: the soma centre reaches the dend centre through
    // both half-segment resistances in series; the junction is eliminated exactly.
    const double g_sd = 1.0 / (r_half(p.soma_Ra, p.soma_L, p.soma_diam) +
                               r_half(p.dend_Ra, p.dend_L, p.dend_diam)); // µS
    a_s_ = dend_ ? 100.0 * g_sd / area_s : 0.0;
    a_d_ = dend_ ? 100.0 * g_sd / area_d : 0.0;
    gnabar_ = p.gnabar;
    gkbar_ = p.gkbar;
    gl_ = p.gl;
    el_ = p.el;
    ena_ = p.ena;
    ek_ = p.ek;
    g_pas_ = p.dend_g_pas;
    e_pas_ = p.dend_e_pas;
    thr_ = p.threshold;
    const auto exc = exp2syn(p.exc_tau1, p.exc_tau2, dt_ms);
    const auto inh = exp2syn(p.inh_tau1, p.inh_tau2, dt_ms);
    for (std::size_t k = 0; k < 4; ++k) {
        const auto& c = k % 2 == 0 ? exc : inh;
        factor_[k] = c.factor;
        decay1_[k] = c.decay1;
        decay2_[k] = c.decay2;
        e_syn_[k] = k % 2 == 0 ? p.exc_e : p.inh_e;
        A_[k].assign(n, 0.0);
        B_[k].assign(n, 0.0);
    }
    // hh INITIAL: gates at steady state for v_init, from the table.
    double r[6];
    table_.lookup(p.v_init, r);
    for (std::size_t i = 0; i < n; ++i) {
        m_[i] = r[0];
        h_[i] = r[2];
        n_[i] = r[4];
    }
}

void hh_neuron_group::advance(step_type /*L*/, const step_input& in,
                              std::vector<std::uint32_t>& spiked) {
    const std::size_t n = size();
    const double dt = dt_, cfac_s = cfac_s_, cfac_d = cfac_d_, a_s = a_s_, a_d = a_d_,
                 dens_s = to_dens_s_, dens_d = to_dens_d_, gnabar = gnabar_, gkbar = gkbar_,
                 gl = gl_, el = el_, ena = ena_, ek = ek_, g_pas = g_pas_, e_pas = e_pas_,
                 thr = thr_;
    const double e0 = e_syn_[0], e1 = e_syn_[1], e2 = e_syn_[2], e3 = e_syn_[3];
    double* __restrict vs_ = v_s_.data();
    double* __restrict vd_ = v_d_.data();
    double* __restrict m_a = m_.data();
    double* __restrict h_a = h_.data();
    double* __restrict n_a = n_.data();
    double* __restrict A0 = A_[0].data();
    double* __restrict A1 = A_[1].data();
    double* __restrict A2 = A_[2].data();
    double* __restrict A3 = A_[3].data();
    double* __restrict B0 = B_[0].data();
    double* __restrict B1 = B_[1].data();
    double* __restrict B2 = B_[2].data();
    double* __restrict B3 = B_[3].data();
    std::uint8_t* __restrict above = above_.data();
    const double* w0 = in.w_ex;
    const double* w1 = in.w_in;
    const double* w2 = in.w_more[0];
    const double* w3 = in.w_more[1];
    const double* c = in.current;
    const hh_rate_table& table = table_;

    // A point process's current i(v) = g (v - e) and its numerical slope, as nocmodl's
    // nrn_cur writes them (slope first at v + 0.001, both scaled to density by 100/area).
    auto syn = [](double g, double e, double v, double dens, double& rhs, double& d) {
        const double i1 = g * (v + .001 - e);
        const double i0 = g * (v - e);
        double slope = (i1 - i0) / .001;
        slope *= dens;
        rhs -= i0 * dens;
        d += slope;
    };

    for (std::size_t i = 0; i < n; ++i) {
        const double vs = vs_[i];
        // --- currents at v(t_L) ---
        const double mm = m_a[i], hh = h_a[i], nn = n_a[i];
        const double gna = gnabar * mm * mm * mm * hh;
        const double gk = gkbar * nn * nn * nn * nn;
        auto hh_current = [&](double v) {
            double cur = 0.0;
            cur += gna * (v - ena);
            cur += gk * (v - ek);
            cur += gl * (v - el);
            return cur;
        };
        const double i_hi = hh_current(vs + .001);
        const double i_hh = hh_current(vs);
        double d_s = (i_hi - i_hh) / .001;
        double rhs_s = -i_hh;
        syn(B0[i] - A0[i], e0, vs, dens_s, rhs_s, d_s);
        syn(B1[i] - A1[i], e1, vs, dens_s, rhs_s, d_s);
        // IClamp (an electrode current, nA; the config gives pA): +100 i / area.
        rhs_s += (c[i] / 1000.0) * dens_s;
        d_s += cfac_s;

        double vs_new;
        if (dend_) {
            const double vd = vd_[i];
            const double ip1 = g_pas * (vd + .001 - e_pas);
            const double ip0 = g_pas * (vd - e_pas);
            double d_d = (ip1 - ip0) / .001;
            double rhs_d = -ip0;
            syn(B2[i] - A2[i], e2, vd, dens_d, rhs_d, d_d);
            syn(B3[i] - A3[i], e3, vd, dens_d, rhs_d, d_d);
            d_d += cfac_d;
            // Axial terms, then the 2x2 system solved by eliminating the leaf (dend) first.
            rhs_s += a_s * (vd - vs);
            rhs_d += a_d * (vs - vd);
            d_s += a_s;
            d_d += a_d;
            const double p = a_s / d_d;
            const double dvs = (rhs_s + p * rhs_d) / (d_s - p * a_d);
            const double dvd = (rhs_d + a_d * dvs) / d_d;
            vs_new = vs + dvs;
            vd_[i] = vd + dvd;
        } else {
            vs_new = vs + rhs_s / d_s;
        }
        vs_[i] = vs_new;

        // --- states at v(t_{L+1}): hh gates by cnexp from the rate table ---
        double r[6];
        table.lookup(vs_new, r);
        m_a[i] =
            mm + (1. - std::exp(dt * ((-1.0) / r[1]))) * (-(r[0] / r[1]) / ((-1.0) / r[1]) - mm);
        h_a[i] =
            hh + (1. - std::exp(dt * ((-1.0) / r[3]))) * (-(r[2] / r[3]) / ((-1.0) / r[3]) - hh);
        n_a[i] =
            nn + (1. - std::exp(dt * ((-1.0) / r[5]))) * (-(r[4] / r[5]) / ((-1.0) / r[5]) - nn);

        // Exp2Syn decay, then the events arriving at t_{L+1} (NET_RECEIVE: A, B += w factor).
        A0[i] += decay1_[0] * (-A0[i]);
        B0[i] += decay2_[0] * (-B0[i]);
        A1[i] += decay1_[1] * (-A1[i]);
        B1[i] += decay2_[1] * (-B1[i]);
        double we = w0[i], wi = w1[i];
        if (dend_) {
            A2[i] += decay1_[2] * (-A2[i]);
            B2[i] += decay2_[2] * (-B2[i]);
            A3[i] += decay1_[3] * (-A3[i]);
            B3[i] += decay2_[3] * (-B3[i]);
            if (w2 != nullptr) {
                A2[i] += w2[i] * factor_[2];
                B2[i] += w2[i] * factor_[2];
            }
            if (w3 != nullptr) {
                A3[i] += w3[i] * factor_[3];
                B3[i] += w3[i] * factor_[3];
            }
        } else {
            // No dendrite: dendrite-targeted synapses sit on the soma (same kinetics).
            if (w2 != nullptr)
                we += w2[i];
            if (w3 != nullptr)
                wi += w3[i];
        }
        A0[i] += we * factor_[0];
        B0[i] += we * factor_[0];
        A1[i] += wi * factor_[1];
        B1[i] += wi * factor_[1];

        // NetCon: an upward crossing of the threshold, seen at the first grid point above it.
        if (vs_new > thr) {
            if (above[i] == 0) {
                above[i] = 1;
                spiked.push_back(static_cast<std::uint32_t>(i));
            }
        } else {
            above[i] = 0;
        }
    }
}

} // namespace laminar::model
