// Messages of the error hierarchy.
#include "laminar/core/error.hpp"

#include <fmt/format.h>

namespace laminar {

namespace {
std::string config_message(const std::string& file, std::size_t line, const std::string& key,
                           const std::string& problem) {
    const std::string where = line > 0 ? fmt::format("{}:{}", file, line) : file;
    if (key.empty()) return fmt::format("{}: {}", where, problem);
    return fmt::format("{}: {}: {}", where, key, problem);
}
} // namespace

config_error::config_error(std::string file, std::size_t line, std::string key,
                           std::string problem)
    : error(config_message(file, line, key, problem)), file_(std::move(file)), line_(line),
      key_(std::move(key)), problem_(std::move(problem)) {}

io_error::io_error(std::string path, const std::string& problem)
    : error(fmt::format("{}: {}", path, problem)), path_(std::move(path)) {}

} // namespace laminar
