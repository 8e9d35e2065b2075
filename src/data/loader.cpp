// load_panel: a data file read through a mapping into a Panel, streaming (docs/data.md), with its SHA-256.
//
// CSV (src/data/csv_reader.cpp) and HDF5 column datasets
// (src/data/hdf5_reader.cpp) feed the same row checks (Builder,
// src/data/panel_builder.hpp), so a value is accepted or refused for the same
// reason whatever the format.

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <string>
#include <utility>

#include "src/data/panel.hpp"
#include "src/data/panel_builder.hpp"
#include "src/data/sha256.hpp"

namespace limitsim {
namespace {

namespace fs = std::filesystem;

std::string lower_extension(const std::string& file) {
  std::string ext = fs::path(file).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext;
}

}  // namespace

Panel load_panel(const std::string& data_file, const Mapping& m, BadRowPolicy bad_rows, HashMode hash) {
  std::error_code ec;
  if (fs::exists(data_file, ec) && !fs::is_regular_file(data_file, ec))  // a FIFO would block the read
    throw ConfigError(data_file + ": cannot read the data file: not a regular file");
  std::string format = m.format;
  if (format.empty()) {
    const std::string ext = lower_extension(data_file);
    if (ext == ".csv") {
      format = "csv";
    } else if (ext == ".h5" || ext == ".hdf5") {
      format = "hdf5";
    } else {
      throw ConfigError(data_file + ": cannot tell the format from the extension '" + ext +
                        "' (.csv, .h5, .hdf5): set [source] format in " + m.source);
    }
  }
  const bool csv = format == "csv";
  loading::Builder out(m, bad_rows, data_file, csv);
  if (csv && hash == HashMode::kInline) {
    loading::Sha256 h;
    loading::read_csv(data_file, m, out, &h);
    out.panel().sha256 = h.hex();
  } else if (hash == HashMode::kConcurrent) {
    loading::BackgroundHash h(data_file);
    if (csv) {
      loading::read_csv(data_file, m, out, nullptr);
    } else {
      loading::read_hdf5(data_file, m, out);
    }
    out.panel().sha256 = h.get();
  } else {  // a second pass (HDF5 reads are not one sequential pass, so kInline means this for HDF5)
    if (csv) {
      loading::read_csv(data_file, m, out, nullptr);
    } else {
      loading::read_hdf5(data_file, m, out);
    }
    out.panel().sha256 = sha256_file(data_file);
  }
  return std::move(out.panel());
}

Panel load_panel(const std::string& data_file, const Mapping& m, BadRowPolicy bad_rows) {
  return load_panel(data_file, m, bad_rows, HashMode::kConcurrent);
}

}  // namespace limitsim
