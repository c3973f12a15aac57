#pragma once

// A GGUF header reader: metadata key/values of every GGUF value type (nested
// arrays included) and tensor infos (name, shape, type, offset), never the
// tensor data. It reads through a bounded buffer from a ByteSource, checks
// every count and length against the bytes that remain before trusting it,
// and keeps large arrays (tokenizer vocabularies) only as counts, so a
// multi-hundred-GB model costs a few MB of memory and milliseconds.
//
// GGUF layout (ggml/docs/gguf.md, ggml/src/gguf.cpp): magic "GGUF", u32
// version (2 or 3), u64 tensor count, u64 key/value count, key/values, tensor
// infos, padding to general.alignment (default 32), tensor data.

#include "vramfit/model/ggml_type.hpp"
#include "vramfit/support/bytes.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vramfit {

/// Random-access bytes of a model file, or of memory in tests and fuzzers.
class ByteSource {
public:
  virtual ~ByteSource() = default;
  /// Total bytes available.
  virtual std::uint64_t size() const = 0;
  /// Copies `length` bytes at `offset` into `out`. Callers never ask past size();
  /// returns false on an I/O error.
  virtual bool read(std::uint64_t offset, void* out, std::size_t length) = 0;
};

/// A ByteSource over bytes in memory (not owned).
class MemorySource final : public ByteSource {
public:
  MemorySource(const void* data, std::size_t size) : m_data(static_cast<const unsigned char*>(data)), m_size(size) {}
  std::uint64_t size() const override { return m_size; }
  bool read(std::uint64_t offset, void* out, std::size_t length) override;

private:
  const unsigned char* m_data;
  std::size_t m_size;
};

/// GGUF metadata value types (enum gguf_type).
enum class GgufType : std::uint32_t {
  uint8 = 0,
  int8 = 1,
  uint16 = 2,
  int16 = 3,
  uint32 = 4,
  int32 = 5,
  float32 = 6,
  boolean = 7,
  string = 8,
  array = 9,
  uint64 = 10,
  int64 = 11,
  float64 = 12,
};

/// GGUF's name of a value type ("u32", "str", "arr").
std::string_view name(GgufType type) noexcept;

/// One metadata value. Scalars are stored widened; strings up to 64 KiB are
/// kept; arrays keep their elements only up to 65536 of them (larger arrays,
/// such as tokenizer vocabularies, keep their count and encoded size).
struct GgufValue {
  GgufType type = GgufType::uint8;
  std::uint64_t u = 0;  ///< unsigned scalars and bools
  std::int64_t i = 0;   ///< signed scalars
  double f = 0;         ///< floats
  std::string s;        ///< strings (possibly truncated, see truncated)
  bool truncated = false;
  bool utf8 = true;  ///< strings: valid UTF-8 (arrays: every string element, kept or skipped)

  GgufType element_type = GgufType::uint8;  ///< arrays: the element type
  std::uint64_t count = 0;                  ///< arrays: elements in the file
  std::vector<GgufValue> elements;          ///< arrays: the elements, when kept
  Bytes encoded_bytes = 0;                  ///< bytes this value takes in the file

  /// The value as an unsigned integer if it is a non-negative integer (or bool).
  std::optional<std::uint64_t> as_uint() const;
  /// The value as a double if it is numeric.
  std::optional<double> as_float() const;
  /// True when the elements of an array were kept.
  bool elements_kept() const { return type == GgufType::array && elements.size() == count; }
};

/// One tensor info.
struct GgufTensorInfo {
  std::string name;
  std::array<std::uint64_t, 4> ne{1, 1, 1, 1};
  std::uint32_t n_dims = 0;
  GgmlType type = GgmlType::f32;
  std::uint64_t offset = 0;  ///< from the start of the data section
  Bytes bytes = 0;           ///< ggml size of the tensor
};

/// A parsed GGUF header.
struct GgufFile {
  std::string origin;  ///< the file name, for messages
  std::uint32_t version = 0;
  Bytes file_bytes = 0;
  std::uint64_t alignment = 32;
  std::uint64_t data_offset = 0;                            ///< start of the tensor data section
  std::vector<std::pair<std::string, GgufValue>> metadata;  ///< in file order
  std::vector<GgufTensorInfo> tensors;                      ///< in file order

  /// The value of `key`, or null.
  const GgufValue* find(std::string_view key) const;
  /// Sum of the tensors' sizes.
  Bytes tensor_bytes() const;
};

/// Limits a reader enforces; the defaults suit any real model.
struct GgufLimits {
  std::uint64_t max_tensors = 1u << 17;
  std::uint64_t max_kv = 1u << 16;
  std::size_t max_kept_array = 65536;
  std::size_t max_kept_string = 65536;
  std::size_t max_name = 256;
  std::uint32_t max_nesting = 8;
};

/// Reads the header of a GGUF file. Throws InputError "<origin>: offset N: what"
/// for anything malformed: bad magic or version, truncation, counts or lengths
/// larger than the file, unknown types, bad shapes, misaligned, out-of-range or
/// overlapping tensor data.
GgufFile read_gguf(ByteSource& source, const std::string& origin, const GgufLimits& limits = {});

/// For a split file name "<stem>-00002-of-00005.gguf", the names of all parts
/// in order; for any other name, just that name.
std::vector<std::string> gguf_split_part_names(std::string_view file_name);

}  // namespace vramfit
