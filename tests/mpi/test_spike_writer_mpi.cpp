// Collective SONATA output at several rank counts: the appending spike writer (shares of every
// size including zero, populations without spikes) and the report writer (scattered columns,
// ranks owning none). Rank 0 reads the files back serially and checks them exactly.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <hdf5.h>
#include <mpi.h>
#include <unistd.h>

#include "laminar/core/error.hpp"
#include "laminar/io/sonata_report.hpp"
#include "laminar/io/sonata_spikes.hpp"

namespace fs = std::filesystem;
using namespace laminar::io;

namespace {

int world_rank() {
    int r = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &r);
    return r;
}

int world_size() {
    int s = 1;
    MPI_Comm_size(MPI_COMM_WORLD, &s);
    return s;
}

/// A path chosen on rank 0 (unique per test, rank count and process) and known to every rank;
/// removed by rank 0 at the end of the test.
class shared_temp_file {
public:
    shared_temp_file() {
        std::vector<char> buf(4096, '\0');
        if (world_rank() == 0) {
            const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
            const std::string p =
                (fs::temp_directory_path() /
                 fmt::format("laminar_mpi_{}_np{}_{}.h5", info->name(), world_size(), getpid()))
                    .string();
            p.copy(buf.data(), buf.size() - 1);
        }
        MPI_Bcast(buf.data(), static_cast<int>(buf.size()), MPI_CHAR, 0, MPI_COMM_WORLD);
        path_ = buf.data();
    }
    ~shared_temp_file() {
        MPI_Barrier(MPI_COMM_WORLD);
        if (world_rank() == 0) {
            std::error_code ec;
            fs::remove(path_, ec);
        }
    }
    const fs::path& path() const { return path_; }

private:
    fs::path path_;
};

const spike_table* find(const std::vector<std::pair<std::string, spike_table>>& pops,
                        const std::string& name) {
    for (const auto& [n, t] : pops) {
        if (n == name)
            return &t;
    }
    return nullptr;
}

// The share of rank r in append call k.
spike_table exc_share(int r, int k) {
    spike_table t;
    const int n = (r + k) % 3; // zero for some ranks in most calls
    for (int j = 0; j < n; ++j) {
        t.node_ids.push_back(static_cast<std::uint64_t>(1000 * k + 100 * r + j));
        t.timestamps.push_back(10.0 * k + r + 0.01 * j);
    }
    return t;
}

spike_table inh_share(int r, int k, int size) {
    spike_table t;
    if (k == 1 && r == size - 1) {
        t.node_ids = {7, 3};
        t.timestamps = {12.5, 12.75};
    }
    return t;
}

constexpr int n_calls = 4;

} // namespace

TEST(spike_writer_mpi, appends_in_call_then_rank_order) {
    const int rank = world_rank();
    const int size = world_size();
    shared_temp_file tmp;
    {
        spike_writer w(MPI_COMM_WORLD, tmp.path(), {"exc", "inh", "silent"});
        for (int k = 0; k < n_calls; ++k) {
            w.append({exc_share(rank, k), inh_share(rank, k, size), {}});
        }
        w.close();
    }
    MPI_Barrier(MPI_COMM_WORLD);
    if (rank != 0)
        return;

    spike_table exc_expected;
    spike_table inh_expected;
    for (int k = 0; k < n_calls; ++k) {
        for (int r = 0; r < size; ++r) {
            for (auto [share, out] : {std::pair{exc_share(r, k), &exc_expected},
                                      std::pair{inh_share(r, k, size), &inh_expected}}) {
                out->node_ids.insert(out->node_ids.end(), share.node_ids.begin(),
                                     share.node_ids.end());
                out->timestamps.insert(out->timestamps.end(), share.timestamps.begin(),
                                       share.timestamps.end());
            }
        }
    }
    const auto pops = read_spike_file(tmp.path());
    ASSERT_EQ(pops.size(), 3u);
    const auto* exc = find(pops, "exc");
    const auto* inh = find(pops, "inh");
    const auto* silent = find(pops, "silent");
    ASSERT_TRUE(exc && inh && silent);
    EXPECT_EQ(exc->node_ids, exc_expected.node_ids);
    EXPECT_EQ(exc->timestamps, exc_expected.timestamps);
    EXPECT_EQ(inh->node_ids, inh_expected.node_ids);
    EXPECT_EQ(inh->timestamps, inh_expected.timestamps);
    EXPECT_TRUE(silent->node_ids.empty());
    EXPECT_TRUE(silent->timestamps.empty());

    for (const char* p : {"exc", "inh", "silent"}) {
        EXPECT_EQ(read_spike_sorting(tmp.path(), p), "by_time") << p;
    }
    const hid_t f = H5Fopen(tmp.path().c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    ASSERT_GE(f, 0);
    std::uint32_t magic = 0;
    std::uint32_t version[2] = {9, 9};
    const hid_t am = H5Aopen(f, "magic", H5P_DEFAULT);
    H5Aread(am, H5T_NATIVE_UINT32, &magic);
    H5Aclose(am);
    const hid_t av = H5Aopen(f, "version", H5P_DEFAULT);
    H5Aread(av, H5T_NATIVE_UINT32, version);
    H5Aclose(av);
    EXPECT_EQ(magic, 0x0A7Au);
    EXPECT_EQ(version[0], 0u);
    EXPECT_EQ(version[1], 1u);
    const hid_t g = H5Gopen2(f, "/spikes/exc", H5P_DEFAULT);
    const hid_t as = H5Aopen(g, "sorting", H5P_DEFAULT);
    const hid_t ts = H5Aget_type(as);
    EXPECT_EQ(H5Tget_class(ts), H5T_ENUM);
    std::uint8_t sorting = 0;
    H5Aread(as, ts, &sorting);
    EXPECT_EQ(sorting, 2);
    H5Tclose(ts);
    H5Aclose(as);
    H5Gclose(g);
    H5Fclose(f);
}

TEST(spike_writer_mpi, bad_share_on_one_rank_throws_everywhere) {
    const int rank = world_rank();
    const int size = world_size();
    shared_temp_file tmp;
    spike_writer w(MPI_COMM_WORLD, tmp.path(), {"a"});
    spike_table bad;
    if (rank == size - 1)
        bad = {{1, 2}, {0.5}};
    try {
        w.append({bad});
        ADD_FAILURE() << "append did not throw on rank " << rank;
    } catch (const laminar::io_error& e) {
        const std::string what = e.what();
        if (rank == size - 1) {
            EXPECT_NE(what.find("population a"), std::string::npos) << what;
        } else {
            EXPECT_NE(what.find(fmt::format("rank {}", size - 1)), std::string::npos) << what;
        }
    }
    // The writer is still consistent on every rank.
    w.append({spike_table{{static_cast<std::uint64_t>(rank)}, {1.0 * rank}}});
    // Left to the destructor to close (collectively).
}

TEST(spike_writer_mpi, destructor_closes) {
    const int rank = world_rank();
    const int size = world_size();
    shared_temp_file tmp;
    {
        spike_writer w(MPI_COMM_WORLD, tmp.path(), {"a"});
        w.append({spike_table{{static_cast<std::uint64_t>(rank)}, {1.0 * rank}}});
    }
    MPI_Barrier(MPI_COMM_WORLD);
    if (rank != 0)
        return;
    const auto pops = read_spike_file(tmp.path());
    ASSERT_EQ(pops.size(), 1u);
    ASSERT_EQ(pops[0].second.node_ids.size(), static_cast<std::size_t>(size));
    for (int r = 0; r < size; ++r)
        EXPECT_EQ(pops[0].second.node_ids[r], std::uint64_t(r));
}

// ---- reports -------------------------------------------------------------------------------

namespace {

float value(std::uint64_t node, std::size_t t) {
    return static_cast<float>(node) * 100.0f + static_cast<float>(t) * 0.5f;
}

/// Columns owned by this rank, listed in decreasing order (the writer must not rely on order).
report_population share(const std::string& name, std::vector<std::uint64_t> ids,
                        int (*owner)(std::size_t column, int size), std::size_t n_times) {
    const int rank = world_rank();
    const int size = world_size();
    report_population p{name, std::move(ids), {}, {}};
    for (std::size_t c = p.node_ids.size(); c-- > 0;) {
        if (owner(c, size) == rank)
            p.local_columns.push_back(c);
    }
    for (std::size_t t = 0; t < n_times; ++t) {
        for (const std::size_t c : p.local_columns)
            p.local_data.push_back(value(p.node_ids[c], t));
    }
    return p;
}

} // namespace

TEST(report_writer_mpi, scattered_columns) {
    const std::size_t n_times = 11;
    shared_temp_file tmp;
    const std::vector<std::uint64_t> cortex_ids{3, 5, 8, 13, 21, 34, 55};
    const std::vector<std::uint64_t> tiny_ids{7, 9};
    const std::vector<report_population> pops{
        // Round-robin with a stride: every rank owns scattered columns.
        share(
            "cortex", cortex_ids,
            [](std::size_t c, int size) { return static_cast<int>((c * 5 + 1) % size); }, n_times),
        // All on the last rank: the others own no column.
        share(
            "tiny", tiny_ids, [](std::size_t, int size) { return size - 1; }, n_times),
        share(
            "empty", {}, [](std::size_t, int) { return 0; }, n_times)};
    write_report(MPI_COMM_WORLD, tmp.path(), pops, 5.0, 0.5, n_times);
    MPI_Barrier(MPI_COMM_WORLD);
    if (world_rank() != 0)
        return;

    EXPECT_EQ(read_report_populations(tmp.path()),
              (std::vector<std::string>{"cortex", "empty", "tiny"}));
    for (const auto& [name, ids] :
         {std::pair{std::string("cortex"), cortex_ids}, std::pair{std::string("tiny"), tiny_ids}}) {
        const auto r = read_report(tmp.path(), name);
        EXPECT_EQ(r.node_ids, ids);
        ASSERT_EQ(r.n_columns, ids.size());
        ASSERT_EQ(r.n_times, n_times);
        EXPECT_EQ(r.t_start_ms, 5.0);
        EXPECT_EQ(r.t_stop_ms, 5.0 + 11 * 0.5);
        EXPECT_EQ(r.dt_ms, 0.5);
        EXPECT_EQ(r.units, "mV");
        ASSERT_EQ(r.index_pointers.size(), ids.size() + 1);
        for (std::size_t i = 0; i <= ids.size(); ++i)
            EXPECT_EQ(r.index_pointers[i], i);
        EXPECT_EQ(r.element_ids, std::vector<std::uint32_t>(ids.size(), 0));
        for (std::size_t t = 0; t < n_times; ++t) {
            for (std::size_t c = 0; c < ids.size(); ++c) {
                EXPECT_EQ(r.data[t * ids.size() + c], value(ids[c], t))
                    << name << " t=" << t << " c=" << c;
            }
        }
    }
    EXPECT_EQ(read_report(tmp.path(), "empty").n_columns, 0u);
}

TEST(report_writer_mpi, column_owned_twice_throws_everywhere) {
    shared_temp_file tmp;
    // Every rank claims column 0: with more than one rank it is owned several times.
    const auto p = share(
        "p", {1, 2}, [](std::size_t c, int size) { return c == 0 ? world_rank() : size - 1; }, 2);
    if (world_size() == 1) {
        write_report(MPI_COMM_WORLD, tmp.path(), {p}, 0.0, 1.0, 2);
        return;
    }
    try {
        write_report(MPI_COMM_WORLD, tmp.path(), {p}, 0.0, 1.0, 2);
        ADD_FAILURE() << "write_report did not throw";
    } catch (const laminar::io_error& e) {
        EXPECT_NE(std::string(e.what()).find("column 0"), std::string::npos) << e.what();
    }
}
