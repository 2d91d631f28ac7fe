// SONATA spike files: the collective appending writer (parallel HDF5, MPI-IO) and the serial
// reader for our files, libsonata's and BMTK's (new and old layouts).
#include "laminar/io/sonata_spikes.hpp"

#include <array>
#include <numeric>

#include <fmt/format.h>

#include "io/hdf5.hpp"
#include "laminar/core/error.hpp"

namespace laminar::io {

namespace {

// 64 Ki elements per chunk: 512 KiB of float64, large enough for efficient MPI-IO, small
// enough not to bloat files of small runs.
constexpr hsize_t chunk_elements = 64 * 1024;

enum class sorting : std::uint8_t { none = 0, by_id = 1, by_time = 2 };

h5::type sorting_enum_type(const std::string& path) {
    h5::type t(h5::check(H5Tenum_create(H5T_NATIVE_UINT8), path, "cannot create enum type"));
    const std::array<std::pair<const char*, sorting>, 3> values{
        {{"none", sorting::none}, {"by_id", sorting::by_id}, {"by_time", sorting::by_time}}};
    for (const auto& [name, value] : values) {
        const auto v = static_cast<std::uint8_t>(value);
        h5::check(H5Tenum_insert(t.id(), name, &v), path, "cannot create enum type");
    }
    return t;
}

h5::dataset create_extendable_1d(hid_t loc, const std::string& name, hid_t file_type,
                                 const std::string& path) {
    const hsize_t zero = 0;
    const hsize_t unlimited = H5S_UNLIMITED;
    h5::dataspace space(
        h5::check(H5Screate_simple(1, &zero, &unlimited), path, "cannot create dataspace"));
    h5::plist dcpl(h5::check(H5Pcreate(H5P_DATASET_CREATE), path, "cannot create property list"));
    h5::check(H5Pset_chunk(dcpl.id(), 1, &chunk_elements), path, "cannot set chunking of " + name);
    // Every element is written before the file is closed: skip fill values.
    h5::check(H5Pset_fill_time(dcpl.id(), H5D_FILL_TIME_NEVER), path,
              "cannot set fill time of " + name);
    return h5::dataset(h5::check(
        H5Dcreate2(loc, name.c_str(), file_type, space.id(), H5P_DEFAULT, dcpl.id(), H5P_DEFAULT),
        path, "cannot create dataset " + name));
}

/// Collective write of `count` elements at `offset` of a 1-D dataset; count may be 0.
void write_1d(hid_t dset, hid_t mem_type, const void* data, hsize_t offset, hsize_t count,
              hid_t dxpl, const std::string& path) {
    const std::string what = h5::object_name(dset);
    h5::dataspace file_space(
        h5::check(H5Dget_space(dset), path, "cannot get dataspace of " + what));
    const hsize_t one = 1;
    h5::dataspace mem_space(h5::check(H5Screate_simple(1, count > 0 ? &count : &one, nullptr), path,
                                      "cannot create dataspace"));
    static const double dummy = 0;
    if (count > 0) {
        h5::check(
            H5Sselect_hyperslab(file_space.id(), H5S_SELECT_SET, &offset, nullptr, &count, nullptr),
            path, "cannot select in " + what);
    } else {
        // Ranks with nothing to write still take part in the collective write.
        h5::check(H5Sselect_none(file_space.id()), path, "cannot select in " + what);
        h5::check(H5Sselect_none(mem_space.id()), path, "cannot select in " + what);
        data = &dummy;
    }
    h5::check(H5Dwrite(dset, mem_type, mem_space.id(), file_space.id(), dxpl, data), path,
              "cannot write " + what);
}

void check_mpi(int rc, const std::string& path, const char* call) {
    if (rc != MPI_SUCCESS)
        throw io_error(path, fmt::format("{} failed (error {})", call, rc));
}

bool valid_population_name(const std::string& name) {
    return !name.empty() && name != "." && name.find('/') == std::string::npos;
}

} // namespace

// ---- writer --------------------------------------------------------------------------------

struct spike_writer::impl {
    struct population {
        std::string name;
        h5::group group;
        h5::dataset timestamps;
        h5::dataset node_ids;
        hsize_t size = 0; // elements written so far, equal on every rank
    };

    std::string path;
    MPI_Comm comm = MPI_COMM_NULL; // our duplicate: our collectives never mix with the caller's
    int rank = 0;
    int size = 1;
    // Declared before the objects inside it, so that they are closed first: the MPI-IO driver
    // refuses to close a file with open objects.
    h5::file file;
    h5::plist dxpl;
    std::vector<population> populations;
    bool closed = false;

    ~impl() {
        int finalized = 0;
        MPI_Finalized(&finalized);
        if (finalized) {
            // Nothing can be closed any more; leak rather than call into a dead MPI.
            for (auto& p : populations) {
                p.timestamps.release();
                p.node_ids.release();
                p.group.release();
            }
            dxpl.release();
            file.release();
            return;
        }
        populations.clear();
        dxpl.reset();
        file.reset();
        if (comm != MPI_COMM_NULL)
            MPI_Comm_free(&comm);
    }
};

spike_writer::spike_writer(MPI_Comm comm, const std::filesystem::path& file,
                           const std::vector<std::string>& populations)
    : impl_(std::make_unique<impl>()) {
    auto& m = *impl_;
    m.path = file.string();
    h5::silence_errors();
    for (std::size_t i = 0; i < populations.size(); ++i) {
        if (!valid_population_name(populations[i])) {
            throw io_error(m.path, fmt::format("invalid population name '{}'", populations[i]));
        }
        for (std::size_t j = 0; j < i; ++j) {
            if (populations[j] == populations[i]) {
                throw io_error(m.path, fmt::format("population '{}' given twice", populations[i]));
            }
        }
    }
    check_mpi(MPI_Comm_dup(comm, &m.comm), m.path, "MPI_Comm_dup");
    check_mpi(MPI_Comm_rank(m.comm, &m.rank), m.path, "MPI_Comm_rank");
    check_mpi(MPI_Comm_size(m.comm, &m.size), m.path, "MPI_Comm_size");

    m.file = h5::create_parallel(m.comm, m.path);
    m.dxpl = h5::collective_transfer(m.path);
    h5::write_sonata_header(m.file.id(), m.path);
    h5::group spikes = h5::create_group(m.file.id(), "spikes", m.path);
    const h5::type sorting_type = sorting_enum_type(m.path);
    const auto by_time = static_cast<std::uint8_t>(sorting::by_time);
    for (const auto& name : populations) {
        impl::population p;
        p.name = name;
        p.group = h5::create_group(spikes.id(), name, m.path);
        h5::write_attribute(p.group.id(), "sorting", sorting_type.id(), sorting_type.id(), &by_time,
                            m.path);
        p.timestamps = create_extendable_1d(p.group.id(), "timestamps", H5T_IEEE_F64LE, m.path);
        h5::write_string_attribute(p.timestamps.id(), "units", "ms", m.path);
        p.node_ids = create_extendable_1d(p.group.id(), "node_ids", H5T_STD_U64LE, m.path);
        m.populations.push_back(std::move(p));
    }
    spikes.close(m.path, "cannot close group /spikes");
}

spike_writer::~spike_writer() {
    if (!impl_ || impl_->closed)
        return;
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (finalized)
        return;
    try {
        close();
    } catch (...) {
        // A destructor must not throw; call close() to see errors.
    }
}

void spike_writer::append(const std::vector<spike_table>& per_population) {
    auto& m = *impl_;
    if (m.closed)
        throw io_error(m.path, "append to a closed spike writer");
    h5::silence_errors();
    const std::size_t n_pop = m.populations.size();
    const std::size_t stride = n_pop + 1;

    // One allgather carries every population's count and an error flag, so that a bad call on
    // one rank makes every rank throw instead of leaving the others in a collective.
    std::string local_error;
    std::vector<std::uint64_t> local(stride, 0);
    if (per_population.size() != n_pop) {
        local_error = fmt::format("append got {} spike tables for {} populations",
                                  per_population.size(), n_pop);
    } else {
        for (std::size_t i = 0; i < n_pop; ++i) {
            const auto& t = per_population[i];
            if (t.node_ids.size() != t.timestamps.size()) {
                local_error =
                    fmt::format("population {}: {} node_ids but {} timestamps",
                                m.populations[i].name, t.node_ids.size(), t.timestamps.size());
                break;
            }
            local[i] = t.node_ids.size();
        }
    }
    local[n_pop] = local_error.empty() ? 0 : 1;
    std::vector<std::uint64_t> all(stride * static_cast<std::size_t>(m.size));
    check_mpi(MPI_Allgather(local.data(), static_cast<int>(stride), MPI_UINT64_T, all.data(),
                            static_cast<int>(stride), MPI_UINT64_T, m.comm),
              m.path, "MPI_Allgather");
    for (int r = 0; r < m.size; ++r) {
        if (all[static_cast<std::size_t>(r) * stride + n_pop] == 0)
            continue;
        if (r == m.rank)
            throw io_error(m.path, local_error);
        throw io_error(m.path, fmt::format("invalid spikes passed to append on rank {}", r));
    }

    for (std::size_t i = 0; i < n_pop; ++i) {
        hsize_t before = 0; // elements of lower ranks in this call
        hsize_t total = 0;
        for (int r = 0; r < m.size; ++r) {
            const hsize_t n = all[static_cast<std::size_t>(r) * stride + i];
            if (r < m.rank)
                before += n;
            total += n;
        }
        if (total == 0)
            continue; // same decision on every rank
        auto& p = m.populations[i];
        const hsize_t new_size = p.size + total;
        const std::string what = "/spikes/" + p.name;
        h5::check(H5Dset_extent(p.timestamps.id(), &new_size), m.path,
                  "cannot extend " + what + "/timestamps");
        h5::check(H5Dset_extent(p.node_ids.id(), &new_size), m.path,
                  "cannot extend " + what + "/node_ids");
        const auto& t = per_population[i];
        const hsize_t offset = p.size + before;
        const hsize_t count = t.node_ids.size();
        write_1d(p.timestamps.id(), H5T_NATIVE_DOUBLE, t.timestamps.data(), offset, count,
                 m.dxpl.id(), m.path);
        write_1d(p.node_ids.id(), H5T_NATIVE_UINT64, t.node_ids.data(), offset, count, m.dxpl.id(),
                 m.path);
        p.size = new_size;
    }
    // Collective: what was appended is on disk and readable even if the run stops early.
    if (H5Fflush(m.file.id(), H5F_SCOPE_GLOBAL) < 0)
        throw io_error(m.path, "cannot flush the spike file");
}

void spike_writer::close() {
    auto& m = *impl_;
    if (m.closed)
        return;
    m.closed = true;
    h5::silence_errors();
    for (auto& p : m.populations) {
        const std::string what = "/spikes/" + p.name;
        p.timestamps.close(m.path, "cannot close " + what + "/timestamps");
        p.node_ids.close(m.path, "cannot close " + what + "/node_ids");
        p.group.close(m.path, "cannot close " + what);
    }
    m.dxpl.close(m.path, "cannot close transfer property list");
    m.file.close(m.path, "cannot close file");
    check_mpi(MPI_Comm_free(&m.comm), m.path, "MPI_Comm_free");
}

// ---- reader --------------------------------------------------------------------------------

namespace {

const std::string spikes_group = "spikes";

spike_table read_table(hid_t loc, const std::string& where, const char* ids_name,
                       const std::string& path) {
    const h5::dataset ids = h5::open_dataset(loc, ids_name, path);
    const h5::dataset ts = h5::open_dataset(loc, "timestamps", path);
    const std::uint64_t n_ids = h5::length_1d(ids.id(), path);
    const std::uint64_t n_ts = h5::length_1d(ts.id(), path);
    if (n_ids != n_ts) {
        throw io_error(path, fmt::format("{}: {} has {} elements but timestamps has {}", where,
                                         ids_name, n_ids, n_ts));
    }

    const h5::type ids_type(h5::check(H5Dget_type(ids.id()), path, "cannot get type of " + where));
    if (H5Tget_class(ids_type.id()) != H5T_INTEGER) {
        throw io_error(path, fmt::format("{}/{} is not an integer dataset", where, ids_name));
    }
    spike_table t;
    if (H5Tget_sign(ids_type.id()) == H5T_SGN_2) {
        // BMTK writes int64 node ids: read signed, reject negatives rather than wrap them.
        const auto signed_ids = h5::read_all<std::int64_t>(ids.id(), H5T_NATIVE_INT64, path);
        t.node_ids.reserve(signed_ids.size());
        for (const std::int64_t id : signed_ids) {
            if (id < 0) {
                throw io_error(path,
                               fmt::format("{}/{} holds a negative id ({})", where, ids_name, id));
            }
            t.node_ids.push_back(static_cast<std::uint64_t>(id));
        }
    } else {
        t.node_ids = h5::read_all<std::uint64_t>(ids.id(), H5T_NATIVE_UINT64, path);
    }

    const h5::type ts_type(h5::check(H5Dget_type(ts.id()), path, "cannot get type of " + where));
    const H5T_class_t ts_class = H5Tget_class(ts_type.id());
    if (ts_class != H5T_FLOAT && ts_class != H5T_INTEGER) {
        throw io_error(path, fmt::format("{}/timestamps is not numeric", where));
    }
    t.timestamps = h5::read_all<double>(ts.id(), H5T_NATIVE_DOUBLE, path);
    return t;
}

bool is_group(hid_t loc, const std::string& name, const std::string& path) {
    const hid_t obj =
        h5::check(H5Oopen(loc, name.c_str(), H5P_DEFAULT), path, "cannot open object " + name);
    const H5I_type_t kind = H5Iget_type(obj);
    H5Oclose(obj);
    return kind == H5I_GROUP;
}

h5::group open_spikes(hid_t file, const std::string& path) {
    if (!h5::exists(file, spikes_group, path) || !is_group(file, spikes_group, path)) {
        throw io_error(path, "no /spikes group: not a SONATA spike file");
    }
    return h5::open_group(file, spikes_group, path);
}

bool has_old_layout(hid_t spikes, const std::string& path) {
    return h5::exists(spikes, "gids", path) && h5::exists(spikes, "timestamps", path) &&
           !is_group(spikes, "gids", path);
}

} // namespace

std::vector<std::pair<std::string, spike_table>>
read_spike_file(const std::filesystem::path& file, const std::string& old_layout_name) {
    const std::string path = file.string();
    const h5::file f = h5::open_read(path);
    const h5::group spikes = open_spikes(f.id(), path);

    std::vector<std::pair<std::string, spike_table>> out;
    for (const auto& name : h5::link_names(spikes.id(), path, "/spikes")) {
        if (!is_group(spikes.id(), name, path))
            continue; // old-layout datasets, handled below
        const h5::group pop = h5::open_group(spikes.id(), name, path);
        const char* ids_name = h5::exists(pop.id(), "node_ids", path) ? "node_ids" : "gids";
        if (!h5::exists(pop.id(), ids_name, path) || !h5::exists(pop.id(), "timestamps", path)) {
            throw io_error(path,
                           fmt::format("/spikes/{} lacks node_ids or timestamps datasets", name));
        }
        out.emplace_back(name, read_table(pop.id(), "/spikes/" + name, ids_name, path));
    }
    if (has_old_layout(spikes.id(), path)) {
        out.emplace_back(old_layout_name, read_table(spikes.id(), "/spikes", "gids", path));
    }
    return out;
}

std::string read_spike_sorting(const std::filesystem::path& file, const std::string& population) {
    const std::string path = file.string();
    const h5::file f = h5::open_read(path);
    const h5::group spikes = open_spikes(f.id(), path);
    h5::group loc;
    if (valid_population_name(population) && h5::exists(spikes.id(), population, path) &&
        is_group(spikes.id(), population, path)) {
        loc = h5::open_group(spikes.id(), population, path);
    } else if (has_old_layout(spikes.id(), path)) {
        // Old layout: one unnamed population, `sorting` on /spikes itself.
        loc = h5::open_group(f.id(), spikes_group, path);
    } else {
        throw io_error(path, fmt::format("no spike population '{}'", population));
    }

    const htri_t has = h5::check(H5Aexists(loc.id(), "sorting"), path, "cannot look up sorting");
    if (has == 0)
        return "";
    const h5::attribute attr(h5::check(H5Aopen(loc.id(), "sorting", H5P_DEFAULT), path,
                                       "cannot open attribute sorting"));
    const h5::type t(h5::check(H5Aget_type(attr.id()), path, "cannot get type of sorting"));
    const H5T_class_t cls = H5Tget_class(t.id());
    if (cls == H5T_STRING)
        return h5::read_string_attribute(attr.id(), path);
    if (cls == H5T_ENUM) {
        const h5::type native(h5::check(H5Tget_native_type(t.id(), H5T_DIR_ASCEND), path,
                                        "cannot get type of sorting"));
        std::array<unsigned char, 16> value{};
        if (H5Tget_size(native.id()) > value.size()) {
            throw io_error(path, "attribute sorting has an enum type too large");
        }
        h5::check(H5Aread(attr.id(), native.id(), value.data()), path, "cannot read sorting");
        std::array<char, 64> name{};
        h5::check(H5Tenum_nameof(native.id(), value.data(), name.data(), name.size()), path,
                  "attribute sorting holds a value outside its enum");
        return name.data();
    }
    if (cls == H5T_INTEGER) {
        std::int64_t v = 0;
        h5::check(H5Aread(attr.id(), H5T_NATIVE_INT64, &v), path, "cannot read sorting");
        switch (v) {
        case 0:
            return "none";
        case 1:
            return "by_id";
        case 2:
            return "by_time";
        default:
            return std::to_string(v);
        }
    }
    throw io_error(path, "attribute sorting is neither an enum nor a string");
}

} // namespace laminar::io
