// exp, log and pow for constants computed once (rate tables, Q10 factors, synaptic factors) that
// give the same bits on every machine: IEEE operations with one rounding each, std::fma and
// std::frexp only. glibc's double exp/log/pow pick an implementation by CPU (with or without
// FMA) and can differ in the last bit; its x87 long double ones run microcoded instructions
// whose last bit is vendor-specific. A constant that differs in one bit changes every spike
// after it, so a cluster mixing node types would give different spikes per rank.
// Accuracy: det_exp within 1 ulp (simd_exp); det_log within 1.5 ulp (1.06 measured); det_pow(x, y)
// = det_exp(y det_log(x)), whose error grows with |y ln x| (below 40 ulp for the Q10 factors of
// -273 to 100 °C, exact at y = 0).
// Tests: tests/unit/core/test_det_math.cpp (accuracy against long double, committed bits).
#pragma once

#include <cmath>
#include <limits>

#include "core/simd_exp.hpp"

namespace laminar {

/// e^x: simd_exp on [-708, 709]; below, 0 (instead of a subnormal); above, +inf; NaN stays NaN.
inline double det_exp(double x) noexcept {
    if (std::isnan(x))
        return x;
    if (x < -708.0)
        return 0.0;
    if (x > 709.0)
        return std::numeric_limits<double>::infinity();
    return simd_exp(x);
}

/// ln x for x > 0 (0 gives -inf, a negative number or NaN gives NaN, +inf gives +inf), as
/// fdlibm does it: x = 2^e m with m in [sqrt(1/2), sqrt(2)), f = m - 1 (exact), s = f/(2 + f),
/// ln m = f - s (f - R) with R = 2 s^2/3 + 2 s^4/5 + ... (the series of 2 atanh(s) - 2s, to
/// s^22: truncation < 1e-19 relative), e ln2 in two parts.
inline double det_log(double x) noexcept {
    if (std::isnan(x) || x < 0.0)
        return std::numeric_limits<double>::quiet_NaN();
    if (x == 0.0)
        return -std::numeric_limits<double>::infinity();
    if (std::isinf(x))
        return x;
    int e = 0;
    double m = std::frexp(x, &e); // exact: m in [1/2, 1)
    if (m < 0.70710678118654752440) {
        m *= 2.0; // exact
        e -= 1;
    }
    const double f = m - 1.0; // exact (Sterbenz)
    const double s = f / (2.0 + f);
    const double z = s * s;
    double r = 2.0 / 23.0;
    for (int k = 21; k >= 3; k -= 2)
        r = std::fma(r, z, 2.0 / double(k));
    r *= z;
    const double log_m = std::fma(-s, f - r, f);
    constexpr double ln2_hi = 0x1.62e42fee00000p-1; // e * ln2_hi exact for |e| < 2^11
    constexpr double ln2_lo = 0x1.a39ef35793c76p-33;
    const double ed = double(e);
    return std::fma(ed, ln2_hi, std::fma(ed, ln2_lo, log_m));
}

/// x^y for x > 0 as e^(y ln x).
inline double det_pow(double x, double y) noexcept {
    return det_exp(y * det_log(x));
}

} // namespace laminar
