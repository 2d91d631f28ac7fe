// `laminar compare RUN_DIR... --output DIR`: per-population rate statistics of finished runs
// against the first (the baseline), as rates.csv and rates.md. Rank 0 reads and writes; every
// rank exits with the same code.
#include <fstream>
#include <iostream>

#include <boost/program_options.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "app/commands/collectively.hpp"
#include "laminar/analysis/rates.hpp"
#include "laminar/app/commands.hpp"
#include "laminar/core/error.hpp"

namespace po = boost::program_options;

namespace laminar::app {

namespace {
std::string compare_usage(const po::options_description& opts) {
    std::ostringstream os;
    os << "usage: laminar compare BASELINE_DIR RUN_DIR... --output DIR\n\n"
          "Reads spikes.h5 and summary.json of each run folder and writes DIR/rates.csv and\n"
          "DIR/rates.md: per run and population the mean and median rate, the fraction of\n"
          "silent cells, the maximum, and the change of the mean versus the first folder.\n\n"
       << opts;
    return os.str();
}
} // namespace

int compare_command(const comm::context& ctx, const command_args& args) {
    po::options_description opts("compare options");
    std::string output;
    std::vector<std::string> dirs;
    opts.add_options()("help,h", "show this help")("output,o", po::value<std::string>(&output),
                                                   "folder for rates.csv and rates.md");
    po::options_description hidden;
    hidden.add_options()("runs", po::value<std::vector<std::string>>(&dirs));
    po::options_description all;
    all.add(opts).add(hidden);
    po::positional_options_description pos;
    pos.add("runs", -1);
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(args).options(all).positional(pos).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        throw usage_error(fmt::format("laminar compare: {}\n{}", e.what(), compare_usage(opts)));
    }
    if (vm.count("help")) {
        if (ctx.rank() == 0)
            std::cout << compare_usage(opts);
        return 0;
    }
    if (dirs.empty())
        throw usage_error(fmt::format("laminar compare: no run folders given (the first is the "
                                      "baseline)\n{}",
                                      compare_usage(opts)));
    if (output.empty())
        throw usage_error(
            fmt::format("laminar compare: --output DIR is required\n{}", compare_usage(opts)));

    run_collectively(ctx, [&] {
        if (ctx.rank() != 0)
            return;
        std::vector<analysis::run_rates> runs;
        for (const auto& d : dirs)
            runs.push_back(analysis::read_run_rates(d));
        std::error_code ec;
        std::filesystem::create_directories(output, ec);
        if (ec)
            throw io_error(output, "cannot create output folder: " + ec.message());
        const auto csv = std::filesystem::path(output) / "rates.csv";
        const auto md = std::filesystem::path(output) / "rates.md";
        std::ofstream c(csv);
        analysis::write_comparison_csv(c, runs);
        if (!c)
            throw io_error(csv.string(), "cannot write");
        std::ofstream m(md);
        analysis::write_comparison_markdown(m, runs);
        if (!m)
            throw io_error(md.string(), "cannot write");
        spdlog::info("compared {} run(s) against '{}': {} and {}", runs.size(), runs.front().label,
                     csv.string(), md.string());
    });
    return 0;
}

} // namespace laminar::app
