"""laminar_sonata on every spike and report fixture layout, and its error messages."""
import os
import sys
import tempfile
import unittest

import numpy as np
import h5py

sys.path.insert(0, os.environ.get("LAMINAR_ANALYSIS_DIR", os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", "src", "analysis", "python")))
import laminar_sonata as so  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
FIX = os.environ.get("LAMINAR_SONATA_EXAMPLES",
                     os.path.join(HERE, "..", "..", "..", "shared", "data", "sonata_examples"))


def fx(*p):
    path = os.path.join(FIX, *p)
    if not os.path.exists(path):
        raise unittest.SkipTest("fixture missing: " + path)
    return path


class SpikeFixtures(unittest.TestCase):
    def test_libsonata_enum_sorting(self):
        sp = so.read_spikes(fx("spike_file_fixtures", "libsonata_tests", "spikes.h5"))
        self.assertEqual(sorted(sp), ["All", "empty", "spikes1", "spikes2"])
        self.assertEqual(sp["All"].sorting, "by_time")
        self.assertEqual(sp["spikes1"].sorting, "by_id")
        self.assertEqual(sp["spikes2"].sorting, "none")
        self.assertEqual(len(sp["All"]), 5)
        self.assertEqual(len(sp["empty"]), 0)

    def test_old_layout_string_sorting(self):
        sp = so.read_spikes(fx("spike_file_fixtures", "sonata_pysonata_tests", "spikes.old.h5"))
        self.assertEqual(list(sp), [so.OLD_LAYOUT_POPULATION])
        s = sp[so.OLD_LAYOUT_POPULATION]
        self.assertEqual(len(s), 124)
        self.assertEqual(s.sorting, "by_time")

    def test_old_layout_by_gid(self):
        sp = so.read_spikes(fx("sonata_sim_tests_nest", "intfire", "ten_cells_spikes_nest",
                               "input", "external_spike_trains.h5"))
        s = sp[so.OLD_LAYOUT_POPULATION]
        self.assertEqual(len(s), 17)
        self.assertEqual(s.sorting, "by_id")

    def test_new_layout_milliseconds_units(self):
        sp = so.read_spikes(fx("spike_file_fixtures", "sonata_pysonata_tests",
                               "spikes.one_pop.h5"))
        self.assertEqual(list(sp), ["v1"])
        self.assertEqual(len(sp["v1"]), 124)
        self.assertTrue(np.all(np.diff(sp["v1"].timestamps) >= 0))

    def test_csv_with_population_matches_h5(self):
        h = so.read_spikes(fx("spike_file_fixtures", "sonata_pysonata_tests",
                              "spikes.one_pop.h5"))["v1"]
        c = so.read_spikes(fx("spike_file_fixtures", "sonata_pysonata_tests",
                              "spikes.one_pop.csv"))["v1"]
        np.testing.assert_allclose(c.timestamps, h.timestamps)
        np.testing.assert_array_equal(c.node_ids, h.node_ids)

    def test_csv_without_header(self):
        sp = so.read_spikes(fx("spike_file_fixtures", "sonata_pysonata_tests",
                               "spikes.noheader.nopop.csv"))
        s = sp[so.OLD_LAYOUT_POPULATION]
        self.assertAlmostEqual(s.timestamps[0], 136.6)
        self.assertEqual(s.node_ids[2], 12)

    def test_csv_tabs(self):
        with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as f:
            f.write("timestamps\tnode_ids\tpopulation\n1.5\t3\ta\n2.5\t4\tb\n")
        try:
            sp = so.read_spikes(f.name)
            self.assertEqual(sorted(sp), ["a", "b"])
            self.assertEqual(sp["b"].node_ids[0], 4)
        finally:
            os.unlink(f.name)

    def test_bmtk_string_none_and_int_ids(self):
        for p, pop, n in ((("bmtk_point_120cells", "point_120cells", "inputs",
                            "thalamus_spikes.h5"), "thalamus", 3024),
                          (("bmtk_point_stdp", "point_stdp", "inputs", "virtual_spikes.h5"),
                           "virtual", 1044),
                          (("report_fixtures", "sonata_5_cells_iclamp_output", "spikes.h5"),
                           "biophysical", 124)):
            sp = so.read_spikes(fx(*p))
            self.assertEqual(len(sp[pop]), n)
            self.assertEqual(sp[pop].node_ids.dtype, np.int64)


class ReportFixtures(unittest.TestCase):
    def test_bmtk_index_pointer_singular(self):
        r = so.read_report(fx("report_fixtures", "sonata_5_cells_iclamp_output",
                              "membrane_potential.h5"))["biophysical"]
        self.assertEqual(r.data.shape, (40000, 5))
        self.assertEqual(r.dt, 0.1)
        self.assertEqual(len(r.index_pointers), 6)
        self.assertEqual(len(r.trace(r.node_ids[2])), 40000)
        self.assertEqual(r.variable, "v")

    def test_only_plotted_columns_are_read(self):
        path = fx("report_fixtures", "sonata_5_cells_iclamp_output", "membrane_potential.h5")
        full = so.read_report(path)["biophysical"]
        part = so.read_report(path, max_nodes=2)["biophysical"]
        self.assertEqual(part.data.shape, (40000, 2))
        self.assertEqual(list(part.columns), sorted(full.index_pointers[:2]))
        for nid in full.node_ids[:2]:
            np.testing.assert_array_equal(part.trace(nid), full.trace(nid))
        with self.assertRaises(KeyError):
            part.trace(full.node_ids[4])
        el = so.read_report(fx("report_fixtures", "libsonata_tests", "elements.h5"),
                            max_nodes=3)["All"]
        self.assertEqual(el.data.shape[1], 3)  # first element of each node only

    def test_libsonata_somas_and_elements(self):
        somas = so.read_report(fx("report_fixtures", "libsonata_tests", "somas.h5"))
        self.assertIn("All", somas)
        self.assertEqual(somas["All"].data.shape, (10, 20))
        self.assertEqual(somas["All"].units, "mV")
        el = so.read_report(fx("report_fixtures", "libsonata_tests", "elements.h5"))["All"]
        self.assertEqual(len(el.index_pointers), len(el.node_ids) + 1)


class NodeFixtures(unittest.TestCase):
    def test_bmtk_nodes_positions(self):
        n = so.read_nodes(fx("bmtk_point_120cells", "point_120cells", "network",
                             "cortex_nodes.h5"))["cortex"]
        self.assertEqual(n["n"], 120)
        self.assertEqual(n["xyz"].shape, (120, 3))
        self.assertFalse(np.isnan(n["xyz"]).any())

    def test_libsonata_nodes(self):
        nodes = so.read_nodes(fx("libsonata_circuit_fixtures", "nodes1.h5"))
        self.assertEqual(nodes["nodes-A"]["n"], 6)
        self.assertEqual(nodes["nodes-B"]["n"], 0)  # groups only, no node_type_id


class Errors(unittest.TestCase):
    def test_missing_file(self):
        with self.assertRaises(so.SonataError) as c:
            so.read_spikes("/no/such/spikes.h5")
        self.assertIn("/no/such/spikes.h5", str(c.exception))
        self.assertIn("no such file", str(c.exception))

    def test_not_hdf5(self):
        with tempfile.NamedTemporaryFile("w", suffix=".h5", delete=False) as f:
            f.write("hello")
        try:
            with self.assertRaises(so.SonataError) as c:
                so.read_spikes(f.name)
            self.assertIn("not an HDF5 file", str(c.exception))
            self.assertIn(f.name, str(c.exception))
        finally:
            os.unlink(f.name)

    def test_hdf5_but_not_sonata(self):
        with tempfile.NamedTemporaryFile(suffix=".h5", delete=False) as f:
            name = f.name
        try:
            with h5py.File(name, "w") as h:
                h["x"] = np.arange(3)
            for reader, what in ((so.read_spikes, "/spikes"), (so.read_report, "/report"),
                                 (so.read_nodes, "/nodes")):
                with self.assertRaises(so.SonataError) as c:
                    reader(name)
                self.assertIn("not a SONATA", str(c.exception))
                self.assertIn(what, str(c.exception))
        finally:
            os.unlink(name)


if __name__ == "__main__":
    unittest.main()
