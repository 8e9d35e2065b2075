// A run over several processes (distributed.hpp): the start-up failure agreement, exact 128-bit sums, the decomposition.
#include "src/engine/distributed.hpp"

#include <algorithm>
#include <cstring>

#include "kernels/backend.hpp"
#include "src/config/config.hpp"

namespace limitsim {

void sum_all_exact(const Comm& comm, std::vector<__int128>& values) {
  if (comm.size() == 1) return;
  std::string mine(values.size() * sizeof(__int128), '\0');
  std::memcpy(mine.data(), values.data(), mine.size());
  const std::vector<std::string> all = comm.gather_all(mine);
  std::fill(values.begin(), values.end(), 0);
  for (const std::string& theirs : all) {
    if (theirs.size() != mine.size()) throw std::logic_error("sum_all_exact: the processes sent different counts");
    for (std::size_t k = 0; k < values.size(); ++k) {
      __int128 v;
      std::memcpy(&v, theirs.data() + k * sizeof(__int128), sizeof v);
      values[k] += v;
    }
  }
}

int exit_code_of(const std::exception& e) {
  if (dynamic_cast<const JobFailed*>(&e)) return static_cast<const JobFailed&>(e).code();
  if (dynamic_cast<const ConfigError*>(&e)) return 2;
  if (dynamic_cast<const Cancelled*>(&e)) return 130;
  return 1;
}

void collective_step(const Comm& comm, const std::function<void()>& f) {
  if (comm.size() == 1) {
    f();
    return;
  }
  int code = 0;
  std::string message;
  int origin = -1;  // a JobFailed from a nested step keeps the rank it names
  try {
    f();
  } catch (const JobFailed& e) {
    code = e.code();
    message = e.what();
    origin = e.rank();
  } catch (const std::exception& e) {
    code = exit_code_of(e);
    message = e.what();
  }
  std::int64_t first = code != 0 ? comm.rank() : comm.size();
  comm.min_all(&first, 1);
  if (first == comm.size()) return;
  const int root = static_cast<int>(first);
  std::string packet = std::to_string(code) + " " + std::to_string(origin < 0 ? comm.world_rank() : origin) + " " + message;
  comm.broadcast(packet, root);
  const std::size_t a = packet.find(' '), b = packet.find(' ', a + 1);
  throw JobFailed(std::stoi(packet.substr(0, a)), packet.substr(b + 1), std::stoi(packet.substr(a + 1, b - a - 1)));
}

std::int64_t slice_begin(std::int64_t n, int slice, int slices) {
  return static_cast<std::int64_t>(static_cast<__int128>(n) * slice / slices);
}

Decomposition decompose(int rank, int size, std::int64_t combos, bool split_combos, std::int64_t customers,
                        int paths) {
  if (size < 1 || rank < 0 || rank >= size || combos < 1 || customers < 0 || paths < 1)
    throw std::logic_error("decompose: bad arguments");
  Decomposition d;
  d.groups = split_combos ? static_cast<int>(std::min<std::int64_t>(size, combos)) : 1;
  d.group = rank % d.groups;
  const int member = rank / d.groups;
  const int m = (size - d.group + d.groups - 1) / d.groups;  // ranks r < size with r % groups == group
  int c = m;  // customer slices
  if (customers > 0) {
    c = 1;
    for (int x = m; x >= 1; --x)
      if (m % x == 0 && customers / x >= kMinSliceCustomers) {
        c = x;
        break;
      }
    while (m / c > paths)
      do ++c;
      while (m % c != 0);
  }
  d.slices = c;
  d.path_slices = m / c;
  d.slice = member / d.path_slices;
  d.path_slice = member % d.path_slices;
  d.first_combo = slice_begin(combos, d.group, d.groups);
  d.end_combo = slice_begin(combos, d.group + 1, d.groups);
  return d;
}

}  // namespace limitsim
