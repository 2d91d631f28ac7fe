// Private helper of the subcommands: the command-line handling they share (a positional CONFIG,
// the config overrides --set/--seed/--tstop, usage errors that every rank raises alike).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

#include "laminar/app/commands.hpp"
#include "laminar/io/config.hpp"

namespace laminar::app {

/// Adds --set (repeatable), --seed and --tstop, which fill `over` once parsed.
void add_override_options(boost::program_options::options_description& opts, io::overrides& over);

/// Parses `laminar <command> CONFIG [options]`. Returns nothing after printing the help (rank
/// 0) for --help; throws usage_error (with the usage text) for bad options or a missing
/// CONFIG. Fills over.seed / over.tstop_ms when the options of add_override_options were given.
std::optional<boost::program_options::variables_map>
parse_config_command(const comm::context& ctx, const std::string& command,
                     const std::string& synopsis, const command_args& args,
                     const boost::program_options::options_description& opts,
                     std::string& config_file, io::overrides& over);

/// "usage: laminar <synopsis>" followed by the options.
std::string command_usage(const std::string& synopsis,
                          const boost::program_options::options_description& opts);

} // namespace laminar::app
