#!/usr/bin/python3
"""Reference traces of single NEURON cells for Laminar's hh_neuron unit tests.

Builds each test cell in NEURON 8.2.2 exactly as NetPyNE builds the seed's cells (a soma with
hh, nseg 1; for PYR a passive dend of nseg 1 whose 0 end sits on soma(1); Exp2Syn synapses at
0.5; an IClamp at soma(0.5)), runs the fixed-step scheme (h.fadvance, secondorder 0) for 500 ms,
and writes tests/data/neuron/<case>.csv: header lines with the case (dt, Laminar parameters,
currents, events, NEURON's spike times) and the soma/dend voltages every `stride` steps.
tests/unit/model/test_hh_neuron.cpp rebuilds every case from the header and compares.

Command (from the repository root; needs the Debian packages neuron and python3-neuron):

    /usr/bin/python3 tests/neuron/make_reference.py tests/data/neuron

CI never runs this script: its output is committed.
"""
import os
import sys

from neuron import h

h.load_file("stdrun.hoc")

TSTOP = 500.0

# The seed's two cell types (../shared/seeds/001_d3867bd9b126f97a.txt), in Laminar's names.
PYR = dict(soma_diam=18.8, soma_L=18.8, soma_Ra=123.0, soma_cm=1.0, gnabar=0.12, gkbar=0.036,
           gl=0.001, el=-70.0, has_dend=1, dend_diam=2.0, dend_L=150.0, dend_Ra=150.0,
           dend_cm=1.0, dend_g_pas=0.0002, dend_e_pas=-70.0)
INH = dict(soma_diam=16.0, soma_L=16.0, soma_Ra=125.0, soma_cm=1.0, gnabar=0.14, gkbar=0.045,
           gl=0.00095, el=-70.0, has_dend=0)
SYN = dict(exc_tau1=0.1, exc_tau2=1.0, exc_e=0.0, inh_tau1=0.5, inh_tau2=5.0, inh_e=-80.0)

# Events: (receptor, arrival time ms, weight µS). The NetStim fires at arrival - 1 with a
# NetCon delay of 1 ms, so arrivals are on the grid.
SYN_EVENTS = [
    ("exc_soma", 50.0, 0.002), ("inh_soma", 100.0, 0.002), ("exc_dend", 150.0, 0.002),
    ("inh_dend", 200.0, 0.002), ("exc_soma", 250.0, 0.02), ("exc_dend", 300.0, 0.05),
    ("exc_soma", 350.0, 0.004), ("exc_soma", 350.0, 0.004), ("inh_soma", 352.5, 0.01),
    ("exc_dend", 400.0, 0.01), ("exc_soma", 400.0, 0.015), ("inh_dend", 401.0, 0.003),
]



def train(receptor, first, interval, count, weight):
    """A regular train of events (arrival times on the grid of every dt used below)."""
    return [(receptor, first + k * interval, weight) for k in range(count)]


# Drive that makes the PYR cell fire repeatedly (a step current only gives one spike).
PYR_TRAIN = (train("exc_soma", 20.0, 12.5, 38, 0.01) + train("exc_dend", 33.0, 17.0, 27, 0.03)
             + train("inh_soma", 41.0, 23.0, 20, 0.006) + train("inh_dend", 60.0, 31.0, 14, 0.01))

CASES = [
    # name, dt, cell, celsius, iclamps [(amp nA, del, dur)], events
    ("inh_step", 0.025, INH, 6.3, [(0.35, 50.0, 350.0), (-0.3, 420.0, 50.0)], []),
    ("inh_step_dt01", 0.1, INH, 6.3, [(0.4, 10.0, 480.0)], []),
    ("pyr_step", 0.025, PYR, 6.3, [(0.3, 50.0, 400.0)], []),
    ("pyr_step_warm", 0.05, PYR, 16.3, [(0.4, 20.0, 450.0)], []),
    ("pyr_syn", 0.05, PYR, 6.3, [], SYN_EVENTS),
    ("pyr_train", 0.05, PYR, 6.3, [(-0.1, 300.0, 50.0)], PYR_TRAIN),
    ("inh_syn", 0.05, INH, 6.3, [(-0.75, 420.0, 60.0)], SYN_EVENTS),
]


def build(cell, celsius):
    h.celsius = celsius
    soma = h.Section(name="soma")
    soma.nseg = 1
    soma.diam, soma.L, soma.Ra, soma.cm = (cell["soma_diam"], cell["soma_L"], cell["soma_Ra"],
                                           cell["soma_cm"])
    soma.insert("hh")
    for seg in soma:
        seg.hh.gnabar, seg.hh.gkbar = cell["gnabar"], cell["gkbar"]
        seg.hh.gl, seg.hh.el = cell["gl"], cell["el"]
    dend = None
    if cell["has_dend"]:
        dend = h.Section(name="dend")
        dend.nseg = 1
        dend.diam, dend.L, dend.Ra, dend.cm = (cell["dend_diam"], cell["dend_L"],
                                               cell["dend_Ra"], cell["dend_cm"])
        dend.insert("pas")
        for seg in dend:
            seg.pas.g, seg.pas.e = cell["dend_g_pas"], cell["dend_e_pas"]
        dend.connect(soma(1), 0)
    return soma, dend


def run_case(name, dt, cell, celsius, iclamps, events, outdir):
    soma, dend = build(cell, celsius)
    syns = {}
    for label in ("exc", "inh"):
        for where in ("soma", "dend"):
            # NetPyNE puts a dend-targeted synapse on the soma of a cell without a dend.
            sec = dend if (where == "dend" and dend is not None) else soma
            key = (label, sec.name())
            if key not in syns:
                s = h.Exp2Syn(sec(0.5))
                s.tau1, s.tau2, s.e = (SYN[label + "_tau1"], SYN[label + "_tau2"],
                                       SYN[label + "_e"])
                syns[key] = s
            syns[f"{label}_{where}"] = syns[key]
    keep = []
    for amp, delay, dur in iclamps:
        ic = h.IClamp(soma(0.5))
        ic.amp, ic.dur = amp, dur
        setattr(ic, "del", delay)
        keep.append(ic)
    for receptor, t_arrival, w in events:
        ns = h.NetStim()
        ns.start, ns.number, ns.noise, ns.interval = t_arrival - 1.0, 1, 0, 10
        nc = h.NetCon(ns, syns[receptor])
        nc.delay, nc.weight[0] = 1.0, w
        keep += [ns, nc]
    spikes = h.Vector()
    detector = h.NetCon(soma(0.5)._ref_v, None, sec=soma)  # threshold 10 mV by default
    detector.record(spikes)
    vs = h.Vector().record(soma(0.5)._ref_v)
    vd = h.Vector().record(dend(0.5)._ref_v) if dend is not None else None

    h.dt = dt
    h.steps_per_ms = 1.0 / dt
    h.secondorder = 0
    h.finitialize(-65.0)
    n_steps = int(round(TSTOP / dt))
    for _ in range(n_steps):
        h.fadvance()

    stride = int(round(0.1 / dt))  # one sample per 0.1 ms
    params = dict(cell, celsius=celsius, v_init=-65.0, **SYN)
    if not cell["has_dend"]:
        params = {k: v for k, v in params.items() if not k.startswith("dend_")}
    path = os.path.join(outdir, name + ".csv")
    with open(path, "w") as f:
        f.write(f"# NEURON {h.nrnversion(4)} reference, written by tests/neuron/make_reference.py\n")
        f.write(f"# case: {name}\n# dt: {dt!r}\n# steps: {n_steps}\n# stride: {stride}\n")
        f.write("# params: " + " ".join(f"{k}={v!r}" for k, v in params.items()) + "\n")
        f.write("# iclamp_nA_del_dur: " + " ".join(f"{a!r},{d!r},{u!r}" for a, d, u in iclamps)
                + "\n")
        f.write("# events_receptor_arrival_weight: "
                + " ".join(f"{r},{t!r},{w!r}" for r, t, w in events) + "\n")
        f.write("# spikes_ms: " + " ".join(repr(t) for t in spikes) + "\n")
        f.write("k,v_soma,v_dend\n")
        for k in range(0, n_steps + 1, stride):
            d = vd[k] if vd is not None else vs[k] * 0 + -65.0
            f.write(f"{k},{vs[k]:.12g},{d:.12g}\n")
    print(f"{name}: {len(spikes)} spikes, {path}")


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else "tests/data/neuron"
    os.makedirs(outdir, exist_ok=True)
    for case in CASES:
        run_case(*case, outdir)


if __name__ == "__main__":
    main()
