// The sweep file: a run file with one base policy and a [sweep] table, expanded into the grid of policy variants.
#include <toml.hpp>

#include <algorithm>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "src/config/schema.hpp"

namespace limitsim {
namespace fields {

namespace {

// Keys of [policy] a sweep may vary: a top-level key, or "section.key".
bool sweepable(const std::string& key) {
  static const std::vector<std::string> sections = {"initial_line", "review",    "trigger",   "decrease",
                                                    "freeze",       "temporary", "frequency", "pricing"};
  static const std::vector<std::string> arrays = {"initial_line.bands", "temporary.months", "pricing.bands"};
  const std::size_t dot = key.find('.');
  if (dot == std::string::npos) return key == "max_limit";
  const std::string section = key.substr(0, dot), field = key.substr(dot + 1);
  return std::find(sections.begin(), sections.end(), section) != sections.end() && !field.empty() &&
         field.find('.') == std::string::npos && std::find(arrays.begin(), arrays.end(), key) == arrays.end();
}

}  // namespace

void expand_sweep(const Value& table, const Value& base_table, RunConfig& cfg, SweepConfig& out) {
  constexpr std::size_t kMaxVariants = 10000;
  Reader sw(&table, "sweep", table);
  const Value* params = sw.find("parameters");
  if (!params) sw.fail("parameters", "is required: an array of { key = \"review.raise_pct\", values = [...] }");
  if (!params->is_array() || params->as_array().empty() || params->as_array().size() > 8)
    fail_at(*params, "sweep.parameters", "must be an array of 1 to 8 tables, got " + describe(*params));
  std::vector<std::vector<const Value*>> values;
  std::size_t variants = 1;
  for (std::size_t j = 0; j < params->as_array().size(); ++j) {
    const Value& row = params->as_array()[j];
    const std::string at = "sweep.parameters[" + std::to_string(j) + "]";
    if (!row.is_table()) fail_at(row, at, "must be a table, got " + describe(row));
    Reader r(&row, at, row);
    r.need("key");
    r.need("values");
    SweepParameter sp;
    r.text("key", sp.key);
    if (!sweepable(sp.key))
      r.fail("key", "must name a number or boolean key of [policy]: max_limit or <section>.<key> with section "
                    "one of initial_line, review, trigger, decrease, freeze, temporary, frequency, pricing "
                    "(not the arrays initial_line.bands, temporary.months, pricing.bands); got " +
                        quote(sp.key));
    for (const SweepParameter& q : out.parameters)
      if (q.key == sp.key) r.fail("key", "is swept twice: " + quote(sp.key));
    const Value& vs = *r.find("values");
    if (!vs.is_array() || vs.as_array().empty() || vs.as_array().size() > 1000)
      fail_at(vs, at + ".values", "must be an array of 1 to 1000 numbers or booleans, got " + describe(vs));
    std::vector<const Value*> these;
    for (std::size_t i = 0; i < vs.as_array().size(); ++i) {
      const Value& v = vs.as_array()[i];
      const std::string vk = at + ".values[" + std::to_string(i) + "]";
      if (!v.is_integer() && !v.is_floating() && !v.is_boolean())
        fail_at(v, vk, "must be a number or a boolean, got " + describe(v));
      sp.values.push_back(v.is_boolean() ? (v.as_boolean() ? "true" : "false") : literal(v));
      sp.numbers.push_back(v.is_boolean() ? (v.as_boolean() ? 1.0 : 0.0)
                                          : v.is_integer() ? static_cast<double>(v.as_integer()) : v.as_floating());
      these.push_back(&v);
    }
    r.done();
    variants *= these.size();
    if (variants > kMaxVariants)
      fail_at(*params, "sweep.parameters",
              "the grid has more than " + std::to_string(kMaxVariants) + " variants; sweep fewer values");
    values.push_back(std::move(these));
    out.parameters.push_back(std::move(sp));
  }
  std::string csv;  // "" = the output's name with .csv, decided after command-line overrides
  sw.text("csv", csv);
  if (sw.peek("csv")) sw.check(!csv.empty(), "csv", "must not be empty");
  sw.done();
  out.csv = csv;

  const PolicyConfig base = cfg.policies.front();
  out.base_policy = base.name;
  const std::size_t width = std::to_string(variants).size();
  for (std::size_t v = 0; v < variants; ++v) {
    std::vector<std::int32_t> point(values.size());
    std::size_t rest = v;
    for (std::size_t j = values.size(); j-- > 0;) {
      point[j] = static_cast<std::int32_t>(rest % values[j].size());
      rest /= values[j].size();
    }
    Value t = base_table;
    std::vector<std::string> settings;
    for (std::size_t j = 0; j < values.size(); ++j) {
      const std::string& key = out.parameters[j].key;
      const std::size_t dot = key.find('.');
      toml::table* target = &t.as_table();
      if (dot != std::string::npos) {
        Value& section = (*target)[key.substr(0, dot)];
        if (section.is_uninitialized()) section = toml::table{};
        if (!section.is_table()) fail_at(section, "policy." + key.substr(0, dot), "must be a table");
        target = &section.as_table();
      }
      (*target)[dot == std::string::npos ? key : key.substr(dot + 1)] = *values[j][point[j]];
      settings.push_back(key + " = " + out.parameters[j].values[point[j]]);
    }
    PolicyConfig pc;
    pc.params = default_policy();
    try {
      Reader r(&t, "policy", base_table);
      policy_fields(r, pc);
      r.done();
      check_freeze(pc.params, t, cfg.behaviour.params);
    } catch (const ConfigError& e) {
      throw ConfigError(std::string(e.what()) + "\n(in sweep variant " + std::to_string(v + 1) + " of " +
                        std::to_string(variants) + ": " + join(settings, ", ") + ")");
    }
    std::string index = std::to_string(v + 1);
    pc.name = base.name + ".v" + std::string(width - index.size(), '0') + index;
    pc.description = "sweep of " + base.name + ": " + join(settings, ", ");
    pc.source = base.source;
    cfg.policies.push_back(std::move(pc));
    out.grid.push_back(std::move(point));
  }
  // The base policy's own values of the swept keys, from its effective TOML (defaults included);
  // every key is known by now, since each variant has been validated.
  {
    PolicyConfig copy = base;
    std::ostringstream os;
    os << "[policy]\n";
    Writer w(os, "policy");
    policy_fields(w, copy);
    std::istringstream in(os.str());
    const Value doc = toml::parse(in, "(base policy)");
    for (SweepParameter& sp : out.parameters) {
      const std::size_t dot = sp.key.find('.');
      const Value& pol = doc.at("policy");
      const Value& v = dot == std::string::npos ? pol.at(sp.key) : pol.at(sp.key.substr(0, dot)).at(sp.key.substr(dot + 1));
      sp.base_value = v.is_boolean() ? (v.as_boolean() ? "true" : "false") : literal(v);
      sp.base_number = v.is_boolean() ? (v.as_boolean() ? 1.0 : 0.0)
                       : v.is_integer() ? static_cast<double>(v.as_integer())
                       : v.is_floating() ? v.as_floating() : std::numeric_limits<double>::quiet_NaN();
    }
  }
}

}  // namespace fields
}  // namespace limitsim
