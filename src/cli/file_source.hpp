#pragma once

// Model files for the library's readers: a ByteSource over a file descriptor
// (pread, no mapping), and the parts of a split GGUF file found on disk.

#include "vramfit/input/gguf.hpp"
#include "vramfit/input/gguf_model.hpp"

#include <string>

namespace vramfit::cli {

/// A read-only file read with pread; closes it on destruction.
class FileSource final : public ByteSource {
public:
  explicit FileSource(const std::string& path);
  ~FileSource() override;
  FileSource(const FileSource&) = delete;
  FileSource& operator=(const FileSource&) = delete;

  std::uint64_t size() const override { return m_size; }
  bool read(std::uint64_t offset, void* out, std::size_t length) override;

private:
  int m_fd = -1;
  std::uint64_t m_size = 0;
};

/// Reads the header of `path` and, for a split file, of every part next to
/// it; throws InputError naming the missing part.
GgufModel load_gguf_model(const std::string& path);

/// The whole content of a small text file (catalogs, configs), at most 16 MiB.
std::string read_text_file(const std::string& path, const char* what);

}  // namespace vramfit::cli
