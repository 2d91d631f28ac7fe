// The laminar executable: MPI set-up, subcommand dispatch and the error policy (a clear message
// once, and the same non-zero exit code on every rank, never a hang).
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include <mpi.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "laminar/app/commands.hpp"
#include "laminar/comm/context.hpp"
#include "laminar/core/error.hpp"
#include "laminar/version.hpp"

int main(int argc, char** argv) {
    int provided = 0;
    MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
    int rank = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    // Errors come back as codes (check_mpi turns them into exceptions) rather than aborting
    // inside MPI without a word.
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    if (provided < MPI_THREAD_FUNNELED) {
        if (rank == 0)
            std::fprintf(stderr, "laminar: error: the MPI library does not support "
                                 "MPI_THREAD_FUNNELED (OpenMP threads beside MPI)\n");
        MPI_Finalize();
        return 1;
    }

    auto logger = spdlog::stderr_color_mt("laminar");
    logger->set_pattern("[laminar] %v");
    logger->set_level(rank == 0 ? spdlog::level::info : spdlog::level::warn);
    spdlog::set_default_logger(logger);

    std::vector<std::string> args(argv + 1, argv + argc);
    int rc = 0;
    try {
        const laminar::comm::context ctx(MPI_COMM_WORLD);
        if (args.empty() || args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
            if (rank == 0)
                std::cout << laminar::app::usage();
            rc = args.empty() ? 2 : 0;
        } else if (args[0] == "--version") {
            if (rank == 0) {
                std::cout << "laminar " << laminar::version_string << " (" << laminar::git_hash
                          << ")\n";
            }
        } else {
            const auto& table = laminar::app::commands();
            auto it = std::find_if(table.begin(), table.end(),
                                   [&](const auto& c) { return args[0] == c.name; });
            if (it == table.end()) {
                throw laminar::usage_error("unknown command '" + args[0] + "'\n" +
                                           laminar::app::usage());
            }
            rc = it->main(ctx, std::vector<std::string>(args.begin() + 1, args.end()));
        }
    } catch (const laminar::usage_error& e) {
        // Every rank parses the same command line: all fail together.
        if (rank == 0)
            std::fprintf(stderr, "laminar: error: %s\n", e.what());
        rc = 2;
    } catch (const laminar::collective_error& e) {
        if (rank == 0)
            std::fprintf(stderr, "laminar: error: %s\n", e.what());
        rc = 1;
    } catch (const std::exception& e) {
        // Only this rank knows: say so and take every rank down rather than hang.
        std::fprintf(stderr, "laminar: error (rank %d): %s\n", rank, e.what());
        std::fflush(stderr);
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    MPI_Finalize();
    return rc;
}
