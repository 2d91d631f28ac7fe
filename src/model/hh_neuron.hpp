// hh_neuron: a NEURON-style point neuron — a soma with the hh mechanism, an optional passive
// dendrite attached at soma(1), and four Exp2Syn synapses (excitatory and inhibitory, on soma and
// dendrite) — integrated with NEURON 8.2.2's fixed-step scheme so that traces agree with NEURON's
// (MODEL_EQUATIONS.md 4-6): backward Euler in v with the gates staggered by dt/2, hh rates from
// NEURON's 201-point table, cnexp gate updates; NEURON's arithmetic up to rounding (within 1e-8 mV
// of NEURON's traces), in loops that vectorise across cells (docs/models/hh_neuron.md).
#pragma once

#include <array>
#include <cstdint>
#include <utility>
#include <vector>

#include "laminar/model/neuron_group.hpp"

namespace laminar::model {

/// Parameters in NEURON's names and units: µm, Ω·cm, µF/cm², S/cm², mV, ms, °C. Defaults are
/// NEURON's (section, hh, pas and Exp2Syn defaults), except inh_e (-80 mV, so that the
/// inhibitory synapse inhibits) and has_dend (0).
struct hh_neuron_params {
    double soma_diam = 500.0;  // µm
    double soma_L = 100.0;     // µm
    double soma_cm = 1.0;      // µF/cm²
    double soma_Ra = 35.4;     // Ω·cm (used only for the soma-dend coupling)
    double gnabar = 0.12;      // S/cm²
    double gkbar = 0.036;      // S/cm²
    double gl = 0.0003;        // S/cm²
    double el = -54.3;         // mV
    double ena = 50.0;         // mV
    double ek = -77.0;         // mV
    double celsius = 6.3;      // °C; rates scale by 3^((celsius - 6.3)/10)
    double v_init = -65.0;     // mV, every node; gates start at steady state
    double threshold = 10.0;   // mV, NetCon threshold on the soma voltage (upward crossing)
    double has_dend = 0.0;     // 0 or 1
    double dend_diam = 500.0;  // µm
    double dend_L = 100.0;     // µm
    double dend_Ra = 35.4;     // Ω·cm
    double dend_cm = 1.0;      // µF/cm²
    double dend_g_pas = 0.001; // S/cm²
    double dend_e_pas = -70.0; // mV
    double exc_tau1 = 0.1;     // ms, Exp2Syn rise
    double exc_tau2 = 10.0;    // ms, Exp2Syn decay
    double exc_e = 0.0;        // mV, reversal
    double inh_tau1 = 0.1;     // ms
    double inh_tau2 = 10.0;    // ms
    double inh_e = -80.0;      // mV

    using field = std::pair<const char*, double hh_neuron_params::*>;
    static constexpr std::array<field, 26> fields = {{
        {"soma_diam", &hh_neuron_params::soma_diam},
        {"soma_L", &hh_neuron_params::soma_L},
        {"soma_cm", &hh_neuron_params::soma_cm},
        {"soma_Ra", &hh_neuron_params::soma_Ra},
        {"gnabar", &hh_neuron_params::gnabar},
        {"gkbar", &hh_neuron_params::gkbar},
        {"gl", &hh_neuron_params::gl},
        {"el", &hh_neuron_params::el},
        {"ena", &hh_neuron_params::ena},
        {"ek", &hh_neuron_params::ek},
        {"celsius", &hh_neuron_params::celsius},
        {"v_init", &hh_neuron_params::v_init},
        {"threshold", &hh_neuron_params::threshold},
        {"has_dend", &hh_neuron_params::has_dend},
        {"dend_diam", &hh_neuron_params::dend_diam},
        {"dend_L", &hh_neuron_params::dend_L},
        {"dend_Ra", &hh_neuron_params::dend_Ra},
        {"dend_cm", &hh_neuron_params::dend_cm},
        {"dend_g_pas", &hh_neuron_params::dend_g_pas},
        {"dend_e_pas", &hh_neuron_params::dend_e_pas},
        {"exc_tau1", &hh_neuron_params::exc_tau1},
        {"exc_tau2", &hh_neuron_params::exc_tau2},
        {"exc_e", &hh_neuron_params::exc_e},
        {"inh_tau1", &hh_neuron_params::inh_tau1},
        {"inh_tau2", &hh_neuron_params::inh_tau2},
        {"inh_e", &hh_neuron_params::inh_e},
    }};

    /// Empty if valid, else the problem naming the parameter.
    std::string validate() const;
};

/// NEURON's hh rate table (TABLE ... FROM -100 TO 100 WITH 200) for one celsius: xinf and
/// xtau of m, h, n at v = -100, -99, ..., 100 mV, looked up with linear interpolation.
struct hh_rate_table {
    static constexpr int points = 201;
    // Interleaved per voltage: minf, mtau, hinf, htau, ninf, ntau.
    std::array<double, 6 * points> t{};

    explicit hh_rate_table(double celsius);
    /// The six values at v (nocmodl's lookup: clamped at the ends, NaN in gives NaN out).
    void lookup(double v, double out[6]) const noexcept;
    /// The formulas themselves (hh.mod's rates procedure), no table.
    static void rates(double v, double celsius, double out[6]) noexcept;
};

class hh_neuron_group final : public neuron_group {
public:
    hh_neuron_group(const hh_neuron_params& p, double dt_ms, std::size_t n);

    void advance(step_type L, const step_input& in, std::vector<std::uint32_t>& spiked) override;
    double v_m(std::size_t i) const override { return v_s_[i]; }

    /// The dendrite's voltage (equals v_init forever without a dendrite).
    double v_dend(std::size_t i) const { return v_d_[i]; }
    /// The hh gates m, h, n of cell i.
    std::array<double, 3> gates(std::size_t i) const { return {m_[i], h_[i], n_[i]}; }

    /// Cells per vector: the state is padded to a multiple of it, so the cell loops never run a
    /// scalar remainder (AVX-512 holds 8 doubles).
    static constexpr std::size_t lanes = 8;

private:
    struct cell_inputs {
        std::array<const double*, 4> w; // per receptor
        const double* current;          // pA
    };
    /// Advances the n cells (n a multiple of lanes); true if one of them spiked.
    template <bool Dend>
    bool update_cells(std::size_t n, const cell_inputs& in);

    // Constants of the scheme.
    double dt_;
    bool dend_;
    double cfac_s_, cfac_d_;       // 1e-3 cm / dt (mA/cm² per mV)
    double a_s_, a_d_;             // axial coupling per unit area, soma and dend (mA/cm² per mV)
    double to_dens_s_, to_dens_d_; // 100 / area: nA -> mA/cm²
    double gnabar_, gkbar_, gl_, el_, ena_, ek_, g_pas_, e_pas_, thr_;
    // Exp2Syn per receptor (0 exc_soma, 1 inh_soma, 2 exc_dend, 3 inh_dend).
    std::array<double, 4> factor_{}, decay1_{}, decay2_{}, e_syn_{};
    /// The table as the cell loop reads it: per voltage row the six values, then their
    /// differences to the next row (0 in the last), so that a + theta (b - a) is one product.
    std::vector<double> rows_;
    // State, one entry per cell.
    std::vector<double> v_s_, v_d_, m_, h_, n_;
    std::array<std::vector<double>, 4> A_, B_; // µS
    std::vector<std::int64_t> crossed_;        // set in the cell loop: an upward crossing now
    std::vector<std::int64_t> at_;             // per cell: the table row of the new voltage (x12)
    std::vector<double> theta_;                // and the fraction between it and the next row
    std::vector<double> rates_;  // minf, mtau, hinf, htau, ninf, ntau there: 6 arrays of a row each
    std::vector<double> staged_; // inputs copied and zero-padded when n is not a whole vector
    std::vector<double> zeros_;  // the input of a receptor nothing projects to
};

} // namespace laminar::model
