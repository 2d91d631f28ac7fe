// laminar_spike_diff A.h5 B.h5 [--min-spikes N]: exit 0 when two SONATA spike files hold the
// same populations with identical node ids and timestamps (bit for bit), 1 otherwise.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include <mpi.h>

#include "laminar/io/sonata_spikes.hpp"

int main(int argc, char** argv) {
    MPI_Init(&argc, &argv);
    int rc = 0;
    std::uint64_t min_spikes = 0;
    if (argc >= 5 && std::strcmp(argv[3], "--min-spikes") == 0)
        min_spikes = std::strtoull(argv[4], nullptr, 10);
    if (argc < 3) {
        std::fprintf(stderr, "usage: laminar_spike_diff A.h5 B.h5 [--min-spikes N]\n");
        MPI_Finalize();
        return 2;
    }
    try {
        const auto a = laminar::io::read_spike_file(argv[1]);
        const auto b = laminar::io::read_spike_file(argv[2]);
        std::uint64_t total = 0;
        if (a.size() != b.size()) {
            std::fprintf(stderr, "different population counts: %zu vs %zu\n", a.size(), b.size());
            rc = 1;
        }
        for (std::size_t p = 0; rc == 0 && p < a.size(); ++p) {
            const auto& [na, ta] = a[p];
            const auto& [nb, tb] = b[p];
            if (na != nb) {
                std::fprintf(stderr, "population %zu: '%s' vs '%s'\n", p, na.c_str(), nb.c_str());
                rc = 1;
                break;
            }
            if (ta.node_ids.size() != tb.node_ids.size()) {
                std::fprintf(stderr, "%s: %zu vs %zu spikes\n", na.c_str(), ta.node_ids.size(),
                             tb.node_ids.size());
                rc = 1;
                break;
            }
            for (std::size_t i = 0; i < ta.node_ids.size(); ++i) {
                if (ta.node_ids[i] != tb.node_ids[i] || ta.timestamps[i] != tb.timestamps[i]) {
                    std::fprintf(stderr, "%s: spike %zu differs: (%llu, %.17g) vs (%llu, %.17g)\n",
                                 na.c_str(), i, (unsigned long long)ta.node_ids[i],
                                 ta.timestamps[i], (unsigned long long)tb.node_ids[i],
                                 tb.timestamps[i]);
                    rc = 1;
                    break;
                }
            }
            total += ta.node_ids.size();
        }
        if (rc == 0 && total < min_spikes) {
            std::fprintf(stderr, "only %llu spikes, expected at least %llu\n",
                         (unsigned long long)total, (unsigned long long)min_spikes);
            rc = 1;
        }
        if (rc == 0)
            std::printf("identical: %llu spikes\n", (unsigned long long)total);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "laminar_spike_diff: %s\n", e.what());
        rc = 1;
    }
    MPI_Finalize();
    return rc;
}
