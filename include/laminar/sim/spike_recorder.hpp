// Turns the engine's per-epoch global spike lists into a SONATA spike file: every rank holds the
// same list, so each writes its 1/R share of every population's spikes, time-sorted, with no
// gather to rank 0. Also counts spikes per block for the summary.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "laminar/comm/context.hpp"
#include "laminar/io/sonata_spikes.hpp"
#include "laminar/network/layout.hpp"
#include "laminar/sim/simulation.hpp"

namespace laminar::sim {

class spike_recorder {
public:
    /// Records the blocks named in `populations` (all blocks when empty) into `file`; with no
    /// file, only counts. Collective.
    spike_recorder(const comm::context& ctx, const network::layout& lay, double dt_ms,
                   std::optional<std::filesystem::path> file,
                   const std::vector<std::string>& populations);

    /// Takes one epoch's global, sorted spikes (identical on every rank).
    void add(std::span<const spike_key> spikes);
    /// Writes what is buffered and closes the file. Collective.
    void finish();

    /// Spikes per layout block so far (global).
    const std::vector<std::uint64_t>& counts() const noexcept { return counts_; }

private:
    void flush();

    const comm::context& ctx_;
    const network::layout& lay_;
    std::int64_t tics_per_step_;
    std::vector<int> recorded_; // block indices, in layout order
    std::unique_ptr<io::spike_writer> writer_;
    std::vector<spike_key> buffer_;
    std::size_t epochs_since_flush_ = 0;
    std::vector<std::uint64_t> counts_;
};

} // namespace laminar::sim
