/**
 * Side-by-side load driver comparing async-sql with blocking JDBC, supplyAsync, R2DBC and
 * Vert.x.
 */
package io.asyncsql.benchmarks;
