// The HDF5 helpers behind the RAII wrappers: error reporting, opening files, attributes.
#include "io/hdf5.hpp"

#include <filesystem>
#include <system_error>

#include <fmt/format.h>

namespace laminar::io::h5 {

void silence_errors() noexcept {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}

namespace {
herr_t take_first(unsigned n, const H5E_error2_t* err, void* data) {
    auto* out = static_cast<std::string*>(data);
    if (n == 0 && err != nullptr && err->desc != nullptr)
        *out = err->desc;
    return 0;
}
} // namespace

std::string last_error_message() {
    std::string msg;
    // Upward: the first entry is where the error was detected, the most specific message.
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, take_first, &msg);
    H5Eclear2(H5E_DEFAULT);
    return msg;
}

void fail(const std::string& path, std::string_view what) {
    const std::string detail = last_error_message();
    if (detail.empty())
        throw io_error(path, std::string(what));
    throw io_error(path, fmt::format("{} (HDF5: {})", what, detail));
}

file create_parallel(MPI_Comm comm, const std::string& path) {
    silence_errors();
    plist fapl(check(H5Pcreate(H5P_FILE_ACCESS), path, "cannot create file access list"));
    check(H5Pset_fapl_mpio(fapl.id(), comm, MPI_INFO_NULL), path, "cannot select MPI-IO driver");
    check(H5Pset_coll_metadata_write(fapl.id(), 1), path, "cannot set collective metadata");
    return file(check(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.id()), path,
                      "cannot create file"));
}

file open_read(const std::string& path) {
    silence_errors();
    std::error_code ec;
    const auto status = std::filesystem::status(path, ec);
    if (!std::filesystem::exists(status))
        throw io_error(path, "no such file");
    if (std::filesystem::is_directory(status))
        throw io_error(path, "is a directory, not a file");
    const htri_t is_hdf5 = H5Fis_hdf5(path.c_str());
    check(is_hdf5, path, "cannot read file");
    if (is_hdf5 == 0)
        throw io_error(path, "not an HDF5 file");
    plist fapl(check(H5Pcreate(H5P_FILE_ACCESS), path, "cannot create file access list"));
    // Readers may run on file systems without locking (NFS, Lustre mounts): do not fail there.
    check(H5Pset_file_locking(fapl.id(), 1, 1), path, "cannot set file locking");
    return file(
        check(H5Fopen(path.c_str(), H5F_ACC_RDONLY, fapl.id()), path, "cannot open HDF5 file"));
}

plist collective_transfer(const std::string& path) {
    plist dxpl(check(H5Pcreate(H5P_DATASET_XFER), path, "cannot create transfer list"));
    check(H5Pset_dxpl_mpio(dxpl.id(), H5FD_MPIO_COLLECTIVE), path,
          "cannot select collective MPI-IO transfers");
    return dxpl;
}

bool exists(hid_t loc, const std::string& name, const std::string& path) {
    // H5Lexists fails (rather than returning false) when an intermediate link is missing, so
    // walk the components one by one.
    std::string prefix;
    std::size_t begin = 0;
    while (begin <= name.size()) {
        std::size_t end = name.find('/', begin);
        if (end == std::string::npos)
            end = name.size();
        if (end > begin) {
            if (!prefix.empty())
                prefix += '/';
            prefix += name.substr(begin, end - begin);
            const htri_t rc = H5Lexists(loc, prefix.c_str(), H5P_DEFAULT);
            check(rc, path, "cannot look up " + prefix);
            if (rc == 0)
                return false;
        }
        begin = end + 1;
    }
    return true;
}

group create_group(hid_t loc, const std::string& name, const std::string& path) {
    return group(check(H5Gcreate2(loc, name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), path,
                       "cannot create group " + name));
}

group open_group(hid_t loc, const std::string& name, const std::string& path) {
    return group(
        check(H5Gopen2(loc, name.c_str(), H5P_DEFAULT), path, "cannot open group " + name));
}

dataset open_dataset(hid_t loc, const std::string& name, const std::string& path) {
    return dataset(
        check(H5Dopen2(loc, name.c_str(), H5P_DEFAULT), path, "cannot open dataset " + name));
}

std::vector<std::string> link_names(hid_t loc, const std::string& path, const std::string& what) {
    H5G_info_t info;
    check(H5Gget_info(loc, &info), path, "cannot list " + what);
    std::vector<std::string> names;
    for (hsize_t i = 0; i < info.nlinks; ++i) {
        const ssize_t len = check(
            H5Lget_name_by_idx(loc, ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT),
            path, "cannot list " + what);
        std::string name(static_cast<std::size_t>(len) + 1, '\0');
        check(H5Lget_name_by_idx(loc, ".", H5_INDEX_NAME, H5_ITER_INC, i, name.data(), name.size(),
                                 H5P_DEFAULT),
              path, "cannot list " + what);
        name.resize(static_cast<std::size_t>(len));
        names.push_back(std::move(name));
    }
    return names;
}

std::string object_name(hid_t obj) {
    const ssize_t n = H5Iget_name(obj, nullptr, 0);
    if (n <= 0)
        return "?";
    std::string name(static_cast<std::size_t>(n) + 1, '\0');
    H5Iget_name(obj, name.data(), name.size());
    name.resize(static_cast<std::size_t>(n));
    return name;
}

std::vector<hsize_t> dims(hid_t dset, const std::string& path) {
    dataspace space(
        check(H5Dget_space(dset), path, "cannot get dataspace of " + object_name(dset)));
    const int rank = check(H5Sget_simple_extent_ndims(space.id()), path,
                           "cannot get rank of " + object_name(dset));
    std::vector<hsize_t> d(static_cast<std::size_t>(rank));
    check(H5Sget_simple_extent_dims(space.id(), d.data(), nullptr), path,
          "cannot get dimensions of " + object_name(dset));
    return d;
}

std::uint64_t length_1d(hid_t dset, const std::string& path) {
    const auto d = dims(dset, path);
    if (d.size() != 1) {
        throw io_error(path, fmt::format("dataset {} has {} dimensions, expected 1",
                                         object_name(dset), d.size()));
    }
    return d[0];
}

void write_attribute_1d(hid_t obj, const std::string& name, hid_t file_type, hid_t mem_type,
                        const void* values, hsize_t n, const std::string& path) {
    const std::string what = "attribute " + name + " of " + object_name(obj);
    dataspace space(check(H5Screate_simple(1, &n, nullptr), path, "cannot create dataspace"));
    attribute attr(
        check(H5Acreate2(obj, name.c_str(), file_type, space.id(), H5P_DEFAULT, H5P_DEFAULT), path,
              "cannot create " + what));
    check(H5Awrite(attr.id(), mem_type, values), path, "cannot write " + what);
    attr.close(path, "cannot close " + what);
}

void write_attribute(hid_t obj, const std::string& name, hid_t file_type, hid_t mem_type,
                     const void* value, const std::string& path) {
    const std::string what = "attribute " + name + " of " + object_name(obj);
    dataspace space(check(H5Screate(H5S_SCALAR), path, "cannot create dataspace"));
    attribute attr(
        check(H5Acreate2(obj, name.c_str(), file_type, space.id(), H5P_DEFAULT, H5P_DEFAULT), path,
              "cannot create " + what));
    check(H5Awrite(attr.id(), mem_type, value), path, "cannot write " + what);
    attr.close(path, "cannot close " + what);
}

void write_string_attribute(hid_t obj, const std::string& name, const std::string& value,
                            const std::string& path) {
    type str(check(H5Tcopy(H5T_C_S1), path, "cannot create string type"));
    check(H5Tset_size(str.id(), H5T_VARIABLE), path, "cannot create string type");
    check(H5Tset_cset(str.id(), H5T_CSET_UTF8), path, "cannot create string type");
    const char* p = value.c_str();
    write_attribute(obj, name, str.id(), str.id(), &p, path);
}

void write_sonata_header(hid_t file_id, const std::string& path) {
    const std::uint32_t magic = 0x0A7A;
    const std::uint32_t version[2] = {0, 1};
    write_attribute(file_id, "magic", H5T_STD_U32LE, H5T_NATIVE_UINT32, &magic, path);
    write_attribute_1d(file_id, "version", H5T_STD_U32LE, H5T_NATIVE_UINT32, version, 2, path);
}

std::string read_string_attribute(hid_t attr, const std::string& path) {
    const std::string what = "attribute of " + object_name(attr);
    type file_type(check(H5Aget_type(attr), path, "cannot get type of " + what));
    if (H5Tget_class(file_type.id()) != H5T_STRING)
        throw io_error(path, what + " is not a string");
    dataspace space(check(H5Aget_space(attr), path, "cannot get dataspace of " + what));
    const hssize_t n =
        check(H5Sget_simple_extent_npoints(space.id()), path, "cannot get size of " + what);
    if (n != 1)
        throw io_error(path, fmt::format("{} holds {} strings, expected 1", what, n));

    const htri_t variable =
        check(H5Tis_variable_str(file_type.id()), path, "cannot inspect " + what);
    type mem(check(H5Tcopy(H5T_C_S1), path, "cannot create string type"));
    check(H5Tset_cset(mem.id(), H5Tget_cset(file_type.id())), path, "cannot create string type");
    std::string out;
    if (variable > 0) {
        check(H5Tset_size(mem.id(), H5T_VARIABLE), path, "cannot create string type");
        char* p = nullptr;
        check(H5Aread(attr, mem.id(), &p), path, "cannot read " + what);
        if (p != nullptr) {
            out = p;
            H5free_memory(p);
        }
    } else {
        const std::size_t size = H5Tget_size(file_type.id());
        if (size == 0)
            throw io_error(path, "cannot get size of " + what);
        check(H5Tset_size(mem.id(), size), path, "cannot create string type");
        check(H5Tset_strpad(mem.id(), H5T_STR_NULLPAD), path, "cannot create string type");
        std::string buf(size, '\0');
        check(H5Aread(attr, mem.id(), buf.data()), path, "cannot read " + what);
        out = buf.substr(0, buf.find('\0'));
    }
    while (!out.empty() && (out.back() == ' ' || out.back() == '\0'))
        out.pop_back();
    return out;
}

} // namespace laminar::io::h5
