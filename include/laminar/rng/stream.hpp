// Counter-based random streams (Random123 Philox4x32-10). A stream is named by the run seed, a
// purpose, an id (projection, source, population) and an entity (usually a gid); draw k of a
// stream is a pure function of those and k, so results never depend on who draws or in what
// order. This is what makes networks and Poisson input independent of ranks and threads.
#pragma once

#include <array>
#include <cmath>
#include <cstdint>

#include <Random123/philox.h>

namespace laminar::rng {

/// What a stream is used for; part of the counter so streams of different purposes never meet.
enum class purpose : std::uint32_t {
    positions = 1,
    connectivity = 2,
    poisson_source = 3,
    poisson_generator = 4,
    initial_state = 5,
    netstim = 6,
};

using block = std::array<std::uint32_t, 4>;

/// Uniform double in [0, 1) with 53 random bits from two 32-bit words.
inline double to_unit(std::uint32_t hi, std::uint32_t lo) noexcept {
    const std::uint64_t bits = (std::uint64_t(hi) << 21) ^ std::uint64_t(lo >> 11);
    return double(bits & ((std::uint64_t(1) << 53) - 1)) * 0x1.0p-53;
}

/// Uniform double in (0, 1], safe for log().
inline double to_open_unit(std::uint32_t hi, std::uint32_t lo) noexcept {
    return 1.0 - to_unit(hi, lo);
}

/// Uniform integer in [0, n) from a 32-bit word (Lemire's multiply-shift; bias < n / 2^32).
inline std::uint32_t to_index(std::uint32_t word, std::uint32_t n) noexcept {
    return std::uint32_t((std::uint64_t(word) * n) >> 32);
}

/// Keyed counter-based generator: block(k) is random access.
class stream {
public:
    stream(std::uint64_t seed, purpose what, std::uint32_t id, std::uint32_t entity) noexcept
        : key_{{std::uint32_t(seed), std::uint32_t(seed >> 32)}},
          c0_((std::uint32_t(what) << 24) ^ (id & 0x00ffffffu)), c1_(entity) {}

    block at(std::uint64_t k) const noexcept {
        const r123::Philox4x32::ctr_type ctr{{c0_, c1_, std::uint32_t(k), std::uint32_t(k >> 32)}};
        const auto out = r123::Philox4x32{}(ctr, key_);
        return {out[0], out[1], out[2], out[3]};
    }

private:
    r123::Philox4x32::key_type key_;
    std::uint32_t c0_;
    std::uint32_t c1_;
};

/// Sequential draws from a stream, starting at block `first`.
class sequence {
public:
    explicit sequence(const stream& s, std::uint64_t first = 0) noexcept : s_(s), next_(first) {}

    std::uint32_t bits() noexcept {
        if (used_ == 4) {
            buf_ = s_.at(next_++);
            used_ = 0;
        }
        return buf_[used_++];
    }
    double uniform() noexcept {
        const auto a = bits();
        return to_unit(a, bits());
    }
    double uniform(double lo, double hi) noexcept { return lo + (hi - lo) * uniform(); }
    /// Integer uniform in [lo, hi] inclusive.
    std::int64_t integer(std::int64_t lo, std::int64_t hi) noexcept {
        return lo + std::int64_t(to_index(bits(), std::uint32_t(hi - lo + 1)));
    }
    /// Standard normal (Box-Muller, one value per call: no cached state to keep order simple).
    double normal() noexcept {
        const double u1 = 1.0 - uniform();
        const double u2 = uniform();
        return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
    }

private:
    stream s_;
    std::uint64_t next_;
    block buf_{};
    int used_ = 4;
};

} // namespace laminar::rng
