// The job's processes (src/cli/mpi.hpp): MpiComm, the MPI session, the rank-aware end of a failed process.
#include "src/cli/mpi.hpp"

#ifdef LIMITSIM_WITH_MPI
#include <mpi.h>
#endif

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <limits>
#include <memory>
#include <stdexcept>
#include <thread>

namespace limitsim {
namespace {

int g_local_rank = 0, g_local_size = 1;

#ifdef LIMITSIM_WITH_MPI

// MPI counts are int: larger transfers go in chunks of this many values.
constexpr std::size_t kChunk = std::size_t{1} << 27;

class MpiComm final : public Comm {
 public:
  MpiComm(MPI_Comm comm, bool owned) : comm_(comm), owned_(owned) {
    MPI_Comm_rank(comm_, &rank_);
    MPI_Comm_size(comm_, &size_);
    MPI_Comm_rank(MPI_COMM_WORLD, &world_rank_);
  }
  ~MpiComm() override {
    if (owned_) MPI_Comm_free(&comm_);
  }
  int rank() const override { return rank_; }
  int size() const override { return size_; }
  int world_rank() const override { return world_rank_; }

  void sum_to_root(std::int64_t* data, std::size_t n, int root) const override {
    for (std::size_t at = 0; at < n; at += kChunk) {
      const int count = static_cast<int>(std::min(kChunk, n - at));
      MPI_Reduce(rank_ == root ? MPI_IN_PLACE : data + at, data + at, count, MPI_INT64_T, MPI_SUM, root, comm_);
    }
  }
  void sum_all(std::int64_t* data, std::size_t n) const override { all(data, n, MPI_SUM); }
  void max_all(std::int64_t* data, std::size_t n) const override { all(data, n, MPI_MAX); }
  void min_all(std::int64_t* data, std::size_t n) const override { all(data, n, MPI_MIN); }

  std::vector<std::string> gather_all(const std::string& mine) const override {
    if (mine.size() > static_cast<std::size_t>(std::numeric_limits<int>::max() / size_))
      throw std::runtime_error("gather_all: " + std::to_string(mine.size()) + " bytes from one rank is more than MPI can gather");
    const int bytes = static_cast<int>(mine.size());
    std::vector<int> counts(static_cast<std::size_t>(size_)), offsets(static_cast<std::size_t>(size_));
    MPI_Allgather(&bytes, 1, MPI_INT, counts.data(), 1, MPI_INT, comm_);
    std::int64_t total = 0;
    for (int k = 0; k < size_; ++k) {
      offsets[static_cast<std::size_t>(k)] = static_cast<int>(total);
      total += counts[static_cast<std::size_t>(k)];
    }
    if (total > std::numeric_limits<int>::max())
      throw std::runtime_error("gather_all: " + std::to_string(total) + " bytes in all is more than MPI can gather");
    std::string buffer(static_cast<std::size_t>(total), '\0');
    MPI_Allgatherv(mine.data(), bytes, MPI_BYTE, buffer.data(), counts.data(), offsets.data(), MPI_BYTE, comm_);
    std::vector<std::string> out;
    for (int k = 0; k < size_; ++k)
      out.push_back(buffer.substr(static_cast<std::size_t>(offsets[static_cast<std::size_t>(k)]),
                                  static_cast<std::size_t>(counts[static_cast<std::size_t>(k)])));
    return out;
  }

  void broadcast(std::string& text, int root) const override {
    std::int64_t bytes = static_cast<std::int64_t>(text.size());
    MPI_Bcast(&bytes, 1, MPI_INT64_T, root, comm_);
    if (bytes > std::numeric_limits<int>::max()) throw std::runtime_error("broadcast: the text is too long");
    text.resize(static_cast<std::size_t>(bytes));
    MPI_Bcast(text.data(), static_cast<int>(bytes), MPI_BYTE, root, comm_);
  }

  std::unique_ptr<Comm> split(int colour) const override {
    MPI_Comm part;
    MPI_Comm_split(comm_, colour, rank_, &part);
    return std::make_unique<MpiComm>(part, true);
  }

 private:
  void all(std::int64_t* data, std::size_t n, MPI_Op op) const {
    for (std::size_t at = 0; at < n; at += kChunk)
      MPI_Allreduce(MPI_IN_PLACE, data + at, static_cast<int>(std::min(kChunk, n - at)), MPI_INT64_T, op, comm_);
  }

  MPI_Comm comm_;
  bool owned_;
  int rank_ = 0, size_ = 1, world_rank_ = 0;
};

std::unique_ptr<MpiComm> g_world;

#endif  // LIMITSIM_WITH_MPI

}  // namespace

MpiSession::MpiSession([[maybe_unused]] int& argc, [[maybe_unused]] char**& argv) {
#ifdef LIMITSIM_WITH_MPI
  int provided = 0;
  MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
  g_world = std::make_unique<MpiComm>(MPI_COMM_WORLD, false);
  MPI_Comm node;
  MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, g_world->rank(), MPI_INFO_NULL, &node);
  MPI_Comm_rank(node, &g_local_rank);
  MPI_Comm_size(node, &g_local_size);
  MPI_Comm_free(&node);
#endif
}

MpiSession::~MpiSession() {
#ifdef LIMITSIM_WITH_MPI
  g_world.reset();
  MPI_Finalize();
#endif
}

const Comm& world() {
#ifdef LIMITSIM_WITH_MPI
  if (g_world) return *g_world;
#endif
  static const SerialComm one;
  return one;
}

int local_rank() { return g_local_rank; }
int local_size() { return g_local_size; }

int launcher_rank() {
  for (const char* name : {"OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK", "SLURM_PROCID"}) {
    const char* v = std::getenv(name);
    if (v && *v) return std::atoi(v);
  }
  return 0;
}

std::string mpi_version_text() {
#ifdef LIMITSIM_WITH_MPI
  char text[MPI_MAX_LIBRARY_VERSION_STRING];
  int length = 0;
  MPI_Get_library_version(text, &length);  // allowed before MPI_Init
  std::string library(text, static_cast<std::size_t>(length));
  library = library.substr(0, library.find_first_of(",\n"));
  return "mpi: " + library + " (built in: mpirun -np N limitsim run|sweep ... spreads a run over N ranks)";
#else
  return "mpi: not built in (configure with -DLIMITSIM_MPI=ON for runs over several ranks)";
#endif
}

int exit_after_failure(int code, const std::string& line) {
  const Comm& w = world();
  if (w.size() == 1) {
    std::cerr << line << "\n";
    return code;
  }
#ifdef LIMITSIM_WITH_MPI
  std::cerr << "rank " << w.rank() << " of " << w.size() << ": " << line << "\n"
            << "limitsim: rank " << w.rank() << " ends the job (MPI_Abort, exit code " << code
            << "); no result file is written\n"
            << std::flush;
  MPI_Abort(MPI_COMM_WORLD, code);
#endif
  return code;
}

int exit_after_agreed_failure(const JobFailed& e) {
  if (world().rank() == 0) {
    const std::string from = world().size() > 1 && e.rank() != 0 ? "rank " + std::to_string(e.rank()) + ": " : "";
    if (e.code() == 130)
      std::cerr << "limitsim: interrupted; no result file was written\n";
    else
      std::cerr << "error: " << from << e.what() << "\n";
  }
  return e.code();
}

void test_failure_point() {
  const char* v = std::getenv("LIMITSIM_TEST_FAIL_RANK");
  if (!v || !*v || world().size() == 1 || std::atoi(v) != world().rank()) return;
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  throw std::runtime_error("LIMITSIM_TEST_FAIL_RANK: a failure injected on rank " + std::string(v) +
                           " mid-run (tests of the failure path)");
}

}  // namespace limitsim
