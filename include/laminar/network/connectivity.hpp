// Connection rules. The incoming edges of one target are a pure function of
// (seed, projection, target gid): whichever rank or thread builds them gets the same edges in
// the same order. Per-pair draws (accept, nsyn, weight, delay) come from a block of the target's
// stream keyed by the source index (or draw index for fixed_indegree), so skipping far pairs
// with a spatial grid changes nothing.
#pragma once

#include <cstdint>
#include <vector>

#include "laminar/core/types.hpp"
#include "laminar/io/config.hpp"
#include "laminar/network/positions.hpp"
#include "laminar/rng/stream.hpp"

namespace laminar::network {

/// One incoming edge of a target: source index within the source block, delay in steps, and
/// the weight already multiplied by nsyn.
struct edge {
    std::uint32_t source;
    std::uint32_t delay_steps;
    double weight;
};

/// Draws a value of a distribution (clipped normal: redrawn until inside [low, high], clamped
/// after 1000 tries).
double draw(const io::distribution_config& d, rng::sequence& seq);

/// Buckets of source cells on a cubic grid (cell edge = d_max) for distance rules.
class spatial_grid {
public:
    spatial_grid() = default;
    spatial_grid(const std::vector<position>& points, double cell_um);

    /// Calls f(index) for every point in the 27 buckets around p, in a fixed order.
    template <class F>
    void for_each_near(const position& p, F&& f) const;

private:
    double cell_ = 1.0;
    std::array<double, 3> origin_{};
    std::array<std::int64_t, 3> dims_{};
    std::vector<std::uint32_t> start_; // bucket offsets into items_
    std::vector<std::uint32_t> items_; // point indices, ascending within a bucket
};

/// The point a target is compared at under a select_source_cells target space: its own position
/// (identity), or its cortical (x, z) mapped to visual degrees (visual_tan, in x and y).
position map_to_target_space(const io::target_space_config& space, const position& p);

/// Distance between a source and a target already mapped by map_to_target_space: 3-D for
/// identity, 2-D in (x, y) for visual_tan.
double target_space_distance(const io::target_space_config& space, const position& source,
                             const position& mapped_target);

/// The lowered form of one projection on one rank: everything needed to build any target's
/// incoming edges.
class projection_builder {
public:
    projection_builder(const io::projection_config& cfg, std::uint32_t projection_id,
                       std::uint64_t seed, double dt_ms, std::uint32_t source_size,
                       gid_type source_first, gid_type target_first, bool same_block,
                       const std::vector<position>* source_positions,
                       const std::vector<position>* target_positions);

    /// Appends the incoming edges of target cell `t` (index within the target block).
    void build(std::uint32_t t, std::vector<edge>& out) const;

private:
    void add_edge(const rng::stream& s, std::uint32_t source, std::uint64_t edge_key,
                  std::vector<edge>& out) const;
    void add_edge(rng::sequence& seq, std::uint32_t source, std::vector<edge>& out) const;

    const io::projection_config* cfg_;
    std::uint32_t id_;
    std::uint64_t seed_;
    double dt_;
    std::uint32_t source_size_;
    gid_type target_first_;
    bool same_block_;
    const std::vector<position>* source_positions_;
    const std::vector<position>* target_positions_;
    spatial_grid grid_;
    step_type constant_delay_steps_ = 0; // > 0: the delay is constant (no draw, no rounding)
};

template <class F>
void spatial_grid::for_each_near(const position& p, F&& f) const {
    std::array<std::int64_t, 3> c{};
    for (int k = 0; k < 3; ++k)
        c[k] = std::int64_t(std::floor((p[k] - origin_[k]) / cell_));
    for (std::int64_t z = c[2] - 1; z <= c[2] + 1; ++z) {
        if (z < 0 || z >= dims_[2])
            continue;
        for (std::int64_t y = c[1] - 1; y <= c[1] + 1; ++y) {
            if (y < 0 || y >= dims_[1])
                continue;
            for (std::int64_t x = c[0] - 1; x <= c[0] + 1; ++x) {
                if (x < 0 || x >= dims_[0])
                    continue;
                const auto b = std::size_t((z * dims_[1] + y) * dims_[0] + x);
                for (auto i = start_[b]; i < start_[b + 1]; ++i)
                    f(items_[i]);
            }
        }
    }
}

} // namespace laminar::network
