// Source-major synapse store of one thread shard: a row per source gid that has targets in the
// shard, rows indexed by a sorted list of those sources (memory scales with local synapses, not
// with the network). Within a row synapses are sorted by (delay, target) and the delay is kept
// once per run: 8 bytes per synapse (4 B target slot, 4 B float weight).
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "laminar/core/types.hpp"

namespace laminar::sim {

/// A synapse before it is stored: target is the shard-local ring index (channel * n + offset).
struct pending_synapse {
    gid_type source;
    std::uint32_t target;
    std::uint32_t delay_steps;
    float weight;
};

class connection_store {
public:
    /// Builds from synapses in creation order; the order of synapses that share
    /// (source, delay, target) is kept, so floating-point sums are canonical.
    void build(std::vector<pending_synapse>&& synapses);

    std::size_t synapse_count() const noexcept { return weight_.size(); }
    std::size_t row_count() const noexcept { return sources_.size(); }
    std::uint32_t max_delay() const noexcept { return max_delay_; }
    std::uint32_t min_delay() const noexcept { return min_delay_; }
    std::size_t bytes() const noexcept;

    /// Row of source g, or -1.
    std::ptrdiff_t find(gid_type g) const noexcept {
        auto it = std::lower_bound(sources_.begin(), sources_.end(), g);
        return (it != sources_.end() && *it == g) ? it - sources_.begin() : -1;
    }

    /// Adds the row's weights into the ring for a spike with stamp `stamp`: a synapse with delay
    /// d lands in the slot read by update stamp + d - 1. `ring` is slot-major with `slot_size`
    /// doubles per slot and `slots` slots.
    /// Returns the number of synapses delivered.
    std::uint32_t deliver(std::ptrdiff_t row, step_type stamp, double* ring, std::size_t slot_size,
                          std::size_t slots) const noexcept {
        const std::uint32_t run_first = row_run_[std::size_t(row)];
        const std::uint32_t run_end = row_run_[std::size_t(row) + 1];
        const std::uint32_t row_first = run_first == 0 ? 0 : run_syn_end_[run_first - 1];
        std::uint32_t i = row_first;
        for (std::uint32_t r = run_first; r < run_end; ++r) {
            const auto slot = std::size_t(stamp + run_delay_[r] - 1) % slots;
            double* base = ring + slot * slot_size;
            const std::uint32_t end = run_syn_end_[r];
            const std::uint32_t* tgt = target_.data();
            const float* w = weight_.data();
            for (; i < end; ++i)
                base[tgt[i]] += double(w[i]);
        }
        return i - row_first;
    }

private:
    std::vector<gid_type> sources_;          // sorted
    std::vector<std::uint32_t> row_run_;     // runs of row k: [row_run_[k], row_run_[k+1])
    std::vector<std::uint32_t> run_syn_end_; // synapses of run r end here (start: previous end)
    std::vector<std::uint16_t> run_delay_;   // delay in steps of run r
    std::vector<std::uint32_t> target_;
    std::vector<float> weight_;
    std::uint32_t max_delay_ = 0;
    std::uint32_t min_delay_ = 0;
};

} // namespace laminar::sim
