"""Statistics of laminar_stats on synthetic spike trains with known answers."""
import os
import sys
import unittest

import numpy as np

sys.path.insert(0, os.environ.get("LAMINAR_ANALYSIS_DIR", os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", "src", "analysis", "python")))
import laminar_stats as st  # noqa: E402


def regular(n_cells, period_ms, t1, phase=0.5):
    t = np.arange(phase * period_ms, t1, period_ms)
    times = np.tile(t, n_cells)
    ids = np.repeat(np.arange(n_cells), len(t))
    return times, ids


def poisson(n_cells, rate_hz, t1, seed=1):
    rng = np.random.default_rng(seed)
    times, ids = [], []
    for i in range(n_cells):
        k = rng.poisson(rate_hz * t1 * 1e-3)
        times.append(np.sort(rng.uniform(0, t1, k)))
        ids.append(np.full(k, i))
    return np.concatenate(times), np.concatenate(ids)


class Rates(unittest.TestCase):
    def test_regular_rate(self):
        t, i = regular(5, 10.0, 1000.0)
        r = st.cell_rates(t, i, 8, 0.0, 1000.0)
        np.testing.assert_allclose(r[:5], 100.0)
        np.testing.assert_array_equal(r[5:], 0.0)  # silent cells count

    def test_window(self):
        t = np.array([10.0, 20.0, 30.0, 40.0])
        i = np.zeros(4, dtype=int)
        self.assertAlmostEqual(st.cell_rates(t, i, 1, 15.0, 35.0)[0], 2 / 0.020)

    def test_id_out_of_range(self):
        with self.assertRaises(ValueError):
            st.cell_rates(np.array([1.0]), np.array([3]), 2, 0, 10)


class Variability(unittest.TestCase):
    def test_regular_cv_zero(self):
        t, i = regular(3, 10.0, 1000.0)
        np.testing.assert_allclose(st.isi_cv(t, i, 3, 0, 1000.0), 0.0, atol=1e-9)

    def test_known_cv(self):
        # ISIs 10, 30, 10, 30: mean 20, std 10 -> CV 0.5
        t = np.array([0.0, 10.0, 40.0, 50.0, 80.0])
        cv = st.isi_cv(t, np.zeros(5, dtype=int), 1, 0, 100.0)
        self.assertAlmostEqual(cv[0], 0.5)

    def test_cv_needs_three_spikes(self):
        t = np.array([1.0, 5.0])
        self.assertTrue(np.isnan(st.isi_cv(t, np.zeros(2, dtype=int), 1, 0, 10)[0]))

    def test_poisson_cv_and_fano_near_one(self):
        t, i = poisson(200, 20.0, 10000.0)
        cv = st.isi_cv(t, i, 200, 0, 10000.0)
        self.assertAlmostEqual(np.nanmean(cv), 1.0, delta=0.05)
        _, ff = st.fano_factor(t, i, 200, 0, 10000.0, 100.0)
        self.assertAlmostEqual(ff, 1.0, delta=0.08)

    def test_regular_fano_zero(self):
        t, i = regular(4, 10.0, 1000.0)  # exactly 10 spikes in every 100 ms bin
        cells, ff = st.fano_factor(t, i, 4, 0, 1000.0, 100.0)
        self.assertAlmostEqual(ff, 0.0)
        np.testing.assert_allclose(cells, 0.0)

    def test_known_fano(self):
        # counts 0, 2, 0, 2 in four bins: mean 1, var 1 -> 1
        t = np.array([15.0, 16.0, 35.0, 36.0])
        _, ff = st.fano_factor(t, np.zeros(4, dtype=int), 1, 0, 40.0, 10.0)
        self.assertAlmostEqual(ff, 1.0)


class Synchrony(unittest.TestCase):
    def test_identical_trains_are_fully_synchronous(self):
        t, _ = poisson(1, 30.0, 5000.0)
        n = 20
        times = np.tile(t, n)
        ids = np.repeat(np.arange(n), len(t))
        self.assertAlmostEqual(st.synchrony(times, ids, n, 0, 5000.0, 5.0), 1.0)

    def test_independent_trains_about_one_over_n(self):
        n = 100
        t, i = poisson(n, 30.0, 20000.0, seed=3)
        chi2 = st.synchrony(t, i, n, 0, 20000.0, 5.0)
        self.assertLess(chi2, 3.0 / n)
        self.assertGreater(chi2, 0.3 / n)


class Spectrum(unittest.TestCase):
    def test_psd_peak_of_sine(self):
        fs = 1000.0
        x = 10 + 5 * np.sin(2 * np.pi * 40.0 * np.arange(8000) / fs)
        f, p = st.welch_psd(x, fs)
        self.assertAlmostEqual(f[np.argmax(p)], 40.0, delta=1.0)
        # Parseval: total power of the sine = 5^2 / 2
        self.assertAlmostEqual(np.sum(p) * (f[1] - f[0]), 12.5, delta=0.5)

    def test_psd_of_sine_on_a_bin_is_analytic(self):
        # A sine of amplitude A exactly on bin k of a periodic Hann window of N points
        # (sum w = N/2, sum w^2 = 3N/8): one-sided density A^2 N / (3 fs) at k and
        # A^2 N / (12 fs) at k +- 1, zero elsewhere (scipy.signal.welch gives the same).
        fs, n, k, a = 1000.0, 1024, 40, 3.0
        x = a * np.sin(2 * np.pi * (k * fs / n) * np.arange(8 * n) / fs)
        f, p = st.welch_psd(x, fs, nperseg=n)
        self.assertAlmostEqual(f[k], k * fs / n)
        np.testing.assert_allclose(p[k], a * a * n / (3 * fs), rtol=1e-9)
        np.testing.assert_allclose(p[[k - 1, k + 1]], a * a * n / (12 * fs), rtol=1e-9)
        others = np.delete(np.arange(len(p)), [k - 1, k, k + 1])
        self.assertLess(np.max(p[others]), 1e-12 * p[k])

    def test_psd_of_white_noise(self):
        # White noise of variance s^2: one-sided density 2 s^2 / fs between 0 and Nyquist.
        fs, s = 1000.0, 2.0
        x = np.random.default_rng(1).normal(0.0, s, 400000)
        f, p = st.welch_psd(x, fs)
        self.assertAlmostEqual(np.mean(p[1:-1]) / (2 * s * s / fs), 1.0, delta=0.02)

    def test_population_rate(self):
        t, i = regular(10, 10.0, 100.0)
        edges, r = st.population_rate(t, 10, 0, 100.0, 10.0)
        self.assertEqual(len(edges), 11)
        np.testing.assert_allclose(r, 100.0)


class Windows(unittest.TestCase):
    def test_window_rate(self):
        t = np.arange(0.0, 1000.0, 1.0)  # 1000 spikes over 2 cells in 1 s
        r, se = st.window_rate(t, 2, 0, 1000.0)
        self.assertAlmostEqual(r, 500.0)
        self.assertAlmostEqual(se, np.sqrt(1000) / 2)

    def test_verdicts(self):
        self.assertEqual(st.paradoxical_verdict(20, 0.5, 15, 0.5), "paradoxical")
        self.assertEqual(st.paradoxical_verdict(20, 0.5, 25, 0.5), "normal")
        self.assertEqual(st.paradoxical_verdict(20, 0.5, 19.5, 0.5), "inconclusive")
        self.assertEqual(st.paradoxical_verdict(20, 3.0, 14, 3.0), "inconclusive")

    def test_rate_change(self):
        self.assertEqual(st.rate_change(10, 0.1, 8, 0.1), "fell")
        self.assertEqual(st.rate_change(10, 0.1, 12, 0.1), "rose")
        self.assertEqual(st.rate_change(10, 0.1, 10.4, 0.1), "unchanged")  # < 5 %
        self.assertEqual(st.rate_change(10, 2.0, 5, 2.0), "unchanged")  # < 2 SE

    def test_isn_assessment(self):
        ok, text = st.isn_assessment("paradoxical", "fell")
        self.assertIs(ok, True)
        self.assertIn("inhibition-stabilised", text)
        ok, text = st.isn_assessment("paradoxical", "rose")
        self.assertIs(ok, False)
        self.assertEqual(text, "PV fell while exc rose (consistent with PV depolarisation block "
                               "rather than ISN stabilisation)")
        self.assertIs(st.isn_assessment("paradoxical", "unchanged")[0], False)
        self.assertIsNone(st.isn_assessment("paradoxical", None)[0])
        for v in ("normal", "inconclusive"):
            for e in ("fell", "rose", "unchanged", None):
                self.assertIs(st.isn_assessment(v, e)[0], False)

class Naming(unittest.TestCase):
    """Layer and connectivity helpers of laminar_analyze (imports matplotlib)."""

    def test_layer_only_from_layer_like_names(self):
        import laminar_analyze as la
        for name, layer in (("L4e", 4), ("L23e", 2), ("Exc_L23", 2), ("Inh_L5_pv", 5),
                            ("l6", 6), ("L2/3_exc", 2), ("pool1", None), ("cell2", None),
                            ("lgn", None), ("hl5x", None), ("exc", None)):
            self.assertEqual(la._layer(name), layer, name)

    def test_probability_of_a_connection_from_several_rules(self):
        import laminar_analyze as la

        class FakeRun:
            populations = {"E": {"cells": 10, "kind": "neuron"}, "P": {"cells": 4, "kind": "neuron"}}
            config = {"models": {"m": {"type": "hh_neuron"}},
                      "populations": {"E": {"model": "m"}, "P": {"model": "m"}}}
            summary = {"projections": {
                "a": {"source": "E", "target": "P", "synapses": 20, "mean_weight": 1.0,
                      "connection_probability": 0.5},
                "b": {"source": "E", "target": "P", "synapses": 20, "mean_weight": 3.0,
                      "connection_probability": 0.5}}}

            def model_type(self, p):
                return la.Run.model_type(self, p)

        (e,) = la.connectivity(FakeRun())
        self.assertAlmostEqual(e["connection_probability"], 0.75)  # 1 - 0.5 * 0.5, not 1.0
        self.assertAlmostEqual(e["synapses_per_pair"], 1.0)  # 40 / (10 * 4)
        self.assertAlmostEqual(e["mean_weight"], 2.0)
        self.assertEqual((e["weight_unit"], e["target_model_type"]), ("µS", "hh_neuron"))


if __name__ == "__main__":
    unittest.main()
