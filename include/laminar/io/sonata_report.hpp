// SONATA compartment reports of membrane potential (one element per node), written collectively
// with parallel HDF5: each rank writes the columns of its own recorded cells.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <mpi.h>

namespace laminar::io {

struct report_population {
    std::string name;
    /// All recorded node ids of the population (every rank passes the same sorted list).
    std::vector<std::uint64_t> node_ids;
    /// This rank's columns: indices into node_ids.
    std::vector<std::size_t> local_columns;
    /// This rank's data, time-major: n_times rows of local_columns.size() values.
    std::vector<float> local_data;
};

/// Writes /report/<pop>/data [n_times x n_nodes] (units "mV"), mapping/node_ids,
/// mapping/element_ids (0), mapping/index_pointers and mapping/index_pointer (both written),
/// mapping/time = [t_start, t_stop, dt] (units "ms"), root magic/version. Collective.
void write_report(MPI_Comm comm, const std::filesystem::path& file,
                  const std::vector<report_population>& populations, double t_start_ms,
                  double dt_ms, std::size_t n_times);

/// One population of a report as read back (ours, BMTK's or libsonata's layout).
struct report_table {
    std::vector<std::uint64_t> node_ids;
    /// n_nodes + 1 offsets into the columns (from index_pointers, or BMTK's index_pointer).
    std::vector<std::uint64_t> index_pointers;
    std::vector<std::uint32_t> element_ids; // one per column
    double t_start_ms = 0;
    double t_stop_ms = 0;
    double dt_ms = 0;
    std::size_t n_times = 0;
    std::size_t n_columns = 0;
    /// Time-major: n_times rows of n_columns values (converted to float if stored as double).
    std::vector<float> data;
    std::string units; // of data; "" if absent
};

/// Names of the populations under /report, in name order. Serial; throws io_error.
std::vector<std::string> read_report_populations(const std::filesystem::path& file);

/// Reads /report/<population>. Serial (any rank may call it); throws io_error naming the file.
report_table read_report(const std::filesystem::path& file, const std::string& population);

} // namespace laminar::io
