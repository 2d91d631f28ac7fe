// Writes the SONATA nodes file of a run from the config alone (no engine state needed).
#include "laminar/io/sonata_nodes.hpp"

#include <cstdint>
#include <numeric>
#include <string>
#include <vector>

#include "io/hdf5.hpp"
#include "laminar/network/layout.hpp"
#include "laminar/network/positions.hpp"

namespace laminar::io {

namespace {

/// Writes a contiguous 1-D dataset of n values.
void write_1d(hid_t loc, const std::string& name, hid_t file_type, hid_t mem_type,
              const void* values, hsize_t n, const std::string& path) {
    const std::string what = "dataset " + h5::object_name(loc) + "/" + name;
    h5::dataspace space(
        h5::check(H5Screate_simple(1, &n, nullptr), path, "cannot create dataspace"));
    h5::dataset dset(h5::check(
        H5Dcreate2(loc, name.c_str(), file_type, space.id(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
        path, "cannot create " + what));
    if (n > 0) {
        h5::check(H5Dwrite(dset.id(), mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values), path,
                  "cannot write " + what);
    }
    dset.close(path, "cannot close " + what);
}

/// The config's source type of a block (poisson_generator sources have no cells, so no block).
const char* kind_name(network::cell_kind k) {
    switch (k) {
    case network::cell_kind::neuron:
        return "neuron";
    case network::cell_kind::poisson_source:
        return "poisson";
    case network::cell_kind::file_source:
        return "spike_file";
    case network::cell_kind::netstim_source:
        return "netstim";
    }
    return "unknown";
}

} // namespace

void write_nodes(const simulation_config& cfg, const std::filesystem::path& file) {
    const std::string path = file.string();
    h5::silence_errors();
    h5::file f(h5::check(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), path,
                         "cannot create nodes file"));
    h5::write_sonata_header(f.id(), path);
    h5::group nodes = h5::create_group(f.id(), "nodes", path);

    const network::layout lay(cfg, 0, 1);
    std::vector<std::uint64_t> ids;
    std::vector<std::uint32_t> zeros32;
    std::vector<double> coord;
    for (std::size_t b = 0; b < lay.blocks().size(); ++b) {
        const auto& blk = lay.blocks()[b];
        const bool neuron = blk.kind == network::cell_kind::neuron;
        const auto& pc = neuron ? cfg.populations[blk.config_index].positions
                                : cfg.sources[blk.config_index].positions;
        const hsize_t n = blk.size;

        h5::group pop = h5::create_group(nodes.id(), blk.name, path);
        h5::write_string_attribute(pop.id(), "model_type", neuron ? "point_neuron" : "virtual",
                                   path);
        h5::write_string_attribute(pop.id(), "laminar_kind", kind_name(blk.kind), path);
        h5::write_string_attribute(pop.id(), "laminar_model",
                                   neuron ? cfg.populations[blk.config_index].model : "", path);
        const std::uint64_t first = blk.first;
        h5::write_attribute(pop.id(), "first_gid", H5T_STD_U64LE, H5T_NATIVE_UINT64, &first, path);

        ids.resize(n);
        std::iota(ids.begin(), ids.end(), std::uint64_t(0));
        zeros32.assign(n, 0);
        write_1d(pop.id(), "node_id", H5T_STD_U64LE, H5T_NATIVE_UINT64, ids.data(), n, path);
        write_1d(pop.id(), "node_group_index", H5T_STD_U64LE, H5T_NATIVE_UINT64, ids.data(), n,
                 path);
        write_1d(pop.id(), "node_group_id", H5T_STD_U32LE, H5T_NATIVE_UINT32, zeros32.data(), n,
                 path);
        write_1d(pop.id(), "node_type_id", H5T_STD_U32LE, H5T_NATIVE_UINT32, zeros32.data(), n,
                 path);

        h5::group g0 = h5::create_group(pop.id(), "0", path);
        const auto pos = network::make_positions(pc, cfg.run.seed, std::uint32_t(b), blk.size);
        if (!pos.empty()) {
            coord.resize(pos.size());
            for (int axis = 0; axis < 3; ++axis) {
                for (std::size_t i = 0; i < pos.size(); ++i)
                    coord[i] = pos[i][std::size_t(axis)];
                const char* name = axis == 0 ? "x" : axis == 1 ? "y" : "z";
                write_1d(g0.id(), name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, coord.data(),
                         hsize_t(pos.size()), path);
            }
        }
        g0.close(path, "cannot close group " + blk.name + "/0");
        pop.close(path, "cannot close group " + blk.name);
    }
    nodes.close(path, "cannot close group /nodes");
    f.close(path, "cannot close nodes file");
}

} // namespace laminar::io
