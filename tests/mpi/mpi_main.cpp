// gtest main shared by the MPI tests: every rank runs every test; rank 0 prints the usual gtest
// output, the other ranks print only their failures (tagged with the rank), and the exit code is
// reduced over all ranks so that a failure on any rank fails the run everywhere.
#include <cstdio>

#include <gtest/gtest.h>
#include <mpi.h>

namespace {

/// Reports failed assertions of a rank other than 0 on stderr.
class rank_failure_printer : public ::testing::EmptyTestEventListener {
public:
    explicit rank_failure_printer(int rank) : rank_(rank) {}

    void OnTestPartResult(const ::testing::TestPartResult& result) override {
        if (!result.failed())
            return;
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        std::fprintf(stderr, "[rank %d] %s.%s: %s:%d: %s\n", rank_,
                     info != nullptr ? info->test_suite_name() : "?",
                     info != nullptr ? info->name() : "?",
                     result.file_name() != nullptr ? result.file_name() : "?", result.line_number(),
                     result.summary());
    }

private:
    int rank_;
};

} // namespace

int main(int argc, char** argv) {
    int provided = 0;
    if (MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
        return 1;
    ::testing::InitGoogleTest(&argc, argv);

    int rank = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    if (rank != 0) {
        auto& listeners = ::testing::UnitTest::GetInstance()->listeners();
        delete listeners.Release(listeners.default_result_printer());
        listeners.Append(new rank_failure_printer(rank));
    }

    const int local_rc = RUN_ALL_TESTS();
    int rc = 0;
    MPI_Allreduce(&local_rc, &rc, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    MPI_Finalize();
    return rc;
}
