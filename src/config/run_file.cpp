// The run file: the loader that reads it and every file it names (load_run_config, load_sweep_config,
// load_behaviour_config), and effective_toml(), which writes the whole configuration back as one document.
//
// The keys of each file kind are listed in src/config/schema.hpp and read and
// written through the machinery of src/config/fields.hpp. Every error message
// starts with `file:line: dotted.key: reason, got value`, followed by toml11's
// excerpt.

#include "src/config/config.hpp"

#include <toml.hpp>

#include <algorithm>
#include <cmath>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <utility>

#include "src/config/schema.hpp"
#include "src/util/tail_level.hpp"

namespace limitsim {
namespace {

namespace fs = std::filesystem;
using namespace fields;

// Plain keys of [run]; the four references are top-level keys (Loader).
template <class IO>
void run_fields(IO& t, RunConfig& c) {
  t.text("name", c.name);
  t.check(!c.name.empty(), "name", "must not be empty");
  t.integer("seed", c.seed, at_least(0));
  t.integer("paths", c.paths, kPathsRange);
  t.integer("months", c.months, kMonthsRange);
  t.choice("backend", c.backend, kBackends);
  t.integer("threads", c.threads, kThreadsRange);
  t.integer("batch_size", c.batch_size, kBatchRange);
  t.text("output", c.output);
  t.check(!c.output.empty(), "output", "must not be empty");
  t.integers("report_months", c.report_months, at_most(600), closed(1, c.months));
  for (std::size_t i = 0; i < c.report_months.size(); ++i) {
    const bool repeated = std::count(c.report_months.begin(), c.report_months.begin() + i, c.report_months[i]) > 0;
    t.check(!repeated, "report_months", "month " + std::to_string(c.report_months[i]) + " is listed twice",
            static_cast<int>(i));
  }
  std::sort(c.report_months.begin(), c.report_months.end());
  t.text("baseline", c.baseline);
  t.number("cost_of_funds", c.cost_of_funds, closed(0, 1));
  t.number("importance_shift", c.importance_shift, closed(0, 8));
  t.optional_numbers("tail_levels", c.tail_levels, non_empty(kMaxTailLevels), open_open(0, 1));
  if (!c.tail_levels.empty()) {
    int index = -1;
    const std::string bad = tail_levels_error(c.tail_levels, &index);
    t.check(bad.empty(), "tail_levels", bad, index);
  }
}

// [acquisition]: the living book (docs/config.md "Acquisition").
template <class IO>
void acquisition_fields(IO& t, AcquisitionConfig& c, std::int32_t months) {
  t.series("monthly_applicants", c.monthly_applicants, closed(0, 1e9));
  t.number("monthly_share", c.monthly_share, closed(0, 10));
  t.boolean("constant_book", c.constant_book);
  const int ways = (c.monthly_applicants.empty() ? 0 : 1) + (c.monthly_share > 0.0 ? 1 : 0) + (c.constant_book ? 1 : 0);
  t.check(ways == 1, "monthly_applicants",
          "give exactly one of monthly_applicants, monthly_share and constant_book = true, got " + std::to_string(ways));
  for (std::size_t i = 0; i < c.monthly_applicants.size(); ++i)
    t.check(c.monthly_applicants[i] == std::floor(c.monthly_applicants[i]), "monthly_applicants",
            "must be whole applicants, got " + fmt_double(c.monthly_applicants[i]), static_cast<int>(i));
  t.integer("first_month", c.first_month, closed(1, months));
  t.number("score_mean", c.score_mean, closed(0, 950));
  t.number("score_sd", c.score_sd, at_least(0));
  t.number("income_median", c.income_median, closed(0, kMaxMoney));
  t.number("dti_median", c.dti_median, open_closed(0, 10));
  t.number("dti_log_sd", c.dti_log_sd, closed(0, 5));
  t.number("dti_risk_correlation", c.dti_risk_correlation, closed(-1, 1));
}

// [pnl]: the P&L's own parameters (docs/pnl.md). Money per account is bounded
// so that no line can overflow (docs/config.md, "[pnl]").
constexpr double kMaxPnlMoney = 100000.0;  // currency units per account

template <class IO>
void pnl_fields(IO& t, PnlConfig& c) {
  t.number("interchange_rate", c.interchange_rate, closed(0, 0.1));
  t.money("annual_fee", c.annual_fee, closed(0, kMaxPnlMoney));
  t.money("operating_cost", c.operating_cost, closed(0, kMaxPnlMoney));
  t.money("acquisition_cost", c.acquisition_cost, closed(0, kMaxPnlMoney));
  t.money("collection_cost", c.collection_cost, closed(0, kMaxPnlMoney));
}

// ---------------------------------------------------------------- Loader

// Reads a run file and the files it names. Parsed documents live as long as
// the Loader, so Readers may point into them.
class Loader {
 public:
  explicit Loader(std::string path) : path_(std::move(path)), base_(fs::path(path_).parent_path()) {}

  RunConfig load() { return load_impl(nullptr); }

  // A behaviour file on its own (a [behaviour] table and nothing else).
  BehaviourConfig load_behaviour() {
    const Value& doc = parse(path_, nullptr, "");
    Reader root(&doc, "", doc);
    const Value* table = root.find("behaviour");
    root.done();
    if (!table) fail_at(doc, "behaviour", "missing: " + path_ + " must hold a [behaviour] table");
    if (!table->is_table()) fail_at(*table, "behaviour", "must be a table, got " + describe(*table));
    BehaviourConfig b;
    b.params = default_behaviour();
    Reader r(table, "behaviour", *table);
    read_behaviour(r, b, base_, 0);
    r.done();
    b.source = path_;
    return b;
  }
  SweepConfig load_sweep() {
    SweepConfig sc;
    sc.run = load_impl(&sc);
    return sc;
  }

 private:
  RunConfig load_impl(SweepConfig* sweep_out) {
    RunConfig cfg;
    cfg.source = path_;
    const Value& doc = parse(path_, nullptr, "");
    Reader root(&doc, "", doc);
    Reader run = root.sub("run");
    Reader pnl = root.sub("pnl");
    const Value* population = root.find("population");
    const Value* behaviour = root.find("behaviour");
    root.find("policies");
    root.find("scenarios");
    const Value* acquisition = root.find("acquisition");
    const Value* sweep = nullptr;
    if (sweep_out) {
      sweep = root.find("sweep");
      if (!sweep) root.fail("sweep", "missing: a sweep file needs a [sweep] table (see docs/config.md)");
    } else if (const Value* v = root.peek("sweep")) {
      fail_at(*v, "sweep", "a [sweep] table is read only by `limitsim sweep`; run this file with `limitsim sweep`");
    }
    root.done();

    for (const char* ref : {"population", "behaviour", "policies", "scenarios"})
      if (const Value* v = run.peek(ref))
        fail_at(*v, run.path(ref), std::string(ref) + " is a top-level key: move it above [run]");
    run_fields(run, cfg);
    run.done();
    if (acquisition) {
      if (!acquisition->is_table()) fail_at(*acquisition, "acquisition", "must be a table, got " + describe(*acquisition));
      Reader r(acquisition, "acquisition", *acquisition);
      acquisition_fields(r, cfg.acquisition, cfg.months);
      r.done();
      cfg.acquisition.enabled = true;
    }
    pnl_fields(pnl, cfg.pnl);
    pnl.done();
    if (population) {
      part(*population, "population", "population", cfg.population, population_fields<Reader>);
      if (cfg.population.kind == "file") resolve_population_files(*population, cfg.population);
    }
    if (acquisition && cfg.population.kind != "synthetic")
      fail_at(*acquisition, "acquisition",
              "applicants are drawn like a synthetic population: a run with [acquisition] needs population.kind = "
              "\"synthetic\" (a real population's applicants are not supported yet), got " + quote(cfg.population.kind));
    cfg.behaviour.params = default_behaviour();
    cfg.behaviour.regions = static_cast<std::int32_t>(cfg.population.region_names.size());
    if (behaviour) {
      const fs::path dir = behaviour->is_string() ? fs::path(resolve(behaviour->as_string().str)).parent_path() : base_;
      part(*behaviour, "behaviour", "behaviour", cfg.behaviour,
           [&](Reader& r, BehaviourConfig& b) { read_behaviour(r, b, dir, 0); });
    }
    check_score_scale(cfg);
    PolicyConfig policy;
    policy.params = default_policy();
    std::vector<const Value*> policy_tables;
    cfg.policies = named_parts(root, "policies", "policy", policy, policy_fields<Reader>, &policy_tables);
    cfg.scenarios = named_parts(root, "scenarios", "scenario", ScenarioConfig{}, scenario_fields<Reader>);
    for (ScenarioConfig& s : cfg.scenarios) resolve_scenario(s, cfg.months);
    for (std::size_t i = 0; i < cfg.policies.size(); ++i)
      check_freeze(cfg.policies[i].params, *policy_tables[i], cfg.behaviour.params);
    if (sweep_out) {
      if (cfg.policies.size() != 1)
        fail_at(*root.find("policies"), "policies",
                "a sweep varies one base policy: list exactly one, got " + std::to_string(cfg.policies.size()));
      expand_sweep(*sweep, *policy_tables.front(), cfg, *sweep_out);
      if (!cfg.baseline.empty() && cfg.baseline != sweep_out->base_policy)
        run.fail("baseline", "a sweep is compared with its base policy " + quote(sweep_out->base_policy) +
                                 ": leave baseline out or name the base, got " + quote(cfg.baseline));
    }
    if (!cfg.baseline.empty()) {
      std::vector<std::string> names;
      for (const PolicyConfig& p : cfg.policies) names.push_back(p.name);
      if (std::find(names.begin(), names.end(), cfg.baseline) == names.end())
        run.fail("baseline", "names no policy of this run (policies: " +
                                 (names.size() <= 8 ? join(names, ", ")
                                                    : join({names.begin(), names.begin() + 8}, ", ") + ", ...") +
                                 "), got " + quote(cfg.baseline));
    }
    return cfg;
  }

  // A behaviour table over its base's when it names one (`base = "file.toml"`, relative to the file
  // holding the table; docs/config.md): the base is read first, then this table's keys replace its values.
  void read_behaviour(Reader& r, BehaviourConfig& b, const fs::path& dir, int depth) {
    constexpr int kMaxBaseDepth = 4;
    if (const Value* base = r.peek("base")) {
      const std::string key = r.path("base");
      if (depth >= kMaxBaseDepth)
        fail_at(*base, key, "bases nest more than " + std::to_string(kMaxBaseDepth) + " deep (a cycle?)");
      const std::string file = (dir / to_text(*base, key)).lexically_normal().string();
      const Value& doc = parse(file, base, key);
      Reader root(&doc, "", doc);
      const Value* table = root.find("behaviour");
      root.done();
      if (!table || !table->is_table()) fail_at(*base, key, quote(file) + " must hold a [behaviour] table");
      Reader inner(table, "behaviour", *table);
      read_behaviour(inner, b, fs::path(file).parent_path(), depth + 1);
      inner.done();
    }
    behaviour_fields(r, b);
    r.allow("base");  // named last among the allowed keys
  }

  // A file population's data and mapping are named relative to the file that
  // names them; they must exist now, so that a typo fails before any work.
  void resolve_population_files(const Value& ref, PopulationConfig& pc) {
    const Value& table = ref.is_table() ? ref : docs_.back().at("population");
    const fs::path base = pc.source.empty() ? base_ : fs::path(pc.source).parent_path();
    for (auto [key, value] : {std::pair<const char*, std::string*>{"file", &pc.file}, {"mapping", &pc.mapping}}) {
      fs::path f(*value);
      if (f.is_relative()) f = base / f;
      std::error_code ec;
      f = fs::absolute(f, ec).lexically_normal();
      if (!fs::is_regular_file(f, ec))
        fail_at(table.at(key), std::string("population.") + key, "cannot open " + quote(f.string()) + ": " + open_error(f.string()));
      *value = f.string();
    }
    set_file_regions(pc, table.at("mapping"));
  }

  // Where a part's name came from: its `name` value, or the reference to it.
  struct Origin {
    const Value* table;  // the part's table (inline, or in its file)
    const Value* anchor;
    std::string key;
    std::string stem;  // the file's stem; "" for an inline part
    bool named;        // has a `name` key
  };

  const Value& parse(const std::string& file, const Value* ref, const std::string& key) {
    std::ifstream in;
    std::error_code ec;
    if (fs::is_regular_file(file, ec)) in.open(file, std::ios::binary);
    if (!in.is_open() || !in) {
      const std::string reason = "cannot open " + quote(file) + ": " + open_error(file);
      if (ref) fail_at(*ref, key, reason);
      throw ConfigError(file + ": cannot open the run file: " + open_error(file));
    }
    docs_.push_back(toml_io::parse_stream(in, file));
    return docs_.back();
  }

  std::string resolve(const std::string& ref) const { return (base_ / ref).lexically_normal().string(); }

  // `ref` is a file name (relative to the run file) holding a [kind] table, or an inline table.
  template <class Cfg, class Fields>
  Origin part(const Value& ref, const std::string& key, const std::string& kind, Cfg& cfg, Fields fields) {
    if (ref.is_table()) {
      Reader r(&ref, key, ref);
      fields(r, cfg);
      r.done();
      return origin(r, ref, ref, key, "");
    }
    if (!ref.is_string()) fail_at(ref, key, "must be a file name or a table, got " + describe(ref));
    const std::string file = resolve(ref.as_string().str);
    const Value& doc = parse(file, &ref, key);
    Reader root(&doc, "", doc);
    const Value* table = root.find(kind);
    root.done();
    if (!table) fail_at(doc, kind, "missing: " + file + " must hold a [" + kind + "] table");
    if (!table->is_table()) fail_at(*table, kind, "must be a table, got " + describe(*table));
    Reader r(table, kind, *table);
    fields(r, cfg);
    r.done();
    cfg.source = file;
    return origin(r, *table, ref, key, fs::path(file).stem().string());
  }

  static Origin origin(const Reader& r, const Value& table, const Value& ref, const std::string& key,
                       std::string stem) {
    const Value* name = r.peek("name");
    return name ? Origin{&table, name, r.path("name"), std::move(stem), true}
                : Origin{&table, &ref, key, std::move(stem), false};
  }

  // The non-empty array `list_key` of named parts (policies or scenarios).
  template <class Cfg, class Fields>
  std::vector<Cfg> named_parts(Reader& root, const std::string& list_key, const std::string& kind, const Cfg& proto,
                               Fields fields, std::vector<const Value*>* tables = nullptr) {
    const Value* list = root.find(list_key);
    if (!list) root.fail(list_key, "missing: at least one " + kind + " is required");
    if (!list->is_array() || list->as_array().empty())
      fail_at(*list, list_key, "must be a non-empty array of file names or tables, got " + describe(*list));
    std::vector<Cfg> out;
    std::map<std::string, std::string> seen;  // name -> where it was defined
    for (std::size_t i = 0; i < list->as_array().size(); ++i) {
      Cfg cfg = proto;
      const std::string key = list_key + "[" + std::to_string(i) + "]";
      const Origin o = part(list->as_array()[i], key, kind, cfg, fields);
      if (tables) tables->push_back(o.table);
      if (!o.named) {
        if (o.stem.empty()) fail_at(*o.anchor, o.key, "an inline " + kind + " needs a name");
        cfg.name = o.stem;
      }
      const std::string bad = name_error(cfg.name);
      if (!bad.empty()) fail_at(*o.anchor, o.key, (o.named ? "" : "taken from the file name: ") + bad);
      const auto inserted = seen.emplace(cfg.name, where(*o.anchor));
      if (!inserted.second)
        fail_at(*o.anchor, o.key,
                kind + " name " + quote(cfg.name) + " is already used (at " + inserted.first->second + ")");
      out.push_back(std::move(cfg));
    }
    return out;
  }

  std::string path_;
  fs::path base_;
  std::deque<Value> docs_;
};

template <class Field>
std::vector<double> column(const std::vector<ScenarioMonth>& months, Field field) {
  std::vector<double> out;
  for (const ScenarioMonth& m : months) out.push_back(m.*field);
  return out;
}

std::string comment_safe(std::string s) {
  std::replace_if(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; }, '?');
  return s;
}

}  // namespace

namespace {

// Runs one Loader entry point, turning every failure into a ConfigError that
// names the file (and the line, where toml11 knows it).
template <typename F>
auto load_with_errors(const std::string& path, F&& load) -> decltype(load(std::declval<Loader&>())) {
  // Errors quote lines only of files in the run file's folder (an include may point anywhere).
  const toml_io::ContentScope scope(fs::path(path).parent_path().string());
  return toml_io::with_file_errors(path, [&] {
    Loader loader(path);
    return load(loader);
  });
}

}  // namespace

SweepConfig load_sweep_config(const std::string& path) {
  return load_with_errors(path, [](Loader& l) { return l.load_sweep(); });
}

RunConfig load_run_config(const std::string& path) {
  return load_with_errors(path, [](Loader& l) { return l.load(); });
}

BehaviourConfig load_behaviour_config(const std::string& path) {
  return load_with_errors(path, [](Loader& l) { return l.load_behaviour(); });
}

std::string effective_toml(const RunConfig& in) {
  RunConfig cfg = in;  // the field templates take non-const references
  std::ostringstream os;
  os << "# Effective configuration of run " << comment_safe(quote(cfg.name)) << ", read from "
     << comment_safe(cfg.source.empty() ? "(no file)" : cfg.source) << ".\n"
     << "# Written by limitsim: every value explicit, every file inlined; money in currency units.\n"
     << "\n[run]\n";
  Writer run(os, "run");
  run_fields(run, cfg);

  os << "\n[pnl]\n";
  Writer pnl(os, "pnl");
  pnl_fields(pnl, cfg.pnl);

  os << "\n[population]\n";
  Writer population(os, "population");
  population_fields(population, cfg.population);

  if (cfg.acquisition.enabled) {
    os << "\n[acquisition]\n";
    Writer acquisition(os, "acquisition");
    acquisition_fields(acquisition, cfg.acquisition, cfg.months);
  }

  Writer behaviour(os, "behaviour");
  behaviour_fields(behaviour, cfg.behaviour);

  for (PolicyConfig& p : cfg.policies) {
    os << "\n[[policies]]\n";
    Writer w(os, "policies");
    policy_fields(w, p);
  }
  for (ScenarioConfig& s : cfg.scenarios) {
    s.spec.factor_shift = column(s.months, &ScenarioMonth::factor_shift);
    s.spec.miss_multiplier = column(s.months, &ScenarioMonth::miss_mult);
    s.spec.roll_multiplier = column(s.months, &ScenarioMonth::roll_mult);
    s.spec.spend_multiplier = column(s.months, &ScenarioMonth::spend_mult);
    s.spec.income_shock_probability = column(s.months, &ScenarioMonth::shock_prob);
    s.spec.income_shock_size = column(s.months, &ScenarioMonth::shock_size);
    s.spec.income_shock_months = column(s.months, &ScenarioMonth::shock_months);
    s.spec.lgd_multiplier = column(s.months, &ScenarioMonth::lgd_mult);
    s.spec.applicant_multiplier = column(s.months, &ScenarioMonth::applicant_mult);
    s.spec.approval_multiplier = column(s.months, &ScenarioMonth::approval_mult);
    if (!s.spec.unemployment_rate.empty()) s.spec.unemployment_rate = s.unemployment;
    os << "\n[[scenarios]]\n";
    Writer w(os, "scenarios");
    scenario_fields(w, s);
  }
  return os.str();
}

}  // namespace limitsim
