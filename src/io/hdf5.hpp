// Private RAII wrappers over the HDF5 C API (handles that close themselves, a check helper that
// turns HDF5 failures into io_error naming the file and the object) and the few helpers the
// SONATA readers and writers share. Not part of the public API.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <hdf5.h>
#include <mpi.h>

#include "laminar/core/error.hpp"

namespace laminar::io::h5 {

/// Turns off HDF5's automatic printing of its error stack (we report errors ourselves).
/// Cheap; called at every entry point into the HDF5 code.
void silence_errors() noexcept;

/// The most specific message on HDF5's error stack (empty if none); clears the stack.
std::string last_error_message();

/// Throws io_error{path, "<what> (HDF5: <detail>)"}.
[[noreturn]] void fail(const std::string& path, std::string_view what);

/// Returns rc if it is non-negative, else throws io_error naming `path` and `what` (the object
/// or operation, e.g. "cannot open dataset /spikes/v1/node_ids").
template <typename T>
T check(T rc, const std::string& path, std::string_view what) {
    if (rc < 0)
        fail(path, what);
    return rc;
}

/// A move-only owner of one HDF5 identifier, closed with Close.
template <herr_t (*Close)(hid_t)>
class handle {
public:
    handle() = default;
    explicit handle(hid_t id) noexcept : id_(id) {}
    ~handle() { reset(); }
    handle(handle&& o) noexcept : id_(std::exchange(o.id_, H5I_INVALID_HID)) {}
    handle& operator=(handle&& o) noexcept {
        if (this != &o) {
            reset();
            id_ = std::exchange(o.id_, H5I_INVALID_HID);
        }
        return *this;
    }
    handle(const handle&) = delete;
    handle& operator=(const handle&) = delete;

    hid_t id() const noexcept { return id_; }
    explicit operator bool() const noexcept { return id_ >= 0; }

    /// Gives up ownership without closing (used when MPI is already finalised).
    hid_t release() noexcept { return std::exchange(id_, H5I_INVALID_HID); }

    /// Closes now (errors ignored: used on the destruction path).
    void reset() noexcept {
        if (id_ >= 0)
            Close(id_);
        id_ = H5I_INVALID_HID;
    }

    /// Closes now and throws io_error if closing fails (collective closes report errors here).
    void close(const std::string& path, std::string_view what) {
        if (id_ < 0)
            return;
        const hid_t id = std::exchange(id_, H5I_INVALID_HID);
        check(Close(id), path, what);
    }

private:
    hid_t id_ = H5I_INVALID_HID;
};

using file = handle<H5Fclose>;
using group = handle<H5Gclose>;
using dataset = handle<H5Dclose>;
using dataspace = handle<H5Sclose>;
using plist = handle<H5Pclose>;
using attribute = handle<H5Aclose>;
using type = handle<H5Tclose>;

// ---- files ---------------------------------------------------------------------------------

/// Creates (truncates) a file for collective parallel access over `comm`.
file create_parallel(MPI_Comm comm, const std::string& path);

/// Opens an existing file read-only with the default (serial) driver. Throws a clear io_error
/// for a missing file and for a file that is not HDF5.
file open_read(const std::string& path);

/// A dataset-transfer property list with collective MPI-IO.
plist collective_transfer(const std::string& path);

// ---- objects -------------------------------------------------------------------------------

/// True if `name` (relative to loc, one or more path components) exists.
bool exists(hid_t loc, const std::string& name, const std::string& path);

group create_group(hid_t loc, const std::string& name, const std::string& path);
group open_group(hid_t loc, const std::string& name, const std::string& path);
dataset open_dataset(hid_t loc, const std::string& name, const std::string& path);

/// Names of the links in group `loc`, in name order; `what` names the group in messages.
std::vector<std::string> link_names(hid_t loc, const std::string& path, const std::string& what);

/// The HDF5 name of an object (e.g. "/spikes/v1"), for messages.
std::string object_name(hid_t obj);

/// Number of elements of a 1-D dataset; throws if the dataset is not 1-D.
std::uint64_t length_1d(hid_t dset, const std::string& path);

/// Dimensions of a dataset.
std::vector<hsize_t> dims(hid_t dset, const std::string& path);

/// Reads a whole 1-D or N-D dataset converting to the native memory type `mem_type`.
template <typename T>
std::vector<T> read_all(hid_t dset, hid_t mem_type, const std::string& path) {
    std::uint64_t n = 1;
    for (hsize_t d : dims(dset, path))
        n *= d;
    std::vector<T> out(n);
    if (n > 0) {
        check(H5Dread(dset, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()), path,
              "cannot read dataset " + object_name(dset));
    }
    return out;
}

// ---- attributes ----------------------------------------------------------------------------

/// Writes a scalar attribute of type `file_type` from memory of type `mem_type`.
void write_attribute(hid_t obj, const std::string& name, hid_t file_type, hid_t mem_type,
                     const void* value, const std::string& path);
/// Writes a 1-D attribute of n elements.
void write_attribute_1d(hid_t obj, const std::string& name, hid_t file_type, hid_t mem_type,
                        const void* values, hsize_t n, const std::string& path);
/// Writes a variable-length UTF-8 string attribute (what h5py writes and BMTK reads).
void write_string_attribute(hid_t obj, const std::string& name, const std::string& value,
                            const std::string& path);
/// Root `magic` (uint32 0x0A7A) and `version` (uint32[2] {0, 1}).
void write_sonata_header(hid_t file, const std::string& path);

/// Reads a string attribute (fixed or variable length; trailing NULs and blanks removed).
std::string read_string_attribute(hid_t attr, const std::string& path);

} // namespace laminar::io::h5
