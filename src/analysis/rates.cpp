// Per-cell rates and per-population statistics; run folders and their comparison tables.
#include "laminar/analysis/rates.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "laminar/core/error.hpp"

namespace laminar::analysis {

std::vector<std::uint64_t> spike_counts(const io::spike_table& spikes, std::uint64_t cells,
                                        const std::string& file) {
    std::vector<std::uint64_t> counts(cells, 0);
    for (const auto id : spikes.node_ids) {
        if (id >= cells)
            throw io_error(
                file, fmt::format("node id {} is outside the population of {} cells", id, cells));
        ++counts[id];
    }
    return counts;
}

count_histogram histogram_of(const std::vector<std::uint64_t>& counts) {
    count_histogram h;
    for (const auto c : counts)
        ++h[c];
    return h;
}

rate_stats rate_statistics(const std::string& population, const count_histogram& histogram,
                           std::uint64_t cells, double seconds) {
    rate_stats r;
    r.population = population;
    r.cells = cells;
    if (cells == 0 || !(seconds > 0.0))
        return r;
    std::uint64_t listed = 0;
    for (const auto& [count, n] : histogram) {
        listed += n;
        r.spikes += count * n;
    }
    const std::uint64_t unlisted = cells - std::min(cells, listed);
    // The sorted counts are: `unlisted` zeros, then the histogram in ascending order.
    auto nth = [&](std::uint64_t k) -> std::uint64_t {
        if (k < unlisted)
            return 0;
        k -= unlisted;
        for (const auto& [count, n] : histogram) {
            if (k < n)
                return count;
            k -= n;
        }
        return histogram.empty() ? 0 : histogram.rbegin()->first;
    };
    const double median_count = cells % 2 == 1
                                    ? double(nth(cells / 2))
                                    : 0.5 * (double(nth(cells / 2 - 1)) + double(nth(cells / 2)));
    std::uint64_t silent = unlisted;
    if (auto it = histogram.find(0); it != histogram.end())
        silent += it->second;
    r.mean_hz = double(r.spikes) / double(cells) / seconds;
    r.median_hz = median_count / seconds;
    r.silent_fraction = double(silent) / double(cells);
    r.max_hz = histogram.empty() ? 0.0 : double(histogram.rbegin()->first) / seconds;
    return r;
}

rate_stats rate_statistics(const std::string& population, const io::spike_table& spikes,
                           std::uint64_t cells, double seconds, const std::string& file) {
    return rate_statistics(population, histogram_of(spike_counts(spikes, cells, file)), cells,
                           seconds);
}

const rate_stats* run_rates::find(const std::string& population) const {
    for (const auto& p : populations) {
        if (p.population == population)
            return &p;
    }
    return nullptr;
}

run_rates read_run_rates(const std::filesystem::path& dir) {
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec))
        throw io_error(dir.string(), "not a run folder (no such folder)");
    const auto summary_path = dir / "summary.json";
    std::ifstream in(summary_path);
    if (!in)
        throw io_error(summary_path.string(), "cannot read the run summary (missing or "
                                              "unreadable); is this the output folder of "
                                              "'laminar run'?");
    nlohmann::json j;
    try {
        in >> j;
    } catch (const nlohmann::json::exception& e) {
        throw io_error(summary_path.string(), fmt::format("not valid JSON: {}", e.what()));
    }
    auto need = [&](const nlohmann::json& obj, const char* key, const std::string& where) {
        if (!obj.is_object() || !obj.contains(key))
            throw io_error(
                summary_path.string(),
                fmt::format("missing key '{}{}'", where.empty() ? "" : where + ".", key));
        return obj.at(key);
    };
    run_rates run;
    run.dir = dir;
    run.label = std::filesystem::absolute(dir).lexically_normal().filename().string();
    if (run.label.empty())
        run.label =
            std::filesystem::absolute(dir).lexically_normal().parent_path().filename().string();
    const auto tstop = need(j, "tstop_ms", "");
    if (!tstop.is_number() || !(tstop.get<double>() > 0.0))
        throw io_error(summary_path.string(), "key 'tstop_ms' must be a positive number");
    run.tstop_ms = tstop.get<double>();
    const auto pops = need(j, "populations", "");
    if (!pops.is_object())
        throw io_error(summary_path.string(), "key 'populations' must be a map");
    std::string spikes_name = "spikes.h5";
    if (j.contains("spikes_file") && j["spikes_file"].is_string())
        spikes_name = j["spikes_file"].get<std::string>();
    const auto spikes_path = dir / spikes_name;
    if (!std::filesystem::exists(spikes_path, ec))
        throw io_error(spikes_path.string(), "no spike file in the run folder (was the run "
                                             "made with record.spikes: false?)");
    const auto tables = io::read_spike_file(spikes_path);
    const double seconds = run.tstop_ms * 1e-3;
    for (const auto& [name, table] : tables) {
        if (!pops.contains(name))
            throw io_error(summary_path.string(),
                           fmt::format("missing key 'populations.{}' (the population is in {})",
                                       name, spikes_path.filename().string()));
        const auto cells = need(pops.at(name), "cells", "populations." + name);
        if (!cells.is_number_unsigned())
            throw io_error(summary_path.string(),
                           fmt::format("key 'populations.{}.cells' must be a whole number", name));
        run.populations.push_back(rate_statistics(name, table, cells.get<std::uint64_t>(), seconds,
                                                  spikes_path.string()));
    }
    return run;
}

namespace {
std::string fixed(double x, int digits) {
    return fmt::format("{:.{}f}", x, digits);
}
} // namespace

void write_rates_csv(std::ostream& out, const std::vector<rate_stats>& rates) {
    out << "population,cells,spikes,mean_hz,median_hz,silent_fraction,max_hz\n";
    for (const auto& r : rates) {
        out << fmt::format("{},{},{},{},{},{},{}\n", r.population, r.cells, r.spikes,
                           fixed(r.mean_hz, 4), fixed(r.median_hz, 4), fixed(r.silent_fraction, 4),
                           fixed(r.max_hz, 4));
    }
}

namespace {
/// Change of the mean versus the baseline: (Hz, %), the % empty when the baseline is 0.
std::pair<std::string, std::string> change(const rate_stats& r, const rate_stats* base,
                                           int digits) {
    if (base == nullptr)
        return {"", ""};
    const double d = r.mean_hz - base->mean_hz;
    std::string pct;
    if (base->mean_hz > 0.0)
        pct = fmt::format("{:+.1f}", 100.0 * d / base->mean_hz);
    return {fmt::format("{:+.{}f}", d, digits), pct};
}
} // namespace

void write_comparison_csv(std::ostream& out, const std::vector<run_rates>& runs) {
    out << "run,population,cells,spikes,mean_hz,median_hz,silent_fraction,max_hz,"
           "mean_change_hz,mean_change_pct\n";
    for (const auto& run : runs) {
        for (const auto& r : run.populations) {
            const auto [d, pct] = change(r, runs.front().find(r.population), 4);
            out << fmt::format("{},{},{},{},{},{},{},{},{},{}\n", run.label, r.population, r.cells,
                               r.spikes, fixed(r.mean_hz, 4), fixed(r.median_hz, 4),
                               fixed(r.silent_fraction, 4), fixed(r.max_hz, 4), d, pct);
        }
    }
}

void write_comparison_markdown(std::ostream& out, const std::vector<run_rates>& runs) {
    if (runs.empty())
        return;
    out << fmt::format("Firing rates per population; baseline: `{}`. Rates in Hz over the whole "
                       "run; silent = fraction of cells without a spike; change = mean minus "
                       "the baseline's mean.\n",
                       runs.front().label);
    // Populations in the baseline's order, then any that only later runs have.
    std::vector<std::string> names;
    for (const auto& run : runs) {
        for (const auto& r : run.populations) {
            if (std::find(names.begin(), names.end(), r.population) == names.end())
                names.push_back(r.population);
        }
    }
    for (const auto& name : names) {
        out << fmt::format("\n### {}\n\n", name);
        out << "| run | cells | mean | median | silent | max | change | change % |\n";
        out << "|---|---:|---:|---:|---:|---:|---:|---:|\n";
        for (const auto& run : runs) {
            const auto* r = run.find(name);
            if (r == nullptr) {
                out << fmt::format("| {} | — | — | — | — | — | — | — |\n", run.label);
                continue;
            }
            const auto [d, pct] = change(*r, runs.front().find(name), 2);
            out << fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} |\n", run.label, r->cells,
                               fixed(r->mean_hz, 2), fixed(r->median_hz, 2),
                               fixed(r->silent_fraction, 3), fixed(r->max_hz, 2),
                               d.empty() ? "—" : d, pct.empty() ? "—" : pct);
        }
    }
}

} // namespace laminar::analysis
