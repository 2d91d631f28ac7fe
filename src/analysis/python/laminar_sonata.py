"""Reading SONATA spike, report and node files: Laminar's and BMTK's layouts.

Spikes
  * new layout: /spikes/<population>/{timestamps, node_ids}, `sorting` on the population group
    as an HDF5 enum (none=0, by_id=1, by_time=2; the spec and Laminar) or a string (BMTK);
  * old layout: /spikes/{gids, timestamps}, `sorting` on /spikes (BMTK < 0.0.9); read as one
    population named by OLD_LAYOUT_POPULATION;
  * CSV: columns separated by spaces or tabs, with a header naming timestamps, node_ids and
    optionally population (BMTK), or two unnamed columns "time node_id".
Reports
  /report/<population>/data [time x columns], mapping/{node_ids, element_ids, time=[start, stop,
  dt]} and mapping/index_pointers (spec) or index_pointer (BMTK).
Nodes
  /nodes/<population>/{node_type_id, node_group_id, node_group_index, [node_id]} and
  /nodes/<population>/<group>/{x, y, z}.

Every problem raises SonataError naming the file and what is wrong.
"""

import os

import numpy as np

try:
    import h5py
except ImportError:  # reported by laminar_analyze with the Debian package names
    h5py = None

OLD_LAYOUT_POPULATION = "all"
SORTING_ENUM = {0: "none", 1: "by_id", 2: "by_time"}


class SonataError(Exception):
    """A file that is missing, unreadable or not in a layout we know."""

    def __init__(self, path, problem):
        super().__init__("{}: {}".format(path, problem))
        self.path = str(path)
        self.problem = problem


class Spikes:
    """Spikes of one population: timestamps (ms, float64) and node_ids (int64), same length."""

    def __init__(self, population, timestamps, node_ids, sorting="none", units="ms"):
        self.population = population
        self.timestamps = np.asarray(timestamps, dtype=np.float64)
        self.node_ids = np.asarray(node_ids, dtype=np.int64)
        self.sorting = sorting
        self.units = units

    def __len__(self):
        return len(self.timestamps)


class Report:
    """One population of a compartment report (one column per element). `data` holds the
    columns listed in `columns` (all of them unless the reader was asked for fewer)."""

    def __init__(self, population, node_ids, index_pointers, time, data, units="", variable="",
                 columns=None):
        self.population = population
        self.node_ids = np.asarray(node_ids, dtype=np.int64)
        self.index_pointers = np.asarray(index_pointers, dtype=np.int64)
        self.t_start, self.t_stop, self.dt = (float(v) for v in time)
        self.data = data  # numpy array [n_times x len(columns)]
        self.columns = (np.arange(data.shape[1]) if columns is None
                        else np.asarray(columns, dtype=np.int64))
        self.units = units
        self.variable = variable

    def times(self):
        return self.t_start + self.dt * np.arange(self.data.shape[0])

    def trace(self, node_id):
        """The first column of node `node_id` (the soma for a one-element-per-node report);
        KeyError if the node is not in the report or its column was not read."""
        where = np.nonzero(self.node_ids == node_id)[0]
        if len(where) == 0:
            raise KeyError(node_id)
        col = int(self.index_pointers[where[0]])
        k = int(np.searchsorted(self.columns, col))
        if k >= len(self.columns) or self.columns[k] != col:
            raise KeyError(node_id)
        return self.data[:, k]


def _decode(value):
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, np.ndarray) and value.shape == ():
        return _decode(value[()])
    if isinstance(value, np.generic):
        return value.item()
    return value


def normalise_sorting(value):
    """'none', 'by_id', 'by_time' from an enum value, a spec string or BMTK's old strings."""
    if value is None:
        return "none"
    value = _decode(value)
    if isinstance(value, (int, np.integer)):
        return SORTING_ENUM.get(int(value), "none")
    s = str(value).strip().lower()
    return {"time": "by_time", "gid": "by_id", "by_gid": "by_id", "id": "by_id",
            "node_id": "by_id", "by_node_id": "by_id"}.get(s, s if s in SORTING_ENUM.values() else "none")


def _require_h5py():
    if h5py is None:
        raise ImportError("h5py")


def open_h5(path, what):
    """Opens an HDF5 file read-only with clear errors for missing and non-HDF5 files."""
    _require_h5py()
    path = str(path)
    if not os.path.exists(path):
        raise SonataError(path, "no such file")
    if os.path.isdir(path):
        raise SonataError(path, "is a folder, not a {} file".format(what))
    if not h5py.is_hdf5(path):
        raise SonataError(path, "not an HDF5 file (expected a SONATA {} file)".format(what))
    try:
        return h5py.File(path, "r")
    except OSError as e:
        raise SonataError(path, "cannot open: {}".format(e))


def _units_factor(units, path):
    u = (units or "ms").strip().lower()
    if u in ("ms", "millisecond", "milliseconds", "msec"):
        return 1.0
    if u in ("s", "sec", "second", "seconds"):
        return 1000.0
    raise SonataError(path, "unknown time units '{}'".format(units))


def _read_spike_group(grp, ts_name, id_name, population, path, sorting):
    for name in (ts_name, id_name):
        if name not in grp or not isinstance(grp[name], h5py.Dataset):
            raise SonataError(path, "{} has no dataset '{}'".format(grp.name, name))
    ts = grp[ts_name]
    ids = grp[id_name]
    if ts.shape != ids.shape or len(ts.shape) != 1:
        raise SonataError(path, "{}: {} {} and {} {} differ in shape".format(
            grp.name, ts_name, ts.shape, id_name, ids.shape))
    units = _decode(ts.attrs.get("units", grp.attrs.get("units", "ms")))
    factor = _units_factor(units, path)
    t = ts[()].astype(np.float64) * factor
    return Spikes(population, t, ids[()].astype(np.int64), normalise_sorting(sorting), "ms")


def read_spikes_h5(path):
    """{population: Spikes} from a SONATA spike file, new or old layout."""
    with open_h5(path, "spikes") as f:
        if "spikes" not in f or not isinstance(f["spikes"], h5py.Group):
            raise SonataError(path, "not a SONATA spike file (no /spikes group)")
        sp = f["spikes"]
        out = {}
        if "timestamps" in sp and ("gids" in sp or "node_ids" in sp):
            id_name = "gids" if "gids" in sp else "node_ids"
            out[OLD_LAYOUT_POPULATION] = _read_spike_group(
                sp, "timestamps", id_name, OLD_LAYOUT_POPULATION, path, sp.attrs.get("sorting"))
            return out
        for name, grp in sp.items():
            if not isinstance(grp, h5py.Group):
                continue
            out[name] = _read_spike_group(grp, "timestamps", "node_ids", name, path,
                                          grp.attrs.get("sorting"))
        if not out:
            raise SonataError(path, "no spike populations under /spikes")
        return out


def read_spikes_csv(path, default_population=OLD_LAYOUT_POPULATION):
    """{population: Spikes} from a BMTK CSV spike file (space- or tab-separated)."""
    path = str(path)
    if not os.path.exists(path):
        raise SonataError(path, "no such file")
    rows = []
    with open(path, newline="") as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                rows.append(line.replace(",", " ").split())
    if not rows:
        return {}
    header = None
    try:
        float(rows[0][0])
    except ValueError:
        header = [h.lower() for h in rows[0]]
        rows = rows[1:]
    if header is None:
        t_col, id_col, pop_col = 0, 1, None
    else:
        def col(*names):
            for n in names:
                if n in header:
                    return header.index(n)
            return None
        t_col = col("timestamps", "timestamp", "time", "times", "t")
        id_col = col("node_ids", "node_id", "gids", "gid", "ids")
        pop_col = col("population", "populations", "pop")
        if t_col is None or id_col is None:
            raise SonataError(path, "CSV header {} lacks timestamps/node_ids columns".format(
                " ".join(header)))
    by_pop = {}
    for k, r in enumerate(rows):
        try:
            t = float(r[t_col])
            nid = int(float(r[id_col]))
        except (ValueError, IndexError):
            raise SonataError(path, "line {} is not 'time node_id': {}".format(
                k + (2 if header else 1), " ".join(r)))
        pop = r[pop_col] if pop_col is not None and pop_col < len(r) else default_population
        by_pop.setdefault(pop, ([], []))
        by_pop[pop][0].append(t)
        by_pop[pop][1].append(nid)
    return {p: Spikes(p, t, i, "none") for p, (t, i) in by_pop.items()}


def read_spikes(path):
    """{population: Spikes} from an HDF5 or CSV spike file."""
    path = str(path)
    if path.lower().endswith((".csv", ".txt", ".dat")):
        return read_spikes_csv(path)
    return read_spikes_h5(path)


def read_report(path, max_nodes=None):
    """{population: Report} from a SONATA report file (ours, BMTK's or libsonata's).

    With `max_nodes`, only the first column (element) of the first `max_nodes` nodes of each
    population is read (h5py selection on the column axis), so a large report is never loaded
    whole; without it, every column."""
    with open_h5(path, "report") as f:
        if "report" not in f or not isinstance(f["report"], h5py.Group):
            raise SonataError(path, "not a SONATA report file (no /report group)")
        out = {}
        for name, grp in f["report"].items():
            if not isinstance(grp, h5py.Group) or "data" not in grp or "mapping" not in grp:
                continue  # e.g. empty placeholder groups
            m = grp["mapping"]
            if "node_ids" not in m or "time" not in m:
                raise SonataError(path, "{}/mapping lacks node_ids or time".format(grp.name))
            node_ids = m["node_ids"][()]
            if "index_pointers" in m:
                ptr = m["index_pointers"][()]
            elif "index_pointer" in m:
                ptr = m["index_pointer"][()]
            else:
                ptr = np.arange(len(node_ids) + 1)
            time = m["time"][()]
            if len(time) != 3:
                raise SonataError(path, "{}/mapping/time has {} values, expected [start, stop, "
                                  "dt]".format(grp.name, len(time)))
            tu = _decode(m["time"].attrs.get("units", "ms"))
            factor = _units_factor(tu, path)
            dset = grp["data"]
            if dset.ndim != 2:
                raise SonataError(path, "{}/data is not 2-D".format(grp.name))
            if max_nodes is None:
                columns = np.arange(dset.shape[1])
                data = dset[()]
            else:
                first = np.asarray(ptr[:len(node_ids)], dtype=np.int64)[:max(int(max_nodes), 0)]
                columns = np.unique(first[(first >= 0) & (first < dset.shape[1])])
                if len(columns) == 0:
                    data = np.empty((dset.shape[0], 0), dtype=dset.dtype)
                elif len(columns) == dset.shape[1]:
                    data = dset[()]
                else:
                    data = dset[:, columns.tolist()]  # sorted, unique: h5py fancy indexing
            out[name] = Report(name, node_ids, ptr, np.asarray(time, dtype=float) * factor, data,
                               str(_decode(dset.attrs.get("units", ""))),
                               str(_decode(dset.attrs.get("variable", ""))), columns)
        if not out:
            raise SonataError(path, "no report populations under /report")
        return out


def read_nodes(path):
    """{population: {'n': cells, 'xyz': array [n x 3] or None, 'model_type': str}}."""
    with open_h5(path, "nodes") as f:
        if "nodes" not in f or not isinstance(f["nodes"], h5py.Group):
            raise SonataError(path, "not a SONATA nodes file (no /nodes group)")
        out = {}
        for name, grp in f["nodes"].items():
            if not isinstance(grp, h5py.Group):
                continue
            size_from = [k for k in ("node_type_id", "node_group_id", "node_id") if k in grp]
            if not size_from:
                # Allowed by libsonata's fixtures (groups only); no size we can trust.
                out[name] = {"n": 0, "xyz": None,
                             "model_type": str(_decode(grp.attrs.get("model_type", "")))}
                continue
            n = len(grp[size_from[0]])
            xyz = None
            if n and "node_group_id" in grp and "node_group_index" in grp:
                gid = grp["node_group_id"][()]
                gidx = grp["node_group_index"][()]
                xyz = np.full((n, 3), np.nan)
                found = False
                for g in np.unique(gid):
                    sub = grp.get(str(int(g)))
                    if sub is None or not all(k in sub for k in ("x", "y", "z")):
                        continue
                    sel = gid == g
                    for a, k in enumerate("xyz"):
                        xyz[sel, a] = sub[k][()][gidx[sel]]
                    found = True
                if not found:
                    xyz = None
            out[name] = {"n": n, "xyz": xyz,
                         "model_type": str(_decode(grp.attrs.get("model_type", "")))}
        return out
