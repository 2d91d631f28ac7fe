// `laminar run`: load a config, build, simulate, write spikes, traces and the summary.
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <thread>

#include <boost/program_options.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <omp.h>
#include <spdlog/spdlog.h>

#include "app/commands/collectively.hpp"
#include "app/commands/command_line.hpp"
#include "laminar/analysis/rates.hpp"
#include "laminar/app/commands.hpp"
#include "laminar/core/error.hpp"
#include "laminar/io/config.hpp"
#include "laminar/io/sonata_nodes.hpp"
#include "laminar/io/sonata_report.hpp"
#include "laminar/sim/simulation.hpp"
#include "laminar/sim/spike_recorder.hpp"
#include "laminar/version.hpp"

namespace po = boost::program_options;

namespace laminar::app {

namespace {

using clock_type = std::chrono::steady_clock;
double seconds_since(clock_type::time_point t0) {
    return std::chrono::duration<double>(clock_type::now() - t0).count();
}

/// Test hook: LAMINAR_FAULT=<phase>:<rank> makes that rank fail in that phase (build or
/// simulate), so tests can check that every rank exits non-zero without hanging.
void maybe_fault(const char* phase, int rank) {
    const char* spec = std::getenv("LAMINAR_FAULT");
    if (!spec)
        return;
    const std::string s(spec);
    const auto colon = s.find(':');
    if (colon == std::string::npos || s.substr(0, colon) != phase)
        return;
    if (std::atoi(s.c_str() + colon + 1) != rank)
        return;
    throw error(
        fmt::format("injected fault in phase '{}' on rank {} (LAMINAR_FAULT)", phase, rank));
}

/// Threads per rank when neither the config nor --threads says: OMP_NUM_THREADS if set, else
/// the cores this rank may use shared among the ranks on its node, so that `mpirun -np 2` on a
/// 2-core laptop does not run 4 spinning threads.
int default_threads(const comm::context& ctx) {
    if (std::getenv("OMP_NUM_THREADS"))
        return std::max(1, omp_get_max_threads());
    MPI_Comm node = MPI_COMM_NULL;
    comm::check_mpi(
        MPI_Comm_split_type(ctx.comm(), MPI_COMM_TYPE_SHARED, ctx.rank(), MPI_INFO_NULL, &node),
        "MPI_Comm_split_type");
    int local_ranks = 1;
    MPI_Comm_size(node, &local_ranks);
    MPI_Comm_free(&node);
    // omp_get_num_procs() honours the rank's CPU binding (1 when bound to one core).
    const int procs = omp_get_num_procs();
    const int share = std::max(1, int(std::thread::hardware_concurrency()) / local_ranks);
    return std::max(1, std::min(procs, share));
}

double peak_rss_mib() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return double(ru.ru_maxrss) / 1024.0; // Linux: KiB
}

/// Progress on rank 0: a live line on a terminal, else a log line every few seconds.
class progress_meter {
public:
    progress_meter(bool enabled, double tstop_ms, double dt_ms, double interval_s)
        : enabled_(enabled), tty_(enabled && isatty(STDERR_FILENO)), tstop_(tstop_ms), dt_(dt_ms),
          interval_(tty_ ? 0.25 : interval_s), start_(clock_type::now()), last_(start_) {}

    void update(step_type done) {
        if (!enabled_)
            return;
        const auto now = clock_type::now();
        if (std::chrono::duration<double>(now - last_).count() < interval_)
            return;
        last_ = now;
        print(done, false);
    }
    void finish(step_type done) {
        if (enabled_ && tty_)
            print(done, true);
    }

private:
    void print(step_type done, bool final) {
        const double t = double(done) * dt_;
        const double wall = seconds_since(start_);
        const double rtf = t > 0 ? wall / (t * 1e-3) : 0.0;
        const auto text = fmt::format("{:5.1f}%  {:.1f} / {:.1f} ms  real-time factor {:.2f}",
                                      100.0 * t / tstop_, t, tstop_, rtf);
        if (tty_) {
            std::fprintf(stderr, "\r[laminar] %s%s", text.c_str(), final ? "\n" : "");
            std::fflush(stderr);
        } else {
            spdlog::info("progress {}", text);
        }
    }

    bool enabled_;
    bool tty_;
    double tstop_;
    double dt_;
    double interval_;
    clock_type::time_point start_;
    clock_type::time_point last_;
};

/// rates.csv: per-population rate statistics from per-cell counts. Each rank sends the
/// histogram of its own cells' counts (block, count, cells), so nothing grows with the network
/// on rank 0 beyond the distinct counts. Collective.
void write_rate_table(const comm::context& ctx, const network::layout& lay,
                      const std::vector<std::uint64_t>& local_counts, double seconds,
                      const std::filesystem::path& file) {
    std::vector<analysis::count_histogram> local(lay.blocks().size());
    for (std::size_t b = 0; b < lay.blocks().size(); ++b) {
        const auto [lb, le] = lay.local_range(lay.blocks()[b]);
        for (auto l = lb; l < le; ++l)
            ++local[b][local_counts[l]];
    }
    std::vector<std::uint64_t> flat;
    for (std::size_t b = 0; b < local.size(); ++b) {
        for (const auto& [count, cells] : local[b])
            flat.insert(flat.end(), {std::uint64_t(b), count, cells});
    }
    const auto all = ctx.allgather(flat);
    run_collectively(ctx, [&] {
        if (ctx.rank() != 0)
            return;
        std::vector<analysis::count_histogram> merged(lay.blocks().size());
        for (std::size_t i = 0; i + 2 < all.size(); i += 3)
            merged[all[i]][all[i + 1]] += all[i + 2];
        std::vector<analysis::rate_stats> rates;
        for (std::size_t b = 0; b < merged.size(); ++b) {
            const auto& blk = lay.blocks()[b];
            rates.push_back(analysis::rate_statistics(blk.name, merged[b], blk.size, seconds));
        }
        std::ofstream f(file);
        analysis::write_rates_csv(f, rates);
        if (!f)
            throw io_error(file.string(), "cannot write");
    });
}

} // namespace

int run_command(const comm::context& ctx, const std::vector<std::string>& args) {
    po::options_description opts("run options");
    io::overrides over;
    std::string config_file;
    opts.add_options()("help,h", "show this help")("output,o", po::value<std::string>(),
                                                   "output folder (overrides output.dir)")(
        "threads", po::value<int>(),
        "OpenMP threads per rank (overrides run.threads)")("quiet,q", "no progress output");
    add_override_options(opts, over);
    const auto parsed = parse_config_command(ctx, "run", "run CONFIG.yaml [options]", args, opts,
                                             config_file, over);
    if (!parsed)
        return 0;
    const auto& vm = *parsed;
    if (vm.count("output"))
        over.output_dir = vm["output"].as<std::string>();
    if (vm.count("threads")) {
        over.threads = vm["threads"].as<int>();
        if (*over.threads < 0)
            throw usage_error("laminar run: --threads must be >= 0");
    }
    const bool quiet = vm.count("quiet") > 0;

    const auto t_total = clock_type::now();
    io::simulation_config cfg;
    run_collectively(ctx, [&] { cfg = io::load_config(config_file, over); });
    const int threads = cfg.run.threads > 0 ? cfg.run.threads : default_threads(ctx);

    const std::filesystem::path out_dir = cfg.output.dir;
    run_collectively(ctx, [&] {
        if (ctx.rank() == 0) {
            std::error_code ec;
            std::filesystem::create_directories(out_dir, ec);
            if (ec)
                throw io_error(out_dir.string(), "cannot create output folder: " + ec.message());
            std::ofstream f(out_dir / "config.resolved.yaml");
            f << cfg.resolved_yaml;
            if (!f)
                throw io_error((out_dir / "config.resolved.yaml").string(), "cannot write");
            io::write_nodes(cfg, out_dir / "nodes.h5");
        }
    });
    if (ctx.rank() == 0) {
        spdlog::info("laminar {} ({}): {} on {} rank(s) x {} thread(s), seed {}", version_string,
                     git_hash, config_file, ctx.size(), threads, cfg.run.seed);
    }
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 12
    // hh_neuron's cell loops run their x86-64 baseline version on a CPU without AVX2 and FMA
    // (x86-64-v3): the same results, much slower (docs/models/hh_neuron.md). Any rank counts.
    const bool hh = std::any_of(cfg.models.begin(), cfg.models.end(),
                                [](const auto& m) { return m.type == "hh_neuron"; });
    if (hh) {
        const bool baseline = ctx.any(!__builtin_cpu_supports("x86-64-v3"));
        const bool no_fma = ctx.any(!__builtin_cpu_supports("fma"));
        if (ctx.rank() == 0 && baseline)
            spdlog::warn("a CPU of this run lacks AVX2 or FMA: hh_neuron cells run the x86-64 "
                         "baseline code, which calls libm's fma ({}; same results)",
                         no_fma ? "in software: tens of times slower" : "about 4x slower");
    }
#endif

    // Build.
    std::unique_ptr<sim::simulation> simulation;
    run_collectively(ctx, [&] {
        maybe_fault("build", ctx.rank());
        simulation = std::make_unique<sim::simulation>(cfg, ctx, threads);
    });
    const auto& bs = simulation->build_stats();
    const double build_s = ctx.max(bs.seconds);
    const std::uint64_t synapses = ctx.sum(bs.local_synapses);
    const std::uint64_t generator_synapses = ctx.sum(bs.local_generator_synapses);
    const std::uint64_t store_bytes = ctx.sum(bs.local_store_bytes);
    std::vector<sim::projection_statistics> projection_totals;
    for (const auto& ps : bs.projections) {
        projection_totals.push_back(
            {ctx.sum(ps.synapses), ctx.sum(ps.weight_sum), ctx.sum(ps.weight_sq_sum)});
    }
    if (ctx.rank() == 0) {
        spdlog::info("built {} cells, {} synapses (+{} generator connections) in {:.2f} s; "
                     "min delay {} steps",
                     simulation->layout().total_cells(), synapses, generator_synapses, build_s,
                     simulation->min_delay_steps());
    }

    // Simulate, writing spikes as we go.
    std::unique_ptr<sim::spike_recorder> recorder;
    run_collectively(ctx, [&] {
        std::optional<std::filesystem::path> spikes_path;
        if (cfg.record.spikes)
            spikes_path = out_dir / cfg.output.spikes_file;
        recorder = std::make_unique<sim::spike_recorder>(ctx, simulation->layout(), cfg.run.dt_ms,
                                                         spikes_path, cfg.record.spike_populations);
    });
    progress_meter progress(ctx.rank() == 0 && !quiet, cfg.run.tstop_ms, cfg.run.dt_ms,
                            cfg.output.progress_interval_s);
    double write_s = 0.0;
    // Spikes per local cell, for the per-population rate table.
    const auto& cells = simulation->layout();
    std::vector<std::uint64_t> local_counts(cells.local_count(), 0);
    sim::run_statistics stats;
    abort_on_local_error(ctx, [&] {
        stats = simulation->run([&](std::span<const sim::spike_key> spikes, step_type done) {
            if (done > simulation->steps() / 2)
                maybe_fault("simulate", ctx.rank());
            const auto w = clock_type::now();
            for (const auto k : spikes) {
                if (cells.is_local(sim::key_gid(k)))
                    ++local_counts[cells.local_of_gid(sim::key_gid(k))];
            }
            recorder->add(spikes);
            write_s += seconds_since(w);
            progress.update(done);
        });
    });
    progress.finish(simulation->steps());

    // Finish output.
    const auto t_write = clock_type::now();
    run_collectively(ctx, [&] { recorder->finish(); });
    if (!simulation->traces().empty()) {
        run_collectively(ctx, [&] {
            std::vector<io::report_population> pops;
            for (const auto& tr : simulation->traces()) {
                pops.push_back({tr.population, tr.node_ids, tr.local_columns, tr.data});
            }
            io::write_report(ctx.comm(), out_dir / cfg.output.report_file, pops, cfg.run.dt_ms,
                             cfg.run.dt_ms, std::size_t(simulation->steps()));
        });
    }
    const double writing_during_run_s = write_s;
    write_s += seconds_since(t_write);

    // Summary (rank 0 writes; every rank takes part in the reductions).
    // Simulation time excludes the spike output written from inside the loop.
    const double simulate_s = ctx.max(stats.seconds - writing_during_run_s);
    // The whole time loop, spike recording included (what NEURON's psolve measures).
    const double run_loop_s = ctx.max(stats.seconds);
    const double write_max = ctx.max(write_s);
    const double update_s = ctx.max(stats.update_seconds);
    const double deliver_s = ctx.max(stats.deliver_seconds);
    const double exchange_s = ctx.max(stats.exchange_seconds);
    const std::uint64_t events = ctx.sum(stats.local_events);
    const std::uint64_t gen_events = ctx.sum(stats.generator_events);
    const double rss_max = ctx.max(peak_rss_mib());
    const double rss_total = ctx.sum(peak_rss_mib());
    run_collectively(ctx, [&] {
        if (ctx.rank() != 0)
            return;
        using nlohmann::json;
        json j;
        j["laminar"] = {{"version", version_string}, {"git", git_hash}};
        j["config"] = std::filesystem::absolute(cfg.path).string();
        j["seed"] = cfg.run.seed;
        j["dt_ms"] = cfg.run.dt_ms;
        j["tstop_ms"] = cfg.run.tstop_ms;
        j["ranks"] = ctx.size();
        j["threads"] = threads;
        const double seconds = cfg.run.tstop_ms * 1e-3;
        json pops = json::object();
        const auto& lay = simulation->layout();
        for (std::size_t b = 0; b < lay.blocks().size(); ++b) {
            const auto& blk = lay.blocks()[b];
            const auto n = recorder->counts()[b];
            pops[blk.name] = {
                {"kind", blk.kind == network::cell_kind::neuron ? "neuron" : "source"},
                {"cells", blk.size},
                {"spikes", n},
                {"mean_rate_hz", double(n) / (double(blk.size) * seconds)}};
        }
        j["populations"] = pops;
        // Per projection: what analysis needs for connectivity matrices.
        json projs = json::object();
        for (std::size_t p = 0; p < cfg.projections.size(); ++p) {
            const auto& pc = cfg.projections[p];
            const auto& tot = projection_totals[p];
            const int sb = lay.find_block(pc.source);
            const double n_src = sb >= 0 ? double(lay.blocks()[std::size_t(sb)].size)
                                         : double(cfg.find_source(pc.source)->size);
            const double n_tgt = double(lay.blocks()[std::size_t(lay.find_block(pc.target))].size);
            const double n = double(tot.synapses);
            const double mean = n > 0 ? tot.weight_sum / n : 0.0;
            projs[pc.name] = {
                {"source", pc.source},
                {"target", pc.target},
                {"synapses", tot.synapses},
                {"connection_probability", n / (n_src * n_tgt)},
                {"mean_weight", mean},
                {"std_weight",
                 n > 1 ? std::sqrt(std::max(0.0, tot.weight_sq_sum / n - mean * mean)) : 0.0},
                {"mean_indegree", n / n_tgt}};
        }
        j["projections"] = projs;
        if (cfg.record.spikes)
            j["spikes_file"] = cfg.output.spikes_file;
        j["synapses"] = synapses;
        j["generator_connections"] = generator_synapses;
        j["exact_weights"] = simulation->build_stats().exact_weights;
        j["connection_store_bytes_per_synapse"] =
            synapses ? double(store_bytes) / double(synapses) : 0.0;
        j["min_delay_ms"] = double(simulation->min_delay_steps()) * cfg.run.dt_ms;
        j["spikes_exchanged"] = stats.spikes;
        j["synaptic_events"] = events;
        j["generator_events"] = gen_events;
        j["wall_seconds"] = {{"build", build_s},       {"simulate", simulate_s},
                             {"run_loop", run_loop_s}, {"write", write_max},
                             {"update", update_s},     {"deliver", deliver_s},
                             {"exchange", exchange_s}, {"total", seconds_since(t_total)}};
        j["real_time_factor"] = simulate_s / seconds;
        j["events_per_second"] = simulate_s > 0 ? double(events) / simulate_s : 0.0;
        j["peak_rss_mib"] = {{"max_rank", rss_max}, {"total", rss_total}};
        std::ofstream f(out_dir / "summary.json");
        f << j.dump(2) << '\n';
        if (!f)
            throw io_error((out_dir / "summary.json").string(), "cannot write");
        spdlog::info("simulated {} ms in {:.2f} s (real-time factor {:.2f}); {} spikes; "
                     "output in {}",
                     cfg.run.tstop_ms, simulate_s, simulate_s / seconds, stats.spikes,
                     out_dir.string());
    });
    write_rate_table(ctx, cells, local_counts, cfg.run.tstop_ms * 1e-3, out_dir / "rates.csv");
    return 0;
}

} // namespace laminar::app
