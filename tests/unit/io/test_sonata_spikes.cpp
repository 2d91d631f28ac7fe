// SONATA spike files: write/read round trip on one rank, the fixture layouts (libsonata, BMTK,
// pysonata, old layout) and the error messages.
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
#include "laminar/io/sonata_spikes.hpp"

namespace fs = std::filesystem;
using laminar::io::read_spike_file;
using laminar::io::read_spike_sorting;
using laminar::io::spike_table;
using laminar::io::spike_writer;

namespace {

const fs::path& fixtures = laminar::test::fixtures();
using laminar::test::expect_io_error;
using laminar::test::temp_file;

const spike_table* find(const std::vector<std::pair<std::string, spike_table>>& pops,
                        const std::string& name) {
    for (const auto& [n, t] : pops) {
        if (n == name)
            return &t;
    }
    return nullptr;
}

// Raw HDF5 access for checks the public API does not expose (types, attributes, layout).
struct raw_file {
    hid_t id;
    explicit raw_file(const fs::path& p) : id(H5Fopen(p.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT)) {}
    ~raw_file() {
        if (id >= 0)
            H5Fclose(id);
    }
};

std::vector<std::uint32_t> read_uint32_attr(hid_t obj, const char* name) {
    const hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    const hid_t s = H5Aget_space(a);
    std::vector<std::uint32_t> v(static_cast<std::size_t>(H5Sget_simple_extent_npoints(s)));
    H5Aread(a, H5T_NATIVE_UINT32, v.data());
    const hid_t t = H5Aget_type(a);
    EXPECT_EQ(H5Tget_class(t), H5T_INTEGER);
    EXPECT_EQ(H5Tget_size(t), 4u);
    EXPECT_EQ(H5Tget_sign(t), H5T_SGN_NONE);
    H5Tclose(t);
    H5Sclose(s);
    H5Aclose(a);
    return v;
}

} // namespace

TEST(sonata_spikes, write_read_back) {
    temp_file tmp;
    {
        spike_writer w(MPI_COMM_SELF, tmp.path(), {"exc", "inh", "silent"});
        w.append({{{3, 1}, {0.5, 0.75}}, {{7}, {0.6}}, {}});
        w.append({{{}, {}}, {{8, 9}, {1.0, 1.25}}, {}});
        w.append({{{2}, {2.0}}, {}, {}});
        w.close();
        w.close(); // idempotent
    }
    const auto pops = read_spike_file(tmp.path());
    ASSERT_EQ(pops.size(), 3u);
    const auto* exc = find(pops, "exc");
    const auto* inh = find(pops, "inh");
    const auto* silent = find(pops, "silent");
    ASSERT_TRUE(exc && inh && silent);
    EXPECT_EQ(exc->node_ids, (std::vector<std::uint64_t>{3, 1, 2}));
    EXPECT_EQ(exc->timestamps, (std::vector<double>{0.5, 0.75, 2.0}));
    EXPECT_EQ(inh->node_ids, (std::vector<std::uint64_t>{7, 8, 9}));
    EXPECT_EQ(inh->timestamps, (std::vector<double>{0.6, 1.0, 1.25}));
    EXPECT_TRUE(silent->node_ids.empty());
    EXPECT_TRUE(silent->timestamps.empty());
    for (const char* p : {"exc", "inh", "silent"}) {
        EXPECT_EQ(read_spike_sorting(tmp.path(), p), "by_time") << p;
    }
}

TEST(sonata_spikes, file_layout_and_attributes) {
    temp_file tmp;
    {
        spike_writer w(MPI_COMM_SELF, tmp.path(), {"v1"});
        w.append({{{1, 2}, {0.1, 0.2}}});
    } // the destructor closes
    raw_file f(tmp.path());
    ASSERT_GE(f.id, 0);
    EXPECT_EQ(read_uint32_attr(f.id, "magic"), (std::vector<std::uint32_t>{0x0A7A}));
    EXPECT_EQ(read_uint32_attr(f.id, "version"), (std::vector<std::uint32_t>{0, 1}));

    const hid_t g = H5Gopen2(f.id, "/spikes/v1", H5P_DEFAULT);
    ASSERT_GE(g, 0);
    const hid_t a = H5Aopen(g, "sorting", H5P_DEFAULT);
    const hid_t t = H5Aget_type(a);
    ASSERT_EQ(H5Tget_class(t), H5T_ENUM);
    const hid_t base = H5Tget_super(t);
    EXPECT_EQ(H5Tget_size(base), 1u);
    EXPECT_EQ(H5Tget_sign(base), H5T_SGN_NONE);
    EXPECT_EQ(H5Tget_nmembers(t), 3);
    for (const auto& [name, value] :
         {std::pair<const char*, std::uint8_t>{"none", 0}, {"by_id", 1}, {"by_time", 2}}) {
        std::uint8_t v = 99;
        EXPECT_GE(H5Tenum_valueof(t, name, &v), 0);
        EXPECT_EQ(v, value) << name;
    }
    std::uint8_t stored = 0;
    H5Aread(a, t, &stored);
    EXPECT_EQ(stored, 2);
    H5Tclose(base);
    H5Tclose(t);
    H5Aclose(a);

    const hid_t ts = H5Dopen2(g, "timestamps", H5P_DEFAULT);
    const hid_t ids = H5Dopen2(g, "node_ids", H5P_DEFAULT);
    const hid_t ts_type = H5Dget_type(ts);
    const hid_t ids_type = H5Dget_type(ids);
    EXPECT_TRUE(H5Tequal(ts_type, H5T_IEEE_F64LE) > 0);
    EXPECT_TRUE(H5Tequal(ids_type, H5T_STD_U64LE) > 0);
    for (const hid_t d : {ts, ids}) {
        const hid_t dcpl = H5Dget_create_plist(d);
        EXPECT_EQ(H5Pget_layout(dcpl), H5D_CHUNKED);
        H5Pclose(dcpl);
        const hid_t s = H5Dget_space(d);
        hsize_t dim = 0;
        hsize_t maxdim = 0;
        H5Sget_simple_extent_dims(s, &dim, &maxdim);
        EXPECT_EQ(dim, 2u);
        EXPECT_EQ(maxdim, H5S_UNLIMITED);
        H5Sclose(s);
    }
    const hid_t units = H5Aopen(ts, "units", H5P_DEFAULT);
    ASSERT_GE(units, 0);
    const hid_t str = H5Tcopy(H5T_C_S1);
    H5Tset_size(str, H5T_VARIABLE);
    H5Tset_cset(str, H5T_CSET_UTF8);
    char* u = nullptr;
    H5Aread(units, str, &u);
    ASSERT_NE(u, nullptr);
    EXPECT_STREQ(u, "ms");
    H5free_memory(u);
    H5Tclose(str);
    H5Aclose(units);
    H5Tclose(ts_type);
    H5Tclose(ids_type);
    H5Dclose(ts);
    H5Dclose(ids);
    H5Gclose(g);
}

TEST(sonata_spikes, no_populations) {
    temp_file tmp;
    {
        spike_writer w(MPI_COMM_SELF, tmp.path(), {});
        w.append({});
        w.close();
    }
    EXPECT_TRUE(read_spike_file(tmp.path()).empty());
}

TEST(sonata_spikes, many_spikes_span_chunks) {
    temp_file tmp;
    const std::size_t n = 150'000; // more than two 64 Ki chunks
    spike_table t;
    for (std::size_t i = 0; i < n; ++i) {
        t.node_ids.push_back(i % 977);
        t.timestamps.push_back(0.1 * static_cast<double>(i));
    }
    {
        spike_writer w(MPI_COMM_SELF, tmp.path(), {"big"});
        w.append({t});
        w.append({t});
        w.close();
    }
    const auto pops = read_spike_file(tmp.path());
    ASSERT_EQ(pops.size(), 1u);
    const auto& got = pops[0].second;
    ASSERT_EQ(got.node_ids.size(), 2 * n);
    for (std::size_t i = 0; i < 2 * n; i += 997) {
        EXPECT_EQ(got.node_ids[i], t.node_ids[i % n]);
        EXPECT_EQ(got.timestamps[i], t.timestamps[i % n]);
    }
}

TEST(sonata_spikes, append_rejects_bad_tables) {
    temp_file tmp;
    spike_writer w(MPI_COMM_SELF, tmp.path(), {"a", "b"});
    expect_io_error([&] { w.append({{{1}, {0.5}}}); }, tmp.path(), "2 populations");
    expect_io_error([&] { w.append({{{1, 2}, {0.5}}, {}}); }, tmp.path(), "population a");
    w.append({{{1}, {0.5}}, {}}); // still usable
    w.close();
    expect_io_error([&] { w.append({{}, {}}); }, tmp.path(), "closed");
    EXPECT_EQ(read_spike_file(tmp.path()).at(0).second.node_ids.size(), 1u);
}

TEST(sonata_spikes, writer_rejects_bad_population_names) {
    temp_file tmp;
    expect_io_error(
        [&] {
            spike_writer w(MPI_COMM_SELF, tmp.path(), {"a", "a"});
        },
        tmp.path(), "twice");
    expect_io_error([&] { spike_writer w(MPI_COMM_SELF, tmp.path(), {"a/b"}); }, tmp.path(),
                    "invalid population name");
}

TEST(sonata_spikes, writer_reports_uncreatable_file) {
    const fs::path p = fs::temp_directory_path() / "laminar_no_such_dir" / "x" / "spikes.h5";
    expect_io_error([&] { spike_writer w(MPI_COMM_SELF, p, {"a"}); }, p, "cannot create file");
}

// ---- fixtures ------------------------------------------------------------------------------

TEST(sonata_spikes, libsonata_fixture_enum_sorting) {
    const fs::path p = fixtures / "spike_file_fixtures/libsonata_tests/spikes.h5";
    const auto pops = read_spike_file(p);
    ASSERT_EQ(pops.size(), 4u);
    const auto* all = find(pops, "All");
    ASSERT_NE(all, nullptr);
    EXPECT_EQ(all->node_ids, (std::vector<std::uint64_t>{5, 2, 3, 2, 3}));
    EXPECT_EQ(all->timestamps, (std::vector<double>{0.1, 0.2, 0.3, 0.7, 1.3}));
    const auto* empty = find(pops, "empty");
    ASSERT_NE(empty, nullptr);
    EXPECT_TRUE(empty->node_ids.empty());
    EXPECT_EQ(find(pops, "spikes1")->node_ids, (std::vector<std::uint64_t>{2, 2, 3, 3, 5}));
    EXPECT_EQ(read_spike_sorting(p, "All"), "by_time");
    EXPECT_EQ(read_spike_sorting(p, "spikes1"), "by_id");
    EXPECT_EQ(read_spike_sorting(p, "spikes2"), "none");
    EXPECT_EQ(read_spike_sorting(p, "empty"), "by_id");
}

TEST(sonata_spikes, bmtk_fixture_uint32_ids_string_sorting) {
    const fs::path p = fixtures / "bmtk_point_120cells/point_120cells/inputs/thalamus_spikes.h5";
    const auto pops = read_spike_file(p);
    ASSERT_EQ(pops.size(), 1u);
    EXPECT_EQ(pops[0].first, "thalamus");
    const auto& t = pops[0].second;
    ASSERT_EQ(t.node_ids.size(), 3024u);
    ASSERT_EQ(t.timestamps.size(), 3024u);
    EXPECT_EQ(t.node_ids.front(), 0u);
    EXPECT_NEAR(t.timestamps.front(), 215.15805206, 1e-6);
    for (const auto id : t.node_ids)
        EXPECT_LT(id, 100u);
    EXPECT_EQ(read_spike_sorting(p, "thalamus"), "none");
}

TEST(sonata_spikes, bmtk_fixture_int64_ids) {
    const fs::path p = fixtures / "bmtk_point_stdp/point_stdp/inputs/virtual_spikes.h5";
    const auto pops = read_spike_file(p);
    ASSERT_EQ(pops.size(), 1u);
    EXPECT_EQ(pops[0].first, "virtual");
    EXPECT_EQ(pops[0].second.node_ids.size(), 1044u);
    EXPECT_NEAR(pops[0].second.timestamps.front(), 86.54387617, 1e-6);
    EXPECT_EQ(read_spike_sorting(p, "virtual"), "none");
}

TEST(sonata_spikes, pysonata_fixture_one_pop) {
    const fs::path p = fixtures / "spike_file_fixtures/sonata_pysonata_tests/spikes.one_pop.h5";
    const auto pops = read_spike_file(p);
    ASSERT_EQ(pops.size(), 1u);
    EXPECT_EQ(pops[0].first, "v1");
    EXPECT_EQ(pops[0].second.node_ids.size(), 124u);
    EXPECT_EQ((std::vector<std::uint64_t>(pops[0].second.node_ids.begin(),
                                          pops[0].second.node_ids.begin() + 5)),
              (std::vector<std::uint64_t>{0, 1, 12, 13, 1}));
    EXPECT_EQ(read_spike_sorting(p, "v1"), "by_time");
}

TEST(sonata_spikes, old_layout_fixtures) {
    const fs::path old = fixtures / "spike_file_fixtures/sonata_pysonata_tests/spikes.old.h5";
    const auto pops = read_spike_file(old, "v1");
    ASSERT_EQ(pops.size(), 1u);
    EXPECT_EQ(pops[0].first, "v1");
    EXPECT_EQ(pops[0].second.node_ids.size(), 124u);
    EXPECT_EQ(pops[0].second.timestamps.front(), 136.6);
    EXPECT_EQ(read_spike_sorting(old, "v1"), "time");

    // No magic, no units, sorting "by_gid".
    const fs::path ext = fixtures / "sonata_sim_tests_nest/intfire/ten_cells_spikes_nest/input/"
                                    "external_spike_trains.h5";
    const auto ext_pops = read_spike_file(ext);
    ASSERT_EQ(ext_pops.size(), 1u);
    EXPECT_EQ(ext_pops[0].first, "default");
    EXPECT_EQ(ext_pops[0].second.node_ids.size(), 17u);
    EXPECT_NEAR(ext_pops[0].second.timestamps.front(), 26.03482158, 1e-6);
    EXPECT_EQ(read_spike_sorting(ext, "default"), "by_gid");
}

TEST(sonata_spikes, bionet_output_fixture) {
    const fs::path p = fixtures / "report_fixtures/sonata_5_cells_iclamp_output/spikes.h5";
    const auto pops = read_spike_file(p);
    ASSERT_EQ(pops.size(), 1u);
    EXPECT_EQ(pops[0].first, "biophysical");
    EXPECT_EQ(pops[0].second.node_ids.size(), 124u);
    EXPECT_EQ(read_spike_sorting(p, "biophysical"), "by_time");
}

// Float32 timestamps, uint32 ids, a fixed-length string `sorting`, and an absent `sorting`.
TEST(sonata_spikes, float32_timestamps_fixed_string_sorting) {
    temp_file tmp;
    {
        const hid_t f = H5Fcreate(tmp.path().c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
        ASSERT_GE(f, 0);
        const hid_t g = H5Gcreate2(f, "/spikes", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        const hid_t p = H5Gcreate2(g, "p", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        const hid_t q = H5Gcreate2(g, "q", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        const hsize_t n = 3;
        const hid_t s = H5Screate_simple(1, &n, nullptr);
        const float ts[3] = {0.5f, 1.5f, 2.25f};
        const std::uint32_t ids[3] = {4, 5, 6};
        for (const hid_t grp : {p, q}) {
            const hid_t d1 = H5Dcreate2(grp, "timestamps", H5T_IEEE_F32LE, s, H5P_DEFAULT,
                                        H5P_DEFAULT, H5P_DEFAULT);
            H5Dwrite(d1, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, ts);
            const hid_t d2 = H5Dcreate2(grp, "node_ids", H5T_STD_U32LE, s, H5P_DEFAULT, H5P_DEFAULT,
                                        H5P_DEFAULT);
            H5Dwrite(d2, H5T_NATIVE_UINT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, ids);
            H5Dclose(d1);
            H5Dclose(d2);
        }
        const hid_t str = H5Tcopy(H5T_C_S1);
        H5Tset_size(str, 10);
        H5Tset_strpad(str, H5T_STR_NULLPAD);
        const hid_t scalar = H5Screate(H5S_SCALAR);
        const hid_t a = H5Acreate2(p, "sorting", str, scalar, H5P_DEFAULT, H5P_DEFAULT);
        const char value[10] = "by_id";
        H5Awrite(a, str, value);
        H5Aclose(a);
        H5Sclose(scalar);
        H5Tclose(str);
        H5Sclose(s);
        H5Gclose(p);
        H5Gclose(q);
        H5Gclose(g);
        H5Fclose(f);
    }
    const auto pops = read_spike_file(tmp.path());
    ASSERT_EQ(pops.size(), 2u);
    EXPECT_EQ(pops[0].first, "p");
    EXPECT_EQ(pops[0].second.node_ids, (std::vector<std::uint64_t>{4, 5, 6}));
    EXPECT_EQ(pops[0].second.timestamps, (std::vector<double>{0.5, 1.5, 2.25}));
    EXPECT_EQ(read_spike_sorting(tmp.path(), "p"), "by_id");
    EXPECT_EQ(read_spike_sorting(tmp.path(), "q"), "");
    expect_io_error([&] { read_spike_sorting(tmp.path(), "nope"); }, tmp.path(), "nope");
}

// ---- errors --------------------------------------------------------------------------------

TEST(sonata_spikes, error_missing_file) {
    const fs::path p = fs::temp_directory_path() / "laminar_surely_missing_spikes.h5";
    expect_io_error([&] { read_spike_file(p); }, p, "no such file");
    expect_io_error([&] { read_spike_sorting(p, "a"); }, p, "no such file");
}

TEST(sonata_spikes, error_not_hdf5) {
    temp_file tmp(".txt");
    std::ofstream(tmp.path()) << "timestamps population node_ids\n0.1 v1 3\n";
    expect_io_error([&] { read_spike_file(tmp.path()); }, tmp.path(), "not an HDF5 file");
}

TEST(sonata_spikes, error_no_spikes_group) {
    const fs::path p =
        fixtures / "report_fixtures/sonata_5_cells_iclamp_output/membrane_potential.h5";
    expect_io_error([&] { read_spike_file(p); }, p, "no /spikes group");
}

TEST(sonata_spikes, error_mismatched_lengths) {
    temp_file tmp;
    {
        const hid_t f = H5Fcreate(tmp.path().c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
        ASSERT_GE(f, 0);
        const hid_t g = H5Gcreate2(f, "/spikes", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        const hid_t p = H5Gcreate2(g, "bad", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        const hsize_t n3 = 3;
        const hsize_t n2 = 2;
        const hid_t s3 = H5Screate_simple(1, &n3, nullptr);
        const hid_t s2 = H5Screate_simple(1, &n2, nullptr);
        const double ts[3] = {1, 2, 3};
        const std::uint64_t ids[2] = {1, 2};
        const hid_t d1 =
            H5Dcreate2(p, "timestamps", H5T_IEEE_F64LE, s3, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        H5Dwrite(d1, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, ts);
        const hid_t d2 =
            H5Dcreate2(p, "node_ids", H5T_STD_U64LE, s2, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        H5Dwrite(d2, H5T_NATIVE_UINT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, ids);
        H5Dclose(d1);
        H5Dclose(d2);
        H5Sclose(s2);
        H5Sclose(s3);
        H5Gclose(p);
        H5Gclose(g);
        H5Fclose(f);
    }
    expect_io_error([&] { read_spike_file(tmp.path()); }, tmp.path(), "/spikes/bad");
}
