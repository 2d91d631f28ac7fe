// The engine: builds the local part of the network and advances it in min-delay epochs
// (update -> exchange with MPI_Allgatherv -> deliver in canonical order). Spikes are identical
// for every ranks x threads decomposition.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "laminar/comm/context.hpp"
#include "laminar/core/types.hpp"
#include "laminar/io/config.hpp"
#include "laminar/network/layout.hpp"

namespace laminar::sim {

/// A spike as exchanged: (stamp << 32) | gid, so sorting the integers sorts by (stamp, gid).
using spike_key = std::uint64_t;
inline constexpr gid_type key_gid(spike_key k) noexcept {
    return gid_type(k & 0xffffffffu);
}
inline constexpr step_type key_stamp(spike_key k) noexcept {
    return step_type(k >> 32);
}
inline constexpr spike_key make_key(step_type stamp, gid_type g) noexcept {
    return (std::uint64_t(stamp) << 32) | g;
}

/// Recorded membrane potentials of one population on this rank.
struct vm_trace {
    std::string population;
    std::vector<std::uint64_t> node_ids;    // all probed node ids of the population, sorted
    std::vector<std::size_t> local_columns; // which of them this rank holds
    std::vector<float> data;                // time-major: steps x local_columns.size()
};

/// Per-projection totals of the synapses built on this rank.
struct projection_statistics {
    std::uint64_t synapses = 0;
    double weight_sum = 0.0;
    double weight_sq_sum = 0.0;
};

struct build_statistics {
    std::vector<projection_statistics> projections; // config order
    std::uint64_t local_synapses = 0;
    std::uint64_t local_generator_synapses = 0;
    std::uint64_t local_store_bytes = 0;
    bool exact_weights = false; // weights stored as exact doubles (else float)
    double seconds = 0.0;
};

struct run_statistics {
    double update_seconds = 0.0;    // thread 0's time in neuron updates
    double deliver_seconds = 0.0;   // thread 0's time delivering spikes into ring buffers
    double exchange_seconds = 0.0;  // gathering, allgatherv (incl. waiting) and sorting
    double observer_seconds = 0.0;  // output written by the observer
    double seconds = 0.0;           // wall time of run()
    std::uint64_t local_events = 0; // synaptic events delivered on this rank
    std::uint64_t spikes = 0;       // spikes exchanged (global)
    std::uint64_t generator_events = 0;
};

class simulation {
public:
    /// Builds the local network. Collective: a problem found on any rank while building (a bad
    /// spike file, say) makes every rank throw the same collective_error.
    simulation(const io::simulation_config& cfg, const comm::context& ctx, int threads);
    ~simulation();
    simulation(const simulation&) = delete;
    simulation& operator=(const simulation&) = delete;

    const network::layout& layout() const noexcept;
    int threads() const noexcept;
    step_type steps() const noexcept;
    step_type min_delay_steps() const noexcept;
    const build_statistics& build_stats() const noexcept;

    /// Called after every epoch with the global spikes of the epoch sorted by (stamp, gid), and
    /// the number of steps done so far.
    using epoch_observer = std::function<void(std::span<const spike_key>, step_type)>;

    /// Runs to tstop, once (a second call throws std::logic_error). Collective over the ranks.
    run_statistics run(const epoch_observer& observer);

    /// Recorded membrane potentials (after run).
    const std::vector<vm_trace>& traces() const noexcept;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

} // namespace laminar::sim
