// Global numbering of cells and their distribution over ranks. Populations (neurons) come first
// in config order, then spike-emitting sources (poisson, spike_file); poisson_generator sources
// are devices without gids. Cell gid g lives on rank g % ranks at local index g / ranks.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "laminar/core/types.hpp"
#include "laminar/io/config.hpp"

namespace laminar::network {

enum class cell_kind { neuron, poisson_source, file_source, netstim_source };

/// A contiguous gid range with one kind and one description.
struct cell_block {
    std::string name;
    cell_kind kind = cell_kind::neuron;
    gid_type first = 0;
    std::uint32_t size = 0;
    std::size_t config_index = 0; // index into populations (neuron) or sources (others)
};

class layout {
public:
    layout(const io::simulation_config& cfg, int rank, int ranks);

    const std::vector<cell_block>& blocks() const noexcept { return blocks_; }
    std::uint64_t total_cells() const noexcept { return total_; }
    int rank() const noexcept { return rank_; }
    int ranks() const noexcept { return ranks_; }

    /// Number of cells this rank owns.
    std::uint32_t local_count() const noexcept { return local_count_; }
    gid_type gid_of_local(std::uint32_t local) const noexcept {
        return gid_type(std::uint64_t(local) * std::uint64_t(ranks_) + std::uint64_t(rank_));
    }
    bool is_local(gid_type g) const noexcept { return int(g % gid_type(ranks_)) == rank_; }
    std::uint32_t local_of_gid(gid_type g) const noexcept { return g / gid_type(ranks_); }

    /// The block holding gid g.
    const cell_block& block_of(gid_type g) const;
    /// Index of the block named `name` (population or spike-emitting source), or -1.
    int find_block(const std::string& name) const;

    /// Local indices [begin, end) of the cells of block b on this rank.
    std::pair<std::uint32_t, std::uint32_t> local_range(const cell_block& b) const noexcept;

private:
    std::vector<cell_block> blocks_;
    std::uint64_t total_ = 0;
    int rank_;
    int ranks_;
    std::uint32_t local_count_ = 0;
};

} // namespace laminar::network
