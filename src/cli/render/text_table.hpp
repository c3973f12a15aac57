#pragma once

// A small text-table helper: right-aligned numbers, deterministic layout,
// plain (padded columns) or Markdown. Colour is applied after padding so it
// never disturbs alignment.

#include <string>
#include <vector>

namespace vramfit::cli {

enum class Align { left, right };
enum class Color { none, green, red, yellow };

struct Column {
  std::string header;
  Align align = Align::right;
};

struct Cell {
  std::string text;
  Color color = Color::none;
  Cell() = default;
  Cell(std::string t) : text(std::move(t)) {}  // NOLINT(google-explicit-constructor): cells read like strings
  Cell(const char* t) : text(t) {}             // NOLINT(google-explicit-constructor)
  Cell(std::string t, Color c) : text(std::move(t)), color(c) {}
};

class TextTable {
public:
  explicit TextTable(std::vector<Column> columns);

  void add_row(std::vector<Cell> cells);
  /// add_row, but a row whose cells after the first equal the previous row's
  /// joins it: "BF16" then an identical "F16" become one row "BF16/F16".
  void add_row_merging(std::vector<Cell> cells);
  bool empty() const { return m_rows.empty(); }

  /// Columns separated by two spaces, a dashed rule under the header.
  std::string render_plain(bool use_color) const;
  /// A GitHub-flavoured Markdown table.
  std::string render_markdown() const;

  /// `text` in a terminal colour (ANSI escapes; none for Color::none).
  static std::string colorize(const std::string& text, Color color);

private:
  std::vector<Column> m_columns;
  std::vector<std::vector<Cell>> m_rows;
};

}  // namespace vramfit::cli
