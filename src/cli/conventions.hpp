// Command-line conventions shared by every subcommand: exit codes, "did you mean" hints, `limitsim help`, bash completion.
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "src/cli/common.hpp"

namespace limitsim {

// Exit codes (docs/cli.md): 0 success; 1 a runtime failure (I/O, memory, a
// failed computation); 2 a usage error: an unknown subcommand or option, a bad
// option value, or a bad configuration or data file; 128 + the signal when
// interrupted (130 for Ctrl-C).
constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

// Before parsing: an unknown subcommand (a first argument that is neither an
// option nor a subcommand) is refused with "did you mean". Returns true (and,
// when `print`, has printed the error) when args[1] is such a word.
bool unknown_subcommand(const CLI::App& app, const std::vector<std::string>& args, bool print = true);

// After a CLI11 parse error: help and version requests print and give 0;
// anything else prints CLI11's message, a "did you mean" hint for a mistyped
// option, a pointer to --help, and gives kExitUsage.
int parse_error_exit(CLI::App& app, const CLI::ParseError& e);

// `limitsim help [SUBCOMMAND]`: the help of the program or of one subcommand.
Subcommand setup_help(CLI::App& app);

// `limitsim completion bash`: a bash completion script generated from the
// command line's definition (subcommands, options, the choices of options
// that have them). Load it with `source <(limitsim completion bash)`.
Subcommand setup_completion(CLI::App& app);

}  // namespace limitsim
