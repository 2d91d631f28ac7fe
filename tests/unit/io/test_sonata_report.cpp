// SONATA reports: write/read round trip on one rank (columns given out of order), the fixture
// layouts (BMTK's index_pointer and float64 data, libsonata's index_pointers) and errors.
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <hdf5.h>
#include <mpi.h>
#include <unistd.h>

#include "io_test_support.hpp"
#include "laminar/core/error.hpp"
#include "laminar/io/sonata_report.hpp"

namespace fs = std::filesystem;
using laminar::io::read_report;
using laminar::io::read_report_populations;
using laminar::io::report_population;
using laminar::io::write_report;

namespace {

const fs::path& fixtures = laminar::test::fixtures();
using laminar::test::expect_io_error;
using laminar::test::temp_file;

float value(std::uint64_t node, std::size_t t) {
    return static_cast<float>(node) * 100.0f + static_cast<float>(t) * 0.5f;
}

/// A population with all columns local, listed in `columns` order.
report_population make_population(const std::string& name, std::vector<std::uint64_t> ids,
                                  std::vector<std::size_t> columns, std::size_t n_times) {
    report_population p{name, std::move(ids), std::move(columns), {}};
    for (std::size_t t = 0; t < n_times; ++t) {
        // Bad-input tests pass columns beyond node_ids: give them any value, never read past.
        for (const std::size_t c : p.local_columns)
            p.local_data.push_back(value(c < p.node_ids.size() ? p.node_ids[c] : c, t));
    }
    return p;
}

std::string string_attr(hid_t obj, const char* name) {
    const hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    if (a < 0)
        return "<missing>";
    const hid_t str = H5Tcopy(H5T_C_S1);
    H5Tset_size(str, H5T_VARIABLE);
    H5Tset_cset(str, H5T_CSET_UTF8);
    char* p = nullptr;
    H5Aread(a, str, &p);
    std::string out = p != nullptr ? p : "";
    H5free_memory(p);
    H5Tclose(str);
    H5Aclose(a);
    return out;
}

} // namespace

TEST(sonata_report, write_read_back) {
    temp_file tmp;
    const std::size_t n_times = 7;
    std::vector<report_population> pops{
        make_population("cortex", {3, 5, 8, 13}, {2, 0, 3, 1}, n_times), // out of order
        make_population("lgn", {40}, {0}, n_times), make_population("none", {}, {}, n_times)};
    write_report(MPI_COMM_SELF, tmp.path(), pops, 100.0, 0.25, n_times);

    EXPECT_EQ(read_report_populations(tmp.path()),
              (std::vector<std::string>{"cortex", "lgn", "none"}));
    const auto r = read_report(tmp.path(), "cortex");
    EXPECT_EQ(r.node_ids, (std::vector<std::uint64_t>{3, 5, 8, 13}));
    EXPECT_EQ(r.index_pointers, (std::vector<std::uint64_t>{0, 1, 2, 3, 4}));
    EXPECT_EQ(r.element_ids, (std::vector<std::uint32_t>{0, 0, 0, 0}));
    EXPECT_EQ(r.n_times, n_times);
    EXPECT_EQ(r.n_columns, 4u);
    EXPECT_EQ(r.t_start_ms, 100.0);
    EXPECT_EQ(r.t_stop_ms, 100.0 + 7 * 0.25);
    EXPECT_EQ(r.dt_ms, 0.25);
    EXPECT_EQ(r.units, "mV");
    ASSERT_EQ(r.data.size(), n_times * 4);
    for (std::size_t t = 0; t < n_times; ++t) {
        for (std::size_t c = 0; c < 4; ++c) {
            EXPECT_EQ(r.data[t * 4 + c], value(r.node_ids[c], t)) << t << " " << c;
        }
    }
    const auto none = read_report(tmp.path(), "none");
    EXPECT_EQ(none.n_columns, 0u);
    EXPECT_EQ(none.index_pointers, (std::vector<std::uint64_t>{0}));

    // Layout details a BMTK or libsonata reader relies on.
    const hid_t f = H5Fopen(tmp.path().c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    ASSERT_GE(f, 0);
    const hid_t data = H5Dopen2(f, "/report/cortex/data", H5P_DEFAULT);
    const hid_t dt = H5Dget_type(data);
    EXPECT_TRUE(H5Tequal(dt, H5T_IEEE_F32LE) > 0);
    H5Tclose(dt);
    EXPECT_EQ(string_attr(data, "units"), "mV");
    H5Dclose(data);
    const hid_t time = H5Dopen2(f, "/report/cortex/mapping/time", H5P_DEFAULT);
    EXPECT_EQ(string_attr(time, "units"), "ms");
    H5Dclose(time);
    for (const char* name :
         {"/report/cortex/mapping/index_pointers", "/report/cortex/mapping/index_pointer"}) {
        const hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
        ASSERT_GE(d, 0) << name;
        const hid_t t = H5Dget_type(d);
        EXPECT_TRUE(H5Tequal(t, H5T_STD_U64LE) > 0) << name;
        H5Tclose(t);
        H5Dclose(d);
    }
    const hid_t el = H5Dopen2(f, "/report/cortex/mapping/element_ids", H5P_DEFAULT);
    const hid_t elt = H5Dget_type(el);
    EXPECT_TRUE(H5Tequal(elt, H5T_STD_U32LE) > 0);
    H5Tclose(elt);
    H5Dclose(el);
    const hid_t magic = H5Aopen(f, "magic", H5P_DEFAULT);
    std::uint32_t m = 0;
    H5Aread(magic, H5T_NATIVE_UINT32, &m);
    EXPECT_EQ(m, 0x0A7Au);
    H5Aclose(magic);
    const hid_t version = H5Aopen(f, "version", H5P_DEFAULT);
    std::uint32_t v[2] = {9, 9};
    H5Aread(version, H5T_NATIVE_UINT32, v);
    EXPECT_EQ(v[0], 0u);
    EXPECT_EQ(v[1], 1u);
    H5Aclose(version);
    H5Fclose(f);
}

TEST(sonata_report, zero_times) {
    temp_file tmp;
    write_report(MPI_COMM_SELF, tmp.path(), {make_population("p", {1, 2}, {0, 1}, 0)}, 0.0, 0.1, 0);
    const auto r = read_report(tmp.path(), "p");
    EXPECT_EQ(r.n_times, 0u);
    EXPECT_EQ(r.n_columns, 2u);
    EXPECT_EQ(r.t_stop_ms, 0.0);
}

TEST(sonata_report, rejects_bad_input) {
    temp_file tmp;
    auto p = make_population("p", {1, 2}, {0, 1}, 3);
    p.local_data.pop_back();
    expect_io_error([&] { write_report(MPI_COMM_SELF, tmp.path(), {p}, 0.0, 0.1, 3); }, tmp.path(),
                    "values for 3 times");
    auto q = make_population("q", {1, 2}, {0, 5}, 3);
    expect_io_error([&] { write_report(MPI_COMM_SELF, tmp.path(), {q}, 0.0, 0.1, 3); }, tmp.path(),
                    "out of range");
    auto dup = make_population("d", {1, 2}, {0, 0}, 3);
    expect_io_error([&] { write_report(MPI_COMM_SELF, tmp.path(), {dup}, 0.0, 0.1, 3); },
                    tmp.path(), "written by 2 ranks");
    auto missing = make_population("m", {1, 2}, {1}, 3);
    expect_io_error([&] { write_report(MPI_COMM_SELF, tmp.path(), {missing}, 0.0, 0.1, 3); },
                    tmp.path(), "written by 0 ranks");
    expect_io_error(
        [&] {
            write_report(MPI_COMM_SELF, tmp.path(), {make_population("p", {1}, {0}, 3)}, 0.0, 0.0,
                         3);
        },
        tmp.path(), "dt");
}

TEST(sonata_report, bmtk_fixture) {
    const fs::path p =
        fixtures / "report_fixtures/sonata_5_cells_iclamp_output/membrane_potential.h5";
    EXPECT_EQ(read_report_populations(p), (std::vector<std::string>{"biophysical"}));
    const auto r = read_report(p, "biophysical");
    EXPECT_EQ(r.node_ids, (std::vector<std::uint64_t>{0, 1, 2, 3, 4}));
    EXPECT_EQ(r.index_pointers, (std::vector<std::uint64_t>{0, 1, 2, 3, 4, 5}));
    EXPECT_EQ(r.element_ids, (std::vector<std::uint32_t>{0, 0, 0, 0, 0}));
    EXPECT_EQ(r.n_times, 40000u);
    EXPECT_EQ(r.n_columns, 5u);
    EXPECT_EQ(r.t_start_ms, 0.0);
    EXPECT_EQ(r.t_stop_ms, 4000.0);
    EXPECT_DOUBLE_EQ(r.dt_ms, 0.1);
    EXPECT_EQ(r.units, "");
    ASSERT_EQ(r.data.size(), 200000u);
    EXPECT_NEAR(r.data[0], -80.06293885, 1e-4);
    EXPECT_NEAR(r.data[4], -80.24608439, 1e-4);
    EXPECT_NEAR(r.data[5], -80.12194168, 1e-4);
}

TEST(sonata_report, libsonata_fixtures) {
    const fs::path somas = fixtures / "report_fixtures/libsonata_tests/somas.h5";
    const auto r = read_report(somas, "All");
    ASSERT_EQ(r.node_ids.size(), 20u);
    EXPECT_EQ(r.node_ids[0], 10u);
    EXPECT_EQ(r.index_pointers.size(), 21u);
    EXPECT_EQ(r.n_times, 10u);
    EXPECT_EQ(r.units, "mV");
    EXPECT_DOUBLE_EQ(r.dt_ms, 0.1);
    EXPECT_FLOAT_EQ(r.data[20 + 11], 1.1f);
    const auto s1 = read_report(somas, "soma1"); // float64 data
    EXPECT_FLOAT_EQ(s1.data[20 + 11], 1.1f);

    const fs::path elements = fixtures / "report_fixtures/libsonata_tests/elements.h5";
    const auto e = read_report(elements, "All");
    EXPECT_EQ(e.node_ids.size(), 20u);
    EXPECT_EQ(e.n_columns, 100u);
    EXPECT_EQ(e.index_pointers[1], 5u);
    EXPECT_EQ(e.element_ids.size(), 100u);
    EXPECT_EQ(e.element_ids[2], 1u);
    EXPECT_DOUBLE_EQ(e.dt_ms, 0.2);
}

TEST(sonata_report, error_messages) {
    const fs::path missing = fs::temp_directory_path() / "laminar_surely_missing_report.h5";
    expect_io_error([&] { read_report(missing, "p"); }, missing, "no such file");
    temp_file text(".txt");
    std::ofstream(text.path()) << "not hdf5\n";
    expect_io_error([&] { read_report(text.path(), "p"); }, text.path(), "not an HDF5 file");
    const fs::path spikes = fixtures / "spike_file_fixtures/libsonata_tests/spikes.h5";
    expect_io_error([&] { read_report(spikes, "All"); }, spikes, "no /report group");
    const fs::path somas = fixtures / "report_fixtures/libsonata_tests/somas.h5";
    expect_io_error([&] { read_report(somas, "nope"); }, somas, "nope");
}
