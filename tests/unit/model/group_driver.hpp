// Drives a neuron_group one step at a time for the model tests: spike weights are cleared after
// each step, the current input stays until changed. Plus the checks every iaf model shares.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "laminar/model/neuron_group.hpp"

namespace laminar::test {

struct group_driver {
    group_driver(const std::string& type, const std::map<std::string, double>& params, double dt,
                 std::size_t n)
        : group(model::make_group(type, params, dt, n)), w_ex(n), w_in(n), current(n) {}

    std::vector<std::uint32_t> step() {
        std::vector<std::uint32_t> spiked;
        group->advance(L++, model::step_input{w_ex.data(), w_in.data(), current.data()}, spiked);
        std::fill(w_ex.begin(), w_ex.end(), 0.0);
        std::fill(w_in.begin(), w_in.end(), 0.0);
        return spiked;
    }

    std::unique_ptr<model::neuron_group> group;
    std::vector<double> w_ex, w_in, current;
    step_type L = 0;
};

/// NEST's step-current timing with NEST's default cell (E_L -70 mV, tau_m 10 ms, C_m 250 pF):
/// C[L] = 300 pA for updates 10..59 drives updates 11..60, so V first moves at t_12 and follows
/// E_L + I R (1 - exp(-(t - t_11)/tau_m)) (R = tau_m / C_m) up to t_61, then decays; to 1e-12 mV.
inline void expect_current_step_drives_the_next_update(const std::string& type) {
    const double h = 0.1, I = 300.0, C = 250.0, tau_m = 10.0, E_L = -70.0, R = tau_m / C;
    const double tol = 1e-12;
    const int on = 10, off = 60;
    auto charging = [&](int k) {
        return E_L + I * R * (1.0 - std::exp(-(k - on - 1) * h / tau_m));
    };
    group_driver d(type, {{"V_th", -50.0}}, h, 1);
    for (int L = 0; L < 200; ++L) {
        d.current[0] = (L >= on && L < off) ? I : 0.0;
        d.step();
        const int k = L + 1; // the state now describes t_k
        if (k <= on + 1) {
            EXPECT_EQ(d.group->v_m(0), E_L) << k;
        } else if (k <= off + 1) {
            EXPECT_NEAR(d.group->v_m(0), charging(k), tol) << k;
        } else {
            EXPECT_NEAR(d.group->v_m(0),
                        E_L + (charging(off + 1) - E_L) * std::exp(-(k - off - 1) * h / tau_m), tol)
                << k;
        }
    }
}

} // namespace laminar::test
