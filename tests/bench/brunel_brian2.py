#!/usr/bin/python3
"""The Brunel (2000) network of configs/examples/brunel.yaml in Brian2 (cpp_standalone, OpenMP),
for the speed comparison in docs/performance.md. Not part of the test suite (CI has no Brian2).

Needs Debian's python3-brian (2.5.1) and g++; run it with the system interpreter, not a venv:

    /usr/bin/python3 tests/bench/brunel_brian2.py --threads 1 --tstop 1000
    /usr/bin/python3 tests/bench/brunel_brian2.py --threads 2 --tstop 1000

Network (NEST's brunel_delta_nest, g = 5, eta = 2): NE 10000, NI 2500 iaf_psc_delta-like cells
(tau_m 20 ms, V_th 20 mV, V_reset 10 mV, t_ref 2 ms, v(0) = 0, E_L = 0); every neuron gets
exactly CE = 1000 inputs drawn from the excitatory and CI = 250 from the inhibitory population
(fixed in-degree, multapses allowed, no autapses; drawn here with numpy and passed to Brian2 as
explicit i/j arrays); delta synapses J = 0.1 mV and -g*J = -0.5 mV, delay 1.5 ms; independent
Poisson drive per neuron of CE inputs at eta * nu_th = 20 Hz each, weight J (PoissonInput, a
binomial(CE, 20 Hz * dt) count per step); dt 0.1 ms.

Matching NEST's iaf_psc_delta exactly (update order and step counts), which Brian2's defaults
do not quite do:
  * NEST, per step: v = P33*v + (input arriving this step) unless refractory, then the threshold
    test. Brian2 runs synaptic effects in the 'synapses' slot *after* the threshold, so here the
    pathways and the PoissonInput run in 'before_thresholds'. A pathway placed there pushes the
    spikes of the previous step, so its Brian2 delay is 1.5 ms - dt: a spike emitted in step s
    lands in step s + 15, as with NEST's delay of 15 steps.
  * NEST skips t_ref/dt = 20 updates after the spiking step (and discards input in them).
    Brian2 leaves refractoriness after timestep(refractory) steps counted from the spiking step
    itself, i.e. it skips one update fewer; hence refractory = t_ref + dt. Input to v during
    refractoriness is discarded by Brian2 itself (v is "unless refractory", so every write to it
    from synapses and PoissonInput is conditional on not_refractory).

Timings (one fresh build directory per invocation, so nothing is reused between runs, not even
between the 1- and 2-thread runs; every run compiles from scratch):
  codegen_s         Brian2 code generation + writing the connectivity arrays (Python side)
  compile_s         make of the generated project (device.timers['compile']['make'])
  build_network_s   inside the binary, from main() entry to just before Network::run: array
                    allocation, loading the i/j arrays, synapse creation, spike-queue set-up
  simulate_s        Network::run loop only (Brian2's own omp_get_wtime measurement,
                    results/last_run_info.txt, i.e. device._last_run_time)
  total_run_s       wall time of the binary (includes writing the spike monitor to disk)
Prints one JSON line; loadavg_1m is the 1-minute load average before and after the run.

On a machine shared with other jobs (load above the core count) run with
OMP_WAIT_POLICY=passive (inherited by the binary; reported as omp_wait_policy): libgomp's
default spin-waiting at Brian2's many per-step barriers then makes the 2-thread loop about
10x slower (measured at load ~7 on 2 cores: 1000 ms took 77-124 s spinning, 10.5 s passive).
"""
import argparse
import json
import os
import shutil
import tempfile
import time

import numpy as np
from brian2 import (NeuronGroup, PoissonInput, SpikeMonitor, Synapses, defaultclock, device,
                    ms, mV, Hz, prefs, run, seed, set_device)

NE, NI = 10000, 2500
CE, CI = 1000, 250


def fixed_indegree(rng, n_post, indegree, n_src, src_offset):
    """Pre indices (local to the source population) and post indices (global) for a fixed
    in-degree rule with multapses and without autapses: every post neuron gets exactly
    `indegree` sources drawn uniformly with replacement from the source population (global ids
    src_offset .. src_offset + n_src - 1) minus itself."""
    post = np.repeat(np.arange(n_post, dtype=np.int64), indegree)
    self_local = post - src_offset                     # post's own index in the source pop
    in_src = (self_local >= 0) & (self_local < n_src)  # post belongs to the source population
    pre = rng.integers(0, np.where(in_src, n_src - 1, n_src))
    pre += in_src & (pre >= self_local)                # skip the post neuron itself
    # Source-major synapse order (what Brian2's own generator-based connect() produces): a
    # spike's outgoing synapses are then contiguous in Brian2's synapse arrays instead of
    # scattered over all 15.6 M of them.
    order = np.argsort(pre, kind="stable")
    return pre[order].astype(np.int32), post[order].astype(np.int32)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--threads", type=int, default=1, help="OpenMP threads")
    ap.add_argument("--tstop", type=float, default=1000.0, help="simulated time [ms]")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--keep-build", action="store_true", help="do not delete the build dir")
    args = ap.parse_args()

    load_before = os.getloadavg()[0]  # the machine may be shared: report its load too
    build_dir = tempfile.mkdtemp(prefix="brian2_brunel_")
    set_device("cpp_standalone", directory=build_dir, build_on_run=False)
    prefs.devices.cpp_standalone.openmp_threads = args.threads
    # Brian2's default gcc flags (-O3 -ffast-math -march=native ...) are kept as they are.
    dt = 0.1 * ms
    defaultclock.dt = dt
    seed(args.seed)

    J, g, eta = 0.1 * mV, 5.0, 2.0
    tau_m, V_th, V_reset, t_ref, D = 20 * ms, 20 * mV, 10 * mV, 2 * ms, 1.5 * ms
    nu_th = V_th / (J * CE * tau_m)          # 10 Hz
    nu_ext = eta * nu_th                     # 20 Hz per external input
    assert abs(nu_ext / Hz - 20.0) < 1e-9

    neurons = NeuronGroup(NE + NI, "dv/dt = -v/tau_m : volt (unless refractory)",
                          threshold="v >= V_th", reset="v = V_reset",
                          refractory=t_ref + dt,  # = 20 skipped updates, as NEST (see above)
                          method="exact",
                          namespace={"tau_m": tau_m, "V_th": V_th, "V_reset": V_reset})
    neurons.v = 0 * mV
    exc = neurons[:NE]
    inh = neurons[NE:]

    t0 = time.perf_counter()
    rng = np.random.default_rng(args.seed)
    pre_e, post_e = fixed_indegree(rng, NE + NI, CE, NE, 0)
    pre_i, post_i = fixed_indegree(rng, NE + NI, CI, NI, NE)
    syn_e = Synapses(exc, neurons, on_pre="v += J", delay=D - dt, namespace={"J": J})
    syn_e.connect(i=pre_e, j=post_e)
    syn_i = Synapses(inh, neurons, on_pre="v += -g*J", delay=D - dt,
                     namespace={"J": J, "g": g})
    syn_i.connect(i=pre_i, j=post_i)
    del pre_e, post_e, pre_i, post_i
    # Keep a reference: an unreferenced PoissonInput is garbage-collected before run() and
    # silently left out of the (magic) network.
    drive = PoissonInput(neurons, "v", CE, nu_ext, weight=J, when="before_thresholds")
    for pathway in (syn_e.pre, syn_i.pre):
        pathway.when = "before_thresholds"
    mon = SpikeMonitor(neurons)
    t_connect_py = time.perf_counter() - t0

    # Time network construction inside the binary: from main() entry to Network::run.
    device.insert_code("before_start",
                       "struct timespec _bench_t0; clock_gettime(CLOCK_MONOTONIC, &_bench_t0);")
    device.insert_code("before_network_run", r"""
    {
        struct timespec _bench_t1; clock_gettime(CLOCK_MONOTONIC, &_bench_t1);
        std::ofstream _bench_f("results/bench_build_network_time.txt");
        _bench_f.precision(9);
        _bench_f << (double)(_bench_t1.tv_sec - _bench_t0.tv_sec)
                    + 1e-9 * (double)(_bench_t1.tv_nsec - _bench_t0.tv_nsec) << std::endl;
    }""")

    run(args.tstop * ms)

    t0 = time.perf_counter()
    device.build(directory=build_dir, compile=True, run=False, debug=False, clean=True)
    t_build = time.perf_counter() - t0
    t_make = device.timers["compile"]["make"]
    device.run(build_dir, with_output=False, run_args=[])
    with open(os.path.join(build_dir, "results", "bench_build_network_time.txt")) as f:
        t_network = float(f.read())

    names = " ".join(device.code_objects)
    assert "poissoninput" in names, "PoissonInput is not part of the generated network"
    n_syn = len(syn_e) + len(syn_i)
    assert n_syn == (NE + NI) * (CE + CI), n_syn
    idx = np.asarray(mon.i[:])
    spikes = int(idx.size)
    n_exc = int(np.count_nonzero(idx < NE))
    T = args.tstop * 1e-3
    print(json.dumps({
        "simulator": "brian2-2.5.1-cpp_standalone",
        "threads": args.threads,
        "tstop_ms": args.tstop,
        "codegen_s": round(t_build - t_make, 3),
        "compile_s": round(t_make, 3),
        "python_connect_s": round(t_connect_py, 3),
        "build_network_s": round(t_network, 3),
        "simulate_s": round(device._last_run_time, 3),
        "total_run_s": round(device.timers["run_binary"], 3),
        "synapses": n_syn,
        "spikes": spikes,
        "rate_hz": round(spikes / ((NE + NI) * T), 3),
        "exc_rate_hz": round(n_exc / (NE * T), 3),
        "inh_rate_hz": round((spikes - n_exc) / (NI * T), 3),
        "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY", "(default)"),
        "loadavg_1m": [round(load_before, 2), round(os.getloadavg()[0], 2)],
    }))
    if args.keep_build:
        print(f"# build directory kept: {build_dir}")
    else:
        shutil.rmtree(build_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
