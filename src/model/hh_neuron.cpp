// hh_neuron: NEURON 8.2.2's fixed step (secondorder 0) for a soma with hh and an optional
// passive dendrite, written out in MODEL_EQUATIONS.md 4-6. One update L carries t_L to t_{L+1}:
//   currents at v(t_L) and their conductances (IClamp at the midpoint),
//   backward-Euler solve of the soma (and dend) voltage, gates and synapses by cnexp at the new
//   v, then the events whose arrival is t_{L+1} are added to the Exp2Syn states, and the soma
//   voltage is checked against the NetCon threshold.
#include "hh_neuron.hpp"

#include "core/compiler.hpp"
#include "core/det_math.hpp"
#include "core/simd_exp.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <numbers>
#include <string>

#include <fmt/format.h>

namespace laminar::model {

namespace {

// The constants (rate table, q10, Exp2Syn factors) use det_exp, det_log and det_pow
// (core/det_math.hpp): the same bits on every machine, within a few ulp of libm's (NEURON's).
using laminar::det_exp;
using laminar::det_log;
using laminar::det_pow;

// hh.mod's vtrap: x/(exp(x/y) - 1), with its first-order expansion near x = 0.
double vtrap(double x, double y) {
    if (std::fabs(x / y) < 1e-6)
        return y * (1.0 - x / y / 2.0);
    return x / (det_exp(x / y) - 1.0);
}

// Exp2Syn's INITIAL: the clamped tau1 and the factor that makes a weight the conductance peak.
struct exp2syn_constants {
    double factor, decay1, decay2;
};

exp2syn_constants exp2syn(double tau1, double tau2, double dt) {
    if (tau1 / tau2 > 0.9999)
        tau1 = 0.9999 * tau2;
    if (tau1 / tau2 < 1e-9)
        tau1 = tau2 * 1e-9;
    const double tp = (tau1 * tau2) / (tau2 - tau1) * det_log(tau2 / tau1);
    double factor = -det_exp(-tp / tau1) + det_exp(-tp / tau2);
    factor = 1.0 / factor;
    // cnexp of A' = -A/tau: A <- A + (1 - exp(dt*(-1/tau)))*(-A).
    return {factor, 1.0 - det_exp(dt * ((-1.0) / tau1)), 1.0 - det_exp(dt * ((-1.0) / tau2))};
}

// The cell loops are compiled for AVX-512, AVX2 and the x86-64 baseline, picked at load time by
// the CPU (GCC's target_clones, through an ifunc): the same operations in every version
// (explicit std::fma, no other contraction: -ffp-contract=off), so the same bits; the baseline
// calls libm's fma (correctly rounded, as the instruction; in software on a CPU without FMA,
// tens of times slower).
// -DLAMINAR_NO_CLONES compiles one version for the target (used to check the claim).
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 12 &&           \
    !defined(LAMINAR_NO_CLONES)
#define LAMINAR_CELL_LOOP_CLONES                                                                   \
    __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define LAMINAR_CELL_LOOP_CLONES
#endif

// max(x, -708) for x <= 0, on the bit patterns (negative doubles read as integers order the
// other way round); a NaN of either sign becomes -708. Keeps simd_exp in its domain when dt/tau
// is huge (a hot model, a long step): there 1 - e^x is 1.0 exactly, as in NEURON.
LAMINAR_ALWAYS_INLINE double clamp_exp_argument(double x) noexcept {
    const std::int64_t b = std::bit_cast<std::int64_t>(x);
    const std::int64_t lowest = std::bit_cast<std::int64_t>(-708.0);
    return std::bit_cast<double>(b < lowest ? b : lowest);
}

// A two-vector shuffle of 4-double vectors with constant indices (GCC's and clang's builtins).
#if defined(__clang__)
#define LAMINAR_SHUFFLE4(a, b, i, j, k, l) __builtin_shufflevector(a, b, i, j, k, l)
#else
#define LAMINAR_SHUFFLE4(a, b, i, j, k, l) __builtin_shuffle(a, b, v4i{i, j, k, l})
#endif

// min(max(x, 0), hi) for hi > 0, on the bit patterns: non-negative doubles order as their bits
// read as integers, negative ones (and -0, -NaN) are negative integers; +NaN reads as hi. No
// floating-point select, which GCC would turn into branches in the cell loop.
LAMINAR_ALWAYS_INLINE double clamp_bits(double x, double hi) noexcept {
    std::int64_t b = std::bit_cast<std::int64_t>(x);
    b = b > 0 ? b : 0;
    const std::int64_t top = std::bit_cast<std::int64_t>(hi);
    b = b < top ? b : top;
    return std::bit_cast<double>(b);
}

// NEURON's half-segment axial resistance of a one-segment section, MΩ.
double r_half(double Ra, double L, double diam) {
    return 1e-2 * Ra * (L / 2.0) / (std::numbers::pi * diam * diam / 4.0);
}

} // namespace

std::string hh_neuron_params::validate() const {
    for (const auto& [name, member] : fields) {
        if (!std::isfinite(this->*member))
            return fmt::format("{} must be a finite number (got {})", name, this->*member);
    }
    for (const auto& [name, x] : {std::pair<const char*, double>{"soma_diam", soma_diam},
                                  {"soma_L", soma_L},
                                  {"soma_cm", soma_cm},
                                  {"soma_Ra", soma_Ra},
                                  {"dend_diam", dend_diam},
                                  {"dend_L", dend_L},
                                  {"dend_cm", dend_cm},
                                  {"dend_Ra", dend_Ra},
                                  {"exc_tau1", exc_tau1},
                                  {"exc_tau2", exc_tau2},
                                  {"inh_tau1", inh_tau1},
                                  {"inh_tau2", inh_tau2}}) {
        if (!(x > 0.0))
            return fmt::format("{} ({}) must be positive", name, x);
    }
    for (const auto& [name, x] : {std::pair<const char*, double>{"gnabar", gnabar},
                                  {"gkbar", gkbar},
                                  {"gl", gl},
                                  {"dend_g_pas", dend_g_pas}}) {
        if (x < 0.0)
            return fmt::format("{} ({}) must not be negative", name, x);
    }
    if (celsius < -273.15)
        return fmt::format("celsius ({}) must be at least -273.15", celsius);
    if (has_dend != 0.0 && has_dend != 1.0)
        return fmt::format("has_dend ({}) must be 0 or 1", has_dend);
    if (v_init > threshold)
        return fmt::format("v_init ({}) must not be above threshold ({}): NEURON would report a "
                           "spike at t = 0",
                           v_init, threshold);
    return {};
}

// ---------------------------------------------------------------------------------------------

void hh_rate_table::rates(double v, double celsius, double out[6]) noexcept {
    const double q10 = det_pow(3.0, (celsius - 6.3) / 10.0);
    double alpha = 0.1 * vtrap(-(v + 40.0), 10.0);
    double beta = 4.0 * det_exp(-(v + 65.0) / 18.0);
    double sum = alpha + beta;
    out[1] = 1.0 / (q10 * sum);
    out[0] = alpha / sum;
    alpha = 0.07 * det_exp(-(v + 65.0) / 20.0);
    beta = 1.0 / (det_exp(-(v + 35.0) / 10.0) + 1.0);
    sum = alpha + beta;
    out[3] = 1.0 / (q10 * sum);
    out[2] = alpha / sum;
    alpha = 0.01 * vtrap(-(v + 55.0), 10.0);
    beta = 0.125 * det_exp(-(v + 65.0) / 80.0);
    sum = alpha + beta;
    out[5] = 1.0 / (q10 * sum);
    out[4] = alpha / sum;
}

hh_rate_table::hh_rate_table(double celsius) {
    // nocmodl's loop: x from -100 in steps of (100 - -100)/200 = 1 (exact in doubles).
    const double dx = (100.0 - -100.0) / 200.0;
    double x = -100.0;
    for (int i = 0; i < points; x += dx, ++i)
        rates(x, celsius, &t[std::size_t(6 * i)]);
}

void hh_rate_table::lookup(double v, double out[6]) const noexcept {
    const double xi = 1.0 * (v - -100.0);
    if (std::isnan(xi)) {
        for (int k = 0; k < 6; ++k)
            out[k] = xi;
        return;
    }
    if (xi <= 0.0) {
        for (int k = 0; k < 6; ++k)
            out[k] = t[std::size_t(k)];
        return;
    }
    if (xi >= 200.0) {
        for (int k = 0; k < 6; ++k)
            out[k] = t[std::size_t(6 * 200 + k)];
        return;
    }
    const int i = int(xi);
    const double theta = xi - double(i);
    const double* a = &t[std::size_t(6 * i)];
    for (int k = 0; k < 6; ++k)
        out[k] = a[k] + theta * (a[k + 6] - a[k]);
}

// ---------------------------------------------------------------------------------------------

hh_neuron_group::hh_neuron_group(const hh_neuron_params& p, double dt_ms, std::size_t n)
    : neuron_group(n), dt_(dt_ms), dend_(p.has_dend != 0.0) {
    const hh_rate_table table(p.celsius);
    // State padded to whole vectors; the padding cells start as the others do.
    const std::size_t padded = (n + lanes - 1) / lanes * lanes;
    v_s_.assign(padded, p.v_init);
    v_d_.assign(padded, p.v_init);
    m_.assign(padded, 0.0);
    h_.assign(padded, 0.0);
    n_.assign(padded, 0.0);
    crossed_.assign(padded, 0);
    at_.assign(padded, 0);
    theta_.assign(padded, 0.0);
    zeros_.assign(padded, 0.0);
    staged_.assign(padded == n ? 0 : 5 * padded, 0.0);
    rates_.assign(6 * padded, 0.0);
    rows_.assign(std::size_t(12 * hh_rate_table::points), 0.0);
    for (std::size_t i = 0; i < std::size_t(hh_rate_table::points); ++i) {
        for (std::size_t k = 0; k < 6; ++k) {
            const double a = table.t[6 * i + k];
            rows_[12 * i + k] = a;
            rows_[12 * i + 6 + k] =
                i + 1 < std::size_t(hh_rate_table::points) ? table.t[6 * (i + 1) + k] - a : 0.0;
        }
    }
    const double area_s = std::numbers::pi * p.soma_diam * p.soma_L; // µm²
    const double area_d = std::numbers::pi * p.dend_diam * p.dend_L;
    cfac_s_ = 0.001 / dt_ms * p.soma_cm;
    cfac_d_ = 0.001 / dt_ms * p.dend_cm;
    to_dens_s_ = 1.e2 / area_s;
    to_dens_d_ = 1.e2 / area_d;
    // dend(0) sits on the soma(1) junction: the soma centre reaches the dend centre through
    // both half-segment resistances in series; the junction is eliminated exactly.
    const double g_sd = 1.0 / (r_half(p.soma_Ra, p.soma_L, p.soma_diam) +
                               r_half(p.dend_Ra, p.dend_L, p.dend_diam)); // µS
    a_s_ = dend_ ? 100.0 * g_sd / area_s : 0.0;
    a_d_ = dend_ ? 100.0 * g_sd / area_d : 0.0;
    gnabar_ = p.gnabar;
    gkbar_ = p.gkbar;
    gl_ = p.gl;
    el_ = p.el;
    ena_ = p.ena;
    ek_ = p.ek;
    g_pas_ = p.dend_g_pas;
    e_pas_ = p.dend_e_pas;
    thr_ = p.threshold;
    const auto exc = exp2syn(p.exc_tau1, p.exc_tau2, dt_ms);
    const auto inh = exp2syn(p.inh_tau1, p.inh_tau2, dt_ms);
    for (std::size_t k = 0; k < 4; ++k) {
        const auto& c = k % 2 == 0 ? exc : inh;
        factor_[k] = c.factor;
        decay1_[k] = c.decay1;
        decay2_[k] = c.decay2;
        e_syn_[k] = k % 2 == 0 ? p.exc_e : p.inh_e;
        A_[k].assign(padded, 0.0);
        B_[k].assign(padded, 0.0);
    }
    // hh INITIAL: gates at steady state for v_init, from the table.
    double r[6];
    table.lookup(p.v_init, r);
    std::fill(m_.begin(), m_.end(), r[0]);
    std::fill(h_.begin(), h_.end(), r[2]);
    std::fill(n_.begin(), n_.end(), r[4]);
}

namespace {

// nocmodl's table lookup for cells [0, n), n a multiple of 4: the six values (minf, mtau, hinf,
// htau, ninf, ntau) at the row `at` and fraction `theta` found in the voltage loop, one array
// each, as a + theta (b - a) with b - a stored. The 12 numbers of a cell are one row: four cells'
// rows are loaded as three blocks of 4 and each block transposed (8 shuffles), which costs a
// quarter of what gathering the 12 values across cells does. Inlined into each clone.
LAMINAR_ALWAYS_INLINE void look_up_rates(const double* __restrict rows,
                                         const std::int64_t* __restrict at,
                                         const double* __restrict theta, double* __restrict out,
                                         std::size_t stride, std::size_t n) noexcept {
    using v4d = double __attribute__((vector_size(32)));
    using v4i [[maybe_unused]] = std::int64_t __attribute__((vector_size(32)));
    for (std::size_t i = 0; i < n; i += 4) {
        v4d col[12];
        for (std::size_t b = 0; b < 3; ++b) {
            v4d r[4];
            for (std::size_t c = 0; c < 4; ++c)
                std::memcpy(&r[c], rows + at[i + c] + 4 * b, sizeof(v4d));
            const v4d t0 = LAMINAR_SHUFFLE4(r[0], r[1], 0, 4, 2, 6);
            const v4d t1 = LAMINAR_SHUFFLE4(r[0], r[1], 1, 5, 3, 7);
            const v4d t2 = LAMINAR_SHUFFLE4(r[2], r[3], 0, 4, 2, 6);
            const v4d t3 = LAMINAR_SHUFFLE4(r[2], r[3], 1, 5, 3, 7);
            col[4 * b] = LAMINAR_SHUFFLE4(t0, t2, 0, 1, 4, 5);
            col[4 * b + 1] = LAMINAR_SHUFFLE4(t1, t3, 0, 1, 4, 5);
            col[4 * b + 2] = LAMINAR_SHUFFLE4(t0, t2, 2, 3, 6, 7);
            col[4 * b + 3] = LAMINAR_SHUFFLE4(t1, t3, 2, 3, 6, 7);
        }
        v4d th;
        std::memcpy(&th, theta + i, sizeof(v4d));
        for (std::size_t k = 0; k < 6; ++k) {
            const v4d x = col[k] + th * col[k + 6];
            std::memcpy(out + k * stride + i, &x, sizeof(v4d));
        }
    }
}

// The three hh gates of cells [0, n) at the new voltage by cnexp, from the looked-up rates. One
// loop for the three so that their exponentials, independent chains, overlap. Inlined into each
// clone.
LAMINAR_ALWAYS_INLINE void update_gates(double* __restrict m, double* __restrict h,
                                        double* __restrict g, const double* __restrict r,
                                        std::size_t stride, double dt, std::size_t n) noexcept {
    const double* minf = r; // derived from the restrict parameter r: not restrict again
    const double* mtau = r + stride;
    const double* hinf = r + 2 * stride;
    const double* htau = r + 3 * stride;
    const double* ninf = r + 4 * stride;
    const double* ntau = r + 5 * stride;
    const double ndt = -dt;
#pragma omp simd
    for (std::size_t i = 0; i < n; ++i) {
        // The three -dt/tau from one division (the product of three tau stays normal from -273
        // to ~1000 °C; beyond, a NaN or infinite argument is clamped like a huge one).
        const double mt = mtau[i], ht = htau[i], nt = ntau[i];
        const double mh = mt * ht;
        const double inv = 1.0 / (mh * nt);
        const double em = simd_exp(clamp_exp_argument(ndt * ((ht * nt) * inv)));
        const double eh = simd_exp(clamp_exp_argument(ndt * ((mt * nt) * inv)));
        const double en = simd_exp(clamp_exp_argument(ndt * (mh * inv)));
        m[i] = std::fma(1.0 - em, minf[i] - m[i], m[i]);
        h[i] = std::fma(1.0 - eh, hinf[i] - h[i], h[i]);
        g[i] = std::fma(1.0 - en, ninf[i] - g[i], g[i]);
    }
}

// Exp2Syn of one receptor: decay by cnexp, then the events arriving at t_{L+1} (NET_RECEIVE:
// A, B += w factor); with Fold, a second input `w2` lands on the same receptor.
template <bool Fold>
LAMINAR_ALWAYS_INLINE void update_synapse(double* __restrict A, double* __restrict B,
                                          const double* __restrict w, const double* __restrict w2,
                                          double decay1, double decay2, double factor,
                                          std::size_t n) noexcept {
#pragma omp simd
    for (std::size_t i = 0; i < n; ++i) {
        double we = w[i];
        if constexpr (Fold)
            we += w2[i];
        A[i] = std::fma(we, factor, std::fma(-decay1, A[i], A[i]));
        B[i] = std::fma(we, factor, std::fma(-decay2, B[i], B[i]));
    }
}

} // namespace

// One update of the group's n cells (n a multiple of `lanes`: the padded size) with inputs `in`,
// written as a few loops over cells that vectorise (one for the voltages, one for the table, one
// for the gates, one per receptor: short loop bodies that keep their values in registers):
// no branch, no libm call (simd_exp), the rate table read by index. Each cell's arithmetic is
// the same in every lane and every clone, so results never depend on how cells are grouped into
// shards. It is NEURON's scheme with two rewrites that change only the rounding
// (MODEL_EQUATIONS.md 4-6; docs/models/hh_neuron.md):
//  - conductance slopes are the conductances themselves; nocmodl's difference quotient
//    (i(v + 0.001) - i(v)) / 0.001 of these currents, linear in v at fixed gates and
//    conductances, differs from them by rounding only;
//  - cnexp's x + (1 - exp(dt (-1/tau))) (-(xinf/tau)/(-1/tau) - x) keeps its exponent, but
//    -(xinf/tau)/(-1/tau) is written xinf;
// and products and sums fused where natural, the three 1/tau from one division, the soma-dend
// system by Cramer's rule.
template <bool Dend>
LAMINAR_CELL_LOOP_CLONES bool hh_neuron_group::update_cells(std::size_t n, const cell_inputs& in) {
    const double cfac_s = cfac_s_, cfac_d = cfac_d_, a_s = a_s_, a_d = a_d_, dens_s = to_dens_s_,
                 dens_d = to_dens_d_, gnabar = gnabar_, gkbar = gkbar_, gl = gl_, el = el_,
                 ena = ena_, ek = ek_, g_pas = g_pas_, e_pas = e_pas_, thr = thr_;
    // IClamp: the config gives pA, NEURON nA; +100 i / area as a density.
    const double clamp_s = dens_s / 1000.0;
    const double e0 = e_syn_[0], e1 = e_syn_[1], e2 = e_syn_[2], e3 = e_syn_[3];
    std::int64_t any = 0;
    // The voltage loop's restrict pointers live in this block only: the loops below write the
    // same arrays through other pointers.
    {
        double* __restrict vs_a = v_s_.data();
        double* __restrict vd_a = v_d_.data();
        const double* __restrict m_a = m_.data();
        const double* __restrict h_a = h_.data();
        const double* __restrict n_a = n_.data();
        const double* __restrict A0 = A_[0].data();
        const double* __restrict A1 = A_[1].data();
        const double* __restrict A2 = A_[2].data();
        const double* __restrict A3 = A_[3].data();
        const double* __restrict B0 = B_[0].data();
        const double* __restrict B1 = B_[1].data();
        const double* __restrict B2 = B_[2].data();
        const double* __restrict B3 = B_[3].data();
        std::int64_t* __restrict crossed = crossed_.data();
        std::int64_t* __restrict at = at_.data();
        double* __restrict theta = theta_.data();
        const double* __restrict cur = in.current;

        // --- currents at v(t_L), backward Euler in v, NetCon check, table position of v(t_{L+1})
        // ---
#pragma omp simd reduction(| : any)
        for (std::size_t i = 0; i < n; ++i) {
            const double vs = vs_a[i];
            const double mm = m_a[i], hh = h_a[i], nn = n_a[i];
            const double gna = gnabar * mm * mm * mm * hh;
            const double gk = gkbar * nn * nn * nn * nn;
            double rhs_s = -std::fma(gna, vs - ena, std::fma(gk, vs - ek, gl * (vs - el)));
            double d_s = gna + gk + gl;
            const double gd0 = (B0[i] - A0[i]) * dens_s, gd1 = (B1[i] - A1[i]) * dens_s;
            rhs_s = std::fma(-gd0, vs - e0, rhs_s);
            rhs_s = std::fma(-gd1, vs - e1, rhs_s);
            rhs_s = std::fma(cur[i], clamp_s, rhs_s);
            d_s += gd0 + gd1 + cfac_s;

            double vs_new;
            if constexpr (Dend) {
                const double vd = vd_a[i];
                const double gd2 = (B2[i] - A2[i]) * dens_d, gd3 = (B3[i] - A3[i]) * dens_d;
                double rhs_d = -(g_pas * (vd - e_pas));
                rhs_d = std::fma(-gd2, vd - e2, rhs_d);
                rhs_d = std::fma(-gd3, vd - e3, rhs_d);
                double d_d = g_pas + gd2 + gd3 + cfac_d;
                // Axial terms, then the 2x2 system.
                rhs_s = std::fma(a_s, vd - vs, rhs_s);
                rhs_d = std::fma(a_d, vs - vd, rhs_d);
                d_s += a_s;
                d_d += a_d;
                // Cramer's rule: one division for both (NEURON eliminates the dendrite first; the
                // same solution up to rounding).
                const double inv_det = 1.0 / std::fma(d_s, d_d, -a_s * a_d);
                const double dvs = std::fma(rhs_s, d_d, a_s * rhs_d) * inv_det;
                const double dvd = std::fma(d_s, rhs_d, a_d * rhs_s) * inv_det;
                vs_new = vs + dvs;
                vd_a[i] = vd + dvd;
            } else {
                vs_new = vs + rhs_s / d_s;
            }
            vs_a[i] = vs_new;

            // NetCon: an upward crossing of the threshold, seen at the first grid point above it.
            crossed[i] = std::int64_t(vs_new > thr) & std::int64_t(!(vs > thr));
            any |= crossed[i];

            // nocmodl's table lookup: clamped at the ends (a NaN voltage reads an end row).
            const double xi = clamp_bits(vs_new + 100.0, 200.0);
            const std::int64_t row = static_cast<std::int64_t>(xi);
            theta[i] = xi - static_cast<double>(row);
            at[i] = 12 * row;
        }
    }

    // --- hh gates at v(t_{L+1}) by cnexp ---
    const std::size_t stride = v_s_.size();
    look_up_rates(rows_.data(), at_.data(), theta_.data(), rates_.data(), stride, n);
    update_gates(m_.data(), h_.data(), n_.data(), rates_.data(), stride, dt_, n);

    // --- Exp2Syn; without a dendrite, dendrite-targeted synapses sit on the soma ---
    if constexpr (Dend) {
        for (std::size_t k = 0; k < 4; ++k)
            update_synapse<false>(A_[k].data(), B_[k].data(), in.w[k], nullptr, decay1_[k],
                                  decay2_[k], factor_[k], n);
    } else {
        for (std::size_t k = 0; k < 2; ++k)
            update_synapse<true>(A_[k].data(), B_[k].data(), in.w[k], in.w[k + 2], decay1_[k],
                                 decay2_[k], factor_[k], n);
    }
    return any != 0;
}

void hh_neuron_group::advance(step_type /*L*/, const step_input& in,
                              std::vector<std::uint32_t>& spiked) {
    const std::size_t n = size();
    const std::size_t padded = v_s_.size();
    const double* zero = zeros_.data();
    cell_inputs inputs{{in.w_ex, in.w_in, in.w_more[0] != nullptr ? in.w_more[0] : zero,
                        in.w_more[1] != nullptr ? in.w_more[1] : zero},
                       in.current};
    // The engine's input arrays end at n: when the group does not fill whole vectors, its inputs
    // are copied, zero-padded, so that one pass covers all cells (the padding cells, never read,
    // integrate like unstimulated cells). Cheaper than a second pass over a partial vector.
    if (padded != n) {
        for (std::size_t k = 0; k < 5; ++k) {
            const double* from = k < 4 ? inputs.w[k] : inputs.current;
            double* to = staged_.data() + k * padded;
            for (std::size_t i = 0; i < n; ++i)
                to[i] = from[i];
        }
        inputs = {{staged_.data(), staged_.data() + padded, staged_.data() + 2 * padded,
                   staged_.data() + 3 * padded},
                  staged_.data() + 4 * padded};
    }
    const bool any =
        dend_ ? update_cells<true>(padded, inputs) : update_cells<false>(padded, inputs);
    if (!any)
        return;
    for (std::size_t i = 0; i < n; ++i) {
        if (crossed_[i] != 0)
            spiked.push_back(static_cast<std::uint32_t>(i));
    }
}

} // namespace laminar::model
