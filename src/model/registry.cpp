// The model registry: the registered neuron types, their NEST parameter names and defaults,
// parameter validation, and construction of groups.
#include "laminar/model/neuron_group.hpp"

#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "laminar/core/error.hpp"

namespace laminar::model {

namespace {

constexpr double minus_inf = -std::numeric_limits<double>::infinity();

std::vector<model_info> build_registry() {
    // Defaults of NEST 3.10 (MODEL_EQUATIONS.md 2.1). V_m is the initial membrane potential
    // (absolute), -70 mV whatever E_L is, as in NEST.
    const std::vector<std::pair<std::string, double>> common = {
        {"E_L", -70.0},  {"C_m", 250.0},     {"tau_m", 10.0}, {"t_ref", 2.0},
        {"V_th", -55.0}, {"V_reset", -70.0}, {"I_e", 0.0},    {"V_m", -70.0},
    };
    auto with = [&](std::vector<std::pair<std::string, double>> extra) {
        auto all = common;
        all.insert(all.end(), extra.begin(), extra.end());
        return all;
    };
    return {
        {"iaf_psc_delta", with({{"V_min", minus_inf}, {"refractory_input", 0.0}}), true},
        {"iaf_psc_exp", with({{"tau_syn_ex", 2.0}, {"tau_syn_in", 2.0}}), false},
        {"iaf_psc_alpha", with({{"tau_syn_ex", 2.0}, {"tau_syn_in", 2.0}, {"V_min", minus_inf}}),
         false},
    };
}

std::string known_names(const std::vector<std::pair<std::string, double>>& defaults) {
    std::string out;
    for (const auto& [name, value] : defaults) {
        if (!out.empty())
            out += ", ";
        out += name;
    }
    return out;
}

std::string known_types() {
    std::string out;
    for (const auto& info : registered_models()) {
        if (!out.empty())
            out += ", ";
        out += info.type;
    }
    return out;
}

} // namespace

const std::vector<model_info>& registered_models() {
    static const std::vector<model_info> models = build_registry();
    return models;
}

const model_info* find_model(std::string_view type) {
    for (const auto& info : registered_models()) {
        if (info.type == type)
            return &info;
    }
    return nullptr;
}

std::string validate_params(std::string_view type, const std::map<std::string, double>& params) {
    const model_info* info = find_model(type);
    if (info == nullptr) {
        return fmt::format("unknown model type '{}'; known: {}", type, known_types());
    }
    // Effective values: defaults overridden by the given parameters.
    std::map<std::string, double> p(info->defaults.begin(), info->defaults.end());
    for (const auto& [name, value] : params) {
        auto it = p.find(name);
        if (it == p.end()) {
            return fmt::format("unknown parameter '{}' for model {}; known: {}", name, type,
                               known_names(info->defaults));
        }
        // V_min = -inf means "no lower bound" (the default); every other value must be finite.
        const bool allowed_inf = name == "V_min" && value == minus_inf;
        if (!std::isfinite(value) && !allowed_inf) {
            return fmt::format("{} must be a finite number (got {})", name, value);
        }
        it->second = value;
    }
    auto positive = [&](const char* name) -> std::string {
        auto it = p.find(name);
        if (it != p.end() && !(it->second > 0.0)) {
            return fmt::format("{} ({}) must be positive", name, it->second);
        }
        return {};
    };
    for (const char* name : {"C_m", "tau_m", "tau_syn_ex", "tau_syn_in"}) {
        if (auto msg = positive(name); !msg.empty())
            return msg;
    }
    if (p.at("t_ref") < 0.0) {
        return fmt::format("t_ref ({}) must not be negative", p.at("t_ref"));
    }
    if (p.at("V_reset") >= p.at("V_th")) {
        return fmt::format("V_reset ({}) must be below V_th ({})", p.at("V_reset"), p.at("V_th"));
    }
    if (auto it = p.find("refractory_input"); it != p.end()) {
        if (it->second != 0.0 && it->second != 1.0) {
            return fmt::format("refractory_input ({}) must be 0 or 1", it->second);
        }
    }
    return {};
}

std::unique_ptr<neuron_group> make_group(std::string_view type,
                                         const std::map<std::string, double>& params, double dt_ms,
                                         std::size_t n) {
    if (auto msg = validate_params(type, params); !msg.empty())
        throw error(msg);
    (void)dt_ms;
    (void)n;
    // The model groups land in the next commits.
    throw error(fmt::format("model {} is registered but not yet implemented", type));
}

} // namespace laminar::model
