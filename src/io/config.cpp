// The YAML configuration loader: reads the file, applies --set and the other command-line
// overrides to the YAML tree, fills defaults, validates every value and reference with errors
// that name the file, line and key path, and writes the resolved config back as YAML.
#include "laminar/io/config.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>
#include <system_error>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "io/yaml_util.hpp"
#include "laminar/core/error.hpp"
#include "laminar/core/time.hpp"
#include "laminar/model/neuron_group.hpp"

namespace laminar::io {

const model_config* simulation_config::find_model(const std::string& name) const {
    for (const auto& m : models) {
        if (m.name == name)
            return &m;
    }
    return nullptr;
}

const population_config* simulation_config::find_population(const std::string& name) const {
    for (const auto& p : populations) {
        if (p.name == name)
            return &p;
    }
    return nullptr;
}

const source_config* simulation_config::find_source(const std::string& name) const {
    for (const auto& s : sources) {
        if (s.name == name)
            return &s;
    }
    return nullptr;
}

namespace {

using detail::format_number;
using detail::join;
using detail::join_list;
using detail::map_view;
using detail::override_log;
using detail::reader;
using detail::value;

const std::vector<std::string> section_keys = {"run",         "models",  "populations", "sources",
                                               "projections", "stimuli", "record",      "output"};

// --- overrides on the YAML tree ------------------------------------------------------------

std::vector<std::string> split_path(const std::string& path) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (true) {
        const auto dot = path.find('.', start);
        parts.push_back(path.substr(start, dot - start));
        if (dot == std::string::npos)
            break;
        start = dot + 1;
    }
    return parts;
}

// Replaces (or creates) the node at `path`, creating missing or empty maps on the way.
void set_node(YAML::Node& root, const std::string& path, const YAML::Node& node,
              const std::string& option, override_log& log) {
    const auto parts = split_path(path);
    for (const auto& p : parts) {
        if (p.empty())
            throw config_error("--set", 0, path,
                               fmt::format("malformed override '{}': the key path has an empty "
                                           "component; expected key.path=value",
                                           option));
    }
    if (!root.IsDefined() || root.IsNull())
        root = YAML::Node(YAML::NodeType::Map);
    if (!root.IsMap())
        throw config_error("--set", 0, path,
                           fmt::format("cannot apply '{}': the config is {}, not a map", option,
                                       reader::describe(root)));
    YAML::Node cur;
    cur.reset(root);
    std::string prefix;
    for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
        prefix = join(prefix, parts[i]);
        YAML::Node child = cur[parts[i]];
        if (!child.IsDefined() || child.IsNull()) {
            cur[parts[i]] = YAML::Node(YAML::NodeType::Map);
            log.add(prefix, option);
        } else if (!child.IsMap()) {
            throw config_error("--set", 0, path,
                               fmt::format("cannot apply '{}': '{}' is {}, not a map", option,
                                           prefix, reader::describe(child)));
        }
        YAML::Node next = cur[parts[i]];
        cur.reset(next);
    }
    cur[parts.back()] = node;
    log.add(path, option);
}

void apply_overrides(YAML::Node& root, const overrides& over, override_log& log) {
    for (const auto& text : over.set) {
        const auto eq = text.find('=');
        if (eq == std::string::npos)
            throw config_error(
                "--set", 0, text,
                fmt::format("malformed override '{}': expected key.path=value", text));
        const std::string path = text.substr(0, eq);
        if (path.empty())
            throw config_error("--set", 0, text,
                               fmt::format("malformed override '{}': the key path before '=' "
                                           "is empty; expected key.path=value",
                                           text));
        YAML::Node node;
        try {
            node = YAML::Load(text.substr(eq + 1));
        } catch (const YAML::Exception& e) {
            throw config_error(
                "--set", 0, path,
                fmt::format("cannot parse the value of '{}' as YAML: {}", text, e.msg));
        }
        set_node(root, path, node, "--set " + text, log);
    }
    // The dedicated options win over --set.
    if (over.seed)
        set_node(root, "run.seed", YAML::Node(std::to_string(*over.seed)),
                 fmt::format("--seed {}", *over.seed), log);
    if (over.tstop_ms)
        set_node(root, "run.tstop", YAML::Node(format_number(*over.tstop_ms)),
                 fmt::format("--tstop {}", format_number(*over.tstop_ms)), log);
    if (over.threads)
        set_node(root, "run.threads", YAML::Node(std::to_string(*over.threads)),
                 fmt::format("--threads {}", *over.threads), log);
    if (over.output_dir)
        set_node(root, "output.dir", YAML::Node(*over.output_dir),
                 fmt::format("--output {}", *over.output_dir), log);
}

// --- reading and validation ------------------------------------------------------------------

class loader {
public:
    loader(const reader& r, std::filesystem::path base_dir)
        : r_(r), base_dir_(std::move(base_dir)) {}

    void read(const YAML::Node& root, simulation_config& cfg);

private:
    run_config read_run(const value& v) const;
    model_config read_model(const value& v) const;
    population_config read_population(const value& v) const;
    source_config read_source(const value& v) const;
    positions_config read_positions(const value& v, std::uint64_t size) const;
    projection_config read_projection(const value& v) const;
    rule_config read_rule(const value& v, const projection_config& p) const;
    distribution_config read_distribution(const value& v) const;
    void check_delay(const value& v, const distribution_config& d) const;
    void check_receptor(const value& v, const std::optional<value>& e, projection_config& p) const;
    stimulus_config read_stimulus(const value& v) const;
    std::vector<std::uint64_t> read_node_ids(const value& v, const population_config& pop) const;
    record_config read_record(const value& v) const;
    output_config read_output(const value& v) const;

    double number_at_least(const value& v, double low, const char* what) const;
    double finite_number(const value& v) const;
    double probability(const value& v) const;
    /// A population, or (when `sources_too`) a source; fails listing the known names.
    std::uint64_t size_of(const value& v, const std::string& name, bool sources_too) const;
    bool has_positions(const std::string& name) const;
    std::vector<std::string> population_names() const;
    std::vector<std::string> all_names() const;

    const reader& r_;
    std::filesystem::path base_dir_;
    // Filled section by section; later sections refer to earlier ones.
    simulation_config* cfg_ = nullptr;
};

void loader::read(const YAML::Node& root, simulation_config& cfg) {
    cfg_ = &cfg;
    // An empty file is an empty map: the missing populations section is the error to report.
    const value top{root.IsNull() ? YAML::Node(YAML::NodeType::Map) : root, "", 0, ""};
    if (!top.node.IsMap())
        r_.fail(top, fmt::format("expected a map of sections ({}), got {}", join_list(section_keys),
                                 reader::describe(root)));
    const map_view sections = r_.map(top, section_keys);

    if (auto v = sections.get("run"))
        cfg.run = read_run(*v);
    if (auto v = sections.get("models")) {
        for (const auto& e : r_.map(*v, std::nullopt, true).entries())
            cfg.models.push_back(read_model(e));
    }

    const auto pops = sections.get("populations");
    if (!pops)
        r_.fail(0, "populations", "missing required section; define at least one population");
    const map_view pop_map = r_.map(*pops, std::nullopt, true);
    if (pop_map.entries().empty())
        r_.fail(*pops, "no populations; define at least one");
    for (const auto& e : pop_map.entries())
        cfg.populations.push_back(read_population(e));

    if (auto v = sections.get("sources")) {
        for (const auto& e : r_.map(*v, std::nullopt, true).entries())
            cfg.sources.push_back(read_source(e));
    }
    // Gids are 32-bit and numbered over populations and sources together.
    std::uint64_t cells = 0;
    for (const auto& p : cfg.populations)
        cells += p.size;
    for (const auto& s : cfg.sources)
        cells += s.size;
    if (cells > std::numeric_limits<gid_type>::max())
        r_.fail(pops->line, "populations",
                fmt::format("the network has {} cells (populations and sources), more than the "
                            "{} cell ids available",
                            cells, std::numeric_limits<gid_type>::max()));

    if (auto v = sections.get("projections")) {
        for (const auto& e : r_.map(*v, std::nullopt, true).entries())
            cfg.projections.push_back(read_projection(e));
    }
    if (auto v = sections.get("stimuli")) {
        for (const auto& e : r_.map(*v, std::nullopt, true).entries())
            cfg.stimuli.push_back(read_stimulus(e));
    }
    if (auto v = sections.get("record"))
        cfg.record = read_record(*v);
    if (auto v = sections.get("output"))
        cfg.output = read_output(*v);
}

double loader::finite_number(const value& v) const {
    const double x = r_.number(v);
    if (!std::isfinite(x))
        r_.fail(v, fmt::format("expected a finite number, got {}", format_number(x)));
    return x;
}

double loader::number_at_least(const value& v, double low, const char* what) const {
    const double x = finite_number(v);
    if (x < low)
        r_.fail(v, fmt::format("{} must be at least {}, got {}", what, format_number(low),
                               format_number(x)));
    return x;
}

double loader::probability(const value& v) const {
    const double p = r_.number(v);
    if (!(p >= 0.0 && p <= 1.0))
        r_.fail(v,
                fmt::format("{} must be a probability in [0, 1], got {}", v.key, format_number(p)));
    return p;
}

std::vector<std::string> loader::population_names() const {
    std::vector<std::string> names;
    for (const auto& p : cfg_->populations)
        names.push_back(p.name);
    return names;
}

std::vector<std::string> loader::all_names() const {
    auto names = population_names();
    for (const auto& s : cfg_->sources)
        names.push_back(s.name);
    return names;
}

std::uint64_t loader::size_of(const value& v, const std::string& name, bool sources_too) const {
    if (const auto* p = cfg_->find_population(name))
        return p->size;
    const auto* s = cfg_->find_source(name);
    if (s != nullptr && sources_too)
        return s->size;
    if (s != nullptr)
        r_.fail(v, fmt::format("'{}' is a source, but a population is needed here; known "
                               "populations: {}",
                               name, join_list(population_names())));
    if (sources_too)
        r_.fail(v, fmt::format("unknown population or source '{}'; known: {}", name,
                               join_list(all_names())));
    r_.fail(v,
            fmt::format("unknown population '{}'; known: {}", name, join_list(population_names())));
}

bool loader::has_positions(const std::string& name) const {
    if (const auto* p = cfg_->find_population(name))
        return p->positions.kind != position_kind::none;
    if (const auto* s = cfg_->find_source(name))
        return s->positions.kind != position_kind::none;
    return false;
}

run_config loader::read_run(const value& v) const {
    run_config run;
    const map_view m = r_.map(v, std::vector<std::string>{"dt", "tstop", "seed", "threads"}, true);
    if (auto e = m.get("dt")) {
        run.dt_ms = r_.number(*e);
        if (!(run.dt_ms > 0.0) || !std::isfinite(run.dt_ms))
            r_.fail(*e, fmt::format("dt must be a positive time in ms, got {}",
                                    format_number(run.dt_ms)));
        if (!is_valid_resolution(run.dt_ms))
            r_.fail(*e, fmt::format("dt must be a whole number of microseconds (NEST's time "
                                    "grid), got {} ms",
                                    format_number(run.dt_ms)));
    }
    if (auto e = m.get("tstop")) {
        run.tstop_ms = r_.number(*e);
        if (!(run.tstop_ms > 0.0) || !std::isfinite(run.tstop_ms))
            r_.fail(*e, fmt::format("tstop must be a positive finite time in ms, got {}",
                                    format_number(run.tstop_ms)));
    }
    if (auto e = m.get("seed"))
        run.seed = r_.unsigned_integer(*e);
    if (auto e = m.get("threads")) {
        const std::int64_t t = r_.integer(*e);
        if (t < 0 || t > 4096)
            r_.fail(*e, fmt::format("threads must be 0 (the OpenMP default) or a thread count up "
                                    "to 4096, got {}",
                                    t));
        run.threads = static_cast<int>(t);
    }
    return run;
}

model_config loader::read_model(const value& v) const {
    model_config m;
    m.name = r_.name(v);
    m.mark.line = v.line;
    const map_view map = r_.map(v, std::vector<std::string>{"type", "params"});
    const value type = map.required("type");
    m.type = r_.string(type);
    const model::model_info* info = model::find_model(m.type);
    if (info == nullptr) {
        std::vector<std::string> known;
        for (const auto& i : model::registered_models())
            known.push_back(i.type);
        r_.fail(type, fmt::format("unknown model type '{}'; known: {}", m.type, join_list(known)));
    }
    std::map<std::string, double> given;
    value params_at{v.node, join(v.path, "params"), v.line, "params"};
    if (auto p = map.get("params")) {
        params_at = *p;
        for (const auto& e : r_.map(*p, std::nullopt, true).entries())
            given[e.key] = r_.number(e);
    }
    if (const std::string problem = model::validate_params(m.type, given); !problem.empty())
        r_.fail(params_at, problem);
    // Every parameter, so that the resolved config shows the values actually used.
    m.params.insert(info->defaults.begin(), info->defaults.end());
    for (const auto& [name, x] : given)
        m.params[name] = x;
    return m;
}

positions_config loader::read_positions(const value& v, std::uint64_t size) const {
    positions_config pos;
    const map_view m = r_.map(v, std::nullopt);
    const value type = m.required("type");
    const std::string kind = r_.string(type);
    if (kind == "none") {
        m.allow({"type"});
    } else if (kind == "box") {
        m.allow({"type", "min", "max"});
        pos.kind = position_kind::box;
        pos.min = r_.point(m.required("min"));
        const value max = m.required("max");
        pos.max = r_.point(max);
        for (std::size_t i = 0; i < 3; ++i) {
            if (pos.min[i] > pos.max[i])
                r_.fail(max, fmt::format("min must not exceed max, but in {} min is {} and max "
                                         "is {}",
                                         "xyz"[i], format_number(pos.min[i]),
                                         format_number(pos.max[i])));
        }
    } else if (kind == "column") {
        m.allow({"type", "radius", "height", "center"});
        pos.kind = position_kind::column;
        const value radius = m.required("radius");
        pos.radius_um = finite_number(radius);
        if (!(pos.radius_um > 0.0))
            r_.fail(radius, fmt::format("radius must be positive (µm), got {}",
                                        format_number(pos.radius_um)));
        pos.height_um = number_at_least(m.required("height"), 0.0, "height");
        if (auto c = m.get("center"))
            pos.center = r_.point(*c);
    } else if (kind == "list") {
        m.allow({"type", "coordinates"});
        pos.kind = position_kind::list;
        const value coords = m.required("coordinates");
        const auto items = r_.list(coords);
        if (items.size() != size)
            r_.fail(coords, fmt::format("coordinates has {} points but the size is {}; give one "
                                        "[x, y, z] per cell",
                                        items.size(), size));
        for (const auto& item : items)
            pos.list.push_back(r_.point(item));
    } else {
        r_.fail(type,
                fmt::format("unknown positions type '{}'; known: none, box, column, list", kind));
    }
    return pos;
}

population_config loader::read_population(const value& v) const {
    population_config p;
    p.name = r_.name(v);
    p.mark.line = v.line;
    const map_view m = r_.map(v, std::vector<std::string>{"size", "model", "positions"});
    const value size = m.required("size");
    const std::int64_t n = r_.integer(size);
    if (n < 1)
        r_.fail(size, fmt::format("size must be at least 1, got {}", n));
    p.size = static_cast<std::uint64_t>(n);
    const value model = m.required("model");
    p.model = r_.string(model);
    if (cfg_->find_model(p.model) == nullptr) {
        std::vector<std::string> known;
        for (const auto& mc : cfg_->models)
            known.push_back(mc.name);
        r_.fail(model, fmt::format("unknown model '{}'; known (section models): {}", p.model,
                                   join_list(known)));
    }
    if (auto e = m.get("positions"))
        p.positions = read_positions(*e, p.size);
    return p;
}

source_config loader::read_source(const value& v) const {
    source_config s;
    s.name = r_.name(v);
    s.mark.line = v.line;
    if (cfg_->find_population(s.name) != nullptr)
        r_.fail(v, fmt::format("the name '{}' is used by both a population and a source; names "
                               "must be unique across populations and sources",
                               s.name));
    const map_view m = r_.map(v, std::nullopt);
    const value type = m.required("type");
    const std::string kind = r_.string(type);
    if (kind == "poisson") {
        s.kind = source_kind::poisson;
        m.allow({"type", "size", "rate", "rates", "start", "stop", "positions"});
    } else if (kind == "poisson_generator") {
        s.kind = source_kind::poisson_generator;
        m.allow({"type", "size", "rate", "rates", "start", "stop"});
    } else if (kind == "spike_file") {
        s.kind = source_kind::spike_file;
        m.allow({"type", "size", "path", "population", "positions"});
    } else if (kind == "netstim") {
        s.kind = source_kind::netstim;
        m.allow({"type", "size", "interval", "number", "start", "noise", "positions"});
    } else {
        r_.fail(type, fmt::format("unknown source type '{}'; known: poisson, poisson_generator, "
                                  "spike_file, netstim",
                                  kind));
    }

    const auto size =
        s.kind == source_kind::spike_file ? std::optional(m.required("size")) : m.get("size");
    if (size) {
        const std::int64_t n = r_.integer(*size);
        if (n < 1)
            r_.fail(*size, fmt::format("size must be at least 1, got {}", n));
        s.size = static_cast<std::uint64_t>(n);
    }

    if (s.kind == source_kind::spike_file) {
        const value path = m.required("path");
        const std::string text = r_.string(path);
        if (text.empty())
            r_.fail(path, "expected the path of a SONATA spike file, got an empty string");
        // Relative to the config file's folder, so that a config runs from anywhere.
        std::filesystem::path file(text);
        if (file.is_relative())
            file = base_dir_ / file;
        s.spike_file = file.lexically_normal().string();
        if (auto e = m.get("population"))
            s.file_population = r_.string(*e);
    } else if (s.kind == source_kind::netstim) {
        // NEURON NetStim's names and defaults (interval 10 ms, number 10, start 50 ms, noise 0).
        s.start_ms = 50.0;
        if (auto e = m.get("interval")) {
            s.interval_ms = finite_number(*e);
            if (!(s.interval_ms > 0.0))
                r_.fail(*e, fmt::format("interval must be a positive time in ms, got {}",
                                        format_number(s.interval_ms)));
        }
        if (auto e = m.get("number")) {
            const std::int64_t k = r_.integer(*e);
            if (k < 0)
                r_.fail(*e, fmt::format("number (of spikes) must not be negative, got {}", k));
            s.number = static_cast<std::uint64_t>(k);
        }
        if (auto e = m.get("start"))
            s.start_ms = number_at_least(*e, 0.0, "start");
        if (auto e = m.get("noise")) {
            s.noise = r_.number(*e);
            if (!(s.noise >= 0.0 && s.noise <= 1.0))
                r_.fail(*e, fmt::format("noise must be in [0, 1] (0: regular, 1: Poisson), got {}",
                                        format_number(s.noise)));
        }
    } else {
        const auto rate = m.get("rate");
        const auto rates = m.get("rates");
        if (rate && rates)
            r_.fail(*rates, "give either rate (one for all cells) or rates (one per cell), not "
                            "both");
        if (!rate && !rates)
            r_.fail(v.line, join(v.path, "rate"),
                    "missing required key; give rate (Hz, one for all cells) or rates (one per "
                    "cell)");
        auto read_rate = [&](const value& e) {
            const double hz = r_.number(e);
            if (!(hz >= 0.0) || !std::isfinite(hz))
                r_.fail(e, fmt::format("rate must be a non-negative finite number of Hz, got {}",
                                       format_number(hz)));
            return hz;
        };
        if (rate) {
            s.rates_hz.push_back(read_rate(*rate));
        } else {
            const auto items = r_.list(*rates);
            if (items.size() != s.size)
                r_.fail(*rates, fmt::format("rates has {} entries but the size is {}; give one "
                                            "rate per cell (or one rate for all)",
                                            items.size(), s.size));
            for (const auto& item : items)
                s.rates_hz.push_back(read_rate(item));
        }
        if (auto e = m.get("start"))
            s.start_ms = number_at_least(*e, 0.0, "start");
        if (auto e = m.get("stop")) {
            s.stop_ms = r_.number(*e);
            if (!(s.stop_ms > s.start_ms))
                r_.fail(*e, fmt::format("stop ({} ms) must be after start ({} ms)",
                                        format_number(s.stop_ms), format_number(s.start_ms)));
        }
    }
    if (auto e = m.get("positions"))
        s.positions = read_positions(*e, s.size);
    return s;
}

distribution_config loader::read_distribution(const value& v) const {
    distribution_config d;
    const char* forms = "a number, {uniform: {low, high}} or {normal: {mean, std, low, high}}";
    if (v.node.IsScalar() && reader::parse_number(v.node.Scalar())) {
        d.value = finite_number(v);
        return d;
    }
    if (!v.node.IsMap() || v.node.size() != 1)
        r_.fail(v, fmt::format("expected {}, got {}", forms,
                               v.node.IsMap() ? fmt::format("a map of {} keys", v.node.size())
                                              : reader::describe(v.node)));
    const map_view outer = r_.map(v, std::vector<std::string>{"uniform", "normal"});
    const value& inner = outer.entries().front();
    if (inner.key == "uniform") {
        d.kind = distribution_kind::uniform;
        const map_view m = r_.map(inner, std::vector<std::string>{"low", "high"});
        d.low = finite_number(m.required("low"));
        const value high = m.required("high");
        d.high = finite_number(high);
        if (d.low > d.high)
            r_.fail(high, fmt::format("low ({}) must not exceed high ({})", format_number(d.low),
                                      format_number(d.high)));
    } else {
        d.kind = distribution_kind::normal;
        const map_view m = r_.map(inner, std::vector<std::string>{"mean", "std", "low", "high"});
        d.mean = finite_number(m.required("mean"));
        const value std_dev = m.required("std");
        d.std = finite_number(std_dev);
        if (d.std < 0.0)
            r_.fail(std_dev, fmt::format("std must not be negative, got {}", format_number(d.std)));
        if (auto e = m.get("low"))
            d.low = r_.number(*e);
        if (auto e = m.get("high")) {
            d.high = r_.number(*e);
            if (d.low > d.high)
                r_.fail(*e, fmt::format("low ({}) must not exceed high ({})", format_number(d.low),
                                        format_number(d.high)));
        }
    }
    return d;
}

void loader::check_delay(const value& v, const distribution_config& d) const {
    const double dt = cfg_->run.dt_ms;
    if (d.kind == distribution_kind::constant) {
        if (delay_to_steps(d.value, dt) < 1)
            r_.fail(v, fmt::format("delay {} ms rounds to less than one step of dt {} ms; it "
                                   "must be at least dt",
                                   format_number(d.value), format_number(dt)));
        return;
    }
    const std::string kind = d.kind == distribution_kind::uniform ? "uniform" : "normal";
    const value low{v.node, join(join(v.path, kind), "low"), v.line, "low"};
    if (std::isinf(d.low))
        r_.fail(low, fmt::format("a {} delay needs a lower bound low of at least dt ({} ms)", kind,
                                 format_number(dt)));
    if (delay_to_steps(d.low, dt) < 1)
        r_.fail(low, fmt::format("the delay's lower bound {} ms rounds to less than one step of "
                                 "dt {} ms; it must be at least dt",
                                 format_number(d.low), format_number(dt)));
}

rule_config loader::read_rule(const value& v, const projection_config& p) const {
    rule_config rule;
    // `rule: all_to_all` is short for `rule: {type: all_to_all}`.
    value type = v;
    std::optional<map_view> m;
    if (!v.node.IsScalar()) {
        m = r_.map(v, std::nullopt);
        type = m->required("type");
    }
    const std::string kind = r_.string(type);
    auto needs = [&](const char* key) -> value {
        if (!m)
            r_.fail(
                v.line, join(v.path, key),
                fmt::format("missing required key; write rule: {{type: {}, {}: ...}}", kind, key));
        return m->required(key);
    };
    auto allow = [&](std::vector<std::string> keys) {
        if (m)
            m->allow(keys);
    };
    const std::uint64_t n_source = size_of(v, p.source, true);
    const std::uint64_t n_target = size_of(v, p.target, false);
    if (kind == "all_to_all") {
        allow({"type"});
    } else if (kind == "one_to_one") {
        allow({"type"});
        rule.kind = rule_kind::one_to_one;
        if (n_source != n_target)
            r_.fail(type, fmt::format("one_to_one needs a source and target of the same size, but "
                                      "'{}' has {} cells and '{}' has {}",
                                      p.source, n_source, p.target, n_target));
    } else if (kind == "fixed_probability") {
        allow({"type", "p"});
        rule.kind = rule_kind::fixed_probability;
        rule.p = probability(needs("p"));
    } else if (kind == "fixed_indegree") {
        allow({"type", "indegree", "multapses"});
        rule.kind = rule_kind::fixed_indegree;
        const value indegree = needs("indegree");
        const std::int64_t k = r_.integer(indegree);
        if (k < 0)
            r_.fail(indegree, fmt::format("indegree must not be negative, got {}", k));
        rule.indegree = static_cast<std::uint64_t>(k);
        if (auto e = m->get("multapses"))
            rule.multapses = r_.boolean(*e);
        if (!rule.multapses) {
            const bool self = p.source == p.target && !p.autapses;
            const std::uint64_t available = self ? n_source - 1 : n_source;
            if (rule.indegree > available)
                r_.fail(
                    indegree,
                    fmt::format("indegree {} exceeds the {} distinct sources of '{}'{}; "
                                "without multapses a target draws each source at most once",
                                rule.indegree, available, p.source,
                                self ? " (other than the target itself, autapses: false)" : ""));
        }
    } else if (kind == "distance_taper") {
        allow({"type", "p_max", "p_min", "d_max"});
        rule.kind = rule_kind::distance_taper;
        rule.p_max = probability(needs("p_max"));
        if (auto e = m->get("p_min"))
            rule.p_min = probability(*e);
        const value d_max = needs("d_max");
        rule.d_max_um = r_.number(d_max);
        if (!(rule.d_max_um > 0.0) || !std::isfinite(rule.d_max_um))
            r_.fail(d_max, fmt::format("d_max must be a positive finite distance in µm, got {}",
                                       format_number(rule.d_max_um)));
        for (const std::string& end : {p.source, p.target}) {
            if (!has_positions(end))
                r_.fail(type, fmt::format("distance_taper needs positions, but '{}' has none; "
                                          "give it positions: {{type: box | column | list, ...}}",
                                          end));
        }
    } else if (kind == "select_source_cells") {
        allow({"type", "nsources", "d_max", "target_space"});
        rule.kind = rule_kind::select_source_cells;
        const value nsources = needs("nsources");
        std::int64_t low = 0, high = 0;
        if (nsources.node.IsSequence()) {
            const auto items = r_.list(nsources);
            if (items.size() != 2)
                r_.fail(nsources, fmt::format("expected a whole number or [low, high], got a "
                                              "list of {} items",
                                              items.size()));
            low = r_.integer(items[0]);
            high = r_.integer(items[1]);
        } else {
            low = high = r_.integer(nsources);
        }
        if (low < 0)
            r_.fail(nsources, fmt::format("nsources must not be negative, got {}", low));
        if (low > high)
            r_.fail(nsources,
                    fmt::format("nsources low ({}) must not exceed high ({})", low, high));
        const bool self = p.source == p.target && !p.autapses;
        const std::uint64_t available = self ? n_source - 1 : n_source;
        if (static_cast<std::uint64_t>(high) > available)
            r_.fail(nsources,
                    fmt::format("nsources up to {} exceeds the {} distinct sources of '{}'{}; "
                                "each target draws distinct sources",
                                high, available, p.source,
                                self ? " (other than the target itself, autapses: false)" : ""));
        rule.nsources_low = static_cast<std::uint64_t>(low);
        rule.nsources_high = static_cast<std::uint64_t>(high);
        rule.d_max_um = infinity;
        if (auto e = m->get("d_max")) {
            rule.d_max_um = r_.number(*e);
            if (!(rule.d_max_um > 0.0))
                r_.fail(*e, fmt::format("d_max must be a positive distance (µm, or degrees in a "
                                        "visual target space; .inf for no limit), got {}",
                                        format_number(rule.d_max_um)));
        }
        if (auto e = m->get("target_space")) {
            const map_view ts = r_.map(*e, std::nullopt);
            const value ts_type = ts.required("type");
            const std::string space = r_.string(ts_type);
            if (space == "identity") {
                ts.allow({"type"});
            } else if (space == "visual_tan") {
                ts.allow({"type", "x_deg_per_um", "z_deg_per_um"});
                rule.target_space.kind = target_space_kind::visual_tan;
                rule.target_space.x_deg_per_um = finite_number(ts.required("x_deg_per_um"));
                rule.target_space.z_deg_per_um = finite_number(ts.required("z_deg_per_um"));
            } else {
                r_.fail(ts_type, fmt::format("unknown target_space type '{}'; known: identity, "
                                             "visual_tan",
                                             space));
            }
        }
        if (std::isfinite(rule.d_max_um)) {
            for (const std::string& end : {p.source, p.target}) {
                if (!has_positions(end))
                    r_.fail(type, fmt::format("select_source_cells with a finite d_max needs "
                                              "positions, but '{}' has none; give it positions: "
                                              "{{type: box | column | list, ...}} or set d_max: "
                                              ".inf",
                                              end));
            }
        }
    } else {
        r_.fail(type, fmt::format("unknown rule type '{}'; known: all_to_all, one_to_one, "
                                  "fixed_probability, fixed_indegree, distance_taper, "
                                  "select_source_cells",
                                  kind));
    }
    return rule;
}

projection_config loader::read_projection(const value& v) const {
    projection_config p;
    p.name = r_.name(v);
    p.mark.line = v.line;
    const map_view m = r_.map(v, std::vector<std::string>{"source", "target", "rule", "weight",
                                                          "delay", "nsyn", "autapses", "receptor"});
    const value source = m.required("source");
    p.source = r_.string(source);
    size_of(source, p.source, true);
    const value target = m.required("target");
    p.target = r_.string(target);
    if (cfg_->find_source(p.target) != nullptr)
        r_.fail(target, fmt::format("'{}' is a source; a projection's target must be a "
                                    "population (known: {})",
                                    p.target, join_list(population_names())));
    size_of(target, p.target, false);
    if (auto e = m.get("autapses"))
        p.autapses = r_.boolean(*e);
    check_receptor(v, m.get("receptor"), p);
    if (auto e = m.get("rule"))
        p.rule = read_rule(*e, p);
    p.weight = read_distribution(m.required("weight"));
    const value delay = m.required("delay");
    p.delay_ms = read_distribution(delay);
    check_delay(delay, p.delay_ms);
    if (auto e = m.get("nsyn")) {
        if (e->node.IsSequence()) {
            const auto items = r_.list(*e);
            if (items.size() != 2)
                r_.fail(*e, fmt::format("expected a whole number or [low, high], got a list of "
                                        "{} items",
                                        items.size()));
            p.nsyn.low = r_.integer(items[0]);
            p.nsyn.high = r_.integer(items[1]);
        } else {
            p.nsyn.low = p.nsyn.high = r_.integer(*e);
        }
        if (p.nsyn.low < 1)
            r_.fail(*e, fmt::format("nsyn must be at least 1, got {}", p.nsyn.low));
        if (p.nsyn.low > p.nsyn.high)
            r_.fail(*e, fmt::format("nsyn low ({}) must not exceed high ({})", p.nsyn.low,
                                    p.nsyn.high));
    }
    return p;
}

// The target model's named receptor (model_info::receptors); required by models that do not
// route by the weight's sign.
void loader::check_receptor(const value& v, const std::optional<value>& e,
                            projection_config& p) const {
    const auto* pop = cfg_->find_population(p.target);
    const auto* mc = pop ? cfg_->find_model(pop->model) : nullptr;
    const model::model_info* info = mc ? model::find_model(mc->type) : nullptr;
    if (info == nullptr)
        return;
    if (!e) {
        if (!info->route_by_sign)
            r_.fail(v.line, join(v.path, "receptor"),
                    fmt::format("missing required key: target '{}' has model type {}, whose "
                                "synapses are chosen by name; give one of: {}",
                                p.target, info->type, join_list(info->receptors)));
        return;
    }
    p.receptor = r_.string(*e);
    if (std::find(info->receptors.begin(), info->receptors.end(), p.receptor) ==
        info->receptors.end())
        r_.fail(*e, fmt::format("unknown receptor '{}' of target '{}' (model type {}); known: {}",
                                p.receptor, p.target, info->type, join_list(info->receptors)));
}

std::vector<std::uint64_t> loader::read_node_ids(const value& v,
                                                 const population_config& pop) const {
    std::vector<std::uint64_t> ids;
    for (const auto& item : r_.list(v)) {
        const std::int64_t id = r_.integer(item);
        if (id < 0 || static_cast<std::uint64_t>(id) >= pop.size)
            r_.fail(item, fmt::format("node id {} is out of range for population '{}' of size {} "
                                      "(valid: 0 to {})",
                                      id, pop.name, pop.size, pop.size - 1));
        ids.push_back(static_cast<std::uint64_t>(id));
    }
    return ids;
}

stimulus_config loader::read_stimulus(const value& v) const {
    stimulus_config s;
    s.name = r_.name(v);
    s.mark.line = v.line;
    const map_view m =
        r_.map(v, std::vector<std::string>{"population", "amp", "start", "stop", "node_ids"});
    const value pop = m.required("population");
    s.population = r_.string(pop);
    size_of(pop, s.population, false);
    s.amp_pA = finite_number(m.required("amp"));
    if (auto e = m.get("start"))
        s.start_ms = number_at_least(*e, 0.0, "start");
    if (auto e = m.get("stop")) {
        s.stop_ms = r_.number(*e);
        if (!(s.stop_ms > s.start_ms))
            r_.fail(*e, fmt::format("stop ({} ms) must be after start ({} ms)",
                                    format_number(s.stop_ms), format_number(s.start_ms)));
    }
    if (auto e = m.get("node_ids"))
        s.node_ids = read_node_ids(*e, *cfg_->find_population(s.population));
    return s;
}

record_config loader::read_record(const value& v) const {
    record_config rec;
    const map_view m = r_.map(v, std::vector<std::string>{"spikes", "v_m"}, true);
    if (auto e = m.get("spikes")) {
        if (e->node.IsSequence()) {
            for (const auto& item : r_.list(*e)) {
                const std::string name = r_.string(item);
                const auto* src = cfg_->find_source(name);
                if (src != nullptr && src->kind == source_kind::poisson_generator)
                    r_.fail(item, fmt::format("'{}' is a poisson_generator, whose independent "
                                              "trains are not spikes of cells; it cannot be "
                                              "recorded",
                                              name));
                if (src == nullptr && cfg_->find_population(name) == nullptr) {
                    std::vector<std::string> known = population_names();
                    for (const auto& s : cfg_->sources) {
                        if (s.kind != source_kind::poisson_generator)
                            known.push_back(s.name);
                    }
                    r_.fail(item, fmt::format("unknown population '{}'; known: {}", name,
                                              join_list(known)));
                }
                rec.spike_populations.push_back(name);
            }
            // An empty list records nothing.
            rec.spikes = !rec.spike_populations.empty();
        } else {
            rec.spikes = r_.boolean(*e);
        }
    }
    if (auto e = m.get("v_m"); e && !e->node.IsNull()) {
        for (const auto& item : r_.list(*e)) {
            const map_view probe = r_.map(item, std::vector<std::string>{"population", "node_ids"});
            vm_probe_config vm;
            const value pop = probe.required("population");
            vm.population = r_.string(pop);
            size_of(pop, vm.population, false);
            const value ids = probe.required("node_ids");
            vm.node_ids = read_node_ids(ids, *cfg_->find_population(vm.population));
            if (vm.node_ids.empty())
                r_.fail(ids, "expected at least one node id to record");
            rec.v_m.push_back(std::move(vm));
        }
    }
    return rec;
}

output_config loader::read_output(const value& v) const {
    output_config out;
    const map_view m = r_.map(
        v, std::vector<std::string>{"dir", "spikes_file", "report_file", "progress_interval"},
        true);
    auto path = [&](const char* key, std::string& field) {
        if (auto e = m.get(key)) {
            field = r_.string(*e);
            if (field.empty())
                r_.fail(*e, "expected a file or folder name, got an empty string");
        }
    };
    path("dir", out.dir);
    path("spikes_file", out.spikes_file);
    path("report_file", out.report_file);
    if (auto e = m.get("progress_interval")) {
        out.progress_interval_s = r_.number(*e);
        if (!(out.progress_interval_s > 0.0))
            r_.fail(*e, fmt::format("progress_interval must be a positive number of seconds, "
                                    "got {}",
                                    format_number(out.progress_interval_s)));
    }
    return out;
}

// --- the resolved config ---------------------------------------------------------------------

YAML::Emitter& num(YAML::Emitter& out, double x) {
    return out << format_number(x);
}

void emit_point(YAML::Emitter& out, const std::array<double, 3>& p) {
    out << YAML::Flow << YAML::BeginSeq;
    for (double x : p)
        num(out, x);
    out << YAML::EndSeq;
}

void emit_positions(YAML::Emitter& out, const positions_config& pos) {
    out << YAML::Key << "positions" << YAML::Value;
    if (pos.kind == position_kind::list) {
        out << YAML::BeginMap << YAML::Key << "type" << YAML::Value << "list";
        out << YAML::Key << "coordinates" << YAML::Value << YAML::BeginSeq;
        for (const auto& p : pos.list)
            emit_point(out, p);
        out << YAML::EndSeq << YAML::EndMap;
        return;
    }
    out << YAML::Flow << YAML::BeginMap << YAML::Key << "type" << YAML::Value;
    switch (pos.kind) {
    case position_kind::none:
        out << "none";
        break;
    case position_kind::box:
        out << "box" << YAML::Key << "min" << YAML::Value;
        emit_point(out, pos.min);
        out << YAML::Key << "max" << YAML::Value;
        emit_point(out, pos.max);
        break;
    case position_kind::column:
        out << "column" << YAML::Key << "radius" << YAML::Value;
        num(out, pos.radius_um) << YAML::Key << "height" << YAML::Value;
        num(out, pos.height_um) << YAML::Key << "center" << YAML::Value;
        emit_point(out, pos.center);
        break;
    case position_kind::list:
        break;
    }
    out << YAML::EndMap;
}

void emit_distribution(YAML::Emitter& out, const distribution_config& d) {
    switch (d.kind) {
    case distribution_kind::constant:
        num(out, d.value);
        return;
    case distribution_kind::uniform:
        out << YAML::Flow << YAML::BeginMap << YAML::Key << "uniform" << YAML::Value
            << YAML::BeginMap << YAML::Key << "low" << YAML::Value;
        num(out, d.low) << YAML::Key << "high" << YAML::Value;
        num(out, d.high) << YAML::EndMap << YAML::EndMap;
        return;
    case distribution_kind::normal:
        out << YAML::Flow << YAML::BeginMap << YAML::Key << "normal" << YAML::Value
            << YAML::BeginMap << YAML::Key << "mean" << YAML::Value;
        num(out, d.mean) << YAML::Key << "std" << YAML::Value;
        num(out, d.std) << YAML::Key << "low" << YAML::Value;
        num(out, d.low) << YAML::Key << "high" << YAML::Value;
        num(out, d.high) << YAML::EndMap << YAML::EndMap;
        return;
    }
}

void emit_ids(YAML::Emitter& out, const std::vector<std::uint64_t>& ids) {
    out << YAML::Flow << YAML::BeginSeq;
    for (auto id : ids)
        out << id;
    out << YAML::EndSeq;
}

const char* rule_name(rule_kind k) {
    switch (k) {
    case rule_kind::all_to_all:
        return "all_to_all";
    case rule_kind::one_to_one:
        return "one_to_one";
    case rule_kind::fixed_probability:
        return "fixed_probability";
    case rule_kind::fixed_indegree:
        return "fixed_indegree";
    case rule_kind::distance_taper:
        return "distance_taper";
    case rule_kind::select_source_cells:
        return "select_source_cells";
    }
    return "";
}

const char* source_name(source_kind k) {
    switch (k) {
    case source_kind::poisson:
        return "poisson";
    case source_kind::poisson_generator:
        return "poisson_generator";
    case source_kind::spike_file:
        return "spike_file";
    case source_kind::netstim:
        return "netstim";
    }
    return "";
}

// Empty maps as `{}` on the key's line.
void begin_map(YAML::Emitter& out, bool empty) {
    if (empty)
        out << YAML::Flow;
    out << YAML::BeginMap;
}

std::string emit(const simulation_config& cfg) {
    YAML::Emitter out;
    out << YAML::Comment("Resolved Laminar config: every default filled in, every override "
                         "applied.");
    out << YAML::BeginMap;

    out << YAML::Key << "run" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "dt" << YAML::Value;
    num(out, cfg.run.dt_ms) << YAML::Key << "tstop" << YAML::Value;
    num(out, cfg.run.tstop_ms);
    out << YAML::Key << "seed" << YAML::Value << cfg.run.seed;
    out << YAML::Key << "threads" << YAML::Value << cfg.run.threads;
    out << YAML::EndMap;

    out << YAML::Key << "models" << YAML::Value;
    begin_map(out, cfg.models.empty());
    for (const auto& m : cfg.models) {
        out << YAML::Key << m.name << YAML::Value << YAML::BeginMap;
        out << YAML::Key << "type" << YAML::Value << m.type;
        out << YAML::Key << "params" << YAML::Value << YAML::Flow << YAML::BeginMap;
        // In the registry's order, which groups related parameters.
        const model::model_info* info = model::find_model(m.type);
        std::vector<std::string> order;
        if (info != nullptr) {
            for (const auto& [name, x] : info->defaults)
                order.push_back(name);
        }
        for (const auto& [name, x] : m.params) {
            if (std::find(order.begin(), order.end(), name) == order.end())
                order.push_back(name);
        }
        for (const auto& name : order) {
            if (auto it = m.params.find(name); it != m.params.end()) {
                out << YAML::Key << name << YAML::Value;
                num(out, it->second);
            }
        }
        out << YAML::EndMap << YAML::EndMap;
    }
    out << YAML::EndMap;

    out << YAML::Key << "populations" << YAML::Value;
    begin_map(out, cfg.populations.empty());
    for (const auto& p : cfg.populations) {
        out << YAML::Key << p.name << YAML::Value << YAML::BeginMap;
        out << YAML::Key << "size" << YAML::Value << p.size;
        out << YAML::Key << "model" << YAML::Value << p.model;
        emit_positions(out, p.positions);
        out << YAML::EndMap;
    }
    out << YAML::EndMap;

    out << YAML::Key << "sources" << YAML::Value;
    begin_map(out, cfg.sources.empty());
    for (const auto& s : cfg.sources) {
        out << YAML::Key << s.name << YAML::Value << YAML::BeginMap;
        out << YAML::Key << "type" << YAML::Value << source_name(s.kind);
        out << YAML::Key << "size" << YAML::Value << s.size;
        if (s.kind == source_kind::spike_file) {
            out << YAML::Key << "path" << YAML::Value << s.spike_file;
            out << YAML::Key << "population" << YAML::Value << s.file_population;
        } else if (s.kind == source_kind::netstim) {
            out << YAML::Key << "interval" << YAML::Value;
            num(out, s.interval_ms) << YAML::Key << "number" << YAML::Value << s.number;
            out << YAML::Key << "start" << YAML::Value;
            num(out, s.start_ms) << YAML::Key << "noise" << YAML::Value;
            num(out, s.noise);
        } else {
            if (s.rates_hz.size() == 1) {
                out << YAML::Key << "rate" << YAML::Value;
                num(out, s.rates_hz.front());
            } else {
                out << YAML::Key << "rates" << YAML::Value << YAML::Flow << YAML::BeginSeq;
                for (double r : s.rates_hz)
                    num(out, r);
                out << YAML::EndSeq;
            }
            out << YAML::Key << "start" << YAML::Value;
            num(out, s.start_ms) << YAML::Key << "stop" << YAML::Value;
            num(out, s.stop_ms);
        }
        if (s.kind != source_kind::poisson_generator)
            emit_positions(out, s.positions);
        out << YAML::EndMap;
    }
    out << YAML::EndMap;

    out << YAML::Key << "projections" << YAML::Value;
    begin_map(out, cfg.projections.empty());
    for (const auto& p : cfg.projections) {
        out << YAML::Key << p.name << YAML::Value << YAML::BeginMap;
        out << YAML::Key << "source" << YAML::Value << p.source;
        out << YAML::Key << "target" << YAML::Value << p.target;
        out << YAML::Key << "rule" << YAML::Value << YAML::Flow << YAML::BeginMap;
        out << YAML::Key << "type" << YAML::Value << rule_name(p.rule.kind);
        switch (p.rule.kind) {
        case rule_kind::all_to_all:
        case rule_kind::one_to_one:
            break;
        case rule_kind::fixed_probability:
            out << YAML::Key << "p" << YAML::Value;
            num(out, p.rule.p);
            break;
        case rule_kind::fixed_indegree:
            out << YAML::Key << "indegree" << YAML::Value << p.rule.indegree;
            out << YAML::Key << "multapses" << YAML::Value << p.rule.multapses;
            break;
        case rule_kind::distance_taper:
            out << YAML::Key << "p_max" << YAML::Value;
            num(out, p.rule.p_max) << YAML::Key << "p_min" << YAML::Value;
            num(out, p.rule.p_min) << YAML::Key << "d_max" << YAML::Value;
            num(out, p.rule.d_max_um);
            break;
        case rule_kind::select_source_cells:
            out << YAML::Key << "nsources" << YAML::Value << YAML::Flow << YAML::BeginSeq
                << p.rule.nsources_low << p.rule.nsources_high << YAML::EndSeq;
            out << YAML::Key << "d_max" << YAML::Value;
            num(out, p.rule.d_max_um);
            out << YAML::Key << "target_space" << YAML::Value << YAML::Flow << YAML::BeginMap
                << YAML::Key << "type" << YAML::Value;
            if (p.rule.target_space.kind == target_space_kind::visual_tan) {
                out << "visual_tan" << YAML::Key << "x_deg_per_um" << YAML::Value;
                num(out, p.rule.target_space.x_deg_per_um)
                    << YAML::Key << "z_deg_per_um" << YAML::Value;
                num(out, p.rule.target_space.z_deg_per_um);
            } else {
                out << "identity";
            }
            out << YAML::EndMap;
            break;
        }
        out << YAML::EndMap;
        out << YAML::Key << "weight" << YAML::Value;
        emit_distribution(out, p.weight);
        out << YAML::Key << "delay" << YAML::Value;
        emit_distribution(out, p.delay_ms);
        out << YAML::Key << "nsyn" << YAML::Value;
        if (p.nsyn.low == p.nsyn.high)
            out << p.nsyn.low;
        else
            out << YAML::Flow << YAML::BeginSeq << p.nsyn.low << p.nsyn.high << YAML::EndSeq;
        out << YAML::Key << "autapses" << YAML::Value << p.autapses;
        if (!p.receptor.empty())
            out << YAML::Key << "receptor" << YAML::Value << p.receptor;
        out << YAML::EndMap;
    }
    out << YAML::EndMap;

    out << YAML::Key << "stimuli" << YAML::Value;
    begin_map(out, cfg.stimuli.empty());
    for (const auto& s : cfg.stimuli) {
        out << YAML::Key << s.name << YAML::Value << YAML::BeginMap;
        out << YAML::Key << "population" << YAML::Value << s.population;
        out << YAML::Key << "amp" << YAML::Value;
        num(out, s.amp_pA) << YAML::Key << "start" << YAML::Value;
        num(out, s.start_ms) << YAML::Key << "stop" << YAML::Value;
        num(out, s.stop_ms);
        out << YAML::Key << "node_ids" << YAML::Value;
        emit_ids(out, s.node_ids);
        out << YAML::EndMap;
    }
    out << YAML::EndMap;

    out << YAML::Key << "record" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "spikes" << YAML::Value;
    if (cfg.record.spikes && !cfg.record.spike_populations.empty()) {
        out << YAML::Flow << YAML::BeginSeq;
        for (const auto& name : cfg.record.spike_populations)
            out << name;
        out << YAML::EndSeq;
    } else {
        out << cfg.record.spikes;
    }
    out << YAML::Key << "v_m" << YAML::Value;
    if (cfg.record.v_m.empty())
        out << YAML::Flow;
    out << YAML::BeginSeq;
    for (const auto& vm : cfg.record.v_m) {
        out << YAML::Flow << YAML::BeginMap;
        out << YAML::Key << "population" << YAML::Value << vm.population;
        out << YAML::Key << "node_ids" << YAML::Value;
        emit_ids(out, vm.node_ids);
        out << YAML::EndMap;
    }
    out << YAML::EndSeq << YAML::EndMap;

    out << YAML::Key << "output" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "dir" << YAML::Value << cfg.output.dir;
    out << YAML::Key << "spikes_file" << YAML::Value << cfg.output.spikes_file;
    out << YAML::Key << "report_file" << YAML::Value << cfg.output.report_file;
    out << YAML::Key << "progress_interval" << YAML::Value;
    num(out, cfg.output.progress_interval_s);
    out << YAML::EndMap;

    out << YAML::EndMap;
    return std::string(out.c_str()) + "\n";
}

simulation_config parse_text(const std::string& text, const std::string& name,
                             const std::filesystem::path& base_dir, const overrides& over) {
    YAML::Node root;
    try {
        root = YAML::Load(text);
    } catch (const YAML::ParserException& e) {
        const std::size_t line = e.mark.is_null() ? 0 : static_cast<std::size_t>(e.mark.line) + 1;
        throw config_error(name, line, "", fmt::format("YAML syntax error: {}", e.msg));
    } catch (const YAML::Exception& e) {
        throw config_error(name, 0, "", fmt::format("cannot parse YAML: {}", e.msg));
    }
    override_log log;
    apply_overrides(root, over, log);
    const reader r(name, log);
    simulation_config cfg;
    cfg.path = name;
    loader(r, base_dir).read(root, cfg);
    cfg.resolved_yaml = emit(cfg);
    return cfg;
}

} // namespace

simulation_config load_config(const std::filesystem::path& file, const overrides& over) {
    const std::string name = file.string();
    std::error_code ec;
    if (std::filesystem::is_directory(file, ec))
        throw config_error(name, 0, "", "cannot read the config: it is a folder, not a file");
    std::ifstream in(file, std::ios::binary);
    if (!in)
        throw config_error(
            name, 0, "",
            fmt::format("cannot read the config file: {}", std::filesystem::exists(file, ec)
                                                               ? "permission denied or not readable"
                                                               : "no such file"));
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad())
        throw config_error(name, 0, "", "cannot read the config file: read error");
    const auto base = std::filesystem::absolute(file, ec).parent_path();
    simulation_config cfg = parse_text(text.str(), name, base, over);
    cfg.path = file;
    return cfg;
}

simulation_config parse_config(const std::string& yaml_text, const std::string& name,
                               const overrides& over) {
    // Relative spike file paths resolve against the folder `name` would be in (the current
    // folder for a bare name).
    std::error_code ec;
    auto base = std::filesystem::absolute(std::filesystem::path(name), ec).parent_path();
    if (ec)
        base = std::filesystem::current_path(ec);
    return parse_text(yaml_text, name, base, over);
}

} // namespace laminar::io
