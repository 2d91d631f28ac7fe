// iaf_psc_exp against analytic solutions, with NEST's timing: a spike read in update L enters
// i_syn at t_{L+1} and moves V from t_{L+2}; C[L] drives update L+1; synaptic input arriving
// while refractory is kept.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "group_driver.hpp"
#include "laminar/core/error.hpp"
#include "laminar/model/neuron_group.hpp"

namespace {

struct driver : laminar::test::group_driver {
    driver(const std::map<std::string, double>& params, double dt, std::size_t n)
        : group_driver("iaf_psc_exp", params, dt, n) {}
};

constexpr double tol = 1e-12;
constexpr double C = 250.0, tau_m = 10.0, E_L = -70.0;

// Membrane response to a current w*exp(-s/ts) switched on at s = 0 (pA, ms, mV).
double exp_psp(double w, double ts, double s) {
    if (ts == tau_m)
        return w / C * s * std::exp(-s / tau_m);
    return w / C * ts * tau_m / (tau_m - ts) * (std::exp(-s / tau_m) - std::exp(-s / ts));
}

} // namespace

TEST(iaf_psc_exp, RegistryDefaults) {
    const auto* info = laminar::model::find_model("iaf_psc_exp");
    ASSERT_NE(info, nullptr);
    EXPECT_FALSE(info->single_channel);
    const std::map<std::string, double> d(info->defaults.begin(), info->defaults.end());
    const std::map<std::string, double> nest = {
        {"E_L", -70.0},      {"C_m", 250.0},     {"tau_m", 10.0}, {"t_ref", 2.0},
        {"V_th", -55.0},     {"V_reset", -70.0}, {"I_e", 0.0},    {"V_m", -70.0},
        {"tau_syn_ex", 2.0}, {"tau_syn_in", 2.0}};
    EXPECT_EQ(d, nest);
}

TEST(iaf_psc_exp, ValidateParams) {
    using laminar::model::validate_params;
    EXPECT_EQ(validate_params("iaf_psc_exp", {{"tau_syn_ex", 10.0}, {"E_L", -65.0}}), "");
    const std::string unknown = validate_params("iaf_psc_exp", {{"V_min", -80.0}});
    EXPECT_EQ(unknown.rfind("unknown parameter 'V_min' for model iaf_psc_exp; known: ", 0), 0u)
        << unknown;
    EXPECT_NE(validate_params("iaf_psc_exp", {{"tau_syn_ex", 0.0}}).find("tau_syn_ex"),
              std::string::npos);
    EXPECT_NE(validate_params("iaf_psc_exp", {{"tau_syn_in", -2.0}}).find("tau_syn_in"),
              std::string::npos);
    EXPECT_EQ(validate_params("iaf_psc_exp", {{"V_reset", -55.0}}),
              "V_reset (-55) must be below V_th (-55)");
    EXPECT_NE(validate_params("iaf_psc_exp", {{"C_m", INFINITY}}).find("C_m"), std::string::npos);
}

TEST(iaf_psc_exp, CurrentStepDrivesTheNextUpdate) {
    laminar::test::expect_current_step_drives_the_next_update("iaf_psc_exp");
}

TEST(iaf_psc_exp, PscResponse) {
    // Cell 0: tau_syn 2; a 100 pA spike read in update 5 is part of i_syn at t_6.
    const double h = 0.1, w = 100.0;
    driver d({}, h, 1);
    for (int L = 0; L < 5; ++L)
        d.step();
    d.w_ex[0] = w;
    d.step();
    EXPECT_EQ(d.group->v_m(0), E_L); // V feels it from the next step on
    for (int k = 7; k <= 400; ++k) {
        d.step();
        EXPECT_NEAR(d.group->v_m(0), E_L + exp_psp(w, 2.0, (k - 6) * h), tol) << k;
    }
}

TEST(iaf_psc_exp, PscResponseSingularTauSynEqualsTauM) {
    const double h = 0.1, w = 100.0;
    driver d({{"tau_syn_ex", tau_m}, {"tau_syn_in", tau_m}}, h, 2);
    d.w_ex = {w, 0.0};
    d.w_in = {0.0, -w};
    d.step();
    for (int k = 2; k <= 400; ++k) {
        d.step();
        EXPECT_NEAR(d.group->v_m(0), E_L + exp_psp(w, tau_m, (k - 1) * h), tol) << k;
        EXPECT_NEAR(d.group->v_m(1), E_L + exp_psp(-w, tau_m, (k - 1) * h), tol) << k;
    }
}

TEST(iaf_psc_exp, NegativeWeightsGoThroughTheInhibitoryChannel) {
    // Different time constants show which channel carried the input.
    const double h = 0.1, w = -80.0;
    driver d({{"tau_syn_ex", 2.0}, {"tau_syn_in", 5.0}}, h, 1);
    d.w_in[0] = w;
    d.step();
    for (int k = 2; k <= 300; ++k) {
        d.step();
        const double s = (k - 1) * h;
        EXPECT_NEAR(d.group->v_m(0), E_L + exp_psp(w, 5.0, s), tol) << k;
        EXPECT_LT(d.group->v_m(0), E_L);
    }
}

TEST(iaf_psc_exp, RefractoryPeriodKeepsSynapticInput) {
    // V_m starts above threshold: spike in update 0 (stamp 1). t_ref = 2 ms at h = 0.1 holds V
    // at V_reset for t_1 .. t_21. Cell 1 receives 200 pA in update 10, while refractory.
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
    // From t_21 V evolves: relaxation from V_reset plus the PSP of the current that has decayed
    // since t_11.
    const double i21 = w * std::exp(-(21 - 11) * h / ts);
    for (int k = 22; k <= 200; ++k) {
        d.step();
        const double s = (k - 21) * h;
        const double relax = E_L + (V_reset - E_L) * std::exp(-s / tau_m);
        EXPECT_NEAR(d.group->v_m(0), relax, tol) << k;
        EXPECT_NEAR(d.group->v_m(1), relax + exp_psp(i21, ts, s), tol) << k;
    }
}

TEST(iaf_psc_exp, Rheobase) {
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
