#include "file_source.hpp"

#include "vramfit/support/error.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace vramfit::cli {

FileSource::FileSource(const std::string& path) {
  m_fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (m_fd < 0) {
    throw InputError(path + ": cannot open (" + std::strerror(errno) + ")");
  }
  struct stat st {};
  if (::fstat(m_fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(m_fd);
    throw InputError(path + ": not a regular file");
  }
  m_size = static_cast<std::uint64_t>(st.st_size);
}

FileSource::~FileSource() {
  if (m_fd >= 0) {
    ::close(m_fd);
  }
}

bool FileSource::read(std::uint64_t offset, void* out, std::size_t length) {
  auto* dst = static_cast<char*>(out);
  while (length > 0) {
    const auto n = ::pread(m_fd, dst, length, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      return false;
    }
    dst += n;
    offset += static_cast<std::uint64_t>(n);
    length -= static_cast<std::size_t>(n);
  }
  return true;
}

GgufModel load_gguf_model(const std::string& path) {
  std::vector<GgufFile> parts;
  const auto names = gguf_split_part_names(path);
  for (const auto& name : names) {
    if (names.size() > 1 && ::access(name.c_str(), F_OK) != 0) {
      std::string what = name;
      what += ": split part not found (";
      what += path;
      what += " names it)";
      throw InputError(what);
    }
    FileSource source(name);
    parts.push_back(read_gguf(source, name));
  }
  return gguf_model(std::move(parts));
}

std::string read_text_file(const std::string& path, const char* what) {
  constexpr std::uint64_t k_max = std::uint64_t{16} * 1024 * 1024;
  FileSource source(path);
  if (source.size() > k_max) {
    throw InputError(path + ": " + what + " is larger than 16 MiB");
  }
  std::string text(static_cast<std::size_t>(source.size()), '\0');
  if (!text.empty() && !source.read(0, text.data(), text.size())) {
    throw InputError(path + ": cannot read " + what);
  }
  return text;
}

}  // namespace vramfit::cli
