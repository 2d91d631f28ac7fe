// iaf_psc_alpha against analytic solutions, with NEST's timing: a spike read in update L enters
// dI at t_{L+1} (scaled by e/tau_syn, so a weight w gives a PSC of peak w) and moves V from
// t_{L+2}; C[L] drives update L+1; synaptic input arriving while refractory is kept.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <numbers>
#include <string>
#include <vector>

#include "group_driver.hpp"
#include "laminar/core/error.hpp"
#include "laminar/model/neuron_group.hpp"

namespace {

struct driver : laminar::test::group_driver {
    driver(const std::map<std::string, double>& params, double dt, std::size_t n)
        : group_driver("iaf_psc_alpha", params, dt, n) {}
};

constexpr double tol = 1e-12;
constexpr double C = 250.0, tau_m = 10.0, E_L = -70.0;

// Membrane response s ms after the synaptic state was (I0 pA, dI0 pA/ms) with V at rest:
// I(u) = (I0 + dI0 u) e^{-u/ts}, V = (1/C) int_0^s I(u) e^{-(s-u)/tau_m} du.
double alpha_response(double I0, double dI0, double ts, double s) {
    const double k = 1.0 / ts - 1.0 / tau_m;
    if (k == 0.0)
        return std::exp(-s / tau_m) / C * (I0 * s + dI0 * s * s / 2.0);
    const double int0 = (1.0 - std::exp(-k * s)) / k;                       // int e^{-ku}
    const double int1 = (1.0 - std::exp(-k * s) * (1.0 + k * s)) / (k * k); // int u e^{-ku}
    return std::exp(-s / tau_m) / C * (I0 * int0 + dI0 * int1);
}

// PSP of one spike of weight w (the PSC peak, pA) s ms after it entered the state.
double alpha_psp(double w, double ts, double s) {
    return alpha_response(0.0, w * std::numbers::e / ts, ts, s);
}

} // namespace

TEST(iaf_psc_alpha, RegistryDefaults) {
    const auto* info = laminar::model::find_model("iaf_psc_alpha");
    ASSERT_NE(info, nullptr);
    EXPECT_FALSE(info->single_channel);
    const std::map<std::string, double> d(info->defaults.begin(), info->defaults.end());
    const std::map<std::string, double> nest = {
        {"E_L", -70.0},      {"C_m", 250.0},      {"tau_m", 10.0},     {"t_ref", 2.0},
        {"V_th", -55.0},     {"V_reset", -70.0},  {"I_e", 0.0},        {"V_m", -70.0},
        {"tau_syn_ex", 2.0}, {"tau_syn_in", 2.0}, {"V_min", -INFINITY}};
    EXPECT_EQ(d, nest);
}

TEST(iaf_psc_alpha, ValidateParams) {
    using laminar::model::validate_params;
    EXPECT_EQ(validate_params("iaf_psc_alpha", {{"tau_syn_in", 10.0}, {"V_min", -90.0}}), "");
    const std::string unknown = validate_params("iaf_psc_alpha", {{"tau_x", 1.0}});
    EXPECT_EQ(unknown.rfind("unknown parameter 'tau_x' for model iaf_psc_alpha; known: E_L, ", 0),
              0u)
        << unknown;
    EXPECT_NE(unknown.find("tau_syn_in"), std::string::npos);
    EXPECT_EQ(validate_params("iaf_psc_alpha", {{"V_reset", -50.0}}),
              "V_reset (-50) must be below V_th (-55)");
    EXPECT_EQ(validate_params("iaf_psc_alpha", {{"V_th", -80.0}}),
              "V_reset (-70) must be below V_th (-80)");
    EXPECT_NE(validate_params("iaf_psc_alpha", {{"tau_syn_ex", 0.0}}).find("tau_syn_ex"),
              std::string::npos);
    EXPECT_NE(validate_params("iaf_psc_alpha", {{"C_m", -250.0}}).find("C_m"), std::string::npos);
    EXPECT_NE(validate_params("iaf_psc_alpha", {{"t_ref", -1.0}}).find("t_ref"), std::string::npos);
    EXPECT_NE(validate_params("iaf_psc_alpha", {{"E_L", NAN}}).find("E_L"), std::string::npos);
}

TEST(iaf_psc_alpha, CurrentStepDrivesTheNextUpdate) {
    laminar::test::expect_current_step_drives_the_next_update("iaf_psc_alpha");
}

TEST(iaf_psc_alpha, PscResponse) {
    const double h = 0.1, w = 100.0;
    driver d({}, h, 1);
    for (int L = 0; L < 5; ++L)
        d.step();
    d.w_ex[0] = w;
    d.step();
    EXPECT_EQ(d.group->v_m(0), E_L);
    double peak = E_L;
    for (int k = 7; k <= 500; ++k) {
        d.step();
        EXPECT_NEAR(d.group->v_m(0), E_L + alpha_psp(w, 2.0, (k - 6) * h), tol) << k;
        peak = std::max(peak, d.group->v_m(0));
    }
    EXPECT_GT(peak, E_L + 0.1); // a visible PSP, not a vacuous comparison
}

TEST(iaf_psc_alpha, PscResponseSingularTauSynEqualsTauM) {
    const double h = 0.1, w = 100.0;
    driver d({{"tau_syn_ex", tau_m}, {"tau_syn_in", tau_m}}, h, 2);
    d.w_ex = {w, 0.0};
    d.w_in = {0.0, -w};
    d.step();
    for (int k = 2; k <= 500; ++k) {
        d.step();
        EXPECT_NEAR(d.group->v_m(0), E_L + alpha_psp(w, tau_m, (k - 1) * h), tol) << k;
        EXPECT_NEAR(d.group->v_m(1), E_L + alpha_psp(-w, tau_m, (k - 1) * h), tol) << k;
    }
}

TEST(iaf_psc_alpha, PscResponseNearlySingular) {
    // tau_syn within 1e-9 of tau_m: the propagators switch forms (P_VdI singular, P_VI regular)
    // and must still agree with the limit tau_syn == tau_m to the size of the perturbation.
    const double h = 0.1, w = 100.0, ts = tau_m * (1.0 + 1e-9);
    driver d({{"tau_syn_ex", ts}}, h, 1);
    d.w_ex[0] = w;
    d.step();
    for (int k = 2; k <= 500; ++k) {
        d.step();
        EXPECT_NEAR(d.group->v_m(0), E_L + alpha_psp(w, tau_m, (k - 1) * h), 1e-8) << k;
    }
}

TEST(iaf_psc_alpha, NegativeWeightsGoThroughTheInhibitoryChannel) {
    const double h = 0.1, w = -80.0;
    driver d({{"tau_syn_ex", 2.0}, {"tau_syn_in", 5.0}}, h, 1);
    d.w_in[0] = w;
    d.step();
    for (int k = 2; k <= 300; ++k) {
        d.step();
        EXPECT_NEAR(d.group->v_m(0), E_L + alpha_psp(w, 5.0, (k - 1) * h), tol) << k;
        EXPECT_LT(d.group->v_m(0), E_L);
    }
}

TEST(iaf_psc_alpha, RefractoryPeriodKeepsSynapticInput) {
    // Spike in update 0 (V_m starts above threshold), V_reset held for t_1 .. t_21. Cell 1
    // receives 200 pA in update 10; its alpha current keeps evolving while V is clamped.
    const double h = 0.1, V_reset = -75.0, w = 200.0, ts = 2.0;
    driver d({{"V_m", -54.0}, {"V_reset", V_reset}}, h, 2);
    EXPECT_EQ(d.step(), (std::vector<std::uint32_t>{0, 1}));
    for (int k = 2; k <= 21; ++k) {
        if (k == 11)
            d.w_ex[1] = w;
        EXPECT_TRUE(d.step().empty());
        EXPECT_EQ(d.group->v_m(0), V_reset) << k;
        EXPECT_EQ(d.group->v_m(1), V_reset) << k;
    }
    // Synaptic state at t_21, 1 ms after the input entered it at t_11.
    const double A = w * std::numbers::e / ts, u0 = (21 - 11) * h;
    const double dI0 = A * std::exp(-u0 / ts), I0 = A * u0 * std::exp(-u0 / ts);
    for (int k = 22; k <= 200; ++k) {
        d.step();
        const double s = (k - 21) * h;
        const double relax = E_L + (V_reset - E_L) * std::exp(-s / tau_m);
        EXPECT_NEAR(d.group->v_m(0), relax, tol) << k;
        EXPECT_NEAR(d.group->v_m(1), relax + alpha_response(I0, dI0, ts, s), tol) << k;
    }
}

TEST(iaf_psc_alpha, VminBoundsV) {
    driver d({{"V_min", -71.0}}, 0.1, 1);
    d.w_in[0] = -5000.0;
    d.step();
    for (int k = 0; k < 30; ++k) {
        d.step();
        EXPECT_GE(d.group->v_m(0), -71.0 - tol);
    }
    EXPECT_NEAR(d.group->v_m(0), -71.0, tol);
}

TEST(iaf_psc_alpha, Rheobase) {
    const double h = 0.1, I_th = C * 15.0 / tau_m;
    driver above({{"I_e", I_th * 1.0001}}, h, 1);
    driver below({{"I_e", I_th * 0.9999}}, h, 1);
    int first = -1;
    for (int L = 0; L < 50000; ++L) {
        if (!above.step().empty() && first < 0)
            first = L + 1;
        ASSERT_TRUE(below.step().empty()) << L;
    }
    const double t_star = -tau_m * std::log(1.0 - 1.0 / 1.0001);
    EXPECT_EQ(first, static_cast<int>(std::ceil(t_star / h)));
}
