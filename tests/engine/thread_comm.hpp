// A Comm whose "ranks" are threads of one process, for testing the engine's
// distributed code (src/engine/distributed.hpp) in a build without MPI: every
// collective is one exchange of byte strings among the threads of a group.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "src/engine/distributed.hpp"

namespace limitsim {
namespace testing_comm {

// What the threads of one group share.
class ThreadGroup {
 public:
  explicit ThreadGroup(int size) : size_(size), slots_(static_cast<std::size_t>(size)) {}
  int size() const { return size_; }

  // Every member deposits its bytes; each gets everyone's, in rank order.
  std::vector<std::string> exchange(int rank, std::string mine) {
    std::unique_lock<std::mutex> lock(m_);
    cv_.wait(lock, [&] { return !reading_; });  // the previous exchange is over
    slots_[static_cast<std::size_t>(rank)] = std::move(mine);
    if (++arrived_ == size_) {
      reading_ = true;
      cv_.notify_all();
    }
    cv_.wait(lock, [&] { return reading_; });
    std::vector<std::string> all = slots_;
    if (++read_ == size_) {
      reading_ = false;
      arrived_ = read_ = 0;
      cv_.notify_all();
    }
    return all;
  }

  // The group of colour `colour` made by this group's split number `round`: the first member to ask makes it.
  std::shared_ptr<ThreadGroup> part(int round, int colour, int size) {
    std::lock_guard<std::mutex> lock(m_);
    auto& g = parts_[{round, colour}];
    if (!g) g = std::make_shared<ThreadGroup>(size);
    return g;
  }

 private:
  int size_;
  std::mutex m_;
  std::condition_variable cv_;
  std::vector<std::string> slots_;
  int arrived_ = 0, read_ = 0;
  bool reading_ = false;
  std::map<std::pair<int, int>, std::shared_ptr<ThreadGroup>> parts_;
};

class ThreadComm final : public Comm {
 public:
  ThreadComm(std::shared_ptr<ThreadGroup> g, int rank, int world_rank)
      : g_(std::move(g)), rank_(rank), world_rank_(world_rank) {}
  int rank() const override { return rank_; }
  int size() const override { return g_->size(); }
  int world_rank() const override { return world_rank_; }

  void sum_to_root(std::int64_t* data, std::size_t n, int root) const override {
    const auto all = g_->exchange(rank_, bytes(data, n));
    if (rank_ == root) combine(all, data, n, [](std::int64_t a, std::int64_t b) { return a + b; });
  }
  void sum_all(std::int64_t* data, std::size_t n) const override {
    combine(g_->exchange(rank_, bytes(data, n)), data, n, [](std::int64_t a, std::int64_t b) { return a + b; });
  }
  void max_all(std::int64_t* data, std::size_t n) const override {
    combine(g_->exchange(rank_, bytes(data, n)), data, n, [](std::int64_t a, std::int64_t b) { return a > b ? a : b; });
  }
  void min_all(std::int64_t* data, std::size_t n) const override {
    combine(g_->exchange(rank_, bytes(data, n)), data, n, [](std::int64_t a, std::int64_t b) { return a < b ? a : b; });
  }
  std::vector<std::string> gather_all(const std::string& mine) const override { return g_->exchange(rank_, mine); }
  void broadcast(std::string& text, int root) const override {
    text = g_->exchange(rank_, text)[static_cast<std::size_t>(root)];
  }
  std::unique_ptr<Comm> split(int colour) const override {
    const auto all = g_->exchange(rank_, std::to_string(colour));
    int size = 0, index = 0;
    for (int k = 0; k < g_->size(); ++k) {
      if (std::stoi(all[static_cast<std::size_t>(k)]) != colour) continue;
      if (k < rank_) ++index;
      ++size;
    }
    return std::make_unique<ThreadComm>(g_->part(splits_++, colour, size), index, world_rank_);
  }

 private:
  static std::string bytes(const std::int64_t* data, std::size_t n) {
    std::string s(n * sizeof(std::int64_t), '\0');
    if (n) std::memcpy(s.data(), data, s.size());
    return s;
  }
  template <class Op>
  static void combine(const std::vector<std::string>& all, std::int64_t* data, std::size_t n, Op op) {
    for (std::size_t i = 0; i < n; ++i) {
      std::int64_t acc = 0;
      for (std::size_t k = 0; k < all.size(); ++k) {
        std::int64_t v;
        std::memcpy(&v, all[k].data() + i * sizeof v, sizeof v);
        acc = k == 0 ? v : op(acc, v);
      }
      data[i] = acc;
    }
  }

  std::shared_ptr<ThreadGroup> g_;
  int rank_, world_rank_;
  mutable int splits_ = 0;
};

// Runs body(comm) on `ranks` threads, one rank each, and rethrows the first
// exception in rank order once all have finished.
inline void run_ranks(int ranks, const std::function<void(const Comm&)>& body) {
  auto group = std::make_shared<ThreadGroup>(ranks);
  std::vector<std::exception_ptr> errors(static_cast<std::size_t>(ranks));
  std::vector<std::thread> threads;
  for (int r = 0; r < ranks; ++r) {
    threads.emplace_back([&, r] {
      try {
        const ThreadComm comm(group, r, r);
        body(comm);
      } catch (...) {
        errors[static_cast<std::size_t>(r)] = std::current_exception();
      }
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& e : errors)
    if (e) std::rethrow_exception(e);
}

}  // namespace testing_comm
}  // namespace limitsim
