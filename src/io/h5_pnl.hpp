// The P&L in a result file (schema 1.5; docs/hdf5-schema.md, "P&L (since 1.5)"):
// its parameters as root attributes and, per scenario x policy, every line per
// month (means over paths) in /results/<scenario>/<policy>/pnl. The writer and
// the reader take the names, units and descriptions from here.
#pragma once

#include <string>
#include <vector>

#include "src/config/config.hpp"
#include "src/engine/results.hpp"

namespace limitsim {

// One P&L parameter of [pnl], written as a double root attribute (money in currency units).
struct PnlAttribute {
  const char* name;   // the attribute's name, also the [pnl] key
  double (*get)(const PnlConfig&);
  // Sets the parameter from the attribute's value; "" when it is valid, else the reason.
  std::string (*set)(PnlConfig&, double);
};
const std::vector<PnlAttribute>& pnl_attributes();

// One dataset of a combo's pnl group, [month], in month order.
struct PnlColumn {
  std::string name;
  std::string units;
  std::string description;
  std::vector<double> values;
};

// The datasets of /results/<scenario>/<policy>/pnl besides `month`: every P&L
// line (src/analysis/pnl.hpp) per month as the mean over paths, weighted by the
// path weights like every mean over paths, then its standard error (name + "_se").
std::vector<PnlColumn> pnl_columns(const RunResults& r, const ComboSums& c);

}  // namespace limitsim
