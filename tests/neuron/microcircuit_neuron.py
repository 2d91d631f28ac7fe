#!/usr/bin/python3
"""The seed's microcircuit (configs/microcircuit/baseline.yaml) in plain NEURON, for the speed
comparison in docs/performance.md and as a statistical cross-check of the rates.

Same cells (PYR: soma hh + dend pas on soma(1); INH: soma hh), one Exp2Syn 'exc' and one 'inh'
per section (NetPyNE shares a synMech per section and label; a dend target of an INH cell goes
to its soma), the four probabilistic rules per (pre, post) pair without self-connections, one
NetStim per cell (interval 25 ms, noise 0.8, number 1e9, start 0) with weight 0.007 and delay 2,
NetCon threshold 10 mV, dt 0.05 ms, 1000 ms, celsius 6.3, v_init -65. Connections and NetStim
noise are drawn with numpy / per-NetStim Random123 streams, so the spikes are statistically,
not exactly, those of Laminar (whose streams differ); the per-cell dynamics are the same
scheme (tests/unit/model/test_hh_neuron.cpp).

Command (one core; needs the Debian packages neuron and python3-neuron):

    /usr/bin/python3 tests/neuron/microcircuit_neuron.py [--seed 1] [--tstop 1000]
        [--experiment baseline|optogenetic|isn_push] [--cache-efficient]

It prints the build time, the wall time of the run (pc.psolve only, as NetPyNE's sim.simulate) and the rates.
"""
import argparse
import time

import numpy as np
from neuron import h

POPS = [("Exc_L23", 40, "PYR"), ("Exc_L5", 40, "PYR"), ("Inh_PV", 10, "INH"),
        ("Inh_SOM", 10, "INH")]
EXC = ["Exc_L5", "Exc_L23"]
# (pre pops, post pops, probability, weight µS, synapse label, section, delay ms)
RULES = [
    (["Inh_PV"], ["Exc_L5", "Exc_L23"], 0.1, 0.005, "inh", "soma", 2.0),
    (EXC, ["Inh_PV"], 0.5, 0.004, "exc", "soma", 2.0),
    (["Inh_SOM"], ["Exc_L5", "Exc_L23", "Inh_PV"], 0.2, 0.0006, "inh", "dend", 2.0),
    (EXC, ["Exc_L5", "Exc_L23", "Inh_PV", "Inh_SOM"], 0.5, 0.0005, "exc", "dend", 3.0),
]


class Cell:
    def __init__(self, kind, gid):
        self.soma = h.Section(name=f"soma_{gid}")
        s = self.soma
        s.nseg = 1
        if kind == "PYR":
            s.diam, s.L, s.Ra = 18.8, 18.8, 123.0
            s.insert("hh")
            s(0.5).hh.gnabar, s(0.5).hh.gkbar, s(0.5).hh.gl, s(0.5).hh.el = 0.12, 0.036, 0.001, -70
            self.dend = h.Section(name=f"dend_{gid}")
            d = self.dend
            d.nseg, d.diam, d.L, d.Ra, d.cm = 1, 2.0, 150.0, 150.0, 1.0
            d.insert("pas")
            d(0.5).pas.g, d(0.5).pas.e = 0.0002, -70
            d.connect(s(1), 0)
        else:
            s.diam, s.L, s.Ra = 16.0, 16.0, 125.0
            s.insert("hh")
            s(0.5).hh.gnabar, s(0.5).hh.gkbar, s(0.5).hh.gl, s(0.5).hh.el = (0.14, 0.045,
                                                                              0.00095, -70)
            self.dend = None
        self.syn = {}
        for sec_name in ("soma", "dend"):
            sec = self.dend if (sec_name == "dend" and self.dend is not None) else self.soma
            for label, (t1, t2, e) in {"exc": (0.1, 1.0, 0.0), "inh": (0.5, 5.0, -80.0)}.items():
                key = (label, sec.name())
                if key not in self.syn:
                    syn = h.Exp2Syn(sec(0.5))
                    syn.tau1, syn.tau2, syn.e = t1, t2, e
                    self.syn[key] = syn
                self.syn[(label, sec_name)] = self.syn[key]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--tstop", type=float, default=1000.0)
    ap.add_argument("--experiment", default="baseline",
                    choices=["baseline", "optogenetic", "isn_push"])
    ap.add_argument("--dump-spikes", action="store_true", help="print 'SPIKE pop t' lines")
    ap.add_argument("--cache-efficient", action="store_true",
                    help="CVode.cache_efficient(1): NEURON's faster memory layout (NetPyNE's "
                         "cfg.cache_efficient, off by default there)")
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    t0 = time.perf_counter()
    h.celsius = 6.3
    h.dt = 0.05
    cells, pop_of, gids = [], [], {}
    for name, n, kind in POPS:
        gids[name] = list(range(len(cells), len(cells) + n))
        for _ in range(n):
            cells.append(Cell(kind, len(cells)))
            pop_of.append(name)
    keep = []
    n_conn = 0
    for pre, post, p, w, label, sec, delay in RULES:
        pre_g = [g for name in pre for g in gids[name]]
        post_g = [g for name in post for g in gids[name]]
        for tgt in post_g:
            for src in pre_g:
                if src == tgt or rng.random() >= p:
                    continue
                nc = h.NetCon(cells[src].soma(0.5)._ref_v, cells[tgt].syn[(label, sec)],
                              sec=cells[src].soma)
                nc.threshold, nc.weight[0], nc.delay = 10.0, w, delay
                keep.append(nc)
                n_conn += 1

    def netstims(targets, interval, number, start, noise, weight, delay, stream_id):
        for g in targets:
            ns = h.NetStim()
            ns.interval, ns.number, ns.start, ns.noise = interval, number, start, noise
            r = h.Random()
            r.Random123(g, stream_id, args.seed)
            r.negexp(1)
            ns.noiseFromRandom(r)
            nc = h.NetCon(ns, cells[g].syn[("exc", "soma")])
            nc.weight[0], nc.delay = weight, delay
            keep.extend([ns, r, nc])

    netstims(range(len(cells)), 25.0, 1e9, 0.0, 0.8, 0.007, 2.0, 1)
    if args.experiment in ("isn_push", "optogenetic"):
        netstims(gids["Inh_PV"], 1000.0 / 150.0, 1000, 500.0, 0.6, 0.1, 1.0, 2)
    if args.experiment == "optogenetic":
        for g in gids["Inh_PV"]:
            ic = h.IClamp(cells[g].soma(0.5))
            setattr(ic, "del", 400.0)
            ic.dur, ic.amp = 200.0, -0.75
            keep.append(ic)
    spk_t, spk_id = h.Vector(), h.Vector()
    for g, c in enumerate(cells):
        nc = h.NetCon(c.soma(0.5)._ref_v, None, sec=c.soma)
        nc.threshold = 10.0
        nc.record(spk_t, spk_id, g)
        keep.append(nc)
    t_build = time.perf_counter() - t0

    # As NetPyNE runs it: ParallelContext.psolve (one host, fixed step).
    pc = h.ParallelContext()
    pc.set_maxstep(10)
    if args.cache_efficient:
        h.CVode().cache_efficient(1)
    h.finitialize(-65.0)
    t1 = time.perf_counter()
    pc.psolve(args.tstop)
    t_run = time.perf_counter() - t1

    t = np.array(spk_t)
    ids = np.array(spk_id, dtype=int)
    print(f"NEURON {h.nrnversion(4)}: {len(cells)} cells, {n_conn} connections (+{len(cells)} "
          f"background), build {t_build:.2f} s, run {t_run:.3f} s for {args.tstop:g} ms at dt "
          f"{h.dt}; {len(t)} spikes ({len(t) / len(cells) / args.tstop * 1000:.2f} Hz)")
    for name, n, _ in POPS:
        mask = np.isin(ids, gids[name])
        print(f"  {name}: {mask.sum() / n / args.tstop * 1000:.2f} Hz")

    def rate(names, a, b):
        g = [x for nm in names for x in gids[nm]]
        m = (t >= a) & (t < b) & np.isin(ids, g)
        return m.sum() / len(g) / ((b - a) / 1000)

    if args.dump_spikes:
        for tt, g in zip(t, ids):
            print(f"SPIKE {pop_of[g]} {tt!r}")
    if args.experiment == "optogenetic":
        r0, r1 = rate(EXC, 200, 400), rate(EXC, 400, 600)
        print(f"  exc {r0:.2f} -> {r1:.2f} Hz, gain {100 * (r1 - r0) / r0:+.1f} %")
    if args.experiment == "isn_push":
        print(f"  PV {rate(['Inh_PV'], 200, 500):.2f} -> {rate(['Inh_PV'], 500, 800):.2f} Hz, "
              f"exc {rate(EXC, 200, 500):.2f} -> {rate(EXC, 500, 800):.2f} Hz")


if __name__ == "__main__":
    main()
