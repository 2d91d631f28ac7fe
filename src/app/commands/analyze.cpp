// `laminar analyze RUN_DIR... [options]`: figures, tables and statistics of finished runs. Rank 0
// runs the Python analysis script (Debian's /usr/bin/python3 with numpy, h5py, matplotlib) with
// the arguments as given, no shell; the other ranks wait for its exit code.
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>
#include <yaml-cpp/yaml.h>

#include "laminar/app/commands.hpp"
#include "laminar/core/error.hpp"

extern char** environ;

#ifndef LAMINAR_ANALYSIS_SOURCE_DIR
#define LAMINAR_ANALYSIS_SOURCE_DIR ""
#endif

namespace laminar::app {

namespace {

namespace fs = std::filesystem;

constexpr const char* script_name = "laminar_analyze.py";
constexpr const char* default_python = "/usr/bin/python3";

/// Exit code of the script when numpy, h5py or matplotlib cannot be imported.
constexpr int missing_module_rc = 3;

fs::path executable_dir() {
    std::error_code ec;
    const auto exe = fs::read_symlink("/proc/self/exe", ec);
    return ec ? fs::path() : exe.parent_path();
}

/// The analysis script: next to the installed or built executable, else in the source tree.
fs::path find_script(std::vector<std::string>& tried) {
    std::vector<fs::path> candidates;
    if (const char* env = std::getenv("LAMINAR_ANALYSIS_DIR"); env && *env)
        candidates.emplace_back(fs::path(env) / script_name);
    if (const auto dir = executable_dir(); !dir.empty())
        candidates.push_back(dir / ".." / "share" / "laminar" / script_name);
    if (*LAMINAR_ANALYSIS_SOURCE_DIR)
        candidates.push_back(fs::path(LAMINAR_ANALYSIS_SOURCE_DIR) / script_name);
    for (const auto& c : candidates) {
        tried.push_back(c.lexically_normal().string());
        std::error_code ec;
        if (fs::is_regular_file(c, ec))
            return c.lexically_normal();
    }
    return {};
}

/// A YAML tree as JSON (scalars become bool, integer, number or string; quoted stay strings).
nlohmann::json to_json(const YAML::Node& n) {
    switch (n.Type()) {
    case YAML::NodeType::Sequence: {
        auto out = nlohmann::json::array();
        for (const auto& e : n)
            out.push_back(to_json(e));
        return out;
    }
    case YAML::NodeType::Map: {
        auto out = nlohmann::json::object();
        for (const auto& kv : n)
            out[kv.first.Scalar()] = to_json(kv.second);
        return out;
    }
    case YAML::NodeType::Scalar: {
        if (n.Tag() == "!")
            return n.Scalar();
        bool b = false;
        long long i = 0;
        double d = 0;
        if (YAML::convert<long long>::decode(n, i))
            return i;
        if (YAML::convert<double>::decode(n, d)) {
            if (std::isinf(d))
                return d > 0 ? "inf" : "-inf"; // JSON has no infinity
            return d;
        }
        if (YAML::convert<bool>::decode(n, b))
            return b;
        return n.Scalar();
    }
    default:
        return nullptr;
    }
}

/// Python reads no YAML without PyYAML: for every argument that is a run folder with a
/// config.resolved.yaml, write the config as JSON into `tmp` and list it in an index file.
/// Unreadable configs are skipped (the script then works without them and says so).
fs::path convert_configs(const std::vector<std::string>& args, const fs::path& tmp) {
    nlohmann::json index = nlohmann::json::object();
    int k = 0;
    for (const auto& a : args) {
        std::error_code ec;
        const fs::path cfg = fs::path(a) / "config.resolved.yaml";
        if (a.empty() || a[0] == '-' || !fs::is_regular_file(cfg, ec))
            continue;
        try {
            const auto j = to_json(YAML::LoadFile(cfg.string()));
            const fs::path out = tmp / fmt::format("config{}.json", k++);
            std::ofstream f(out);
            f << j.dump();
            if (!f)
                continue;
            index[fs::weakly_canonical(fs::path(a), ec).string()] = out.string();
        } catch (const YAML::Exception& e) {
            spdlog::warn("cannot read {}: {}", cfg.string(), e.what());
        }
    }
    const fs::path path = tmp / "configs.json";
    std::ofstream f(path);
    f << index.dump(2);
    return path;
}

/// Runs argv[0] with argv (no shell) and returns its exit status.
int spawn_and_wait(const std::vector<std::string>& argv) {
    std::vector<char*> cargs;
    for (const auto& a : argv)
        cargs.push_back(const_cast<char*>(a.c_str()));
    cargs.push_back(nullptr);
    pid_t pid = 0;
    const int rc = posix_spawn(&pid, cargs[0], nullptr, nullptr, cargs.data(), environ);
    if (rc != 0)
        throw error(fmt::format("cannot start {}: {}", argv[0], std::strerror(rc)));
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR)
            throw error(fmt::format("waiting for {}: {}", argv[0], std::strerror(errno)));
    }
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) {
        spdlog::error("analysis killed by signal {}", WTERMSIG(status));
        return 128 + WTERMSIG(status);
    }
    return 1;
}

/// Rank 0's part: find python and the script, convert configs, run. Returns the exit code.
int run_analysis(const command_args& args) {
    const char* env_python = std::getenv("LAMINAR_PYTHON");
    const std::string python = env_python && *env_python ? env_python : default_python;
    if (access(python.c_str(), X_OK) != 0) {
        throw error(fmt::format(
            "laminar analyze needs {} (Debian packages python3, python3-numpy, python3-h5py, "
            "python3-matplotlib: apt-get install python3-numpy python3-h5py python3-matplotlib); "
            "{}: {}",
            python, python, std::strerror(errno)));
    }
    std::vector<std::string> tried;
    const auto script = find_script(tried);
    if (script.empty()) {
        throw error(fmt::format("laminar analyze: analysis script {} not found; looked in: {}",
                                script_name, fmt::join(tried, ", ")));
    }

    std::string tmpl = (fs::temp_directory_path() / "laminar-analyze-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr)
        throw error(fmt::format("cannot create a temporary folder: {}", std::strerror(errno)));
    const fs::path tmp = tmpl;
    int rc = 1;
    try {
        const auto index = convert_configs(args, tmp);
        // -s: no user site-packages, so a pip numpy in ~/.local cannot shadow Debian's.
        std::vector<std::string> argv{python, "-s", script.string()};
        argv.insert(argv.end(), args.begin(), args.end());
        argv.push_back("--config-index=" + index.string());
        rc = spawn_and_wait(argv);
    } catch (...) {
        std::error_code ec;
        fs::remove_all(tmp, ec);
        throw;
    }
    std::error_code ec;
    fs::remove_all(tmp, ec);
    if (rc == missing_module_rc) {
        spdlog::error("install the Debian packages: apt-get install python3-numpy python3-h5py "
                      "python3-matplotlib");
    }
    return rc;
}

} // namespace

int analyze_command(const comm::context& ctx, const command_args& args) {
    int rc = 0;
    std::string failure;
    if (ctx.rank() == 0) {
        try {
            rc = run_analysis(args);
        } catch (const std::exception& e) {
            failure = e.what();
        }
    }
    // The other ranks wait without spinning on a core the analysis needs.
    std::int32_t code = failure.empty() ? rc : -1;
    MPI_Request req = MPI_REQUEST_NULL;
    comm::check_mpi(MPI_Ibcast(&code, 1, MPI_INT32_T, 0, ctx.comm(), &req), "MPI_Ibcast");
    for (int done = 0;;) {
        comm::check_mpi(MPI_Test(&req, &done, MPI_STATUS_IGNORE), "MPI_Test");
        if (done)
            break;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ctx.agree(failure);
    return code;
}

} // namespace laminar::app
