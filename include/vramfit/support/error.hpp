#pragma once

// One exception family. The library throws; only the CLI's main() catches,
// prints `vramfit: error: <where>: <what>` and maps the class to an exit code.

#include <stdexcept>
#include <string>
#include <vector>

namespace vramfit {

/// Base of every error vramfit throws on purpose.
class Error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// The request is malformed: an unknown id, a bad option value, an impossible
/// combination of settings. Exit code 2.
class UsageError : public Error {
public:
  using Error::Error;
};

/// Input data is malformed: a catalog file, a model file, a config. The message
/// names the origin (file and JSON pointer, or file and offset). Exit code 2.
class InputError : public Error {
public:
  using Error::Error;
};

/// Several input problems found in one pass (for example every problem of a
/// catalog file); what() lists them one per line.
class InputErrors : public InputError {
public:
  explicit InputErrors(const std::vector<std::string>& problems);
  /// The individual problems, each already prefixed with its location.
  const std::vector<std::string>& problems() const noexcept { return m_problems; }

private:
  std::vector<std::string> m_problems;
};

}  // namespace vramfit
