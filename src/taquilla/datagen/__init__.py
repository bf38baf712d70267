"""Bulk data generators for benchmarks and load tests (not domain code): ``taquilla demo-data --network-scale N``."""
