#!/usr/bin/python3
"""laminar analyze: figures, tables and statistics of one run folder, or a comparison of runs.

Started by `laminar analyze RUN_DIR... [options]` (which passes a JSON copy of each run's
config.resolved.yaml with --config-index); can also be run directly with /usr/bin/python3.
Definitions of every number: docs/analysis.md.
"""

import argparse
import colorsys
import csv
import json
import math
import os
import re
import sys
import zlib

MISSING_MODULE_RC = 3
try:
    import numpy as np
    import h5py  # noqa: F401  (checked here so the message names every package)
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch
except ImportError as e:  # pragma: no cover - depends on the machine
    sys.stderr.write(
        "laminar analyze: cannot import {} ({}).\nInstall the Debian packages: apt-get install "
        "python3-numpy python3-h5py python3-matplotlib (and run with /usr/bin/python3).\n".format(
            getattr(e, "name", "") or "a module", e))
    sys.exit(MISSING_MODULE_RC)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import laminar_sonata as sonata  # noqa: E402
import laminar_stats as stats  # noqa: E402

DPI = 100
# Figure sizes in inches (pixels = inches x DPI); fixed so every figure has a known size.
FIGURE_SIZES = {
    "raster": (12, 7),
    "rates_hist": (10, 6),
    "rates_box": (8, 5),
    "psth": (10, 7),
    "traces": (10, 6),
    "connectivity": (13, 5.5),
    "positions_2d": (12, 5.5),
    "positions_3d": (7, 6),
    "psd": (8, 5),
    "spike_stats": (13, 4.5),
    "compare_rates": (12, 6),
    "compare_changes": (12, 5),
    "compare_windows": (12, 5),
}

# ---- population colours -------------------------------------------------------------------

CLASS_COLOURS = {
    "exc": "#c0392b", "inh": "#2c6fbb", "pv": "#1f77b4", "sst": "#2ca02c", "vip": "#9467bd",
    "htr3a": "#8c564b", "input": "#7f7f7f",
}
HASH_PALETTE = ["#e377c2", "#bcbd22", "#17becf", "#ff7f0e", "#8c564b", "#aec7e8", "#98df8a",
                "#ff9896", "#c5b0d5", "#c49c94", "#f7b6d2", "#dbdb8d", "#9edae5", "#393b79",
                "#637939", "#8c6d31", "#843c39", "#7b4173"]


def population_class(name):
    """Cell class from a population name: exc, pv, sst, vip, htr3a, inh, input or None."""
    s = name.lower()
    tokens = [t for t in re.split(r"[^a-z0-9]+", s) if t]
    joined = "_".join(tokens)
    for cls, pats in (("pv", [r"pv", r"pvalb", r"basket", r"fs"]),
                      ("sst", [r"sst", r"som", r"martinotti"]),
                      ("vip", [r"vip"]), ("htr3a", [r"htr3a"]),
                      ("exc", [r"exc", r"e", r"pyr", r"pyramidal", r"ss", r"l\d+e", r"e\d+",
                               r"excitatory"]),
                      ("inh", [r"inh", r"i", r"l\d+i", r"i\d+", r"inhibitory", r"interneuron"]),
                      ("input", [r"lgn", r"thalamus", r"tc", r"bkg", r"background", r"ext",
                                 r"external", r"drive", r"poisson", r"input", r"virtual",
                                 r"noise", r"stim"])):
        for t in tokens:
            if any(re.fullmatch(p, t) for p in pats):
                return cls
    if re.search(r"exc|pyr", joined):
        return "exc"
    if re.search(r"inh", joined):
        return "inh"
    return None


LAYER_RE = re.compile(r"(?:^|[^a-z0-9])l([1-6])\d*(?:e|i|exc|inh|pv|sst|som|vip)?(?=[^a-z0-9]|$)",
                      re.IGNORECASE)


def _layer(name):
    """Cortical layer from a layer-like token (L4e, L23e, Exc_L23, L5_pv, l2/3), else None:
    "pool1" or "cell2" are not layers."""
    m = LAYER_RE.search(name)
    return int(m.group(1)) if m else None


def population_colour(name):
    """A colour fixed by the name alone (the same in every figure and run): class colour,
    shaded by cortical layer (L1 light .. L6 dark) when the name has one; otherwise a colour
    chosen by CRC32 of the name from a fixed palette."""
    cls = population_class(name)
    if cls is None:
        return HASH_PALETTE[zlib.crc32(name.encode("utf-8")) % len(HASH_PALETTE)]
    base = CLASS_COLOURS[cls]
    layer = _layer(name)
    if layer is None:
        return base
    r, g, b = (int(base[i:i + 2], 16) / 255.0 for i in (1, 3, 5))
    h, l, s = colorsys.rgb_to_hls(r, g, b)
    l = min(max(l + (3.5 - layer) * 0.07, 0.15), 0.85)
    r, g, b = colorsys.hls_to_rgb(h, l, s)
    return "#{:02x}{:02x}{:02x}".format(int(r * 255), int(g * 255), int(b * 255))


# ---- errors --------------------------------------------------------------------------------

class AnalysisError(Exception):
    pass


# ---- a run folder --------------------------------------------------------------------------

SPIKE_FILES = ["spikes.h5", "spikes.csv"]
REPORT_FILES = ["v_report.h5", "membrane_potential.h5", "v_m.h5"]


def _finite(v, default):
    if v is None or v == "inf":
        return default
    if v == "-inf":
        return -math.inf
    return float(v)


class Run:
    """Everything analysis reads from one output folder."""

    def __init__(self, path, config_index=None, report_nodes=None):
        self.path = os.path.abspath(path)
        if not os.path.exists(path):
            raise AnalysisError("{}: no such folder".format(path))
        if not os.path.isdir(path):
            raise AnalysisError("{}: not a folder (give a run's output folder)".format(path))
        self.name = os.path.basename(os.path.normpath(self.path))
        self.summary = self._json("summary.json")
        self.config = None
        key = os.path.realpath(self.path)
        if config_index and key in config_index:
            with open(config_index[key]) as f:
                self.config = json.load(f)
        out_cfg = (self.config or {}).get("output", {}) or {}
        spike_names = [out_cfg.get("spikes_file")] if out_cfg.get("spikes_file") else []
        spike_file = self._find(spike_names + SPIKE_FILES)
        if spike_file is None:
            raise AnalysisError("{}: no spike file (looked for {}); is this a run's output "
                                "folder?".format(path, ", ".join(spike_names + SPIKE_FILES)))
        self.spike_file = spike_file
        self.spikes = sonata.read_spikes(spike_file)
        report_names = [out_cfg.get("report_file")] if out_cfg.get("report_file") else []
        rf = self._find(report_names + REPORT_FILES)
        # Only the columns drawn (the first element of the first `report_nodes` nodes).
        self.report = sonata.read_report(rf, max_nodes=report_nodes) if rf else None
        nf = self._find(["nodes.h5"])
        self.nodes = sonata.read_nodes(nf) if nf else None
        self._populations()
        run_cfg = (self.config or {}).get("run", {}) or {}
        if self.summary and "tstop_ms" in self.summary:
            self.tstop = float(self.summary["tstop_ms"])
        elif "tstop" in run_cfg:
            self.tstop = float(run_cfg["tstop"])
        else:
            last = [s.timestamps.max() for s in self.spikes.values() if len(s)]
            self.tstop = float(max(last)) if last else 0.0
        self.stimuli = []
        for sname, s in ((self.config or {}).get("stimuli", {}) or {}).items():
            self.stimuli.append({
                "name": sname, "population": s.get("population"),
                "amp_pA": float(s.get("amp", 0.0)), "start_ms": _finite(s.get("start"), 0.0),
                "stop_ms": _finite(s.get("stop"), math.inf),
                "node_ids": list(s.get("node_ids") or [])})
        self.stimuli.sort(key=lambda s: (s["start_ms"], s["name"]))
        self.pushes = self._source_pushes()

    def _source_pushes(self):
        """Spike sources that switch on after t = 0 (netstim, poisson, poisson_generator with
        start > 0), with the populations they project onto: inputs that step up mid-run."""
        cfg = self.config or {}
        targets = {}
        for pname, pr in (cfg.get("projections") or {}).items():
            targets.setdefault(pr.get("source"), [])
            if pr.get("target") not in targets[pr.get("source")]:
                targets[pr.get("source")].append(pr.get("target"))
        out = []
        for sname, src in (cfg.get("sources") or {}).items():
            kind = src.get("type")
            if kind not in ("netstim", "poisson", "poisson_generator"):
                continue
            start = _finite(src.get("start"), 50.0 if kind == "netstim" else 0.0)
            if not start > 0:
                continue
            if kind == "netstim":
                number, interval = float(src.get("number", 10)), float(src.get("interval", 10))
                stop = start + number * interval if number < 1e8 else math.inf
            else:
                stop = _finite(src.get("stop"), math.inf)
            out.append({"name": sname, "type": kind, "start_ms": start, "stop_ms": stop,
                        "targets": targets.get(sname, [])})
        out.sort(key=lambda s: (s["start_ms"], s["name"]))
        return out

    def model_type(self, population):
        """The model type (hh_neuron, iaf_psc_exp, ...) of a population, from the config."""
        cfg = self.config or {}
        pop = (cfg.get("populations") or {}).get(population) or {}
        model = (cfg.get("models") or {}).get(pop.get("model")) or {}
        return model.get("type")

    def _json(self, name):
        p = os.path.join(self.path, name)
        if not os.path.exists(p):
            return None
        try:
            with open(p) as f:
                return json.load(f)
        except ValueError as e:
            raise AnalysisError("{}: not valid JSON ({})".format(p, e))

    def _find(self, names):
        for n in names:
            p = os.path.join(self.path, n)
            if os.path.isfile(p):
                return p
        return None

    def _populations(self):
        """Ordered {name: {kind, cells, recorded}}; sizes from summary.json, else nodes.h5,
        else the largest node id in the spike file + 1."""
        pops = {}
        if self.summary and self.summary.get("populations"):
            for n, p in self.summary["populations"].items():
                pops[n] = {"kind": p.get("kind", "neuron"), "cells": int(p.get("cells", 0))}
        elif self.nodes:
            for n, p in self.nodes.items():
                pops[n] = {"kind": "source" if p["model_type"] == "virtual" else "neuron",
                           "cells": int(p["n"])}
        for n, sp in self.spikes.items():
            if n not in pops:
                if len(sp) == 0:
                    sys.stderr.write("laminar analyze: {}: population '{}' has no spikes and no "
                                     "known size; skipped\n".format(self.spike_file, n))
                    continue
                pops[n] = {"kind": "neuron", "cells": int(sp.node_ids.max()) + 1}
        for n, p in pops.items():
            if p["cells"] <= 0:
                raise AnalysisError("{}: population '{}' has no cells".format(self.path, n))
            p["recorded"] = n in self.spikes
            if p["recorded"] and len(self.spikes[n]):
                ids = self.spikes[n].node_ids
                if ids.min() < 0 or ids.max() >= p["cells"]:
                    raise AnalysisError("{}: population '{}' has {} cells but spikes of node "
                                        "id {}".format(self.spike_file, n, p["cells"],
                                                       int(ids.max())))
        if not any(p["recorded"] for p in pops.values()):
            raise AnalysisError("{}: no recorded population in {}".format(self.path,
                                                                         self.spike_file))
        self.populations = pops

    def recorded(self):
        return [n for n, p in self.populations.items() if p["recorded"]]


# ---- statistics of one run -----------------------------------------------------------------

def population_stats(run, t0, t1, opts):
    out = {}
    for name in run.recorded():
        n = run.populations[name]["cells"]
        sp = run.spikes[name]
        rates = stats.cell_rates(sp.timestamps, sp.node_ids, n, t0, t1)
        cv = stats.isi_cv(sp.timestamps, sp.node_ids, n, t0, t1)
        fano_cells, fano = stats.fano_factor(sp.timestamps, sp.node_ids, n, t0, t1,
                                             opts.fano_bin_ms)
        sync = stats.synchrony(sp.timestamps, sp.node_ids, n, t0, t1, opts.bin_ms)
        tw, _ = stats.in_window(sp.timestamps, sp.node_ids, t0, t1)
        fs = 1000.0 / opts.psd_bin_ms
        _, prate = stats.population_rate(tw, n, t0, t1, opts.psd_bin_ms)
        freqs, power = stats.welch_psd(prate, fs)
        peak_f = peak_p = float("nan")
        if len(freqs) > 1:
            k = 1 + int(np.argmax(power[1:]))
            peak_f, peak_p = float(freqs[k]), float(power[k])
        cvv = cv[np.isfinite(cv)]
        out[name] = {
            "kind": run.populations[name]["kind"], "cells": n, "spikes": int(len(tw)),
            "mean_rate_hz": float(rates.mean()), "std_rate_hz": float(rates.std()),
            "median_rate_hz": float(np.median(rates)),
            "fraction_silent": float(np.mean(rates == 0)),
            "cv_isi_mean": float(cvv.mean()) if len(cvv) else None,
            "cv_isi_median": float(np.median(cvv)) if len(cvv) else None,
            "cv_isi_cells": int(len(cvv)),
            "fano_factor": None if math.isnan(fano) else fano,
            "synchrony_chi2": None if math.isnan(sync) else sync,
            "psd_peak_hz": None if math.isnan(peak_f) else peak_f,
            "psd_peak_power": None if math.isnan(peak_p) else peak_p,
            "colour": population_colour(name),
            "_rates": rates, "_cv": cv, "_duration_s": (t1 - t0) * 1e-3, "_psd": (freqs, power), "_fano_cells": fano_cells,
        }
    return out


def public(d):
    """A stats dict without the arrays kept for plotting."""
    if isinstance(d, dict):
        return {k: public(v) for k, v in d.items() if not str(k).startswith("_")}
    if isinstance(d, float) and not math.isfinite(d):
        return None
    return d


def neuron_pops(run, cls):
    return [n for n in run.recorded()
            if run.populations[n]["kind"] == "neuron" and population_class(n) == cls]


def parse_window(text, what):
    m = re.fullmatch(r"\s*([-+0-9.eE]+)\s*:\s*([-+0-9.eE]+)\s*", text or "")
    if not m:
        raise AnalysisError("{}: expected T0:T1 in ms, got '{}'".format(what, text))
    t0, t1 = float(m.group(1)), float(m.group(2))
    if not t1 > t0:
        raise AnalysisError("{}: window {} is empty (need T0 < T1)".format(what, text))
    return t0, t1


def window_measures(run, t0, t1, opts):
    """Gain change and the paradoxical-response test (docs/analysis.md)."""
    res = {}
    exc = opts.exc_pops.split(",") if opts.exc_pops else neuron_pops(run, "exc")
    pv = opts.pv_pops.split(",") if opts.pv_pops else (neuron_pops(run, "pv")
                                                         or neuron_pops(run, "inh"))
    for p in exc + pv:
        if p not in run.populations:
            raise AnalysisError("{}: no population '{}' (populations: {})".format(
                run.path, p, ", ".join(run.populations)))

    def pooled_rate(pops, a, b):
        times = [run.spikes[p].timestamps for p in pops if p in run.spikes]
        n = sum(run.populations[p]["cells"] for p in pops if p in run.spikes)
        t = np.concatenate(times) if times else np.array([])
        return stats.window_rate(t, n, a, b)

    # Gain change.
    gain = {"populations": exc}
    if opts.gain_window:
        gw = parse_window(opts.gain_window, "--gain-window")
        gr = (parse_window(opts.gain_reference, "--gain-reference") if opts.gain_reference
              else (max(t0, gw[0] - (gw[1] - gw[0])), gw[0]))
        gain["source"] = "options"
    else:
        stim = [s for s in run.stimuli if math.isfinite(s["stop_ms"]) and s["start_ms"] > t0]
        gw = gr = None
        if stim:
            s = stim[0]
            gw = (s["start_ms"], min(s["stop_ms"], t1))
            gr = (max(t0, gw[0] - (gw[1] - gw[0])), gw[0])
            gain["source"] = "stimulus '{}'".format(s["name"])
    if not exc:
        gain["skipped"] = "no excitatory population (name it with --exc-pops)"
    elif gw is None:
        gain["skipped"] = "no --gain-window and no stimulus with a start and stop"
    elif gr[1] - gr[0] <= 0:
        gain["skipped"] = "reference window is empty"
    else:
        rw, rw_se = pooled_rate(exc, *gw)
        rr, rr_se = pooled_rate(exc, *gr)
        gain.update({"window_ms": list(gw), "reference_ms": list(gr), "rate_window_hz": rw,
                     "rate_reference_hz": rr, "rate_window_se_hz": rw_se,
                     "rate_reference_se_hz": rr_se,
                     "gain": rw / rr if rr > 0 else None,
                     "gain_change_percent": 100.0 * (rw / rr - 1.0) if rr > 0 else None})
    res["gain"] = gain

    # Paradoxical response.
    par = {"pv_populations": pv, "exc_populations": exc,
           "criterion": "paradoxical if the PV rate after the push is lower than before by more "
                        "than max(5 % of the before rate, 2 standard errors of the difference); "
                        "isn_consistent if paradoxical and the excitatory rate falls by the same "
                        "rule"}
    push = opts.push_time
    if push is None:
        cands = [(s["start_ms"], "stimulus '{}'".format(s["name"])) for s in run.stimuli
                 if s["population"] in pv and s["amp_pA"] > 0 and s["start_ms"] > t0]
        cands += [(s["start_ms"], "{} source '{}'".format(s["type"], s["name"]))
                  for s in run.pushes if s["type"] in ("netstim", "poisson")
                  and s["start_ms"] > t0 and any(p in pv for p in s["targets"])]
        if cands:
            push, par["source"] = min(cands)
    else:
        par["source"] = "options"
    if not pv:
        par["skipped"] = "no PV (or inhibitory) population (name it with --pv-pops)"
    elif push is None:
        par["skipped"] = "no --push-time and no positive stimulus on a PV population"
    else:
        w = opts.push_window_ms
        before = (max(t0, push - w), push)
        after = (push + opts.push_settle_ms, min(t1, push + opts.push_settle_ms + w))
        if before[1] - before[0] <= 0 or after[1] - after[0] <= 0:
            par["skipped"] = "windows around the push at {} ms fall outside {}:{}".format(
                push, t0, t1)
        else:
            pb, pb_se = pooled_rate(pv, *before)
            pa, pa_se = pooled_rate(pv, *after)
            verdict = stats.paradoxical_verdict(pb, pb_se, pa, pa_se)
            par.update({"push_ms": push, "before_ms": list(before), "after_ms": list(after),
                        "pv_before_hz": pb, "pv_after_hz": pa, "pv_before_se_hz": pb_se,
                        "pv_after_se_hz": pa_se, "verdict": verdict,
                        "paradoxical": verdict == "paradoxical"})
            exc_change = None
            if exc:
                eb, eb_se = pooled_rate(exc, *before)
                ea, ea_se = pooled_rate(exc, *after)
                exc_change = stats.rate_change(eb, eb_se, ea, ea_se)
                par.update({"exc_before_hz": eb, "exc_after_hz": ea, "exc_before_se_hz": eb_se,
                            "exc_after_se_hz": ea_se, "exc_change": exc_change})
            isn, text = stats.isn_assessment(verdict, exc_change)
            par.update({"isn_consistent": isn, "interpretation": text})
    res["paradoxical"] = par
    return res


# Weight unit and synapse kind per target model type (docs/config.md, docs/models).
WEIGHT_UNITS = {
    "hh_neuron": ("µS", "conductance (Exp2Syn)"),
    "iaf_psc_delta": ("mV", "voltage jump (delta)"),
    "iaf_psc_exp": ("pA", "current (exp PSC)"),
    "iaf_psc_alpha": ("pA", "current (alpha PSC)"),
}


def weight_unit(run, target):
    """(unit, synapse kind, model type) of weights onto population `target`."""
    mt = run.model_type(target)
    unit, kind = WEIGHT_UNITS.get(mt, ("?", "unknown model type"))
    return unit, kind, mt


def connectivity(run):
    """Pairs (source, target) -> synapses, probabilities, mean weight from summary.json.

    Per projection k of a pair, p_k = synapses_k / (n_pre n_post) (summary.json's
    connection_probability). Per pair: synapses_per_pair = sum_k synapses_k / (n_pre n_post)
    (can exceed 1), connection_probability = 1 - prod_k (1 - min(p_k, 1)): the chance of at
    least one synapse if the rules draw independently."""
    if not run.summary or not run.summary.get("projections"):
        return None
    pairs = {}
    sizes = {n: p["cells"] for n, p in run.populations.items()}
    for src in ((run.config or {}).get("sources") or {}).items():
        sizes.setdefault(src[0], int(src[1].get("size", 1)))
    for pname, p in run.summary["projections"].items():
        key = (p["source"], p["target"])
        e = pairs.setdefault(key, {"synapses": 0, "weight_sum": 0.0, "projections": [],
                                   "p_none": 1.0})
        n = float(p.get("synapses", 0))
        e["synapses"] += int(n)
        e["weight_sum"] += n * float(p.get("mean_weight", 0.0))
        e["p_none"] *= 1.0 - min(max(float(p.get("connection_probability", 0.0)), 0.0), 1.0)
        e["projections"].append(pname)
    out = []
    for (s, t), e in pairs.items():
        n_pre, n_post = sizes.get(s), sizes.get(t)
        unit, kind, mt = weight_unit(run, t)
        out.append({"source": s, "target": t, "synapses": e["synapses"],
                    "connection_probability": 1.0 - e["p_none"],
                    "synapses_per_pair": (e["synapses"] / (float(n_pre) * n_post)
                                          if n_pre and n_post else None),
                    "mean_weight": e["weight_sum"] / e["synapses"] if e["synapses"] else 0.0,
                    "weight_unit": unit, "synapse_kind": kind, "target_model_type": mt,
                    "projections": e["projections"]})
    return out


# ---- figures -------------------------------------------------------------------------------

class FigureWriter:
    def __init__(self, folder, formats):
        self.folder = folder
        self.formats = formats
        self.written = {}
        self.skipped = {}
        os.makedirs(folder, exist_ok=True)

    def new(self, name, **kw):
        w, h = FIGURE_SIZES[name]
        return plt.subplots(figsize=(w, h), dpi=DPI, **kw)

    def save(self, fig, name):
        files = []
        for fmt in self.formats:
            p = os.path.join(self.folder, "{}.{}".format(name, fmt))
            fig.savefig(p, dpi=DPI, format=fmt)
            files.append(p)
        w, h = FIGURE_SIZES[name]
        self.written[name] = {"files": files, "width_px": int(round(w * DPI)),
                              "height_px": int(round(h * DPI))}
        plt.close(fig)

    def skip(self, name, why):
        self.skipped[name] = why


def _grid(k):
    cols = min(k, 3)
    return int(math.ceil(k / cols)), cols


def fig_raster(fw, run, t0, t1, opts, pstats):
    fig, (ax, axr) = fw.new("raster", nrows=2, sharex=True,
                            gridspec_kw={"height_ratios": [3, 1]})
    offset = 0
    ticks, labels = [], []
    rows_total = sum(min(run.populations[n]["cells"], opts.raster_cells) for n in run.recorded())
    size = float(np.clip(6000.0 / max(rows_total, 1), 2.0, 80.0))  # taller ticks for few rows
    for name in run.recorded():
        n = run.populations[name]["cells"]
        shown = min(n, opts.raster_cells)
        keep = np.unique(np.round(np.linspace(0, n - 1, shown)).astype(np.int64))
        row = np.full(n, -1, dtype=np.int64)
        row[keep] = np.arange(len(keep))
        sp = run.spikes[name]
        t, i = stats.in_window(sp.timestamps, sp.node_ids, t0, t1)
        r = row[i]
        sel = r >= 0
        col = population_colour(name)
        ax.scatter(t[sel], offset + r[sel], s=size, marker="|", linewidths=0.6, color=col,
                   rasterized=True)
        ticks.append(offset + len(keep) / 2)
        labels.append(name if shown == n else "{}\n({} of {})".format(name, len(keep), n))
        offset += len(keep) + max(2, offset // 50)
        edges, rate = stats.population_rate(sp.timestamps[(sp.timestamps >= t0)
                                                          & (sp.timestamps < t1)],
                                            n, t0, t1, opts.bin_ms)
        axr.stairs(rate, edges, color=col, lw=1, label=name)
    ax.set_yticks(ticks)
    ax.set_yticklabels(labels, fontsize=8)
    ax.set_ylim(-1, max(offset, 1))
    ax.set_ylabel("cells (by population)")
    ax.set_title("{}: spike raster".format(run.name))
    axr.set_xlim(t0, t1)
    axr.set_xlabel("time (ms)")
    axr.set_ylabel("rate (Hz/cell)\n{:g} ms bins".format(opts.bin_ms))
    axr.legend(fontsize=7, ncol=min(len(run.recorded()), 6), loc="upper right")
    fig.tight_layout()
    fw.save(fig, "raster")


def rate_bins(rates, duration_s, n=30):
    """Histogram edges for per-cell rates: rates are multiples of 1/duration, so bins are whole
    multiples of that quantum, centred on it (no empty alias bins)."""
    q = 1.0 / duration_s
    hi = max(float(rates.max()) if len(rates) else 0.0, q)
    width = q * max(1, math.ceil(hi / n / q))
    return np.arange(-width / 2, hi + width, width)


def fig_rates(fw, run, pstats):
    names = list(pstats)
    rows, cols = _grid(len(names))
    fig, axes = fw.new("rates_hist", nrows=rows, ncols=cols, squeeze=False)
    for k, ax in enumerate(axes.flat):
        if k >= len(names):
            ax.axis("off")
            continue
        n = names[k]
        r = pstats[n]["_rates"]
        ax.hist(r, bins=rate_bins(r, pstats[n]["_duration_s"]), color=population_colour(n),
                edgecolor="white", lw=0.3)
        ax.axvline(r.mean(), color="k", lw=1, ls="--")
        ax.set_title("{} (mean {:.2f} Hz)".format(n, r.mean()), fontsize=9)
        ax.set_xlabel("firing rate (Hz)")
        ax.set_ylabel("cells")
    fig.suptitle("{}: per-cell firing rates".format(run.name))
    fig.tight_layout()
    fw.save(fig, "rates_hist")

    fig, ax = fw.new("rates_box")
    data = [pstats[n]["_rates"] for n in names]
    bp = ax.boxplot(data, patch_artist=True, showfliers=True,
                    flierprops={"markersize": 2, "alpha": 0.4})
    for patch, n in zip(bp["boxes"], names):
        patch.set_facecolor(population_colour(n))
        patch.set_alpha(0.8)
    ax.set_xticks(range(1, len(names) + 1))
    ax.set_xticklabels(names, rotation=30 if len(names) > 6 else 0)
    ax.set_ylabel("firing rate (Hz)")
    ax.set_xlabel("population")
    ax.set_title("{}: firing rates per population".format(run.name))
    fig.tight_layout()
    fw.save(fig, "rates_box")


STIM_COLOURS = {"dep": "#f0a000", "hyp": "#40a0f0", "source": "#9b59b6"}
WINDOW_COLOURS = {"gain reference": "#bbbbbb", "gain test": "#555555",
                  "before push": "#c7b3e0", "after push": "#6a3d9a"}


def analysis_windows(windows):
    """[(label, (a, b))] of the gain and push windows that were computed."""
    out = []
    g = (windows or {}).get("gain", {})
    if "window_ms" in g:
        out += [("gain reference", g["reference_ms"]), ("gain test", g["window_ms"])]
    q = (windows or {}).get("paradoxical", {})
    if "before_ms" in q:
        out += [("before push", q["before_ms"]), ("after push", q["after_ms"])]
    return out


def fig_psth(fw, run, t0, t1, opts, rows_out, windows=None):
    names = run.recorded()
    fig, axes = fw.new("psth", nrows=len(names), sharex=True, squeeze=False)
    # Every stimulus and every spike source switching on after 0 (a push), on every panel:
    # strong on the populations it acts on, light on the others.
    events = []
    for s in run.stimuli:
        cells = "{} cells".format(len(s["node_ids"])) if s["node_ids"] else "all cells"
        events.append((s["start_ms"], s["stop_ms"], [s["population"]],
                       STIM_COLOURS["dep" if s["amp_pA"] >= 0 else "hyp"],
                       "{} {:+g} pA ({})".format(s["name"], s["amp_pA"], cells)))
    for s in run.pushes:
        events.append((s["start_ms"], s["stop_ms"], s["targets"], STIM_COLOURS["source"],
                       "{} ({} from {:g} ms)".format(s["name"], s["type"], s["start_ms"])))
    wins = analysis_windows(windows)
    for ax, n in zip(axes[:, 0], names):
        sp = run.spikes[n]
        t, _ = stats.in_window(sp.timestamps, sp.node_ids, t0, t1)
        edges, rate = stats.population_rate(t, run.populations[n]["cells"], t0, t1, opts.bin_ms)
        rows_out[n] = (edges, rate)
        ax.stairs(rate, edges, color=population_colour(n), lw=1, fill=True, alpha=0.3)
        ax.stairs(rate, edges, color=population_colour(n), lw=1)
        labelled = 0
        for a, b, targets, colour, label in events:
            a, b = max(a, t0), min(b, t1)
            if b <= a:
                continue
            on = n in targets
            ax.axvspan(a, b, color=colour, alpha=0.28 if on else 0.07, lw=0)
            if on:  # labels stacked downwards so that overlapping windows stay readable
                ax.text(a, 1.0 - 0.12 * labelled, " " + label, fontsize=7, va="top",
                        transform=ax.get_xaxis_transform())
                labelled += 1
        for label, (a, b) in wins:
            a, b = max(a, t0), min(b, t1)
            if b > a:  # gain windows in the lowest strip, push windows in the one above
                lo = 0.0 if label.startswith("gain") else 0.06
                ax.axvspan(a, b, ymin=lo, ymax=lo + 0.05, color=WINDOW_COLOURS[label], lw=0)
        ax.set_ylabel("{}\n(Hz)".format(n), fontsize=8)
    axes[-1, 0].set_xlabel("time (ms)")
    axes[-1, 0].set_xlim(t0, t1)
    handles = [Patch(color=STIM_COLOURS["dep"], alpha=0.5, label="depolarising stimulus"),
               Patch(color=STIM_COLOURS["hyp"], alpha=0.5, label="hyperpolarising stimulus"),
               Patch(color=STIM_COLOURS["source"], alpha=0.5, label="input switching on")]
    handles += [Patch(color=WINDOW_COLOURS[label], label=label + " window") for label, _ in wins]
    axes[0, 0].legend(handles=handles, fontsize=6, loc="upper left", bbox_to_anchor=(1.005, 1.0),
                      borderaxespad=0.0, title="shading (windows:\nstrips at the bottom)",
                      title_fontsize=6)
    par = (windows or {}).get("paradoxical", {})
    extra = ""
    if "verdict" in par:
        extra = "\npush at {:g} ms: {}; ISN-consistent: {}".format(
            par["push_ms"], par["interpretation"],
            {True: "yes", False: "no", None: "n/a"}[par["isn_consistent"]])
    axes[0, 0].set_title("{}: PSTH per population ({:g} ms bins; shaded strong: stimuli on that "
                         "population, light: on others){}".format(run.name, opts.bin_ms, extra),
                         fontsize=9)
    fig.tight_layout()
    fw.save(fig, "psth")


def fig_traces(fw, run, t0, t1, opts):
    if run.report is None:
        fw.skip("traces", "no membrane-potential report (record v_m in the config)")
        return
    pops = list(run.report)
    fig, axes = fw.new("traces", nrows=len(pops), sharex=True, squeeze=False)
    for ax, p in zip(axes[:, 0], pops):
        rep = run.report[p]
        tt = rep.times()
        sel = (tt >= t0) & (tt < t1)
        base = population_colour(p)
        ids = rep.node_ids[:opts.max_traces]
        for k, nid in enumerate(ids):
            shade = 0.55 * k / max(len(ids) - 1, 1)
            rgb = [c + (1 - c) * shade for c in matplotlib.colors.to_rgb(base)]
            ax.plot(tt[sel], rep.trace(nid)[sel], color=rgb, lw=0.8,
                    label="{} {}".format(p, nid))
        for s in run.stimuli:
            if s["population"] == p:
                a, b = max(s["start_ms"], t0), min(s["stop_ms"], t1)
                if b > a:
                    ax.axvspan(a, b, color="#f0c000", alpha=0.15, lw=0)
        ax.set_ylabel("V_m ({})".format(rep.units or "mV"))
        ax.legend(fontsize=7, loc="upper right", ncol=min(len(ids), 5))
    axes[-1, 0].set_xlabel("time (ms)")
    axes[-1, 0].set_xlim(t0, t1)
    axes[0, 0].set_title("{}: membrane potential of recorded cells".format(run.name))
    fig.tight_layout()
    fw.save(fig, "traces")


def fig_connectivity(fw, run, conn):
    if not conn:
        fw.skip("connectivity", "no projections in summary.json")
        return
    # Rows: every presynaptic population or source; columns: the populations they target.
    def unique(names):  # order kept, each name once (a source may feed several targets)
        return list(dict.fromkeys(names))

    cols = unique([n for n in run.populations if run.populations[n]["kind"] == "neuron"]
                  + [e["target"] for e in conn])
    cols = [n for n in cols if any(e["target"] == n for e in conn)]
    rows = unique([n for n in cols if any(e["source"] == n for e in conn)]
                  + [e["source"] for e in conn])
    ri = {n: i for i, n in enumerate(rows)}
    ci = {n: i for i, n in enumerate(cols)}
    P = np.full((len(rows), len(cols)), np.nan)
    W = np.full((len(rows), len(cols)), np.nan)
    unit_of = {}
    for e in conn:
        P[ri[e["source"]], ci[e["target"]]] = e["connection_probability"]
        W[ri[e["source"]], ci[e["target"]]] = e["mean_weight"]
        unit_of[e["target"]] = (e["weight_unit"], e["synapse_kind"], e["target_model_type"])
    units = sorted({u for u, _, _ in unit_of.values()})
    if len(units) == 1:
        u, kind, mt = next(iter(unit_of.values()))
        kinds = sorted({k for _, k, _ in unit_of.values()})
        wlabel = "mean weight ({}; {})".format(u, ", ".join(kinds))
    else:
        wlabel = "mean weight, MIXED UNITS (one colour scale across units):\n" + "\n".join(
            "{} ({}) for {}".format(
                u, ", ".join(sorted({unit_of[t][1] for t in cols if unit_of[t][0] == u})),
                ", ".join(t for t in cols if unit_of[t][0] == u))
            for u in units)
    fig, (a1, a2) = fw.new("connectivity", ncols=2)
    im1 = a1.imshow(P, cmap="viridis", vmin=0, vmax=1, aspect="auto")
    lo, hi = np.nanmin(W), np.nanmax(W)
    if lo >= 0:  # no inhibitory (negative) weights: sequential from 0
        im2 = a2.imshow(W, cmap="YlOrRd", vmin=0, vmax=max(hi, 1e-12), aspect="auto")
    elif hi <= 0:  # only negative weights: sequential, most negative darkest
        im2 = a2.imshow(W, cmap="Blues_r", vmin=min(lo, -1e-12), vmax=0, aspect="auto")
    else:  # mixed signs: diverging, centred on 0
        lim = max(abs(lo), abs(hi))
        im2 = a2.imshow(W, cmap="RdBu_r", vmin=-lim, vmax=lim, aspect="auto")
    xl = ["{} [{}]".format(n, unit_of[n][0]) for n in cols]
    for ax, M, im, title, cb in (
            (a1, P, im1, "connection probability (≥ 1 synapse,\nassuming independent rules)",
             "P(≥ 1 synapse) = 1 − Π(1 − p_k)"),
            (a2, W, im2, "mean weight per connection\n(syn_weight × nsyn)", wlabel)):
        ax.set_xticks(range(len(cols)))
        ax.set_yticks(range(len(rows)))
        ax.set_xticklabels(xl if M is W else cols, rotation=45, ha="right", fontsize=8)
        ax.set_yticklabels(rows, fontsize=8)
        ax.set_xlabel("target population")
        ax.set_ylabel("source population")
        ax.set_title("{}: {}".format(run.name, title), fontsize=10)
        for i in range(len(rows)):
            for j in range(len(cols)):
                if np.isfinite(M[i, j]) and max(len(rows), len(cols)) <= 12:
                    v = M[i, j]
                    if M is P:
                        colour = "w" if v < 0.6 else "k"
                    else:
                        rgba = im.cmap(im.norm(v))
                        colour = "w" if 0.299 * rgba[0] + 0.587 * rgba[1] + 0.114 * rgba[2] < 0.5 else "k"
                    ax.text(j, i, "{:.3g}".format(v), ha="center", va="center", fontsize=7,
                            color=colour)
        c = fig.colorbar(im, ax=ax, fraction=0.046, pad=0.04)
        c.set_label(cb, fontsize=8)
    fig.tight_layout()
    fw.save(fig, "connectivity")


def fig_positions(fw, run, opts):
    have = {}
    if run.nodes:
        have = {n: p["xyz"] for n, p in run.nodes.items() if p["xyz"] is not None}
    if not have:
        why = "no nodes.h5" if not run.nodes else "no population has positions"
        fw.skip("positions_2d", why)
        fw.skip("positions_3d", why)
        return
    rng = np.random.default_rng(0)
    pts = {}
    for n, xyz in have.items():
        if len(xyz) > opts.max_points:
            xyz = xyz[np.sort(rng.choice(len(xyz), opts.max_points, replace=False))]
        pts[n] = xyz
    fig, (a1, a2) = fw.new("positions_2d", ncols=2)
    for n, xyz in pts.items():
        c = population_colour(n)
        a1.scatter(xyz[:, 0], xyz[:, 2], s=4, color=c, label=n, alpha=0.7, rasterized=True)
        a2.scatter(xyz[:, 0], xyz[:, 1], s=4, color=c, label=n, alpha=0.7, rasterized=True)
    a1.set_xlabel("x (µm)")
    a1.set_ylabel("z (µm)")
    a1.set_title("{}: cell positions, top view (x-z)".format(run.name), fontsize=10)
    a2.set_xlabel("x (µm)")
    a2.set_ylabel("y (µm, column axis)")
    a2.set_title("{}: cell positions, side view (x-y)".format(run.name), fontsize=10)
    for a in (a1, a2):
        a.set_aspect("equal", adjustable="datalim")
    a2.legend(fontsize=8, markerscale=3, loc="upper right")
    fig.tight_layout()
    fw.save(fig, "positions_2d")

    w, h = FIGURE_SIZES["positions_3d"]
    fig = plt.figure(figsize=(w, h), dpi=DPI)
    ax = fig.add_subplot(projection="3d")
    for n, xyz in pts.items():
        ax.scatter(xyz[:, 0], xyz[:, 2], xyz[:, 1], s=3, color=population_colour(n), label=n,
                   alpha=0.7, rasterized=True)
    ax.set_xlabel("x (µm)")
    ax.set_ylabel("z (µm)")
    ax.set_zlabel("y (µm)")
    ax.set_title("{}: cell positions (3-D)".format(run.name))
    ax.legend(fontsize=8, markerscale=3)
    fw.save(fig, "positions_3d")


def fig_psd(fw, run, pstats, opts):
    fig, ax = fw.new("psd")
    plotted = False
    for n, s in pstats.items():
        f, p = s["_psd"]
        if len(f) > 1 and np.any(p[1:] > 0):
            ax.semilogy(f[1:], p[1:], color=population_colour(n), lw=1, label=n)
            plotted = True
    if not plotted:
        plt.close(fig)
        fw.skip("psd", "window too short or no spikes")
        return
    ax.set_xlim(0, min(250.0, 500.0 / opts.psd_bin_ms))
    ax.set_xlabel("frequency (Hz)")
    ax.set_ylabel("PSD of population rate (Hz²/Hz)")
    ax.set_title("{}: population-rate power spectrum (Welch)".format(run.name))
    ax.legend(fontsize=8)
    fig.tight_layout()
    fw.save(fig, "psd")


def fig_spike_stats(fw, run, pstats, opts):
    names = list(pstats)
    fig, (a1, a2, a3) = fw.new("spike_stats", ncols=3)
    for n in names:
        cv = pstats[n]["_cv"]
        cv = cv[np.isfinite(cv)]
        if len(cv):
            a1.hist(cv, bins=np.linspace(0, max(2.0, cv.max()), 30), histtype="step", lw=1.5,
                    color=population_colour(n), label="{} ({} cells)".format(n, len(cv)))
    a1.set_xlabel("ISI CV (dimensionless)")
    a1.set_ylabel("cells")
    a1.set_title("{}: ISI CV (cells with ≥ 3 spikes)".format(run.name), fontsize=10)
    a1.legend(fontsize=7)
    x = np.arange(len(names))
    cols = [population_colour(n) for n in names]
    ff = [pstats[n]["fano_factor"] or 0.0 for n in names]
    sy = [pstats[n]["synchrony_chi2"] or 0.0 for n in names]
    a2.bar(x, ff, color=cols)
    a2.axhline(1.0, color="k", ls="--", lw=0.8)
    a2.set_ylabel("Fano factor (dimensionless)")
    a2.set_title("Fano factor ({:g} ms counts)".format(opts.fano_bin_ms), fontsize=10)
    a3.bar(x, sy, color=cols)
    a3.set_ylabel("synchrony χ² (dimensionless)")
    a3.set_title("synchrony χ² ({:g} ms bins)".format(opts.bin_ms), fontsize=10)
    for a in (a2, a3):
        a.set_xticks(x)
        a.set_xticklabels(names, rotation=30 if len(names) > 4 else 0, fontsize=8)
        a.set_xlabel("population")
    fig.tight_layout()
    fw.save(fig, "spike_stats")


# ---- tables --------------------------------------------------------------------------------

STAT_COLUMNS = ["kind", "cells", "spikes", "mean_rate_hz", "std_rate_hz", "median_rate_hz",
                "fraction_silent", "cv_isi_mean", "cv_isi_median", "cv_isi_cells",
                "fano_factor", "synchrony_chi2", "psd_peak_hz", "psd_peak_power"]


def _fmt(v):
    if v is None:
        return ""
    if isinstance(v, float):
        return "{:.6g}".format(v)
    return str(v)


def write_csv(path, header, rows):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        for r in rows:
            w.writerow([_fmt(v) for v in r])


def write_single_tables(folder, run, pstats, psth, conn):
    write_csv(os.path.join(folder, "populations.csv"), ["population"] + STAT_COLUMNS,
              [[n] + [pstats[n][c] for c in STAT_COLUMNS] for n in pstats])
    rows = []
    for n in pstats:
        r, cv = pstats[n]["_rates"], pstats[n]["_cv"]
        for i in range(len(r)):
            rows.append([n, i, float(r[i]), None if math.isnan(cv[i]) else float(cv[i])])
    write_csv(os.path.join(folder, "cell_rates.csv"),
              ["population", "node_id", "rate_hz", "cv_isi"], rows)
    if psth:
        names = list(psth)
        edges = psth[names[0]][0]
        write_csv(os.path.join(folder, "psth.csv"),
                  ["t_start_ms", "t_stop_ms"] + ["{}_hz".format(n) for n in names],
                  [[float(edges[k]), float(edges[k + 1])] + [float(psth[n][1][k]) for n in names]
                   for k in range(len(edges) - 1)])
    if conn:
        write_csv(os.path.join(folder, "connectivity.csv"),
                  ["source", "target", "synapses", "synapses_per_pair",
                   "connection_probability", "mean_weight", "weight_unit", "synapse_kind",
                   "projections"],
                  [[e["source"], e["target"], e["synapses"], e["synapses_per_pair"],
                    e["connection_probability"], e["mean_weight"], e["weight_unit"],
                    e["synapse_kind"], " ".join(e["projections"])] for e in conn])


# ---- commands ------------------------------------------------------------------------------

def analysis_window(run, opts):
    if opts.window:
        return parse_window(opts.window, "--window")
    if run.tstop <= 0:
        raise AnalysisError("{}: cannot tell the simulated time (no summary.json, no spikes); "
                            "give --window".format(run.path))
    # Closed at tstop: a spike in the last step is stamped exactly tstop.
    return 0.0, float(np.nextafter(run.tstop, math.inf))


def analyze_single(run, opts):
    out = opts.output or run.path
    figdir = os.path.join(out, "figures")
    fw = FigureWriter(figdir, opts.formats)
    t0, t1 = analysis_window(run, opts)
    pstats = population_stats(run, t0, t1, opts)
    conn = connectivity(run)
    windows = window_measures(run, t0, t1, opts)
    psth = {}
    fig_raster(fw, run, t0, t1, opts, pstats)
    fig_rates(fw, run, pstats)
    fig_psth(fw, run, t0, t1, opts, psth, windows)
    fig_traces(fw, run, t0, t1, opts)
    fig_connectivity(fw, run, conn)
    fig_positions(fw, run, opts)
    fig_psd(fw, run, pstats, opts)
    fig_spike_stats(fw, run, pstats, opts)
    write_single_tables(out, run, pstats, psth, conn)
    result = {
        "run": run.name, "path": run.path, "spike_file": run.spike_file,
        "window_ms": [t0, t1], "bin_ms": opts.bin_ms, "fano_bin_ms": opts.fano_bin_ms,
        "psd_bin_ms": opts.psd_bin_ms, "populations": public(pstats),
        "not_recorded": [n for n, p in run.populations.items() if not p["recorded"]],
        "connectivity": conn, "stimuli": run.stimuli, "input_onsets": run.pushes,
        "windows": public(windows),
        "figures": fw.written, "figures_skipped": fw.skipped,
    }
    with open(os.path.join(out, "analysis.json"), "w") as f:
        json.dump(public(result), f, indent=2, default=float)
    return result


def analyze_compare(runs, opts):
    names = [r.name for r in runs]
    if len(set(names)) != len(names):
        names = [os.path.relpath(r.path) for r in runs]
    out = opts.output or os.path.join(runs[0].path, "compare")
    fw = FigureWriter(os.path.join(out, "figures"), opts.formats)
    title = "{} (baseline) vs {}".format(names[0], ", ".join(names[1:]))
    per = []
    for r in runs:
        t0, t1 = analysis_window(r, opts)
        per.append({"window": (t0, t1), "stats": population_stats(r, t0, t1, opts),
                    "windows": window_measures(r, t0, t1, opts)})
    pops = []
    for p in per:
        for n in p["stats"]:
            if n not in pops:
                pops.append(n)

    # Side-by-side rate distributions: one panel per population, one box per run.
    rows, cols = _grid(len(pops))
    fig, axes = fw.new("compare_rates", nrows=rows, ncols=cols, squeeze=False)
    for k, ax in enumerate(axes.flat):
        if k >= len(pops):
            ax.axis("off")
            continue
        n = pops[k]
        data, labels = [], []
        for rn, p in zip(names, per):
            if n in p["stats"]:
                data.append(p["stats"][n]["_rates"])
                labels.append(rn)
        bp = ax.boxplot(data, patch_artist=True, flierprops={"markersize": 2, "alpha": 0.4})
        for j, b in enumerate(bp["boxes"]):
            b.set_facecolor(population_colour(n))
            b.set_alpha(0.9 if j == 0 else 0.55)
            if j:
                b.set_hatch("//")
        ax.set_xticks(range(1, len(labels) + 1))
        ax.set_xticklabels(labels, fontsize=8, rotation=20)
        ax.set_title(n, fontsize=9, color=population_colour(n))
        ax.set_ylabel("firing rate (Hz)")
    fig.suptitle("{}: per-cell firing rates".format(title), fontsize=11)
    fig.tight_layout()
    fw.save(fig, "compare_rates")

    # Changes versus baseline.
    table = []
    base = per[0]["stats"]
    for rn, p in zip(names, per):
        for n in pops:
            s = p["stats"].get(n)
            if s is None:
                continue
            b = base.get(n)
            d = s["mean_rate_hz"] - b["mean_rate_hz"] if b else None
            pct = 100.0 * d / b["mean_rate_hz"] if b and b["mean_rate_hz"] > 0 else None
            table.append([rn, n, s["cells"], s["mean_rate_hz"], d, pct, s["cv_isi_mean"],
                          s["fano_factor"], s["synchrony_chi2"]])
    fig, (a1, a2) = fw.new("compare_changes", ncols=2)
    conds = names[1:]
    width = 0.8 / max(len(conds), 1)
    x = np.arange(len(pops))
    hatches = ["", "//", "..", "xx", "\\\\", "++", "oo"]
    for j, cn in enumerate(conds):
        d = [next((r[4] for r in table if r[0] == cn and r[1] == n), None) for n in pops]
        pc = [next((r[5] for r in table if r[0] == cn and r[1] == n), None) for n in pops]
        pos = x - 0.4 + width * (j + 0.5)
        for a, vals in ((a1, d), (a2, pc)):
            a.bar(pos, [v if v is not None else 0.0 for v in vals], width * 0.95,
                  color=[population_colour(n) for n in pops], hatch=hatches[j % len(hatches)],
                  edgecolor="k", lw=0.4)
    for a, lab in ((a1, "Δ mean rate vs baseline (Hz)"), (a2, "Δ mean rate vs baseline (%)")):
        a.axhline(0, color="k", lw=0.8)
        a.set_xticks(x)
        a.set_xticklabels(pops, rotation=30 if len(pops) > 4 else 0, fontsize=8)
        a.set_xlabel("population")
        a.set_ylabel(lab)
    a1.legend(handles=[Patch(facecolor="white", edgecolor="k", hatch=hatches[j % len(hatches)],
                             label=cn) for j, cn in enumerate(conds)], fontsize=8,
              title="condition")
    a1.set_title("{}: mean-rate change (Hz)".format(title), fontsize=10)
    a2.set_title("relative change (%) versus {}".format(names[0]), fontsize=10)
    fig.tight_layout()
    fw.save(fig, "compare_changes")

    # Window measures.
    gains = [(rn, p["windows"]["gain"]) for rn, p in zip(names, per)]
    pars = [(rn, p["windows"]["paradoxical"]) for rn, p in zip(names, per)]
    g_ok = [(rn, g) for rn, g in gains if "rate_window_hz" in g]
    p_ok = [(rn, q) for rn, q in pars if "verdict" in q]
    if not g_ok and not p_ok:
        fw.skip("compare_windows", "; ".join(sorted({g.get("skipped", "") for _, g in gains}
                                                    | {q.get("skipped", "") for _, q in pars})))
    else:
        fig, (a1, a2) = fw.new("compare_windows", ncols=2)
        exc_col = population_colour((g_ok[0][1]["populations"] or ["exc"])[0] if g_ok else "exc")
        pv_col = population_colour((p_ok[0][1]["pv_populations"] or ["pv"])[0] if p_ok else "pv")
        if g_ok:
            xx = np.arange(len(g_ok))
            a1.bar(xx - 0.2, [g["rate_reference_hz"] for _, g in g_ok], 0.4, color=exc_col,
                   alpha=0.45, label="reference window")
            a1.bar(xx + 0.2, [g["rate_window_hz"] for _, g in g_ok], 0.4, color=exc_col,
                   label="test window")
            for k, (_, g) in enumerate(g_ok):
                if g.get("gain") is not None:
                    a1.text(k, max(g["rate_window_hz"], g["rate_reference_hz"]),
                            "gain {:.2f}".format(g["gain"]), ha="center", va="bottom",
                            fontsize=8)
            a1.set_xticks(xx)
            a1.set_xticklabels([rn for rn, _ in g_ok], fontsize=8)
            a1.set_ylim(0, 1.25 * a1.get_ylim()[1])
            a1.legend(fontsize=8, loc="upper right")
        else:
            a1.text(0.5, 0.5, "gain: " + gains[0][1].get("skipped", ""), ha="center",
                    transform=a1.transAxes, fontsize=8, wrap=True)
        a1.set_xlabel("run")
        a1.set_ylabel("excitatory rate (Hz/cell)")
        a1.set_title("{}: gain (test vs reference window)".format(title), fontsize=10)
        if p_ok:
            xx = np.arange(len(p_ok))
            a2.bar(xx - 0.2, [q["pv_before_hz"] for _, q in p_ok], 0.4, color=pv_col, alpha=0.45,
                   label="PV before push")
            a2.bar(xx + 0.2, [q["pv_after_hz"] for _, q in p_ok], 0.4, color=pv_col,
                   label="PV after push")
            for k, (_, q) in enumerate(p_ok):
                isn = {True: "ISN-consistent", False: "not ISN-consistent",
                       None: "ISN: no exc pop"}[q["isn_consistent"]]
                a2.text(k, max(q["pv_before_hz"], q["pv_after_hz"]),
                        "{}\n{} (exc {})".format(q["verdict"], isn, q.get("exc_change", "n/a")),
                        ha="center", va="bottom", fontsize=7)
            a2.set_xticks(xx)
            a2.set_xticklabels([rn for rn, _ in p_ok], fontsize=8)
            a2.set_ylim(0, 1.25 * a2.get_ylim()[1])
            a2.legend(fontsize=8, loc="upper right")
        else:
            a2.text(0.5, 0.5, "paradoxical test: " + pars[0][1].get("skipped", ""),
                    ha="center", transform=a2.transAxes, fontsize=8, wrap=True)
        a2.set_xlabel("run")
        a2.set_ylabel("PV rate (Hz/cell)")
        a2.set_title("paradoxical-response test", fontsize=10)
        fig.tight_layout()
        fw.save(fig, "compare_windows")

    header = ["run", "population", "cells", "mean_rate_hz", "delta_hz", "delta_percent",
              "cv_isi_mean", "fano_factor", "synchrony_chi2"]
    write_csv(os.path.join(out, "compare_populations.csv"), header, table)
    with open(os.path.join(out, "compare_populations.md"), "w") as f:
        f.write("| " + " | ".join(header) + " |\n")
        f.write("|" + "---|" * len(header) + "\n")
        for r in table:
            f.write("| " + " | ".join(_fmt(v) or "-" for v in r) + " |\n")
    wrows = []
    for rn, p in zip(names, per):
        g, q = p["windows"]["gain"], p["windows"]["paradoxical"]
        wrows.append([rn, g.get("rate_reference_hz"), g.get("rate_window_hz"), g.get("gain"),
                      q.get("pv_before_hz"), q.get("pv_after_hz"), q.get("exc_before_hz"),
                      q.get("exc_after_hz"), q.get("verdict", q.get("skipped")),
                      q.get("isn_consistent"), q.get("interpretation")])
    write_csv(os.path.join(out, "windows.csv"),
              ["run", "exc_reference_hz", "exc_window_hz", "gain", "pv_before_hz",
               "pv_after_hz", "exc_before_hz", "exc_after_hz", "paradoxical_verdict",
               "isn_consistent", "interpretation"], wrows)
    result = {
        "baseline": names[0], "runs": {rn: {"path": r.path, "window_ms": list(p["window"]),
                                            "populations": public(p["stats"]),
                                            "windows": public(p["windows"])}
                                       for rn, r, p in zip(names, runs, per)},
        "changes_vs_baseline": [dict(zip(header, r)) for r in table],
        "figures": fw.written, "figures_skipped": fw.skipped,
    }
    with open(os.path.join(out, "analysis.json"), "w") as f:
        json.dump(public(result), f, indent=2, default=float)
    return result


def parse_args(argv):
    ap = argparse.ArgumentParser(
        prog="laminar analyze",
        description="Figures (PNG/SVG), analysis.json and CSV tables of a run folder; with "
                    "several folders, a comparison against the first (baseline). "
                    "Definitions: docs/analysis.md.")
    ap.add_argument("runs", nargs="+", metavar="RUN_DIR", help="output folder(s) of laminar run")
    ap.add_argument("--output", "-o", help="where to write (default: RUN_DIR, or "
                    "FIRST_RUN/compare for several runs)")
    ap.add_argument("--window", help="analysis window T0:T1 in ms (default: 0:tstop)")
    ap.add_argument("--bin-ms", type=float, default=5.0,
                    help="bin of PSTHs, rate histograms and synchrony (default 5)")
    ap.add_argument("--fano-bin-ms", type=float, default=100.0,
                    help="counting window of the Fano factor (default 100)")
    ap.add_argument("--psd-bin-ms", type=float, default=1.0,
                    help="sampling of the population rate for the PSD (default 1)")
    ap.add_argument("--format", default="png,svg", help="figure formats, e.g. png or png,svg")
    ap.add_argument("--raster-cells", type=int, default=250,
                    help="at most this many cells per population in the raster (default 250)")
    ap.add_argument("--max-traces", type=int, default=8,
                    help="at most this many traces per population (default 8)")
    ap.add_argument("--max-points", type=int, default=3000,
                    help="at most this many cells per population in position plots")
    ap.add_argument("--exc-pops", help="comma-separated excitatory populations (default: by "
                    "name, e.g. exc, L23e, Exc_L4)")
    ap.add_argument("--pv-pops", help="comma-separated PV populations (default: by name, pv..., "
                    "else inhibitory ones)")
    ap.add_argument("--gain-window", help="T0:T1 (ms) of the gain test window (default: the "
                    "first stimulus)")
    ap.add_argument("--gain-reference", help="T0:T1 (ms) of the reference window (default: as "
                    "long as the test window, just before it)")
    ap.add_argument("--push-time", type=float, help="time (ms) the input to PV rises (default: "
                    "earliest positive stimulus on a PV population or netstim/poisson source "
                    "with start > 0 projecting onto one)")
    ap.add_argument("--push-window-ms", type=float, default=200.0,
                    help="length of the before and after windows (default 200)")
    ap.add_argument("--push-settle-ms", type=float, default=50.0,
                    help="transient skipped after the push (default 50)")
    ap.add_argument("--config-index", help=argparse.SUPPRESS)
    opts = ap.parse_args(argv)
    opts.formats = [f.strip().lower() for f in opts.format.split(",") if f.strip()]
    for f in opts.formats:
        if f not in ("png", "svg", "pdf"):
            ap.error("--format: unknown format '{}' (png, svg, pdf)".format(f))
    if "png" not in opts.formats:
        opts.formats.insert(0, "png")
    for k in ("bin_ms", "fano_bin_ms", "psd_bin_ms"):
        if not getattr(opts, k) > 0:
            ap.error("--{} must be > 0".format(k.replace("_", "-")))
    return opts


def main(argv=None):
    opts = parse_args(sys.argv[1:] if argv is None else argv)
    index = None
    if opts.config_index and os.path.exists(opts.config_index):
        with open(opts.config_index) as f:
            index = json.load(f)
    try:
        runs = [Run(p, index, report_nodes=opts.max_traces) for p in opts.runs]
        if len(runs) == 1:
            res = analyze_single(runs[0], opts)
            where = opts.output or runs[0].path
        else:
            res = analyze_compare(runs, opts)
            where = opts.output or os.path.join(runs[0].path, "compare")
    except (AnalysisError, sonata.SonataError) as e:
        sys.stderr.write("laminar analyze: error: {}\n".format(e))
        return 1
    for name, why in sorted(res["figures_skipped"].items()):
        sys.stderr.write("laminar analyze: {} not drawn: {}\n".format(name, why))
    sys.stderr.write("laminar analyze: {} figures, analysis.json and tables in {}\n".format(
        len(res["figures"]), where))
    return 0


if __name__ == "__main__":
    sys.exit(main())
