#include "vramfit/input/gguf.hpp"

#include "vramfit/support/error.hpp"
#include "vramfit/support/text.hpp"

#include <algorithm>
#include <cstring>
#include <numeric>

namespace vramfit {
namespace {

constexpr std::size_t k_buffer_bytes = 1 << 20;

// Sequential reads through a fixed buffer; every read is checked against the
// bytes that remain, and errors carry the offset.
class Cursor {
public:
  Cursor(ByteSource& source, const std::string& origin)
      : m_source(source), m_origin(origin), m_size(source.size()),
        m_buffer(std::min<std::uint64_t>(k_buffer_bytes, m_size)) {}

  std::uint64_t position() const { return m_pos; }
  std::uint64_t remaining() const { return m_size - m_pos; }

  [[noreturn]] void fail(const std::string& what) const { fail_at(m_pos, what); }
  [[noreturn]] void fail_at(std::uint64_t offset, const std::string& what) const {
    throw InputError(m_origin + ": offset " + std::to_string(offset) + ": " + what);
  }

  void need(std::uint64_t bytes, const char* what) const {
    if (bytes > remaining()) {
      fail(std::string("truncated ") + what + ": needs " + std::to_string(bytes) + " bytes, " +
           std::to_string(remaining()) + " remain");
    }
  }

  void read(void* out, std::size_t bytes, const char* what) {
    need(bytes, what);
    auto* dst = static_cast<unsigned char*>(out);
    while (bytes > 0) {
      if (m_pos < m_buf_start || m_pos >= m_buf_start + m_buf_len) {
        fill();
      }
      const std::size_t offset = static_cast<std::size_t>(m_pos - m_buf_start);
      const std::size_t n = std::min(bytes, m_buf_len - offset);
      std::memcpy(dst, m_buffer.data() + offset, n);
      dst += n;
      bytes -= n;
      m_pos += n;
    }
  }

  void skip(std::uint64_t bytes, const char* what) {
    need(bytes, what);
    m_pos += bytes;
  }

  template <typename T> T scalar(const char* what) {
    T v{};
    // Fast path: the value lies in the buffer.
    if (m_pos >= m_buf_start && m_pos + sizeof(T) <= m_buf_start + m_buf_len) {
      std::memcpy(&v, m_buffer.data() + (m_pos - m_buf_start), sizeof(T));
      m_pos += sizeof(T);
      return v;  // GGUF is little-endian, as is every platform vramfit builds for
    }
    read(&v, sizeof(T), what);
    return v;
  }

  // A GGUF string's u64 length, checked against the bytes that remain.
  std::uint64_t string_length(const char* what) {
    const auto at = m_pos;
    const auto length = scalar<std::uint64_t>(what);
    if (length > remaining()) {
      fail_at(at, std::string(what) + " length " + std::to_string(length) + " exceeds the " +
                      std::to_string(remaining()) + " bytes that remain");
    }
    return length;
  }

  // Skips a GGUF string without keeping it; false when it is not UTF-8.
  bool skip_string(const char* what) {
    const auto length = string_length(what);
    Utf8Validator utf8;
    std::array<char, 4096> chunk{};
    for (std::uint64_t left = length; left > 0;) {
      const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(left, chunk.size()));
      read(chunk.data(), n, what);
      utf8.feed(std::string_view(chunk.data(), n));
      left -= n;
    }
    return utf8.finish();
  }

  // A GGUF string: u64 length, then bytes. Keeps at most `keep` bytes.
  std::string string(std::size_t keep, bool& truncated, const char* what) {
    const auto length = string_length(what);
    const auto kept = static_cast<std::size_t>(std::min<std::uint64_t>(length, keep));
    std::string out(kept, '\0');
    read(out.data(), kept, what);
    skip(length - kept, what);
    truncated = kept < length;
    return out;
  }

private:
  void fill() {
    m_buf_start = m_pos;
    m_buf_len = static_cast<std::size_t>(std::min<std::uint64_t>(m_buffer.size(), m_size - m_pos));
    if (!m_source.read(m_pos, m_buffer.data(), m_buf_len)) {
      fail("read error");
    }
  }

  ByteSource& m_source;
  const std::string& m_origin;
  std::uint64_t m_size;
  std::uint64_t m_pos = 0;
  std::vector<unsigned char> m_buffer;
  std::uint64_t m_buf_start = 0;
  std::size_t m_buf_len = 0;
};

// Bytes one element of a fixed-size type takes; 0 for strings and arrays.
std::uint64_t fixed_size(GgufType t) {
  switch (t) {
    case GgufType::uint8:
    case GgufType::int8:
    case GgufType::boolean:
      return 1;
    case GgufType::uint16:
    case GgufType::int16:
      return 2;
    case GgufType::uint32:
    case GgufType::int32:
    case GgufType::float32:
      return 4;
    case GgufType::uint64:
    case GgufType::int64:
    case GgufType::float64:
      return 8;
    case GgufType::string:
    case GgufType::array:
      return 0;
  }
  return 0;
}

// The smallest encoding of an element: a string needs its 8-byte length, an
// array its 4-byte type and 8-byte count.
std::uint64_t min_size(GgufType t) {
  return t == GgufType::string ? 8 : t == GgufType::array ? 12 : fixed_size(t);
}

GgufType read_type(Cursor& c, const char* what) {
  const auto at = c.position();
  const auto raw = c.scalar<std::uint32_t>(what);
  if (raw > static_cast<std::uint32_t>(GgufType::float64)) {
    c.fail_at(at, std::string("unknown ") + what + " " + std::to_string(raw));
  }
  return static_cast<GgufType>(raw);
}

// What a hostile file may make the reader keep in memory, in total: array
// elements and string bytes beyond these are read and checked, then dropped.
struct Budget {
  std::uint64_t elements = 131072;
  std::uint64_t string_bytes = 4u << 20;
};

void read_value(Cursor& c, GgufType type, GgufValue& v, const GgufLimits& limits, std::uint32_t depth, Budget& budget);

// An array's element type and count, at nesting `depth`: the count is
// checked against the bytes that remain before anything is sized by it.
std::pair<GgufType, std::uint64_t> array_header(Cursor& c, const GgufLimits& limits, std::uint32_t depth) {
  if (depth >= limits.max_nesting) {
    c.fail("arrays nested deeper than " + std::to_string(limits.max_nesting) + " levels");
  }
  const auto element = read_type(c, "array element type");
  const auto at = c.position();
  const auto n = c.scalar<std::uint64_t>("array length");
  const auto per = min_size(element);
  if (per > 0 && n > c.remaining() / per) {
    c.fail_at(at, "array of " + std::to_string(n) + " " + std::string(name(element)) +
                      " elements does not fit in the " + std::to_string(c.remaining()) + " bytes that remain");
  }
  return {element, n};
}

// Checks and skips `count` elements of `type` without keeping them (tokenizer
// vocabularies and merges: hundreds of thousands of strings).
// Returns false when a string among them is not UTF-8.
bool skip_elements(Cursor& c, GgufType type, std::uint64_t count, const GgufLimits& limits, std::uint32_t depth) {
  bool utf8 = true;
  if (type == GgufType::string) {
    for (std::uint64_t k = 0; k < count; ++k) {
      utf8 = c.skip_string("string value") && utf8;
    }
    return utf8;
  }
  if (type == GgufType::array) {
    for (std::uint64_t k = 0; k < count; ++k) {
      const auto [element, n] = array_header(c, limits, depth);
      utf8 = skip_elements(c, element, n, limits, depth + 1) && utf8;
    }
    return utf8;
  }
  if (type == GgufType::boolean) {
    for (std::uint64_t k = 0; k < count; ++k) {
      const auto at = c.position();
      if (c.scalar<std::uint8_t>("bool value") > 1) {
        c.fail_at(at, "bool value is neither 0 nor 1");
      }
    }
    return utf8;
  }
  c.skip(count * fixed_size(type), "array");  // the caller checked count against the remaining bytes
  return utf8;
}

void read_scalar(Cursor& c, GgufType type, GgufValue& v) {
  switch (type) {
    case GgufType::uint8:
      v.u = c.scalar<std::uint8_t>("u8 value");
      break;
    case GgufType::int8:
      v.i = c.scalar<std::int8_t>("i8 value");  // NOLINT(bugprone-signed-char-misuse): a signed GGUF value
      break;
    case GgufType::uint16:
      v.u = c.scalar<std::uint16_t>("u16 value");
      break;
    case GgufType::int16:
      v.i = c.scalar<std::int16_t>("i16 value");
      break;
    case GgufType::uint32:
      v.u = c.scalar<std::uint32_t>("u32 value");
      break;
    case GgufType::int32:
      v.i = c.scalar<std::int32_t>("i32 value");
      break;
    case GgufType::float32:
      v.f = static_cast<double>(c.scalar<float>("f32 value"));
      break;
    case GgufType::boolean: {
      const auto at = c.position();
      const auto b = c.scalar<std::uint8_t>("bool value");
      if (b > 1) {
        c.fail_at(at, "bool value " + std::to_string(b) + " is neither 0 nor 1");
      }
      v.u = b;
      break;
    }
    case GgufType::uint64:
      v.u = c.scalar<std::uint64_t>("u64 value");
      break;
    case GgufType::int64:
      v.i = c.scalar<std::int64_t>("i64 value");
      break;
    case GgufType::float64:
      v.f = c.scalar<double>("f64 value");
      break;
    case GgufType::string:
    case GgufType::array:
      break;
  }
}

void read_value(Cursor& c, GgufType type, GgufValue& v, const GgufLimits& limits, std::uint32_t depth, Budget& budget) {
  const auto start = c.position();
  v.type = type;
  if (type == GgufType::string) {
    const auto keep = static_cast<std::size_t>(std::min<std::uint64_t>(limits.max_kept_string, budget.string_bytes));
    v.s = c.string(keep, v.truncated, "string value");
    v.utf8 = valid_utf8(v.s);
    budget.string_bytes -= v.s.size();
  } else if (type == GgufType::array) {
    std::tie(v.element_type, v.count) = array_header(c, limits, depth);
    const bool keep = v.count <= limits.max_kept_array && v.count <= budget.elements;
    if (keep) {
      budget.elements -= v.count;
    }
    if (!keep) {
      v.utf8 = skip_elements(c, v.element_type, v.count, limits, depth + 1);
    } else {
      v.elements.resize(static_cast<std::size_t>(v.count));
      for (auto& e : v.elements) {
        read_value(c, v.element_type, e, limits, depth + 1, budget);
        v.utf8 = v.utf8 && e.utf8;
      }
    }
  } else {
    read_scalar(c, type, v);
  }
  v.encoded_bytes = c.position() - start;
}

}  // namespace

bool MemorySource::read(std::uint64_t offset, void* out, std::size_t length) {
  if (offset > m_size || length > m_size - offset) {
    return false;
  }
  std::memcpy(out, m_data + offset, length);
  return true;
}

std::string_view name(GgufType type) noexcept {
  switch (type) {
    case GgufType::uint8:
      return "u8";
    case GgufType::int8:
      return "i8";
    case GgufType::uint16:
      return "u16";
    case GgufType::int16:
      return "i16";
    case GgufType::uint32:
      return "u32";
    case GgufType::int32:
      return "i32";
    case GgufType::float32:
      return "f32";
    case GgufType::boolean:
      return "bool";
    case GgufType::string:
      return "str";
    case GgufType::array:
      return "arr";
    case GgufType::uint64:
      return "u64";
    case GgufType::int64:
      return "i64";
    case GgufType::float64:
      return "f64";
  }
  return "?";
}

std::optional<std::uint64_t> GgufValue::as_uint() const {
  switch (type) {
    case GgufType::uint8:
    case GgufType::uint16:
    case GgufType::uint32:
    case GgufType::uint64:
    case GgufType::boolean:
      return u;
    case GgufType::int8:
    case GgufType::int16:
    case GgufType::int32:
    case GgufType::int64:
      return i >= 0 ? std::optional<std::uint64_t>(static_cast<std::uint64_t>(i)) : std::nullopt;
    default:
      return std::nullopt;
  }
}

std::optional<double> GgufValue::as_float() const {
  if (type == GgufType::float32 || type == GgufType::float64) {
    return f;
  }
  if (const auto v = as_uint()) {
    return static_cast<double>(*v);
  }
  if (type == GgufType::int8 || type == GgufType::int16 || type == GgufType::int32 || type == GgufType::int64) {
    return static_cast<double>(i);
  }
  return std::nullopt;
}

const GgufValue* GgufFile::find(std::string_view key) const {
  for (const auto& [k, v] : metadata) {
    if (k == key) {
      return &v;
    }
  }
  return nullptr;
}

Bytes GgufFile::tensor_bytes() const {
  Bytes total = 0;
  for (const auto& t : tensors) {
    total = checked_add(total, t.bytes, "tensor bytes");
  }
  return total;
}

GgufFile read_gguf(ByteSource& source, const std::string& origin, const GgufLimits& limits) {
  GgufFile f;
  f.origin = origin;
  f.file_bytes = source.size();
  Cursor c(source, origin);

  char magic[4] = {};
  c.read(magic, 4, "magic");
  if (std::memcmp(magic, "GGUF", 4) != 0) {
    c.fail_at(0, "not a GGUF file (magic is not \"GGUF\")");
  }
  f.version = c.scalar<std::uint32_t>("version");
  if ((f.version & 0xFFFFU) == 0 && (f.version >> 16U) != 0) {
    c.fail_at(4, "big-endian GGUF files are not supported");
  }
  if (f.version == 1) {
    c.fail_at(4, "GGUF version 1 is obsolete (32-bit counts); convert the model again");
  }
  if (f.version != 2 && f.version != 3) {
    c.fail_at(4, "unsupported GGUF version " + std::to_string(f.version) + " (2 and 3 are supported)");
  }
  const auto n_tensors_at = c.position();
  const auto n_tensors = c.scalar<std::uint64_t>("tensor count");
  const auto n_kv_at = c.position();
  const auto n_kv = c.scalar<std::uint64_t>("key/value count");
  // Each key/value takes at least 8 + 1 + 4 + 1 bytes, each tensor info 8 + 1 + 4 + 8 + 4 + 8.
  if (n_kv > limits.max_kv || n_kv > c.remaining() / 14) {
    c.fail_at(n_kv_at, "key/value count " + std::to_string(n_kv) + " is more than the file can hold");
  }
  if (n_tensors > limits.max_tensors || n_tensors > c.remaining() / 33) {
    c.fail_at(n_tensors_at, "tensor count " + std::to_string(n_tensors) + " is more than the file can hold");
  }

  Budget budget;
  f.metadata.reserve(static_cast<std::size_t>(n_kv));
  for (std::uint64_t k = 0; k < n_kv; ++k) {
    const auto key_at = c.position();
    bool truncated = false;
    std::string key = c.string(limits.max_name, truncated, "key");
    if (truncated || key.empty()) {
      c.fail_at(key_at, truncated ? "key longer than " + std::to_string(limits.max_name) + " bytes" : "empty key");
    }
    if (f.find(key) != nullptr) {
      c.fail_at(key_at, "duplicate key '" + key + "'");
    }
    const auto type = read_type(c, "value type");
    GgufValue value;
    read_value(c, type, value, limits, 0, budget);
    f.metadata.emplace_back(std::move(key), std::move(value));
  }

  if (const auto* a = f.find("general.alignment")) {
    const auto v = a->as_uint();
    if (a->type != GgufType::uint32 || !v || *v == 0 || (*v & (*v - 1)) != 0 || *v > (1U << 16)) {
      throw InputError(origin + ": general.alignment must be a u32 power of two up to 65536");
    }
    f.alignment = *v;
  }

  f.tensors.reserve(static_cast<std::size_t>(n_tensors));
  for (std::uint64_t k = 0; k < n_tensors; ++k) {
    const auto info_at = c.position();
    GgufTensorInfo t;
    bool truncated = false;
    t.name = c.string(limits.max_name, truncated, "tensor name");
    if (truncated || t.name.empty()) {
      c.fail_at(info_at, truncated ? "tensor name longer than " + std::to_string(limits.max_name) + " bytes"
                                   : "empty tensor name");
    }
    const auto dims_at = c.position();
    t.n_dims = c.scalar<std::uint32_t>("tensor dimension count");
    if (t.n_dims == 0 || t.n_dims > 4) {
      c.fail_at(dims_at, "tensor '" + t.name + "' has " + std::to_string(t.n_dims) + " dimensions (1 to 4 allowed)");
    }
    std::uint64_t elements = 1;
    for (std::uint32_t d = 0; d < t.n_dims; ++d) {
      const auto dim_at = c.position();
      t.ne[d] = c.scalar<std::uint64_t>("tensor dimension");
      if (t.ne[d] == 0 || t.ne[d] > (std::uint64_t{1} << 40)) {
        c.fail_at(dim_at, "tensor '" + t.name + "' dimension " + std::to_string(d) + " is " + std::to_string(t.ne[d]));
      }
      if (__builtin_mul_overflow(elements, t.ne[d], &elements) || elements > (std::uint64_t{1} << 48)) {
        c.fail_at(dim_at, "tensor '" + t.name + "' has too many elements");
      }
    }
    const auto type_at = c.position();
    const auto raw_type = c.scalar<std::uint32_t>("tensor type");
    const auto type = ggml_type_from_id(raw_type);
    if (!type) {
      c.fail_at(type_at, "tensor '" + t.name + "' has unknown ggml type " + std::to_string(raw_type));
    }
    t.type = *type;
    if (!row_fits(t.type, t.ne[0])) {
      c.fail_at(type_at, "tensor '" + t.name + "': a row of " + std::to_string(t.ne[0]) +
                             " elements is not a whole number of " + std::string(name(t.type)) + " blocks");
    }
    t.bytes = tensor_bytes(t.type, t.ne[0], t.ne[1] * t.ne[2] * t.ne[3]);
    const auto offset_at = c.position();
    t.offset = c.scalar<std::uint64_t>("tensor data offset");
    if (t.offset % f.alignment != 0) {
      c.fail_at(offset_at, "tensor '" + t.name + "' data offset " + std::to_string(t.offset) + " is not aligned to " +
                               std::to_string(f.alignment));
    }
    f.tensors.push_back(std::move(t));
  }

  // Data starts at the next alignment boundary; every tensor must lie inside
  // the file and no two may overlap.
  const auto header_end = c.position();
  f.data_offset = checked_pad(header_end, f.alignment, "data offset");
  const Bytes data_bytes = f.file_bytes >= f.data_offset ? f.file_bytes - f.data_offset : 0;
  std::vector<std::size_t> order(f.tensors.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return f.tensors[a].offset < f.tensors[b].offset; });
  std::uint64_t previous_end = 0;
  const GgufTensorInfo* previous = nullptr;
  for (const auto i : order) {
    const auto& t = f.tensors[i];
    if (t.offset > data_bytes || t.bytes > data_bytes - t.offset) {
      throw InputError(origin + ": tensor '" + t.name + "' data (" + std::to_string(t.bytes) + " bytes at offset " +
                       std::to_string(f.data_offset + t.offset) + ") extends past the end of the file (" +
                       std::to_string(f.file_bytes) + " bytes)");
    }
    if (previous != nullptr && t.offset < previous_end) {
      throw InputError(origin + ": tensor '" + t.name + "' data overlaps tensor '" + previous->name + "'");
    }
    previous_end = t.offset + t.bytes;
    previous = &t;
  }
  std::vector<std::string_view> names;
  names.reserve(f.tensors.size());
  for (const auto& t : f.tensors) {
    names.push_back(t.name);
  }
  std::sort(names.begin(), names.end());
  const auto dup = std::adjacent_find(names.begin(), names.end());
  if (dup != names.end()) {
    throw InputError(origin + ": duplicate tensor name '" + std::string(*dup) + "'");
  }
  return f;
}

std::vector<std::string> gguf_split_part_names(std::string_view file_name) {
  // "<stem>-NNNNN-of-MMMMM.gguf", as llama.cpp's gguf-split names parts.
  constexpr std::string_view k_suffix = ".gguf";
  const auto digits = [](std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  if (file_name.size() > k_suffix.size() + 16 && file_name.substr(file_name.size() - k_suffix.size()) == k_suffix) {
    const auto body = file_name.substr(0, file_name.size() - k_suffix.size());
    const auto tail = body.substr(body.size() - 15);  // -NNNNN-of-MMMMM
    if (tail[0] == '-' && tail.substr(6, 4) == "-of-" && digits(tail.substr(1, 5)) && digits(tail.substr(10, 5))) {
      const auto count = std::stoul(std::string(tail.substr(10, 5)));
      const auto stem = body.substr(0, body.size() - 15);
      if (count >= 1 && count <= 9999) {
        std::vector<std::string> out;
        char buf[32];
        for (unsigned long k = 1; k <= count; ++k) {
          std::snprintf(buf, sizeof buf, "-%05lu-of-%05lu", k, count);
          out.push_back(std::string(stem) + buf + std::string(k_suffix));
        }
        return out;
      }
    }
  }
  return {std::string(file_name)};
}

}  // namespace vramfit
