// Per-cell rates and their statistics on synthetic spike files with known answers, the run
// folder reader and its errors, and the comparison tables.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include <mpi.h>

#include "laminar/analysis/rates.hpp"
#include "laminar/core/error.hpp"
#include "laminar/io/sonata_spikes.hpp"

namespace fs = std::filesystem;
namespace la = laminar::analysis;
using laminar::io::spike_table;
using ::testing::HasSubstr;

namespace {

/// A fresh run folder, removed at the end.
struct run_dir {
    fs::path path;
    explicit run_dir(const std::string& name) {
        path = fs::temp_directory_path() /
               ("laminar_rates_" + std::to_string(::getpid()) + "_" + name);
        fs::remove_all(path);
        fs::create_directories(path);
    }
    ~run_dir() { fs::remove_all(path); }
};

/// spikes.h5 with the given populations and summary.json with their cell counts.
void write_run(const fs::path& dir, double tstop_ms,
               const std::vector<std::tuple<std::string, std::uint64_t, spike_table>>& pops) {
    std::vector<std::string> names;
    std::vector<spike_table> tables;
    std::ostringstream summary;
    summary << "{\"tstop_ms\": " << tstop_ms << ", \"populations\": {";
    for (std::size_t i = 0; i < pops.size(); ++i) {
        const auto& [name, cells, table] = pops[i];
        names.push_back(name);
        tables.push_back(table);
        summary << (i ? ", " : "") << "\"" << name << "\": {\"cells\": " << cells << "}";
    }
    summary << "}}\n";
    {
        laminar::io::spike_writer w(MPI_COMM_SELF, dir / "spikes.h5", names);
        w.append(tables);
        w.close();
    }
    std::ofstream(dir / "summary.json") << summary.str();
}

/// Spikes at increasing times: cell i fires counts[i] times.
spike_table spikes_with_counts(const std::vector<std::uint64_t>& counts) {
    spike_table t;
    double time = 0.5;
    for (std::size_t k = 0; k < 100; ++k) {
        for (std::size_t i = 0; i < counts.size(); ++i) {
            if (k < counts[i]) {
                t.node_ids.push_back(i);
                t.timestamps.push_back(time);
                time += 0.25;
            }
        }
    }
    return t;
}

} // namespace

TEST(rates, statistics_with_known_answers) {
    // 2 s; counts 0, 0, 2, 4, 10: rates 0, 0, 1, 2, 5 Hz.
    const auto t = spikes_with_counts({0, 0, 2, 4, 10});
    const auto r = la::rate_statistics("exc", t, 5, 2.0);
    EXPECT_EQ(r.cells, 5u);
    EXPECT_EQ(r.spikes, 16u);
    EXPECT_DOUBLE_EQ(r.mean_hz, 1.6);
    EXPECT_DOUBLE_EQ(r.median_hz, 1.0);
    EXPECT_DOUBLE_EQ(r.silent_fraction, 0.4);
    EXPECT_DOUBLE_EQ(r.max_hz, 5.0);
    // Even count: median is the mean of the two middle cells (numpy); cells without any spike
    // (never in the file) count as silent.
    const auto e = la::rate_statistics("e", spikes_with_counts({3, 1, 0, 7}), 6, 1.0);
    EXPECT_DOUBLE_EQ(e.median_hz, 0.5); // sorted 0 0 0 1 3 7
    EXPECT_DOUBLE_EQ(e.silent_fraction, 0.5);
    EXPECT_DOUBLE_EQ(e.mean_hz, 11.0 / 6.0);
}

TEST(rates, silent_and_single_cell_populations) {
    const auto s = la::rate_statistics("vip", spike_table{}, 740, 3.0);
    EXPECT_EQ(s.spikes, 0u);
    EXPECT_EQ(s.mean_hz, 0.0);
    EXPECT_EQ(s.median_hz, 0.0);
    EXPECT_EQ(s.silent_fraction, 1.0);
    EXPECT_EQ(s.max_hz, 0.0);
    const auto one = la::rate_statistics("tiny", spikes_with_counts({3}), 1, 3.0);
    EXPECT_DOUBLE_EQ(one.mean_hz, 1.0);
    EXPECT_DOUBLE_EQ(one.median_hz, 1.0);
    EXPECT_EQ(one.silent_fraction, 0.0);
}

TEST(rates, histogram_form_matches_the_per_cell_form) {
    const std::vector<std::uint64_t> counts{5, 0, 2, 2, 9, 0, 1};
    const auto direct = la::rate_statistics("p", spikes_with_counts(counts), 7, 0.5);
    // Cells with zero spikes may be missing from a histogram: they are counted as silent.
    la::count_histogram h{{1, 1}, {2, 2}, {5, 1}, {9, 1}};
    const auto hist = la::rate_statistics("p", h, 7, 0.5);
    EXPECT_EQ(hist.spikes, direct.spikes);
    EXPECT_DOUBLE_EQ(hist.mean_hz, direct.mean_hz);
    EXPECT_DOUBLE_EQ(hist.median_hz, direct.median_hz);
    EXPECT_DOUBLE_EQ(hist.silent_fraction, direct.silent_fraction);
    EXPECT_DOUBLE_EQ(hist.max_hz, direct.max_hz);
    EXPECT_DOUBLE_EQ(direct.median_hz, 4.0); // sorted 0 0 1 2 2 5 9 -> 2 spikes / 0.5 s
}

TEST(rates, node_id_outside_the_population_is_an_error) {
    spike_table t;
    t.node_ids = {0, 7};
    t.timestamps = {1.0, 2.0};
    try {
        la::spike_counts(t, 5, "x.h5");
        FAIL() << "no error";
    } catch (const laminar::io_error& e) {
        EXPECT_THAT(e.what(), HasSubstr("x.h5"));
        EXPECT_THAT(e.what(), HasSubstr("node id 7 is outside the population of 5 cells"));
    }
}

TEST(rates, run_folders_and_comparison_tables) {
    run_dir base("base"), clamp("clamp");
    write_run(base.path, 2000.0,
              {{"exc", 4, spikes_with_counts({2, 2, 4, 0})}, {"vip", 2, spike_table{}}});
    write_run(clamp.path, 2000.0,
              {{"exc", 4, spikes_with_counts({0, 0, 1, 0})}, {"vip", 2, spikes_with_counts({4})}});
    const auto a = la::read_run_rates(base.path);
    const auto b = la::read_run_rates(clamp.path);
    EXPECT_EQ(a.label, base.path.filename().string());
    EXPECT_EQ(a.tstop_ms, 2000.0);
    ASSERT_EQ(a.populations.size(), 2u);
    EXPECT_DOUBLE_EQ(a.find("exc")->mean_hz, 1.0);
    EXPECT_DOUBLE_EQ(b.find("exc")->mean_hz, 0.125);
    EXPECT_DOUBLE_EQ(b.find("vip")->mean_hz, 1.0);
    EXPECT_DOUBLE_EQ(b.find("vip")->silent_fraction, 0.5);

    std::ostringstream csv, md;
    la::write_comparison_csv(csv, {a, b});
    la::write_comparison_markdown(md, {a, b});
    const auto c = csv.str();
    EXPECT_THAT(c, HasSubstr("run,population,cells,spikes,mean_hz,median_hz,silent_fraction,"
                             "max_hz,mean_change_hz,mean_change_pct\n"));
    EXPECT_THAT(c, HasSubstr(b.label + ",exc,4,1,0.1250,0.0000,0.7500,0.5000,-0.8750,-87.5\n"));
    // A change from a silent baseline has no percentage.
    EXPECT_THAT(c, HasSubstr(b.label + ",vip,2,4,1.0000,1.0000,0.5000,2.0000,+1.0000,\n"));
    const auto m = md.str();
    EXPECT_THAT(m, HasSubstr("### exc"));
    EXPECT_THAT(m,
                HasSubstr("| " + b.label + " | 4 | 0.12 | 0.00 | 0.750 | 0.50 | -0.88 | -87.5 |"));
    EXPECT_THAT(m, HasSubstr("| " + b.label + " | 2 | 1.00 | 1.00 | 0.500 | 2.00 | +1.00 | — |"));
}

TEST(rates, run_folder_errors_name_file_and_key) {
    run_dir d("bad");
    auto expect = [&](const std::string& file, const std::string& words) {
        try {
            la::read_run_rates(d.path);
            FAIL() << "no error for " << words;
        } catch (const laminar::io_error& e) {
            EXPECT_THAT(e.what(), HasSubstr(file)) << e.what();
            EXPECT_THAT(e.what(), HasSubstr(words)) << e.what();
        }
    };
    expect("summary.json", "cannot read the run summary");
    std::ofstream(d.path / "summary.json") << "{\"tstop_ms\": 10";
    expect("summary.json", "not valid JSON");
    std::ofstream(d.path / "summary.json") << "{\"populations\": {}}";
    expect("summary.json", "missing key 'tstop_ms'");
    std::ofstream(d.path / "summary.json") << "{\"tstop_ms\": 10, \"populations\": {}}";
    expect("spikes.h5", "no spike file in the run folder");
    write_run(d.path, 10.0, {{"exc", 3, spike_table{}}});
    std::ofstream(d.path / "summary.json") << "{\"tstop_ms\": 10, \"populations\": {\"exc\": {}}}";
    expect("summary.json", "missing key 'populations.exc.cells'");
    std::ofstream(d.path / "summary.json") << "{\"tstop_ms\": 10, \"populations\": {}}";
    expect("summary.json", "missing key 'populations.exc'");
    try {
        la::read_run_rates(d.path / "nope");
        FAIL();
    } catch (const laminar::io_error& e) {
        EXPECT_THAT(e.what(), HasSubstr("not a run folder"));
    }
}
