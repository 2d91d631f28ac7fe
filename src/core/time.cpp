// NEST's conversions between milliseconds, tics and steps (MODEL_EQUATIONS.md section 1,
// nestkernel/nest_time.h). The floating-point forms are NEST's, kept literally: results must
// agree with NEST to the step, including its rounding quirks.
#include "laminar/core/time.hpp"

#include <cmath>
#include <cstdint>
#include <limits>

namespace laminar {

namespace {

constexpr double tics_per_ms = 1000.0;

// MS_PER_STEP of NEST: tics per step over tics per ms, in doubles.
double ms_per_step(std::int64_t tps) {
    return static_cast<double>(tps) / tics_per_ms;
}

} // namespace

std::int64_t tics_per_step(double dt_ms) {
    return static_cast<std::int64_t>(std::floor(dt_ms * tics_per_ms + 0.5));
}

step_type ms_to_steps_ceil(double t_ms, double dt_ms) {
    // NEST clamps infinite times to its +-infinity sentinels; ours are the extreme step values.
    if (std::isinf(t_ms)) {
        return t_ms > 0 ? std::numeric_limits<step_type>::max()
                        : std::numeric_limits<step_type>::min();
    }
    const std::int64_t tps = tics_per_step(dt_ms);
    // Time::ms: nearest tic, halves up, by truncation of t*1000 + 0.5.
    const auto tics = static_cast<std::int64_t>(t_ms * tics_per_ms + 0.5);
    // Time::get_steps: (tics + TPS - 1) * STEPS_PER_TIC, truncated; a ceiling for tics >= 0.
    const double steps_per_tic = 1.0 / static_cast<double>(tps);
    return static_cast<step_type>(static_cast<double>(tics + tps - 1) * steps_per_tic);
}

step_type delay_to_steps(double delay_ms, double dt_ms) {
    const double steps_per_ms = 1.0 / ms_per_step(tics_per_step(dt_ms));
    return static_cast<step_type>(std::floor(delay_ms * steps_per_ms + 0.5));
}

step_type spike_time_to_stamp(double t_ms, double dt_ms) {
    const std::int64_t tps = tics_per_step(dt_ms);
    const double steps_per_tic = 1.0 / static_cast<double>(tps);
    // spike_generator with precise_times: truncate to tics, down to the step, then up one step
    // if that grid time (in NEST's double arithmetic) lies before t.
    auto n = static_cast<std::int64_t>(t_ms * tics_per_ms);
    n -= n % tps;
    if (static_cast<double>(n) * steps_per_tic * ms_per_step(tps) < t_ms)
        n += tps;
    return n / tps;
}

bool is_valid_resolution(double dt_ms) {
    if (!std::isfinite(dt_ms))
        return false;
    const double tics = dt_ms * tics_per_ms;
    const double nearest = std::round(tics);
    return nearest >= 1.0 && std::abs(tics - nearest) <= 1e-9;
}

} // namespace laminar
