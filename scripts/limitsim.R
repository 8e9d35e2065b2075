# read_limitsim(): limitsim HDF5 result files as tidy R data.frames (docs/r-matlab.md).
#
#   source("scripts/limitsim.R")             # needs hdf5r and bit64 (Debian: r-cran-hdf5r)
#   m  <- read_limitsim("results/quickstart.h5")                       # monthly sums, one row per
#                                                                      # scenario x policy x path x month
#   ms <- read_limitsim("results/stress_test.h5", "monthly", metrics = c("balance", "bucket_count"),
#                       by_segment = TRUE)                             # ... x segment
#   s  <- read_limitsim("results/stress_test.h5", "summary")           # one row per scenario x policy
#   l  <- read_limitsim("results/stress_test.h5", "losses")            # per-path losses
#   c  <- read_limitsim("results/stress_test.h5", "comparison")        # every policy against the baseline
#   meta <- read_limitsim_meta("results/quickstart.h5")                # root attributes, as a list
#
# The monthly table has the columns of `limitsim export` (docs/export.md):
# scenario, policy, path (0-based), month (1-based)[, segment], weight, then
# one column per metric, metric[label] for the bucket and bin axes. Money is in
# currency units (as.double(cents) / 100, exact below 2^53 cents) or, with
# money = "cents", exact bit64::integer64. Counts are integer64 when exact
# (money = "cents") and double otherwise. tests/python/test_python.py checks
# every value against `limitsim export`, which is checked against h5py.

suppressPackageStartupMessages({
  library(hdf5r)
  library(bit64)
})

.limitsim_exact <- h5const$H5TOR_CONV_NONE  # int64 -> integer64, always (hdf5r's default changes with the values)

.limitsim_group_name <- function(name) {    # docs/hdf5-schema.md, Conventions
  x <- gsub("%", "%25", name, fixed = TRUE)
  x <- gsub("/", "%2F", x, fixed = TRUE)
  if (x == ".") "%2E" else x
}

.limitsim_open <- function(file) {
  f <- H5File$new(file, mode = "r")
  if (!f$attr_exists("schema_version")) {
    f$close_all()
    stop(file, ": not a limitsim result file (no schema_version attribute)")
  }
  v <- h5attr(f, "schema_version")
  if (!grepl("^1\\.([1-9]|[1-9][0-9]+)$", v)) {
    f$close_all()
    stop(file, ": schema ", v, " is not supported (this reader reads 1.1 to 1.x)")
  }
  f
}

.limitsim_is_scale <- function(ds) {       # schema 1.4 coordinates are not metrics
  ds$attr_exists("CLASS") && h5attr(ds, "CLASS") == "DIMENSION_SCALE"
}

# The root attributes and the run order, as a list.
read_limitsim_meta <- function(file) {
  f <- .limitsim_open(file)
  on.exit(f$close_all())
  meta <- list()
  for (a in h5attr_names(f)) {
    meta[[a]] <- if (a == "seed") as.character(f$attr_open(a)$read(flags = .limitsim_exact)) else h5attr(f, a)
  }
  meta$scenarios <- f[["scenarios"]]$read()
  meta$policies <- f[["policies"]]$read()
  meta$segments <- f[["segments/names"]]$read()
  meta
}

read_limitsim <- function(file, what = c("monthly", "summary", "losses", "comparison", "stress"),
                          metrics = NULL, by_segment = FALSE, money = c("currency", "cents")) {
  what <- match.arg(what)
  money <- match.arg(money)
  f <- .limitsim_open(file)
  on.exit(f$close_all())
  scenarios <- f[["scenarios"]]$read()
  policies <- f[["policies"]]$read()
  combos <- expand.grid(policy = policies, scenario = scenarios, stringsAsFactors = FALSE)[, c("scenario", "policy")]
  group <- function(s, p) f[[paste("results", .limitsim_group_name(s), .limitsim_group_name(p), sep = "/")]]
  if (what %in% c("comparison", "stress")) {
    if (!f$exists(what)) stop(file, ": no /", what, " table")
    g <- f[[what]]
    cols <- strsplit(h5attr(g, "columns"), ",")[[1]]
    return(as.data.frame(lapply(setNames(cols, cols), function(k) g[[k]]$read()), stringsAsFactors = FALSE))
  }
  if (what == "summary") {
    rows <- lapply(seq_len(nrow(combos)), function(i) {
      s <- group(combos$scenario[i], combos$policy[i])[["summary"]]
      figures <- vapply(strsplit(strsplit(h5attr(s, "figure_units"), ",")[[1]], "="), `[`, "", 1)
      vals <- unlist(lapply(figures, function(k) setNames(c(h5attr(s, k), h5attr(s, paste0(k, "_se"))),
                                                          c(k, paste0(k, "_se")))))
      data.frame(scenario = combos$scenario[i], policy = combos$policy[i], as.list(vals), check.names = FALSE)
    })
    return(do.call(rbind, rows))
  }
  if (what == "losses") {
    rows <- lapply(seq_len(nrow(combos)), function(i) {
      l <- group(combos$scenario[i], combos$policy[i])[["losses"]]
      cents <- l[["net_loss_cents"]]$read(flags = .limitsim_exact)
      data.frame(scenario = combos$scenario[i], policy = combos$policy[i], path = seq_along(cents) - 1L,
                 net_loss = if (money == "cents") cents else as.double(cents) / 100,
                 chargeoff_exposure = l[["chargeoff_exposure"]]$read())
    })
    return(do.call(rbind, rows))
  }
  # monthly: the file's [path, month(, segment)(, bucket|bin)] is R's array with the axes reversed,
  # so as.vector() runs over the last file axis fastest: rows ordered path, month(, segment).
  sub <- if (by_segment) "by_segment" else "monthly"
  P <- h5attr(f, "paths")
  T <- h5attr(f, "months")
  seg_names <- f[["segments/names"]]$read()
  G <- if (by_segment) length(seg_names) else 1L
  weight <- if (f$exists("paths/weight")) f[["paths/weight"]]$read() else rep(1, P)
  first <- group(combos$scenario[1], combos$policy[1])[[sub]]
  available <- Filter(function(k) !.limitsim_is_scale(first[[k]]), names(first))
  if (first$attr_exists("metrics")) {  # schema 1.4: the metrics in schema order
    order <- strsplit(h5attr(first, "metrics"), ",")[[1]]
    available <- c(intersect(order, available), sort(setdiff(available, order)))
  }
  if (is.null(metrics)) metrics <- available
  unknown <- setdiff(metrics, available)
  if (length(unknown)) stop("no metric ", paste(unknown, collapse = ", "), " (metrics: ",
                            paste(available, collapse = ", "), ")")
  rows <- lapply(seq_len(nrow(combos)), function(i) {
    g <- group(combos$scenario[i], combos$policy[i])[[sub]]
    out <- data.frame(scenario = rep(combos$scenario[i], P * T * G), policy = combos$policy[i],
                      path = rep(seq_len(P) - 1L, each = T * G), month = rep(rep(seq_len(T), each = G), times = P),
                      stringsAsFactors = FALSE)
    if (by_segment) out$segment <- rep(seg_names, times = P * T)
    out$weight <- rep(weight, each = T * G)
    for (m in metrics) {
      ds <- g[[m]]
      x <- ds$read(flags = .limitsim_exact)
      cents <- h5attr(ds, "units") == "cents"
      conv <- function(v) if (money == "cents") v else if (cents) as.double(v) / 100 else as.double(v)
      if (ds$attr_exists("labels")) {
        labels <- strsplit(h5attr(ds, "labels"), ",")[[1]]
        extra <- length(labels)
        x2 <- matrix(x, nrow = extra)                     # entry fastest in R's order
        for (b in seq_len(extra)) out[[paste0(m, "[", labels[b], "]")]] <- conv(x2[b, ])
      } else {
        out[[m]] <- conv(as.vector(x))
      }
    }
    out
  })
  do.call(rbind, rows)
}
