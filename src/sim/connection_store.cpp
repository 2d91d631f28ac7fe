// Building the source-major store by counting sort (stable, so creation order survives).
#include "laminar/sim/connection_store.hpp"

#include <limits>
#include <stdexcept>
#include <type_traits>

namespace laminar::sim {

void connection_store::build(std::vector<pending_synapse>&& syn, bool exact) {
    *this = connection_store{};
    if (syn.empty())
        return;
    if (syn.size() >= std::numeric_limits<std::uint32_t>::max()) {
        throw std::length_error("more than 2^32 synapses in one thread shard");
    }
    // Distinct sources, sorted, and each synapse's row. When the gids are dense enough, a
    // direct table replaces sorting and binary search (the common case: build time matters).
    gid_type max_gid = 0;
    for (const auto& s : syn)
        max_gid = std::max(max_gid, s.source);
    std::vector<std::uint32_t> row_of(syn.size());
    std::vector<std::uint32_t> row_start;
    min_delay_ = std::numeric_limits<std::uint32_t>::max();
    for (const auto& s : syn) {
        max_delay_ = std::max(max_delay_, s.delay_steps);
        min_delay_ = std::min(min_delay_, s.delay_steps);
    }
    if (max_delay_ > std::numeric_limits<std::uint16_t>::max()) {
        throw std::length_error("delay longer than 65535 steps");
    }
    if (std::uint64_t(max_gid) <= 4 * std::uint64_t(syn.size()) + 1024) {
        std::vector<std::uint32_t> count(std::size_t(max_gid) + 1, 0);
        for (const auto& s : syn)
            ++count[s.source];
        std::vector<std::uint32_t> row_index(count.size());
        for (std::size_t g = 0; g < count.size(); ++g) {
            row_index[g] = std::uint32_t(sources_.size());
            if (count[g] > 0)
                sources_.push_back(gid_type(g));
        }
        for (std::size_t i = 0; i < syn.size(); ++i)
            row_of[i] = row_index[syn[i].source];
    } else {
        sources_.reserve(syn.size() / 8 + 1);
        for (const auto& s : syn)
            sources_.push_back(s.source);
        std::sort(sources_.begin(), sources_.end());
        sources_.erase(std::unique(sources_.begin(), sources_.end()), sources_.end());
        for (std::size_t i = 0; i < syn.size(); ++i) {
            row_of[i] = std::uint32_t(find(syn[i].source));
        }
    }
    sources_.shrink_to_fit();

    // Stable counting sort by row, then by delay inside each row.
    row_start.assign(sources_.size() + 1, 0);
    for (const auto r : row_of)
        ++row_start[r + 1];
    for (std::size_t r = 0; r < sources_.size(); ++r)
        row_start[r + 1] += row_start[r];
    if (exact) {
        std::vector<double> distinct;
        for (const auto& s : syn) {
            if (std::find(distinct.begin(), distinct.end(), s.weight) == distinct.end()) {
                distinct.push_back(s.weight);
                if (distinct.size() > max_table_size)
                    throw std::length_error("more distinct weights than the exact weight table "
                                            "holds");
            }
        }
        std::sort(distinct.begin(), distinct.end());
        weight_table_ = std::move(distinct);
        weight_bits_.resize(syn.size());
    } else {
        weight_float_.resize(syn.size());
    }
    target_.resize(syn.size());

    // Scatter in creation order (sequential reads, a stable counting sort by row) and note
    // which rows receive delays out of order: only those are sorted afterwards.
    std::vector<std::uint16_t> delay(syn.size());
    std::vector<std::uint16_t> last_delay(sources_.size(), 0);
    std::vector<char> unsorted(sources_.size(), 0);
    {
        auto fill = row_start;
        for (std::size_t i = 0; i < syn.size(); ++i) {
            const auto& s = syn[i];
            const auto r = row_of[i];
            const auto k = fill[r]++;
            target_[k] = s.target;
            if (exact_weights()) {
                weight_bits_[k] = std::uint32_t(
                    std::lower_bound(weight_table_.begin(), weight_table_.end(), s.weight) -
                    weight_table_.begin());
            } else {
                weight_float_[k] = float(s.weight);
            }
            const auto d = std::uint16_t(s.delay_steps);
            delay[k] = d;
            if (d < last_delay[r])
                unsorted[r] = 1;
            last_delay[r] = d;
        }
    }
    std::vector<std::uint32_t>().swap(row_of);
    std::vector<pending_synapse>().swap(syn);

    // Stable sort by delay inside the rows that need it, then cut every row into delay runs.
    row_run_.assign(sources_.size() + 1, 0);
    std::vector<std::uint32_t> perm;
    for (std::size_t r = 0; r < sources_.size(); ++r) {
        const std::uint32_t first = row_start[r], last = row_start[r + 1];
        if (unsorted[r]) {
            perm.resize(last - first);
            for (std::uint32_t q = 0; q < perm.size(); ++q)
                perm[q] = first + q;
            std::stable_sort(perm.begin(), perm.end(),
                             [&](std::uint32_t a, std::uint32_t b) { return delay[a] < delay[b]; });
            auto apply = [&](auto& v) {
                using value = typename std::decay_t<decltype(v)>::value_type;
                std::vector<value> t(perm.size());
                for (std::size_t q = 0; q < perm.size(); ++q)
                    t[q] = v[perm[q]];
                std::copy(t.begin(), t.end(), v.begin() + first);
            };
            apply(target_);
            apply(delay);
            if (exact_weights())
                apply(weight_bits_);
            else
                apply(weight_float_);
        }
        for (std::uint32_t k = first; k < last; ++k) {
            if (k == first || delay[k - 1] != delay[k]) {
                if (k != first)
                    run_syn_end_.push_back(k);
                run_delay_.push_back(delay[k]);
            }
        }
        run_syn_end_.push_back(last);
        row_run_[r + 1] = std::uint32_t(run_delay_.size());
    }
}

std::size_t connection_store::bytes() const noexcept {
    return sources_.capacity() * sizeof(gid_type) + row_run_.capacity() * 4 +
           run_syn_end_.capacity() * 4 + run_delay_.capacity() * 2 + target_.capacity() * 4 +
           weight_bits_.capacity() * 4 + weight_float_.capacity() * 4 +
           weight_table_.capacity() * 8;
}

} // namespace laminar::sim
