// Shared command-line handling of the subcommands.
#include "app/commands/command_line.hpp"

#include <iostream>
#include <sstream>

#include <fmt/format.h>

#include "laminar/core/error.hpp"

namespace po = boost::program_options;

namespace laminar::app {

void add_override_options(po::options_description& opts, io::overrides& over) {
    opts.add_options()("set", po::value<std::vector<std::string>>(&over.set)->composing(),
                       "override a config key: --set key.path=value (repeatable)")(
        "seed", po::value<std::uint64_t>(), "random seed (overrides run.seed)")(
        "tstop", po::value<double>(), "simulated time in ms (overrides run.tstop)");
}

std::string command_usage(const std::string& synopsis, const po::options_description& opts) {
    std::ostringstream os;
    os << "usage: laminar " << synopsis << "\n\n" << opts;
    return os.str();
}

std::optional<po::variables_map>
parse_config_command(const comm::context& ctx, const std::string& command,
                     const std::string& synopsis, const command_args& args,
                     const po::options_description& opts, std::string& config_file,
                     io::overrides& over) {
    po::options_description hidden;
    hidden.add_options()("config", po::value<std::string>(&config_file));
    po::options_description all;
    all.add(opts).add(hidden);
    po::positional_options_description pos;
    pos.add("config", 1);
    po::variables_map vm;
    // Every rank parses the same command line, so every rank throws the same usage_error.
    try {
        po::store(po::command_line_parser(args).options(all).positional(pos).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        throw usage_error(
            fmt::format("laminar {}: {}\n{}", command, e.what(), command_usage(synopsis, opts)));
    }
    if (vm.count("help")) {
        if (ctx.rank() == 0)
            std::cout << command_usage(synopsis, opts);
        return std::nullopt;
    }
    if (config_file.empty()) {
        throw usage_error(
            fmt::format("laminar {}: no CONFIG given\n{}", command, command_usage(synopsis, opts)));
    }
    if (vm.count("seed"))
        over.seed = vm["seed"].as<std::uint64_t>();
    if (vm.count("tstop"))
        over.tstop_ms = vm["tstop"].as<double>();
    return vm;
}

} // namespace laminar::app
