#include "vramfit/support/error.hpp"

#include "vramfit/support/bytes.hpp"

namespace vramfit {
namespace {

std::string join_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& line : lines) {
    if (!out.empty()) {
      out += '\n';
    }
    out += line;
  }
  return out;
}

}  // namespace

InputErrors::InputErrors(const std::vector<std::string>& problems)
    : InputError(join_lines(problems)), m_problems(problems) {
}

Bytes checked_add(Bytes a, Bytes b, const char* what) {
  Bytes out = 0;
  if (__builtin_add_overflow(a, b, &out)) {
    throw InputError(std::string(what) + ": size overflows 64 bits");
  }
  return out;
}

Bytes checked_mul(Bytes a, Bytes b, const char* what) {
  Bytes out = 0;
  if (__builtin_mul_overflow(a, b, &out)) {
    throw InputError(std::string(what) + ": size overflows 64 bits");
  }
  return out;
}

Bytes checked_pad(Bytes value, Bytes alignment, const char* what) {
  if (alignment == 0) {
    return value;
  }
  const Bytes rem = value % alignment;
  return rem == 0 ? value : checked_add(value, alignment - rem, what);
}

}  // namespace vramfit
