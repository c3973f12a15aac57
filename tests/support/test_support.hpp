#pragma once

// Helpers shared by the unit tests: a frozen catalog (tests/data/unit-catalog,
// a copy of data/ as the tests were written, so a data fix cannot break an
// arithmetic test) and the reference inventories in tests/data.

#include "vramfit/input/catalog.hpp"
#include "vramfit/model/inventory.hpp"

#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>
#include <string>

namespace vramfit::test {

inline std::string read_text(const std::string& relative_path);

/// The frozen unit-test catalog.
inline const Catalog& catalog() {
  static const Catalog k_catalog = [] {
    static const std::string models = read_text("unit-catalog/models.json");
    static const std::string quants = read_text("unit-catalog/quants.json");
    static const std::string gpus = read_text("unit-catalog/gpus.json");
    const std::vector<CatalogText> texts{
        {"unit-catalog/models.json", models}, {"unit-catalog/quants.json", quants}, {"unit-catalog/gpus.json", gpus}};
    return load_catalog(texts);
  }();
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

}  // namespace vramfit::test
