// The job's processes as the command line sees them: MPI ranks when this
// binary is built with MPI (LIMITSIM_MPI, docs/scaling.md), else one process.
// src/cli/mpi.cpp is compiled with LIMITSIM_WITH_MPI into the MPI binary and
// without it into every other; nothing else in limitsim includes mpi.h.
#pragma once

#include <string>

#include "src/engine/distributed.hpp"

namespace limitsim {

// MPI for one subcommand that simulates (run, sweep): MPI_Init_thread
// (funneled: only the main thread calls MPI) on construction, MPI_Finalize on
// destruction. Started without mpirun or srun, the process is a job of one
// (a singleton). Without MPI built in it does nothing.
class MpiSession {
 public:
  MpiSession(int& argc, char**& argv);
  ~MpiSession();
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;
};

// The job's processes: MPI_COMM_WORLD while a session is open, else one process.
const Comm& world();

// This process's index among the job's processes on its node, and how many
// there are (MPI_Comm_split_type, MPI_COMM_TYPE_SHARED); 0 and 1 without MPI.
int local_rank();
int local_size();

// The rank a launcher gave this process before MPI starts (Open MPI's
// OMPI_COMM_WORLD_RANK, PMIx's PMIX_RANK, PMI's PMI_RANK, Slurm's
// SLURM_PROCID), or 0: only rank 0 prints a command-line parse error.
int launcher_rank();

// The `mpi:` line of --version: the MPI library built in, or that there is none.
std::string mpi_version_text();

// The end of a process that failed on its own. In a job of several processes
// it prints `line` to stderr prefixed with its rank, and ends the whole job
// (MPI_Abort with `code`: the other ranks are stopped and no result file is
// written); otherwise it prints `line` and returns code.
int exit_after_failure(int code, const std::string& line);

// The end of a failure every process agreed on (collective_step): rank 0
// prints it once, naming the rank it came from, and every process returns its code.
int exit_after_agreed_failure(const JobFailed& e);

// For the tests of the failure path only (tests/mpi/): when the environment
// variable LIMITSIM_TEST_FAIL_RANK names this rank, it fails here (after a
// short wait, so that the others are simulating), as a rank that runs out of
// memory mid-run would.
void test_failure_point();

}  // namespace limitsim
