// Per-cell firing rates and their per-population statistics (mean, median, fraction of silent
// cells, maximum), for one run or a comparison of runs against a baseline. Used by `laminar run`
// (rates.csv of the run) and `laminar compare` (a table over several run folders).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "laminar/io/sonata_spikes.hpp"

namespace laminar::analysis {

/// Rate statistics of one population over a run of `seconds`: per-cell rate = spikes / seconds;
/// median as numpy's (mean of the two middle cells for an even count); silent = no spike.
struct rate_stats {
    std::string population;
    std::uint64_t cells = 0;
    std::uint64_t spikes = 0;
    double mean_hz = 0.0;
    double median_hz = 0.0;
    double silent_fraction = 0.0;
    double max_hz = 0.0;
};

/// Number of cells with each spike count (count -> cells); cells not listed have no entry.
using count_histogram = std::map<std::uint64_t, std::uint64_t>;

/// Spikes per cell 0..cells-1. Throws io_error (naming `file`) on a node id >= cells.
std::vector<std::uint64_t> spike_counts(const io::spike_table& spikes, std::uint64_t cells,
                                        const std::string& file = "");

/// The histogram of per-cell counts.
count_histogram histogram_of(const std::vector<std::uint64_t>& counts);

/// Statistics from a histogram over `cells` cells (cells missing from the histogram count as
/// silent); `seconds` > 0.
rate_stats rate_statistics(const std::string& population, const count_histogram& histogram,
                           std::uint64_t cells, double seconds);

/// Statistics of the spikes of one population.
rate_stats rate_statistics(const std::string& population, const io::spike_table& spikes,
                           std::uint64_t cells, double seconds, const std::string& file = "");

/// One finished run: its label (the folder name), simulated time and per-population statistics
/// in the order of its spike file (HDF5 link order: by name, i.e. alphabetical).
struct run_rates {
    std::string label;
    std::filesystem::path dir;
    double tstop_ms = 0.0;
    std::vector<rate_stats> populations;

    const rate_stats* find(const std::string& population) const;
};

/// Reads DIR/summary.json (tstop_ms, populations.<name>.cells, optional spikes_file) and the
/// spike file (default spikes.h5). Throws io_error naming the file, key and problem.
run_rates read_run_rates(const std::filesystem::path& dir);

/// rates.csv of one run: population, cells, spikes, mean_hz, median_hz, silent_fraction, max_hz.
void write_rates_csv(std::ostream& out, const std::vector<rate_stats>& rates);

/// A comparison of runs, the first being the baseline: one CSV row per run and population, with
/// the change of the mean rate versus the baseline (Hz and %; empty when undefined).
void write_comparison_csv(std::ostream& out, const std::vector<run_rates>& runs);

/// The same as Markdown: one table per population (the baseline's order), one row per run.
void write_comparison_markdown(std::ostream& out, const std::vector<run_rates>& runs);

} // namespace laminar::analysis
