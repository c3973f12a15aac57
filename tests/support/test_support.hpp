#pragma once

// Helpers shared by the unit tests: the embedded catalog and the reference
// inventories in tests/data.

#include "vramfit/input/catalog.hpp"
#include "vramfit/model/inventory.hpp"

#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>
#include <string>

namespace vramfit::test {

inline const Catalog& embedded() {
  static const Catalog k_catalog = load_catalog(embedded_catalog_texts());
  return k_catalog;
}

inline std::string read_text(const std::string& relative_path) {
  std::ifstream in(std::string(VRAMFIT_TEST_DATA_DIR) + "/" + relative_path, std::ios::binary);
  if (!in) {
    throw std::runtime_error("cannot open test data " + relative_path);
  }
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

/// A reference inventory (tests/data/inventories/<name>.json) as TensorSpecs.
inline std::vector<TensorSpec> reference_inventory(const std::string& name) {
  const auto j = nlohmann::json::parse(read_text("inventories/" + name + ".json"));
  std::vector<TensorSpec> out;
  for (const auto& t : j.at("tensors")) {
    TensorSpec s;
    s.name = t.at("name").get<std::string>();
    s.ne = {1, 1, 1, 1};
    const auto& ne = t.at("ne");
    for (std::size_t i = 0; i < ne.size(); ++i) {
      s.ne[i] = ne[i].get<std::uint64_t>();
    }
    s.n_dims = static_cast<std::uint32_t>(ne.size());
    s.type = *ggml_type_from_name(t.at("type").get<std::string>());
    s.layer = layer_of(s.name);
    out.push_back(s);
  }
  return out;
}

} // namespace vramfit::test
