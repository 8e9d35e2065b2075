// A run spread over several processes (MPI ranks; docs/scaling.md), as the
// engine sees it: the communicator interface (Comm), the failure agreement of
// the start-up phase (collective_step), and how a run's work is divided
// (Decomposition). The MPI implementation of Comm lives with the command line
// (src/cli/mpi.cpp), so this library never includes mpi.h; SerialComm is the
// one-process communicator every non-MPI run uses.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace limitsim {

// The processes that share a piece of work. Every call is collective: all of
// them must make the same calls in the same order.
class Comm {
 public:
  virtual ~Comm() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  // This process's rank among all of the job's (MPI_COMM_WORLD), for messages.
  virtual int world_rank() const = 0;
  // Exact sums of int64 values over every process, left on `root` in place
  // (MPI_Reduce, MPI_SUM on MPI_INT64_T); other processes' buffers are left as they were.
  virtual void sum_to_root(std::int64_t* data, std::size_t n, int root) const = 0;
  // Exact sums (MPI_Allreduce, MPI_SUM) and maxima (MPI_MAX) on every process, in place.
  virtual void sum_all(std::int64_t* data, std::size_t n) const = 0;
  virtual void max_all(std::int64_t* data, std::size_t n) const = 0;
  virtual void min_all(std::int64_t* data, std::size_t n) const = 0;
  // Every process's bytes, in rank order, on every process.
  virtual std::vector<std::string> gather_all(const std::string& mine) const = 0;
  // `text` of process `root` on every process.
  virtual void broadcast(std::string& text, int root) const = 0;
  // The processes with the same colour, ordered by rank (MPI_Comm_split).
  virtual std::unique_ptr<Comm> split(int colour) const = 0;
};

// One process: every collective is the identity.
class SerialComm final : public Comm {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  int world_rank() const override { return 0; }
  void sum_to_root(std::int64_t*, std::size_t, int) const override {}
  void sum_all(std::int64_t*, std::size_t) const override {}
  void max_all(std::int64_t*, std::size_t) const override {}
  void min_all(std::int64_t*, std::size_t) const override {}
  std::vector<std::string> gather_all(const std::string& mine) const override { return {mine}; }
  void broadcast(std::string&, int) const override {}
  std::unique_ptr<Comm> split(int) const override { return std::make_unique<SerialComm>(); }
};

// Exact sums of 128-bit integers on every process (through gather_all: a few
// values, exact in any order).
void sum_all_exact(const Comm& comm, std::vector<__int128>& values);

// A failure that every process of a communicator agreed on (collective_step):
// the exit code, the message, and the lowest rank that failed (of MPI_COMM_WORLD).
class JobFailed : public std::runtime_error {
 public:
  JobFailed(int code, const std::string& message, int rank)
      : std::runtime_error(message), code_(code), rank_(rank) {}
  int code() const { return code_; }
  int rank() const { return rank_; }

 private:
  int code_;
  int rank_;
};

// The exit code the command line gives an exception: 2 for bad input
// (ConfigError), 130 for an interrupt (Cancelled), 1 otherwise.
int exit_code_of(const std::exception& e);

// Runs f on every process of comm, then agrees: when f threw on any process,
// every process throws the same JobFailed (the lowest failing rank's code and
// message), so that a bad configuration is reported once and no process is
// left waiting in a collective. With one process f's exception passes unchanged.
// Start-up steps that may fail on some processes only (reading files, choosing
// a device) run inside it; so does a step whose failure every process shares.
void collective_step(const Comm& comm, const std::function<void()>& f);

// How a run's work is divided among `size` processes. The processes form
// `groups` groups (rank r is in group r % groups); group j simulates the
// (scenario, policy) pairs [first_combo, end_combo) and splits the customers
// among its members. A run uses one group: every process simulates every pair
// on its share of the customers. A sweep splits its variants: one group per
// process while there are at least as many pairs as processes.
//
// A group's m members split its work into `slices` customer slices times
// `path_slices` path slices (slices x path_slices = m; member j has customer
// slice j / path_slices and path slice j % path_slices). The customers are
// split first, which bounds what each process holds: `slices` is the largest
// divisor of m that leaves every slice kMinSliceCustomers customers or more
// (1 when none does), raised to the smallest divisor that keeps path_slices <=
// paths. A file population (customers = 0 here) is split by customer only:
// each process reads its shard of the file.
struct Decomposition {
  int groups = 1, group = 0;
  int slice = 0, slices = 1;                   // this process's share of its group's customers
  int path_slice = 0, path_slices = 1;         // and of the paths
  std::int64_t first_combo = 0, end_combo = 0;  // pairs of this process's group
};
inline constexpr std::int64_t kMinSliceCustomers = 1024;
Decomposition decompose(int rank, int size, std::int64_t combos, bool split_combos, std::int64_t customers = 0,
                        int paths = 1);

// Synthetic customers of slice s of S: ids [n * s / S, n * (s + 1) / S).
std::int64_t slice_begin(std::int64_t n, int slice, int slices);

}  // namespace limitsim
