// Conversions between milliseconds and steps with NEST's rounding rules
// (shared/reference/MODEL_EQUATIONS.md section 1).
#pragma once

#include "laminar/core/types.hpp"

namespace laminar {

/// Tics per step for resolution dt (NEST: 1000 tics per ms).
std::int64_t tics_per_step(double dt_ms);

/// NEST Time::ms(t).get_steps(): round to the nearest tic (halves up), then up to whole steps.
/// Used for t_ref, stimulus times and tstop.
step_type ms_to_steps_ceil(double t_ms, double dt_ms);

/// NEST delay rule: nearest step, halves up.
step_type delay_to_steps(double delay_ms, double dt_ms);

/// NEST spike_generator with precise_times = true: off-grid times go to the next grid point,
/// reproducing NEST's arithmetic literally.
step_type spike_time_to_stamp(double t_ms, double dt_ms);

/// True when dt is a whole number of microsecond tics (NEST's requirement on the resolution).
bool is_valid_resolution(double dt_ms);

} // namespace laminar
