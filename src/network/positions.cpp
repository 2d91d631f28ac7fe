// Deterministic cell placement: box, cylindrical column or explicit list.
#include "laminar/network/positions.hpp"

#include <cmath>
#include <numbers>

#include "laminar/rng/stream.hpp"

namespace laminar::network {

std::vector<position> make_positions(const io::positions_config& cfg, std::uint64_t seed,
                                     std::uint32_t stream_id, std::uint32_t n) {
    std::vector<position> out;
    switch (cfg.kind) {
    case io::position_kind::none:
        return out;
    case io::position_kind::list:
        out.assign(cfg.list.begin(), cfg.list.end());
        return out;
    case io::position_kind::box:
    case io::position_kind::column:
        break;
    }
    out.resize(n);
    for (std::uint32_t i = 0; i < n; ++i) {
        const rng::stream s(seed, rng::purpose::positions, stream_id, i);
        const auto b0 = s.at(0);
        const auto b1 = s.at(1);
        const double u1 = rng::to_unit(b0[0], b0[1]);
        const double u2 = rng::to_unit(b0[2], b0[3]);
        const double u3 = rng::to_unit(b1[0], b1[1]);
        if (cfg.kind == io::position_kind::box) {
            out[i] = {cfg.min[0] + u1 * (cfg.max[0] - cfg.min[0]),
                      cfg.min[1] + u2 * (cfg.max[1] - cfg.min[1]),
                      cfg.min[2] + u3 * (cfg.max[2] - cfg.min[2])};
        } else {
            // Uniform in the disc (x, z) and along the axis y.
            const double r = cfg.radius_um * std::sqrt(u1);
            const double phi = 2.0 * std::numbers::pi * u2;
            out[i] = {cfg.center[0] + r * std::cos(phi), cfg.center[1] + (u3 - 0.5) * cfg.height_um,
                      cfg.center[2] + r * std::sin(phi)};
        }
    }
    return out;
}

} // namespace laminar::network
