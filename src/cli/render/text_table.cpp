#include "render/text_table.hpp"

#include <algorithm>
#include <stdexcept>

namespace vramfit::cli {
namespace {

// Display width of UTF-8 text: one column per code point.
std::size_t display_width(const std::string& s) {
  return static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0U) != 0x80U; }));
}

std::string colored_text(const std::string& text, Color color) {
  switch (color) {
    case Color::none:
      return text;
    case Color::green:
      return "\033[32m" + text + "\033[0m";
    case Color::red:
      return "\033[31m" + text + "\033[0m";
    case Color::yellow:
      return "\033[33m" + text + "\033[0m";
  }
  return text;
}

std::string pad(const std::string& text, std::size_t width, Align align) {
  const std::size_t w = display_width(text);
  const std::string fill(w < width ? width - w : 0, ' ');
  return align == Align::left ? text + fill : fill + text;
}

}  // namespace

TextTable::TextTable(std::vector<Column> columns) : m_columns(std::move(columns)) {
}

void TextTable::add_row(std::vector<Cell> cells) {
  if (cells.size() != m_columns.size()) {
    throw std::logic_error("text table: row has " + std::to_string(cells.size()) + " cells for " +
                           std::to_string(m_columns.size()) + " columns");
  }
  m_rows.push_back(std::move(cells));
}

void TextTable::add_row_merging(std::vector<Cell> cells) {
  if (!m_rows.empty() && !cells.empty() && m_rows.back().size() == cells.size() &&
      std::equal(cells.begin() + 1, cells.end(), m_rows.back().begin() + 1,
                 [](const Cell& a, const Cell& b) { return a.text == b.text; })) {
    m_rows.back().front().text += "/" + cells.front().text;
    return;
  }
  add_row(std::move(cells));
}

std::string TextTable::render_plain(bool use_color) const {
  std::vector<std::size_t> widths(m_columns.size());
  for (std::size_t c = 0; c < m_columns.size(); ++c) {
    widths[c] = display_width(m_columns[c].header);
    for (const auto& row : m_rows) {
      widths[c] = std::max(widths[c], display_width(row[c].text));
    }
  }
  std::string out;
  const auto line = [&](const auto& cell_text, const auto& cell_color) {
    std::string l;
    for (std::size_t c = 0; c < m_columns.size(); ++c) {
      if (c > 0) {
        l += "  ";
      }
      std::string padded = pad(cell_text(c), widths[c], m_columns[c].align);
      l += use_color ? colored_text(padded, cell_color(c)) : padded;
    }
    while (!l.empty() && l.back() == ' ') {
      l.pop_back();
    }
    out += l + '\n';
  };
  line([&](std::size_t c) { return m_columns[c].header; }, [](std::size_t) { return Color::none; });
  std::string rule;
  for (std::size_t c = 0; c < m_columns.size(); ++c) {
    rule += (c > 0 ? "  " : "") + std::string(widths[c], '-');
  }
  out += rule + '\n';
  for (const auto& row : m_rows) {
    line([&](std::size_t c) { return row[c].text; }, [&](std::size_t c) { return row[c].color; });
  }
  return out;
}

std::string TextTable::render_markdown() const {
  const auto escape = [](const std::string& s) {
    std::string o;
    for (const char ch : s) {
      if (ch == '|') {
        o += "\\|";
      } else {
        o += ch;
      }
    }
    return o;
  };
  std::string out = "|";
  for (const auto& c : m_columns) {
    out += " " + escape(c.header) + " |";
  }
  out += "\n|";
  for (const auto& c : m_columns) {
    out += c.align == Align::right ? " ---: |" : " --- |";
  }
  out += '\n';
  for (const auto& row : m_rows) {
    out += "|";
    for (const auto& cell : row) {
      out += " " + escape(cell.text) + " |";
    }
    out += '\n';
  }
  return out;
}

std::string TextTable::colorize(const std::string& text, Color color) {
  return colored_text(text, color);
}

}  // namespace vramfit::cli
