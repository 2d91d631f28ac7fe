// SONATA spike files: a collective, appending parallel-HDF5 writer and a reader for our files
// and BMTK's (new and old layouts, enum or string `sorting`).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <mpi.h>

namespace laminar::io {

/// Spikes of one population: parallel arrays.
struct spike_table {
    std::vector<std::uint64_t> node_ids;
    std::vector<double> timestamps; // ms
};

/// Writes /spikes/<population>/{timestamps, node_ids} with `sorting` = by_time (HDF5 enum),
/// root `magic` and `version`. Every call is collective over `comm`; no rank gathers all spikes.
class spike_writer {
public:
    /// Creates (truncates) the file and one group per population.
    spike_writer(MPI_Comm comm, const std::filesystem::path& file,
                 const std::vector<std::string>& populations);
    ~spike_writer();
    spike_writer(const spike_writer&) = delete;
    spike_writer& operator=(const spike_writer&) = delete;

    /// Appends, for each population (same order as the constructor), this rank's share. The
    /// file holds, per population, the concatenation over calls, and within a call over ranks
    /// in rank order: callers pass time-sorted shares that keep the whole file sorted by time.
    void append(const std::vector<spike_table>& per_population);

    /// Collective; flushes and closes. Called by the destructor if not called before (errors
    /// are then swallowed).
    void close();

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

/// Reads every population of a spike file: map from population name to its spikes, in file
/// order. Accepts /spikes/<pop>/{node_ids,timestamps} and the old /spikes/{gids,timestamps}
/// (returned under the name given by `old_layout_name`). Throws io_error naming the file.
std::vector<std::pair<std::string, spike_table>>
read_spike_file(const std::filesystem::path& file, const std::string& old_layout_name = "default");

/// The `sorting` of a population group as a string ("none", "by_id", "by_time", or BMTK's
/// older spellings as stored), or "" if absent.
std::string read_spike_sorting(const std::filesystem::path& file, const std::string& population);

} // namespace laminar::io
