// Helpers shared by the SONATA file tests: unique temporary files and io_error expectations.
#pragma once

#include <filesystem>
#include <string>
#include <system_error>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "laminar/core/error.hpp"

namespace laminar::test {

/// The SONATA fixtures beside the repository (../shared/data/sonata_examples).
inline const std::filesystem::path& fixtures() {
    static const auto dir = std::filesystem::path(LAMINAR_SHARED_DIR) / "data" / "sonata_examples";
    return dir;
}

/// A file name unique to this test and process, removed at the end of the test.
class temp_file {
public:
    explicit temp_file(const std::string& ext = ".h5") {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        path_ =
            std::filesystem::temp_directory_path() /
            fmt::format("laminar_{}_{}_{}{}", info->test_suite_name(), info->name(), getpid(), ext);
    }
    ~temp_file() {
        std::error_code ec;
        std::filesystem::remove(path_, ec);
    }
    temp_file(const temp_file&) = delete;
    temp_file& operator=(const temp_file&) = delete;
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

/// Expects `f` to throw io_error whose message names `path` and contains `part`.
template <typename F>
void expect_io_error(F&& f, const std::filesystem::path& path, const std::string& part) {
    try {
        f();
        ADD_FAILURE() << "expected io_error for " << path;
    } catch (const laminar::io_error& e) {
        EXPECT_EQ(e.path(), path.string());
        const std::string what = e.what();
        EXPECT_NE(what.find(path.string()), std::string::npos) << what;
        EXPECT_NE(what.find(part), std::string::npos) << what;
    }
}

} // namespace laminar::test
