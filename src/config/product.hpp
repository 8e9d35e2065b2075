// A product file ([product], docs/config.md "Product file — [product]"): a cash-loan product
// (Jiebei-like) validated into the kernel's LoanParams, and written back as TOML that reads back
// to the same values.
#pragma once

#include <string>
#include <vector>

#include "kernels/loan.hpp"
#include "src/config/config.hpp"

namespace limitsim {

struct ProductConfig {
  std::string source;        // the file it was read from ("" when built in code)
  std::string name;          // defaults to the file's stem
  std::string description;
  // The file's values behind derived params, kept so that product_toml writes them back exactly:
  // params.takeup_intercept = logit(takeup_probability); params.term_cum is the running sum of term_shares.
  double takeup_probability = 0.0;
  std::vector<double> term_shares;
  LoanParams params{};
};

// The documented defaults (docs/config.md, "Product file"): the values of configs/products/jiebei.toml.
ProductConfig default_product();

// Reads and validates a product file. Every error names the file, line, dotted key and reason; an
// unknown key is an error. Throws ConfigError.
ProductConfig load_product_config(const std::string& path);

// The product as a self-contained [product] table, every key explicit (money in currency units),
// that load_product_config reads back to the same values. Throws ConfigError when the product,
// built in code, is inconsistent.
std::string product_toml(const ProductConfig& product);

}  // namespace limitsim
