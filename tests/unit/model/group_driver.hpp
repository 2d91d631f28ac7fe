// Drives a neuron_group one step at a time for the model tests: spike weights are cleared after
// each step, the current input stays until changed.
#pragma once

#include <algorithm>
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

} // namespace laminar::test
