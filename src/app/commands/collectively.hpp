// Private helper of the subcommands: run a phase on every rank and, if it fails anywhere, make
// every rank throw the same collective_error (so all exit together with one message).
#pragma once

#include <exception>
#include <string>

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
    }
    ctx.agree(failure);
}

} // namespace laminar::app
