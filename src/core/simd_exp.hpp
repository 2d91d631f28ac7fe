// simd_exp: e^x written with + - * and bit operations only, so that a loop over cells calling it
// vectorises (`#pragma omp simd`) and every lane computes exactly what the scalar code computes.
// libm's exp cannot be used in such a loop: it is an opaque call, and the vector versions of
// libmvec round differently from the scalar one, which would make a cell's result depend on
// whether it fell in a vector body or a scalar remainder, i.e. on the decomposition.
//
// Method (Cody and Waite's reduction, as fdlibm): x = k ln2 + r with k = round(x / ln2) and
// |r| <= ln2 / 2 computed in two parts; e^r by its Taylor polynomial of degree 13 (truncation
// < 5e-18 relative) in Horner form; 2^k added to the exponent bits. Error: within 1 ulp of the
// exact value over the whole domain (0.86 ulp measured, tests/unit/core/test_simd_exp.cpp).
// Domain: x in [-708, 709], where e^x is a normal number; the caller guarantees it (no clamp,
// because a select in the loop body makes GCC thread jumps and give up vectorising). Outside it
// the result is wrong: the exponent wraps.
// Requires -ffp-contract=off (laminar::fp) for the bit-identity between vector and scalar code.
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>

#include "core/compiler.hpp"

namespace laminar {

/// e^x for x in [-708, 709], within 1 ulp; see above.
LAMINAR_ALWAYS_INLINE double simd_exp(double x) noexcept {
    constexpr double log2e = 0x1.71547652b82fep+0;
    constexpr double ln2_hi = 0x1.62e42fee00000p-1; // k * ln2_hi is exact for |k| < 2^11
    constexpr double ln2_lo = 0x1.a39ef35793c76p-33;
    constexpr double shifter = 0x1.8p52; // adding it rounds to an integer, kept in the low bits
    const double kd = std::fma(x, log2e, shifter);
    const double k = kd - shifter;
    double r = std::fma(-k, ln2_hi, x);
    r = std::fma(-k, ln2_lo, r);
    double p = 0x1.6124613a86d09p-33; // 1/13!
    p = std::fma(p, r, 0x1.1eed8eff8d898p-29);
    p = std::fma(p, r, 0x1.ae64567f544e4p-26);
    p = std::fma(p, r, 0x1.27e4fb7789f5cp-22);
    p = std::fma(p, r, 0x1.71de3a556c734p-19);
    p = std::fma(p, r, 0x1.a01a01a01a01ap-16);
    p = std::fma(p, r, 0x1.a01a01a01a01ap-13);
    p = std::fma(p, r, 0x1.6c16c16c16c17p-10);
    p = std::fma(p, r, 0x1.1111111111111p-7);
    p = std::fma(p, r, 0x1.5555555555555p-5);
    p = std::fma(p, r, 0x1.5555555555555p-3);
    p = std::fma(p, r, 0.5);
    p = std::fma(p, r, 1.0);
    p = std::fma(p, r, 1.0);
    // The low 52 bits of kd hold 2^51 + k; shifted by 52 they add k to p's exponent (mod 2^64).
    const std::uint64_t scale = std::bit_cast<std::uint64_t>(kd) << 52;
    return std::bit_cast<double>(std::bit_cast<std::uint64_t>(p) + scale);
}

} // namespace laminar
