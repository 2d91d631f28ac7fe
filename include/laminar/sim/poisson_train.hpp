// The spike train of one `poisson` source cell: exponential intervals in continuous time drawn
// from the cell's own counter-based stream (seed, poisson_source, layout block, cell index).
// The engine stamps each time on the grid as it runs; `laminar make-spikes` writes the same
// times to a SONATA file, so a run that reads the file replays the Poisson run spike for spike.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>

#include "laminar/rng/stream.hpp"

namespace laminar::sim {

class poisson_train {
public:
    /// Cell `cell` of the source at layout block `block`; spikes in (start_ms, stop_ms].
    poisson_train(std::uint64_t seed, std::uint32_t block, std::uint32_t cell, double rate_hz,
                  double start_ms, double stop_ms) noexcept
        : stream_(seed, rng::purpose::poisson_source, block, cell), rate_per_ms_(rate_hz * 1e-3),
          t_ms_(start_ms), stop_ms_(stop_ms) {}

    /// The next spike time in ms, or +infinity once the train is over (rate 0 or past stop).
    double next() noexcept {
        if (done_ || rate_per_ms_ <= 0.0) {
            done_ = true;
            return std::numeric_limits<double>::infinity();
        }
        const auto b = stream_.at(drawn_++);
        t_ms_ += -std::log(rng::to_open_unit(b[0], b[1])) / rate_per_ms_;
        if (t_ms_ > stop_ms_) {
            done_ = true;
            return std::numeric_limits<double>::infinity();
        }
        return t_ms_;
    }

private:
    rng::stream stream_;
    double rate_per_ms_;
    double t_ms_;
    double stop_ms_;
    std::uint64_t drawn_ = 0;
    bool done_ = false;
};

} // namespace laminar::sim
