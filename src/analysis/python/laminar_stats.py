"""Spike statistics of Laminar's analysis (definitions in docs/analysis.md).

All functions take spike times in ms and node ids (0..n_cells-1) of one population and a
window [t0, t1) in ms; cells without spikes count (rate 0). Memory is O(spikes + cells), never
cells x bins, so they stay usable for 10^6 cells.
"""

import numpy as np


def in_window(times, ids, t0, t1):
    sel = (times >= t0) & (times < t1)
    return times[sel], ids[sel]


def cell_counts(ids, n_cells):
    ids = np.asarray(ids, dtype=np.int64)
    if len(ids) and (ids.min() < 0 or ids.max() >= n_cells):
        raise ValueError("node id {} outside 0..{}".format(
            ids.max() if ids.max() >= n_cells else ids.min(), n_cells - 1))
    return np.bincount(ids, minlength=n_cells).astype(np.int64)


def cell_rates(times, ids, n_cells, t0, t1):
    """Per-cell rate (Hz): spikes in [t0, t1) / duration."""
    t, i = in_window(times, ids, t0, t1)
    return cell_counts(i, n_cells) / ((t1 - t0) * 1e-3)


def isi_cv(times, ids, n_cells, t0, t1, min_spikes=3):
    """Per-cell ISI CV = std(ISI) / mean(ISI) (population std, ddof 0) for cells with at least
    `min_spikes` spikes in the window; NaN for the others."""
    t, i = in_window(times, ids, t0, t1)
    order = np.lexsort((t, i))
    t, i = t[order], i[order]
    cv = np.full(n_cells, np.nan)
    if len(t) < 2:
        return cv
    same = i[1:] == i[:-1]
    isi = np.diff(t)[same]
    owner = i[1:][same]
    n = np.bincount(owner, minlength=n_cells)
    s1 = np.bincount(owner, weights=isi, minlength=n_cells)
    s2 = np.bincount(owner, weights=isi * isi, minlength=n_cells)
    ok = n >= max(min_spikes - 1, 1)
    mean = np.where(ok, s1 / np.maximum(n, 1), np.nan)
    var = np.where(ok, s2 / np.maximum(n, 1) - mean * mean, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        cv = np.where(ok & (mean > 0), np.sqrt(np.maximum(var, 0.0)) / mean, np.nan)
    return cv


def _count_moments(times, ids, n_cells, t0, t1, bin_ms):
    """Per-cell mean and variance (ddof 0) of spike counts in the bins of [t0, t1), and the
    population count per bin. Only whole bins are used."""
    n_bins = int(np.floor((t1 - t0) / bin_ms + 1e-9))
    if n_bins < 1:
        raise ValueError("window of {} ms is shorter than one {} ms bin".format(t1 - t0, bin_ms))
    t, i = in_window(times, ids, t0, t0 + n_bins * bin_ms)
    b = np.minimum(((t - t0) // bin_ms).astype(np.int64), n_bins - 1)
    key = i * n_bins + b
    uniq, c = np.unique(key, return_counts=True)
    cell = uniq // n_bins
    s1 = np.bincount(cell, weights=c, minlength=n_cells)
    s2 = np.bincount(cell, weights=c.astype(float) ** 2, minlength=n_cells)
    mean = s1 / n_bins
    var = np.maximum(s2 / n_bins - mean * mean, 0.0)
    pop = np.bincount(b, minlength=n_bins).astype(float)
    return mean, var, pop, n_bins


def fano_factor(times, ids, n_cells, t0, t1, bin_ms):
    """Per-cell Fano factor var/mean of counts in bins of `bin_ms` (NaN for silent cells), and
    the population value: the mean over cells that spiked."""
    mean, var, _, _ = _count_moments(times, ids, n_cells, t0, t1, bin_ms)
    with np.errstate(invalid="ignore", divide="ignore"):
        ff = np.where(mean > 0, var / mean, np.nan)
    return ff, (float(np.nanmean(ff)) if np.any(mean > 0) else float("nan"))


def synchrony(times, ids, n_cells, t0, t1, bin_ms):
    """Golomb's chi^2: Var_t[mean_i c_i(t)] / mean_i Var_t[c_i(t)] over bins of `bin_ms`.
    About 1/N for independent cells, 1 for identical trains; NaN if no cell varies."""
    mean, var, pop, _ = _count_moments(times, ids, n_cells, t0, t1, bin_ms)
    denom = var.mean() if n_cells else 0.0
    if denom <= 0:
        return float("nan")
    return float(np.var(pop / n_cells) / denom)


def population_rate(times, n_cells, t0, t1, bin_ms):
    """PSTH: bin edges and the population rate (Hz per cell) in bins of `bin_ms`."""
    n_bins = max(int(np.ceil((t1 - t0) / bin_ms - 1e-9)), 1)
    edges = t0 + bin_ms * np.arange(n_bins + 1)
    edges[-1] = min(edges[-1], t1) if n_bins > 1 else t1
    counts, _ = np.histogram(times, bins=edges)
    widths = np.diff(edges) * 1e-3
    return edges, counts / (max(n_cells, 1) * widths)


def welch_psd(signal, fs_hz, nperseg=1024):
    """One-sided PSD (units^2/Hz) by Welch's method: periodic Hann windows (as
    scipy.signal.welch), 50 % overlap, mean removed per segment. Returns frequencies (Hz) and
    power."""
    x = np.asarray(signal, dtype=float)
    nperseg = int(min(nperseg, len(x)))
    if nperseg < 4:
        return np.array([]), np.array([])
    step = nperseg // 2
    win = np.hanning(nperseg + 1)[:-1]  # periodic (DFT-even) Hann, scipy's get_window('hann')
    scale = 1.0 / (fs_hz * np.sum(win * win))
    acc = np.zeros(nperseg // 2 + 1)
    k = 0
    for start in range(0, len(x) - nperseg + 1, step):
        seg = x[start:start + nperseg]
        seg = (seg - seg.mean()) * win
        acc += np.abs(np.fft.rfft(seg)) ** 2
        k += 1
    p = acc * scale / k
    if nperseg % 2 == 0:
        p[1:-1] *= 2
    else:
        p[1:] *= 2
    return np.fft.rfftfreq(nperseg, 1.0 / fs_hz), p


def window_rate(times, n_cells, t0, t1):
    """Mean rate (Hz per cell) in [t0, t1) and its Poisson standard error."""
    n = int(np.count_nonzero((times >= t0) & (times < t1)))
    dur = (t1 - t0) * 1e-3 * max(n_cells, 1)
    return n / dur, np.sqrt(n) / dur


def rate_change(before, before_se, after, after_se, rel_tol=0.05):
    """'fell', 'rose' or 'unchanged': the change after - before compared with the margin
    max(`rel_tol` x before, 2 standard errors of the difference)."""
    diff = after - before
    margin = max(rel_tol * before, 2.0 * np.hypot(before_se, after_se))
    if diff < -margin:
        return "fell"
    if diff > margin:
        return "rose"
    return "unchanged"


def paradoxical_verdict(pv_before, pv_before_se, pv_after, pv_after_se, rel_tol=0.05):
    """'paradoxical' if the PV rate after the push is lower than before by more than both
    `rel_tol` of the before rate and two standard errors of the difference; 'normal' if higher
    by the same margins; else 'inconclusive'."""
    return {"fell": "paradoxical", "rose": "normal", "unchanged": "inconclusive"}[
        rate_change(pv_before, pv_before_se, pv_after, pv_after_se, rel_tol)]


def isn_assessment(verdict, exc_change):
    """(isn_consistent, interpretation) from the PV verdict and the excitatory rate change
    ('fell', 'rose', 'unchanged', or None without an excitatory population). The classic
    inhibition-stabilised signature is PV and excitatory rates both falling after the push."""
    if verdict != "paradoxical":
        text = {"normal": "PV rose with its input (no paradoxical response)",
                "inconclusive": "PV rate change within the margin (no verdict)"}[verdict]
        return False, text
    if exc_change is None:
        return None, "PV fell; no excitatory population to test the ISN signature"
    if exc_change == "fell":
        return True, "PV and exc fell (inhibition-stabilised network signature)"
    if exc_change == "rose":
        return False, ("PV fell while exc rose (consistent with PV depolarisation block rather "
                       "than ISN stabilisation)")
    return False, "PV fell while the exc rate did not change beyond the margin (not the ISN signature)"
