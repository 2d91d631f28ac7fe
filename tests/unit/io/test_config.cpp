// The YAML config loader on valid input: every field of a full example, defaults, --set and the
// other overrides, file order, spike file paths, and the resolved YAML round trip.
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "laminar/core/error.hpp"
#include "laminar/io/config.hpp"
#include "laminar/model/neuron_group.hpp"

namespace {

using namespace laminar::io;
using ::testing::HasSubstr;

// The example of docs/config.md, with every section.
const char* const full_yaml = R"(run: {dt: 0.1, tstop: 1000.0, seed: 12345, threads: 0}
models:
  exc_cell: {type: iaf_psc_alpha, params: {C_m: 120, tau_m: 24, E_L: -75, V_th: -37, V_reset: -53, t_ref: 3}}
  inh_cell: {type: iaf_psc_exp, params: {tau_m: 7.5}}
populations:
  exc: {size: 8500, model: exc_cell, positions: {type: column, radius: 400, height: 200, center: [0,0,0]}}
  inh: {size: 2500, model: inh_cell, positions: {type: box, min: [0,0,0], max: [100,100,100]}}
  few: {size: 2, model: exc_cell, positions: {type: list, coordinates: [[0,0,0],[1,2,3]]}}
sources:
  ext:  {type: poisson_generator, rate: 20000.0, start: 0, stop: .inf}
  lgn:  {type: poisson, size: 3, rates: [8.0, 9.5, 0], positions: {type: box, min: [0,0,0], max: [1,1,1]}}
  file_in: {type: spike_file, size: 500, path: /data/lgn_spikes.h5, population: lgn}
projections:
  ee:
    source: exc
    target: exc
    rule: {type: fixed_probability, p: 0.1}
    weight: 0.1
    delay: 1.5
    nsyn: 1
    autapses: false
  ie:
    source: inh
    target: exc
    rule: {type: fixed_indegree, indegree: 250, multapses: false}
    weight: {normal: {mean: -0.5, std: 0.05, high: 0}}
    delay: {uniform: {low: 0.8, high: 2.4}}
    nsyn: [2, 5]
  lgn_exc:
    source: lgn
    target: exc
    rule: {type: distance_taper, p_max: 0.5, p_min: 0.01, d_max: 150}
    weight: 2.5
    delay: {normal: {mean: 2, std: 0.5, low: 0.1}}
  drive:
    source: ext
    target: inh
    rule: all_to_all
    weight: 1.0
    delay: 0.1
  pairs:
    source: few
    target: few
    rule: {type: one_to_one}
    weight: 3
    delay: 1
    autapses: true
stimuli:
  perturb: {population: exc, amp: 0.0, start: 0.0, stop: .inf, node_ids: [0, 5]}
  kick: {population: inh, amp: -12.5, start: 100, stop: 200}
record:
  spikes: [exc, lgn]
  v_m: [{population: exc, node_ids: [0, 1, 2]}, {population: few, node_ids: [1]}]
output: {dir: out, spikes_file: s.h5, report_file: r.h5, progress_interval: 2.5}
)";

const char* const minimal_yaml = R"(models:
  cell: {type: iaf_psc_delta}
populations:
  only: {size: 4, model: cell}
)";

void expect_same(const positions_config& a, const positions_config& b) {
    EXPECT_EQ(a.kind, b.kind);
    EXPECT_EQ(a.min, b.min);
    EXPECT_EQ(a.max, b.max);
    EXPECT_EQ(a.center, b.center);
    EXPECT_EQ(a.radius_um, b.radius_um);
    EXPECT_EQ(a.height_um, b.height_um);
    EXPECT_EQ(a.list, b.list);
}

void expect_same(const distribution_config& a, const distribution_config& b) {
    EXPECT_EQ(a.kind, b.kind);
    EXPECT_EQ(a.value, b.value);
    EXPECT_EQ(a.low, b.low);
    EXPECT_EQ(a.high, b.high);
    EXPECT_EQ(a.mean, b.mean);
    EXPECT_EQ(a.std, b.std);
}

// Every field but path (the name given) and resolved_yaml (compared by the callers).
void expect_same(const simulation_config& a, const simulation_config& b) {
    EXPECT_EQ(a.run.dt_ms, b.run.dt_ms);
    EXPECT_EQ(a.run.tstop_ms, b.run.tstop_ms);
    EXPECT_EQ(a.run.seed, b.run.seed);
    EXPECT_EQ(a.run.threads, b.run.threads);
    ASSERT_EQ(a.models.size(), b.models.size());
    for (std::size_t i = 0; i < a.models.size(); ++i) {
        EXPECT_EQ(a.models[i].name, b.models[i].name);
        EXPECT_EQ(a.models[i].type, b.models[i].type);
        EXPECT_EQ(a.models[i].params, b.models[i].params);
    }
    ASSERT_EQ(a.populations.size(), b.populations.size());
    for (std::size_t i = 0; i < a.populations.size(); ++i) {
        EXPECT_EQ(a.populations[i].name, b.populations[i].name);
        EXPECT_EQ(a.populations[i].size, b.populations[i].size);
        EXPECT_EQ(a.populations[i].model, b.populations[i].model);
        expect_same(a.populations[i].positions, b.populations[i].positions);
    }
    ASSERT_EQ(a.sources.size(), b.sources.size());
    for (std::size_t i = 0; i < a.sources.size(); ++i) {
        const auto& x = a.sources[i];
        const auto& y = b.sources[i];
        EXPECT_EQ(x.name, y.name);
        EXPECT_EQ(x.kind, y.kind);
        EXPECT_EQ(x.size, y.size);
        EXPECT_EQ(x.rates_hz, y.rates_hz);
        EXPECT_EQ(x.start_ms, y.start_ms);
        EXPECT_EQ(x.stop_ms, y.stop_ms);
        EXPECT_EQ(x.spike_file, y.spike_file);
        EXPECT_EQ(x.file_population, y.file_population);
        expect_same(x.positions, y.positions);
    }
    ASSERT_EQ(a.projections.size(), b.projections.size());
    for (std::size_t i = 0; i < a.projections.size(); ++i) {
        const auto& x = a.projections[i];
        const auto& y = b.projections[i];
        EXPECT_EQ(x.name, y.name);
        EXPECT_EQ(x.source, y.source);
        EXPECT_EQ(x.target, y.target);
        EXPECT_EQ(x.rule.kind, y.rule.kind);
        EXPECT_EQ(x.rule.p, y.rule.p);
        EXPECT_EQ(x.rule.indegree, y.rule.indegree);
        EXPECT_EQ(x.rule.multapses, y.rule.multapses);
        EXPECT_EQ(x.rule.p_max, y.rule.p_max);
        EXPECT_EQ(x.rule.p_min, y.rule.p_min);
        EXPECT_EQ(x.rule.d_max_um, y.rule.d_max_um);
        EXPECT_EQ(x.rule.nsources_low, y.rule.nsources_low);
        EXPECT_EQ(x.rule.nsources_high, y.rule.nsources_high);
        EXPECT_EQ(x.rule.target_space.kind, y.rule.target_space.kind);
        EXPECT_EQ(x.rule.target_space.x_deg_per_um, y.rule.target_space.x_deg_per_um);
        EXPECT_EQ(x.rule.target_space.z_deg_per_um, y.rule.target_space.z_deg_per_um);
        expect_same(x.weight, y.weight);
        expect_same(x.delay_ms, y.delay_ms);
        EXPECT_EQ(x.nsyn.low, y.nsyn.low);
        EXPECT_EQ(x.nsyn.high, y.nsyn.high);
        EXPECT_EQ(x.autapses, y.autapses);
    }
    ASSERT_EQ(a.stimuli.size(), b.stimuli.size());
    for (std::size_t i = 0; i < a.stimuli.size(); ++i) {
        EXPECT_EQ(a.stimuli[i].name, b.stimuli[i].name);
        EXPECT_EQ(a.stimuli[i].population, b.stimuli[i].population);
        EXPECT_EQ(a.stimuli[i].node_ids, b.stimuli[i].node_ids);
        EXPECT_EQ(a.stimuli[i].amp_pA, b.stimuli[i].amp_pA);
        EXPECT_EQ(a.stimuli[i].start_ms, b.stimuli[i].start_ms);
        EXPECT_EQ(a.stimuli[i].stop_ms, b.stimuli[i].stop_ms);
    }
    EXPECT_EQ(a.record.spikes, b.record.spikes);
    EXPECT_EQ(a.record.spike_populations, b.record.spike_populations);
    ASSERT_EQ(a.record.v_m.size(), b.record.v_m.size());
    for (std::size_t i = 0; i < a.record.v_m.size(); ++i) {
        EXPECT_EQ(a.record.v_m[i].population, b.record.v_m[i].population);
        EXPECT_EQ(a.record.v_m[i].node_ids, b.record.v_m[i].node_ids);
    }
    EXPECT_EQ(a.output.dir, b.output.dir);
    EXPECT_EQ(a.output.spikes_file, b.output.spikes_file);
    EXPECT_EQ(a.output.report_file, b.output.report_file);
    EXPECT_EQ(a.output.progress_interval_s, b.output.progress_interval_s);
}

// A fresh folder under the system temp folder, removed at the end of the test.
class temp_dir {
public:
    temp_dir() {
        std::string pattern =
            (std::filesystem::temp_directory_path() / "laminar_config_XXXXXX").string();
        path_ = ::mkdtemp(pattern.data());
    }
    ~temp_dir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

void write_file(const std::filesystem::path& p, const std::string& text) {
    std::ofstream out(p);
    out << text;
}

TEST(Config, ParsesEveryFieldOfAFullExample) {
    const simulation_config c = parse_config(full_yaml, "full.yaml");
    EXPECT_EQ(c.path, std::filesystem::path("full.yaml"));
    EXPECT_EQ(c.run.dt_ms, 0.1);
    EXPECT_EQ(c.run.tstop_ms, 1000.0);
    EXPECT_EQ(c.run.seed, 12345u);
    EXPECT_EQ(c.run.threads, 0);

    ASSERT_EQ(c.models.size(), 2u);
    const model_config& exc_cell = c.models[0];
    EXPECT_EQ(exc_cell.name, "exc_cell");
    EXPECT_EQ(exc_cell.type, "iaf_psc_alpha");
    EXPECT_EQ(exc_cell.params.at("C_m"), 120.0);
    EXPECT_EQ(exc_cell.params.at("tau_m"), 24.0);
    EXPECT_EQ(exc_cell.params.at("E_L"), -75.0);
    EXPECT_EQ(exc_cell.params.at("V_th"), -37.0);
    EXPECT_EQ(exc_cell.params.at("V_reset"), -53.0);
    EXPECT_EQ(exc_cell.params.at("t_ref"), 3.0);
    EXPECT_EQ(exc_cell.mark.line, 3u);
    EXPECT_EQ(c.models[1].name, "inh_cell");
    EXPECT_EQ(c.models[1].type, "iaf_psc_exp");
    EXPECT_EQ(c.models[1].params.at("tau_m"), 7.5);

    ASSERT_EQ(c.populations.size(), 3u);
    const population_config& exc = c.populations[0];
    EXPECT_EQ(exc.name, "exc");
    EXPECT_EQ(exc.size, 8500u);
    EXPECT_EQ(exc.model, "exc_cell");
    EXPECT_EQ(exc.mark.line, 6u);
    EXPECT_EQ(exc.positions.kind, position_kind::column);
    EXPECT_EQ(exc.positions.radius_um, 400.0);
    EXPECT_EQ(exc.positions.height_um, 200.0);
    EXPECT_EQ(exc.positions.center, (std::array<double, 3>{0, 0, 0}));
    const population_config& inh = c.populations[1];
    EXPECT_EQ(inh.name, "inh");
    EXPECT_EQ(inh.size, 2500u);
    EXPECT_EQ(inh.model, "inh_cell");
    EXPECT_EQ(inh.positions.kind, position_kind::box);
    EXPECT_EQ(inh.positions.min, (std::array<double, 3>{0, 0, 0}));
    EXPECT_EQ(inh.positions.max, (std::array<double, 3>{100, 100, 100}));
    const population_config& few = c.populations[2];
    EXPECT_EQ(few.positions.kind, position_kind::list);
    ASSERT_EQ(few.positions.list.size(), 2u);
    EXPECT_EQ(few.positions.list[1], (std::array<double, 3>{1, 2, 3}));

    ASSERT_EQ(c.sources.size(), 3u);
    const source_config& ext = c.sources[0];
    EXPECT_EQ(ext.name, "ext");
    EXPECT_EQ(ext.kind, source_kind::poisson_generator);
    EXPECT_EQ(ext.size, 1u);
    EXPECT_EQ(ext.rates_hz, std::vector<double>{20000.0});
    EXPECT_EQ(ext.start_ms, 0.0);
    EXPECT_EQ(ext.stop_ms, infinity);
    const source_config& lgn = c.sources[1];
    EXPECT_EQ(lgn.kind, source_kind::poisson);
    EXPECT_EQ(lgn.size, 3u);
    EXPECT_EQ(lgn.rates_hz, (std::vector<double>{8.0, 9.5, 0.0}));
    EXPECT_EQ(lgn.positions.kind, position_kind::box);
    const source_config& file_in = c.sources[2];
    EXPECT_EQ(file_in.kind, source_kind::spike_file);
    EXPECT_EQ(file_in.size, 500u);
    EXPECT_EQ(file_in.spike_file, "/data/lgn_spikes.h5");
    EXPECT_EQ(file_in.file_population, "lgn");
    EXPECT_TRUE(file_in.rates_hz.empty());

    ASSERT_EQ(c.projections.size(), 5u);
    const projection_config& ee = c.projections[0];
    EXPECT_EQ(ee.name, "ee");
    EXPECT_EQ(ee.source, "exc");
    EXPECT_EQ(ee.target, "exc");
    EXPECT_EQ(ee.rule.kind, rule_kind::fixed_probability);
    EXPECT_EQ(ee.rule.p, 0.1);
    EXPECT_EQ(ee.weight.kind, distribution_kind::constant);
    EXPECT_EQ(ee.weight.value, 0.1);
    EXPECT_EQ(ee.delay_ms.kind, distribution_kind::constant);
    EXPECT_EQ(ee.delay_ms.value, 1.5);
    EXPECT_EQ(ee.nsyn.low, 1);
    EXPECT_EQ(ee.nsyn.high, 1);
    EXPECT_FALSE(ee.autapses);
    EXPECT_EQ(ee.mark.line, 14u);
    const projection_config& ie = c.projections[1];
    EXPECT_EQ(ie.rule.kind, rule_kind::fixed_indegree);
    EXPECT_EQ(ie.rule.indegree, 250u);
    EXPECT_FALSE(ie.rule.multapses);
    EXPECT_EQ(ie.weight.kind, distribution_kind::normal);
    EXPECT_EQ(ie.weight.mean, -0.5);
    EXPECT_EQ(ie.weight.std, 0.05);
    EXPECT_EQ(ie.weight.low, -infinity);
    EXPECT_EQ(ie.weight.high, 0.0);
    EXPECT_EQ(ie.delay_ms.kind, distribution_kind::uniform);
    EXPECT_EQ(ie.delay_ms.low, 0.8);
    EXPECT_EQ(ie.delay_ms.high, 2.4);
    EXPECT_EQ(ie.nsyn.low, 2);
    EXPECT_EQ(ie.nsyn.high, 5);
    const projection_config& lgn_exc = c.projections[2];
    EXPECT_EQ(lgn_exc.rule.kind, rule_kind::distance_taper);
    EXPECT_EQ(lgn_exc.rule.p_max, 0.5);
    EXPECT_EQ(lgn_exc.rule.p_min, 0.01);
    EXPECT_EQ(lgn_exc.rule.d_max_um, 150.0);
    EXPECT_EQ(lgn_exc.delay_ms.kind, distribution_kind::normal);
    EXPECT_EQ(lgn_exc.delay_ms.low, 0.1);
    EXPECT_EQ(lgn_exc.delay_ms.high, infinity);
    EXPECT_EQ(c.projections[3].rule.kind, rule_kind::all_to_all);
    EXPECT_EQ(c.projections[3].source, "ext");
    EXPECT_EQ(c.projections[4].rule.kind, rule_kind::one_to_one);
    EXPECT_TRUE(c.projections[4].autapses);

    ASSERT_EQ(c.stimuli.size(), 2u);
    const stimulus_config& perturb = c.stimuli[0];
    EXPECT_EQ(perturb.name, "perturb");
    EXPECT_EQ(perturb.population, "exc");
    EXPECT_EQ(perturb.amp_pA, 0.0);
    EXPECT_EQ(perturb.start_ms, 0.0);
    EXPECT_EQ(perturb.stop_ms, infinity);
    EXPECT_EQ(perturb.node_ids, (std::vector<std::uint64_t>{0, 5}));
    const stimulus_config& kick = c.stimuli[1];
    EXPECT_EQ(kick.amp_pA, -12.5);
    EXPECT_EQ(kick.start_ms, 100.0);
    EXPECT_EQ(kick.stop_ms, 200.0);
    EXPECT_TRUE(kick.node_ids.empty());

    EXPECT_TRUE(c.record.spikes);
    EXPECT_EQ(c.record.spike_populations, (std::vector<std::string>{"exc", "lgn"}));
    ASSERT_EQ(c.record.v_m.size(), 2u);
    EXPECT_EQ(c.record.v_m[0].population, "exc");
    EXPECT_EQ(c.record.v_m[0].node_ids, (std::vector<std::uint64_t>{0, 1, 2}));
    EXPECT_EQ(c.record.v_m[1].population, "few");

    EXPECT_EQ(c.output.dir, "out");
    EXPECT_EQ(c.output.spikes_file, "s.h5");
    EXPECT_EQ(c.output.report_file, "r.h5");
    EXPECT_EQ(c.output.progress_interval_s, 2.5);

    EXPECT_EQ(c.find_model("inh_cell"), &c.models[1]);
    EXPECT_EQ(c.find_population("few"), &c.populations[2]);
    EXPECT_EQ(c.find_source("lgn"), &c.sources[1]);
    EXPECT_EQ(c.find_population("lgn"), nullptr);
    EXPECT_EQ(c.find_source("exc"), nullptr);
}

TEST(Config, FillsDefaultsOfAMinimalConfig) {
    const simulation_config c = parse_config(minimal_yaml, "min.yaml");
    const run_config run;
    EXPECT_EQ(c.run.dt_ms, run.dt_ms);
    EXPECT_EQ(c.run.tstop_ms, run.tstop_ms);
    EXPECT_EQ(c.run.seed, run.seed);
    EXPECT_EQ(c.run.threads, run.threads);
    ASSERT_EQ(c.populations.size(), 1u);
    EXPECT_EQ(c.populations[0].positions.kind, position_kind::none);
    EXPECT_TRUE(c.sources.empty());
    EXPECT_TRUE(c.projections.empty());
    EXPECT_TRUE(c.stimuli.empty());
    EXPECT_TRUE(c.record.spikes);
    EXPECT_TRUE(c.record.spike_populations.empty());
    EXPECT_TRUE(c.record.v_m.empty());
    const output_config out;
    EXPECT_EQ(c.output.dir, out.dir);
    EXPECT_EQ(c.output.spikes_file, out.spikes_file);
    EXPECT_EQ(c.output.report_file, out.report_file);
    EXPECT_EQ(c.output.progress_interval_s, out.progress_interval_s);
}

TEST(Config, FillsProjectionAndSourceDefaults) {
    const simulation_config c = parse_config(std::string(minimal_yaml) + R"(sources:
  bg: {type: poisson, rate: 5}
projections:
  p: {source: bg, target: only, weight: 1, delay: 1}
stimuli:
  s: {population: only, amp: 10}
)",
                                             "d.yaml");
    const source_config& bg = c.sources.at(0);
    EXPECT_EQ(bg.size, 1u);
    EXPECT_EQ(bg.start_ms, 0.0);
    EXPECT_EQ(bg.stop_ms, infinity);
    EXPECT_EQ(bg.positions.kind, position_kind::none);
    const projection_config& p = c.projections.at(0);
    EXPECT_EQ(p.rule.kind, rule_kind::all_to_all);
    EXPECT_EQ(p.nsyn.low, 1);
    EXPECT_EQ(p.nsyn.high, 1);
    EXPECT_FALSE(p.autapses);
    const stimulus_config& s = c.stimuli.at(0);
    EXPECT_EQ(s.start_ms, 0.0);
    EXPECT_EQ(s.stop_ms, infinity);
    EXPECT_TRUE(s.node_ids.empty());
}

TEST(Config, MergesModelParamsWithTheRegistryDefaults) {
    const simulation_config c = parse_config(full_yaml, "full.yaml");
    const auto* info = laminar::model::find_model("iaf_psc_alpha");
    ASSERT_NE(info, nullptr);
    const model_config& m = c.models[0];
    EXPECT_EQ(m.params.size(), info->defaults.size());
    for (const auto& [name, x] : info->defaults)
        EXPECT_TRUE(m.params.count(name)) << name;
    EXPECT_EQ(m.params.at("tau_syn_ex"), 2.0); // a default
    EXPECT_EQ(m.params.at("C_m"), 120.0);      // given
    EXPECT_EQ(m.params.at("V_min"), -infinity);
}

TEST(Config, AcceptsEmptySections) {
    const simulation_config c = parse_config(std::string(minimal_yaml) + R"(sources: {}
projections: {}
stimuli:
record:
output: {}
)",
                                             "e.yaml");
    EXPECT_TRUE(c.sources.empty());
    EXPECT_TRUE(c.projections.empty());
    EXPECT_TRUE(c.stimuli.empty());
    EXPECT_TRUE(c.record.spikes);
}

TEST(Config, KeepsTheFileOrderOfEveryMap) {
    const simulation_config c = parse_config(R"(models:
  zeta: {type: iaf_psc_delta}
  alpha: {type: iaf_psc_exp}
populations:
  z: {size: 1, model: alpha}
  a: {size: 2, model: zeta}
  m: {size: 3, model: zeta}
)",
                                             "o.yaml");
    ASSERT_EQ(c.models.size(), 2u);
    EXPECT_EQ(c.models[0].name, "zeta");
    EXPECT_EQ(c.models[1].name, "alpha");
    ASSERT_EQ(c.populations.size(), 3u);
    EXPECT_EQ(c.populations[0].name, "z");
    EXPECT_EQ(c.populations[1].name, "a");
    EXPECT_EQ(c.populations[2].name, "m");
}

TEST(Config, RecordSpikesFalseAndEmptyList) {
    const auto off = parse_config(std::string(minimal_yaml) + "record: {spikes: false}\n", "r");
    EXPECT_FALSE(off.record.spikes);
    const auto none = parse_config(std::string(minimal_yaml) + "record: {spikes: []}\n", "r");
    EXPECT_FALSE(none.record.spikes);
    EXPECT_TRUE(none.record.spike_populations.empty());
}

TEST(ConfigOverrides, SetReachesANestedItem) {
    overrides over;
    over.set = {"stimuli.perturb.amp=230", "populations.inh.size=300",
                "sources.lgn.rates=[1, 2, 3]", "run.dt=0.025"};
    const simulation_config c = parse_config(full_yaml, "full.yaml", over);
    EXPECT_EQ(c.stimuli[0].amp_pA, 230.0);
    EXPECT_EQ(c.populations[1].size, 300u);
    EXPECT_EQ(c.sources[1].rates_hz, (std::vector<double>{1, 2, 3}));
    EXPECT_EQ(c.run.dt_ms, 0.025);
    // Untouched neighbours stay.
    EXPECT_EQ(c.stimuli[0].node_ids, (std::vector<std::uint64_t>{0, 5}));
}

TEST(ConfigOverrides, SetReplacesAValueByADistribution) {
    overrides over;
    over.set = {"projections.ee.weight={normal: {mean: 1, std: 0.1, low: 0}}"};
    const simulation_config c = parse_config(full_yaml, "full.yaml", over);
    const distribution_config& w = c.projections[0].weight;
    EXPECT_EQ(w.kind, distribution_kind::normal);
    EXPECT_EQ(w.mean, 1.0);
    EXPECT_EQ(w.std, 0.1);
    EXPECT_EQ(w.low, 0.0);
    EXPECT_EQ(w.high, infinity);
}

TEST(ConfigOverrides, SetParsesValuesAsYaml) {
    overrides over;
    over.set = {"stimuli.kick.stop=.inf",
                "populations.few.model=inh_cell",
                "projections.ee.rule={type: all_to_all}",
                "projections.ee.nsyn=[1, 3]",
                "projections.ee.autapses=true",
                "output.dir=a=b"};
    const simulation_config c = parse_config(full_yaml, "full.yaml", over);
    EXPECT_EQ(c.stimuli[1].stop_ms, infinity);
    EXPECT_EQ(c.populations[2].model, "inh_cell");
    EXPECT_EQ(c.projections[0].rule.kind, rule_kind::all_to_all);
    EXPECT_EQ(c.projections[0].nsyn.high, 3);
    EXPECT_TRUE(c.projections[0].autapses);
    EXPECT_EQ(c.output.dir, "a=b"); // split at the first '='
}

TEST(ConfigOverrides, SetCreatesMissingLeavesAndMaps) {
    overrides over;
    over.set = {"run.seed=99", "stimuli.s.population=only", "stimuli.s.amp=5",
                "stimuli.s.node_ids=[3]", "output.progress_interval=1"};
    const simulation_config c = parse_config(minimal_yaml, "min.yaml", over);
    EXPECT_EQ(c.run.seed, 99u);
    ASSERT_EQ(c.stimuli.size(), 1u);
    EXPECT_EQ(c.stimuli[0].name, "s");
    EXPECT_EQ(c.stimuli[0].amp_pA, 5.0);
    EXPECT_EQ(c.stimuli[0].node_ids, std::vector<std::uint64_t>{3});
    EXPECT_EQ(c.output.progress_interval_s, 1.0);
}

TEST(ConfigOverrides, DedicatedOptionsWinOverSet) {
    overrides over;
    over.set = {"run.seed=1", "run.tstop=5", "run.threads=2", "output.dir=x"};
    over.seed = 7;
    over.tstop_ms = 250.5;
    over.threads = 4;
    over.output_dir = "results/run1";
    const simulation_config c = parse_config(full_yaml, "full.yaml", over);
    EXPECT_EQ(c.run.seed, 7u);
    EXPECT_EQ(c.run.tstop_ms, 250.5);
    EXPECT_EQ(c.run.threads, 4);
    EXPECT_EQ(c.output.dir, "results/run1");
}

TEST(ConfigResolved, RoundTripsToAnIdenticalConfig) {
    overrides over;
    over.set = {"projections.ee.weight={uniform: {low: 0.1, high: 0.30000000000000004}}",
                "stimuli.perturb.amp=0.1", "run.tstop=333.33333333333331"};
    over.seed = 18446744073709551615ull;
    const simulation_config a = parse_config(full_yaml, "full.yaml", over);
    const simulation_config b = parse_config(a.resolved_yaml, "resolved.yaml");
    expect_same(a, b);
    EXPECT_EQ(a.resolved_yaml, b.resolved_yaml);
    EXPECT_EQ(b.projections[0].weight.high, 0.1 + 0.2);
    EXPECT_EQ(b.run.tstop_ms, 1000.0 / 3.0);
    EXPECT_EQ(b.run.seed, 18446744073709551615ull);
}

TEST(ConfigResolved, RoundTripsAMinimalConfig) {
    const simulation_config a = parse_config(minimal_yaml, "min.yaml");
    const simulation_config b = parse_config(a.resolved_yaml, "resolved.yaml");
    expect_same(a, b);
    EXPECT_EQ(a.resolved_yaml, b.resolved_yaml);
}

TEST(ConfigResolved, RoundTripsAwkwardNumbers) {
    overrides over;
    over.set = {"stimuli.s={population: only, amp: 1e-300, start: 0.30000000000000004}",
                "models.cell.params={V_min: -.inf, E_L: -70.123456789012345, V_th: 1.5e-7}",
                "record.spikes=false", "sources.b={type: poisson, size: 2, rates: [0.1, 7]}",
                "output.progress_interval=.inf"};
    const simulation_config a = parse_config(minimal_yaml, "min.yaml", over);
    const simulation_config b = parse_config(a.resolved_yaml, "resolved.yaml");
    expect_same(a, b);
    EXPECT_EQ(a.resolved_yaml, b.resolved_yaml);
    EXPECT_EQ(b.stimuli[0].amp_pA, 1e-300);
    EXPECT_EQ(b.models[0].params.at("E_L"), -70.123456789012345);
}

TEST(ConfigResolved, ShowsEveryDefault) {
    const simulation_config c = parse_config(minimal_yaml, "min.yaml");
    const std::string& y = c.resolved_yaml;
    for (const char* text :
         {"dt: 0.1", "tstop: 1000", "seed: 12345", "threads: 0", "V_min: -.inf",
          "refractory_input: 0", "tau_m: 10", "positions: {type: none}", "sources: {}",
          "projections: {}", "stimuli: {}", "spikes: true", "v_m: []", "dir: output",
          "spikes_file: spikes.h5", "report_file: v_report.h5", "progress_interval: 5"}) {
        EXPECT_THAT(y, HasSubstr(text));
    }
}

TEST(ConfigResolved, StoresSpikeFilePathsResolved) {
    const temp_dir dir;
    std::filesystem::create_directories(dir.path() / "net" / "inputs");
    const std::filesystem::path file = dir.path() / "net" / "sim.yaml";
    write_file(file, std::string(minimal_yaml) + R"(sources:
  f: {type: spike_file, size: 3, path: ./inputs/../inputs/lgn.h5}
)");
    const simulation_config c = load_config(file);
    const std::string expected = (dir.path() / "net" / "inputs" / "lgn.h5").string();
    EXPECT_EQ(c.sources[0].spike_file, expected);
    EXPECT_EQ(c.sources[0].file_population, "");
    EXPECT_THAT(c.resolved_yaml, HasSubstr(expected));
    // Re-read from elsewhere: the absolute path stays.
    const simulation_config b = parse_config(c.resolved_yaml, "/somewhere/else.yaml");
    EXPECT_EQ(b.sources[0].spike_file, expected);
}

TEST(Config, LoadConfigReadsAFile) {
    const temp_dir dir;
    const std::filesystem::path file = dir.path() / "full.yaml";
    write_file(file, full_yaml);
    overrides over;
    over.set = {"stimuli.perturb.amp=230"};
    const simulation_config c = load_config(file, over);
    EXPECT_EQ(c.path, file);
    EXPECT_EQ(c.stimuli[0].amp_pA, 230.0);
    EXPECT_EQ(c.populations.size(), 3u);
}

TEST(Config, ExampleOfTheDocsIsValid) {
    std::ifstream in(std::string(LAMINAR_SOURCE_DIR) + "/docs/config.md");
    ASSERT_TRUE(in) << "docs/config.md not found";
    std::stringstream all;
    all << in.rdbuf();
    const std::string text = all.str();
    const auto begin = text.find("```yaml\n");
    ASSERT_NE(begin, std::string::npos);
    const auto end = text.find("```", begin + 8);
    const std::string example = text.substr(begin + 8, end - begin - 8);
    const simulation_config c = parse_config(example, "/docs/example.yaml");
    EXPECT_EQ(c.populations.size(), 2u);
    EXPECT_EQ(c.projections.size(), 3u);
    EXPECT_EQ(c.sources.at(1).spike_file, "/docs/inputs/lgn_spikes.h5");
}

TEST(Config, RuleMayBeWrittenAsItsName) {
    const simulation_config c = parse_config(std::string(minimal_yaml) + R"(projections:
  p: {source: only, target: only, rule: one_to_one, weight: 1, delay: 1, autapses: true}
)",
                                             "r.yaml");
    EXPECT_EQ(c.projections[0].rule.kind, rule_kind::one_to_one);
}

TEST(Config, DelayOfExactlyOneStepIsAccepted) {
    const simulation_config c = parse_config(std::string(minimal_yaml) + R"(run: {dt: 0.25}
projections:
  p: {source: only, target: only, weight: 1, delay: 0.25}
)",
                                             "r.yaml");
    EXPECT_EQ(c.projections[0].delay_ms.value, 0.25);
}

TEST(Config, SelectSourceCellsRule) {
    const std::string text = R"(models:
  cell: {type: iaf_psc_delta}
populations:
  only: {size: 4, model: cell}
  v1: {size: 3, model: cell, positions: {type: column, radius: 100, height: 10}}
sources:
  lgn: {type: poisson, size: 50, rate: 7, positions: {type: box, min: [-9, -9, 0], max: [9, 9, 0]}}
projections:
  a: {source: lgn, target: v1, weight: 1, delay: 1, nsyn: [3, 11],
      rule: {type: select_source_cells, nsources: [10, 29], d_max: 300,
             target_space: {type: visual_tan, x_deg_per_um: 0.07, z_deg_per_um: 0.04}}}
  b: {source: only, target: only, weight: 1, delay: 1,
      rule: {type: select_source_cells, nsources: 3}}
)";
    const simulation_config a = parse_config(text, "s.yaml");
    const auto& r = a.projections[0].rule;
    EXPECT_EQ(r.kind, rule_kind::select_source_cells);
    EXPECT_EQ(r.nsources_low, 10u);
    EXPECT_EQ(r.nsources_high, 29u);
    EXPECT_EQ(r.d_max_um, 300.0);
    EXPECT_EQ(r.target_space.kind, target_space_kind::visual_tan);
    EXPECT_EQ(r.target_space.x_deg_per_um, 0.07);
    EXPECT_EQ(r.target_space.z_deg_per_um, 0.04);
    const auto& d = a.projections[1].rule;
    EXPECT_EQ(d.nsources_low, 3u);
    EXPECT_EQ(d.nsources_high, 3u);
    EXPECT_TRUE(std::isinf(d.d_max_um)) << "no distance limit by default";
    EXPECT_EQ(d.target_space.kind, target_space_kind::identity);
    const simulation_config b = parse_config(a.resolved_yaml, "resolved.yaml");
    expect_same(a, b);
    EXPECT_EQ(a.resolved_yaml, b.resolved_yaml);
}

} // namespace
