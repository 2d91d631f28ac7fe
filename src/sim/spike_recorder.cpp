// Buffered, collective SONATA spike output.
#include "laminar/sim/spike_recorder.hpp"

#include <algorithm>

#include "laminar/core/time.hpp"

namespace laminar::sim {

namespace {
/// NEST's Time::get_ms(): tics times the ms per tic (not tics / 1000, which differs in the last
/// bit for some values).
constexpr double ms_per_tic = 1.0 / 1000.0;
} // namespace

namespace {
constexpr std::size_t flush_threshold = std::size_t(1) << 20;
/// Also write every so many epochs, so that a run stopped early (time limit, abort) leaves the
/// spikes up to then on disk. Counted in epochs, which every rank sees alike.
constexpr std::size_t flush_epochs = 2000;
} // namespace

spike_recorder::spike_recorder(const comm::context& ctx, const network::layout& lay, double dt_ms,
                               std::optional<std::filesystem::path> file,
                               const std::vector<std::string>& populations)
    : ctx_(ctx), lay_(lay), tics_per_step_(tics_per_step(dt_ms)), counts_(lay.blocks().size(), 0) {
    for (std::size_t b = 0; b < lay.blocks().size(); ++b) {
        const auto& name = lay.blocks()[b].name;
        if (populations.empty() ||
            std::find(populations.begin(), populations.end(), name) != populations.end()) {
            recorded_.push_back(int(b));
        }
    }
    if (file) {
        std::vector<std::string> names;
        for (const int b : recorded_)
            names.push_back(lay.blocks()[std::size_t(b)].name);
        writer_ = std::make_unique<io::spike_writer>(ctx.comm(), *file, names);
    }
}

void spike_recorder::add(std::span<const spike_key> spikes) {
    for (const auto k : spikes) {
        const auto& blk = lay_.block_of(key_gid(k));
        ++counts_[std::size_t(&blk - lay_.blocks().data())];
    }
    if (!writer_)
        return;
    buffer_.insert(buffer_.end(), spikes.begin(), spikes.end());
    if (buffer_.size() >= flush_threshold || ++epochs_since_flush_ >= flush_epochs)
        flush();
}

void spike_recorder::flush() {
    // The buffer is sorted by (stamp, gid) and identical everywhere: split each population's
    // spikes into R contiguous shares and let rank r write share r.
    const auto R = std::uint64_t(ctx_.size());
    const auto r = std::uint64_t(ctx_.rank());
    std::vector<io::spike_table> tables(recorded_.size());
    for (std::size_t p = 0; p < recorded_.size(); ++p) {
        const auto& blk = lay_.blocks()[std::size_t(recorded_[p])];
        std::uint64_t total = 0;
        for (const auto k : buffer_) {
            const auto g = key_gid(k);
            total += g >= blk.first && g < blk.first + blk.size;
        }
        const std::uint64_t lo = total * r / R, hi = total * (r + 1) / R;
        std::uint64_t seen = 0;
        auto& t = tables[p];
        t.node_ids.reserve(hi - lo);
        t.timestamps.reserve(hi - lo);
        for (const auto k : buffer_) {
            const auto g = key_gid(k);
            if (g < blk.first || g >= blk.first + blk.size)
                continue;
            if (seen >= lo && seen < hi) {
                t.node_ids.push_back(g - blk.first);
                // As NEST reports it: whole tics times ms per tic (0.3, not 3 * 0.1).
                t.timestamps.push_back(double(key_stamp(k) * tics_per_step_) * ms_per_tic);
            }
            if (++seen >= hi)
                break;
        }
    }
    writer_->append(tables);
    buffer_.clear();
    epochs_since_flush_ = 0;
}

void spike_recorder::finish() {
    if (!writer_)
        return;
    flush();
    writer_->close();
}

} // namespace laminar::sim
