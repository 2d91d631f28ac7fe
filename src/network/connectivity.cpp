// Connection rules: per-target, decomposition-independent edge generation.
#include "laminar/network/connectivity.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <unordered_set>

#include "laminar/core/time.hpp"

namespace laminar::network {

namespace {
// Block regions of a target's stream: per-edge draws at key << 6 (64 blocks per edge), the
// rule's own selection draws far above them.
constexpr std::uint64_t selection_base = std::uint64_t(1) << 62;
constexpr int blocks_per_edge_log2 = 6;

double distance(const position& a, const position& b) {
    const double dx = a[0] - b[0], dy = a[1] - b[1], dz = a[2] - b[2];
    return std::sqrt(dx * dx + dy * dy + dz * dz);
}
} // namespace

position map_to_target_space(const io::target_space_config& space, const position& p) {
    if (space.kind == io::target_space_kind::identity)
        return p;
    constexpr double deg = std::numbers::pi / 180.0;
    return {std::tan(space.x_deg_per_um * p[0] * deg) / deg,
            std::tan(space.z_deg_per_um * p[2] * deg) / deg, 0.0};
}

double target_space_distance(const io::target_space_config& space, const position& source,
                             const position& mapped_target) {
    if (space.kind == io::target_space_kind::identity)
        return distance(source, mapped_target);
    return std::hypot(source[0] - mapped_target[0], source[1] - mapped_target[1]);
}

double draw(const io::distribution_config& d, rng::sequence& seq) {
    switch (d.kind) {
    case io::distribution_kind::constant:
        return d.value;
    case io::distribution_kind::uniform:
        return seq.uniform(d.low, d.high);
    case io::distribution_kind::normal:
        for (int i = 0; i < 1000; ++i) {
            const double v = d.mean + d.std * seq.normal();
            if (v >= d.low && v <= d.high)
                return v;
        }
        return std::clamp(d.mean, d.low, d.high);
    }
    return d.value;
}

spatial_grid::spatial_grid(const std::vector<position>& points, double cell_um) {
    std::array<double, 3> lo{}, hi{};
    for (int k = 0; k < 3; ++k) {
        lo[k] = hi[k] = points.empty() ? 0.0 : points[0][k];
    }
    for (const auto& p : points) {
        for (int k = 0; k < 3; ++k) {
            lo[k] = std::min(lo[k], p[k]);
            hi[k] = std::max(hi[k], p[k]);
        }
    }
    // Buckets no smaller than the search radius; cap their number near the point count.
    cell_ = cell_um;
    // In double: a tiny d_max against a wide extent must not overflow the count.
    auto buckets = [&] {
        double n = 1;
        for (int k = 0; k < 3; ++k)
            n *= std::floor((hi[k] - lo[k]) / cell_) + 1;
        return n;
    };
    while (buckets() > 4.0 * double(points.size()) + 64.0)
        cell_ *= 2.0;
    origin_ = lo;
    for (int k = 0; k < 3; ++k)
        dims_[k] = std::int64_t((hi[k] - lo[k]) / cell_) + 1;
    const auto nb = std::size_t(dims_[0] * dims_[1] * dims_[2]);
    std::vector<std::uint32_t> bucket(points.size());
    start_.assign(nb + 1, 0);
    for (std::size_t i = 0; i < points.size(); ++i) {
        std::array<std::int64_t, 3> c{};
        for (int k = 0; k < 3; ++k) {
            c[k] = std::min(dims_[k] - 1, std::int64_t((points[i][k] - origin_[k]) / cell_));
        }
        bucket[i] = std::uint32_t((c[2] * dims_[1] + c[1]) * dims_[0] + c[0]);
        ++start_[bucket[i] + 1];
    }
    for (std::size_t b = 0; b < nb; ++b)
        start_[b + 1] += start_[b];
    items_.resize(points.size());
    auto fill = start_;
    for (std::size_t i = 0; i < points.size(); ++i)
        items_[fill[bucket[i]]++] = std::uint32_t(i);
}

projection_builder::projection_builder(
    const io::projection_config& cfg, std::uint32_t projection_id, std::uint64_t seed, double dt_ms,
    std::uint32_t source_size, gid_type source_first, gid_type target_first, bool same_block,
    const std::vector<position>* source_positions, const std::vector<position>* target_positions)
    : cfg_(&cfg), id_(projection_id), seed_(seed), dt_(dt_ms), source_size_(source_size),
      target_first_(target_first), same_block_(same_block), source_positions_(source_positions),
      target_positions_(target_positions) {
    (void)source_first;
    if (cfg.delay_ms.kind == io::distribution_kind::constant)
        constant_delay_steps_ = std::max<step_type>(1, delay_to_steps(cfg.delay_ms.value, dt_ms));
    if (cfg.rule.kind == io::rule_kind::distance_taper) {
        grid_ = spatial_grid(*source_positions_, cfg.rule.d_max_um);
    }
}

void projection_builder::add_edge(rng::sequence& seq, std::uint32_t source,
                                  std::vector<edge>& out) const {
    const auto& c = *cfg_;
    const double nsyn = c.nsyn.low == c.nsyn.high ? double(c.nsyn.low)
                                                  : double(seq.integer(c.nsyn.low, c.nsyn.high));
    const double w = draw(c.weight, seq) * nsyn;
    const auto d = constant_delay_steps_ > 0
                       ? constant_delay_steps_
                       : std::max<step_type>(1, delay_to_steps(draw(c.delay_ms, seq), dt_));
    out.push_back({source, std::uint32_t(d), w});
}

void projection_builder::add_edge(const rng::stream& s, std::uint32_t source,
                                  std::uint64_t edge_key, std::vector<edge>& out) const {
    rng::sequence seq(s, edge_key << blocks_per_edge_log2);
    add_edge(seq, source, out);
}

void projection_builder::build(std::uint32_t t, std::vector<edge>& out) const {
    const auto& rule = cfg_->rule;
    const rng::stream s(seed_, rng::purpose::connectivity, id_, target_first_ + t);
    const bool skip_self = same_block_ && !cfg_->autapses;
    const std::uint32_t n = source_size_;
    switch (rule.kind) {
    case io::rule_kind::all_to_all:
        for (std::uint32_t j = 0; j < n; ++j) {
            if (skip_self && j == t)
                continue;
            add_edge(s, j, j, out);
        }
        break;
    case io::rule_kind::one_to_one:
        if (!(skip_self) && t < n)
            add_edge(s, t, t, out);
        break;
    case io::rule_kind::fixed_probability: {
        if (rule.p <= 0.0)
            break;
        if (rule.p >= 1.0) {
            for (std::uint32_t j = 0; j < n; ++j) {
                if (skip_self && j == t)
                    continue;
                add_edge(s, j, j, out);
            }
            break;
        }
        // Geometric skipping: one draw per edge instead of one per candidate pair.
        rng::sequence sel(s, selection_base);
        const double log_q = std::log1p(-rule.p);
        std::int64_t j = -1;
        while (true) {
            const double u = sel.uniform();
            const double skip = std::floor(std::log1p(-u) / log_q);
            if (skip >= double(n))
                break;
            j += 1 + std::int64_t(skip);
            if (j >= std::int64_t(n))
                break;
            if (skip_self && std::uint32_t(j) == t)
                continue;
            add_edge(s, std::uint32_t(j), std::uint64_t(j), out);
        }
        break;
    }
    case io::rule_kind::fixed_indegree: {
        rng::sequence sel(s, selection_base);
        const auto k_total = rule.indegree;
        std::vector<char> taken;
        if (!rule.multapses)
            taken.assign(n, 0);
        const std::uint32_t available = n - (skip_self && t < n ? 1u : 0u);
        if (available == 0)
            break;
        for (std::uint64_t k = 0; k < k_total; ++k) {
            std::uint32_t j = 0;
            while (true) {
                j = rng::to_index(sel.bits(), n);
                if (skip_self && j == t)
                    continue;
                if (!rule.multapses) {
                    if (taken[j])
                        continue;
                    taken[j] = 1;
                }
                break;
            }
            add_edge(s, j, k, out);
        }
        break;
    }
    case io::rule_kind::distance_taper: {
        const auto& tp = (*target_positions_)[t];
        const double d_max = rule.d_max_um;
        grid_.for_each_near(tp, [&](std::uint32_t j) {
            if (skip_self && j == t)
                return;
            const double r = distance((*source_positions_)[j], tp);
            if (r > d_max)
                return;
            const double x = r / d_max;
            const double p = rule.p_max * (1.0 - x) + rule.p_min * x;
            if (p <= 0.0)
                return;
            rng::sequence seq(s, std::uint64_t(j) << blocks_per_edge_log2);
            if (seq.uniform() >= p)
                return;
            add_edge(seq, j, out);
        });
        break;
    }
    case io::rule_kind::select_source_cells: {
        // The seed's select_source_cells: nsources distinct sources (Floyd's algorithm: exactly
        // one draw per chosen source), kept when within d_max of the target in its target space.
        rng::sequence sel(s, selection_base);
        const bool exclude = skip_self && t < n;
        const std::uint32_t available = n - (exclude ? 1u : 0u);
        std::uint64_t k = rule.nsources_low;
        if (rule.nsources_high > rule.nsources_low)
            k = std::uint64_t(
                sel.integer(std::int64_t(rule.nsources_low), std::int64_t(rule.nsources_high)));
        k = std::min<std::uint64_t>(k, available);
        std::vector<std::uint32_t> chosen; // k is a few dozen in practice: one allocation
        chosen.reserve(std::size_t(k));
        std::unordered_set<std::uint32_t> large; // membership when k is not small
        for (std::uint64_t m = available - k; m < available; ++m) {
            // Uniform in [0, m], m < 2^32.
            const auto v = std::uint32_t(sel.integer(0, std::int64_t(m)));
            const bool seen = k <= 64 ? std::find(chosen.begin(), chosen.end(), v) != chosen.end()
                                      : !large.insert(v).second;
            const auto pick = seen ? std::uint32_t(m) : v;
            if (seen && k > 64)
                large.insert(pick);
            chosen.push_back(pick);
        }
        std::sort(chosen.begin(), chosen.end());
        const bool limited = std::isfinite(rule.d_max_um);
        position tp{};
        if (limited)
            tp = map_to_target_space(rule.target_space, (*target_positions_)[t]);
        for (auto v : chosen) {
            const std::uint32_t j = exclude && v >= t ? v + 1 : v;
            if (limited && target_space_distance(rule.target_space, (*source_positions_)[j], tp) >
                               rule.d_max_um)
                continue;
            add_edge(s, j, j, out);
        }
        break;
    }
    }
}

} // namespace laminar::network
