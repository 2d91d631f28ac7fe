#!/usr/bin/python3
"""Runs the three microcircuit configs over several seeds with Laminar (and, with --neuron, the
same network in plain NEURON, tests/neuron/microcircuit_neuron.py) and prints the seed's
measures as a Markdown table: population rates, total rate, synapse count, the gain change
(exc rate in [400, 600) vs [200, 400)) and the ISN push test (PV and exc rates in [200, 500) vs
[500, 800)). The figures in docs/models/microcircuit.md come from:

    /usr/bin/python3 tests/neuron/microcircuit_study.py --laminar build/release/bin/laminar \\
        --seeds 1 2 3 4 5 [--neuron]
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
POPS = ["Exc_L23", "Exc_L5", "Inh_PV", "Inh_SOM"]
SIZES = {"Exc_L23": 40, "Exc_L5": 40, "Inh_PV": 10, "Inh_SOM": 10}
EXC = ["Exc_L23", "Exc_L5"]


def laminar_run(laminar, config, seed, out):
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    subprocess.run([laminar, "run", config, "--seed", str(seed), "--output", out, "--threads",
                    "1", "--quiet"], check=True, env=env, stdout=subprocess.DEVNULL)
    spikes = {}
    with h5py.File(os.path.join(out, "spikes.h5"), "r") as f:
        for pop in POPS:
            spikes[pop] = np.array(f["spikes"][pop]["timestamps"])
    with open(os.path.join(out, "summary.json")) as f:
        summary = json.load(f)
    return spikes, summary["synapses"], summary["wall_seconds"]["update"]


def rate(spikes, pops, a, b):
    n = sum(np.count_nonzero((spikes[p] >= a) & (spikes[p] < b)) for p in pops)
    return n / sum(SIZES[p] for p in pops) / ((b - a) / 1000.0)


def measures(spikes):
    m = {p: rate(spikes, [p], 0, 1000) for p in POPS}
    m["all"] = rate(spikes, POPS, 0, 1000)
    return m


def neuron_run(seed, experiment):
    out = subprocess.run([sys.executable, os.path.join(HERE, "microcircuit_neuron.py"), "--seed",
                          str(seed), "--experiment", experiment, "--dump-spikes"],
                         check=True, capture_output=True, text=True).stdout
    spikes = {p: [] for p in POPS}
    n_conn = t_run = None
    for line in out.splitlines():
        if line.startswith("SPIKE "):
            _, pop, t = line.split()
            spikes[pop].append(float(t))
        m = re.search(r"(\d+) connections .* run ([0-9.]+) s", line)
        if m:
            n_conn, t_run = int(m.group(1)), float(m.group(2))
    return {p: np.array(v) for p, v in spikes.items()}, n_conn + 100, t_run


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--laminar", default=os.path.join(ROOT, "build/release/bin/laminar"))
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    ap.add_argument("--neuron", action="store_true", help="also run plain NEURON")
    args = ap.parse_args()
    cfg = os.path.join(ROOT, "configs/microcircuit")
    rows = []
    engines = ["laminar"] + (["neuron"] if args.neuron else [])
    with tempfile.TemporaryDirectory() as tmp:
        for engine in engines:
            for seed in args.seeds:
                r = {"engine": engine, "seed": seed}
                for exp in ("baseline", "optogenetic", "isn_push"):
                    if engine == "laminar":
                        sp, syn, secs = laminar_run(args.laminar, os.path.join(cfg, exp + ".yaml"),
                                                    seed, os.path.join(tmp, f"{exp}_{seed}"))
                    else:
                        sp, syn, secs = neuron_run(seed, exp)
                    if exp == "baseline":
                        r.update(measures(sp))
                        r["synapses"], r["seconds"] = syn, secs
                    elif exp == "optogenetic":
                        r0, r1 = rate(sp, EXC, 200, 400), rate(sp, EXC, 400, 600)
                        r["gain"] = 100 * (r1 - r0) / r0
                    else:
                        r["pv0"], r["pv1"] = rate(sp, ["Inh_PV"], 200, 500), rate(sp, ["Inh_PV"], 500, 800)
                        r["ex0"], r["ex1"] = rate(sp, EXC, 200, 500), rate(sp, EXC, 500, 800)
                rows.append(r)
                print(json.dumps(r), file=sys.stderr)
    cols = ["Exc_L23", "Exc_L5", "Inh_PV", "Inh_SOM", "all", "gain", "pv0", "pv1", "ex0", "ex1"]
    print("| engine | seed | synapses | " + " | ".join(cols) + " |")
    print("|---" * (len(cols) + 3) + "|")
    for engine in engines:
        sel = [r for r in rows if r["engine"] == engine]
        for r in sel:
            print(f"| {engine} | {r['seed']} | {r['synapses']} | "
                  + " | ".join(f"{r[c]:.1f}" for c in cols) + " |")
        mean = {c: statistics.mean(r[c] for r in sel) for c in cols}
        sd = {c: statistics.stdev(r[c] for r in sel) if len(sel) > 1 else 0.0 for c in cols}
        syn = statistics.mean(r["synapses"] for r in sel)
        print(f"| {engine} | mean ± sd | {syn:.0f} | "
              + " | ".join(f"{mean[c]:.1f} ± {sd[c]:.1f}" for c in cols) + " |")


if __name__ == "__main__":
    main()
