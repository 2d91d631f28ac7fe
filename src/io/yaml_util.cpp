// Typed, checked reading of a yaml-cpp tree: numbers, names, lists and maps with precise errors.
#include "io/yaml_util.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>
#include <set>
#include <system_error>

#include <fmt/format.h>

#include "laminar/core/error.hpp"

namespace laminar::io::detail {

namespace {

std::size_t line_of(const YAML::Mark& mark, std::size_t fallback) {
    if (mark.is_null() || mark.line < 0)
        return fallback;
    return static_cast<std::size_t>(mark.line) + 1;
}

// YAML's infinities; NaN is never a meaningful config value, so it is not accepted.
std::optional<double> parse_special(std::string_view text) {
    if (text == ".inf" || text == ".Inf" || text == ".INF" || text == "+.inf" || text == "+.Inf" ||
        text == "+.INF")
        return std::numeric_limits<double>::infinity();
    if (text == "-.inf" || text == "-.Inf" || text == "-.INF")
        return -std::numeric_limits<double>::infinity();
    return std::nullopt;
}

std::optional<double> parse_double(std::string_view text) {
    if (auto special = parse_special(text))
        return special;
    if (!text.empty() && text.front() == '+')
        text.remove_prefix(1);
    if (text.empty())
        return std::nullopt;
    // from_chars also reads "inf" and "nan", which YAML spells differently.
    const char first = text.front() == '-' && text.size() > 1 ? text[1] : text.front();
    if (!(std::isdigit(static_cast<unsigned char>(first)) || first == '.'))
        return std::nullopt;
    double x = 0.0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), x);
    if (ec != std::errc{} || end != text.data() + text.size() || std::isnan(x))
        return std::nullopt;
    return x;
}

template <class Int>
std::optional<Int> parse_int(std::string_view text) {
    if (!text.empty() && text.front() == '+')
        text.remove_prefix(1);
    Int x{};
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), x);
    if (ec == std::errc{} && end == text.data() + text.size())
        return x;
    return std::nullopt;
}

} // namespace

void override_log::add(std::string path, std::string option) {
    entries_.emplace_back(std::move(path), std::move(option));
}

const std::string* override_log::find(std::string_view path) const {
    for (auto it = entries_.rbegin(); it != entries_.rend(); ++it) {
        const std::string& p = it->first;
        if (path == p ||
            (path.size() > p.size() && path.substr(0, p.size()) == p && path[p.size()] == '.'))
            return &it->second;
    }
    return nullptr;
}

std::string join(const std::string& path, std::string_view key) {
    if (path.empty())
        return std::string(key);
    return fmt::format("{}.{}", path, key);
}

std::string format_number(double x) {
    if (std::isinf(x))
        return x > 0 ? ".inf" : "-.inf";
    char buf[64];
    const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, x);
    (void)ec; // 64 characters always hold the shortest form of a double
    return std::string(buf, end);
}

std::string join_list(const std::vector<std::string>& names) {
    if (names.empty())
        return "(none)";
    std::string out;
    for (const auto& n : names) {
        if (!out.empty())
            out += ", ";
        out += n;
    }
    return out;
}

std::optional<double> reader::parse_number(std::string_view text) {
    return parse_double(text);
}

std::string reader::describe(const YAML::Node& node) {
    if (!node.IsDefined() || node.IsNull())
        return "nothing";
    if (node.IsMap())
        return "a map";
    if (node.IsSequence())
        return "a list";
    std::string text = node.Scalar();
    if (text.size() > 40)
        text = text.substr(0, 37) + "...";
    return fmt::format("'{}'", text);
}

void reader::fail(std::size_t line, const std::string& path, const std::string& problem) const {
    if (const std::string* option = log_.find(path))
        throw config_error(fmt::format("{} ({})", file_, *option), 0, path, problem);
    throw config_error(file_, line, path, problem);
}

void reader::fail(const value& v, const std::string& problem) const {
    fail(v.line, v.path, problem);
}

double reader::number(const value& v) const {
    if (v.node.IsScalar()) {
        if (auto x = parse_double(v.node.Scalar()))
            return *x;
    }
    fail(v, fmt::format("expected a number, got {}", describe(v.node)));
}

std::int64_t reader::integer(const value& v) const {
    if (v.node.IsScalar()) {
        if (auto i = parse_int<std::int64_t>(v.node.Scalar()))
            return *i;
        // 1e3 and 8500.0 are whole numbers too.
        if (auto x = parse_double(v.node.Scalar())) {
            if (std::isfinite(*x) && std::trunc(*x) == *x && std::abs(*x) <= 9.0e15)
                return static_cast<std::int64_t>(*x);
        }
    }
    fail(v, fmt::format("expected a whole number, got {}", describe(v.node)));
}

std::uint64_t reader::unsigned_integer(const value& v) const {
    if (v.node.IsScalar()) {
        const std::string& text = v.node.Scalar();
        if (!text.empty() && text.front() != '-') {
            if (auto i = parse_int<std::uint64_t>(text))
                return *i;
        }
        if (auto x = parse_double(text)) {
            if (std::isfinite(*x) && std::trunc(*x) == *x && *x >= 0.0 && *x <= 9.0e15)
                return static_cast<std::uint64_t>(*x);
        }
    }
    fail(v, fmt::format("expected a whole number from 0 to {}, got {}",
                        std::numeric_limits<std::uint64_t>::max(), describe(v.node)));
}

bool reader::boolean(const value& v) const {
    bool b = false;
    if (v.node.IsScalar() && YAML::convert<bool>::decode(v.node, b))
        return b;
    fail(v, fmt::format("expected true or false, got {}", describe(v.node)));
}

std::string reader::string(const value& v) const {
    if (v.node.IsScalar())
        return v.node.Scalar();
    fail(v, fmt::format("expected a string, got {}", describe(v.node)));
}

std::string reader::name(const value& entry) const {
    const std::string& s = entry.key;
    if (s.empty())
        fail(entry, "expected a name, got an empty string");
    if (s.find_first_of(".=") != std::string::npos)
        fail(entry, fmt::format("the name '{}' must not contain '.' or '=' (they separate the "
                                "parts of --set keys)",
                                s));
    return s;
}

std::array<double, 3> reader::point(const value& v) const {
    if (!v.node.IsSequence() || v.node.size() != 3) {
        const std::string got = v.node.IsSequence()
                                    ? fmt::format("a list of {} items", v.node.size())
                                    : describe(v.node);
        fail(v, fmt::format("expected a list of 3 numbers [x, y, z] in µm, got {}", got));
    }
    std::array<double, 3> p{};
    const auto items = list(v);
    for (std::size_t i = 0; i < 3; ++i) {
        p[i] = number(items[i]);
        if (!std::isfinite(p[i]))
            fail(items[i],
                 fmt::format("expected a finite coordinate, got {}", format_number(p[i])));
    }
    return p;
}

std::vector<value> reader::list(const value& v) const {
    if (!v.node.IsSequence())
        fail(v, fmt::format("expected a list, got {}", describe(v.node)));
    std::vector<value> out;
    out.reserve(v.node.size());
    for (std::size_t i = 0; i < v.node.size(); ++i) {
        YAML::Node item = v.node[i];
        out.push_back({item, join(v.path, std::to_string(i)), line_of(item.Mark(), v.line),
                       std::to_string(i)});
    }
    return out;
}

map_view reader::map(const value& v, std::optional<std::vector<std::string>> allowed,
                     bool null_is_empty) const {
    if (null_is_empty && (!v.node.IsDefined() || v.node.IsNull()))
        return map_view(*this, v, {});
    if (!v.node.IsMap())
        fail(v, fmt::format("expected a map, got {}", describe(v.node)));
    std::vector<value> entries;
    std::set<std::string> seen;
    for (auto it = v.node.begin(); it != v.node.end(); ++it) {
        const std::size_t line = line_of(it->first.Mark(), v.line);
        if (!it->first.IsScalar())
            fail(line, v.path, fmt::format("expected a name as key, got {}", describe(it->first)));
        const std::string key = it->first.Scalar();
        const std::string path = join(v.path, key);
        if (!seen.insert(key).second)
            fail(line, path, fmt::format("duplicate key '{}'", key));
        entries.push_back({it->second, path, line, key});
    }
    map_view view(*this, v, std::move(entries));
    if (allowed)
        view.allow(*allowed);
    return view;
}

std::optional<value> map_view::get(std::string_view key) const {
    for (const auto& e : entries_) {
        if (e.key == key)
            return e;
    }
    return std::nullopt;
}

value map_view::required(std::string_view key) const {
    if (auto e = get(key))
        return *e;
    reader_->fail(self_.line, join(self_.path, key), "missing required key");
}

void map_view::allow(const std::vector<std::string>& allowed) const {
    for (const auto& e : entries_) {
        const std::string& key = e.key;
        bool known = false;
        for (const auto& a : allowed)
            known = known || a == key;
        if (!known)
            reader_->fail(e, fmt::format("unknown key '{}'; allowed: {}", key, join_list(allowed)));
    }
}

} // namespace laminar::io::detail
