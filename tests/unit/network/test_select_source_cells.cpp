// The select_source_cells rule (the V1 seed's LGN -> V1 rule): in-degree and nsyn ranges,
// distinct sources, the distance limit in a visual target space, and independence of the
// per-edge draws from the selection.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <numbers>
#include <set>

#include "laminar/io/config.hpp"
#include "laminar/network/connectivity.hpp"
#include "laminar/network/positions.hpp"

namespace ln = laminar::network;
namespace lio = laminar::io;

namespace {

lio::projection_config lgn_projection(double d_max) {
    lio::projection_config p;
    p.name = "lgn_v1";
    p.rule.kind = lio::rule_kind::select_source_cells;
    p.rule.nsources_low = 10;
    p.rule.nsources_high = 29; // np.random.randint(10, 30): exclusive top
    p.rule.d_max_um = d_max;
    p.nsyn = {3, 11}; // np.random.randint(3, 12)
    p.weight.value = 2.0;
    p.delay_ms.value = 1.7;
    return p;
}

std::vector<ln::edge> incoming(const ln::projection_builder& b, std::uint32_t t) {
    std::vector<ln::edge> e;
    b.build(t, e);
    return e;
}

std::vector<ln::position> lgn_positions(std::uint32_t n) {
    lio::positions_config box;
    box.kind = lio::position_kind::box;
    box.min = {-120, -60, 0};
    box.max = {120, 60, 0};
    return ln::make_positions(box, 5, 4, n);
}

} // namespace

TEST(select_source_cells, indegree_and_nsyn_ranges_without_distance_limit) {
    const auto p = lgn_projection(lio::infinity);
    const std::uint32_t n = 500, targets = 4000;
    ln::projection_builder b(p, 7, 21, 0.1, n, 0, n, false, nullptr, nullptr);
    std::map<std::size_t, std::uint64_t> indegrees;
    std::map<int, std::uint64_t> nsyns;
    std::vector<std::uint64_t> hits(n, 0);
    for (std::uint32_t t = 0; t < targets; ++t) {
        const auto e = incoming(b, t);
        ++indegrees[e.size()];
        std::set<std::uint32_t> distinct;
        for (const auto& x : e) {
            ASSERT_LT(x.source, n);
            distinct.insert(x.source);
            ++hits[x.source];
            ++nsyns[int(std::lround(x.weight / 2.0))];
            EXPECT_EQ(x.delay_steps, 17u);
        }
        ASSERT_EQ(distinct.size(), e.size()) << "sources are distinct";
    }
    // Every in-degree 10..29 occurs, nothing else, about uniformly (200 targets each).
    ASSERT_EQ(indegrees.size(), 20u);
    EXPECT_EQ(indegrees.begin()->first, 10u);
    EXPECT_EQ(indegrees.rbegin()->first, 29u);
    for (const auto& [k, c] : indegrees)
        EXPECT_NEAR(double(c), 200.0, 5 * std::sqrt(200.0)) << "in-degree " << k;
    // nsyn 3..11 inclusive, about uniformly.
    ASSERT_EQ(nsyns.size(), 9u);
    EXPECT_EQ(nsyns.begin()->first, 3);
    EXPECT_EQ(nsyns.rbegin()->first, 11);
    std::uint64_t edges = 0;
    for (const auto& [k, c] : nsyns)
        edges += c;
    for (const auto& [k, c] : nsyns) {
        const double expected = double(edges) / 9.0;
        EXPECT_NEAR(double(c), expected, 5 * std::sqrt(expected)) << "nsyn " << k;
    }
    // Sources are chosen uniformly: each by ~ targets * 19.5 / 500 = 156 targets.
    for (const auto h : hits)
        EXPECT_NEAR(double(h), 156.0, 5 * std::sqrt(156.0));
}

TEST(select_source_cells, fixed_count_and_no_self_in_the_same_block) {
    auto p = lgn_projection(lio::infinity);
    p.rule.nsources_low = p.rule.nsources_high = 29;
    const std::uint32_t n = 30;
    ln::projection_builder b(p, 0, 3, 0.1, n, 0, 0, true, nullptr, nullptr);
    for (std::uint32_t t = 0; t < n; ++t) {
        const auto e = incoming(b, t);
        ASSERT_EQ(e.size(), 29u); // every other cell
        for (const auto& x : e)
            EXPECT_NE(x.source, t);
    }
    p.rule.nsources_low = p.rule.nsources_high = 0;
    ln::projection_builder none(p, 0, 3, 0.1, n, 0, 0, true, nullptr, nullptr);
    EXPECT_TRUE(incoming(none, 4).empty());
}

TEST(select_source_cells, large_k_uses_the_hash_set_path_and_stays_uniform) {
    // k > 64 takes the unordered_set membership branch of Floyd's algorithm; k = 64 is the last
    // k of the linear-scan branch. Over n = 200 sources and 3,000 targets (no distance limit):
    // exactly k distinct sources per target, each source used by ~ targets * k / n targets.
    const std::uint32_t n = 200, targets = 3000;
    for (const std::uint32_t k : {64u, 65u, 150u, n - 1}) {
        auto p = lgn_projection(lio::infinity);
        p.rule.nsources_low = p.rule.nsources_high = k;
        ln::projection_builder b(p, 4, 11, 0.1, n, 0, n, false, nullptr, nullptr);
        std::vector<std::uint64_t> hits(n, 0);
        for (std::uint32_t t = 0; t < targets; ++t) {
            const auto e = incoming(b, t);
            ASSERT_EQ(e.size(), k) << "k " << k << ", target " << t;
            std::set<std::uint32_t> distinct;
            for (const auto& x : e) {
                ASSERT_LT(x.source, n);
                distinct.insert(x.source);
                ++hits[x.source];
            }
            ASSERT_EQ(distinct.size(), std::size_t(k)) << "k " << k << ": sources are distinct";
        }
        const double q = double(k) / n, mean = targets * q, sd = std::sqrt(targets * q * (1 - q));
        for (std::uint32_t j = 0; j < n; ++j)
            EXPECT_NEAR(double(hits[j]), mean, 5 * sd) << "k " << k << ", source " << j;
    }
}

TEST(select_source_cells, visual_tan_mapping_is_the_seeds_convert_to_2d) {
    lio::target_space_config space;
    space.kind = lio::target_space_kind::visual_tan;
    space.x_deg_per_um = 0.07;
    space.z_deg_per_um = 0.04;
    const auto m = ln::map_to_target_space(space, {250.0, -40.0, -300.0});
    const double pi = std::numbers::pi;
    EXPECT_DOUBLE_EQ(m[0], std::tan(0.07 * 250.0 * pi / 180.0) * 180.0 / pi);
    EXPECT_DOUBLE_EQ(m[1], std::tan(0.04 * -300.0 * pi / 180.0) * 180.0 / pi);
    EXPECT_DOUBLE_EQ(ln::target_space_distance(space, {m[0] + 3.0, m[1] + 4.0, 99.0}, m), 5.0);
    lio::target_space_config identity;
    EXPECT_DOUBLE_EQ(ln::target_space_distance(identity, {1, 2, 3}, {1, 2, 5}), 2.0);
}

TEST(select_source_cells, distance_limit_keeps_a_subset_with_the_same_draws) {
    // Targets spread over a column; LGN over a 240 x 120 degree field. With d_max 40 degrees
    // some chosen sources are dropped; those kept are exactly the unlimited rule's edges that
    // lie within d_max, with the same nsyn, weight and delay (per-edge blocks keyed by source).
    const std::uint32_t n = 500;
    const auto src = lgn_positions(n);
    lio::positions_config col;
    col.kind = lio::position_kind::column;
    col.radius_um = 400;
    col.height_um = 200;
    const auto tgt = ln::make_positions(col, 5, 0, 2000);
    auto limited = lgn_projection(40.0);
    limited.rule.target_space = {lio::target_space_kind::visual_tan, 0.07, 0.04};
    limited.weight = {lio::distribution_kind::uniform, 0.0, 1.0, 2.0, 0.0, 0.0};
    auto unlimited = limited;
    unlimited.rule.d_max_um = lio::infinity;
    ln::projection_builder a(limited, 1, 9, 0.1, n, 10000, 0, false, &src, &tgt);
    ln::projection_builder b(unlimited, 1, 9, 0.1, n, 10000, 0, false, &src, &tgt);
    std::uint64_t kept = 0, chosen = 0, expected_kept = 0;
    for (std::uint32_t t = 0; t < tgt.size(); ++t) {
        const auto ea = incoming(a, t), eb = incoming(b, t);
        const auto mapped = ln::map_to_target_space(limited.rule.target_space, tgt[t]);
        std::size_t i = 0;
        for (const auto& x : eb) {
            const double d =
                ln::target_space_distance(limited.rule.target_space, src[x.source], mapped);
            if (d > 40.0)
                continue;
            ++expected_kept;
            ASSERT_LT(i, ea.size());
            EXPECT_EQ(ea[i].source, x.source);
            EXPECT_EQ(ea[i].weight, x.weight);
            EXPECT_EQ(ea[i].delay_steps, x.delay_steps);
            ++i;
        }
        EXPECT_EQ(i, ea.size());
        for (const auto& x : ea) {
            EXPECT_LE(ln::target_space_distance(limited.rule.target_space, src[x.source], mapped),
                      40.0);
        }
        kept += ea.size();
        chosen += eb.size();
    }
    EXPECT_EQ(kept, expected_kept);
    EXPECT_GT(kept, 0u);
    EXPECT_LT(kept, chosen / 2) << "the limit must bind in this geometry";
}

TEST(select_source_cells, edges_depend_only_on_seed_projection_and_target) {
    const auto p = lgn_projection(lio::infinity);
    ln::projection_builder a(p, 2, 42, 0.1, 500, 0, 1000, false, nullptr, nullptr);
    ln::projection_builder b(p, 2, 42, 0.1, 500, 0, 1000, false, nullptr, nullptr);
    ln::projection_builder c(p, 3, 42, 0.1, 500, 0, 1000, false, nullptr, nullptr);
    // Building other targets in between changes nothing.
    const auto first = incoming(a, 17);
    for (std::uint32_t t = 0; t < 50; ++t)
        incoming(a, t);
    const auto again = incoming(a, 17), other = incoming(b, 17), proj = incoming(c, 17);
    ASSERT_EQ(first.size(), again.size());
    ASSERT_EQ(first.size(), other.size());
    for (std::size_t i = 0; i < first.size(); ++i) {
        EXPECT_EQ(first[i].source, again[i].source);
        EXPECT_EQ(first[i].source, other[i].source);
        EXPECT_EQ(first[i].weight, other[i].weight);
    }
    std::set<std::uint32_t> sa, sc;
    for (const auto& x : first)
        sa.insert(x.source);
    for (const auto& x : proj)
        sc.insert(x.source);
    EXPECT_NE(sa, sc);
}
