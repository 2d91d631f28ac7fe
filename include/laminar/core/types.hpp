// Basic index and time types shared by all subsystems.
#pragma once

#include <cstdint>

namespace laminar {

/// Global cell id: populations and sources are numbered consecutively in config order.
using gid_type = std::uint32_t;
/// Index of a simulation step (grid time t = step * dt).
using step_type = std::int64_t;

} // namespace laminar
