// Subcommands of the laminar executable.
#pragma once

#include <string>
#include <vector>

#include "laminar/comm/context.hpp"

namespace laminar::app {

/// `laminar run CONFIG [options]`: returns the process exit code. Collective.
int run_command(const comm::context& ctx, const std::vector<std::string>& args);

/// Prints the top-level usage.
std::string usage();

} // namespace laminar::app
