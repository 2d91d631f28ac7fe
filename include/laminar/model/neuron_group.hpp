// The interface between the engine and neuron models: a group advances many cells of one model
// with structure-of-arrays state, one step at a time. One virtual call per group and step,
// never per neuron or per event.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "laminar/core/types.hpp"

namespace laminar::model {

/// Receptor channels a model may have (ring buffers per cell and step).
inline constexpr std::size_t max_receptors = 4;

/// The summed inputs of a group's cells for update step L (each an array of the group's size).
/// Receptor k's input is the sum of the weights of spikes whose arrival is t_{L+1} = stamp +
/// delay: NEST models fold it into their synaptic state at the end of update L.
struct step_input {
    const double* w_ex; // receptor 0: excitatory channel (delta: all input)
    const double* w_in; // receptor 1: inhibitory channel (unused by delta)
    /// Step current in pA whose window [on, off) contains L. NEST models read it at the end of
    /// update L (it drives update L + 1); NEURON-style models use it during update L (IClamp
    /// sampled at the step midpoint).
    const double* current;
    const double* w_more[max_receptors - 2] = {nullptr, nullptr}; // receptors 2 and 3
};

class neuron_group {
public:
    virtual ~neuron_group() = default;

    std::size_t size() const noexcept { return size_; }

    /// Update L: carries the state from t_L to t_{L+1} in NEST's exact order and appends the
    /// offsets (0..size-1, increasing) of cells that spiked; their spikes are stamped L+1.
    /// Contract: a cell's result depends only on its own state and inputs, never on the group's
    /// size or the cell's position in it (vector lanes, padding). The engine relies on it: it
    /// merges consecutive populations of one model into a group, and group boundaries change
    /// with the number of ranks and threads.
    virtual void advance(step_type L, const step_input& in, std::vector<std::uint32_t>& spiked) = 0;

    /// Membrane potential in mV (absolute) of cell i after the last update.
    virtual double v_m(std::size_t i) const = 0;

protected:
    explicit neuron_group(std::size_t n) : size_(n) {}

private:
    std::size_t size_;
};

/// What the registry knows of a model type.
struct model_info {
    std::string type;
    /// Parameter names and NEST defaults, in NEST units (pF, ms, mV, pA).
    std::vector<std::pair<std::string, double>> defaults;
    /// Delta-synapse models take all spike input in one channel (w_ex).
    bool single_channel = false;
    /// Receptor names a projection may target with `receptor:` (index = channel).
    std::vector<std::string> receptors = {"ex", "in"};
    /// Without an explicit receptor, route by sign as NEST does: weight > 0 to receptor 0,
    /// else receptor 1. Models without sign routing require `receptor:` on every projection.
    bool route_by_sign = true;
};

/// All registered model types.
const std::vector<model_info>& registered_models();

/// The info of `type`, or nullptr.
const model_info* find_model(std::string_view type);

/// Checks a parameter set of `type` (unknown names, impossible values). Returns an empty string
/// if valid, else the problem, naming the parameter ("V_reset must be below V_th").
std::string validate_params(std::string_view type, const std::map<std::string, double>& params);

/// A group of n cells of `type` at resolution dt_ms. Params must have passed validate_params.
std::unique_ptr<neuron_group> make_group(std::string_view type,
                                         const std::map<std::string, double>& params, double dt_ms,
                                         std::size_t n);

} // namespace laminar::model
