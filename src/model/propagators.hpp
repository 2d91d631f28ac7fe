// Exact-integration propagators of a synaptic current onto the membrane potential, with NEST's
// switch between the regular and the singular (tau_syn == tau_m) forms
// (MODEL_EQUATIONS.md 2.2; NEST libnestutil/iaf_propagator.cpp).
#pragma once

namespace laminar::model {

/// P_VI: the change of V (mV) after h caused by a unit synaptic current (1 pA) that decays with
/// tau_syn. NEST's P21 of iaf_psc_exp and P32 of iaf_psc_alpha.
double propagator_vi(double tau_syn_ms, double tau_m_ms, double c_m_pf, double h_ms);

/// P_VdI: the change of V after h caused by a unit current derivative (1 pA/ms) of an alpha
/// synapse. NEST's P31 of iaf_psc_alpha.
double propagator_vdi(double tau_syn_ms, double tau_m_ms, double c_m_pf, double h_ms);

} // namespace laminar::model
