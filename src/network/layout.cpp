// Global cell numbering and rank ownership.
#include "laminar/network/layout.hpp"

#include <algorithm>
#include <limits>

#include <fmt/format.h>

#include "laminar/core/error.hpp"

namespace laminar::network {

namespace {
cell_kind kind_of(io::source_kind k) {
    switch (k) {
    case io::source_kind::poisson:
        return cell_kind::poisson_source;
    case io::source_kind::spike_file:
        return cell_kind::file_source;
    case io::source_kind::netstim:
        return cell_kind::netstim_source;
    case io::source_kind::poisson_generator:
        break;
    }
    return cell_kind::poisson_source; // poisson_generator has no cells (skipped by the caller)
}
} // namespace

layout::layout(const io::simulation_config& cfg, int rank, int ranks) : rank_(rank), ranks_(ranks) {
    auto add = [&](const std::string& name, cell_kind kind, std::uint64_t size, std::size_t index) {
        if (total_ + size > std::numeric_limits<gid_type>::max()) {
            throw config_error(cfg.path.string(), 0, name,
                               fmt::format("too many cells: more than {} in total",
                                           std::numeric_limits<gid_type>::max()));
        }
        blocks_.push_back({name, kind, gid_type(total_), std::uint32_t(size), index});
        total_ += size;
    };
    for (std::size_t i = 0; i < cfg.populations.size(); ++i) {
        add(cfg.populations[i].name, cell_kind::neuron, cfg.populations[i].size, i);
    }
    for (std::size_t i = 0; i < cfg.sources.size(); ++i) {
        const auto& s = cfg.sources[i];
        if (s.kind == io::source_kind::poisson_generator)
            continue;
        add(s.name, kind_of(s.kind), s.size, i);
    }
    const auto R = std::uint64_t(ranks_);
    local_count_ = std::uint32_t(total_ / R + (std::uint64_t(rank_) < total_ % R ? 1 : 0));
}

const cell_block& layout::block_of(gid_type g) const {
    auto it = std::upper_bound(blocks_.begin(), blocks_.end(), g,
                               [](gid_type v, const cell_block& b) { return v < b.first; });
    return *(it - 1);
}

int layout::find_block(const std::string& name) const {
    for (std::size_t i = 0; i < blocks_.size(); ++i) {
        if (blocks_[i].name == name)
            return int(i);
    }
    return -1;
}

std::pair<std::uint32_t, std::uint32_t> layout::local_range(const cell_block& b) const noexcept {
    // Local index l holds gid l*R + r; cells of b are gids [first, first + size).
    const auto R = std::uint64_t(ranks_);
    const auto r = std::uint64_t(rank_);
    auto first_local = [&](std::uint64_t g) { return g <= r ? 0 : (g - r + R - 1) / R; };
    return {std::uint32_t(first_local(b.first)), std::uint32_t(first_local(b.first + b.size))};
}

} // namespace laminar::network
