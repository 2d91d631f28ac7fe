// Source-major synapse store of one thread shard: a row per source gid that has targets in the
// shard, rows indexed by a sorted list of those sources (memory scales with local synapses, not
// with the network). Within a row synapses are sorted by (delay, target) and the delay is kept
// once per run. A synapse is 8 bytes: a 4 B target slot and 4 B of weight. When the shard has
// few distinct weights (constant weights times nsyn: the usual case) the 4 B are an index into
// a table of exact doubles, so sums equal NEST's bit for bit; with weights drawn from
// continuous distributions they are the weight as a float (relative rounding 6e-8).
// Rows cost 14 B and delay runs 6 B more: 8 B per synapse holds for long rows with few delays.
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
    double weight;
};

class connection_store {
public:
    /// Builds from synapses in creation order; the order of synapses that share
    /// (source, delay, target) is kept, so floating-point sums are canonical. With
    /// `exact_weights`, weights are kept as exact doubles in a table (at most max_table_size
    /// distinct values, else std::length_error); otherwise as floats. The choice must not depend
    /// on the decomposition (the engine makes it per run), or sums would differ between shards.
    void build(std::vector<pending_synapse>&& synapses, bool exact_weights);

    std::size_t synapse_count() const noexcept { return target_.size(); }
    /// True when weights are exact doubles from a table (see the file comment).
    bool exact_weights() const noexcept { return !weight_table_.empty(); }
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
        return exact_weights()
                   ? deliver_runs(
                         row, stamp, ring, slot_size, slots,
                         [this](std::uint32_t i) { return weight_table_[weight_bits_[i]]; })
                   : deliver_runs(row, stamp, ring, slot_size, slots,
                                  [this](std::uint32_t i) { return double(weight_float_[i]); });
    }

    /// Largest number of distinct weights kept as an exact table (32 KiB: stays in cache).
    static constexpr std::size_t max_table_size = 4096;

private:
    template <class Weight>
    std::uint32_t deliver_runs(std::ptrdiff_t row, step_type stamp, double* ring,
                               std::size_t slot_size, std::size_t slots,
                               Weight weight) const noexcept {
        const std::uint32_t run_first = row_run_[std::size_t(row)];
        const std::uint32_t run_end = row_run_[std::size_t(row) + 1];
        const std::uint32_t row_first = run_first == 0 ? 0 : run_syn_end_[run_first - 1];
        const std::uint32_t* tgt = target_.data();
        std::uint32_t i = row_first;
        for (std::uint32_t r = run_first; r < run_end; ++r) {
            const auto slot = std::size_t(stamp + run_delay_[r] - 1) % slots;
            double* base = ring + slot * slot_size;
            const std::uint32_t end = run_syn_end_[r];
            for (; i < end; ++i)
                base[tgt[i]] += weight(i);
        }
        return i - row_first;
    }

    std::vector<gid_type> sources_;          // sorted
    std::vector<std::uint32_t> row_run_;     // runs of row k: [row_run_[k], row_run_[k+1])
    std::vector<std::uint32_t> run_syn_end_; // synapses of run r end here (start: previous end)
    std::vector<std::uint16_t> run_delay_;   // delay in steps of run r
    std::vector<std::uint32_t> target_;
    std::vector<std::uint32_t> weight_bits_; // index into weight_table_ (exact mode)
    std::vector<float> weight_float_;        // the weight (float mode)
    std::vector<double> weight_table_;       // distinct weights, exact mode only
    std::uint32_t max_delay_ = 0;
    std::uint32_t min_delay_ = 0;
};

} // namespace laminar::sim
