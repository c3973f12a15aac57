#pragma once

// Hugging Face config.json -> a model vramfit can size. The library takes the
// JSON text; reading the file is the caller's job. Nested text_config
// (multimodal checkpoints such as Qwen3.5/3.6 and Gemma 3) is followed.

#include "vramfit/input/catalog.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace vramfit {

/// The model described by a config.json. `origin` names the file in messages.
/// Throws InputError "<origin>: <field>: <what>" for invalid JSON, a
/// model_type vramfit does not map (the message lists the supported ones), or
/// missing or inconsistent fields. `notes` receives the assumptions made.
CatalogModel model_from_hf_config(std::string_view text, const std::string& origin, std::vector<std::string>& notes);

/// The model_types model_from_hf_config understands.
std::vector<std::string_view> supported_hf_model_types();

/// A user-catalog document holding `model` (one entry of "models"), ready to
/// merge with --catalog. It parses back into the same model.
std::string catalog_entry_json(const CatalogModel& model);

}  // namespace vramfit
