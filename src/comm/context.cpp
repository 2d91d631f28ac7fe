// MPI-backed distributed context.
#include "laminar/comm/context.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "laminar/core/error.hpp"

namespace laminar::comm {

void check_mpi(int rc, const char* call) {
    if (rc == MPI_SUCCESS)
        return;
    char text[MPI_MAX_ERROR_STRING];
    int len = 0;
    MPI_Error_string(rc, text, &len);
    throw mpi_error(fmt::format("{} failed: {}", call, std::string(text, std::size_t(len))));
}

context::context(MPI_Comm comm) : comm_(comm) {
    check_mpi(MPI_Comm_rank(comm_, &rank_), "MPI_Comm_rank");
    check_mpi(MPI_Comm_size(comm_, &size_), "MPI_Comm_size");
}

std::vector<std::uint64_t> context::allgather(const std::vector<std::uint64_t>& local,
                                              std::vector<int>* counts_out) const {
    std::vector<int> counts(static_cast<std::size_t>(size_));
    const int mine = int(local.size());
    check_mpi(MPI_Allgather(&mine, 1, MPI_INT, counts.data(), 1, MPI_INT, comm_), "MPI_Allgather");
    std::vector<int> displs(static_cast<std::size_t>(size_), 0);
    for (std::size_t r = 1; r < counts.size(); ++r)
        displs[r] = displs[r - 1] + counts[r - 1];
    std::vector<std::uint64_t> all(std::size_t(displs.back() + counts.back()));
    check_mpi(MPI_Allgatherv(local.data(), mine, MPI_UINT64_T, all.data(), counts.data(),
                             displs.data(), MPI_UINT64_T, comm_),
              "MPI_Allgatherv");
    if (counts_out)
        *counts_out = std::move(counts);
    return all;
}

namespace {
template <class T>
T allreduce(MPI_Comm comm, T v, MPI_Datatype type, MPI_Op op) {
    T out{};
    check_mpi(MPI_Allreduce(&v, &out, 1, type, op, comm), "MPI_Allreduce");
    return out;
}
} // namespace

std::uint64_t context::sum(std::uint64_t v) const {
    return allreduce(comm_, v, MPI_UINT64_T, MPI_SUM);
}

double context::sum(double v) const {
    return allreduce(comm_, v, MPI_DOUBLE, MPI_SUM);
}

double context::max(double v) const {
    return allreduce(comm_, v, MPI_DOUBLE, MPI_MAX);
}

std::uint64_t context::max(std::uint64_t v) const {
    return allreduce(comm_, v, MPI_UINT64_T, MPI_MAX);
}

bool context::any(bool v) const {
    return allreduce(comm_, v ? 1 : 0, MPI_INT, MPI_MAX) != 0;
}

void context::agree(const std::string& local_error) const {
    // Lowest failing rank, then its message broadcast to all.
    const int mine = local_error.empty() ? size_ : rank_;
    int first = size_;
    check_mpi(MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, comm_), "MPI_Allreduce");
    if (first == size_)
        return;
    int len = rank_ == first ? int(local_error.size()) : 0;
    check_mpi(MPI_Bcast(&len, 1, MPI_INT, first, comm_), "MPI_Bcast");
    std::string text = rank_ == first ? local_error : std::string(std::size_t(len), ' ');
    check_mpi(MPI_Bcast(text.data(), len, MPI_CHAR, first, comm_), "MPI_Bcast");
    if (size_ > 1 && first != 0)
        text = fmt::format("(rank {}) {}", first, text);
    throw collective_error(text);
}

void context::barrier() const {
    check_mpi(MPI_Barrier(comm_), "MPI_Barrier");
}

} // namespace laminar::comm
