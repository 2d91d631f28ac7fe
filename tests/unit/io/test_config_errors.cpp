// The YAML config loader on bad input: one test per kind of mistake, each checking that the
// message names the file, the line (when it comes from the file), the key path and the problem.
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "laminar/core/error.hpp"
#include "laminar/io/config.hpp"

namespace {

using laminar::config_error;
using namespace laminar::io;
using ::testing::HasSubstr;
using ::testing::Not;

// Seven lines; tests append from line 8: new sections, or items of the last section.
const std::string base = R"(models:
  cell: {type: iaf_psc_alpha}
sources:
  lgn: {type: poisson, size: 4, rate: 5}
populations:
  exc: {size: 10, model: cell, positions: {type: box, min: [0,0,0], max: [10,10,10]}}
  inh: {size: 5, model: cell}
)";
// The same network with sources last, to append sources.
const std::string base_sources = R"(models:
  cell: {type: iaf_psc_alpha}
populations:
  exc: {size: 10, model: cell, positions: {type: box, min: [0,0,0], max: [10,10,10]}}
  inh: {size: 5, model: cell}
sources:
  lgn: {type: poisson, size: 4, rate: 5}
)";

config_error error_of(const std::string& yaml, const overrides& over = {}) {
    try {
        parse_config(yaml, "net.yaml", over);
    } catch (const config_error& e) {
        return e;
    }
    ADD_FAILURE() << "no config_error for:\n" << yaml;
    return config_error("", 0, "", "");
}

// The structured fields and the message: file, line (when from the file), key and problem words.
void expect_error(const config_error& e, const std::string& file, std::size_t line,
                  const std::string& key, const std::vector<std::string>& words) {
    const std::string what = e.what();
    EXPECT_EQ(e.file(), file) << what;
    EXPECT_EQ(e.line(), line) << what;
    EXPECT_EQ(e.key(), key) << what;
    EXPECT_THAT(what, HasSubstr(line > 0 ? file + ":" + std::to_string(line) + ":" : file));
    EXPECT_THAT(what, HasSubstr(key));
    for (const auto& w : words)
        EXPECT_THAT(what, HasSubstr(w));
    EXPECT_THAT(what, Not(HasSubstr("\n")));
}

void expect_error(const std::string& yaml, std::size_t line, const std::string& key,
                  const std::vector<std::string>& words) {
    expect_error(error_of(yaml), "net.yaml", line, key, words);
}

TEST(ConfigErrors, BaseConfigIsValid) {
    EXPECT_NO_THROW(parse_config(base, "net.yaml"));
    EXPECT_NO_THROW(parse_config(base_sources, "net.yaml"));
}

TEST(ConfigErrors, UnreadableFile) {
    const auto missing = std::filesystem::temp_directory_path() / "laminar_no_such_config.yaml";
    try {
        load_config(missing);
        FAIL() << "no error";
    } catch (const config_error& e) {
        EXPECT_EQ(e.file(), missing.string());
        EXPECT_EQ(e.line(), 0u);
        EXPECT_THAT(e.what(), HasSubstr(missing.string()));
        EXPECT_THAT(e.what(), HasSubstr("cannot read"));
        EXPECT_THAT(e.what(), HasSubstr("no such file"));
    }
    try {
        load_config(std::filesystem::temp_directory_path());
        FAIL() << "no error";
    } catch (const config_error& e) {
        EXPECT_THAT(e.what(), HasSubstr("folder, not a file"));
    }
}

TEST(ConfigErrors, YamlSyntaxError) {
    const auto e = error_of(base + "projections:\n  ee: {source: exc, target: [exc\n");
    EXPECT_EQ(e.file(), "net.yaml");
    EXPECT_GE(e.line(), 9u);
    EXPECT_THAT(e.what(), HasSubstr("net.yaml:" + std::to_string(e.line())));
    EXPECT_THAT(e.what(), HasSubstr("YAML syntax error"));
    const auto tab = error_of("run:\n  dt: 0.1\n   tstop: [\n");
    EXPECT_THAT(tab.what(), HasSubstr("YAML syntax error"));
    EXPECT_GE(tab.line(), 2u);
}

TEST(ConfigErrors, UnknownTopLevelSection) {
    expect_error(base + "recording: {spikes: true}\n", 8, "recording",
                 {"unknown key 'recording'", "allowed: run, models, populations, sources, "
                                             "projections, stimuli, record, output"});
}

TEST(ConfigErrors, UnknownNestedKey) {
    expect_error(base + "run: {dt: 0.1, tsop: 100}\n", 8, "run.tsop",
                 {"unknown key 'tsop'", "allowed: dt, tstop, seed, threads"});
    expect_error(base + R"(projections:
  ee:
    source: exc
    target: exc
    rule: {type: fixed_probability, p: 0.1, q: 3}
    weight: 1
    delay: 1
)",
                 12, "projections.ee.rule.q", {"unknown key 'q'", "allowed: type, p"});
    expect_error(base + "stimuli:\n  s: {population: exc, amp: 1, amplitude: 2}\n", 9,
                 "stimuli.s.amplitude", {"allowed: population, amp, start, stop, node_ids"});
}

TEST(ConfigErrors, DuplicateKey) {
    expect_error(base + "run:\n  dt: 0.1\n  dt: 0.2\n", 10, "run.dt", {"duplicate key 'dt'"});
}

TEST(ConfigErrors, WrongTypeNumber) {
    expect_error(base + "run:\n  tstop: abc\n", 9, "run.tstop", {"expected a number, got 'abc'"});
    expect_error(base + "run:\n  seed: 1.5\n", 9, "run.seed", {"expected a whole number", "1.5"});
    expect_error(base + "run:\n  tstop: [1, 2]\n", 9, "run.tstop",
                 {"expected a number, got a list"});
}

TEST(ConfigErrors, WrongTypeMap) {
    expect_error(base + "run: 5\n", 8, "run", {"expected a map, got '5'"});
    expect_error(base + "stimuli: [a, b]\n", 8, "stimuli", {"expected a map, got a list"});
    const auto root = error_of("- a\n- b\n");
    EXPECT_THAT(root.what(), HasSubstr("expected a map of sections"));
}

TEST(ConfigErrors, WrongTypeOther) {
    expect_error(base + "projections:\n  ee: {source: exc, target: exc, weight: 1, delay: 1, "
                        "autapses: maybe}\n",
                 9, "projections.ee.autapses", {"expected true or false, got 'maybe'"});
    expect_error(base + "projections:\n  ee: {source: exc, target: exc, weight: heavy, delay: 1}\n",
                 9, "projections.ee.weight", {"expected a number, {uniform", "got 'heavy'"});
    expect_error(base + "  x: {size: 1, model: {a: 1}}\n", 8, "populations.x.model",
                 {"expected a string, got a map"});
}

TEST(ConfigErrors, MissingRequiredKey) {
    expect_error(
        "models:\n  cell: {params: {C_m: 10}}\npopulations:\n  a: {size: 1, model: cell}\n", 2,
        "models.cell.type", {"missing required key"});
    expect_error(base + "  x:\n    model: cell\n", 8, "populations.x.size",
                 {"missing required key"});
    expect_error(base + "projections:\n  ee:\n    target: exc\n    weight: 1\n    delay: 1\n", 9,
                 "projections.ee.source", {"missing required key"});
    expect_error(base + "projections:\n  ee: {source: exc, target: exc, delay: 1}\n", 9,
                 "projections.ee.weight", {"missing required key"});
}

TEST(ConfigErrors, MissingPopulations) {
    expect_error("models:\n  cell: {type: iaf_psc_alpha}\n", 0, "populations",
                 {"missing required section", "at least one population"});
    expect_error("populations: {}\n", 1, "populations", {"at least one"});
}

TEST(ConfigErrors, UnknownModelReference) {
    expect_error(base + "  few: {size: 3, model: cel}\n", 8, "populations.few.model",
                 {"unknown model 'cel'", "known", "cell"});
}

TEST(ConfigErrors, UnknownPopulationReference) {
    expect_error(base + "projections:\n  ee: {source: exc, target: exx, weight: 1, delay: 1}\n", 9,
                 "projections.ee.target", {"unknown population 'exx'; known: exc, inh"});
    expect_error(base + "stimuli:\n  s: {population: exx, amp: 1}\n", 9, "stimuli.s.population",
                 {"unknown population 'exx'; known: exc, inh"});
}

TEST(ConfigErrors, UnknownSourceReference) {
    expect_error(base + "projections:\n  ee: {source: lgm, target: exc, weight: 1, delay: 1}\n", 9,
                 "projections.ee.source",
                 {"unknown population or source 'lgm'; known: exc, inh, lgn"});
}

TEST(ConfigErrors, ProjectionTargetIsASource) {
    expect_error(base + "projections:\n  back: {source: exc, target: lgn, weight: 1, delay: 1}\n",
                 9, "projections.back.target",
                 {"'lgn' is a source", "target must be a population", "exc, inh"});
}

TEST(ConfigErrors, DuplicateNameAcrossPopulationsAndSources) {
    expect_error(base_sources + "  exc: {type: poisson, rate: 1}\n", 8, "sources.exc",
                 {"'exc'", "both a population and a source", "unique"});
}

TEST(ConfigErrors, UnknownModelType) {
    expect_error("models:\n  c: {type: iaf_cond_alpha}\npopulations:\n  a: {size: 1, model: c}\n",
                 2, "models.c.type",
                 {"unknown model type 'iaf_cond_alpha'", "known: ", "iaf_psc_alpha"});
}

TEST(ConfigErrors, BadModelParams) {
    expect_error("models:\n  c:\n    type: iaf_psc_alpha\n    params: {V_th: -80}\n"
                 "populations:\n  a: {size: 1, model: c}\n",
                 4, "models.c.params", {"V_reset", "below V_th"});
    expect_error("models:\n  c:\n    type: iaf_psc_exp\n    params:\n      tau: 3\n"
                 "populations:\n  a: {size: 1, model: c}\n",
                 4, "models.c.params", {"unknown parameter 'tau'", "known"});
    expect_error("models:\n  c:\n    type: iaf_psc_exp\n    params:\n      C_m: big\n"
                 "populations:\n  a: {size: 1, model: c}\n",
                 5, "models.c.params.C_m", {"expected a number, got 'big'"});
}

TEST(ConfigErrors, PopulationSizeBelowOne) {
    expect_error(base + "  empty: {size: 0, model: cell}\n", 8, "populations.empty.size",
                 {"size must be at least 1, got 0"});
    expect_error(base + "  neg: {size: -3, model: cell}\n", 8, "populations.neg.size",
                 {"at least 1, got -3"});
}

TEST(ConfigErrors, SourceSizeBelowOne) {
    expect_error(base_sources + "  bg: {type: poisson, size: 0, rate: 1}\n", 8, "sources.bg.size",
                 {"size must be at least 1, got 0"});
}

TEST(ConfigErrors, DtNotPositive) {
    expect_error(base + "run: {dt: 0}\n", 8, "run.dt", {"dt must be a positive", "got 0"});
    expect_error(base + "run: {dt: -0.1}\n", 8, "run.dt", {"positive", "-0.1"});
}

TEST(ConfigErrors, DtNotWholeMicroseconds) {
    expect_error(base + "run: {dt: 0.00015}\n", 8, "run.dt",
                 {"whole number of microseconds", "0.00015"});
}

TEST(ConfigErrors, TstopNotPositive) {
    expect_error(base + "run:\n  tstop: 0\n", 9, "run.tstop",
                 {"tstop must be a positive finite time", "got 0"});
}

TEST(ConfigErrors, NegativeRate) {
    expect_error(base_sources + "  bg: {type: poisson_generator, rate: -5}\n", 8, "sources.bg.rate",
                 {"rate must be a non-negative", "-5"});
    expect_error(base_sources + "  bg: {type: poisson, size: 2, rates: [1, -2]}\n", 8,
                 "sources.bg.rates.1", {"non-negative", "-2"});
}

TEST(ConfigErrors, RatesLengthDiffersFromSize) {
    expect_error(base_sources + "  bg: {type: poisson, size: 3, rates: [1, 2]}\n", 8,
                 "sources.bg.rates",
                 {"rates has 2 entries but the size is 3", "one rate per cell"});
    expect_error(base_sources + "  bg: {type: poisson, size: 3}\n", 8, "sources.bg.rate",
                 {"missing required key", "rate", "rates"});
}

TEST(ConfigErrors, ProbabilityOutsideZeroOne) {
    expect_error(base + R"(projections:
  ee:
    source: exc
    target: exc
    rule: {type: fixed_probability, p: 1.5}
    weight: 1
    delay: 1
)",
                 12, "projections.ee.rule.p", {"p must be a probability in [0, 1], got 1.5"});
}

TEST(ConfigErrors, TaperProbabilitiesOutsideZeroOne) {
    const std::string head = base + "projections:\n  t:\n    source: exc\n    target: exc\n"
                                    "    weight: 1\n    delay: 1\n";
    expect_error(head + "    rule: {type: distance_taper, p_max: 0.5, p_min: -0.1, d_max: 10}\n",
                 14, "projections.t.rule.p_min", {"p_min must be a probability in [0, 1]", "-0.1"});
    expect_error(head + "    rule: {type: distance_taper, p_max: 2, d_max: 10}\n", 14,
                 "projections.t.rule.p_max", {"p_max must be a probability", "got 2"});
}

TEST(ConfigErrors, TaperDMaxNotPositive) {
    expect_error(base + "projections:\n  t: {source: exc, target: exc, weight: 1, delay: 1, "
                        "rule: {type: distance_taper, p_max: 0.5, d_max: 0}}\n",
                 9, "projections.t.rule.d_max", {"d_max must be a positive", "got 0"});
}

TEST(ConfigErrors, SelectSourceCellsMissingNsources) {
    expect_error(base + "projections:\n  s: {source: lgn, target: inh, weight: 1, delay: 1, "
                        "rule: {type: select_source_cells}}\n",
                 9, "projections.s.rule.nsources", {"missing required key"});
}

TEST(ConfigErrors, SelectSourceCellsNsourcesNegativeOrReversed) {
    const std::string head = base + "projections:\n  s: {source: lgn, target: inh, weight: 1, "
                                    "delay: 1, rule: {type: select_source_cells, nsources: ";
    expect_error(head + "-1}}\n", 9, "projections.s.rule.nsources",
                 {"nsources must not be negative, got -1"});
    expect_error(head + "[3, 2]}}\n", 9, "projections.s.rule.nsources",
                 {"nsources low (3) must not exceed high (2)"});
    expect_error(head + "[1, 2, 3]}}\n", 9, "projections.s.rule.nsources",
                 {"expected a whole number or [low, high]", "3 items"});
}

TEST(ConfigErrors, SelectSourceCellsMoreThanTheDistinctSources) {
    expect_error(base + "projections:\n  s: {source: lgn, target: inh, weight: 1, delay: 1, "
                        "rule: {type: select_source_cells, nsources: [2, 5]}}\n",
                 9, "projections.s.rule.nsources",
                 {"nsources up to 5 exceeds the 4 distinct sources of 'lgn'"});
    expect_error(base + "projections:\n  s: {source: inh, target: inh, weight: 1, delay: 1, "
                        "rule: {type: select_source_cells, nsources: 5}}\n",
                 9, "projections.s.rule.nsources",
                 {"exceeds the 4 distinct sources of 'inh'", "autapses: false"});
}

TEST(ConfigErrors, SelectSourceCellsDMaxNotPositive) {
    expect_error(base + "projections:\n  s: {source: exc, target: exc, weight: 1, delay: 1, "
                        "rule: {type: select_source_cells, nsources: 2, d_max: -1}}\n",
                 9, "projections.s.rule.d_max", {"d_max must be a positive distance", "got -1"});
}

TEST(ConfigErrors, SelectSourceCellsDistanceLimitWithoutPositions) {
    expect_error(base + "projections:\n  s: {source: lgn, target: exc, weight: 1, delay: 1, "
                        "rule: {type: select_source_cells, nsources: 2, d_max: 10}}\n",
                 9, "projections.s.rule.type",
                 {"select_source_cells with a finite d_max needs positions", "'lgn' has none"});
    // Without a limit no positions are needed.
    EXPECT_NO_THROW(parse_config(base + "projections:\n  s: {source: lgn, target: inh, weight: 1, "
                                        "delay: 1, rule: {type: select_source_cells, nsources: "
                                        "2}}\n",
                                 "net.yaml"));
}

TEST(ConfigErrors, SelectSourceCellsBadTargetSpace) {
    const std::string head = base + "projections:\n  s: {source: exc, target: exc, weight: 1, "
                                    "delay: 1, rule: {type: select_source_cells, nsources: 2, "
                                    "d_max: 10, target_space: ";
    expect_error(head + "{type: retina}}}\n", 9, "projections.s.rule.target_space.type",
                 {"unknown target_space type 'retina'", "identity, visual_tan"});
    expect_error(head + "{type: visual_tan, x_deg_per_um: 0.07}}}\n", 9,
                 "projections.s.rule.target_space.z_deg_per_um", {"missing required key"});
    expect_error(head + "{type: identity, x_deg_per_um: 0.07}}}\n", 9,
                 "projections.s.rule.target_space.x_deg_per_um", {"unknown key"});
}

TEST(ConfigErrors, IndegreeAboveSourceSizeWithoutMultapses) {
    expect_error(base + "projections:\n  ie: {source: inh, target: exc, weight: 1, delay: 1, "
                        "rule: {type: fixed_indegree, indegree: 6, multapses: false}}\n",
                 9, "projections.ie.rule.indegree",
                 {"indegree 6 exceeds the 5 distinct sources of 'inh'", "multapses"});
    // With multapses, any indegree goes.
    EXPECT_NO_THROW(parse_config(base + "projections:\n  ie: {source: inh, target: exc, weight: 1, "
                                        "delay: 1, rule: {type: fixed_indegree, indegree: 6}}\n",
                                 "net.yaml"));
}

TEST(ConfigErrors, NsynBelowOneOrReversed) {
    const std::string head = base + "projections:\n  ee: {source: exc, target: inh, weight: 1, "
                                    "delay: 1, nsyn: ";
    expect_error(head + "0}\n", 9, "projections.ee.nsyn", {"nsyn must be at least 1, got 0"});
    expect_error(head + "[3, 2]}\n", 9, "projections.ee.nsyn",
                 {"nsyn low (3) must not exceed high (2)"});
}

TEST(ConfigErrors, DistributionLowAboveHigh) {
    expect_error(base + "projections:\n  ee:\n    source: exc\n    target: inh\n    delay: 1\n"
                        "    weight: {uniform: {low: 2, high: 1}}\n",
                 13, "projections.ee.weight.uniform.high", {"low (2) must not exceed high (1)"});
    expect_error(base + "projections:\n  ee:\n    source: exc\n    target: inh\n    delay: 1\n"
                        "    weight:\n      normal: {mean: 0, std: 1, low: 2, high: 1}\n",
                 14, "projections.ee.weight.normal.high", {"low (2) must not exceed high (1)"});
}

TEST(ConfigErrors, NegativeStd) {
    expect_error(base + "projections:\n  ee:\n    source: exc\n    target: inh\n    delay: 1\n"
                        "    weight: {normal: {mean: 1, std: -0.5}}\n",
                 13, "projections.ee.weight.normal.std", {"std must not be negative", "-0.5"});
}

TEST(ConfigErrors, ConstantDelayBelowOneStep) {
    expect_error(base + "run: {dt: 0.1}\nprojections:\n  ee: {source: exc, target: inh, weight: "
                        "1, delay: 0.04}\n",
                 10, "projections.ee.delay", {"delay 0.04 ms", "less than one step", "dt 0.1"});
}

TEST(ConfigErrors, DistributedDelayLowBelowOneStep) {
    expect_error(base + "projections:\n  ee: {source: exc, target: inh, weight: 1, delay: "
                        "{uniform: {low: 0.01, high: 2}}}\n",
                 9, "projections.ee.delay.uniform.low",
                 {"lower bound 0.01 ms", "less than one step", "at least dt"});
}

TEST(ConfigErrors, NormalDelayWithoutLowBound) {
    expect_error(base + "projections:\n  ee: {source: exc, target: inh, weight: 1, delay: "
                        "{normal: {mean: 2, std: 1}}}\n",
                 9, "projections.ee.delay.normal.low",
                 {"normal delay needs a lower bound low of at least dt (0.1 ms)"});
}

TEST(ConfigErrors, StimulusStopNotAfterStart) {
    expect_error(base + "stimuli:\n  s: {population: exc, amp: 1, start: 10, stop: 10}\n", 9,
                 "stimuli.s.stop", {"stop (10 ms) must be after start (10 ms)"});
}

TEST(ConfigErrors, StimulusNodeIdOutOfRange) {
    expect_error(base + "stimuli:\n  s:\n    population: inh\n    amp: 1\n    node_ids: [0, 5]\n",
                 12, "stimuli.s.node_ids.1",
                 {"node id 5 is out of range for population 'inh' of size 5", "0 to 4"});
}

TEST(ConfigErrors, StimulusNodeIdNegative) {
    expect_error(base + "stimuli:\n  s: {population: inh, amp: 1, node_ids: [-1]}\n", 9,
                 "stimuli.s.node_ids.0", {"node id -1 is out of range", "0 to 4"});
}

TEST(ConfigErrors, VmProbeUnknownPopulation) {
    expect_error(base + "record:\n  v_m:\n    - {population: ihn, node_ids: [0]}\n", 10,
                 "record.v_m.0.population", {"unknown population 'ihn'; known: exc, inh"});
}

TEST(ConfigErrors, VmProbeNodeIdOutOfRange) {
    expect_error(base + "record:\n  v_m:\n    - {population: exc, node_ids: [0]}\n"
                        "    - {population: inh, node_ids: [1, 7]}\n",
                 11, "record.v_m.1.node_ids.1", {"node id 7 is out of range", "'inh' of size 5"});
}

TEST(ConfigErrors, OneToOneSizeMismatch) {
    expect_error(
        base + "projections:\n  p: {source: exc, target: inh, rule: one_to_one, weight: "
               "1, delay: 1}\n",
        9, "projections.p.rule",
        {"one_to_one needs a source and target of the same size", "'exc' has 10", "'inh' has 5"});
}

TEST(ConfigErrors, PositionsListLengthDiffersFromSize) {
    expect_error(base + "  few: {size: 3, model: cell, positions: {type: list, coordinates: "
                        "[[0,0,0]]}}\n",
                 8, "populations.few.positions.coordinates",
                 {"coordinates has 1 points but the size is 3"});
}

TEST(ConfigErrors, CoordinateNotThreeNumbers) {
    expect_error(base + "  few:\n    size: 2\n    model: cell\n    positions:\n      type: list\n"
                        "      coordinates:\n        - [0, 0, 0]\n        - [1, 2]\n",
                 15, "populations.few.positions.coordinates.1",
                 {"expected a list of 3 numbers [x, y, z]", "got a list of 2 items"});
    expect_error(base + "  b: {size: 1, model: cell, positions: {type: box, min: [0,0,x], max: "
                        "[1,1,1]}}\n",
                 8, "populations.b.positions.min.2", {"expected a number, got 'x'"});
}

TEST(ConfigErrors, BoxMinAboveMax) {
    expect_error(base + "  b: {size: 1, model: cell, positions: {type: box, min: [0,5,0], max: "
                        "[1,1,1]}}\n",
                 8, "populations.b.positions.max", {"min must not exceed max", "in y"});
}

TEST(ConfigErrors, ColumnRadiusNotPositive) {
    expect_error(base + "  c: {size: 1, model: cell, positions: {type: column, radius: 0, height: "
                        "10}}\n",
                 8, "populations.c.positions.radius", {"radius must be positive", "got 0"});
}

TEST(ConfigErrors, UnknownPositionsType) {
    expect_error(base + "  c: {size: 1, model: cell, positions: {type: sphere}}\n", 8,
                 "populations.c.positions.type",
                 {"unknown positions type 'sphere'", "none, box, column, list"});
}

TEST(ConfigErrors, DistanceTaperWithoutPositions) {
    expect_error(base + "projections:\n  t: {source: exc, target: inh, weight: 1, delay: 1, "
                        "rule: {type: distance_taper, p_max: 0.5, d_max: 100}}\n",
                 9, "projections.t.rule.type",
                 {"distance_taper needs positions, but 'inh' has none"});
}

TEST(ConfigErrors, RecordSpikesUnknownPopulation) {
    expect_error(base + "record:\n  spikes: [exc, exx]\n", 9, "record.spikes.1",
                 {"unknown population 'exx'; known: exc, inh, lgn"});
}

TEST(ConfigErrors, UnknownRuleSourceAndDistributionTypes) {
    expect_error(base + "projections:\n  p: {source: exc, target: inh, rule: random, weight: 1, "
                        "delay: 1}\n",
                 9, "projections.p.rule", {"unknown rule type 'random'", "fixed_indegree"});
    expect_error(base_sources + "  bg: {type: noise, rate: 1}\n", 8, "sources.bg.type",
                 {"unknown source type 'noise'", "poisson_generator"});
    expect_error(base + "projections:\n  p: {source: exc, target: inh, weight: {gamma: {k: 1}}, "
                        "delay: 1}\n",
                 9, "projections.p.weight.gamma", {"unknown key 'gamma'", "uniform, normal"});
}

TEST(ConfigErrors, BadItemName) {
    expect_error(base + "  a.b: {size: 1, model: cell}\n", 8, "populations.a.b",
                 {"must not contain '.'"});
}

TEST(ConfigErrors, MalformedOverride) {
    overrides no_eq;
    no_eq.set = {"run.seed"};
    expect_error(error_of(base, no_eq), "--set", 0, "run.seed",
                 {"malformed override 'run.seed'", "key.path=value"});
    overrides empty_path;
    empty_path.set = {"=5"};
    expect_error(error_of(base, empty_path), "--set", 0, "=5", {"key path before '=' is empty"});
    overrides empty_part;
    empty_part.set = {"run..seed=5"};
    expect_error(error_of(base, empty_part), "--set", 0, "run..seed", {"empty component"});
    overrides through_scalar;
    through_scalar.set = {"populations.exc.size.x=5"};
    expect_error(error_of(base, through_scalar), "--set", 0, "populations.exc.size.x",
                 {"'populations.exc.size' is '10', not a map"});
    overrides bad_value;
    bad_value.set = {"run.seed=[1, 2"};
    expect_error(error_of(base, bad_value), "--set", 0, "run.seed", {"cannot parse the value"});
}

TEST(ConfigErrors, BadValueFromSetNamesTheOverride) {
    overrides over;
    over.set = {"stimuli.s.population=exc", "stimuli.s.amp=abc"};
    expect_error(error_of(base, over), "net.yaml (--set stimuli.s.amp=abc)", 0, "stimuli.s.amp",
                 {"expected a number, got 'abc'"});
    // A whole item replaced from the command line: errors inside it name the override too.
    overrides item;
    item.set = {"populations.inh={size: 0, model: cell}"};
    expect_error(error_of(base, item), "net.yaml (--set populations.inh={size: 0, model: cell})", 0,
                 "populations.inh.size", {"at least 1"});
    // Maps created by --set count as from the command line.
    overrides created;
    created.set = {"stimuli.s.amp=1"};
    expect_error(error_of(base, created), "net.yaml (--set stimuli.s.amp=1)", 0,
                 "stimuli.s.population", {"missing required key"});
}

TEST(ConfigErrors, BadDedicatedOverride) {
    overrides over;
    over.tstop_ms = -5.0;
    expect_error(error_of(base, over), "net.yaml (--tstop -5)", 0, "run.tstop",
                 {"tstop must be a positive", "-5"});
    overrides threads;
    threads.threads = -1;
    expect_error(error_of(base, threads), "net.yaml (--threads -1)", 0, "run.threads",
                 {"threads must be 0"});
}

} // namespace

// --- NEURON NetStim sources and named receptors (hh_neuron) -------------------------------------

// Seven lines, an hh_neuron population and a netstim source; tests append projections.
const std::string hh_base = R"(models:
  pyr: {type: hh_neuron, params: {has_dend: 1}}
populations:
  exc: {size: 4, model: pyr}
sources:
  bg: {type: netstim, size: 4, interval: 25, number: 1e9, start: 0, noise: 0.8}
projections:
)";

TEST(ConfigErrors, NetstimNoiseOutsideZeroOne) {
    expect_error(base_sources + "  bg: {type: netstim, size: 2, noise: 1.5}\n", 8,
                 "sources.bg.noise", {"noise must be in [0, 1]", "1.5"});
}

TEST(ConfigErrors, NetstimIntervalNotPositive) {
    expect_error(base_sources + "  bg: {type: netstim, interval: 0}\n", 8, "sources.bg.interval",
                 {"interval must be a positive time", "got 0"});
}

TEST(ConfigErrors, NetstimNumberNegative) {
    expect_error(base_sources + "  bg: {type: netstim, number: -1}\n", 8, "sources.bg.number",
                 {"must not be negative", "-1"});
}

TEST(ConfigErrors, NetstimUnknownKey) {
    expect_error(base_sources + "  bg: {type: netstim, rate: 40}\n", 8, "sources.bg.rate",
                 {"unknown key"});
}

TEST(ConfigErrors, UnknownReceptor) {
    expect_error(
        hh_base + "  bg_exc: {source: bg, target: exc, rule: one_to_one, weight: 0.007, "
                  "delay: 2, receptor: ampa}\n",
        8, "projections.bg_exc.receptor",
        {"unknown receptor 'ampa'", "hh_neuron", "exc_soma, inh_soma, exc_dend, inh_dend"});
}

TEST(ConfigErrors, MissingReceptorOnModelWithoutSignRouting) {
    expect_error(hh_base + "  bg_exc: {source: bg, target: exc, rule: one_to_one, weight: 0.007, "
                           "delay: 2}\n",
                 8, "projections.bg_exc.receptor", {"missing required key", "exc_soma"});
}

TEST(ConfigErrors, ReceptorOfASignRoutedModelMustExist) {
    expect_error(base + "projections:\n  ee: {source: exc, target: exc, weight: 1, delay: 1, "
                        "receptor: exc_soma}\n",
                 9, "projections.ee.receptor", {"unknown receptor 'exc_soma'", "known: ex, in"});
}

TEST(ConfigErrors, NetstimAndReceptorRoundTrip) {
    const auto cfg = parse_config(hh_base + "  bg_exc: {source: bg, target: exc, rule: one_to_one, "
                                            "weight: 0.007, delay: 2, receptor: exc_soma}\n",
                                  "net.yaml");
    ASSERT_EQ(cfg.sources.size(), 1u);
    EXPECT_EQ(cfg.sources[0].kind, source_kind::netstim);
    EXPECT_EQ(cfg.sources[0].interval_ms, 25.0);
    EXPECT_EQ(cfg.sources[0].number, 1000000000u);
    EXPECT_EQ(cfg.sources[0].start_ms, 0.0);
    EXPECT_EQ(cfg.sources[0].noise, 0.8);
    EXPECT_EQ(cfg.projections[0].receptor, "exc_soma");
    // The resolved YAML reads back to the same values.
    const auto again = parse_config(cfg.resolved_yaml, "resolved.yaml");
    EXPECT_EQ(again.resolved_yaml, cfg.resolved_yaml);
    EXPECT_EQ(again.projections[0].receptor, "exc_soma");
    EXPECT_EQ(again.sources[0].noise, 0.8);
    // NEURON's default start is 50 ms.
    const auto dflt = parse_config(base_sources + "  ns: {type: netstim}\n", "net.yaml");
    EXPECT_EQ(dflt.find_source("ns")->start_ms, 50.0);
    EXPECT_EQ(dflt.find_source("ns")->number, 10u);
}
