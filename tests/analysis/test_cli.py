"""End to end: `laminar run` a small network (v_m probes, stimuli) twice, `laminar analyze` one
run and the pair, check every figure is a PNG of the expected pixel size; clear errors for a
missing folder, a folder without spikes, a file that is not SONATA and a population without
cells. Needs LAMINAR_EXE, LAMINAR_CONFIG, LAMINAR_WORK (and optionally LAMINAR_MPIEXEC)."""
import json
import os
import shutil
import struct
import subprocess
import unittest

EXE = os.environ.get("LAMINAR_EXE")
MPIEXEC = os.environ.get("LAMINAR_MPIEXEC", "")
CONFIG = os.environ.get("LAMINAR_CONFIG")
WORK = os.environ.get("LAMINAR_WORK", "/tmp/laminar-analysis-test")

# name -> (width, height) in pixels; must match FIGURE_SIZES x DPI in laminar_analyze.py.
SINGLE = {"raster": (1200, 700), "rates_hist": (1000, 600), "rates_box": (800, 500),
          "psth": (1000, 700), "traces": (1000, 600), "connectivity": (1300, 550),
          "positions_2d": (1200, 550), "positions_3d": (700, 600), "psd": (800, 500),
          "spike_stats": (1300, 450)}
COMPARE = {"compare_rates": (1200, 600), "compare_changes": (1200, 500),
           "compare_windows": (1200, 500)}


def png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    if head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        raise AssertionError("{} is not a PNG".format(path))
    return struct.unpack(">II", head[16:24])


def laminar(*args, ranks=1):
    cmd = [EXE] + list(args)
    if MPIEXEC and ranks > 1:
        cmd = [MPIEXEC, "-np", str(ranks), "--oversubscribe"] + cmd
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          timeout=600)


@unittest.skipUnless(EXE and CONFIG, "LAMINAR_EXE and LAMINAR_CONFIG not set")
class AnalyzeCli(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        shutil.rmtree(WORK, ignore_errors=True)
        os.makedirs(WORK)
        cls.base = os.path.join(WORK, "base")
        cls.cond = os.path.join(WORK, "cond")
        for out, extra in ((cls.base, []), (cls.cond, ["--set", "stimuli.inhibit.amp=60"])):
            r = laminar("run", CONFIG, "--output", out, "--tstop", "300", "-q", *extra)
            if r.returncode != 0:
                raise AssertionError("laminar run failed:\n" + r.stderr)

    def check_figures(self, folder, expected, fmt_svg):
        for name, (w, h) in expected.items():
            p = os.path.join(folder, name + ".png")
            self.assertTrue(os.path.isfile(p), p)
            self.assertGreater(os.path.getsize(p), 2000, p)
            self.assertEqual(png_size(p), (w, h), p)
            if fmt_svg:
                self.assertGreater(os.path.getsize(os.path.join(folder, name + ".svg")), 1000)

    def test_nodes_file(self):
        import h5py
        with h5py.File(os.path.join(self.base, "nodes.h5"), "r") as f:
            self.assertEqual(len(f["nodes/exc/node_type_id"]), 400)
            self.assertEqual(len(f["nodes/exc/0/x"]), 400)
            self.assertNotIn("x", f["nodes/delta/0"])  # no positions in the config
            self.assertEqual(f["nodes/lgn"].attrs["model_type"], "virtual")
            kind = lambda p: f["nodes/" + p].attrs["laminar_kind"]  # noqa: E731
            self.assertEqual(kind("lgn"), "poisson")
            self.assertEqual(kind("exc"), "neuron")

    def test_single_run_two_ranks(self):
        r = laminar("analyze", self.base, ranks=2)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.check_figures(os.path.join(self.base, "figures"), SINGLE, True)
        with open(os.path.join(self.base, "analysis.json")) as f:
            a = json.load(f)
        self.assertEqual(a["figures_skipped"], {})
        exc = a["populations"]["exc"]
        with open(os.path.join(self.base, "summary.json")) as f:
            s = json.load(f)
        # Same spikes, same window: the mean rate equals the run's own summary.
        self.assertAlmostEqual(exc["mean_rate_hz"], s["populations"]["exc"]["mean_rate_hz"],
                               places=6)
        self.assertEqual([x["name"] for x in a["stimuli"]], ["pulse", "inhibit"])
        for name in ("populations.csv", "cell_rates.csv", "psth.csv", "connectivity.csv"):
            self.assertGreater(os.path.getsize(os.path.join(self.base, name)), 50, name)
        # Connectivity: P(>= 1 synapse) in [0, 1], synapses per pair, weight unit by target model.
        units = {"exc": "pA", "inh": "pA", "delta": "mV"}
        for e in a["connectivity"]:
            self.assertGreaterEqual(e["connection_probability"], 0.0)
            self.assertLessEqual(e["connection_probability"], 1.0)
            self.assertAlmostEqual(e["synapses_per_pair"] * s["populations"][e["source"]]["cells"]
                                   * s["populations"][e["target"]]["cells"]
                                   if e["source"] in s["populations"] else e["synapses"],
                                   e["synapses"], delta=1e-6 * max(e["synapses"], 1))
            self.assertEqual(e["weight_unit"], units[e["target"]], e)
        with open(os.path.join(self.base, "connectivity.csv")) as f:
            self.assertEqual(f.readline().strip(),
                             "source,target,synapses,synapses_per_pair,connection_probability,"
                             "mean_weight,weight_unit,synapse_kind,projections")

    def test_compare(self):
        out = os.path.join(WORK, "cmp")
        r = laminar("analyze", self.base, self.cond, "--output", out, "--format", "png")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.check_figures(os.path.join(out, "figures"), COMPARE, False)
        with open(os.path.join(out, "analysis.json")) as f:
            a = json.load(f)
        self.assertEqual(a["baseline"], "base")
        par = a["runs"]["cond"]["windows"]["paradoxical"]
        self.assertIn(par["verdict"], ("paradoxical", "normal", "inconclusive"))
        self.assertEqual(par["paradoxical"], par["verdict"] == "paradoxical")
        self.assertIn(par["isn_consistent"], (True, False))
        if par["isn_consistent"]:
            self.assertEqual(par["exc_change"], "fell")
        self.assertTrue(par["interpretation"])
        self.assertIn("gain", a["runs"]["base"]["windows"]["gain"])
        self.assertTrue(os.path.isfile(os.path.join(out, "compare_populations.md")))

    def test_missing_folder(self):
        r = laminar("analyze", os.path.join(WORK, "nope"), ranks=2)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("nope: no such folder", r.stderr)

    def test_folder_without_spikes(self):
        d = os.path.join(WORK, "empty_dir")
        os.makedirs(d, exist_ok=True)
        r = laminar("analyze", d)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("no spike file", r.stderr)

    def test_not_sonata(self):
        d = os.path.join(WORK, "bad_spikes")
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "spikes.h5"), "w") as f:
            f.write("not hdf5")
        r = laminar("analyze", d)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("spikes.h5: not an HDF5 file", r.stderr)

    def test_population_without_cells(self):
        d = os.path.join(WORK, "no_cells")
        shutil.rmtree(d, ignore_errors=True)
        shutil.copytree(self.base, d, ignore=shutil.ignore_patterns("figures", "compare"))
        with open(os.path.join(d, "summary.json")) as f:
            s = json.load(f)
        s["populations"]["inh"]["cells"] = 0
        with open(os.path.join(d, "summary.json"), "w") as f:
            json.dump(s, f)
        r = laminar("analyze", d)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("population 'inh' has no cells", r.stderr)

    def test_help(self):
        r = laminar("analyze", "--help")
        self.assertEqual(r.returncode, 0)
        self.assertIn("--gain-window", r.stdout)


if __name__ == "__main__":
    unittest.main()
