// The table of subcommands and the top-level usage.
#include <sstream>

#include <fmt/format.h>

#include "laminar/app/commands.hpp"

namespace laminar::app {

const std::vector<command>& commands() {
    static const std::vector<command> table = {
        {"run", "build and simulate a network from a YAML config", run_command},
        {"analyze", "figures, tables and statistics of one or more runs", analyze_command},
        {"make-spikes", "write a poisson source's spikes to a SONATA spike file",
         make_spikes_command},
        {"compare", "rate statistics of runs against a baseline (CSV, Markdown)", compare_command},
    };
    return table;
}

std::string usage() {
    std::ostringstream os;
    os << "usage: laminar <command> [options]\n\ncommands:\n";
    for (const auto& c : commands())
        os << fmt::format("  {:<12} {}\n", c.name, c.summary);
    os << "\n'laminar <command> --help' describes a command.\n\noptions:\n"
          "  -h, --help     this help\n"
          "  --version      version and git hash\n";
    return os.str();
}

} // namespace laminar::app
