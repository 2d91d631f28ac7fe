// The epoch loop and the per-thread shards it drives.
#include "laminar/sim/simulation.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstring>
#include <exception>
#include <limits>
#include <map>
#include <stdexcept>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <omp.h>

#include "laminar/core/error.hpp"
#include "laminar/core/time.hpp"
#include "laminar/io/sonata_spikes.hpp"
#include "laminar/model/neuron_group.hpp"
#include "laminar/network/connectivity.hpp"
#include "laminar/network/positions.hpp"
#include "laminar/rng/stream.hpp"
#include "laminar/sim/connection_store.hpp"
#include "laminar/sim/poisson_train.hpp"

namespace laminar::sim {

namespace {

/// Calls f(t) for every shard t, one OpenMP thread each (one shard per iteration: correct even
/// if the runtime grants fewer threads; no region at all for one). An exception must not leave
/// the region: the first is kept and rethrown after it.
template <class F>
void for_each_shard(int threads, F&& f) {
    std::exception_ptr failure;
#pragma omp parallel for num_threads(threads) schedule(static, 1) if (threads > 1)
    for (int t = 0; t < threads; ++t) {
        try {
            f(t);
        } catch (...) {
#pragma omp critical(laminar_shard_error)
            if (!failure)
                failure = std::current_exception();
        }
    }
    if (failure)
        std::rethrow_exception(failure);
}

using clock_type = std::chrono::steady_clock;
double seconds_since(clock_type::time_point t0) {
    return std::chrono::duration<double>(clock_type::now() - t0).count();
}

constexpr step_type never = std::numeric_limits<step_type>::max();

step_type window_steps(double t_ms, double dt_ms) {
    return std::isinf(t_ms) ? never : ms_to_steps_ceil(t_ms, dt_ms);
}

/// Neurons of one population inside a shard.
struct group_slot {
    std::unique_ptr<model::neuron_group> group;
    std::uint32_t offset = 0; // first cell's offset in the shard
};

/// A Poisson spike source cell: continuous-time train (exponential intervals from the cell's
/// own stream), each spike stamped at the next grid point as NEST's spike_generator does.
struct poisson_cell {
    std::uint32_t offset = 0;
    gid_type gid = 0;
    poisson_train train;
    step_type next_stamp = never;
};

/// A connection from a poisson_generator: an independent train per connection. The count of
/// update n uses word n % 4 of block n / 4 of the connection's stream; the block is cached.
struct generator_synapse {
    std::uint32_t target; // ring index (channel * n + offset)
    std::uint32_t delay;  // steps
    double weight;
    std::uint32_t generator; // index into impl::generators
    std::uint32_t j;         // index among the target's connections of this projection
    gid_type target_gid;
    std::int64_t cached = -1; // index of the block in `words`
    rng::block words{};
};

/// A NEST poisson_generator lowered for one run: Poisson(mu) counts by inversion of a table of
/// cumulative probabilities scaled to 32-bit integers (one random word per count). A guide
/// table on the word's top 8 bits starts the search at the right count, so the search loop
/// almost never iterates (its branch would otherwise be mispredicted at every draw).
struct generator_info {
    std::uint32_t projection = 0;
    bool per_cell = false; // one generator_info per generator cell follows (per-cell rates)
    std::vector<std::uint64_t> cdf;         // cdf[k] = floor(P(K <= k) * 2^32), last entry >= 2^32
    std::array<std::uint32_t, 256> guide{}; // smallest k with cdf[k] > (b << 24)
    step_type t_min = 0;                    // active for t_min < n <= t_max
    step_type t_max = never;

    void make_guide() {
        std::uint32_t k = 0;
        for (std::uint64_t b = 0; b < 256; ++b) {
            while (cdf[k] <= (b << 24))
                ++k;
            guide[b] = k;
        }
    }
    std::uint32_t count(std::uint32_t word) const noexcept {
        std::uint32_t k = guide[word >> 24];
        while (word >= cdf[k])
            ++k;
        return k;
    }
};

std::vector<std::uint64_t> poisson_cdf_table(double mu) {
    std::vector<std::uint64_t> table;
    if (mu <= 0.0)
        return {std::uint64_t(1) << 32}; // always 0 (and no log(0) below)
    const double scale = 4294967296.0;   // 2^32
    // Sum the pmf in log space so large means do not underflow exp(-mu).
    double cdf = 0.0;
    for (std::uint32_t k = 0;; ++k) {
        const double log_p = -mu + double(k) * std::log(mu) - std::lgamma(double(k) + 1.0);
        cdf += std::exp(log_p);
        const bool past_mode = double(k) > mu;
        if (cdf * scale >= scale - 0.5 || (past_mode && std::exp(log_p) * scale < 1e-3)) {
            table.push_back(std::uint64_t(1) << 32); // every word is below this
            return table;
        }
        table.push_back(std::uint64_t(cdf * scale));
    }
}

struct stimulus_slot {
    double amp = 0.0;
    step_type on = 0;
    step_type off = never;
    std::vector<std::uint32_t> offsets;
};

struct probe {
    std::uint32_t group; // index into shard groups
    std::uint32_t cell;  // offset within the group
    std::size_t trace;   // index into traces
    std::size_t column;  // local column in that trace
};

struct shard {
    std::uint32_t lo = 0, hi = 0; // local index range
    std::uint32_t n = 0;
    std::vector<group_slot> groups;
    std::vector<poisson_cell> poisson;
    /// The spikes of NetStim and spike-file sources, known before the run: (stamp, gid) keys
    /// in order, consumed from `next_scheduled` one step at a time (one cursor for all cells).
    std::vector<spike_key> scheduled;
    std::size_t next_scheduled = 0;
    std::vector<double> ring;    // slots x (2 n): [ex | in] per slot
    std::vector<double> current; // C[L] per cell
    std::vector<stimulus_slot> stimuli;
    std::vector<step_type> stimulus_changes; // sorted unique steps at which C changes
    std::size_t next_change = 0;
    std::vector<generator_synapse> generator_synapses;
    std::vector<probe> probes;
    connection_store store;
    std::vector<spike_key> spikes;
    std::vector<std::uint32_t> spiked;
    std::uint64_t events = 0;
    std::uint64_t generator_events = 0;
    std::uint32_t channels = 2;      // receptor channels per cell in the ring (>= 2)
    std::uint32_t channels_used = 2; // 1 + highest channel any synapse targets
    std::uint32_t input_cells = 0;   // cells [0, input_cells) of a channel can receive input
    std::vector<projection_statistics> projections;
};

constexpr std::uint32_t by_sign = std::numeric_limits<std::uint32_t>::max();

/// The channel a projection's synapses use on a target model: its named receptor, or by_sign.
std::uint32_t receptor_channel(const model::model_info& info, const io::projection_config& pc,
                               const std::string& file) {
    if (pc.receptor.empty()) {
        if (!info.route_by_sign) {
            throw config_error(file, pc.mark.line, fmt::format("projections.{}.receptor", pc.name),
                               fmt::format("required: target model {} has receptors {}", info.type,
                                           fmt::join(info.receptors, ", ")));
        }
        return by_sign;
    }
    for (std::size_t k = 0; k < info.receptors.size(); ++k) {
        if (info.receptors[k] == pc.receptor)
            return std::uint32_t(k);
    }
    throw config_error(file, pc.mark.line, fmt::format("projections.{}.receptor", pc.name),
                       fmt::format("model {} has no receptor '{}' (it has: {})", info.type,
                                   pc.receptor, fmt::join(info.receptors, ", ")));
}

/// NEURON NetStim spike times of one cell up to tstop, as grid stamps: NEURON delivers an
/// event at the grid point nearest to its time (ties at half steps go down), so a NetStim
/// spike at t with a delay of d steps reaches its target at stamp(t) + d.
std::vector<step_type> netstim_stamps(const io::source_config& src, const rng::stream& stream,
                                      double dt, double tstop) {
    std::vector<step_type> out;
    if (src.start_ms < 0 || src.number == 0)
        return out;
    const double noise = std::clamp(src.noise, 0.0, 1.0);
    const double mean = src.interval_ms <= 0 ? 0.01 : src.interval_ms;
    std::uint64_t k = 0;
    auto exprand = [&] {
        const auto b = stream.at(k++);
        return -std::log(rng::to_open_unit(b[0], b[1]));
    };
    // First spike at start + noise * interval * E1; then (1 - noise) * interval + noise *
    // interval * E per interval (NEURON netstim.mod).
    double t = src.start_ms + (noise > 0 ? noise * mean * exprand() : 0.0);
    for (std::uint64_t n = 0; n < src.number && t <= tstop; ++n) {
        // Stamp 0 (t < dt/2) is legal: run() delivers such spikes before the first update.
        out.push_back(std::max<step_type>(0, step_type(std::ceil(t / dt - 0.5))));
        t += (1.0 - noise) * mean + (noise > 0 ? noise * mean * exprand() : 0.0);
    }
    return out;
}

} // namespace

struct simulation::impl {
    const io::simulation_config& cfg;
    const comm::context& ctx;
    network::layout lay;
    int threads;
    double dt;
    step_type n_steps = 0;
    step_type min_delay = 1;
    std::size_t slots = 1;
    std::vector<shard> shards;
    bool ran = false; // run() advances the state for good: it runs once
    std::vector<generator_info> generators;
    std::vector<std::uint32_t> first_generator; // per projection from a poisson_generator
    bool exact_weights = true;
    std::map<std::string, std::vector<std::pair<std::string, io::spike_table>>> spike_files;
    std::vector<vm_trace> traces;
    build_statistics bstats;

    impl(const io::simulation_config& c, const comm::context& x, int t)
        : cfg(c), ctx(x), lay(c, x.rank(), x.size()), threads(std::max(1, t)), dt(c.run.dt_ms) {}

    /// Local work only (no communication), so a failure here can be agreed on by all ranks.
    void build();
    /// Collective: the epoch length and ring sizes.
    void synchronise();
    void build_shard(shard& sh, const std::vector<network::projection_builder*>& builders,
                     const std::vector<std::vector<std::size_t>>& by_target);
    void setup_sources(shard& sh);
    void update(shard& sh, step_type t0, step_type len);
    void deliver(shard& sh, std::span<const spike_key> spikes);
};

// ---------------------------------------------------------------------------------------------
// Building

namespace {
/// select_source_cells with a distance limit: positions on both ends, and a visual_tan mapping
/// whose tangent stays finite (|angle| < 90 degrees) for every target.
void check_select_source_cells(const io::projection_config& pc,
                               const std::vector<network::position>* spos,
                               const std::vector<network::position>& tpos,
                               const std::string& file) {
    const auto key = fmt::format("projections.{}.rule", pc.name);
    if (spos == nullptr || spos->empty() || tpos.empty())
        throw config_error(file, pc.mark.line, key,
                           "select_source_cells with a finite d_max needs positions on both "
                           "source and target");
    const auto& ts = pc.rule.target_space;
    if (ts.kind != io::target_space_kind::visual_tan)
        return;
    for (const auto& p : tpos) {
        const double ax = std::abs(ts.x_deg_per_um * p[0]);
        const double az = std::abs(ts.z_deg_per_um * p[2]);
        if (ax >= 90.0 || az >= 90.0) {
            throw config_error(
                file, pc.mark.line, key + ".target_space",
                fmt::format("a target at x = {} µm, z = {} µm maps to {} degrees, where tan is "
                            "not finite; every |x_deg_per_um x| and |z_deg_per_um z| must be "
                            "below 90",
                            p[0], p[2], std::max(ax, az)));
        }
    }
}
} // namespace

void simulation::impl::build() {
    const auto t_start = clock_type::now();
    n_steps = ms_to_steps_ceil(cfg.run.tstop_ms, dt);
    if (n_steps >= step_type(1) << 31) {
        throw config_error(cfg.path.string(), 0, "run.tstop",
                           fmt::format("{} steps is too many (at most 2^31)", n_steps));
    }

    // Positions of every block that has them (pure functions of the seed).
    std::vector<std::vector<network::position>> positions(lay.blocks().size());
    for (std::size_t b = 0; b < lay.blocks().size(); ++b) {
        const auto& blk = lay.blocks()[b];
        const auto& pc = blk.kind == network::cell_kind::neuron
                             ? cfg.populations[blk.config_index].positions
                             : cfg.sources[blk.config_index].positions;
        positions[b] = network::make_positions(pc, cfg.run.seed, std::uint32_t(b), blk.size);
    }

    // Lower projections: spike-carrying ones into builders, generator ones too (their edges go
    // to generator synapses instead of the store).
    std::vector<std::unique_ptr<network::projection_builder>> owned;
    std::vector<network::projection_builder*> builders(cfg.projections.size(), nullptr);
    std::vector<std::vector<std::size_t>> by_target(lay.blocks().size());
    first_generator.assign(cfg.projections.size(), 0);
    // Weights are exact doubles (NEST's sums bit for bit) when every spike-carrying projection
    // has a constant weight (times nsyn), so that few distinct values exist; else floats. Decided
    // once per run from the config, so every shard of every decomposition stores them alike.
    {
        std::uint64_t distinct_bound = 0;
        exact_weights = true;
        for (const auto& pc : cfg.projections) {
            if (lay.find_block(pc.source) < 0)
                continue; // poisson_generator connections keep double weights anyway
            if (pc.weight.kind != io::distribution_kind::constant)
                exact_weights = false;
            distinct_bound += std::uint64_t(pc.nsyn.high - pc.nsyn.low + 1);
        }
        if (distinct_bound > connection_store::max_table_size)
            exact_weights = false;
    }
    for (std::size_t p = 0; p < cfg.projections.size(); ++p) {
        const auto& pc = cfg.projections[p];
        const int tb = lay.find_block(pc.target);
        const auto& tblk = lay.blocks()[std::size_t(tb)];
        const int sb = lay.find_block(pc.source);
        std::uint32_t source_size = 0;
        gid_type source_first = 0;
        const std::vector<network::position>* spos = nullptr;
        if (sb >= 0) {
            const auto& sblk = lay.blocks()[std::size_t(sb)];
            source_size = sblk.size;
            source_first = sblk.first;
            spos = &positions[std::size_t(sb)];
        } else {
            const auto* src = cfg.find_source(pc.source);
            source_size = std::uint32_t(src->size);
            // One table per generator cell (a per-cell `rates` list), or one for all.
            first_generator[p] = std::uint32_t(generators.size());
            for (const double rate : src->rates_hz) {
                const double mu = rate * dt * 1e-3;
                if (mu > 1000.0) {
                    throw config_error(cfg.path.string(), src->mark.line,
                                       fmt::format("sources.{}.rate", src->name),
                                       fmt::format("rate x dt is {} spikes per step; at most "
                                                   "1000 are supported per connection",
                                                   mu));
                }
                generator_info g;
                g.projection = std::uint32_t(p);
                g.cdf = poisson_cdf_table(mu);
                g.make_guide();
                g.t_min = window_steps(src->start_ms, dt);
                g.t_max = window_steps(src->stop_ms, dt);
                g.per_cell = src->rates_hz.size() > 1;
                generators.push_back(std::move(g));
            }
        }
        const bool same = sb == tb;
        if (pc.rule.kind == io::rule_kind::fixed_indegree && !pc.rule.multapses &&
            pc.rule.indegree > source_size - (same && !pc.autapses ? 1u : 0u)) {
            throw config_error(cfg.path.string(), pc.mark.line,
                               fmt::format("projections.{}.rule.indegree", pc.name),
                               fmt::format("indegree {} exceeds the {} distinct sources available "
                                           "without multapses",
                                           pc.rule.indegree,
                                           source_size - (same && !pc.autapses ? 1 : 0)));
        }
        if (pc.rule.kind == io::rule_kind::distance_taper &&
            (spos == nullptr || spos->empty() || positions[std::size_t(tb)].empty())) {
            throw config_error(cfg.path.string(), pc.mark.line,
                               fmt::format("projections.{}.rule", pc.name),
                               "distance_taper needs positions on both source and target");
        }
        if (pc.rule.kind == io::rule_kind::select_source_cells && std::isfinite(pc.rule.d_max_um)) {
            check_select_source_cells(pc, spos, positions[std::size_t(tb)], cfg.path.string());
        }
        owned.push_back(std::make_unique<network::projection_builder>(
            pc, std::uint32_t(p), cfg.run.seed, dt, source_size, source_first, tblk.first, same,
            spos, &positions[std::size_t(tb)]));
        builders[p] = owned.back().get();
        by_target[std::size_t(tb)].push_back(p);
    }

    // Shards: contiguous, balanced blocks of local indices.
    shards.resize(std::size_t(threads));
    const std::uint32_t nl = lay.local_count();
    for (int t = 0; t < threads; ++t) {
        auto& sh = shards[std::size_t(t)];
        sh.lo = std::uint32_t(std::uint64_t(nl) * std::uint64_t(t) / std::uint64_t(threads));
        sh.hi = std::uint32_t(std::uint64_t(nl) * std::uint64_t(t + 1) / std::uint64_t(threads));
        sh.n = sh.hi - sh.lo;
    }

    // Membrane-potential traces: one per probed population, columns owned by this rank.
    for (const auto& vp : cfg.record.v_m) {
        auto it = std::find_if(traces.begin(), traces.end(),
                               [&](const vm_trace& t) { return t.population == vp.population; });
        if (it == traces.end()) {
            traces.push_back({vp.population, {}, {}, {}});
            it = traces.end() - 1;
        }
        it->node_ids.insert(it->node_ids.end(), vp.node_ids.begin(), vp.node_ids.end());
    }
    for (auto& tr : traces) {
        std::sort(tr.node_ids.begin(), tr.node_ids.end());
        tr.node_ids.erase(std::unique(tr.node_ids.begin(), tr.node_ids.end()), tr.node_ids.end());
        const auto& blk = lay.blocks()[std::size_t(lay.find_block(tr.population))];
        for (std::size_t c = 0; c < tr.node_ids.size(); ++c) {
            if (lay.is_local(gid_type(blk.first + tr.node_ids[c])))
                tr.local_columns.push_back(c);
        }
        tr.data.assign(std::size_t(n_steps) * tr.local_columns.size(), 0.0f);
    }

    for_each_shard(threads,
                   [&](int t) { build_shard(shards[std::size_t(t)], builders, by_target); });

    for (auto& sh : shards)
        setup_sources(sh);
    spike_files.clear();
    bstats.seconds = seconds_since(t_start);
}

void simulation::impl::synchronise() {
    const auto t_start = clock_type::now();
    // The epoch length: the smallest delay of any spike-carrying synapse anywhere.
    std::uint64_t local_min = std::numeric_limits<std::uint32_t>::max();
    std::uint64_t local_max = 1;
    for (const auto& sh : shards) {
        if (sh.store.synapse_count() == 0)
            continue;
        local_min = std::min<std::uint64_t>(local_min, sh.store.min_delay());
        local_max = std::max<std::uint64_t>(local_max, sh.store.max_delay());
        bstats.local_synapses += sh.store.synapse_count();
        bstats.local_store_bytes += sh.store.bytes();
    }
    bstats.projections.assign(cfg.projections.size(), {});
    for (const auto& sh : shards) {
        bstats.local_generator_synapses += sh.generator_synapses.size();
        for (std::size_t p = 0; p < cfg.projections.size(); ++p) {
            bstats.projections[p].synapses += sh.projections[p].synapses;
            bstats.projections[p].weight_sum += sh.projections[p].weight_sum;
            bstats.projections[p].weight_sq_sum += sh.projections[p].weight_sq_sum;
        }
    }
    // min over ranks via max of the negation-free complement
    const std::uint64_t global_min =
        std::numeric_limits<std::uint32_t>::max() -
        ctx.max(std::uint64_t(std::numeric_limits<std::uint32_t>::max()) - local_min);
    const bool no_synapses = global_min == std::numeric_limits<std::uint32_t>::max();
    // Without spike-carrying synapses results do not depend on the epoch: take 1 ms.
    min_delay =
        no_synapses ? std::max<step_type>(1, ms_to_steps_ceil(1.0, dt)) : step_type(global_min);
    slots = std::size_t(std::max<std::uint64_t>(local_max, std::uint64_t(min_delay)) + 1);
    for (auto& sh : shards)
        sh.ring.assign(slots * sh.channels * sh.n, 0.0);
    bstats.exact_weights = exact_weights;
    bstats.seconds += seconds_since(t_start);
}

void simulation::impl::build_shard(shard& sh,
                                   const std::vector<network::projection_builder*>& builders,
                                   const std::vector<std::vector<std::size_t>>& by_target) {
    sh.current.assign(sh.n, 0.0);
    sh.projections.assign(cfg.projections.size(), {});
    std::vector<pending_synapse> pending;
    std::vector<network::edge> edges;

    // Populations of one model whose cells follow each other in the shard share a group: one
    // call per step for all of them (each cell's arithmetic is its own, so grouping never changes
    // results; the microcircuit's four populations make two groups).
    struct group_span {
        const io::model_config* model;
        std::uint32_t lb, le;
    };
    std::vector<group_span> spans;
    std::vector<std::uint32_t> group_of_block(lay.blocks().size(), 0);
    for (std::size_t b = 0; b < lay.blocks().size(); ++b) {
        const auto& blk = lay.blocks()[b];
        auto [lb, le] = lay.local_range(blk);
        lb = std::max(lb, sh.lo);
        le = std::min(le, sh.hi);
        if (lb >= le || blk.kind != network::cell_kind::neuron)
            continue;
        const auto* mc = cfg.find_model(cfg.populations[blk.config_index].model);
        if (spans.empty() || spans.back().model != mc || spans.back().le != lb)
            spans.push_back({mc, lb, le});
        else
            spans.back().le = le;
        group_of_block[b] = std::uint32_t(spans.size() - 1);
    }
    for (const auto& span : spans) {
        group_slot gs;
        gs.group = model::make_group(span.model->type, span.model->params, dt, span.le - span.lb);
        gs.offset = span.lb - sh.lo;
        const auto* info = model::find_model(span.model->type);
        sh.channels = std::max<std::uint32_t>(sh.channels, std::uint32_t(info->receptors.size()));
        sh.groups.push_back(std::move(gs));
    }

    for (std::size_t b = 0; b < lay.blocks().size(); ++b) {
        const auto& blk = lay.blocks()[b];
        auto [lb, le] = lay.local_range(blk);
        lb = std::max(lb, sh.lo);
        le = std::min(le, sh.hi);
        if (lb >= le)
            continue;
        if (blk.kind != network::cell_kind::neuron)
            continue;

        const auto& pop = cfg.populations[blk.config_index];
        const auto* mc = cfg.find_model(pop.model);
        const auto* info = model::find_model(mc->type);
        const auto group_index = group_of_block[b];
        const auto group_lb = spans[group_index].lb;

        for (std::uint32_t l = lb; l < le; ++l) {
            const gid_type g = lay.gid_of_local(l);
            const std::uint32_t t = g - blk.first;
            const std::uint32_t offset = l - sh.lo;
            for (const auto p : by_target[b]) {
                edges.clear();
                builders[p]->build(t, edges);
                auto& ps = sh.projections[p];
                ps.synapses += edges.size();
                for (const auto& e : edges) {
                    ps.weight_sum += e.weight;
                    ps.weight_sq_sum += e.weight * e.weight;
                }
                const auto& pc = cfg.projections[p];
                const int sb = lay.find_block(pc.source);
                for (const auto& e : edges) {
                    if (e.delay_steps > std::numeric_limits<std::uint16_t>::max()) {
                        throw config_error(
                            cfg.path.string(), pc.mark.line,
                            fmt::format("projections.{}.delay", pc.name),
                            fmt::format("a delay of {} steps is longer than the 65535 steps "
                                        "supported ({} ms at dt {} ms)",
                                        e.delay_steps, 65535 * dt, dt));
                    }
                }
                if (sb < 0 && edges.size() >= (std::size_t(1) << 20)) {
                    throw config_error(cfg.path.string(), pc.mark.line,
                                       fmt::format("projections.{}", pc.name),
                                       "a target has 2^20 or more connections from one "
                                       "poisson_generator projection: use a higher rate instead");
                }
                const std::uint32_t fixed = receptor_channel(*info, pc, cfg.path.string());
                auto channel_of = [&](double w) -> std::uint32_t {
                    if (fixed != by_sign)
                        return fixed;
                    return info->single_channel || w > 0.0 ? 0u : 1u;
                };
                if (sb >= 0) {
                    const gid_type first = lay.blocks()[std::size_t(sb)].first;
                    for (const auto& e : edges) {
                        pending.push_back({first + e.source, channel_of(e.weight) * sh.n + offset,
                                           e.delay_steps, e.weight});
                    }
                } else {
                    const auto first_gen = first_generator[p];
                    const bool per_cell = generators[first_gen].per_cell;
                    std::uint32_t j = 0;
                    for (const auto& e : edges) {
                        const auto gen = first_gen + (per_cell ? e.source : 0u);
                        sh.generator_synapses.push_back({channel_of(e.weight) * sh.n + offset,
                                                         e.delay_steps,
                                                         e.weight,
                                                         gen,
                                                         j++,
                                                         g,
                                                         -1,
                                                         {}});
                    }
                }
            }
        }

        // Stimuli on these cells.
        for (const auto& st : cfg.stimuli) {
            if (st.population != pop.name)
                continue;
            stimulus_slot ss;
            ss.amp = st.amp_pA;
            ss.on = window_steps(st.start_ms, dt);
            ss.off = window_steps(st.stop_ms, dt);
            if (st.node_ids.empty()) {
                for (std::uint32_t l = lb; l < le; ++l)
                    ss.offsets.push_back(l - sh.lo);
            } else {
                for (const auto id : st.node_ids) {
                    const gid_type g = gid_type(blk.first + id);
                    if (!lay.is_local(g))
                        continue;
                    const auto l = lay.local_of_gid(g);
                    if (l >= lb && l < le)
                        ss.offsets.push_back(l - sh.lo);
                }
                std::sort(ss.offsets.begin(), ss.offsets.end());
            }
            if (ss.offsets.empty() || ss.on >= ss.off)
                continue;
            sh.stimulus_changes.push_back(ss.on);
            if (ss.off != never)
                sh.stimulus_changes.push_back(ss.off);
            sh.stimuli.push_back(std::move(ss));
        }

        // Probes.
        for (std::size_t ti = 0; ti < traces.size(); ++ti) {
            auto& tr = traces[ti];
            if (tr.population != pop.name)
                continue;
            for (std::size_t c = 0; c < tr.local_columns.size(); ++c) {
                const gid_type g = gid_type(blk.first + tr.node_ids[tr.local_columns[c]]);
                const auto l = lay.local_of_gid(g);
                if (l >= lb && l < le)
                    sh.probes.push_back({group_index, l - group_lb, ti, c});
            }
        }
    }
    std::sort(sh.stimulus_changes.begin(), sh.stimulus_changes.end());
    sh.stimulus_changes.erase(std::unique(sh.stimulus_changes.begin(), sh.stimulus_changes.end()),
                              sh.stimulus_changes.end());
    // generator_synapses are in (target gid, projection, connection) order by construction:
    // the order their counts are added into a slot, the same for every decomposition.
    // Ring indices are channel * n + offset: the highest one used tells which channels to clear,
    // the highest offset which cells of a channel (sources, after the neurons when the config
    // lists them after the populations, never receive input: their part stays zero).
    std::uint32_t highest = 0;
    sh.input_cells = 0;
    auto note_target = [&](std::uint32_t target) {
        highest = std::max(highest, target);
        sh.input_cells = std::max(sh.input_cells, target % sh.n + 1);
    };
    if (sh.n > 0) {
        for (const auto& p : pending)
            note_target(p.target);
        for (const auto& gsyn : sh.generator_synapses)
            note_target(gsyn.target);
    }
    sh.channels_used = sh.n == 0 ? 1 : highest / sh.n + 1;
    sh.store.build(std::move(pending), exact_weights);
}

void simulation::impl::setup_sources(shard& sh) {
    for (std::size_t b = 0; b < lay.blocks().size(); ++b) {
        const auto& blk = lay.blocks()[b];
        if (blk.kind == network::cell_kind::neuron)
            continue;
        auto [lb, le] = lay.local_range(blk);
        lb = std::max(lb, sh.lo);
        le = std::min(le, sh.hi);
        if (lb >= le)
            continue;
        const auto& src = cfg.sources[blk.config_index];
        if (blk.kind == network::cell_kind::netstim_source) {
            for (std::uint32_t l = lb; l < le; ++l) {
                const gid_type g = lay.gid_of_local(l);
                const rng::stream stream(cfg.run.seed, rng::purpose::netstim, std::uint32_t(b),
                                         g - blk.first);
                for (const auto stamp : netstim_stamps(src, stream, dt, cfg.run.tstop_ms))
                    sh.scheduled.push_back(make_key(stamp, g));
            }
        } else if (blk.kind == network::cell_kind::poisson_source) {
            for (std::uint32_t l = lb; l < le; ++l) {
                const gid_type g = lay.gid_of_local(l);
                const auto i = g - blk.first;
                const double rate = src.rates_hz.size() == 1 ? src.rates_hz[0] : src.rates_hz[i];
                sh.poisson.push_back({l - sh.lo, g,
                                      poisson_train(cfg.run.seed, std::uint32_t(b), i, rate,
                                                    src.start_ms, src.stop_ms),
                                      never});
            }
        } else {
            // Every rank reads the file and keeps its own cells.
            // Every rank reads each file once (not once per shard).
            auto cached = spike_files.find(src.spike_file);
            if (cached == spike_files.end())
                cached =
                    spike_files.emplace(src.spike_file, io::read_spike_file(src.spike_file)).first;
            const auto& tables = cached->second;
            const io::spike_table* table = nullptr;
            for (const auto& [name, t] : tables) {
                if (src.file_population.empty() ? tables.size() == 1
                                                : name == src.file_population) {
                    table = &t;
                }
            }
            if (!table) {
                std::string names;
                for (const auto& [name, t] : tables)
                    names += (names.empty() ? "" : ", ") + name;
                throw io_error(src.spike_file,
                               src.file_population.empty()
                                   ? fmt::format("holds several populations ({}); set "
                                                 "sources.{}.population",
                                                 names, src.name)
                                   : fmt::format("has no population '{}' (it has: {})",
                                                 src.file_population, names));
            }
            for (std::size_t k = 0; k < table->node_ids.size(); ++k) {
                const auto id = table->node_ids[k];
                const double t = table->timestamps[k];
                if (id >= blk.size) {
                    throw io_error(src.spike_file,
                                   fmt::format("node id {} is outside source '{}' of size {}", id,
                                               src.name, blk.size));
                }
                if (!std::isfinite(t)) {
                    throw io_error(src.spike_file,
                                   fmt::format("spike time {} ms of node {} is not finite", t, id));
                }
                if (t > cfg.run.tstop_ms)
                    continue; // after the end of the run
                if (!(t > 0.0)) {
                    throw io_error(src.spike_file,
                                   fmt::format("spike time {} ms of node {} must be > 0", t, id));
                }
                const gid_type g = gid_type(blk.first + id);
                if (!lay.is_local(g))
                    continue;
                const auto l = lay.local_of_gid(g);
                if (l < lb || l >= le)
                    continue;
                sh.scheduled.push_back(make_key(spike_time_to_stamp(t, dt), g));
            }
        }
    }
    std::sort(sh.scheduled.begin(), sh.scheduled.end());
}

// ---------------------------------------------------------------------------------------------
// Running

namespace {
/// Draws the next spike of a Poisson cell (continuous time), stamping it on the grid.
void advance_poisson(poisson_cell& c, double dt) {
    const double t = c.train.next();
    c.next_stamp = std::isinf(t) ? never : spike_time_to_stamp(t, dt);
}
} // namespace

void simulation::impl::update(shard& sh, step_type t0, step_type len) {
    const std::size_t slot_size = std::size_t(sh.channels) * sh.n;
    for (step_type L = t0; L < t0 + len; ++L) {
        double* ex = sh.ring.data() + std::size_t(L % step_type(slots)) * slot_size;
        double* in = ex + sh.n;

        // Poisson generators: the train of update n = L - d arrives now (NEST stamps n + 1).
        for (auto& gs : sh.generator_synapses) {
            const auto& g = generators[gs.generator];
            const step_type n = L - step_type(gs.delay);
            if (n <= g.t_min || n > g.t_max)
                continue;
            if (gs.cached != (n >> 2)) {
                gs.cached = n >> 2;
                const rng::stream s(cfg.run.seed, rng::purpose::poisson_generator, g.projection,
                                    gs.target_gid);
                gs.words = s.at((std::uint64_t(gs.cached) << 20) | gs.j);
            }
            // Unconditional add (a zero count adds 0.0): no branch to mispredict.
            const auto k = g.count(gs.words[std::size_t(n & 3)]);
            ex[gs.target] += gs.weight * double(k);
            sh.generator_events += k != 0;
        }

        // Current inputs C[L] change only at stimulus on/off steps.
        if (sh.next_change < sh.stimulus_changes.size() &&
            sh.stimulus_changes[sh.next_change] == L) {
            ++sh.next_change;
            std::fill(sh.current.begin(), sh.current.end(), 0.0);
            for (const auto& st : sh.stimuli) {
                if (L < st.on || L >= st.off)
                    continue;
                for (const auto o : st.offsets)
                    sh.current[o] += st.amp;
            }
        }

        for (auto& gs : sh.groups) {
            sh.spiked.clear();
            model::step_input input{ex + gs.offset, in + gs.offset, sh.current.data() + gs.offset};
            for (std::uint32_t c = 2; c < sh.channels; ++c)
                input.w_more[c - 2] = ex + std::size_t(c) * sh.n + gs.offset;
            gs.group->advance(L, input, sh.spiked);
            const std::uint32_t base = sh.lo + gs.offset;
            for (const auto o : sh.spiked) {
                sh.spikes.push_back(make_key(L + 1, lay.gid_of_local(base + o)));
            }
        }
        for (auto& pc : sh.poisson) {
            while (pc.next_stamp == L + 1) {
                sh.spikes.push_back(make_key(L + 1, pc.gid));
                advance_poisson(pc, dt);
            }
        }
        while (sh.next_scheduled < sh.scheduled.size() &&
               key_stamp(sh.scheduled[sh.next_scheduled]) == L + 1)
            sh.spikes.push_back(sh.scheduled[sh.next_scheduled++]);
        // Clear what was read; the inhibitory half only if anything ever writes to it.
        if (sh.input_cells == sh.n) {
            std::memset(ex, 0, std::size_t(sh.channels_used) * sh.n * sizeof(double));
        } else {
            for (std::uint32_t c = 0; c < sh.channels_used; ++c)
                std::memset(ex + std::size_t(c) * sh.n, 0, sh.input_cells * sizeof(double));
        }

        for (const auto& p : sh.probes) {
            auto& tr = traces[p.trace];
            tr.data[std::size_t(L) * tr.local_columns.size() + p.column] =
                float(sh.groups[p.group].group->v_m(p.cell));
        }
    }
}

void simulation::impl::deliver(shard& sh, std::span<const spike_key> spikes) {
    const std::size_t slot_size = std::size_t(sh.channels) * sh.n;
    double* ring = sh.ring.data();
    for (const auto k : spikes) {
        const auto row = sh.store.find(key_gid(k));
        if (row < 0)
            continue;
        sh.events += sh.store.deliver(row, key_stamp(k), ring, slot_size, slots);
    }
}

// ---------------------------------------------------------------------------------------------

simulation::simulation(const io::simulation_config& cfg, const comm::context& ctx, int threads)
    : impl_(std::make_unique<impl>(cfg, ctx, threads)) {
    std::string failure;
    try {
        impl_->build();
    } catch (const std::exception& e) {
        failure = e.what();
        if (failure.empty())
            failure = "unknown error while building";
    } catch (...) {
        failure = "unknown error while building";
    }
    ctx.agree(failure);
    impl_->synchronise();
}

simulation::~simulation() = default;

const network::layout& simulation::layout() const noexcept {
    return impl_->lay;
}
int simulation::threads() const noexcept {
    return impl_->threads;
}
step_type simulation::steps() const noexcept {
    return impl_->n_steps;
}
step_type simulation::min_delay_steps() const noexcept {
    return impl_->min_delay;
}
const build_statistics& simulation::build_stats() const noexcept {
    return impl_->bstats;
}
const std::vector<vm_trace>& simulation::traces() const noexcept {
    return impl_->traces;
}

run_statistics simulation::run(const epoch_observer& observer) {
    auto& m = *impl_;
    if (m.ran)
        throw std::logic_error("simulation::run may be called once: build another simulation");
    m.ran = true;
    run_statistics st;
    const auto t_run = clock_type::now();
    std::vector<spike_key> local;
    std::vector<spike_key> global;
    for (auto& sh : m.shards) {
        for (auto& pc : sh.poisson)
            advance_poisson(pc, m.dt); // the first spike of each Poisson source
    }
    // Spikes stamped 0 (a NetStim firing before dt/2: NEURON delivers it at grid point 0 + d)
    // are exchanged and delivered before update 0, like the spikes of an epoch before it.
    for (auto& sh : m.shards) {
        while (sh.next_scheduled < sh.scheduled.size() &&
               key_stamp(sh.scheduled[sh.next_scheduled]) == 0)
            local.push_back(sh.scheduled[sh.next_scheduled++]);
    }
    global = m.ctx.allgather(local);
    std::sort(global.begin(), global.end());
    st.spikes += global.size();
    if (observer && !global.empty())
        observer(global, 0);
    for (step_type t0 = 0; t0 < m.n_steps; t0 += m.min_delay) {
        const step_type len = std::min(m.min_delay, m.n_steps - t0);
        double t_deliver = 0.0, t_update = 0.0;
        for_each_shard(m.threads, [&](int t) {
            auto& sh = m.shards[std::size_t(t)];
            const auto a = clock_type::now();
            m.deliver(sh, global);
            const auto b = clock_type::now();
            sh.spikes.clear();
            m.update(sh, t0, len);
            if (t == 0) {
                t_deliver = std::chrono::duration<double>(b - a).count();
                t_update = seconds_since(b);
            }
        });
        st.deliver_seconds += t_deliver;
        st.update_seconds += t_update;

        const auto x = clock_type::now();
        local.clear();
        for (const auto& sh : m.shards)
            local.insert(local.end(), sh.spikes.begin(), sh.spikes.end());
        global = m.ctx.allgather(local);
        std::sort(global.begin(), global.end());
        st.spikes += global.size();
        st.exchange_seconds += seconds_since(x);

        const auto o = clock_type::now();
        if (observer)
            observer(global, t0 + len);
        st.observer_seconds += seconds_since(o);
    }
    // Deliveries of the last epoch would land after tstop: nothing to do.
    for (const auto& sh : m.shards) {
        st.generator_events += sh.generator_events;
        st.local_events += sh.events;
    }
    st.seconds = seconds_since(t_run);
    return st;
}

} // namespace laminar::sim
