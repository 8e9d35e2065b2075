// Dimension scales (HDF5 H5DS, netCDF-4 conventions) for a written result file, so that xarray and netCDF tools see labelled dimensions.
#pragma once

#include <hdf5.h>

#include <map>
#include <string>
#include <vector>

#include "src/io/h5_handles.hpp"

namespace limitsim {
namespace h5 {

// The values along one named dimension: numbers or names.
struct Coordinate {
  std::vector<double> numbers;       // used when names is empty
  std::vector<std::string> names;
  bool integer = false;              // numbers are whole: stored as int32
  std::string units = "none";
  std::string description;
};

// For every group of the open file `file`, gives each dimension named in its
// datasets' `dims` attributes a dimension scale in that group, and attaches
// it to every dataset along that axis (labelled with the dimension's name).
// The scale is an existing 1-D dataset named after the dimension whose own
// `dims` is that dimension (e.g. summary/monthly/month), else a new dataset
// holding `coordinates[dim]`, or the dataset's `labels` (bucket, bin, key), or
// the indices 0..n-1. A dimension whose name is taken in its group by another
// kind of dataset gets no scale there. Returns the number of scales made.
int attach_dimension_scales(const Context& ctx, hid_t file, const std::map<std::string, Coordinate>& coordinates);

}  // namespace h5
}  // namespace limitsim
