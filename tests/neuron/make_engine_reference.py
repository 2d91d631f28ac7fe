#!/usr/bin/python3
"""Reference for the engine-level HH test (tests/unit/model/test_hh_engine.cpp): one PYR cell
(soma + passive dendrite) driven through every path the engine adds on top of the cell model:

- four NetStims, one per receptor (exc_soma, inh_soma, exc_dend, inh_dend), each through its
  own NetCon and Exp2Syn, with OFF-GRID start times (one before dt/2, so its event must reach
  the synapse at grid point 0 + delay, as NEURON delivers it) and delays that are multiples of dt;
- an IClamp on the soma with grid-aligned delay and duration (sampled at step midpoints).

Writes t, v_soma (every step, 12 significant digits) and the NetCon spike times of the cell.
Run (needs Debian's python3-neuron; CI does not):
    /usr/bin/python3 tests/neuron/make_engine_reference.py tests/data/neuron_engine/pyr.csv
"""
import sys

from neuron import h

h.load_file("stdrun.hoc")
DT, TSTOP = 0.05, 200.0

soma = h.Section(name="soma")
soma.diam, soma.L, soma.Ra, soma.cm = 18.8, 18.8, 123.0, 1.0
soma.insert("hh")
soma.gnabar_hh, soma.gkbar_hh, soma.gl_hh, soma.el_hh = 0.12, 0.036, 0.001, -70.0
dend = h.Section(name="dend")
dend.diam, dend.L, dend.Ra, dend.cm = 2.0, 150.0, 150.0, 1.0
dend.insert("pas")
dend.g_pas, dend.e_pas = 0.0002, -70.0
dend.connect(soma(1), 0)

# (receptor, section, tau1, tau2, e, NetStim start/interval/number, weight uS, delay ms)
PATHS = [
    ("exc_soma", soma, 0.1, 1.0, 0.0, 0.01, 17.3, 8, 0.004, 2.0),
    ("inh_soma", soma, 0.5, 5.0, -80.0, 41.37, 23.1, 4, 0.006, 1.5),
    ("exc_dend", dend, 0.1, 1.0, 0.0, 5.02, 9.7, 12, 0.005, 3.0),
    ("inh_dend", dend, 0.5, 5.0, -80.0, 77.777, 13.3, 5, 0.004, 0.5),
]
keep = []
for name, sec, tau1, tau2, e, start, interval, number, weight, delay in PATHS:
    syn = h.Exp2Syn(sec(0.5))
    syn.tau1, syn.tau2, syn.e = tau1, tau2, e
    ns = h.NetStim()
    ns.start, ns.interval, ns.number, ns.noise = start, interval, number, 0
    nc = h.NetCon(ns, syn)
    nc.delay, nc.weight[0] = delay, weight
    keep += [syn, ns, nc]

ic = h.IClamp(soma(0.5))
ic.delay, ic.dur, ic.amp = 120.0, 30.0, 0.25

spikes = h.Vector()
det = h.NetCon(soma(0.5)._ref_v, None, sec=soma)
det.threshold = 10.0
det.record(spikes)

v = h.Vector().record(soma(0.5)._ref_v)
h.dt = DT
h.finitialize(-65.0)
h.continuerun(TSTOP)

out = sys.argv[1] if len(sys.argv) > 1 else "engine_pyr.csv"
with open(out, "w") as f:
    f.write("# NEURON %s, dt %g, tstop %g; spikes: %s\n"
            % (h.nrnversion(), DT, TSTOP, " ".join("%.12g" % s for s in spikes)))
    f.write("step,v_soma\n")
    for k in range(1, len(v)):  # v at t_k = k*dt, k >= 1 (Laminar samples after update k-1)
        f.write("%d,%.12g\n" % (k, v[k]))
print("wrote", out, len(v) - 1, "samples,", len(spikes), "spikes")
