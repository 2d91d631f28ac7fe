// SONATA membrane-potential reports: the collective writer (each rank writes the columns of its
// own cells, possibly scattered) and a serial reader for ours, BMTK's and libsonata's files.
#include "laminar/io/sonata_report.hpp"

#include <algorithm>
#include <cstdint>
#include <numeric>

#include <fmt/format.h>

#include "io/hdf5.hpp"
#include "laminar/core/error.hpp"

namespace laminar::io {

namespace {

void check_mpi(int rc, const std::string& path, const char* call) {
    if (rc != MPI_SUCCESS)
        throw io_error(path, fmt::format("{} failed (error {})", call, rc));
}

/// Every rank learns whether any rank failed; the lowest failing rank's message is thrown
/// there, the others name that rank. Keeps ranks out of half-entered collectives.
void agree(MPI_Comm comm, int rank, const std::string& local_error, const std::string& path) {
    int size = 1;
    check_mpi(MPI_Comm_size(comm, &size), path, "MPI_Comm_size");
    const int mine = local_error.empty() ? size : rank;
    int first = size;
    check_mpi(MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, comm), path, "MPI_Allreduce");
    if (first == size)
        return;
    if (first == rank)
        throw io_error(path, local_error);
    throw io_error(path, fmt::format("invalid report data on rank {}", first));
}

std::string validate_local(const std::vector<report_population>& pops, double dt_ms,
                           std::size_t n_times) {
    if (!(dt_ms > 0))
        return fmt::format("report dt must be positive, got {}", dt_ms);
    for (const auto& p : pops) {
        if (p.name.empty() || p.name.find('/') != std::string::npos) {
            return fmt::format("invalid population name '{}'", p.name);
        }
        for (const std::size_t c : p.local_columns) {
            if (c >= p.node_ids.size()) {
                return fmt::format("population {}: column {} out of range ({} nodes)", p.name, c,
                                   p.node_ids.size());
            }
        }
        if (p.local_data.size() != n_times * p.local_columns.size()) {
            return fmt::format("population {}: {} values for {} times x {} local columns", p.name,
                               p.local_data.size(), n_times, p.local_columns.size());
        }
    }
    return {};
}

/// Checks that every rank passes the same shape and that every column has exactly one owner.
void validate_global(MPI_Comm comm, const std::vector<report_population>& pops, std::size_t n_times,
                     const std::string& path) {
    // Min and max in one reduction: max of v and of -v.
    std::vector<std::int64_t> shape{static_cast<std::int64_t>(pops.size()),
                                    static_cast<std::int64_t>(n_times)};
    auto spread = [&](std::vector<std::int64_t> v) {
        const std::size_t n = v.size();
        for (std::size_t i = 0; i < n; ++i)
            v.push_back(-v[i]);
        std::vector<std::int64_t> r(v.size());
        check_mpi(MPI_Allreduce(v.data(), r.data(), static_cast<int>(v.size()), MPI_INT64_T,
                                MPI_MAX, comm),
                  path, "MPI_Allreduce");
        for (std::size_t i = 0; i < n; ++i) {
            if (r[i] != -r[n + i])
                return false;
        }
        return true;
    };
    if (!spread(shape)) {
        throw io_error(path, "ranks disagree on the number of populations or of time steps");
    }
    std::vector<std::int64_t> n_nodes;
    for (const auto& p : pops)
        n_nodes.push_back(static_cast<std::int64_t>(p.node_ids.size()));
    if (!pops.empty() && !spread(n_nodes)) {
        throw io_error(path, "ranks disagree on the recorded node ids");
    }

    std::string local_error;
    for (const auto& p : pops) {
        std::vector<int> owners(p.node_ids.size(), 0);
        for (const std::size_t c : p.local_columns)
            ++owners[c];
        std::vector<int> total(owners.size(), 0);
        if (!owners.empty()) {
            check_mpi(MPI_Allreduce(owners.data(), total.data(), static_cast<int>(owners.size()),
                                    MPI_INT, MPI_SUM, comm),
                      path, "MPI_Allreduce");
        }
        for (std::size_t c = 0; c < total.size() && local_error.empty(); ++c) {
            if (total[c] != 1) {
                local_error = fmt::format("population {}: node {} (column {}) is written by {} "
                                          "ranks, expected exactly 1",
                                          p.name, p.node_ids[c], c, total[c]);
            }
        }
    }
    // Every rank found the same problem; report it without a rank attribution.
    if (!local_error.empty())
        throw io_error(path, local_error);
}

h5::dataset create_dataset(hid_t loc, const std::string& name, hid_t file_type,
                           const std::vector<hsize_t>& dims, const std::string& path) {
    h5::dataspace space(
        h5::check(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), path,
                  "cannot create dataspace"));
    h5::plist dcpl(h5::check(H5Pcreate(H5P_DATASET_CREATE), path, "cannot create property list"));
    h5::check(H5Pset_fill_time(dcpl.id(), H5D_FILL_TIME_NEVER), path,
              "cannot set fill time of " + name);
    return h5::dataset(h5::check(
        H5Dcreate2(loc, name.c_str(), file_type, space.id(), H5P_DEFAULT, dcpl.id(), H5P_DEFAULT),
        path, "cannot create dataset " + name));
}

/// A small dataset whose content every rank knows: rank 0 writes it all, the others take part
/// in the collective write with an empty selection.
void write_small(hid_t loc, const std::string& name, hid_t file_type, hid_t mem_type,
                 const void* data, hsize_t n, bool writer, hid_t dxpl, const std::string& path,
                 const char* units = nullptr) {
    h5::dataset dset = create_dataset(loc, name, file_type, {n}, path);
    if (units != nullptr)
        h5::write_string_attribute(dset.id(), "units", units, path);
    const std::string what = h5::object_name(dset.id());
    h5::dataspace file_space(h5::check(H5Dget_space(dset.id()), path, "cannot get dataspace"));
    const hsize_t one = 1;
    h5::dataspace mem_space(h5::check(H5Screate_simple(1, n > 0 ? &n : &one, nullptr), path,
                                      "cannot create dataspace"));
    static const std::uint64_t dummy = 0;
    // Nothing to write in an empty dataset (HDF5 fails on a zero-sized contiguous write); the
    // decision is the same on every rank.
    if (n == 0) {
        dset.close(path, "cannot close " + what);
        return;
    }
    if (!writer) {
        h5::check(H5Sselect_none(file_space.id()), path, "cannot select in " + what);
        h5::check(H5Sselect_none(mem_space.id()), path, "cannot select in " + what);
        data = &dummy;
    }
    h5::check(H5Dwrite(dset.id(), mem_type, mem_space.id(), file_space.id(), dxpl, data), path,
              "cannot write " + what);
    dset.close(path, "cannot close " + what);
}

void write_population(hid_t report, const report_population& p, double t_start_ms, double dt_ms,
                      std::size_t n_times, int rank, hid_t dxpl, const std::string& path) {
    h5::group g = h5::create_group(report, p.name, path);
    const hsize_t n_nodes = p.node_ids.size();
    const hsize_t rows = n_times;

    // Data: the file selection visits columns in increasing order whatever order they were
    // selected in, so bring the local columns (and their data) into increasing order first.
    h5::dataset data = create_dataset(g.id(), "data", H5T_IEEE_F32LE, {rows, n_nodes}, path);
    h5::write_string_attribute(data.id(), "units", "mV", path);
    const std::string what = h5::object_name(data.id());
    const std::size_t n_local = p.local_columns.size();
    std::vector<std::size_t> order(n_local);
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return p.local_columns[a] < p.local_columns[b];
    });
    const bool sorted = std::is_sorted(p.local_columns.begin(), p.local_columns.end());
    std::vector<float> permuted;
    const float* buf = p.local_data.data();
    if (!sorted) {
        permuted.resize(p.local_data.size());
        for (std::size_t t = 0; t < n_times; ++t) {
            for (std::size_t j = 0; j < n_local; ++j) {
                permuted[t * n_local + j] = p.local_data[t * n_local + order[j]];
            }
        }
        buf = permuted.data();
    }

    h5::dataspace file_space(h5::check(H5Dget_space(data.id()), path, "cannot get dataspace"));
    h5::check(H5Sselect_none(file_space.id()), path, "cannot select in " + what);
    const bool empty = n_local == 0 || n_times == 0;
    if (!empty) {
        // One hyperslab per run of adjacent columns, OR-ed together.
        std::size_t j = 0;
        while (j < n_local) {
            std::size_t k = j + 1;
            while (k < n_local && p.local_columns[order[k]] == p.local_columns[order[k - 1]] + 1) {
                ++k;
            }
            const hsize_t start[2] = {0, p.local_columns[order[j]]};
            const hsize_t count[2] = {rows, k - j};
            h5::check(
                H5Sselect_hyperslab(file_space.id(), H5S_SELECT_OR, start, nullptr, count, nullptr),
                path, "cannot select columns in " + what);
            j = k;
        }
    }
    const hsize_t mem_dims[2] = {empty ? 1 : rows, empty ? 1 : n_local};
    h5::dataspace mem_space(
        h5::check(H5Screate_simple(2, mem_dims, nullptr), path, "cannot create dataspace"));
    static const float dummy = 0;
    if (empty) {
        h5::check(H5Sselect_none(mem_space.id()), path, "cannot select in " + what);
        buf = &dummy;
    }
    if (rows > 0 && n_nodes > 0) { // same decision on every rank
        h5::check(H5Dwrite(data.id(), H5T_NATIVE_FLOAT, mem_space.id(), file_space.id(), dxpl, buf),
                  path, "cannot write " + what);
    }
    data.close(path, "cannot close " + what);

    // Mapping: one element (the soma) per node.
    h5::group mapping = h5::create_group(g.id(), "mapping", path);
    const bool writer = rank == 0;
    write_small(mapping.id(), "node_ids", H5T_STD_U64LE, H5T_NATIVE_UINT64, p.node_ids.data(),
                n_nodes, writer, dxpl, path);
    const std::vector<std::uint32_t> element_ids(n_nodes, 0);
    write_small(mapping.id(), "element_ids", H5T_STD_U32LE, H5T_NATIVE_UINT32, element_ids.data(),
                n_nodes, writer, dxpl, path);
    std::vector<std::uint64_t> pointers(n_nodes + 1);
    std::iota(pointers.begin(), pointers.end(), std::uint64_t{0});
    // The spec (and libsonata) name it index_pointers, BMTK index_pointer: write both.
    for (const char* name : {"index_pointers", "index_pointer"}) {
        write_small(mapping.id(), name, H5T_STD_U64LE, H5T_NATIVE_UINT64, pointers.data(),
                    n_nodes + 1, writer, dxpl, path);
    }
    const double time[3] = {t_start_ms, t_start_ms + static_cast<double>(n_times) * dt_ms, dt_ms};
    write_small(mapping.id(), "time", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, time, 3, writer, dxpl,
                path, "ms");
    mapping.close(path, "cannot close mapping of " + p.name);
    g.close(path, "cannot close /report/" + p.name);
}

} // namespace

void write_report(MPI_Comm comm, const std::filesystem::path& file,
                  const std::vector<report_population>& populations, double t_start_ms,
                  double dt_ms, std::size_t n_times) {
    const std::string path = file.string();
    h5::silence_errors();
    int rank = 0;
    check_mpi(MPI_Comm_rank(comm, &rank), path, "MPI_Comm_rank");
    agree(comm, rank, validate_local(populations, dt_ms, n_times), path);
    validate_global(comm, populations, n_times, path);

    h5::file f = h5::create_parallel(comm, path);
    {
        const h5::plist dxpl = h5::collective_transfer(path);
        h5::write_sonata_header(f.id(), path);
        h5::group report = h5::create_group(f.id(), "report", path);
        for (const auto& p : populations) {
            write_population(report.id(), p, t_start_ms, dt_ms, n_times, rank, dxpl.id(), path);
        }
        report.close(path, "cannot close /report");
    }
    f.close(path, "cannot close file");
}

// ---- reader --------------------------------------------------------------------------------

namespace {

h5::group open_report(hid_t file, const std::string& path) {
    if (!h5::exists(file, "report", path)) {
        throw io_error(path, "no /report group: not a SONATA report");
    }
    return h5::open_group(file, "report", path);
}

std::string read_units(hid_t obj, const std::string& path) {
    const htri_t has = h5::check(H5Aexists(obj, "units"), path, "cannot look up units");
    if (has == 0)
        return "";
    const h5::attribute attr(
        h5::check(H5Aopen(obj, "units", H5P_DEFAULT), path, "cannot open attribute units"));
    return h5::read_string_attribute(attr.id(), path);
}

} // namespace

std::vector<std::string> read_report_populations(const std::filesystem::path& file) {
    const std::string path = file.string();
    const h5::file f = h5::open_read(path);
    const h5::group report = open_report(f.id(), path);
    return h5::link_names(report.id(), path, "/report");
}

report_table read_report(const std::filesystem::path& file, const std::string& population) {
    const std::string path = file.string();
    const h5::file f = h5::open_read(path);
    const h5::group report = open_report(f.id(), path);
    if (population.empty() || !h5::exists(report.id(), population, path)) {
        throw io_error(path, fmt::format("no report population '{}'", population));
    }
    const h5::group g = h5::open_group(report.id(), population, path);
    const std::string where = "/report/" + population;
    for (const char* name : {"data", "mapping/node_ids", "mapping/time"}) {
        if (!h5::exists(g.id(), name, path)) {
            throw io_error(path, fmt::format("{} has no {}", where, name));
        }
    }

    report_table r;
    const h5::dataset data = h5::open_dataset(g.id(), "data", path);
    const auto d = h5::dims(data.id(), path);
    if (d.size() != 2) {
        throw io_error(path, fmt::format("{}/data has {} dimensions, expected 2", where, d.size()));
    }
    r.n_times = d[0];
    r.n_columns = d[1];
    r.data = h5::read_all<float>(data.id(), H5T_NATIVE_FLOAT, path);
    r.units = read_units(data.id(), path);

    const h5::dataset ids = h5::open_dataset(g.id(), "mapping/node_ids", path);
    h5::length_1d(ids.id(), path);
    r.node_ids = h5::read_all<std::uint64_t>(ids.id(), H5T_NATIVE_UINT64, path);

    const char* pointers_name = h5::exists(g.id(), "mapping/index_pointers", path)
                                    ? "mapping/index_pointers"
                                    : "mapping/index_pointer";
    if (!h5::exists(g.id(), pointers_name, path)) {
        throw io_error(path, fmt::format("{} has no mapping/index_pointers", where));
    }
    const h5::dataset pointers = h5::open_dataset(g.id(), pointers_name, path);
    h5::length_1d(pointers.id(), path);
    r.index_pointers = h5::read_all<std::uint64_t>(pointers.id(), H5T_NATIVE_UINT64, path);
    if (r.index_pointers.size() != r.node_ids.size() + 1 ||
        (!r.index_pointers.empty() && r.index_pointers.back() != r.n_columns)) {
        throw io_error(path, fmt::format("{}/{} does not match {} nodes and {} columns", where,
                                         pointers_name, r.node_ids.size(), r.n_columns));
    }

    if (h5::exists(g.id(), "mapping/element_ids", path)) {
        const h5::dataset elements = h5::open_dataset(g.id(), "mapping/element_ids", path);
        if (h5::length_1d(elements.id(), path) != r.n_columns) {
            throw io_error(path, fmt::format("{}/mapping/element_ids does not match {} columns",
                                             where, r.n_columns));
        }
        r.element_ids = h5::read_all<std::uint32_t>(elements.id(), H5T_NATIVE_UINT32, path);
    }

    const h5::dataset time = h5::open_dataset(g.id(), "mapping/time", path);
    if (h5::length_1d(time.id(), path) != 3) {
        throw io_error(path, fmt::format("{}/mapping/time must hold [start, stop, dt]", where));
    }
    const auto t = h5::read_all<double>(time.id(), H5T_NATIVE_DOUBLE, path);
    r.t_start_ms = t[0];
    r.t_stop_ms = t[1];
    r.dt_ms = t[2];
    return r;
}

} // namespace laminar::io
