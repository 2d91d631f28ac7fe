// NEST's time conversions (MODEL_EQUATIONS.md 1 and 3.2), with the rounding cases that differ
// between the rules: Time::ms rounds up to steps, delays round to the nearest step, precise
// spike times go to the next grid point with NEST's floating-point noise.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "laminar/core/time.hpp"

using namespace laminar;

TEST(core_time, TicsPerStep) {
    EXPECT_EQ(tics_per_step(0.1), 100);
    EXPECT_EQ(tics_per_step(0.01), 10);
    EXPECT_EQ(tics_per_step(0.025), 25);
    EXPECT_EQ(tics_per_step(1.0), 1000);
}

TEST(core_time, MsToStepsRoundsUpToWholeSteps) {
    EXPECT_EQ(ms_to_steps_ceil(3.0, 0.01), 300); // t_ref 3 ms at h 0.01
    EXPECT_EQ(ms_to_steps_ceil(2.0, 0.1), 20);
    EXPECT_EQ(ms_to_steps_ceil(0.0, 0.1), 0);
    EXPECT_EQ(ms_to_steps_ceil(0.21, 0.1), 3);   // 210 tics -> up to 3 steps
    EXPECT_EQ(ms_to_steps_ceil(0.201, 0.1), 3);  // one tic past a step is a step more
    EXPECT_EQ(ms_to_steps_ceil(0.2004, 0.1), 2); // 200.4 tics: below half a tic, on the grid
    EXPECT_EQ(ms_to_steps_ceil(0.2006, 0.1), 3); // 200.6 tics round to 201
    EXPECT_EQ(ms_to_steps_ceil(1000.0, 0.025), 40000);
    EXPECT_EQ(ms_to_steps_ceil(std::numeric_limits<double>::infinity(), 0.1),
              std::numeric_limits<step_type>::max());
}

TEST(core_time, DelaysRoundToTheNearestStepHalvesUp) {
    EXPECT_EQ(delay_to_steps(1.0, 0.1), 10);
    EXPECT_EQ(delay_to_steps(0.1, 0.1), 1);
    EXPECT_EQ(delay_to_steps(0.21, 0.1), 2); // nearest, where ms_to_steps_ceil gives 3
    EXPECT_EQ(delay_to_steps(0.25, 0.1), 3); // half a step rounds up
    EXPECT_EQ(delay_to_steps(0.24, 0.1), 2);
    EXPECT_EQ(delay_to_steps(0.04, 0.1), 0); // below one step (an error for the caller)
    EXPECT_EQ(delay_to_steps(1.5, 1.0), 2);
    EXPECT_EQ(delay_to_steps(2.5, 1.0), 3); // halves up, not to even
}

TEST(core_time, PreciseSpikeTimesGoToTheNextGridPoint) {
    EXPECT_EQ(spike_time_to_stamp(1.0, 0.1), 10);
    EXPECT_EQ(spike_time_to_stamp(0.1, 0.1), 1);
    EXPECT_EQ(spike_time_to_stamp(0.05, 0.1), 1);
    EXPECT_EQ(spike_time_to_stamp(0.11, 0.1), 2);
    EXPECT_EQ(spike_time_to_stamp(12.34, 0.1), 124);
    // NEST 3.10, verified: floating-point noise pushes an on-grid time one step late at 0.01,
    // not at 0.1.
    EXPECT_EQ(spike_time_to_stamp(0.30000000000000004, 0.01), 31);
    EXPECT_EQ(spike_time_to_stamp(2.30000001, 0.01), 231);
    EXPECT_EQ(spike_time_to_stamp(0.30000000000000004, 0.1), 3);
    EXPECT_EQ(spike_time_to_stamp(0.3, 0.01), 30);
}

TEST(core_time, ValidResolutionIsWholeMicroseconds) {
    EXPECT_TRUE(is_valid_resolution(0.1));
    EXPECT_TRUE(is_valid_resolution(0.01));
    EXPECT_TRUE(is_valid_resolution(0.025));
    EXPECT_TRUE(is_valid_resolution(0.001));
    EXPECT_TRUE(is_valid_resolution(1.0));
    EXPECT_FALSE(is_valid_resolution(0.0005));
    EXPECT_FALSE(is_valid_resolution(0.1234));
    EXPECT_FALSE(is_valid_resolution(0.0));
    EXPECT_FALSE(is_valid_resolution(-0.1));
    EXPECT_FALSE(is_valid_resolution(std::nan("")));
    EXPECT_FALSE(is_valid_resolution(std::numeric_limits<double>::infinity()));
}
