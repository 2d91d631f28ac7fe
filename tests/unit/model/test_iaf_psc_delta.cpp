// iaf_psc_delta against analytic solutions, with NEST's timing: C[L] drives update L+1, a spike
// read in update L jumps V before the threshold test, input while refractory is discarded.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "group_driver.hpp"
#include "laminar/core/error.hpp"
#include "laminar/model/neuron_group.hpp"

using laminar::model::make_group;

namespace {

struct driver : laminar::test::group_driver {
    driver(const std::map<std::string, double>& params, double dt, std::size_t n)
        : group_driver("iaf_psc_delta", params, dt, n) {}
};

constexpr double tol = 1e-12;

} // namespace

TEST(iaf_psc_delta, RegistryDefaults) {
    const auto* info = laminar::model::find_model("iaf_psc_delta");
    ASSERT_NE(info, nullptr);
    EXPECT_TRUE(info->single_channel);
    const std::map<std::string, double> d(info->defaults.begin(), info->defaults.end());
    EXPECT_EQ(d.at("E_L"), -70.0);
    EXPECT_EQ(d.at("C_m"), 250.0);
    EXPECT_EQ(d.at("tau_m"), 10.0);
    EXPECT_EQ(d.at("t_ref"), 2.0);
    EXPECT_EQ(d.at("V_th"), -55.0);
    EXPECT_EQ(d.at("V_reset"), -70.0);
    EXPECT_EQ(d.at("I_e"), 0.0);
    EXPECT_EQ(d.at("V_m"), -70.0);
    EXPECT_EQ(d.at("V_min"), -INFINITY);
    EXPECT_EQ(d.at("refractory_input"), 0.0);
    EXPECT_EQ(d.size(), 10u);
    EXPECT_EQ(laminar::model::find_model("iaf_psc_nope"), nullptr);
}

TEST(iaf_psc_delta, ValidateParams) {
    using laminar::model::validate_params;
    EXPECT_EQ(validate_params("iaf_psc_delta", {}), "");
    EXPECT_EQ(validate_params("iaf_psc_delta", {{"refractory_input", 1.0}, {"V_min", -80.0}}), "");
    const std::string unknown = validate_params("iaf_psc_delta", {{"tau_syn_ex", 2.0}});
    EXPECT_EQ(unknown.rfind("unknown parameter 'tau_syn_ex' for model iaf_psc_delta; known: ", 0),
              0u)
        << unknown;
    EXPECT_NE(unknown.find("refractory_input"), std::string::npos);
    EXPECT_EQ(validate_params("iaf_psc_delta", {{"V_reset", -50.0}}),
              "V_reset (-50) must be below V_th (-55)");
    EXPECT_NE(validate_params("iaf_psc_delta", {{"C_m", 0.0}}).find("C_m"), std::string::npos);
    EXPECT_NE(validate_params("iaf_psc_delta", {{"tau_m", -1.0}}).find("tau_m"), std::string::npos);
    EXPECT_NE(validate_params("iaf_psc_delta", {{"t_ref", -0.1}}).find("t_ref"), std::string::npos);
    EXPECT_NE(validate_params("iaf_psc_delta", {{"I_e", NAN}}).find("I_e"), std::string::npos);
    EXPECT_NE(validate_params("iaf_psc_delta", {{"V_min", INFINITY}}).find("V_min"),
              std::string::npos);
    EXPECT_NE(
        validate_params("iaf_psc_delta", {{"refractory_input", 0.5}}).find("refractory_input"),
        std::string::npos);
    EXPECT_NE(validate_params("lif", {}).find("unknown model type 'lif'"), std::string::npos);
    EXPECT_THROW(make_group("iaf_psc_delta", {{"C_m", -1.0}}, 0.1, 1), laminar::error);
    EXPECT_THROW(make_group("iaf_psc_delta", {}, 0.00005, 1), laminar::error);
}

TEST(iaf_psc_delta, InitialVmIsAbsoluteAndRelaxesToEL) {
    // V_m = -70 whatever E_L is; it then relaxes exponentially to E_L.
    const double h = 0.1;
    driver d({{"E_L", -65.0}}, h, 1);
    EXPECT_EQ(d.group->v_m(0), -70.0);
    for (int k = 1; k <= 200; ++k) {
        d.step();
        EXPECT_NEAR(d.group->v_m(0), -65.0 - 5.0 * std::exp(-k * h / 10.0), tol) << k;
    }
}

TEST(iaf_psc_delta, CurrentStepDrivesTheNextUpdate) {
    laminar::test::expect_current_step_drives_the_next_update("iaf_psc_delta");
}

TEST(iaf_psc_delta, InputJumpsInItsStepBeforeTheThresholdTest) {
    const double h = 0.1, E_L = -70.0;
    driver d({}, h, 3);
    for (int L = 0; L < 5; ++L)
        d.step();
    // Slot 5: cell 0 gets +3 mV, cell 1 -4 mV (hyperpolarising), cell 2 +15 mV (reaches V_th).
    d.w_ex = {3.0, -4.0, 15.0};
    const auto spiked = d.step();
    EXPECT_EQ(spiked, (std::vector<std::uint32_t>{2}));
    EXPECT_NEAR(d.group->v_m(0), E_L + 3.0, tol);
    EXPECT_NEAR(d.group->v_m(1), E_L - 4.0, tol);
    EXPECT_EQ(d.group->v_m(2), -70.0); // reset, recorded at the spike time t_6
    for (int k = 1; k <= 50; ++k) {
        EXPECT_TRUE(d.step().empty());
        EXPECT_NEAR(d.group->v_m(0), E_L + 3.0 * std::exp(-k * h / 10.0), tol);
        EXPECT_NEAR(d.group->v_m(1), E_L - 4.0 * std::exp(-k * h / 10.0), tol);
    }
}

TEST(iaf_psc_delta, RefractoryPeriodDiscardsInput) {
    // t_ref = 2 ms at h = 0.1: V stays at V_reset for the spike stamp and 20 more stamps.
    const double h = 0.1, E_L = -70.0, V_reset = -75.0;
    driver d({{"V_reset", V_reset}}, h, 2);
    for (int L = 0; L < 5; ++L)
        d.step();
    d.w_ex = {20.0, 20.0};
    EXPECT_EQ(d.step(), (std::vector<std::uint32_t>{0, 1})); // update 5, stamp 6
    for (int k = 7; k <= 26; ++k) {
        if (k == 11)
            d.w_ex = {0.0, 30.0}; // cell 1: input while refractory, lost
        EXPECT_TRUE(d.step().empty());
        EXPECT_EQ(d.group->v_m(0), V_reset) << k;
        EXPECT_EQ(d.group->v_m(1), V_reset) << k;
    }
    d.step(); // update 26: free again
    const double expected = E_L + (V_reset - E_L) * std::exp(-h / 10.0);
    EXPECT_NEAR(d.group->v_m(0), expected, tol);
    EXPECT_NEAR(d.group->v_m(1), expected, tol);
    EXPECT_NE(d.group->v_m(0), V_reset);
}

TEST(iaf_psc_delta, RefractoryInputIsAccumulatedWhenAsked) {
    const double h = 0.1, E_L = -70.0, V_reset = -75.0, w = 2.0;
    driver d({{"V_reset", V_reset}, {"refractory_input", 1.0}}, h, 1);
    for (int L = 0; L < 5; ++L)
        d.step();
    d.w_ex[0] = 20.0;
    d.step(); // spike in update 5: 20 refractory updates 6..25
    for (int L = 6; L <= 25; ++L) {
        if (L == 10)
            d.w_ex[0] = w; // 16 refractory steps left before this update
        d.step();
        EXPECT_EQ(d.group->v_m(0), V_reset);
    }
    d.step();
    const double expected =
        E_L + (V_reset - E_L) * std::exp(-h / 10.0) + w * std::exp(-16 * h / 10.0);
    EXPECT_NEAR(d.group->v_m(0), expected, tol);
}

TEST(iaf_psc_delta, VminBoundsV) {
    driver d({{"V_min", -72.0}}, 0.1, 1);
    d.w_ex[0] = -10.0;
    d.step();
    EXPECT_NEAR(d.group->v_m(0), -72.0, tol);
}

TEST(iaf_psc_delta, Rheobase) {
    // I_th = C_m (V_th - E_L) / tau_m = 375 pA: just above fires, just below never does.
    const double h = 0.1, I_th = 250.0 * 15.0 / 10.0;
    driver d({{"I_e", I_th * 1.0001}}, h, 1);
    driver below({{"I_e", I_th * 0.9999}}, h, 1);
    int first = -1;
    for (int L = 0; L < 50000; ++L) {
        if (!d.step().empty() && first < 0)
            first = L + 1;
        ASSERT_TRUE(below.step().empty()) << L;
    }
    // Analytic first crossing: t* = -tau_m ln(1 - I_th / I), stamped at the end of its step.
    const double t_star = -10.0 * std::log(1.0 - 1.0 / 1.0001);
    EXPECT_EQ(first, static_cast<int>(std::ceil(t_star / h)));
}
