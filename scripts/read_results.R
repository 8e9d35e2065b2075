#!/usr/bin/env Rscript
# Reads a limitsim HDF5 result in R with hdf5r (docs/r-matlab.md explains it).
#
#   Rscript scripts/read_results.R FILE [SCENARIO [POLICY]]
#
# Prints KEY=VALUE lines (tests/python/test_python.py checks them against
# h5py): the run's metadata; for one scenario and policy (default: the first
# of each) the monthly sums, the per-path losses and the summary; and the
# comparison table. On Debian: apt-get install r-cran-hdf5r (it brings bit64).
#
# Two things to know:
# - Dimensions appear reversed. HDF5 stores C (row-major) arrays, R is
#   column-major, so monthly/active, [path, month] in the file (attribute
#   dims = "path,month"), is an R matrix [month, path]; by_segment/bucket_count,
#   [path, month, segment, bucket], is an R array [bucket, segment, month, path].
#   Indices are 1-based in R: x[t, p + 1] is month t of the file's path p.
# - 64-bit integers. hdf5r's default (H5TOR_CONV_INT64_NOLOSS) returns an
#   int64 dataset as R integer, double or bit64::integer64 depending on the
#   values, so the type changes with the size of the run. Read the exact sums
#   with flags = h5const$H5TOR_CONV_NONE: always integer64, exact, and sum()
#   stays exact. Convert cents to currency units with as.double(x) / 100: exact
#   up to 2^53 cents (about 9.0e13 currency units); beyond that, keep integer64.
#   A uint64 attribute of 2^63 or more (a huge seed, summary's bootstrap_seed)
#   cannot be represented: hdf5r returns 9223372036854775807.

suppressPackageStartupMessages({
  library(hdf5r)
  library(bit64)
})

args <- commandArgs(trailingOnly = TRUE)
if (length(args) < 1 || length(args) > 3) {
  cat("usage: Rscript read_results.R FILE [SCENARIO [POLICY]]\n", file = stderr())
  quit(status = 2)
}

EXACT <- h5const$H5TOR_CONV_NONE   # int64 -> bit64::integer64, always
# KEY=VALUE, doubles with 17 significant digits (they read back to the same double).
out <- function(key, value) {
  text <- if (is.double(value) && !is.integer64(value)) sprintf("%.17g", value) else as.character(value)
  cat(key, "=", paste(text, collapse = ","), "\n", sep = "")
}

# Group names of scenarios and policies escape '%', '/' and '.' (docs/hdf5-schema.md, Conventions).
group_name <- function(name) {
  x <- gsub("%", "%25", name, fixed = TRUE)
  x <- gsub("/", "%2F", x, fixed = TRUE)
  if (x == ".") "%2E" else x
}

f <- H5File$new(args[1], mode = "r")
if (!f$attr_exists("schema_version")) stop(args[1], ": not a limitsim result (no schema_version attribute)")
version <- h5attr(f, "schema_version")
if (!grepl("^1\\.([1-9]|[1-9][0-9]+)$", version)) stop(args[1], ": schema ", version, " is not supported (1.1 to 1.x)")

# --- metadata: root attributes and the run order
scenarios <- f[["scenarios"]]$read()
policies <- f[["policies"]]$read()
P <- h5attr(f, "paths")
T <- h5attr(f, "months")
out("schema_version", version)
out("run_name", h5attr(f, "run_name"))
out("paths", P)
out("months", T)
out("customers", h5attr(f, "customers"))
out("seed", as.character(f$attr_open("seed")$read(flags = EXACT)))   # uint64; exact below 2^63
out("scenarios", scenarios)
out("policies", policies)
out("segments", f[["segments/names"]]$read())

scenario <- if (length(args) >= 2) args[2] else scenarios[1]
policy <- if (length(args) >= 3) args[3] else policies[1]
g <- f[[paste("results", group_name(scenario), group_name(policy), sep = "/")]]
out("scenario", scenario)
out("policy", policy)

# --- monthly sums: the file's [path, month] is R's [month, path]
active_ds <- g[["monthly/active"]]
out("active_file_dims", h5attr(active_ds, "dims"))          # "path,month": slowest first, C order
active <- active_ds$read(flags = EXACT)                      # integer64 matrix [month, path]
out("active_r_dims", dim(active))                            # T, P
out("active_path0_month1", as.character(active[1, 1]))
out("active_last_path_month", as.character(active[T, P]))   # path P-1, month T
out("active_sum", as.character(sum(active)))

balance <- g[["monthly/balance"]]$read(flags = EXACT)        # cents, integer64 [month, path]
stopifnot(h5attr(g[["monthly/balance"]], "units") == "cents")
out("balance_cents_sum", as.character(sum(balance)))         # exact
balance_currency <- as.double(balance) / 100                 # currency units, exact below 2^53 cents
dim(balance_currency) <- dim(balance)
out("balance_currency_path1_month2", balance_currency[2, 2])

# A tidy data.frame: one row per (path, month); path 0-based as in the file, month 1-based.
monthly <- data.frame(path = rep(seq_len(P) - 1L, each = T), month = rep(seq_len(T), times = P),
                      active = as.double(active), balance = as.vector(balance_currency))
out("monthly_rows", nrow(monthly))

# Buckets: file [path, month, bucket] -> R [bucket, month, path]; labels name the buckets.
bc_ds <- g[["monthly/bucket_count"]]
buckets <- strsplit(h5attr(bc_ds, "labels"), ",")[[1]]
bc <- bc_ds$read(flags = EXACT)
out("bucket_labels", buckets)
out("bucket_count_r_dims", dim(bc))
out("bucket_count_path0_monthT", as.character(bc[, T, 1]))
# 30+ days past due = buckets 31-60 and worse, per path at month T, as a share of open accounts.
b30 <- which(buckets == "31-60")
od30 <- as.double(colSums(matrix(as.double(bc[b30:length(buckets), T, ]), ncol = P))) / as.double(active[T, ])
od30[!is.finite(od30)] <- 0                                  # no open account: 0 (docs/metrics.md)
out("overdue30_count_monthT_mean", mean(od30))

# By segment: file [path, month, segment] -> R [segment, month, path].
bs <- g[["by_segment/balance"]]$read(flags = EXACT)
out("by_segment_balance_r_dims", dim(bs))
out("by_segment_balance_cents_sum", as.character(sum(bs)))   # = balance_cents_sum

# --- per-path losses
loss_cents <- g[["losses/net_loss_cents"]]$read(flags = EXACT)
loss <- g[["losses/net_loss"]]$read()                       # float64, currency units
stopifnot(all(as.double(loss_cents) / 100 == loss))
out("net_loss_cents", as.character(loss_cents))
out("net_loss_sum", sum(loss))

# --- summary: scalar figures are attributes, tail figures datasets by level
s <- g[["summary"]]
units <- strsplit(strsplit(h5attr(s, "figure_units"), ",")[[1]], "=")
figures <- vapply(units, `[`, "", 1)
summary <- vapply(figures, function(k) h5attr(s, k), 0)
out("summary_figures", figures)
out("expected_loss", summary[["expected_loss"]])
out("expected_loss_se", h5attr(s, "expected_loss_se"))
tail <- data.frame(level = s[["tail/level"]]$read(), var = s[["tail/var"]]$read(), es = s[["tail/es"]]$read())
out("tail_level", tail$level)
out("var", tail$var)
out("es", tail$es)
sm <- s[["monthly"]]
out("summary_overdue30_count_monthT", sm[["overdue30_count"]]$read()[T])

# --- the comparison: one data.frame, columns in the order of the 'columns' attribute
cmp_g <- f[["comparison"]]
cols <- strsplit(h5attr(cmp_g, "columns"), ",")[[1]]
cmp <- as.data.frame(lapply(setNames(cols, cols), function(k) cmp_g[[k]]$read()), stringsAsFactors = FALSE)
out("comparison_rows", nrow(cmp))
out("comparison_baseline", h5attr(cmp_g, "baseline"))
ni <- cmp[cmp$figure == "net_income" & cmp$scenario == scenario, ]
out("net_income_policies", ni$policy)
out("net_income_diff", ni$diff)

f$close_all()
