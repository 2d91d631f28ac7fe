// Compiled into every executable of a sanitizer build (LAMINAR_SANITIZE): Open MPI, hwloc and
// the MCA plugins they dlopen keep allocations until exit that LeakSanitizer reports as leaks
// (none of them ours), which would fail every MPI program. Address and undefined-behaviour
// checking stay on; only the exit-time leak report is off. Override with ASAN_OPTIONS.
extern "C" const char* __asan_default_options() { return "detect_leaks=0"; }
