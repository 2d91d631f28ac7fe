// Subcommands of the laminar executable. Each takes the arguments after its name and returns
// the process exit code; every rank calls it (collective where it says so).
#pragma once

#include <string>
#include <vector>

#include "laminar/comm/context.hpp"

namespace laminar::app {

using command_args = std::vector<std::string>;

/// `laminar run CONFIG [options]`: build, simulate and write the outputs. Collective.
int run_command(const comm::context& ctx, const command_args& args);

/// `laminar analyze RUN_DIR... [options]`: figures, tables and statistics of finished runs
/// (Python on rank 0; the other ranks wait for its exit code). Collective.
int analyze_command(const comm::context& ctx, const command_args& args);

/// `laminar make-spikes CONFIG --source NAME --output FILE`: the spikes a poisson source emits
/// in `run`, written to a SONATA spike file. Collective.
int make_spikes_command(const comm::context& ctx, const command_args& args);

/// `laminar compare BASELINE RUN... --output DIR`: per-population rate tables of finished runs
/// against the baseline (rates.csv, rates.md). Collective.
int compare_command(const comm::context& ctx, const command_args& args);

struct command {
    const char* name;
    const char* summary;
    int (*main)(const comm::context&, const command_args&);
};

/// Every subcommand, in the order `laminar --help` lists them. Adding one: declare its
/// function above and add a line in src/app/commands/registry.cpp.
const std::vector<command>& commands();

/// The top-level usage text.
std::string usage();

} // namespace laminar::app
