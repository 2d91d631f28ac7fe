// `laminar make-spikes CONFIG --source NAME --output FILE`: writes the spikes a `poisson` source
// would emit in `laminar run` of the same config (same seed, rates, window and tstop) to a SONATA
// spike file, so a run with that source replaced by a spike_file source gives identical spikes.
#include <algorithm>
#include <iostream>

#include <boost/program_options.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "app/commands/collectively.hpp"
#include "app/commands/command_line.hpp"
#include "laminar/app/commands.hpp"
#include "laminar/core/error.hpp"
#include "laminar/core/time.hpp"
#include "laminar/io/config.hpp"
#include "laminar/io/sonata_spikes.hpp"
#include "laminar/network/layout.hpp"
#include "laminar/sim/poisson_train.hpp"

namespace po = boost::program_options;

namespace laminar::app {

namespace {

/// The spikes of every cell of the poisson source, sorted by (time, node id).
io::spike_table poisson_spikes(const io::simulation_config& cfg, const io::source_config& src,
                               std::uint32_t block) {
    const double dt = cfg.run.dt_ms;
    const step_type last = ms_to_steps_ceil(cfg.run.tstop_ms, dt);
    std::vector<std::pair<double, std::uint64_t>> spikes;
    for (std::uint32_t i = 0; i < std::uint32_t(src.size); ++i) {
        const double rate = src.rates_hz.size() == 1 ? src.rates_hz[0] : src.rates_hz[i];
        sim::poisson_train train(cfg.run.seed, block, i, rate, src.start_ms, src.stop_ms);
        // The engine emits a spike when its stamp is reached, at most at step `last`.
        for (double t = train.next(); !std::isinf(t) && spike_time_to_stamp(t, dt) <= last;
             t = train.next()) {
            spikes.emplace_back(t, i);
        }
    }
    std::sort(spikes.begin(), spikes.end());
    io::spike_table table;
    table.timestamps.reserve(spikes.size());
    table.node_ids.reserve(spikes.size());
    for (const auto& [t, i] : spikes) {
        table.timestamps.push_back(t);
        table.node_ids.push_back(i);
    }
    return table;
}

} // namespace

int make_spikes_command(const comm::context& ctx, const command_args& args) {
    po::options_description opts("make-spikes options");
    io::overrides over;
    std::string config_file, source, output, population;
    opts.add_options()("help,h", "show this help")("source", po::value<std::string>(&source),
                                                   "the poisson source whose spikes to write")(
        "output,o", po::value<std::string>(&output), "the SONATA spike file to write")(
        "population", po::value<std::string>(&population),
        "population name inside the file (default: the source's name)");
    add_override_options(opts, over);
    const std::string synopsis =
        "make-spikes CONFIG.yaml --source NAME --output FILE.h5 [options]\n\n"
        "Writes the spike trains of the poisson source NAME, exactly as 'laminar run' of the\n"
        "same config draws them, to a SONATA spike file.";
    if (!parse_config_command(ctx, "make-spikes", synopsis, args, opts, config_file, over))
        return 0;
    for (const auto& [value, what] : {std::pair{&source, "--source NAME is required"},
                                      std::pair{&output, "--output FILE is required"}}) {
        if (value->empty()) {
            throw usage_error(
                fmt::format("laminar make-spikes: {}\n{}", what, command_usage(synopsis, opts)));
        }
    }
    if (population.empty())
        population = source;

    io::simulation_config cfg;
    io::spike_table table;
    run_collectively(ctx, [&] {
        cfg = io::load_config(config_file, over);
        const auto* src = cfg.find_source(source);
        if (src == nullptr || src->kind != io::source_kind::poisson) {
            std::vector<std::string> names;
            for (const auto& s : cfg.sources) {
                if (s.kind == io::source_kind::poisson)
                    names.push_back(s.name);
            }
            std::string known;
            for (const auto& n : names)
                known += (known.empty() ? "" : ", ") + n;
            throw config_error(cfg.path.string(), 0, "--source",
                               fmt::format("{}; poisson sources: {}",
                                           src == nullptr
                                               ? fmt::format("unknown source '{}'", source)
                                               : fmt::format("source '{}' is not of type "
                                                             "poisson",
                                                             source),
                                           known.empty() ? "none" : known));
        }
        if (ctx.rank() == 0) {
            const network::layout lay(cfg, 0, 1);
            table = poisson_spikes(cfg, *src, std::uint32_t(lay.find_block(source)));
        }
    });
    // Collective: rank 0 holds every spike, the others an empty share.
    run_collectively(ctx, [&] {
        io::spike_writer writer(ctx.comm(), output, {population});
        writer.append({table});
        writer.close();
    });
    if (ctx.rank() == 0) {
        spdlog::info("wrote {} spikes of '{}' ({} cells, seed {}, tstop {} ms) to {}",
                     table.node_ids.size(), source, cfg.find_source(source)->size, cfg.run.seed,
                     cfg.run.tstop_ms, output);
    }
    return 0;
}

} // namespace laminar::app
