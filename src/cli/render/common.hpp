#pragma once

// Formatting shared by the renderers: numbers for humans with their provenance
// marks, the verdict words, tables and headings in plain text or Markdown, and
// the one JSON envelope every document starts with.

#include "render/render.hpp"
#include "render/text_table.hpp"

#include <nlohmann/json.hpp>

#include <string>

namespace vramfit::cli {

using ojson = nlohmann::ordered_json;

/// "GiB" or "GB".
const char* unit_label(SizeUnit u);
/// Bytes in the unit, two decimals: "23.75".
std::string fixed(Bytes b, SizeUnit u);
/// A signed difference in the unit, two decimals with a sign: "+0.33".
std::string signed_fixed(ByteDelta d, SizeUnit u);
/// About three significant digits with the largest fitting prefix ("62.8 MiB").
std::string human(Bytes b, SizeUnit u);
/// 1234567 -> "1,234,567".
std::string with_commas(std::uint64_t n);
/// "~" before an estimate, "^" after a published file's size; exact numbers unmarked.
std::string mark(const std::string& text, Provenance p);
/// Decode speed, an estimate: "~121", "~8.5".
std::string speed_text(const SpeedEstimate& e);
/// A duration as "~0.17s", "~2.4s", "~31s": an estimate.
std::string seconds_text(double seconds);
/// The verdict for tables: "fits", "maybe", "OVER".
std::string verdict_word(Verdict v);
/// The table colour of a verdict.
Color verdict_color(Verdict v);
/// "q8_0", or "K q8_0 / V f16".
std::string cache_label(const RunSettings& s);
/// "1 sequence", "4 sequences (unified KV)".
std::string sequences_label(const RunSettings& s);
/// "8,192", "262,144 (native)".
std::string context_label(const ContextResult& c);

/// The width compact output keeps to.
inline constexpr std::size_t k_screen_columns = 100;
/// Whether the human output is the screen's worth (table format, not --wide).
bool compact(const RenderContext& ctx);
/// `text` broken at spaces into lines of at most k_screen_columns in compact
/// output, continuation lines indented by `indent`; unchanged otherwise.
std::string wrap(const std::string& text, const RenderContext& ctx, std::string_view indent = "  ");

/// A table as the format wants it (plain with optional colour, or Markdown).
std::string render_table(const TextTable& t, const RenderContext& ctx);
/// A table's title line (bold in Markdown).
std::string heading(const std::string& text, const RenderContext& ctx);
/// The line break inside a block of text ("  \n" in Markdown, so lines stay lines).
const char* line_break(const RenderContext& ctx);
/// Text that follows a table: Markdown needs a blank line, or it becomes table rows.
std::string after_table(const RenderContext& ctx);

/// The envelope of every JSON document: schema_version, vramfit_version,
/// command and catalog.
ojson json_document(std::string_view command, const RenderContext& ctx);

/// A JSON document as text (2-space indent, a final newline); bytes that are
/// not UTF-8 become U+FFFD instead of failing.
std::string json_text(const ojson& doc);
/// A CSV cell, quoted when it holds a comma, quote or newline.
std::string csv_escape(const std::string& s);
/// The report's run settings as JSON.
ojson settings_json(const Report& r);

}  // namespace vramfit::cli
