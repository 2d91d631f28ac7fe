// hh_trace_digest: runs two hh_neuron groups (a PYR-like cell with a dendrite, 37 cells, and an
// INH-like cell without, 13 cells: neither a multiple of the 8 lanes) for 20,000 steps of 0.05 ms
// under deterministic pulsed currents and synaptic events on all four receptors, and prints one
// line: a 64-bit FNV-1a hash of the exact bits of v_m, v_dend, m, h, n of every cell after every
// step and of every spike (step, cell), and the spike count. Built once against laminar::lib
// (target_clones: the CPU picks the AVX-512, AVX2 or baseline loops) and once per -march with
// -DLAMINAR_NO_CLONES; regression.hh_clones_identical requires the same line from all of them.
// Exit code 77 (skipped) if the binary was compiled for instructions this CPU lacks.
// Usage: hh_trace_digest [STEPS]
#include "model/hh_neuron.hpp"
#include "support/microcircuit_cells.hpp"

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

// The instruction sets the compiler was allowed to use (from -march), not present on this CPU.
std::string missing_isa() {
    std::string missing;
    [[maybe_unused]] const auto need = [&](bool has, const char* name) {
        if (!has)
            missing += std::string(missing.empty() ? "" : " ") + name;
    };
    __builtin_cpu_init();
#if defined(__AVX512F__)
    need(__builtin_cpu_supports("avx512f"), "avx512f");
#endif
#if defined(__AVX512VL__)
    need(__builtin_cpu_supports("avx512vl"), "avx512vl");
#endif
#if defined(__AVX512BW__)
    need(__builtin_cpu_supports("avx512bw"), "avx512bw");
#endif
#if defined(__AVX512DQ__)
    need(__builtin_cpu_supports("avx512dq"), "avx512dq");
#endif
#if defined(__AVX512CD__)
    need(__builtin_cpu_supports("avx512cd"), "avx512cd");
#endif
#if defined(__AVX2__)
    need(__builtin_cpu_supports("avx2"), "avx2");
#endif
#if defined(__FMA__)
    need(__builtin_cpu_supports("fma"), "fma");
#endif
#if defined(__BMI2__)
    need(__builtin_cpu_supports("bmi2"), "bmi2");
#endif
    return missing;
}

// What the compiler targeted (and with target_clones, the version the CPU picks), for stderr.
const char* compiled_for() {
#if defined(LAMINAR_NO_CLONES)
#if defined(__AVX512F__)
    return "LAMINAR_NO_CLONES, AVX-512 (x86-64-v4)";
#elif defined(__AVX2__)
    return "LAMINAR_NO_CLONES, AVX2 (x86-64-v3)";
#else
    return "LAMINAR_NO_CLONES, baseline (x86-64)";
#endif
#else
    if (__builtin_cpu_supports("x86-64-v4"))
        return "target_clones, this CPU runs the x86-64-v4 version";
    if (__builtin_cpu_supports("x86-64-v3"))
        return "target_clones, this CPU runs the x86-64-v3 version";
    return "target_clones, this CPU runs the default version";
#endif
}

// splitmix64's finaliser: the inputs are a function of (group, cell, step, channel) only.
std::uint64_t mix(std::uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

std::uint64_t key(std::uint64_t group, std::uint64_t cell, std::uint64_t t, std::uint64_t ch) {
    return mix(mix(mix(mix(group) ^ cell) ^ t) ^ ch);
}

// Uniform in [0, 1): 53 bits, exact in a double (same bits under every -march).
double unit(std::uint64_t h) {
    return static_cast<double>(h >> 11) * 0x1p-53;
}

struct fnv1a {
    std::uint64_t h = 0xcbf29ce484222325ULL;
    void add(std::uint64_t x) {
        for (int b = 0; b < 8; ++b) {
            h ^= (x >> (8 * b)) & 0xffU;
            h *= 0x100000001b3ULL;
        }
    }
    void add(double x) { add(std::bit_cast<std::uint64_t>(x)); }
};

// One group and the inputs it is driven with.
struct driven_group {
    std::uint64_t id;
    laminar::model::hh_neuron_group group;
    std::size_t n;
    std::vector<double> w[4], current;
    std::vector<std::uint64_t> spikes_per_cell;

    driven_group(std::uint64_t id_, const laminar::model::hh_neuron_params& p, double dt,
                 std::size_t n_)
        : id(id_), group(p, dt, n_), n(n_), current(n_), spikes_per_cell(n_) {
        for (auto& x : w)
            x.assign(n, 0.0);
    }

    // Inputs of update L. Current: blocks of 800 steps; in most blocks a pulse of a cell- and
    // block-dependent onset, length and amplitude (0..600 pA scaled by a per-cell factor, so
    // that some cells stay near rheobase and others fire fast). Events: each receptor has a
    // per-cell rate (1 in 16..271 steps), weights 0.0005..0.01 µS.
    void set_inputs(std::uint64_t L) {
        constexpr std::uint64_t block = 800;
        const std::uint64_t b = L / block, in_block = L % block;
        for (std::size_t i = 0; i < n; ++i) {
            const double scale = 0.05 + 0.95 * unit(key(id, i, 0, 100));
            const std::uint64_t pulse = key(id, i, b, 101);
            const std::uint64_t onset = pulse % (block / 2);
            const std::uint64_t length = block / 4 + (pulse >> 16) % (block / 2);
            const bool on =
                (pulse >> 40) % 10 < 7 && in_block >= onset && in_block < onset + length;
            current[i] = on ? 600.0 * scale * unit(key(id, i, b, 102)) : 0.0;
            for (std::uint64_t k = 0; k < 4; ++k) {
                const std::uint64_t period = 16 + key(id, i, 0, 200 + k) % 256;
                const std::uint64_t e = key(id, i, L, 300 + k);
                w[k][i] = e % period == 0 ? 0.0005 + 0.0095 * unit(mix(e)) : 0.0;
            }
        }
    }
};

} // namespace

// A hash of glibc's own double exp, log and pow over arguments like those of the rate table: it
// changes when glibc picks other versions of them (GLIBC_TUNABLES), which shows that a run under
// the tunable really used another libm.
std::uint64_t libm_canary() {
    fnv1a h;
    for (int i = -2000; i <= 2000; ++i) {
        const double x = i / 97.0;
        h.add(std::exp(x));
        h.add(std::log(std::fabs(x) + 0.5));
        h.add(std::pow(3.0, x / 7.0));
    }
    return h.h;
}

int main(int argc, char** argv) {
    if (argc > 1 && std::string(argv[1]) == "--libm-canary") {
        std::printf("libm canary %016llx\n", static_cast<unsigned long long>(libm_canary()));
        return 0;
    }
    if (const std::string missing = missing_isa(); !missing.empty()) {
        std::fprintf(stderr, "hh_trace_digest: skipped, compiled for %s but the CPU lacks: %s\n",
                     compiled_for(), missing.c_str());
        return 77;
    }
    const std::uint64_t steps = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 20000;
    constexpr double dt = 0.05;

    const auto pyr = laminar::test::microcircuit_pyr();
    const auto inh = laminar::test::microcircuit_inh();
    for (const auto* p : {&pyr, &inh}) {
        if (const std::string problem = p->validate(); !problem.empty()) {
            std::fprintf(stderr, "hh_trace_digest: bad parameters: %s\n", problem.c_str());
            return 1;
        }
    }

    std::vector<driven_group> groups;
    groups.reserve(2);
    groups.emplace_back(1, pyr, dt, 37);
    groups.emplace_back(2, inh, dt, 13);

    fnv1a digest;
    std::uint64_t spikes = 0;
    std::vector<std::uint32_t> spiked;
    for (std::uint64_t L = 0; L < steps; ++L) {
        std::uint64_t first = 0; // the cells of both groups numbered consecutively
        for (auto& g : groups) {
            g.set_inputs(L);
            const laminar::model::step_input in{
                g.w[0].data(), g.w[1].data(), g.current.data(), {g.w[2].data(), g.w[3].data()}};
            spiked.clear();
            g.group.advance(static_cast<laminar::step_type>(L), in, spiked);
            for (std::size_t i = 0; i < g.n; ++i) {
                digest.add(g.group.v_m(i));
                digest.add(g.group.v_dend(i));
                for (const double x : g.group.gates(i))
                    digest.add(x);
            }
            for (const std::uint32_t i : spiked) {
                digest.add(L + 1);
                digest.add(first + i);
                ++g.spikes_per_cell[i];
                ++spikes;
            }
            first += g.n;
        }
    }

    // Diagnostics on stderr (the inputs must make cells fire at different rates).
    std::fprintf(stderr, "hh_trace_digest: %s\n", compiled_for());
    for (const auto& g : groups) {
        std::uint64_t lo = steps, hi = 0, silent = 0;
        for (const std::uint64_t c : g.spikes_per_cell) {
            lo = c < lo ? c : lo;
            hi = c > hi ? c : hi;
            silent += c == 0 ? 1 : 0;
        }
        std::fprintf(stderr,
                     "hh_trace_digest: group %llu: %zu cells, spikes per cell %llu..%llu, %llu "
                     "silent\n",
                     static_cast<unsigned long long>(g.id), g.n,
                     static_cast<unsigned long long>(lo), static_cast<unsigned long long>(hi),
                     static_cast<unsigned long long>(silent));
    }
    std::printf("hh_trace_digest cells=37+13 steps=%llu fnv1a64=%016llx spikes=%llu\n",
                static_cast<unsigned long long>(steps), static_cast<unsigned long long>(digest.h),
                static_cast<unsigned long long>(spikes));
    return 0;
}
