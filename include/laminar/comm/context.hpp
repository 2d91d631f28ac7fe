// The distributed context: who we are among the ranks and the few collectives the engine uses.
// Passed in explicitly (no global communicator); every MPI call is checked.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <mpi.h>

namespace laminar::comm {

/// Throws mpi_error naming the call if rc is not MPI_SUCCESS.
void check_mpi(int rc, const char* call);

class context {
public:
    /// Wraps a communicator (not owned). MPI must be initialised.
    explicit context(MPI_Comm comm = MPI_COMM_WORLD);

    MPI_Comm comm() const noexcept { return comm_; }
    int rank() const noexcept { return rank_; }
    int size() const noexcept { return size_; }

    /// Every rank's `local` concatenated in rank order (MPI_Allgather of counts, then
    /// MPI_Allgatherv). `counts` receives the per-rank lengths.
    std::vector<std::uint64_t> allgather(const std::vector<std::uint64_t>& local,
                                         std::vector<int>* counts = nullptr) const;

    std::uint64_t sum(std::uint64_t v) const;
    double sum(double v) const;
    double max(double v) const;
    std::uint64_t max(std::uint64_t v) const;
    /// True on every rank if `v` is true on any.
    bool any(bool v) const;

    /// Agreement after a phase that may fail on some ranks: if any rank reports an error
    /// message, every rank throws. The message of the lowest failing rank is shown everywhere.
    void agree(const std::string& local_error) const;

    void barrier() const;

private:
    MPI_Comm comm_;
    int rank_ = 0;
    int size_ = 1;
};

} // namespace laminar::comm
