// The model registry: the registered neuron types, their NEST parameter names and defaults,
// parameter validation, and construction of groups.
#include "laminar/model/neuron_group.hpp"

#include <cmath>
#include <limits>
#include <memory>

#include <fmt/format.h>

#include "hh_neuron.hpp"
#include "iaf_psc_alpha.hpp"
#include "iaf_psc_delta.hpp"
#include "iaf_psc_exp.hpp"
#include "laminar/core/error.hpp"
#include "laminar/core/time.hpp"

namespace laminar::model {

namespace {

constexpr double minus_inf = -std::numeric_limits<double>::infinity();

// Parameter names and defaults come from the params structs, the one place they are written.
template <class Params>
std::vector<std::pair<std::string, double>> defaults_of() {
    const Params p{};
    std::vector<std::pair<std::string, double>> out;
    for (const auto& [name, member] : Params::fields)
        out.emplace_back(name, p.*member);
    return out;
}

template <class Params>
Params params_from(const std::map<std::string, double>& given) {
    Params p{};
    for (const auto& [name, member] : Params::fields) {
        if (auto it = given.find(name); it != given.end())
            p.*member = it->second;
    }
    return p;
}

std::vector<model_info> build_registry() {
    // NEST 3.10 defaults (MODEL_EQUATIONS.md 2.1).
    return {
        // One input port (NEST receptor 0): every weight, either sign, jumps V.
        {"iaf_psc_delta", defaults_of<iaf_psc_delta_params>(), true, {"ex"}, true},
        {"iaf_psc_exp", defaults_of<iaf_psc_exp_params>(), false},
        {"iaf_psc_alpha", defaults_of<iaf_psc_alpha_params>(), false},
        // NEURON names and units; receptors are Exp2Syn synapses chosen per projection.
        {"hh_neuron",
         defaults_of<hh_neuron_params>(),
         false,
         {"exc_soma", "inh_soma", "exc_dend", "inh_dend"},
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
    if (type == "hh_neuron")
        return params_from<hh_neuron_params>(p).validate();
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
    if (!is_valid_resolution(dt_ms)) {
        throw error(fmt::format("resolution {} ms is not a whole number of microseconds", dt_ms));
    }
    if (type == "iaf_psc_delta") {
        return std::make_unique<iaf_psc_delta_group>(params_from<iaf_psc_delta_params>(params),
                                                     dt_ms, n);
    }
    if (type == "iaf_psc_exp") {
        return std::make_unique<iaf_psc_exp_group>(params_from<iaf_psc_exp_params>(params), dt_ms,
                                                   n);
    }
    if (type == "hh_neuron")
        return std::make_unique<hh_neuron_group>(params_from<hh_neuron_params>(params), dt_ms, n);
    return std::make_unique<iaf_psc_alpha_group>(params_from<iaf_psc_alpha_params>(params), dt_ms,
                                                 n);
}

} // namespace laminar::model
