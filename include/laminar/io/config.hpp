// The simulation description read from YAML: plain structs with defaults, filled and validated
// by load_config(). Nothing here runs; the engine lowers these into its own structures.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace laminar::io {

inline constexpr double infinity = std::numeric_limits<double>::infinity();

/// Where an item came from in the YAML file (1-based line; 0 when set from the command line).
struct source_mark {
    std::size_t line = 0;
};

struct run_config {
    double dt_ms = 0.1;
    double tstop_ms = 1000.0;
    std::uint64_t seed = 12345;
    /// OpenMP threads per rank; 0 means the OpenMP default (OMP_NUM_THREADS).
    int threads = 0;
};

/// A named parameter set of a neuron model type (e.g. "iaf_psc_alpha"), NEST names and units.
struct model_config {
    std::string name;
    std::string type;
    std::map<std::string, double> params;
    source_mark mark;
};

enum class position_kind { none, box, column, list };

/// Cell positions in µm. box: uniform in [min, max]; column: uniform in a cylinder whose axis is
/// y (x and z in a disc of `radius` around center, y in center.y ± height/2); list: given.
struct positions_config {
    position_kind kind = position_kind::none;
    std::array<double, 3> min{0, 0, 0};
    std::array<double, 3> max{0, 0, 0};
    std::array<double, 3> center{0, 0, 0};
    double radius_um = 0.0;
    double height_um = 0.0;
    std::vector<std::array<double, 3>> list;
};

struct population_config {
    std::string name;
    std::uint64_t size = 0;
    std::string model;
    positions_config positions;
    source_mark mark;
};

enum class source_kind {
    /// Each source cell is one Poisson train shared by all its targets (a BMTK virtual cell).
    poisson,
    /// NEST poisson_generator: every connection gets its own independent train; not exchanged.
    poisson_generator,
    /// Spike times of each source cell read from a SONATA spike file.
    spike_file,
    /// NEURON NetStim per cell (interval, number, start, noise), its own stream per cell; its
    /// spikes reach targets at the grid point nearest to spike time + delay (NEURON delivery).
    netstim,
};

struct source_config {
    std::string name;
    source_kind kind = source_kind::poisson;
    std::uint64_t size = 1;
    /// One rate for all cells, or one per cell (Hz).
    std::vector<double> rates_hz;
    double start_ms = 0.0;
    double stop_ms = infinity;
    /// netstim: mean interval (ms), number of spikes, noise in [0, 1] (NEURON's names).
    double interval_ms = 10.0;
    std::uint64_t number = 10;
    double noise = 0.0;
    /// spike_file: the file and the population inside it (empty: the only one).
    std::string spike_file;
    std::string file_population;
    positions_config positions;
    source_mark mark;
};

enum class rule_kind {
    all_to_all,
    one_to_one,
    fixed_probability,
    fixed_indegree,
    distance_taper,
    select_source_cells,
};

/// How a target's position is compared with its sources' (select_source_cells).
enum class target_space_kind {
    /// 3-D Euclidean distance between source and target positions.
    identity,
    /// The target's cortical (x, z) mapped to visual degrees, X = deg(tan(rad(a_x x))),
    /// Y = deg(tan(rad(a_z z))), compared in 2-D with the source's (x, y).
    visual_tan,
};

struct target_space_config {
    target_space_kind kind = target_space_kind::identity;
    double x_deg_per_um = 0.0; // visual_tan
    double z_deg_per_um = 0.0; // visual_tan
};

struct rule_config {
    rule_kind kind = rule_kind::all_to_all;
    double p = 0.0;             // fixed_probability
    std::uint64_t indegree = 0; // fixed_indegree
    bool multapses = true;      // fixed_indegree: may a source be drawn twice?
    double p_max = 0.0;         // distance_taper: probability at distance 0
    double p_min = 0.0;         //   ... and at d_max
    double d_max_um = 0.0;      //   zero beyond d_max (select_source_cells: kept within)
    /// select_source_cells: each target draws nsources (uniform in [low, high], inclusive)
    /// distinct sources, then keeps those within d_max in the target space.
    std::uint64_t nsources_low = 0;
    std::uint64_t nsources_high = 0;
    target_space_config target_space;
};

enum class distribution_kind { constant, uniform, normal };

/// A constant, uniform [low, high), or normal(mean, std) clipped to [low, high].
struct distribution_config {
    distribution_kind kind = distribution_kind::constant;
    double value = 0.0;
    double low = -infinity;
    double high = infinity;
    double mean = 0.0;
    double std = 0.0;
};

/// Integer range [low, high], both inclusive.
struct int_range {
    std::int64_t low = 1;
    std::int64_t high = 1;
};

struct projection_config {
    std::string name;
    std::string source; // a population or a source
    std::string target; // a population
    rule_config rule;
    distribution_config weight;   // pA (exp, alpha) or mV (delta); sign picks the channel
    distribution_config delay_ms; // must be >= dt after rounding to steps
    int_range nsyn;               // weight is multiplied by nsyn, as BMTK does
    bool autapses = false;
    /// Receptor of the target model (model_info::receptors); empty: route by the weight's sign.
    std::string receptor;
    source_mark mark;
};

/// A step current on a population or a subset of its nodes (NEST step_current_generator with
/// delay dt, as BMTK connects its IClamp).
struct stimulus_config {
    std::string name;
    std::string population;
    std::vector<std::uint64_t> node_ids; // empty: every node
    double amp_pA = 0.0;
    double start_ms = 0.0;
    double stop_ms = infinity;
    source_mark mark;
};

struct vm_probe_config {
    std::string population;
    std::vector<std::uint64_t> node_ids;
};

struct record_config {
    bool spikes = true;
    /// Populations whose spikes are written; empty: every population and spike-emitting source.
    std::vector<std::string> spike_populations;
    std::vector<vm_probe_config> v_m;
};

struct output_config {
    std::string dir = "output";
    std::string spikes_file = "spikes.h5";
    std::string report_file = "v_report.h5";
    /// Seconds between progress lines when rank 0 does not write to a terminal.
    double progress_interval_s = 5.0;
};

struct simulation_config {
    std::filesystem::path path; // the YAML file it was read from
    run_config run;
    std::vector<model_config> models;
    std::vector<population_config> populations;
    std::vector<source_config> sources;
    std::vector<projection_config> projections;
    std::vector<stimulus_config> stimuli;
    record_config record;
    output_config output;
    /// The whole config after defaults and overrides, as YAML: enough to rerun.
    std::string resolved_yaml;

    const model_config* find_model(const std::string& name) const;
    const population_config* find_population(const std::string& name) const;
    const source_config* find_source(const std::string& name) const;
};

/// Command-line overrides: "key.path=value" strings applied to the YAML tree before validation
/// (value parsed as YAML), then --seed, --tstop, --threads and --output.
struct overrides {
    std::vector<std::string> set;
    std::optional<std::uint64_t> seed;
    std::optional<double> tstop_ms;
    std::optional<int> threads;
    std::optional<std::string> output_dir;
};

/// Reads, overrides, fills defaults and validates. Throws config_error naming the file, line,
/// key path and problem for every unknown key, wrong type, missing reference or bad value.
simulation_config load_config(const std::filesystem::path& file, const overrides& over = {});

/// Parses YAML text (for tests); `name` stands for the file name in messages.
simulation_config parse_config(const std::string& yaml_text, const std::string& name,
                               const overrides& over = {});

} // namespace laminar::io
