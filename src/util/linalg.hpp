// Small dense symmetric matrices (row-major): eigenvalues and a Cholesky factor
// for semi-definite correlation matrices, and a positive definite solve. No limitsim types: config/ checks a
// factor correlation with it, engine/ builds the factor loadings from it.
#pragma once

#include <vector>

namespace limitsim {

// Eigenvalues of the symmetric n x n matrix a (row-major), ascending, by the
// cyclic Jacobi method.
std::vector<double> symmetric_eigenvalues(std::vector<double> a, int n);

// Lower-triangular L (row-major) with L L^T = c for a positive semi-definite
// correlation matrix c: Cholesky, where a (numerically) zero pivot gives a zero
// column, so a singular matrix (e.g. all ones: one common factor) is exact.
std::vector<double> factor_loadings(const std::vector<double>& c, int n);

// Solves a x = b for a symmetric positive definite n x n matrix a (row-major)
// by Cholesky; false (x untouched) when a is not positive definite. inv, when
// given, receives a^-1.
bool cholesky_solve(std::vector<double> a, int n, const std::vector<double>& b, std::vector<double>& x,
                    std::vector<double>* inv = nullptr);

}  // namespace limitsim
