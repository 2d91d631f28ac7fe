// The small error hierarchy every Laminar component throws: laminar::error and its kinds.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>

namespace laminar {

/// Base of every error Laminar reports to a user.
class error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// A bad configuration: names the file, the line (0 when unknown), the key path and the problem.
class config_error : public error {
public:
    config_error(std::string file, std::size_t line, std::string key, std::string problem);

    const std::string& file() const noexcept { return file_; }
    std::size_t line() const noexcept { return line_; }
    const std::string& key() const noexcept { return key_; }
    const std::string& problem() const noexcept { return problem_; }

private:
    std::string file_;
    std::size_t line_;
    std::string key_;
    std::string problem_;
};

/// A file that cannot be read or written, or is not what it should be.
class io_error : public error {
public:
    io_error(std::string path, const std::string& problem);
    const std::string& path() const noexcept { return path_; }

private:
    std::string path_;
};

/// A failed MPI call, or an error that occurred on another rank.
class mpi_error : public error {
public:
    using error::error;
};

/// An error every rank knows about (agreed collectively): ranks can exit cleanly together.
class collective_error : public error {
public:
    using error::error;
};

/// A bad command line.
class usage_error : public error {
public:
    using error::error;
};

} // namespace laminar
