// Where a command may write (src/io/output_paths.cpp): outputs against inputs, files that are not regular,
// symbolic links, bounded temporary names, temporaries of killed runs.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "src/config/config.hpp"
#include "src/io/atomic_file.hpp"
#include "src/io/output_paths.hpp"
#include "tests/io/h5io_fixture.hpp"

namespace limitsim {
namespace {

using namespace h5io_test;

class OutputPathsTest : public H5IoTest {
 protected:
  std::string file(const std::string& name, const std::string& text = "x") {
    const fs::path p = dir_ / name;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
    return p.string();
  }
  static std::string refusal(const std::vector<NamedFile>& out, const std::vector<NamedFile>& in, std::uint64_t need = 0) {
    try {
      check_outputs(out, in, need);
    } catch (const ConfigError& e) {
      return e.what();
    }
    return "";
  }
};

TEST_F(OutputPathsTest, AnOutputThatIsAnInputIsRefusedByPathLinkOrHardLink) {
  const std::string run = file("cfg/run.toml");
  const std::string msg = refusal({{"--out", run}}, {{"the run file", run}});
  EXPECT_EQ(msg, "--out: '" + run + "' is the run file (" + run + "), which this command reads; name another file");
  // The same file by another spelling, through a symbolic link, through a hard link.
  EXPECT_NE(refusal({{"--out", (dir_ / "cfg/../cfg/./run.toml").string()}}, {{"the run file", run}}), "");
  fs::create_symlink(run, dir_ / "link.toml");
  EXPECT_NE(refusal({{"--out", (dir_ / "link.toml").string()}}, {{"the run file", run}}).find("is the run file"),
            std::string::npos);
  fs::create_hard_link(run, dir_ / "hard.toml");
  EXPECT_NE(refusal({{"--out", (dir_ / "hard.toml").string()}}, {{"the run file", run}}).find("is the run file"),
            std::string::npos);
  // Two outputs that are one file.
  const std::string out = (dir_ / "o.h5").string();
  EXPECT_EQ(refusal({{"--out", out}, {"--csv", out}}, {}), "--csv: '" + out + "' is also --out; name another file");
  // A new file elsewhere is fine.
  EXPECT_EQ(refusal({{"--out", (dir_ / "new/dir/o.h5").string()}}, {{"the run file", run}}), "");
}

TEST_F(OutputPathsTest, WhatIsNotARegularFileIsRefused) {
  fs::create_directories(dir_ / "folder");
  ASSERT_EQ(mkfifo((dir_ / "fifo").c_str(), 0600), 0);
  fs::create_symlink(dir_ / "nothing", dir_ / "dangling");
  EXPECT_EQ(refusal({{"--out", "/dev/null"}}, {}),
            "--out: cannot write '/dev/null': it exists and is a character device, not a regular file");
  EXPECT_NE(refusal({{"--out", (dir_ / "folder").string()}}, {}).find("is a folder, not a regular file"),
            std::string::npos);
  EXPECT_NE(refusal({{"--out", (dir_ / "fifo").string()}}, {}).find("is a FIFO"), std::string::npos);
  EXPECT_NE(refusal({{"--out", (dir_ / "dangling").string()}}, {}).find("a symbolic link to a missing file"),
            std::string::npos);
  EXPECT_NE(refusal({{"--out", ""}}, {}).find("must name a file"), std::string::npos);
  // The writer itself refuses them too, for callers that do not check first.
  EXPECT_THROW(write_text_atomically("/dev/null", "x"), std::runtime_error);
  struct stat st{};
  ASSERT_EQ(::stat("/dev/null", &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode));
}

TEST_F(OutputPathsTest, AFolderThatIsAFileOrAFullDiskIsRefused) {
  const std::string blocker = file("blocker");
  EXPECT_NE(refusal({{"--out", blocker + "/sub/o.h5"}}, {}).find("is not a folder"), std::string::npos);
  // More bytes than any file system holds.
  EXPECT_NE(refusal({{"--out", (dir_ / "o.h5").string()}}, {}, std::uint64_t{1} << 62).find("needs at least"),
            std::string::npos);
}

TEST_F(OutputPathsTest, ASymbolicLinkIsWrittenThrough) {
  const std::string target = file("results/real.csv", "old");
  fs::create_symlink(target, dir_ / "latest.csv");
  write_text_atomically((dir_ / "latest.csv").string(), "new");
  EXPECT_TRUE(fs::is_symlink(dir_ / "latest.csv"));
  std::ifstream in(target);
  std::string text;
  in >> text;
  EXPECT_EQ(text, "new");
  std::vector<std::string> names;
  for (const fs::path& folder : {dir_, dir_ / "results"})
    for (const auto& e : fs::directory_iterator(folder)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"latest.csv", "real.csv", "results"}));  // no temporary left
}

TEST_F(OutputPathsTest, TemporaryNamesFitInAFileName) {
  EXPECT_EQ(temporary_name("a/b/run.h5", 42), "a/b/run.h5.tmp.42");
  const std::string long_name(251, 'a');
  const std::string tmp = temporary_name("d/" + long_name, 1234567);
  EXPECT_EQ(fs::path(tmp).filename().string().size(), 255u);
  EXPECT_EQ(fs::path(tmp).filename().string(), std::string(243, 'a') + ".tmp.1234567");
  // A valid 251-byte name is written (it used to fail: 251 + ".tmp.PID" is more than 255).
  write_text_atomically((dir_ / long_name).string(), "x");
  EXPECT_EQ(leftovers(), std::vector<std::string>{long_name});
}

TEST_F(OutputPathsTest, TemporariesOfKilledRunsAreRemovedOthersKept) {
  const std::string out = (dir_ / "run.h5").string();
  const std::string dead = file("run.h5.tmp.999999");
  const std::string alive = file("run.h5.tmp." + std::to_string(::getpid()));
  const std::string init = file("run.h5.tmp.1");           // process 1 lives
  const std::string other = file("other.h5.tmp.999999");   // another output's
  const std::string word = file("run.h5.tmp.abc");         // not a process id
  const std::vector<std::string> notes = check_outputs({{"--out", out}}, {});
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0], "removed " + dead + ", left by a run (process 999999) that was killed while writing " + out);
  EXPECT_FALSE(fs::exists(dead));
  for (const std::string& kept : {alive, init, other, word}) EXPECT_TRUE(fs::exists(kept)) << kept;
  // A shortened temporary of a long name is recognised too.
  const std::string long_out = (dir_ / std::string(251, 'b')).string();
  const std::string long_tmp = file(fs::path(temporary_name(long_out, 999998)).filename().string());
  EXPECT_EQ(check_outputs({{"--out", long_out}}, {}).size(), 1u);
  EXPECT_FALSE(fs::exists(long_tmp));
}

}  // namespace
}  // namespace limitsim
