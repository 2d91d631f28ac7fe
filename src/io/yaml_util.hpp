// Typed, checked reading of a yaml-cpp tree for the config loader: every value knows its dotted
// key path and line, and every failure becomes a config_error naming both. Also the --set
// bookkeeping (which key paths came from the command line) and exact number formatting.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

namespace laminar::io::detail {

/// A node of the tree with the dotted key path that reached it and the 1-based line of the key
/// that named it (or of the node itself for list elements); 0 when it has no place in the file.
struct value {
    YAML::Node node;
    std::string path;
    std::size_t line = 0;
    /// The last component of the path (the map key or list index).
    std::string key;
};

/// Key paths set from the command line, each with the option that set it; errors under one of
/// them name the option instead of a line of the file.
class override_log {
public:
    void add(std::string path, std::string option);
    /// The option that set `path` or one of its ancestors (the latest), or nullptr.
    const std::string* find(std::string_view path) const;

private:
    std::vector<std::pair<std::string, std::string>> entries_;
};

/// "a.b" + "c" -> "a.b.c"; "" + "c" -> "c".
std::string join(const std::string& path, std::string_view key);

/// Shortest text that parses back to exactly x; ".inf" and "-.inf" for infinities.
std::string format_number(double x);

/// "a, b, c".
std::string join_list(const std::vector<std::string>& names);

class map_view;

/// Reads values and throws config_error (file, line, key path, problem) when they are wrong.
class reader {
public:
    reader(std::string file, const override_log& log) : file_(std::move(file)), log_(log) {}

    [[noreturn]] void fail(const value& v, const std::string& problem) const;
    [[noreturn]] void fail(std::size_t line, const std::string& path,
                           const std::string& problem) const;

    double number(const value& v) const;
    /// A whole number (also written as 1e3 or 8500.0).
    std::int64_t integer(const value& v) const;
    std::uint64_t unsigned_integer(const value& v) const;
    bool boolean(const value& v) const;
    std::string string(const value& v) const;
    /// The key of a map entry that names an item, checked to be usable in --set paths:
    /// non-empty, without '.' or '='.
    std::string name(const value& entry) const;
    /// A list of exactly 3 numbers.
    std::array<double, 3> point(const value& v) const;
    /// The elements of a list, each with path "<path>.<index>".
    std::vector<value> list(const value& v) const;
    /// A map; when `allowed` is given, keys outside it are errors. A null node is an empty map
    /// when `null_is_empty`.
    map_view map(const value& v, std::optional<std::vector<std::string>> allowed,
                 bool null_is_empty = false) const;

    /// The number a scalar's text stands for (YAML's .inf spellings included; never NaN).
    static std::optional<double> parse_number(std::string_view text);
    /// "a map", "a list", "nothing", or "'text'" for a scalar.
    static std::string describe(const YAML::Node& node);

private:
    std::string file_;
    const override_log& log_;
};

/// The entries of a YAML map in file order, checked for duplicates and (optionally) unknown keys.
class map_view {
public:
    map_view(const reader& r, value self, std::vector<value> entries)
        : reader_(&r), self_(std::move(self)), entries_(std::move(entries)) {}

    const value& self() const noexcept { return self_; }
    const std::vector<value>& entries() const& noexcept { return entries_; }
    /// By value from a temporary, so that `for (auto& e : r.map(...).entries())` is safe.
    std::vector<value> entries() && { return std::move(entries_); }
    std::optional<value> get(std::string_view key) const;
    /// The entry, or a "missing required key" error at this map's line.
    value required(std::string_view key) const;
    /// Fails on the first key not in `allowed` (listing them).
    void allow(const std::vector<std::string>& allowed) const;

private:
    const reader* reader_;
    value self_;
    std::vector<value> entries_;
};

} // namespace laminar::io::detail
