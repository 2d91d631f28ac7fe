// Cell positions (µm) as a pure function of (seed, block, cell index): every rank computes the
// same coordinates for any cell without communication.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "laminar/io/config.hpp"

namespace laminar::network {

using position = std::array<double, 3>;

/// Positions of all n cells of a population or source described by `cfg`; empty when the
/// description has no positions. `stream_id` distinguishes blocks (their index in the layout).
std::vector<position> make_positions(const io::positions_config& cfg, std::uint64_t seed,
                                     std::uint32_t stream_id, std::uint32_t n);

} // namespace laminar::network
