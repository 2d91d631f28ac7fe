// NEST's P_VI and P_VdI, computed in NEST's floating-point order: inverses are formed first
// and multiplied, as libnestutil/iaf_propagator.cpp does, so the values agree bit for bit.
#include "propagators.hpp"

#include <cmath>

namespace laminar::model {

namespace {

// Below h = 1e-7 * tau_m^2 / |tau_m - tau_syn| the regular P_VdI loses all precision.
constexpr double stability_factor = 1e-7;

struct propagator_terms {
    double gamma;         // beta / C, +inf when tau_m == tau_syn
    double beta;          // tau_syn*tau_m/(tau_m - tau_syn)
    double exp_h_tau_syn; // exp(-h/tau_syn)
    double expm1_h_beta;  // expm1(h/beta), with 1/beta formed explicitly (0 when tau_m == tau_syn)
    double inv_c_m;
    double inv_tau_m;
};

propagator_terms terms(double tau_syn, double tau_m, double c_m, double h) {
    propagator_terms t{};
    t.beta = tau_syn * tau_m / (tau_m - tau_syn);
    t.gamma = t.beta / c_m;
    const double inv_tau_syn = 1 / tau_syn;
    t.inv_tau_m = 1 / tau_m;
    t.inv_c_m = 1 / c_m;
    const double inv_beta = (tau_m - tau_syn) / (tau_syn * tau_m);
    t.exp_h_tau_syn = std::exp(-h * inv_tau_syn);
    t.expm1_h_beta = std::expm1(h * inv_beta);
    return t;
}

} // namespace

double propagator_vi(double tau_syn_ms, double tau_m_ms, double c_m_pf, double h_ms) {
    const propagator_terms t = terms(tau_syn_ms, tau_m_ms, c_m_pf, h_ms);
    const double regular = t.gamma * t.exp_h_tau_syn * t.expm1_h_beta;
    // tau_m == tau_syn gives inf*0 = NaN; tau_m close to tau_syn gives 0 or a subnormal.
    if (std::isnormal(regular) && regular > 0)
        return regular;
    return h_ms * t.inv_c_m * std::exp(-h_ms * t.inv_tau_m);
}

double propagator_vdi(double tau_syn_ms, double tau_m_ms, double c_m_pf, double h_ms) {
    const propagator_terms t = terms(tau_syn_ms, tau_m_ms, c_m_pf, h_ms);
    const double h_min_regular =
        stability_factor * tau_m_ms * tau_m_ms / std::abs(tau_m_ms - tau_syn_ms);
    if (h_ms > h_min_regular)
        return t.gamma * t.exp_h_tau_syn * (t.beta * t.expm1_h_beta - h_ms);
    return 0.5 * h_ms * h_ms * t.inv_c_m * std::exp(-h_ms * t.inv_tau_m);
}

} // namespace laminar::model
