// Private helper of the subcommands: run a phase on every rank and, if it fails anywhere, make
// every rank throw the same collective_error (so all exit together with one message).
#pragma once

#include <exception>
#include <string>

#include <mpi.h>
#include <spdlog/spdlog.h>

#include "laminar/comm/context.hpp"
#include "laminar/core/error.hpp"

namespace laminar::app {

template <class F>
void run_collectively(const comm::context& ctx, F&& f) {
    std::string failure;
    try {
        f();
    } catch (const collective_error&) {
        throw;
    } catch (const usage_error&) {
        throw; // every rank parses the same command line
    } catch (const std::exception& e) {
        failure = e.what();
        if (failure.empty())
            failure = "unknown error";
    } catch (...) {
        failure = "unknown error (not a std::exception)";
    }
    ctx.agree(failure);
}

/// Runs f, a phase with collectives inside (the epoch loop). An error that only this rank sees
/// cannot be agreed on there, and unwinding could run collective destructors (HDF5 close) that
/// the other ranks never reach: report it and take every rank down instead of hanging.
template <class F>
void abort_on_local_error(const comm::context& ctx, F&& f) {
    try {
        f();
    } catch (const collective_error&) {
        throw;
    } catch (const std::exception& e) {
        spdlog::critical("error (rank {}): {}", ctx.rank(), e.what());
        spdlog::default_logger()->flush();
        MPI_Abort(ctx.comm(), 1);
    } catch (...) {
        spdlog::critical("error (rank {}): unknown error", ctx.rank());
        spdlog::default_logger()->flush();
        MPI_Abort(ctx.comm(), 1);
    }
}

} // namespace laminar::app
