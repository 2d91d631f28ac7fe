// The SONATA nodes file of a run (nodes.h5): one node population per simulated population and
// spike-emitting source, with positions when the config gives them. Analysis reads it for cell
// positions and population sizes; other SONATA tools can load it as a circuit.
#pragma once

#include <filesystem>

#include "laminar/io/config.hpp"

namespace laminar::io {

/// Writes /nodes/<pop>/{node_id, node_type_id (0), node_group_id (0), node_group_index
/// (0..n-1)} and /nodes/<pop>/0/{x, y, z} (µm, when the population has positions), with the
/// attributes model_type ("point_neuron" or "virtual"), laminar_kind, laminar_model and
/// first_gid on each population group. Positions are computed as the engine computes them
/// (network::make_positions, stream id = the block's index in network::layout). Serial: call
/// on one rank. Throws io_error naming the file.
void write_nodes(const simulation_config& cfg, const std::filesystem::path& file);

} // namespace laminar::io
